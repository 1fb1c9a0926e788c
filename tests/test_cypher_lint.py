"""Every Cypher statement kg emits for Neo4j passes Neo4j's own parser and semantic analysis.

The linter is ``tests/cypher_lint.mjs`` over ``@neo4j-cypher/language-support`` (Neo4j's
Cypher front end compiled to JavaScript), installed from npm on first use into
``$KG_CYPHER_LINT_CACHE`` (default ``~/.cache/cypher-lint``); it needs ``node`` and ``npm``.
It takes about 0.2 s of CPU per statement, so it checks every statement *shape* kg sends
(schema, upserts and appends of every label and type) and a whole ``kg export cypher``
script of hostile values (the literal escaping), not the whole hf graph.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from hostile import HOSTILE, write_hostile_store
from kg.cli import cli
from kg.export.cypher import Dialect, neo4j_schema_script, schema_statements, write_statements

HERE = Path(__file__).resolve().parent
GUIDE = HERE.parent / "docker" / "guide" / "kg.html"
PACKAGE = "@neo4j-cypher/language-support@2.0.0-next.38"


@pytest.fixture(scope="session")
def cypher_lint() -> list[str]:
    """The command that lints files (``node .../cypher_lint.mjs``), installing it if needed."""
    node, npm = shutil.which("node"), shutil.which("npm")
    assert node and npm, "cypher-lint needs node and npm (https://nodejs.org)"
    cache = Path(os.environ.get("KG_CYPHER_LINT_CACHE",
                                Path.home() / ".cache" / "cypher-lint"))
    if not (cache / "node_modules" / "@neo4j-cypher" / "language-support").is_dir():
        cache.mkdir(parents=True, exist_ok=True)
        if not (cache / "package.json").exists():
            (cache / "package.json").write_text('{"private": true}\n')
        done = subprocess.run([npm, "install", "--silent", "--no-audit", "--no-fund", PACKAGE],
                              cwd=cache, capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, f"npm install {PACKAGE} failed:\n{done.stderr}"
    shutil.copy(HERE / "cypher_lint.mjs", cache / "cypher_lint.mjs")
    return [node, str(cache / "cypher_lint.mjs")]


def test_every_statement_kg_emits_passes_the_neo4j_parser(
        cypher_lint: list[str], tmp_path: Path) -> None:
    templates = tmp_path / "templates.cypher"
    templates.write_text("".join(s + ";\n" for s in write_statements()), encoding="utf-8")
    store = write_hostile_store(tmp_path / "hostile", HOSTILE[:-1])
    script = tmp_path / "hostile.cypher"
    result = CliRunner().invoke(cli, ["export", "cypher", "--store", str(store), "--out",
                                      str(script), "--batch-size", "100"])
    assert result.exit_code == 0, result.output
    # a control: the linter must see errors, and report them against the right file
    bad = tmp_path / "bad.cypher"
    bad.write_text("UNWIND $rows AS row MERGE (n:`Paper` {id: row.id}) SET n.x = ;\n"
                   "CREATE CONSTRAINT FOR (n:Paper) REQUIRE n.id IS UNIQUE IF NOT EXISTS;\n")
    # the runnable Cypher of the Neo4j Browser guide (docker/guide/kg.html), Browser commands aside
    blocks = [html.unescape(b) for b in re.findall(r'<pre mode="cypher"[^>]*>(.*?)</pre>',
                                                   GUIDE.read_text(encoding="utf-8"), re.S)]
    guide = tmp_path / "guide.cypher"
    guide.write_text("".join(b + ";\n" for b in blocks if not b.startswith(":")), encoding="utf-8")
    assert len(blocks) >= 7
    files = [templates, script, guide, bad]
    done = subprocess.run([*cypher_lint, *map(str, files)], capture_output=True, text=True,
                          timeout=600)
    report = done.stdout
    errors = [line for line in report.splitlines() if ": error:" in line]
    assert done.returncode == 1, report + done.stderr
    assert errors and all(e.startswith(f"{bad}:") for e in errors), report
    assert {e.split(":")[1] for e in errors} == {"1", "2"}, report
    n = len(write_statements()) + len(schema_statements(Dialect.NEO4J))
    total = int(re.search(r"(\d+) statement\(s\)", report).group(1))  # type: ignore[union-attr]
    assert total >= n + 10, report  # the script adds the rows of every label and type
    lines = script.read_text(encoding="utf-8").splitlines()
    assert all(x.startswith("//") or x.endswith(";") for x in lines)  # one statement a line
    # constraints.cypher (neo4j-csv) holds the same schema statements the script starts with
    schema = [x for x in neo4j_schema_script().splitlines() if not x.startswith("//")]
    assert schema == [x for x in lines if not x.startswith("//")][:len(schema)]
