"""End-to-end builds of the real corpus into the embedded store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kg.build import build
from kg.store import Store
from kg.store.db import RELINK_INDEXES


def _build(inputs: list[Path], store_dir: Path, extractor) -> tuple[Store, object]:  # type: ignore[no-untyped-def]
    store = Store.open(store_dir, create=True)
    store.lock()
    report = build(inputs, store, extractor=extractor)
    return store, report


@pytest.fixture(scope="module")
def hf_store(tmp_path_factory: pytest.TempPathFactory, corpus: Path, extractor):  # type: ignore[no-untyped-def]
    store, report = _build([corpus / "hf-daily-papers"], tmp_path_factory.mktemp("hf"), extractor)
    yield store, report
    store.close()


def test_hf_daily_papers_build_stores_321_papers(hf_store) -> None:  # type: ignore[no-untyped-def]
    store, report = hf_store
    assert report.rejected == 0
    assert store.stats()["papers"] == 321
    stats = store.stats()
    for label in ("Method", "Dataset", "Task", "Domain", "CodeRepository"):
        assert stats["nodes"][label] > 0, label
    for rel in ("PROPOSES", "USES", "EVALUATES_ON", "ADDRESSES", "IN_DOMAIN", "HAS_CODE",
                "APPLIED_IN", "BROADER"):
        assert stats["edges"][rel] > 0, rel
    # every paper has 1-3 domains
    rows = store.conn.execute("SELECT p.id, COUNT(e.target) n FROM papers p LEFT JOIN edges e "
                              "ON e.paper_id = p.id AND e.rel = 'IN_DOMAIN' GROUP BY p.id").fetchall()
    assert all(1 <= r["n"] <= 3 for r in rows)


def test_evidence_is_kept_on_edges(hf_store) -> None:  # type: ignore[no-untyped-def]
    store, _ = hf_store
    for e in store.iter_edges():
        if e["rel"] in ("PROPOSES", "USES", "COMPARES_WITH", "INTRODUCES", "EVALUATES_ON",
                        "ADDRESSES"):
            paper = store.get_paper(e["source"])
            text = paper.title if e["field"] == "title" else paper.abstract
            assert e["sentence"] and e["rule"] and 0 < e["confidence"] < 1
            assert text[e["start"]:e["end"]]  # offsets point into the field
            assert text[e["start"]:e["end"]] in e["sentence"]


def test_compared_methods_get_compares_with_beside_uses(hf_store) -> None:  # type: ignore[no-untyped-def]
    store, _ = hf_store
    edges = list(store.iter_edges())
    uses = {(e["source"], e["target"]) for e in edges if e["rel"] == "USES"}
    compared = [e for e in edges if e["rel"] == "COMPARES_WITH"]
    assert len(compared) >= 20  # hf-daily-papers abstracts often say "outperforms X"
    assert all((e["source"], e["target"]) in uses for e in compared)
    # "Our approach outperforms state-of-the-art methods like TabNet and XGboost ..."
    targets = {e["target"] for e in compared}
    assert {"method/tabnet", "method/xgboost"} <= targets
    assert not any(e["rel"] == "COMPARES_WITH" and e["target"] == "method/tabnet"
                   and "outperform" not in e["sentence"] for e in compared)


def test_code_urls_become_code_repositories(hf_store) -> None:  # type: ignore[no-untyped-def]
    store, _ = hf_store
    urls = {e["url"] for e in store.iter_entities() if e["type"] == "CodeRepository"}
    assert "https://github.com/JarvisPei/CMoE" in urls


def test_rebuilding_the_same_input_changes_nothing(tmp_path: Path, corpus: Path, extractor) -> None:  # type: ignore[no-untyped-def]
    src = corpus / "hf-daily-papers"
    store, first = _build([src], tmp_path / "s", extractor)
    before = store.stats()
    edges_before = list(store.iter_edges())
    second = build([src], store, extractor=extractor)
    assert second.added == 0 and second.updated == 0
    assert second.unchanged + second.merged == second.read
    assert store.stats() == before
    assert list(store.iter_edges()) == edges_before
    store.close()


def test_building_in_parts_equals_building_at_once(tmp_path: Path, corpus: Path, extractor) -> None:  # type: ignore[no-untyped-def]
    files = sorted((corpus / "hf-daily-papers").glob("*.txt"))
    whole, _ = _build(files, tmp_path / "whole", extractor)
    parts = Store.open(tmp_path / "parts", create=True)
    parts.lock()
    for f in reversed(files):  # other order, one file at a time
        build([f], parts, extractor=extractor)
    assert parts.stats() == whole.stats()
    assert list(parts.iter_entities()) == list(whole.iter_entities())
    assert list(parts.iter_edges()) == list(whole.iter_edges())
    assert list(parts.iter_links()) == list(whole.iter_links())
    # the first builds redo most of their store and rebuild its indexes (kg.store.relink);
    # the later ones update them in place: either way every index is there at the end
    for store in (whole, parts):
        names = {r[0] for r in store.conn.execute("SELECT name FROM sqlite_master WHERE type='index'")}
        assert set(RELINK_INDEXES) <= names
    whole.close()
    parts.close()


def test_arxiv_listing_build_dedupes_cross_lists(tmp_path: Path, corpus: Path, extractor) -> None:  # type: ignore[no-untyped-def]
    store, report = _build([corpus / "arxiv-daily"], tmp_path / "ax", extractor)
    assert report.read == 2249 and report.rejected == 0
    assert store.stats()["papers"] == 1659
    # categories are domain evidence: a cs.CV paper is in computer vision
    row = store.conn.execute(
        "SELECT COUNT(*) FROM papers p WHERE p.categories LIKE '[\"cs.CV\"%' AND NOT EXISTS ("
        "SELECT 1 FROM edges e JOIN entities d ON d.id = e.target WHERE e.paper_id = p.id "
        "AND e.rel = 'IN_DOMAIN' AND json_extract(d.props, '$.top') = 'computer vision')").fetchone()
    total = store.conn.execute(
        "SELECT COUNT(*) FROM papers WHERE categories LIKE '[\"cs.CV\"%'").fetchone()[0]
    assert total > 100 and row[0] / total < 0.1
    store.close()


def test_arxiv_oai_build(tmp_path: Path, corpus: Path, extractor) -> None:  # type: ignore[no-untyped-def]
    store, report = _build([corpus / "arxiv-oai-sample"], tmp_path / "oai", extractor)
    assert report.rejected == 0 and store.stats()["papers"] == 200
    p = store.get_paper("paper/arxiv-0704.0001")
    assert p is not None and p.doi == "10.1103/physrevd.76.013009" and p.year == 2007
    assert store.stats()["edges"]["AUTHORED_BY"] > 200
    store.close()


def test_broken_records_are_rejected_and_good_ones_kept(tmp_path: Path, corpus: Path, extractor) -> None:  # type: ignore[no-untyped-def]
    lines = (corpus / "arxiv-oai-sample" / "arxiv-metadata-oai-snapshot.head200.jsonl").read_bytes().splitlines()
    good = lines[:10]
    bad = [lines[10][: len(lines[10]) // 2],  # truncated JSON
           b'{"id": "0704.9999", "title": 42, "abstract": ["not", "text"]}',  # wrong types
           lines[11].replace(b"calculation", b"calc\xff\xfeulation"),  # invalid UTF-8
           ]
    f = tmp_path / "broken.jsonl"
    f.write_bytes(b"\n".join(good[:5] + bad + good[5:]) + b"\n")
    store, report = _build([f], tmp_path / "b", extractor)
    good_ids = [json.loads(x)["id"] for x in good]
    for gid in good_ids:  # every good record around the bad ones is stored
        assert store.get_paper(f"paper/arxiv-{gid}") is not None, gid
    # the truncated and mistyped records are rejected; the one with a bad byte is rejected or,
    # if the reader can repair it, stored: never lost without a trace
    assert report.rejected >= 2
    assert store.stats()["papers"] + report.rejected == 13
    rejects = [json.loads(x) for x in Path(report.rejects_path).read_text().splitlines()]
    assert len(rejects) == report.rejected
    for r in rejects:
        assert r["source"].endswith("broken.jsonl") and r["location"].startswith("line ") and r["reason"]
    store.close()


def test_a_second_build_on_a_locked_store_is_refused(tmp_path: Path) -> None:
    from kg.errors import StoreLocked

    a = Store.open(tmp_path / "s", create=True)
    a.lock()
    b = Store.open(tmp_path / "s")
    with pytest.raises(StoreLocked, match="being written by another kg process"):
        b.lock()
    a.close()
    b.lock()  # free again once the first is done
    b.close()


def test_a_task_worded_as_a_verb_phrase_is_named_by_its_nominal_form(hf_store) -> None:  # type: ignore[no-untyped-def]
    """ "we also target the prediction of 10 different clinical assessment scores": the task's
    name is what the guidelines call it; the words of the text stay as an alias and evidence."""
    store, _ = hf_store
    ent = store.entity("task/clinical-assessment-score-prediction")
    assert ent is not None
    assert ent["name"] == "clinical assessment score prediction"
    assert "prediction of 10 different clinical assessment scores" in ent["aliases"]
    edge = next(e for e in store.iter_edges() if e["target"] == ent["id"])
    assert edge["rule"] == "task-phrase" and "prediction of 10 different" in edge["sentence"]


@pytest.mark.parametrize("step", ["_resolve_aliases", "_finalize", "_refresh_entity"])
def test_a_finish_that_fails_part_way_keeps_its_progress_and_the_next_build_completes_it(
        tmp_path: Path, corpus: Path, extractor, monkeypatch: pytest.MonkeyPatch, step: str) -> None:  # type: ignore[no-untyped-def]
    """The finish commits a chunk at a time and queues the rest in ``dirty``: a failure in any
    of its steps (here an I/O error from SQLite on the third chunk) leaves a consistent store
    that names the unfinished build, keeps what was done, and the next build ends where a
    clean one does."""
    import sqlite3

    import kg.store.relink as relink
    from kg.doctor import check_store, pending_work
    from kg.errors import StoreError

    files = sorted((corpus / "hf-daily-papers").glob("*.txt"))
    clean, _ = _build(files, tmp_path / "clean", extractor)
    monkeypatch.setattr(relink, "_BATCH", 25)
    real = getattr(relink, step)
    calls = 0

    def failing(*args, **kwargs):  # type: ignore[no-untyped-def]
        nonlocal calls
        calls += 1
        if calls == 3:
            raise sqlite3.OperationalError("disk I/O error")
        return real(*args, **kwargs)

    monkeypatch.setattr(relink, step, failing)
    store = Store.open(tmp_path / "s", create=True)
    store.lock()
    with pytest.raises(StoreError, match="disk I/O error"):
        build(files, store, extractor=extractor)
    assert [p.check for p in check_store(store)] == ["unfinished build"]
    pending = pending_work(store)
    papers = store.stats()["papers"]
    if step == "_resolve_aliases":  # nothing finalized yet: every paper still queued
        assert pending["paper"] == papers
    elif step == "_finalize":  # two chunks of 25 papers have their edges
        assert pending["paper"] == papers - 50
    else:
        assert "paper" not in pending and pending["entity"] > 0
    monkeypatch.setattr(relink, step, real)
    build([], store, extractor=extractor)
    assert pending_work(store) == {} and check_store(store) == []
    assert store.stats() == clean.stats()
    assert list(store.iter_entities()) == list(clean.iter_entities())
    assert list(store.iter_edges()) == list(clean.iter_edges())
    assert list(store.iter_links()) == list(clean.iter_links())
    assert store.conn.execute("SELECT * FROM id_aliases ORDER BY old_id").fetchall() \
        == clean.conn.execute("SELECT * FROM id_aliases ORDER BY old_id").fetchall()
    store.close()
    clean.close()


def test_show_lists_a_concepts_newest_papers_from_the_index_without_sorting_them_all(hf_store) -> None:  # type: ignore[no-untyped-def]
    """`kg show` on a method a quarter of the papers use must not sort all its edges (1.27 s at
    1M papers when it did): the papers' year is on the edges, and edges_target holds the order
    the listing wants. Every query it runs is planned without a temporary sort of edges."""
    from kg.query import neighborhood

    store, _ = hf_store
    busiest = store.conn.execute("SELECT target FROM edges WHERE rel='USES' GROUP BY target "
                                 "ORDER BY COUNT(*) DESC, target LIMIT 1").fetchone()[0]
    statements: list[str] = []
    store.conn.set_trace_callback(statements.append)
    try:
        result = neighborhood(store, busiest, depth=1, limit=3)
    finally:
        store.conn.set_trace_callback(None)
    papers = [n for n in result["neighbors"] if n["relation"] == "USES"]
    assert len(papers) == 3 and result["totals"]["USES"] > 3
    years = [n["years"][0] for n in papers]
    assert years == sorted(years, reverse=True)
    newest = store.conn.execute("SELECT MAX(p.year) FROM edges e JOIN papers p ON p.id = e.paper_id "
                                "WHERE e.target=? AND e.rel='USES'", (busiest,)).fetchone()[0]
    assert years[0] == newest
    listing = [s for s in statements if "ORDER BY e.year DESC" in s]
    assert listing
    for sql in listing:
        plan = " ".join(str(r[3]) for r in store.conn.execute("EXPLAIN QUERY PLAN " + sql))
        assert "edges_target" in plan and "TEMP B-TREE" not in plan, plan
