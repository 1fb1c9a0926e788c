"""Every command and sub-command has ``--help`` with an example, and every example is a real
command line: its commands and options exist (so help never advertises what kg cannot do)."""

from __future__ import annotations

import shlex

import click
import pytest
from click.testing import CliRunner

from kg.cli import cli


def _walk(group: click.Group, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], click.Command]]:
    out = []
    for name in sorted(group.commands):
        cmd = group.commands[name]
        out.append(((*path, name), cmd))
        if isinstance(cmd, click.Group):
            out += _walk(cmd, (*path, name))
    return out


COMMANDS = _walk(cli)


def test_the_walk_reaches_nested_commands() -> None:
    names = {" ".join(p) for p, _ in COMMANDS}
    assert {"build", "show", "explain", "view", "report", "export", "export graphml",
            "export gexf", "export dot", "export rdf"} <= names


def _examples(help_text: str) -> list[str]:
    """The example block's command lines (``\\`` continuations joined)."""
    lines = help_text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == "Example:")
    out: list[str] = []
    cont = False
    for line in lines[start + 1:]:
        if not line.strip():
            break
        if cont:
            out[-1] = out[-1][:-1] + " " + line.strip()
        else:
            out.append(line.strip())
        cont = out[-1].endswith("\\")
    return out


def _kg_commands(example: str) -> list[list[str]]:
    """The arguments of each ``kg`` command on an example line; other tools are skipped, and
    so are redirections (``> file``)."""
    commands: list[list[str]] = []
    current: list[str] | None = None
    skip_next = False
    for w in shlex.split(example, comments=True):
        if skip_next:
            skip_next = False
        elif w in ("|", "&&", ";", "||"):
            current = None
        elif w in (">", ">>", "<", "2>"):
            skip_next = True
        elif current is None:
            current = []
            if w == "kg":
                commands.append(current)
        else:
            current.append(w)
    return commands


def _check(argv: list[str]) -> None:
    """Check ``argv`` as kg would parse it: the commands exist, every option belongs to its
    command and every choice is one the option takes (file arguments need not exist)."""
    example = shlex.join(["kg", *argv])
    cmd: click.Command = cli
    i = 0
    while i < len(argv):
        opts = {o: p for p in cmd.params if isinstance(p, click.Option)
                for o in (*p.opts, *p.secondary_opts)} | {"-h": None, "--help": None}
        tok = argv[i]
        if tok.startswith("-") and tok != "-":
            name, eq, inline = tok.partition("=")
            assert name in opts, f"{example!r}: `kg ... {cmd.name}` has no option {name!r}"
            param = opts[name]
            if param is not None and not param.is_flag and not param.count:
                if not eq:
                    i += 1
                    assert i < len(argv), f"{example!r}: {name} needs a value"
                value = inline if eq else argv[i]
                if isinstance(param.type, click.Choice):
                    assert value in param.type.choices, f"{example!r}: {name} {value!r}"
        elif isinstance(cmd, click.Group):
            sub = cmd.commands.get(tok)
            assert sub is not None, f"{example!r}: no command {tok!r}"
            cmd = sub
        i += 1
    assert not isinstance(cmd, click.Group), f"{example!r} names a group, not a command"


@pytest.mark.parametrize("path,cmd", COMMANDS, ids=[" ".join(p) for p, _ in COMMANDS])
def test_help_shows_an_example_that_runs(path: tuple[str, ...], cmd: click.Command) -> None:
    result = CliRunner().invoke(cli, [*path, "--help"], terminal_width=100)
    assert result.exit_code == 0, result.output
    assert "Example:" in result.output, f"`kg {' '.join(path)} --help` has no Example block"
    examples = _examples(result.output)
    assert examples, f"`kg {' '.join(path)}` has an empty Example block"
    if isinstance(cmd, click.Group):
        return
    runs = [argv for e in examples for argv in _kg_commands(e)]
    assert any(argv[:len(path)] == list(path) for argv in runs), \
        f"no example of `kg {' '.join(path)}` runs that command: {examples}"
    for argv in runs:
        _check(argv)


@pytest.mark.parametrize("argv", [["shw", "dpo"], ["show", "dpo", "--bogus"],
                                  ["show", "dpo", "--format", "xml"], ["export", "graphmlx"],
                                  ["export"]])
def test_the_example_check_rejects_what_kg_would(argv: list[str]) -> None:
    with pytest.raises(AssertionError):
        _check(argv)


def test_example_lines_split_into_kg_commands() -> None:
    assert _kg_commands("kg export rdf --out kg.ttl && kg validate kg.ttl") == \
        [["export", "rdf", "--out", "kg.ttl"], ["validate", "kg.ttl"]]
    assert _kg_commands("kg extract papers.jsonl > mentions.jsonl") == [["extract", "papers.jsonl"]]
    assert _kg_commands("redis-cli GRAPH.QUERY kg 'MATCH (n) RETURN n'") == []
