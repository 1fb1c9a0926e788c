"""``kg doctor``: a sound store passes; each kind of damage is named, with exit code 1."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.build import build
from kg.cli import cli
from kg.doctor import check_store
from kg.store import Store


@pytest.fixture(scope="module")
def sound(tmp_path_factory: pytest.TempPathFactory, corpus: Path, extractor) -> Path:  # type: ignore[no-untyped-def]
    """A store built from one real capture of the hf-daily-papers corpus."""
    path = tmp_path_factory.mktemp("doctor") / "store"
    store = Store.open(path, create=True)
    store.lock()
    build([corpus / "hf-daily-papers" / "000_8ce9984b79c972cf.txt"], store, extractor=extractor)
    store.close()
    return path


def doctor(path: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["doctor", "--store", str(path), *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def damaged(sound: Path, tmp_path: Path, *sql: str) -> Path:
    path = tmp_path / "store"
    shutil.copytree(sound, path)
    con = sqlite3.connect(path / Store.FILENAME)
    for statement in sql:
        con.execute(statement)
    con.commit()
    con.close()
    return path


def test_a_sound_store_passes(sound: Path) -> None:
    code, out = doctor(sound)
    assert code == 0 and out.startswith(f"ok: {sound} is consistent (") and "papers" in out
    code, out = doctor(sound, "--format", "json")
    report = json.loads(out)
    assert code == 0 and report["ok"] is True and report["problems"] == [] and report["stats"]["papers"] >= 40


# each case: SQL that damages a copy, and the checks that must name it
CASES = {
    "paper row deleted": (
        ["DELETE FROM papers WHERE id = (SELECT paper_id FROM edges WHERE rel = 'USES' LIMIT 1)"],
        {"dangling edge", "orphan evidence"}),
    "entity deleted": (
        ["DELETE FROM entities WHERE id = (SELECT target FROM edges WHERE rel = 'USES' LIMIT 1)"],
        {"dangling edge", "dangling mention", "dangling link"}),
    "edge count changed": (
        ["UPDATE edges SET count = count + 1 WHERE rowid = (SELECT rowid FROM edges WHERE rel = 'USES' LIMIT 1)"],
        {"count mismatch"}),
    "mention edge deleted": (
        ["DELETE FROM edges WHERE rowid = (SELECT rowid FROM edges g WHERE rel = 'USES' AND "
         "(SELECT COUNT(*) FROM edges h WHERE h.target = g.target) > 1 LIMIT 1)"],
        {"missing edge"}),
    "orphan entity": (
        ["INSERT INTO entities VALUES ('method/nobody-uses-this', 'Method', 'Nobody', '{}', 'mention')"],
        {"orphan entity"}),
    "link to nowhere": (
        ["INSERT INTO links VALUES ('method/ghost', 'APPLIED_IN', 'domain/ghost', '{}')"],
        {"dangling link"}),
    "retyped target": (
        ["UPDATE entities SET type = 'Dataset' WHERE id = (SELECT target FROM edges WHERE rel = 'USES' LIMIT 1)"],
        {"wrong target type", "wrong link type"}),  # its APPLIED_IN link too
    "unknown relation": (
        ["UPDATE edges SET rel = 'LIKES' WHERE rowid = (SELECT rowid FROM edges WHERE rel = 'HAS_CODE' LIMIT 1)"],
        {"unknown relation"}),
    "bad JSON in a paper": (
        ["UPDATE papers SET authors = '[\"unclosed' WHERE rowid = 1"], {"bad paper row"}),
    "former id to nowhere": (
        ["INSERT INTO id_aliases VALUES ('method/old', 'method/gone')"], {"dangling former id"}),
    "interrupted build": (
        ["INSERT INTO dirty VALUES ('paper', (SELECT id FROM papers LIMIT 1))"], {"unfinished build"}),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_damage_is_named_and_exits_1(sound: Path, tmp_path: Path, case: str) -> None:
    sql, expected = CASES[case]
    path = damaged(sound, tmp_path, *sql)
    with Store.open(path) as store:
        found = {p.check for p in check_store(store)}
    assert found == expected, case
    code, out = doctor(path)
    assert code == 1
    *problems, error = out.strip().splitlines()
    assert {line.split(": ", 1)[0] for line in problems} == expected
    prefix = f"Error: the store at {path} has {len(problems)} problem(s): "
    assert error.startswith(prefix) and set(error[len(prefix):].split(", ")) == expected
    assert "Traceback" not in out


def test_repair_finishes_the_linking(sound: Path, tmp_path: Path) -> None:
    """A store whose last build stopped before linking: papers written, their mention edges not."""
    path = damaged(sound, tmp_path,
                   "INSERT INTO dirty SELECT 'paper', id FROM papers",
                   "DELETE FROM edges WHERE rel IN ('USES', 'PROPOSES', 'ADDRESSES', 'EVALUATES_ON', 'INTRODUCES')",
                   "UPDATE mentions SET entity_id = NULL, resolved = NULL")
    code, out = doctor(path)
    assert code == 1 and out.startswith("unfinished build: ")
    code, out = doctor(path, "--repair")
    assert code == 0, out
    with Store.open(path) as fixed, Store.open(sound) as ref:
        assert fixed.stats() == ref.stats()
        assert list(fixed.iter_edges()) == list(ref.iter_edges())


def test_a_store_an_earlier_kg_made_is_refused_then_upgraded_by_repair(sound: Path, tmp_path: Path) -> None:
    """Schema 3 stores (before the paper's year was on its edges) are refused by every command
    with the way out; `kg doctor --repair` upgrades one in place to what a build now makes."""
    path = damaged(sound, tmp_path,  # the schema 3 layout: no year on edges, the old index
                   "DROP INDEX edges_target", "ALTER TABLE edges DROP COLUMN year",
                   "CREATE INDEX edges_target ON edges(target, rel)",
                   "UPDATE meta SET value = '3' WHERE key = 'schema_version'")
    result = CliRunner().invoke(cli, ["stats", "--store", str(path)])
    assert result.exit_code == 1
    assert "made by an earlier kg (schema 3, this kg reads 4)" in result.output
    assert f"`kg doctor --store {path} --repair` upgrades it" in result.output
    code, out = doctor(path)
    assert code == 1 and "schema 3" in out
    code, out = doctor(path, "--repair")
    assert code == 0 and "repaired: upgraded the store from schema 3 to 4" in out, out
    with Store.open(path) as fixed, Store.open(sound) as ref:
        assert fixed.stats() == ref.stats()
        query = "SELECT paper_id, rel, target, year FROM edges ORDER BY paper_id, rel, target"
        assert fixed.conn.execute(query).fetchall() == ref.conn.execute(query).fetchall()
        index = "SELECT sql FROM sqlite_master WHERE name = 'edges_target'"
        assert fixed.conn.execute(index).fetchone()[0] == ref.conn.execute(index).fetchone()[0]


def test_a_damaged_file_is_a_clear_error(sound: Path, tmp_path: Path) -> None:
    path = tmp_path / "store"
    shutil.copytree(sound, path)
    db = path / Store.FILENAME
    data = bytearray(db.read_bytes())
    for offset in range(4096, len(data), 4096):  # scribble over every page but the header
        data[offset + 100:offset + 400] = b"\xde\xad" * 150
    db.write_bytes(bytes(data))
    code, out = doctor(path)
    assert code == 1 and "Traceback" not in out
    assert out.strip().splitlines()[-1].startswith("Error: ")
    assert "sqlite" in out or "cannot open the store" in out


def test_no_store_is_a_clear_error(tmp_path: Path) -> None:
    code, out = doctor(tmp_path / "nothing")
    assert code == 1
    assert out.strip() == f"Error: no store at {tmp_path / 'nothing'}: run `kg build INPUT --store {tmp_path / 'nothing'}` first"
