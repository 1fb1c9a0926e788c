"""Cross-paper resolution, curation and incremental builds (issue: one node per real thing)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.build import build, remove
from kg.cli import cli
from kg.store import Store

ROOT = Path(__file__).resolve().parents[1]


def _jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def _store(path: Path) -> Store:
    s = Store.open(path, create=True)
    s.lock()
    return s


def snapshot(store: Store) -> dict:
    """Everything a user sees of the graph (not the id-alias history)."""
    return {"stats": store.stats(), "entities": list(store.iter_entities()),
            "edges": list(store.iter_edges()), "links": list(store.iter_links())}


P_DEF = {"id": "2501.00001", "title": "Aligning models without rewards",
         "abstract": "We study Quantile Reward Tempering (QRT) for aligning language models. "
                     "QRT avoids a reward model."}
P_BARE = {"id": "2501.00002", "title": "A study of preference tuning",
          "abstract": "We compare QRT with PPO on summarization benchmarks."}
P_GCN1 = {"id": "2501.00003", "title": "Node classification at scale",
          "abstract": "We train a Graph Convolutional Network (GCN) for node classification."}
P_GCN2 = {"id": "2501.00004", "title": "Click prediction with crossing",
          "abstract": "We propose a Gated Cross Network (GCN) for click-through rate prediction."}
P_GCN3 = {"id": "2501.00005", "title": "Which GCN?",
          "abstract": "Our GCN baseline is strong on many tasks."}


def test_bare_abbreviation_resolves_to_its_long_form_in_the_corpus(tmp_path: Path, extractor) -> None:  # type: ignore[no-untyped-def]
    s = _store(tmp_path / "s")
    build([_jsonl(tmp_path / "a.jsonl", [P_BARE])], s, extractor=extractor)
    assert s.entity("method/qrt") is not None  # alone, QRT is its own entity
    build([_jsonl(tmp_path / "b.jsonl", [P_DEF])], s, extractor=extractor)
    ent = s.entity("method/quantile-reward-tempering")
    assert ent is not None and ent["name"] == "Quantile Reward Tempering"
    assert "QRT" in ent["aliases"]
    assert s.entity("method/qrt") is None
    assert s.resolve_id("method/qrt") == "method/quantile-reward-tempering"  # old id still resolves
    papers = {e["source"] for e in s.iter_edges() if e["target"] == ent["id"]}
    assert papers == {"paper/arxiv-2501.00001", "paper/arxiv-2501.00002"}
    s.close()


def test_ambiguous_acronym_stays_apart_and_is_recorded(tmp_path: Path, extractor) -> None:  # type: ignore[no-untyped-def]
    s = _store(tmp_path / "s")
    build([_jsonl(tmp_path / "g.jsonl", [P_GCN1, P_GCN2, P_GCN3])], s, extractor=extractor)
    a = s.entity("method/graph-convolutional-network")
    b = s.entity("method/gated-cross-network")
    assert a is not None and b is not None
    assert a["ambiguous_abbreviations"] == ["GCN"] == b["ambiguous_abbreviations"]
    bare = [m for m in s.mentions_of("paper/arxiv-2501.00005") if m["text"] == "GCN"]
    assert bare and bare[0]["entity_id"] is None
    assert bare[0]["note"] == "ambiguous: gated-cross-network | graph-convolutional-network"
    s.close()


def test_variants_merge_but_types_never_do(tmp_path: Path, extractor) -> None:  # type: ignore[no-untyped-def]
    recs = [{"id": f"2501.0001{i}", "title": t, "abstract": a} for i, (t, a) in enumerate([
        ("Feed-forward nets", "We analyse feed-forward neural networks and the Transformer."),
        ("Feedforward nets", "Feedforward neural networks and Transformers are compared."),
        ("Data", "We evaluate on CIFAR-10 and the CIFAR10 dataset.")])]
    s = _store(tmp_path / "s")
    build([_jsonl(tmp_path / "v.jsonl", recs)], s, extractor=extractor)
    methods = {e["id"] for e in s.iter_entities() if e["type"] == "Method"}
    assert {"method/transformer"} <= methods
    ffn = [m for m in methods if "feed" in m]
    assert len(ffn) == 1, ffn
    datasets = [e for e in s.iter_entities() if e["type"] == "Dataset" and "cifar" in e["id"]]
    assert len(datasets) == 1
    assert all(not e["id"].startswith("method/") for e in datasets)
    s.close()


# -- properties over real records ---------------------------------------------------------------

def _pool(corpus: Path) -> list[dict]:
    lines = (ROOT / "examples" / "arxiv-listing-sample.jsonl").read_text().splitlines()
    # one record shape for every file, so that each file is read by the same reader
    recs = [{"id": r["id"], "title": r["title"], "abstract": r["summary"], "categories": r["categories"]}
            for r in map(json.loads, lines)]
    recs += [P_DEF, P_BARE, P_GCN1, P_GCN2, P_GCN3]
    return recs


@pytest.fixture(scope="module")
def pool(corpus: Path) -> list[dict]:
    return _pool(corpus)


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_order_independence_and_idempotence(tmp_path_factory, pool, extractor, data) -> None:  # type: ignore[no-untyped-def]
    order = data.draw(st.permutations(range(len(pool))))
    cut = data.draw(st.integers(1, len(pool) - 1))
    d = tmp_path_factory.mktemp("prop")
    whole = _store(d / "whole")
    build([_jsonl(d / "all.jsonl", pool)], whole, extractor=extractor)
    parts = _store(d / "parts")
    first = [pool[i] for i in order[:cut]]
    second = [pool[i] for i in order[cut:]]
    build([_jsonl(d / "b.jsonl", second)], parts, extractor=extractor)
    build([_jsonl(d / "a.jsonl", first)], parts, extractor=extractor)
    assert snapshot(parts) == snapshot(whole)
    build([_jsonl(d / "a.jsonl", first)], parts, extractor=extractor)  # again: nothing changes
    assert snapshot(parts) == snapshot(whole)
    whole.close()
    parts.close()


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_removal_undoes_addition(tmp_path_factory, pool, extractor, data) -> None:  # type: ignore[no-untyped-def]
    picked = data.draw(st.sets(st.integers(0, len(pool) - 1), min_size=1, max_size=len(pool) - 1))
    base = [r for i, r in enumerate(pool) if i not in picked]
    extra = [r for i, r in enumerate(pool) if i in picked]
    d = tmp_path_factory.mktemp("rm")
    s = _store(d / "s")
    build([_jsonl(d / "base.jsonl", base)], s, extractor=extractor)
    before = snapshot(s)
    build([_jsonl(d / "extra.jsonl", extra)], s, extractor=extractor)
    removed, missing = remove([f"paper/arxiv-{r['id']}" for r in extra], s)
    assert not missing and len(removed) == len(extra)
    assert snapshot(s) == before
    s.close()


# -- the command line ---------------------------------------------------------------------------

def test_curate_commands_validate_and_apply(tmp_path: Path) -> None:
    store = tmp_path / "s"
    runner = CliRunner()
    src = _jsonl(tmp_path / "p.jsonl", [P_DEF, P_BARE, P_GCN1])
    assert runner.invoke(cli, ["build", str(src), "--store", str(store)]).exit_code == 0
    r = runner.invoke(cli, ["curate", "merge", "method/no-such", "--into", "method/x", "--store", str(store)])
    assert r.exit_code == 1 and "Error: merge: no entity 'method/no-such'" in r.output
    r = runner.invoke(cli, ["curate", "merge", "method/proximal-policy-optimization", "--into", "dataset/x", "--store", str(store)])
    assert r.exit_code == 1 and "would join entities of different types" in r.output
    r = runner.invoke(cli, ["curate", "rename", "method/quantile-reward-tempering", "QRT loss",
                            "--store", str(store)])
    assert r.exit_code == 0, r.output
    with Store.open(store) as s:
        assert s.entity("method/qrt-loss")["name"] == "QRT loss"
        assert s.resolve_id("method/quantile-reward-tempering") == "method/qrt-loss"
    r = runner.invoke(cli, ["curate", "block", "PPO", "--store", str(store)])
    assert r.exit_code == 0
    with Store.open(store) as s:
        assert s.entity("method/proximal-policy-optimization") is None
    r = runner.invoke(cli, ["curate", "list", "--store", str(store)])
    assert "rename" in r.output and "block" in r.output
    # a rebuild re-applies curation
    assert runner.invoke(cli, ["build", str(src), "--store", str(store)]).exit_code == 0
    with Store.open(store) as s:
        assert s.entity("method/proximal-policy-optimization") is None and s.entity("method/qrt-loss") is not None
    r = runner.invoke(cli, ["remove", "paper/arxiv-2501.00003", "paper/nope", "--store", str(store)])
    assert r.exit_code == 1 and "not in the store: paper/nope" in r.output
    with Store.open(store) as s:
        assert s.get_paper("paper/arxiv-2501.00003") is None
        assert s.entity("method/graph-convolutional-network") is None


def test_duplicates_report(tmp_path: Path) -> None:
    store = tmp_path / "s"
    recs = [{"id": "2501.00020", "title": "t", "abstract": "We use a convolutional neural network."},
            {"id": "2501.00021", "title": "u", "abstract": "We train Convolution Neural Networks here."}]
    runner = CliRunner()
    assert runner.invoke(cli, ["build", str(_jsonl(tmp_path / "d.jsonl", recs)), "--store", str(store)]).exit_code == 0
    r = runner.invoke(cli, ["entities", "--duplicates", "--store", str(store), "--format", "jsonl"])
    rows = [json.loads(x) for x in r.stdout.splitlines() if x.startswith("{")]
    assert {"a": "method/convolution-neural-network", "b": "method/convolutional-neural-network",
            "reason": "near-identical", "type": "Method", "a_name": "Convolution Neural Networks",
            "b_name": "convolutional neural network"} in rows, r.output
