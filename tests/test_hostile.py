"""Hostile names end to end: from an input file through ``kg build`` to every output.

test_rdf.py and test_neo4j_export.py send hand-written hostile stores through the RDF and
graph exporters, and test_view.py one hostile title through the view; here the issue's whole
list (quotes, backticks, braces, ``//``, ``$``, a literal ``\\u0000``, ``<script>``, ``>``,
``#``, newlines, right-to-left marks, very long strings) goes in as paper titles, author names
and categories of a JSON Lines file, is read and built by the real pipeline, and must come back
byte for byte (as the reader cleaned it: whitespace runs folded) from the store, from the RDF
export in every format, from FalkorDB over the Redis protocol and over Bolt, and from the data
the HTML view embeds, which must hold no markup of its own. Plus Hypothesis over the id and
IRI functions with arbitrary Unicode.
"""

from __future__ import annotations

import io
import json
import re
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import Graph, URIRef

from kg.build import build
from kg.cli import cli
from kg.export import rdf
from kg.schema import NodeType, SchemaError, make_id, slugify
from kg.sources.base import clean_text, paper_id
from kg.store import Store
from kg.vocab import KG as KGNS



def kg(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


HOSTILE = [
    'double "quotes" and \'single\'', "`backticks` and {braces} and {{double}}", "a // comment // b",
    "$dollar ${x} $$", "literal \\u0000 and \\n and \\\\ escapes", "<script>alert('x')</script>",
    "a > b < c & d", "hash # and ?q=1&x=2#frag", "new\nline and\r\nCRLF\ttab",
    "rtl \u200f\u202egnirts\u202c mark", "}) RETURN 1 // MATCH (n) DETACH DELETE n",
    "'; DROP TABLE papers; --", '"""triple""" quotes', "ends in a backslash \\",
    "漢字 Ελληνικά العربية 🧪", "x" * 2_500 + " very long",  # FalkorDB's Bolt takes messages < 4 KB
]


def record(i: int, s: str) -> dict[str, Any]:
    return {"id": f"2599.{i + 10:05d}", "title": f"{s} Net {i}", "categories": [f"cs.{s}", "cs.LG"],
            "abstract": f"We propose {s} Net {i}, a network for image classification on ImageNet.",
            "authors": [f"{s} Author{i}", f"Plain Author{i}"]}


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory, extractor) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    d = tmp_path_factory.mktemp("hostile-e2e")
    records = [record(i, s) for i, s in enumerate(HOSTILE)]
    (d / "hostile.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    store = Store.open(d / "store", create=True)
    store.lock()
    report = build([d / "hostile.jsonl"], store, extractor=extractor)
    store.close()
    assert report.rejected == 0
    expected = {f"paper/arxiv-{r['id']}": {"title": clean_text(r["title"]),
                                          "authors": [clean_text(a) for a in r["authors"]]}
                for r in records}
    return {"dir": d, "store": d / "store", "records": records, "expected": expected}


def test_the_store_holds_them_as_read(hostile: dict[str, Any]) -> None:
    with Store.open(hostile["store"]) as store:
        for pid, want in hostile["expected"].items():
            paper = store.get_paper(pid)
            assert paper is not None and paper.title == want["title"]
            assert list(paper.authors) == want["authors"]
            for name in want["authors"]:
                ent = store.entity(make_id(NodeType.AUTHOR, name))
                assert ent is not None and ent["name"] == name


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # rdflib's own parsers
@pytest.mark.parametrize("fmt", sorted(rdf.FORMATS))
def test_rdf_export_gives_them_back(hostile: dict[str, Any], fmt: str) -> None:
    from rdflib import Dataset
    from rdflib.namespace import DCTERMS

    from kg.export.rdf import node_iri

    out = io.BytesIO()
    with Store.open(hostile["store"]) as store:
        rdf.export(store, out, fmt)
    if fmt == "nq":
        ds = Dataset()
        ds.parse(data=out.getvalue(), format="nquads")
        g = Graph()
        for s, p, o, _ in ds.quads():
            g.add((s, p, o))
    else:
        g = Graph().parse(data=out.getvalue(), format={"ttl": "turtle", "nt": "nt", "jsonld": "json-ld"}[fmt])
    for pid, want in hostile["expected"].items():
        assert [str(t) for t in g.objects(URIRef(node_iri(pid)), DCTERMS.title)] == [want["title"]]
        for name in want["authors"]:
            iri = URIRef(node_iri(make_id(NodeType.AUTHOR, name)))
            assert [str(n) for n in g.objects(iri, KGNS.name)] == [name], name


READ_BACK = ("MATCH (p:Paper) OPTIONAL MATCH (p)-[:AUTHORED_BY]->(a:Author) "
             "RETURN p.id, p.title, collect(a.name)")


def _check_graph(rows: list[list[Any]], expected: dict[str, Any]) -> None:
    got = {r[0]: (r[1], sorted(r[2])) for r in rows}
    assert got == {pid: (w["title"], sorted(w["authors"])) for pid, w in expected.items()}


def test_falkordb_over_redis_gives_them_back(hostile: dict[str, Any], falkordb_server: Any) -> None:
    falkordb_server.delete_graph("hostile-e2e")
    run = kg("export", "falkordb", "--store", str(hostile["store"]), "--url", falkordb_server.url,
             "--graph", "hostile-e2e", "--batch-size", "4", "-q")
    assert run.exit_code == 0, run.output
    rows = falkordb_server.graph("hostile-e2e").ro_query(READ_BACK).result_set
    _check_graph(rows, hostile["expected"])
    # nothing else was created or deleted by a statement the names could have changed
    with Store.open(hostile["store"]) as store:
        stats = store.stats()
    g = falkordb_server.graph("hostile-e2e")
    assert g.ro_query("MATCH (n) RETURN count(n)").result_set[0][0] == sum(stats["nodes"].values())


def test_falkordb_over_bolt_gives_them_back(hostile: dict[str, Any], falkordb_server: Any) -> None:
    from servers import BOLT_GRAPH

    falkordb_server.delete_graph(BOLT_GRAPH)
    run = kg("export", "neo4j", "--store", str(hostile["store"]), "--uri", falkordb_server.bolt_uri,
             "--password", "", "--dialect", "falkordb", "-q")
    falkordb_server.absorb_bolt_closes()
    assert run.exit_code == 0, run.output
    with falkordb_server.bolt() as driver, driver.session() as session:
        rows = session.execute_read(lambda tx: [list(r.values()) for r in tx.run(READ_BACK)])
    _check_graph(rows, hostile["expected"])


def test_the_view_embeds_them_as_data_not_markup(hostile: dict[str, Any], tmp_path: Path) -> None:
    for rec in hostile["records"][4:8]:  # the <script>, >, # and escape ones
        out = tmp_path / f"{rec['id']}.html"
        run = kg("view", "--paper", rec["id"], "--store", str(hostile["store"]), "--out", str(out))
        assert run.exit_code == 0, run.output
        page = out.read_text(encoding="utf-8")
        assert page.count("<script") == 2 and page.count("</script>") == 2
        assert "<script>alert" not in page
        data = re.search(r'<script type="application/json" id="kg-data">(.*?)</script>', page, re.S)
        assert data is not None
        text = json.dumps(json.loads(data.group(1)), ensure_ascii=False)
        want = hostile["expected"][f"paper/arxiv-{rec['id']}"]
        assert json.dumps(want["title"], ensure_ascii=False) in text
        assert json.dumps(want["authors"][0], ensure_ascii=False) in text


# -- ids and IRIs over arbitrary Unicode ------------------------------------------------------
text = st.text(st.characters(codec=None, exclude_categories=()), max_size=200)


@settings(max_examples=300, deadline=None)
@given(text, st.sampled_from([t for t in NodeType if t is not NodeType.PAPER]))
def test_make_id_and_iri_never_break(s: str, node_type: NodeType) -> None:
    from kg.export.rdf import IRI, Lit, node_iri, write_ntriples

    try:
        eid = make_id(node_type, s)
    except SchemaError as err:  # nothing to name it by: the documented refusal, never another error
        assert slugify(s) == "" and node_type.value in str(err)
        return
    assert eid == make_id(node_type, s)  # deterministic
    assert eid.startswith(make_id(node_type, "x").split("/")[0] + "/")
    iri = node_iri(eid)
    assert not re.search(r'[\x00-\x20<>"{}|^`\\]', iri), iri  # IRIREF's excluded characters
    buf = io.StringIO()
    write_ntriples(iter([(IRI(iri), IRI("http://x/p"), Lit("o"))]), buf)
    assert buf.getvalue().count("\n") == 1
    assert {str(x) for x in Graph().parse(data=buf.getvalue(), format="nt").subjects()} == {iri}


@settings(max_examples=300, deadline=None)
@given(text)
def test_paper_ids_from_titles_are_stable_and_safe(title: str) -> None:
    try:
        pid = paper_id(title=title)
    except ValueError:  # a title without a letter or digit cannot name a paper
        assert not re.search(r"\w", unicodedata.normalize("NFKC", title).casefold())
        return
    assert pid == paper_id(title=title)
    assert re.fullmatch(r"paper/title-[0-9a-f]{16}", pid)
    assert pid == paper_id(title=f"  {title}\n\t")  # surrounding whitespace is not part of it


# -- readers over arbitrary Unicode values ----------------------------------------------------
def _write(path: Path, fmt: str, title: str, abstract: str, author: str) -> None:
    import csv

    if fmt == "jsonl":
        rec = {"id": "2599.00001", "title": title, "abstract": abstract, "authors": [author]}
        path.write_text(json.dumps(rec) + "\n" + json.dumps({**rec, "id": "2599.00002"}) + "\n",
                        encoding="utf-8", errors="surrogatepass")
    elif fmt == "csv":
        with path.open("w", encoding="utf-8", errors="surrogatepass", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["id", "title", "abstract", "authors"])
            w.writerow(["2599.00001", title, abstract, author])
    else:
        path.write_text(f"@article{{k1,\n  title={{{title}}},\n  author={{{author}}},\n"
                        f"  abstract={{{abstract}}},\n  eprint={{2599.00001}}\n}}\n",
                        encoding="utf-8", errors="surrogatepass")


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(["jsonl", "csv", "bib"]), text, text, text)
def test_readers_take_any_unicode(fmt: str, title: str, abstract: str, author: str) -> None:
    """Each record comes back as a paper holding the cleaned text, or as a reject naming it."""
    import tempfile

    from kg.model import Paper, Reject
    from kg.sources import read_papers

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"in.{fmt}"
        _write(path, fmt, title, abstract, author)
        records = list(read_papers([path]))
    expected = {"jsonl": 2, "csv": 1, "bib": 1}[fmt]
    if fmt == "jsonl" or (fmt == "csv" and "\x00" not in title + abstract + author):
        assert len(records) == expected, records
    for r in records:
        assert isinstance(r, (Paper, Reject))
        json.dumps(r.__dict__, ensure_ascii=False).encode("utf-8")  # storable: valid Unicode only
        if isinstance(r, Reject):
            assert r.source == str(path) and r.location and r.reason
        elif fmt == "jsonl":
            assert (r.title, r.abstract) == (clean_text(title), clean_text(abstract))
            assert r.id == f"paper/arxiv-{'2599.00001' if r is records[0] else '2599.00002'}"
