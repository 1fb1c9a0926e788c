"""``kg export neo4j-csv``: files for ``neo4j-admin database import full``.

neo4j-admin cannot run here, so the files are read back the way it reads them (header types,
ID spaces, quoted multi-line fields, the array delimiter, empty field = no property) and
compared with the store, for the hf graph and for hostile values.
"""

from __future__ import annotations

import csv
import datetime
import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from hostile import HOSTILE, write_hostile_store
from kg.cli import cli
from kg.export.neo4j_csv import export_csv, node_header, relationship_header
from kg.export.rows import node_rows, relationship_rows
from kg.schema import NodeType, RelType
from kg.store import Store


def read_admin_csv(path: Path, delimiter: str) -> tuple[list[str], list[dict[str, Any]]]:
    """Rows of ``path`` as neo4j-admin would type them: {property or :FIELD: value}."""
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        rows = []
        for values in reader:
            row: dict[str, Any] = {}
            for field, raw in zip(header, values, strict=True):
                name, _, kind = field.partition(":")
                key = name or ":" + re.sub(r"\(.*", "", kind)
                if raw == "" and name:
                    continue  # no property
                base = re.sub(r"\(.*", "", kind)
                if base == "int":
                    row[key] = int(raw)
                elif base == "float":
                    row[key] = float(raw)
                elif base == "date":
                    row[key] = datetime.date.fromisoformat(raw)
                elif base == "string[]":
                    row[key] = raw.split(delimiter)
                else:
                    row[key] = raw
            rows.append(row)
    return header, rows


def expected_node(row: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for k, v in row.items():
        if v in (None, "", []):
            continue
        out[k] = datetime.date.fromisoformat(v) if k == "date" else v
    return out


def check_against_store(store_dir: Path, out: Path, delimiter: str) -> None:
    with Store.open(store_dir) as store:
        for label in NodeType:
            want = {r["id"]: expected_node(r) for r in node_rows(store, label)}
            path = out / "nodes" / f"{label.value}.csv"
            if not want:
                assert not path.exists()
                continue
            header, rows = read_admin_csv(path, delimiter)
            assert header == node_header(label)
            got = {}
            for r in rows:
                assert r.pop(":LABEL") == label.value
                got[r["id"]] = r
            assert got == want
            assert len(rows) == len(want)
        for rel in RelType:
            want_rels = sorted((json.dumps(expected_node(r), sort_keys=True)
                                for r in relationship_rows(store, rel)))
            path = out / "relationships" / f"{rel.value}.csv"
            if not want_rels:
                assert not path.exists()
                continue
            header, rows = read_admin_csv(path, delimiter)
            assert header == relationship_header(rel)
            got_rels = []
            for r in rows:
                assert r.pop(":TYPE") == rel.value
                r["source"], r["target"] = r.pop(":START_ID"), r.pop(":END_ID")
                got_rels.append(json.dumps(r, sort_keys=True))
            assert sorted(got_rels) == want_rels


@pytest.fixture(scope="module")
def hf_csv(hf_store_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("csv") / "import"
    result = CliRunner().invoke(cli, ["export", "neo4j-csv", "--store", str(hf_store_dir),
                                      "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out, result.stdout


def test_hf_files_hold_every_node_and_relationship_typed(hf_csv: tuple[Path, str],
                                                         hf_store_dir: Path) -> None:
    out, _ = hf_csv
    check_against_store(hf_store_dir, out, ";")


def test_headers_name_id_spaces_types_labels(hf_csv: tuple[Path, str]) -> None:
    out, _ = hf_csv
    paper = (out / "nodes" / "Paper.csv").read_text(encoding="utf-8").splitlines()[0]
    assert paper == ("id:ID(Paper),title,abstract,date:date,year:int,authors:string[],"
                     "author_count:int,categories:string[],doi,arxiv_id,source,:LABEL")
    uses = (out / "relationships" / "USES.csv").read_text(encoding="utf-8").splitlines()[0]
    assert uses == (":START_ID(Paper),:END_ID(Method),sentence,start:int,end:int,field,rule,"
                    "confidence:float,count:int,:TYPE")
    assert (out / "nodes" / "Domain.csv").read_text().startswith(
        "id:ID(Domain),name,aliases:string[],top,arxiv_categories:string[],:LABEL\n")


def test_prints_the_import_command_and_writes_the_constraint_script(
        hf_csv: tuple[Path, str]) -> None:
    out, printed = hf_csv
    command = next(x.strip() for x in printed.splitlines() if "neo4j-admin" in x)
    assert command.startswith("neo4j-admin database import full --overwrite-destination "
                              "--id-type=string '--array-delimiter=;' --multiline-fields=true ")
    assert f"--nodes={out}/nodes/Paper.csv" in command
    assert f"--relationships={out}/relationships/APPLIED_IN.csv" in command
    assert command.endswith(" neo4j")
    assert "Author.csv" not in command  # no empty files, no empty ID spaces
    constraints = (out / "constraints.cypher").read_text()
    assert constraints.count("REQUIRE n.`id` IS UNIQUE;") == len(NodeType)
    readme = (out / "README.txt").read_text()
    assert "--nodes=/import/nodes/Paper.csv" in readme and "cypher-shell" in readme
    assert "321  " in printed.splitlines()[0] or "321" in printed


def test_hostile_values_survive_and_pick_a_free_array_delimiter(tmp_path: Path) -> None:
    store = write_hostile_store(tmp_path / "store", [*HOSTILE, "semi;colon"])
    with Store.open(store) as s:
        result = export_csv(s, tmp_path / "out")
    # "semi;colon" is an author and a category, so ';' cannot separate array elements
    assert result.array_delimiter == "|"
    assert "'--array-delimiter=|'" in result.import_command()
    check_against_store(store, tmp_path / "out", "|")
    with_pipe = write_hostile_store(tmp_path / "store2", ["a;b", "c|d"])
    with Store.open(with_pipe) as s:
        result = export_csv(s, tmp_path / "out2")
    assert result.array_delimiter == "\x1f"
    assert "--array-delimiter=U+001F" in result.import_command()
    check_against_store(with_pipe, tmp_path / "out2", "\x1f")
