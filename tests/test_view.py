"""``kg view``: the page opens in a real headless Chromium, draws the neighbourhood, makes no
request and logs no error, and hostile names stay text."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from browser import CHROMIUM, load
from kg.build import build
from kg.cli import cli
from kg.query import find_concept, neighborhood
from kg.store import Store
from kg.view import embed_json, subgraph

ROOT = Path(__file__).resolve().parents[1]
HOSTILE_TITLE = ("XSS</script><script>window.__pwned=1</script>Net: a <b>bold</b> network "
                 "<!-- for attacks")
HOSTILE_AUTHOR = "Mallory <i>Evil</i>"
HOSTILE = {"id": "2599.00001", "title": HOSTILE_TITLE, "categories": ["cs.LG"],
           "abstract": "We propose XSS</script><img src=x onerror=window.__pwned=2>Net, a network. "
                       "We evaluate on ImageNet and use the Transformer for image classification.",
           "authors": [HOSTILE_AUTHOR]}
COUNT_DOM = {
    "nodes": "Array.from(document.querySelectorAll('svg g.node')).map(g => g.dataset.id)",
    "edges": "document.querySelectorAll('svg g.edge').length",
    "ready": "document.body.dataset.ready",
    "title": "document.getElementById('concept').textContent",
    "legend": "Array.from(document.querySelectorAll('#legend li')).map(li => li.textContent)",
    "scripts": "document.scripts.length",
    "injected": "document.querySelectorAll('img, b, i, iframe, object').length",
    "pwned": "typeof window.__pwned",
}


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory, extractor: Any) -> Path:
    tmp = tmp_path_factory.mktemp("view")
    (tmp / "hostile.jsonl").write_text(json.dumps(HOSTILE) + "\n", encoding="utf-8")
    with Store.open(tmp / "store", create=True) as store:
        store.lock()
        report = build([ROOT / "examples", tmp / "hostile.jsonl"], store, extractor=extractor)
    assert report.rejected == 0
    return tmp / "store"


def _view(store_dir: Path, out: Path, *args: str) -> Path:
    result = CliRunner().invoke(cli, ["view", *args, "--store", str(store_dir), "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


def test_embedded_json_cannot_close_the_script_element() -> None:
    data = {"name": "</script><script>alert(1)</script><!-- \u2028\u2029 & -->"}
    text = embed_json(data)
    for bad in ("<", ">", "&", "\u2028", "\u2029"):
        assert bad not in text
    assert json.loads(text) == data


def test_browser_harness_sees_errors_and_requests(tmp_path: Path) -> None:
    # the detector itself must be able to fail: a page that throws, logs and loads a file
    page = tmp_path / "bad.html"
    page.write_text('<!DOCTYPE html><html><body><script>console.error("x");'
                    'throw new Error("boom")</script><img src="missing.png"></body></html>',
                    encoding="utf-8")
    run = load(page)
    assert any("boom" in e for e in run.errors), run.errors
    assert any(e.startswith("console.error") for e in run.errors), run.errors
    assert any(u.endswith("/missing.png") for u in run.requests), run.requests


def test_view_draws_the_neighbourhood_offline_without_errors(store_dir: Path, tmp_path: Path) -> None:
    assert Path(CHROMIUM).exists(), "chromium is missing: apt-get install chromium (make test does)"
    page = _view(store_dir, tmp_path / "snn.html", "spiking neural network")
    html = page.read_text(encoding="utf-8")
    assert " src=" not in html and " href=" not in html  # nothing to fetch
    with Store.open(store_dir) as store:
        concept = find_concept(store, "spiking neural network")
        hood = neighborhood(store, concept["id"], limit=25)
    expected = {concept["id"]} | {n["id"] for n in hood["neighbors"]}
    expected_edges = {(n["id"], n["relation"], n["direction"]) for n in hood["neighbors"]}
    search = ("(() => { const s = document.getElementById('search'); s.value = 'spiking';"
              " s.dispatchEvent(new Event('input'));"
              " return document.querySelectorAll('g.node.match').length; })()")
    run = load(page, {**COUNT_DOM, "search": search}, screenshot=True)
    assert run.errors == []
    assert run.requests == [page.resolve().as_uri()]
    v = run.values
    assert v["ready"] == "1"
    assert sorted(v["nodes"]) == sorted(expected)  # every neighbour drawn once, nothing else
    assert v["edges"] == len(expected_edges)
    assert v["title"] == "Method: spiking neural network"
    types = {n["type"] for n in hood["neighbors"]} | {"Method"}
    assert sorted(li.split(" (")[0] for li in v["legend"]) == sorted(types)
    with Store.open(store_dir) as store:
        g = subgraph(store, "spiking neural network")
    hits = [n for n in g["nodes"] if "spiking" in "\n".join(
        [n["name"], n["id"], *n.get("aliases", [])]).lower()]
    assert v["search"] == len(hits) > 1
    assert run.screenshot[:8] == b"\x89PNG\r\n\x1a\n" and len(run.screenshot) > 20_000


def test_hostile_names_show_as_text(store_dir: Path, tmp_path: Path) -> None:
    page = _view(store_dir, tmp_path / "hostile.html", "--paper", "2599.00001", "--depth", "2")
    html = page.read_text(encoding="utf-8")
    assert html.count("<script") == 2 and html.count("</script>") == 2
    author = ("Array.from(document.querySelectorAll('g.node[data-type=Author] text'))"
              ".map(t => t.textContent)")
    run = load(page, {**COUNT_DOM, "author": author})
    assert run.errors == []  # an injected script would also show here, refused by the CSP
    v = run.values
    assert v["pwned"] == "undefined"
    assert v["scripts"] == 2 and v["injected"] == 0
    assert v["title"] == "Paper: " + HOSTILE_TITLE
    assert v["author"] == [HOSTILE_AUTHOR]
    with Store.open(store_dir) as store:
        g = subgraph(store, "2599.00001", depth=2, paper=True)
    assert sorted(v["nodes"]) == sorted(n["id"] for n in g["nodes"])
    assert v["edges"] == len(g["edges"])
    assert {"paper/arxiv-2599.00001", "dataset/imagenet", "method/transformer"} <= set(v["nodes"])


def test_depth_2_reaches_the_neighbours_neighbours(store_dir: Path) -> None:
    with Store.open(store_dir) as store:
        one = subgraph(store, "2599.00001", paper=True)
        two = subgraph(store, "2599.00001", depth=2, paper=True)
    ids1 = {n["id"] for n in one["nodes"]}
    assert ids1 < {n["id"] for n in two["nodes"]}
    # every edge joins two drawn nodes, and the second ring hangs off the first
    ids2 = {n["id"] for n in two["nodes"]}
    assert all(e["source"] in ids2 and e["target"] in ids2 for e in two["edges"])
    assert any(e["source"] not in ids1 or e["target"] not in ids1 for e in two["edges"])
    evidence = [e for e in one["edges"] if e["relation"] == "EVALUATES_ON"]
    assert evidence and "ImageNet" in evidence[0]["sentence"] and evidence[0]["rule"]


def test_view_needs_a_concept_or_a_paper(store_dir: Path, tmp_path: Path) -> None:
    out = str(tmp_path / "x.html")
    result = CliRunner().invoke(cli, ["view", "--store", str(store_dir), "--out", out])
    assert result.exit_code == 2 and "give a CONCEPT or --paper PAPER" in result.output
    result = CliRunner().invoke(cli, ["view", "no such thing zz", "--store", str(store_dir),
                                      "--out", out])
    assert result.exit_code == 1
    assert result.output.startswith("Error: no entity matches 'no such thing zz'")
    assert not Path(out).exists()
