"""The README's example output is what the commands print now (see ``tests/readme_blocks.py``)."""

from __future__ import annotations

import difflib

from readme_blocks import README, blocks, run


def test_readme_output_blocks_are_current() -> None:
    found = blocks(README.read_text(encoding="utf-8"))
    commands = [b.command for b in found]
    # the walk-through: build first, then the commands a new user runs on that store
    assert commands[0].startswith("kg build examples/")
    assert {c.split()[1] for c in commands} >= {"build", "stats", "show", "explain", "report"}
    stale = []
    for block, fresh in zip(found, run(commands), strict=True):
        if block.body != fresh:
            diff = "".join(difflib.unified_diff(block.body.splitlines(True), fresh.splitlines(True),
                                                "README.md", "now", n=1))
            stale.append(f"`{block.command}`:\n{diff}")
    assert not stale, ("README.md is stale; refresh it with `.venv/bin/python tests/readme_blocks.py`"
                       "\n" + "\n".join(stale))


def test_a_stale_block_is_noticed() -> None:
    text = "<!-- kg-output: kg --help -->\n```text\nold\n```\n"
    (block,) = blocks(text)
    assert block.command == "kg --help" and block.body == "old\n"
    (fresh,) = run([block.command])
    assert fresh.startswith("$ kg --help\nUsage: ") and "Commands:" in fresh and fresh != block.body
