"""The README's example output, generated from the real commands.

A README block marked ``<!-- kg-output: kg ARGS -->`` followed by a fenced block holds
``$ kg ARGS`` and what that command prints on stdout. The commands run in README order in a
scratch directory where ``examples/`` is this checkout's ``examples/`` and the store is the
default ``./kg-store``, exactly as a new user runs them from the repository's root.

Refresh the README after a change that alters the output::

    .venv/bin/python tests/readme_blocks.py          # rewrite README.md in place
    .venv/bin/python tests/readme_blocks.py --check  # exit 1 if it is stale

``tests/test_readme.py`` fails when the README is stale.
"""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
BLOCK = re.compile(r"<!-- kg-output: (?P<cmd>.+?) -->\n```(?P<lang>\w*)\n(?P<body>.*?)```\n", re.S)

__all__ = ["Block", "blocks", "run", "render"]


@dataclass(frozen=True)
class Block:
    command: str
    body: str  # what the README holds now
    start: int
    end: int


def blocks(text: str) -> list[Block]:
    """The marked blocks of a README text, in order."""
    return [Block(m["cmd"], m["body"], m.start("body"), m.end("body")) for m in BLOCK.finditer(text)]


@contextlib.contextmanager
def _scratch() -> Iterator[Path]:
    old = Path.cwd()
    saved = os.environ.pop("KG_STORE", None)
    with tempfile.TemporaryDirectory(prefix="kg-readme-") as tmp:
        (Path(tmp) / "examples").symlink_to(ROOT / "examples", target_is_directory=True)
        os.chdir(tmp)
        try:
            yield Path(tmp)
        finally:
            os.chdir(old)
            if saved is not None:
                os.environ["KG_STORE"] = saved


def run(commands: list[str]) -> list[str]:
    """Run ``commands`` (each ``kg ...``) in order in a scratch directory; their stdout blocks."""
    from click.testing import CliRunner

    from kg.cli import cli

    out = []
    with _scratch():
        for command in commands:
            argv = shlex.split(command)
            if argv[:1] != ["kg"]:
                raise ValueError(f"README block command must start with `kg`: {command!r}")
            result = CliRunner().invoke(cli, argv[1:], catch_exceptions=False)
            if result.exit_code != 0:
                raise RuntimeError(f"`{command}` exited {result.exit_code}: {result.output}")
            out.append(f"$ {command}\n{result.stdout}")
    return out


def render(text: str) -> str:
    """``text`` with every marked block's body replaced by the command's current output."""
    found = blocks(text)
    outputs = run([b.command for b in found])
    for b, body in sorted(zip(found, outputs, strict=True), key=lambda p: -p[0].start):
        text = text[:b.start] + body + text[b.end:]
    return text


def main(argv: list[str]) -> int:
    current = README.read_text(encoding="utf-8")
    fresh = render(current)
    if "--check" in argv:
        if fresh != current:
            print("README.md is stale: run .venv/bin/python tests/readme_blocks.py", file=sys.stderr)
            return 1
        return 0
    if fresh != current:
        README.write_text(fresh, encoding="utf-8")
        print(f"updated {len(blocks(fresh))} blocks in {README}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main(sys.argv[1:]))
