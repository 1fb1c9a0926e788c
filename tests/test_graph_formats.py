"""``kg export graphml|gexf|dot``: each file parses back with every node and edge of the store."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import networkx as nx
import pytest
from click.testing import CliRunner

from kg.build import build
from kg.cli import cli
from kg.store import Store
from kg.view import subgraph

ROOT = Path(__file__).resolve().parents[1]
ODD_TITLE = 'Quotes "here" & <tags> \\ back\\slash: the Odd-Net for ImageNet'


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory, extractor: Any) -> Path:
    tmp = tmp_path_factory.mktemp("formats")
    odd = {"id": "2599.00002", "title": ODD_TITLE, "authors": ["A. \"Quote\" Author", "B & C"],
           "categories": ["cs.CV", "cs.LG"], "abstract": "We evaluate Odd-Net on ImageNet."}
    (tmp / "odd.jsonl").write_text(json.dumps(odd) + "\n", encoding="utf-8")
    with Store.open(tmp / "store", create=True) as store:
        store.lock()
        build([ROOT / "examples", tmp / "odd.jsonl"], store, extractor=extractor)
    return tmp / "store"


@pytest.fixture(scope="module")
def counts(store_dir: Path) -> tuple[int, int]:
    with Store.open(store_dir) as store:
        c = store.conn
        nodes = c.execute("SELECT (SELECT COUNT(*) FROM papers) + (SELECT COUNT(*) FROM entities)")
        edges = c.execute("SELECT (SELECT COUNT(*) FROM edges) + (SELECT COUNT(*) FROM links)")
        return nodes.fetchone()[0], edges.fetchone()[0]


def _export(store_dir: Path, fmt: str, out: Path, *args: str) -> Path:
    result = CliRunner().invoke(cli, ["export", fmt, "--store", str(store_dir), "--out", str(out),
                                      *args])
    assert result.exit_code == 0, result.output
    return out


def test_graphml_reads_back_with_attributes(store_dir: Path, counts: tuple[int, int],
                                            tmp_path: Path) -> None:
    path = _export(store_dir, "graphml", tmp_path / "kg.graphml")
    g = nx.read_graphml(path, force_multigraph=True)
    assert (g.number_of_nodes(), g.number_of_edges()) == counts
    odd = g.nodes["paper/arxiv-2599.00002"]
    assert odd["type"] == "Paper" and odd["name"] == ODD_TITLE and odd["title"] == ODD_TITLE
    assert odd["authors"] == 'A. "Quote" Author; B & C'  # lists joined
    assert odd["categories"] == "cs.CV; cs.LG"
    years = [d["year"] for _, d in g.nodes(data=True) if "year" in d]
    assert years and all(isinstance(y, int) for y in years)  # typed, not strings
    ev = g.get_edge_data("paper/arxiv-2599.00002", "dataset/imagenet")
    (attrs,) = ev.values()
    assert attrs["relation"] == "EVALUATES_ON" and "ImageNet" in attrs["sentence"]
    assert isinstance(attrs["confidence"], float) and attrs["count"] == 1
    applied = [d for _, _, d in g.edges(data=True) if d["relation"] == "APPLIED_IN"]
    assert applied and all(d["paper_count"] >= 1 for d in applied)


def test_gexf_reads_back_for_gephi(store_dir: Path, counts: tuple[int, int], tmp_path: Path) -> None:
    path = _export(store_dir, "gexf", tmp_path / "kg.gexf")
    ns = {"g": "http://www.gexf.net/1.2draft"}
    root = ElementTree.parse(path).getroot()
    assert len(root.findall(".//g:node", ns)) == counts[0]
    assert len(root.findall(".//g:edge", ns)) == counts[1]
    g = nx.read_gexf(path)
    assert g.number_of_nodes() == counts[0]
    assert g.number_of_edges() == counts[1]  # no paper has two relations to one target here
    odd = g.nodes["paper/arxiv-2599.00002"]
    assert odd["label"] == ODD_TITLE and odd["authors"] == 'A. "Quote" Author; B & C'
    assert {d["relation"] for _, _, d in g.edges(data=True)} >= {"USES", "IN_DOMAIN", "BROADER"}


_DOT_ID = r'"(?:[^"\\]|\\.)*"'
_DOT_NODE = re.compile(rf"^  ({_DOT_ID}) \[(.*)\];$")
_DOT_EDGE = re.compile(rf"^  ({_DOT_ID}) -> ({_DOT_ID}) \[(.*)\];$")
_DOT_ATTR = re.compile(rf"(\w+)=({_DOT_ID})")


def _dot_unquote(s: str) -> str:
    # DOT keeps backslash escapes in a quoted string; \" and \\ are the ones we write
    return re.sub(r"\\(.)", lambda m: m.group(1), s[1:-1])


def parse_dot(text: str) -> tuple[dict[str, dict[str, str]], list[tuple[str, str, dict[str, str]]]]:
    """A parser for the DOT subset kg writes: every statement must be a node or an edge."""
    lines = text.splitlines()
    assert lines[0] == "digraph kg {" and lines[-1] == "}"
    nodes: dict[str, dict[str, str]] = {}
    edges = []
    for line in lines[2:-1]:
        if m := _DOT_EDGE.match(line):
            attrs = {k: _dot_unquote(v) for k, v in _DOT_ATTR.findall(m.group(3))}
            edges.append((_dot_unquote(m.group(1)), _dot_unquote(m.group(2)), attrs))
        elif m := _DOT_NODE.match(line):
            nodes[_dot_unquote(m.group(1))] = {k: _dot_unquote(v) for k, v in _DOT_ATTR.findall(m.group(2))}
        else:
            raise AssertionError(f"not a DOT statement: {line!r}")
    return nodes, edges


def test_dot_parses_with_every_node_and_edge(store_dir: Path, counts: tuple[int, int],
                                             tmp_path: Path) -> None:
    path = _export(store_dir, "dot", tmp_path / "kg.dot")
    nodes, edges = parse_dot(path.read_text(encoding="utf-8"))
    assert (len(nodes), len(edges)) == counts
    assert all(s in nodes and t in nodes for s, t, _ in edges)
    assert nodes["paper/arxiv-2599.00002"]["label"] == ODD_TITLE
    assert nodes["paper/arxiv-2599.00002"]["type"] == "Paper"
    assert ("paper/arxiv-2599.00002", "dataset/imagenet") in {(s, t) for s, t, a in edges
                                                              if a["label"] == "EVALUATES_ON"}


@pytest.mark.parametrize("fmt", ["graphml", "gexf", "dot"])
def test_concept_exports_the_view_subgraph(store_dir: Path, tmp_path: Path, fmt: str) -> None:
    path = _export(store_dir, fmt, tmp_path / f"snn.{fmt}", "--concept", "spiking neural network")
    with Store.open(store_dir) as store:
        g = subgraph(store, "spiking neural network")
    if fmt == "graphml":
        back = nx.read_graphml(path, force_multigraph=True)
        got = (back.number_of_nodes(), back.number_of_edges())
    elif fmt == "gexf":
        back = nx.read_gexf(path)
        got = (back.number_of_nodes(), back.number_of_edges())
    else:
        nodes, edges = parse_dot(path.read_text(encoding="utf-8"))
        got = (len(nodes), len(edges))
    assert got == (len(g["nodes"]), len(g["edges"])) and got[0] > 5


def test_stdout_and_errors(store_dir: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["export", "dot", "--store", str(store_dir), "--concept",
                                      "no such concept zz"])
    assert result.exit_code == 1 and "Error: no entity matches 'no such concept zz'" in result.output
    result = CliRunner().invoke(cli, ["export", "graphml", "--store", str(tmp_path / "none"),
                                      "--out", str(tmp_path / "x.graphml")])
    assert result.exit_code == 1 and "Error: no store at" in result.output
    assert not (tmp_path / "x.graphml").exists()


def test_paper_neighbourhood_by_arxiv_id(store_dir: Path, tmp_path: Path) -> None:
    path = _export(store_dir, "graphml", tmp_path / "odd.graphml", "--paper", "2599.00002")
    g = nx.read_graphml(path, force_multigraph=True)
    assert "paper/arxiv-2599.00002" in g and "dataset/imagenet" in g
    assert all(s == "paper/arxiv-2599.00002" or t == "paper/arxiv-2599.00002"
               for s, t in g.edges())
    result = CliRunner().invoke(cli, ["export", "dot", "--store", str(store_dir), "--paper", "x",
                                      "--concept", "y"])
    assert result.exit_code == 2 and "give --concept or --paper, not both" in result.output
