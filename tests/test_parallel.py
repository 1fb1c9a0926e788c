"""`kg build --jobs N`: the store is the same whatever N (and whatever the batch size)."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from kg.cli import cli


def snapshot(store_dir: Path) -> dict[str, Any]:
    """Everything a build decides, in a comparable form: ids, names, edges, evidence."""
    conn = sqlite3.connect(store_dir / "graph.sqlite")
    try:
        q = {
            "papers": "SELECT id, content_hash FROM papers ORDER BY id",
            "entities": "SELECT id, type, name, props, origin FROM entities ORDER BY id",
            "edges": 'SELECT paper_id, rel, target, sentence, start, "end", field, rule, '
                     "confidence, count FROM edges ORDER BY paper_id, rel, target",
            "links": "SELECT source, rel, target, props FROM links ORDER BY source, rel, target",
            "mentions": "SELECT paper_id, seq, text, start, entity_id FROM mentions "
                        "ORDER BY paper_id, seq",
            "id_aliases": "SELECT old_id, new_id FROM id_aliases ORDER BY old_id",
        }
        return {k: conn.execute(sql).fetchall() for k, sql in q.items()}
    finally:
        conn.close()


def test_jobs_2_builds_the_same_store_as_jobs_1(tmp_path: Path, corpus: Path,
                                                 hf_store_dir: Path) -> None:
    # hf_store_dir is a serial build (library default jobs=1, batches of 256); this one runs
    # two worker processes over batches of 40, so several batches are in flight at once and
    # papers repeated across the listing files arrive in different batches.
    runner = CliRunner()
    result = runner.invoke(cli, ["build", str(corpus / "hf-daily-papers"), "--store",
                                 str(tmp_path / "s"), "--jobs", "2", "--batch-size", "40", "-q"])
    assert result.exit_code == 0, result.output
    serial, parallel = snapshot(hf_store_dir), snapshot(tmp_path / "s")
    assert len(serial["papers"]) == 321 and len(serial["edges"]) > 1000
    for key in serial:
        assert parallel[key] == serial[key], key
    stats = runner.invoke(cli, ["stats", "--store", str(tmp_path / "s"), "--format", "json"])
    ref = runner.invoke(cli, ["stats", "--store", str(hf_store_dir), "--format", "json"])
    assert stats.output == ref.output


def test_jobs_2_reports_what_jobs_1_reports(tmp_path: Path, corpus: Path) -> None:
    # papers repeated across the two files land in different batches: a parallel build must
    # still merge them with the stored record ("updated"), as a serial build does
    from kg.build import build
    from kg.store import Store

    files = sorted((corpus / "hf-daily-papers").glob("*.txt"))[:2]
    reports = {}
    for jobs in (1, 2):
        with Store.open(tmp_path / str(jobs), create=True) as store:
            store.lock()
            first = build(files, store, jobs=jobs, batch_size=30)
            again = build(files, store, jobs=jobs, batch_size=30)
        reports[jobs] = (first, again)
        assert first.updated > 0 and first.added + first.updated == first.read
        assert (again.added, again.updated, again.unchanged) == (0, 0, again.read)
    for a, b in zip(reports[1], reports[2]):
        assert a.as_dict() | {"rejects_path": None} == b.as_dict() | {"rejects_path": None}
    assert snapshot(tmp_path / "1") == snapshot(tmp_path / "2")
