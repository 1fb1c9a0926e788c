"""``kg report``: the numbers match the store, and the HTML page is self-contained and safe."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from browser import load
from kg.build import build
from kg.cli import cli
from kg.report import render_html, summary
from kg.store import Store

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory, extractor: Any) -> Path:
    path = tmp_path_factory.mktemp("report") / "store"
    with Store.open(path, create=True) as store:
        store.lock()
        build([ROOT / "examples"], store, extractor=extractor)
    return path


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_report_numbers_match_the_store(store_dir: Path) -> None:
    result = CliRunner().invoke(cli, ["report", "--store", str(store_dir), "--format", "json"])
    assert result.exit_code == 0, result.output
    s = json.loads(result.output)
    with Store.open(store_dir) as store:
        c = store.conn
        assert s["counts"] == store.stats()
        dated = dict(c.execute("SELECT year, COUNT(*) FROM papers WHERE year IS NOT NULL GROUP BY year"))
        nodes = c.execute("SELECT COUNT(*) FROM papers WHERE year IS NULL").fetchone()[0]
        applied = {(r[0], r[1]): json.loads(r[2])["paper_count"] for r in c.execute(
            "SELECT source, target, props FROM links WHERE rel='APPLIED_IN'")}
    assert {y["year"]: y["papers"] for y in s["years"] if y["papers"]} == dated
    assert [y["year"] for y in s["years"]] == list(range(min(dated), max(dated) + 1))
    assert s["undated_papers"] == nodes
    assert sum(y["papers"] for y in s["years"]) + nodes == s["counts"]["papers"]
    assert len(s["domains"]) == 8
    papers = [d["papers"] for d in s["domains"]]
    assert papers == sorted(papers, reverse=True) and papers[0] > 0
    for d in s["domains"]:
        assert d["methods"]
        for m in d["methods"]:
            assert applied[(m["id"], d["id"])] == m["papers"]
    text = CliRunner().invoke(cli, ["report", "--store", str(store_dir)]).output
    assert text.startswith(f"papers: {s['counts']['papers']}\n")
    assert f"{s['domains'][0]['name']} [{s['domains'][0]['papers']} papers]: " in text


def test_report_html_is_self_contained_and_opens_cleanly(store_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    result = CliRunner().invoke(cli, ["report", "--store", str(store_dir), "--out", str(out)])
    assert result.exit_code == 0, result.output
    page = _Tags()
    page.feed(out.read_text(encoding="utf-8"))
    tags = [t for t, _ in page.tags]
    assert "script" not in tags and "link" not in tags and "img" not in tags
    assert not any("src" in a or "href" in a for _, a in page.tags)
    with Store.open(store_dir) as store:
        s = summary(store)
    charts = [a for t, a in page.tags if t == "svg"]
    assert len(charts) == 2
    rects = tags.count("rect")
    # two bars per year, two legend swatches, one bar per domain
    assert rects == 2 * len(s["years"]) + 2 + len(s["domains"])
    run = load(out, {"svgs": "document.querySelectorAll('svg').length"})
    assert run.errors == [] and run.values["svgs"] == 2
    assert run.requests == [out.resolve().as_uri()]


def test_report_escapes_names() -> None:
    hostile = "<script>alert(1)</script>&"
    s = {"counts": {"papers": 1, "nodes": {"Paper": 1}, "edges": {}},
         "years": [{"year": 2024, "papers": 1, "new_methods": 1}], "undated_papers": 0,
         "domains": [{"id": "domain/x", "name": hostile, "papers": 1,
                      "methods": [{"id": "method/x", "name": hostile, "papers": 1}]}],
         "top": {"Method": [{"id": "method/x", "name": hostile, "papers": 1}]}}
    page = _Tags()
    page.feed(render_html(s, title=hostile))
    assert "script" not in [t for t, _ in page.tags]
    assert sum(hostile in t for t in page.text) >= 4  # shown as text, every time
