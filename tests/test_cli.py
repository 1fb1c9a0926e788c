"""The command line, run as users run it (CliRunner over the real click app)."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from kg.cli import cli

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    store = tmp_path_factory.mktemp("cli") / "store"
    result = CliRunner().invoke(cli, ["build", str(ROOT / "examples"), "--store", str(store)])
    assert result.exit_code == 0, result.output
    assert "papers read: 60" in result.output
    assert "rejected: 0" in result.output
    return store


def test_stats_json(demo_store: Path) -> None:
    result = CliRunner().invoke(cli, ["stats", "--store", str(demo_store), "--format", "json"])
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data["papers"] == 60
    assert set(data) == {"papers", "nodes", "edges"}
    assert data["nodes"]["Paper"] == 60


def test_entities_jsonl(demo_store: Path) -> None:
    result = CliRunner().invoke(cli, ["entities", "--store", str(demo_store), "--type", "Method",
                                      "--format", "jsonl"])
    assert result.exit_code == 0
    rows = [json.loads(x) for x in result.output.splitlines()]
    assert rows and all(r["type"] == "Method" and r["id"].startswith("method/") for r in rows)
    assert all({"id", "type", "name", "aliases", "papers"} <= set(r) for r in rows)
    assert rows[0]["papers"] >= rows[-1]["papers"]


def test_show_finds_a_concept_by_name_alias_and_spelling(demo_store: Path) -> None:
    runner = CliRunner()
    for query in ("spiking neural network", "Spiking Neural Networks", "SNN", "spiking neural netwrk"):
        result = runner.invoke(cli, ["show", query, "--store", str(demo_store), "--format", "json"])
        assert result.exit_code == 0, (query, result.output)
        hood = json.loads(result.output)
        assert hood["concept"]["type"] == "Method"
        assert hood["concept"]["id"] == "method/spiking-neural-network"
        rels = {n["relation"] for n in hood["neighbors"]}
        assert "USES" in rels or "PROPOSES" in rels
        assert any(n["evidence"] and n["evidence"]["sentence"] for n in hood["neighbors"])


def test_show_depth_2_marks_the_path(demo_store: Path) -> None:
    result = CliRunner().invoke(cli, ["show", "spiking neural network", "--store", str(demo_store),
                                      "--depth", "2", "--format", "json"])
    hood = json.loads(result.output)
    assert any(n.get("via") == "Paper" for n in hood["neighbors"])


def test_show_table_has_evidence(demo_store: Path) -> None:
    result = CliRunner().invoke(cli, ["show", "spiking neural network", "--store", str(demo_store)])
    assert result.exit_code == 0
    assert "Method" in result.output and "Paper:" in result.output and '"' in result.output


def test_unknown_concept_exits_1_and_names_the_closest(demo_store: Path) -> None:
    result = CliRunner().invoke(cli, ["show", "spiking neurl netwrks zzz", "--store", str(demo_store)])
    assert result.exit_code == 1
    assert result.output.startswith("Error: no entity matches 'spiking neurl netwrks zzz'; closest:")


def test_missing_store_is_a_clear_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["stats", "--store", str(tmp_path / "nope")])
    assert result.exit_code == 1
    assert f"Error: no store at {tmp_path / 'nope'}: run `kg build INPUT --store" in result.output


def test_usage_error_exits_2() -> None:
    assert CliRunner().invoke(cli, ["show"]).exit_code == 2


def test_extract_jsonl_shape(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["extract", str(ROOT / "examples" / "arxiv-listing-sample.jsonl")])
    assert result.exit_code == 0
    rows = [json.loads(x) for x in result.output.splitlines()]
    assert len(rows) == 15
    for row in rows:
        assert set(row) == {"paper", "mentions", "domains"}
        assert set(row["paper"]) == {"id", "title"}
        assert 1 <= len(row["domains"]) <= 3
        for d in row["domains"]:
            assert {"id", "name", "top", "score"} <= set(d)
        for m in row["mentions"]:
            assert {"text", "start", "end", "field", "type", "role", "entity", "name",
                    "confidence", "rule", "sentence"} <= set(m)
            assert m["type"] in {"Method", "Dataset", "Task"}


def _commands(group: click.Group, prefix: str = "") -> list[tuple[str, click.Command]]:
    out = []
    for name, cmd in group.commands.items():
        out.append((prefix + name, cmd))
        if isinstance(cmd, click.Group):
            out += _commands(cmd, prefix + name + " ")
    return out


@pytest.mark.parametrize("name,cmd", _commands(cli))
def test_every_command_has_help_with_an_example(name: str, cmd: click.Command) -> None:
    assert cmd.help and "Example:" in cmd.help, f"`kg {name}` needs help with an example"


def test_kg_toml_gives_defaults_and_rejects_unknown_options(demo_store: Path, tmp_path: Path) -> None:
    from kg.config import ConfigError, load_default_map

    cfg = tmp_path / "kg.toml"
    cfg.write_text(f'store = "{demo_store}"\n[show]\nlimit = 1\nformat = "json"\n', encoding="utf-8")
    default_map = load_default_map(cli, [cfg])
    assert default_map["show"] == {"store_path": str(demo_store), "limit": 1, "fmt": "json"}
    assert default_map["stats"] == {"store_path": str(demo_store)}
    result = CliRunner().invoke(cli, ["show", "spiking neural network"], default_map=default_map)
    assert result.exit_code == 0, result.output
    hood = json.loads(result.output)
    assert all(n for n in hood["totals"].values())
    assert max(sum(1 for n in hood["neighbors"] if n["relation"] == r) for r in hood["totals"]) == 1
    cfg.write_text("[show]\nbogus = 1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="`kg show` has no option 'bogus'"):
        load_default_map(cli, [cfg])


def test_progress_is_silent_off_a_terminal(tmp_path: Path) -> None:
    import io

    from kg.progress import Progress

    buf = io.StringIO()
    with Progress("records", stream=buf) as p:
        p.update(10)
    assert buf.getvalue() == ""  # not a terminal: nothing
