"""The RDF export: vocabulary, IRIs, the triple stream, every format, VoID, SHACL and the CLI.

Stores are built from the real corpus (``../shared/corpus/hf-daily-papers``): the whole of it
for counts, validation and streaming, one of its files for the format round-trip matrix. A
tiny store written by hand holds hostile ids and strings.
"""

from __future__ import annotations

import io
import json
import re
import tracemalloc
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import RDF, RDFS, Dataset, Graph, Literal, URIRef
from rdflib import BNode as RBNode
# rdflib's namespaces through their module: pytest probes a test module's names, and the
# open ones (ns.DCAT, ns.PROV, ...) warn on every probe.
import rdflib.namespace as ns

from kg.cli import cli  # first: kg.cli imports the export command modules
from kg.export import rdf
from kg.export.rdf import (
    IRI, BNode, InvalidBaseIRI, Lit, TAXONOMY_BASE, check_base_iri, encode_segment, escape_literal,
    evidence_iri, node_iri, to_graph, triples, write_ntriples,
)
from kg.export.rdf_cli import TOP_COMMANDS
from kg.schema import (
    DEFAULT_BASE_IRI, ENTITY_TYPES, ONTOLOGY_NS, RELATIONS, NodeType, RelType, rdf_property_name,
    relation_spec,
)
from kg.store import Store
from kg.vocab import KG
from hostile import write_pairs_store

ROOT = Path(__file__).resolve().parents[1]
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
HF = CORPUS / "hf-daily-papers"
SH = "http://www.w3.org/ns/shacl#"
# rdflib's own N-Quads parser uses its deprecated Dataset API once per triple.
pytestmark = [pytest.mark.filterwarnings(r"ignore:Dataset\.\w+ is deprecated:DeprecationWarning"),
              pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")]

for _cmd in TOP_COMMANDS:  # the lead registers these on the main group; until then, here
    if _cmd.name not in cli.commands:
        cli.add_command(_cmd)


# -- fixtures ------------------------------------------------------------------------------
def built_store(root: Path, name: str, inputs: list[Path]) -> Path:
    """A store built once per session under ``root`` (shared with tests/test_sparql.py)."""
    from kg.build import build

    path = root / name
    if not (path / "built.ok").exists():
        store = Store.open(path, create=True)
        try:
            store.lock()
            build(inputs, store)
        finally:
            store.close()
        (path / "built.ok").write_text("ok")
    return path


@pytest.fixture(scope="session")
def hf_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    assert HF.is_dir(), f"the shared corpus is missing at {HF}"
    return built_store(tmp_path_factory.getbasetemp(), "kg-hf-store", [HF])


@pytest.fixture(scope="session")
def small_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return built_store(tmp_path_factory.getbasetemp(), "kg-hf-003-store",
                       [HF / "003_255b17ebe4a55cef.txt"])


@pytest.fixture(scope="session")
def hf_nt(hf_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.getbasetemp() / "kg-hf.nt"
    if not out.exists():
        with Store.open(hf_store) as store, out.open("w", encoding="utf-8") as fh:
            write_ntriples(triples(store), fh)
    return out


@pytest.fixture(scope="session")
def hf_graph(hf_nt: Path) -> Graph:
    """The hf export as parsed by rdflib from the hand-written N-Triples."""
    return Graph().parse(hf_nt, format="nt")


HOSTILE = [
    'double "quotes" and \'single\'', "back\\slash \\n \\u0041 not escapes", "new\nline\r\nCRLF\ttab",
    "nul \u0000 byte", "<script>alert('x')</script>", "a > b < c", "hash # and ?query=1&x",
    "rtl \u200f\u202egnirts\u202c mark", "`backticks` {braces} $dollar //double//slash",
    "漢字 Ελληνικά العربية 🧪", "controls \x01\x08\x0b\x0c\x1f\x7f", '"""triple""" quotes',
    "ends in a backslash \\", "line\u2028sep\u2029para \ufeffbom", "x" * 10_000 + '"',
    " leading and trailing ", "percent %2F %zz %", "_:notablank", "^^<http://x/>@en",
]


@pytest.fixture(scope="session")
def hostile_store(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A store written by hand whose ids, names, aliases, titles and evidence are hostile."""
    from kg.model import Entity, Paper

    path = tmp_path_factory.mktemp("hostile")
    types = [NodeType.METHOD, NodeType.DATASET, NodeType.TASK, NodeType.AUTHOR, NodeType.CODE]
    entities = [Entity(f"{t.value.lower()}/{s}", t, s, tuple(h for h in HOSTILE if h != s)[:4],
                       {"url": f"https://example.org/{s}"} if t is NodeType.CODE else {})
                for i, s in enumerate(HOSTILE) for t in [types[i % len(types)]]]
    papers = [Paper(id=f"paper/{s}", title=s, abstract=s[::-1], date="2024-02-29", year=2024,
                    doi=f"10.1000/{s}", arxiv_id=s, categories=(s, "cs.LG"), source=s)
              for s in HOSTILE]
    write_pairs_store(path, entities, papers)
    return {"path": path, "entities": entities, "papers": papers}


# -- vocabulary, context and shapes --------------------------------------------------------
def test_vocab_namespace_equals_the_ontology_terms() -> None:
    onto = Graph().parse(ROOT / "ontology" / "kg.ttl")
    in_ttl = {str(s) for s in onto.subjects() if str(s).startswith(ONTOLOGY_NS)}
    in_py = {str(t) for t in dir(KG)}
    assert in_py == in_ttl
    with pytest.raises(AttributeError):
        KG.evaluatedOn  # noqa: B018 - a typo must raise


def test_every_iri_the_export_writes_is_a_defined_term(hf_graph: Graph) -> None:
    closed = {ONTOLOGY_NS: KG, str(RDF): RDF, str(RDFS): RDFS, str(ns.SKOS): ns.SKOS,
              str(ns.DCTERMS): ns.DCTERMS, str(ns.SDO): ns.SDO, str(ns.DCAT): ns.DCAT, str(ns.PROV): ns.PROV,
              str(ns.VOID): ns.VOID, str(ns.XSD): ns.XSD}
    used = set(hf_graph.predicates()) | set(hf_graph.objects(None, RDF.type))
    used |= {IRI(v) for k, v in vars(rdf).items() if isinstance(v, IRI)}
    for iri in used:
        space = next((n for n in closed if str(iri).startswith(n)), None)
        assert space is not None, f"{iri} is in no known vocabulary"
        assert iri in closed[space], f"{iri} is not a term of {space}"


def test_jsonld_context_names_every_predicate_of_the_export(hf_graph: Graph) -> None:
    ctx = json.loads((ROOT / "ontology" / "context.jsonld").read_text())["@context"]
    expanded = set()
    for key, val in ctx.items():
        ref = val["@id"] if isinstance(val, dict) else val
        prefix, _, local = ref.partition(":")
        expanded.add(ctx[prefix] + local if prefix in ctx and isinstance(ctx[prefix], str) else ref)
    missing = {str(p) for p in hf_graph.predicates()} - expanded
    # the taxonomy's own extras (hidden labels, scheme metadata) may stay prefixed names
    assert not {m for m in missing if m.startswith(ONTOLOGY_NS)}, missing
    assert {str(KG[t.value]) for t in NodeType} <= expanded


def test_shapes_cover_every_class_and_relation() -> None:
    shapes = Graph().parse(ROOT / "ontology" / "shapes.ttl")
    sh = lambda n: URIRef(SH + n)  # noqa: E731
    targets = {o: s for s, o in shapes.subject_objects(sh("targetClass"))}
    assert set(targets) == {KG[t.value] for t in NodeType} | {KG.Evidence, ns.VOID.Dataset}
    for spec in RELATIONS:
        shape = targets[KG[spec.source.value]]
        props = {shapes.value(ps, sh("path")): ps for ps in shapes.objects(shape, sh("property"))}
        prop = props.get(KG[rdf_property_name(spec.type)])
        assert prop is not None, f"no property shape for {spec.type.value} on {spec.source.value}"
        assert shapes.value(prop, sh("class")) == KG[spec.target.value], spec.type
    for t in ENTITY_TYPES:
        paths = {shapes.value(ps, sh("path")) for ps in shapes.objects(targets[KG[t.value]], sh("property"))}
        assert {KG.id, KG.name} <= paths, t


# -- IRIs ----------------------------------------------------------------------------------
def test_node_iris_are_base_plus_id_with_encoded_segments() -> None:
    assert node_iri("method/direct-preference-optimization") == \
        DEFAULT_BASE_IRI + "method/direct-preference-optimization"
    assert node_iri("paper/arxiv-2510.08589") == DEFAULT_BASE_IRI + "paper/arxiv-2510.08589"
    assert node_iri('method/a "b" <c> #d é') == \
        DEFAULT_BASE_IRI + "method/a%20%22b%22%20%3Cc%3E%20%23d%20%C3%A9"
    assert node_iri("paper/..") == DEFAULT_BASE_IRI + "paper/%2E%2E"
    assert encode_segment("a/b") == "a%2Fb"
    assert evidence_iri("paper/x", RelType.USES, "method/a/b") == \
        DEFAULT_BASE_IRI + "evidence/paper%2Fx/uses/method%2Fa%2Fb"


def test_domain_iris_are_the_taxonomy_concepts_whatever_the_base(hf_store: Path) -> None:
    taxonomy = Graph().parse(ROOT / "ontology" / "domains.ttl")
    concepts = {str(c) for c in taxonomy.subjects(RDF.type, ns.SKOS.Concept)}
    with Store.open(hf_store) as store:
        domains = list(store.iter_entities(NodeType.DOMAIN))
    assert domains
    for d in domains:
        assert node_iri(d["id"]) == node_iri(d["id"], "https://example.org/x/") == d["iri"]
        assert node_iri(d["id"]) in concepts
        assert node_iri(d["id"]) == DEFAULT_BASE_IRI + d["id"]  # base + id for the default base


@pytest.mark.parametrize("base", ["example.org/", "https://example.org/kg", "https://ex ample.org/",
                                  "https://example.org/<x>/", ""])
def test_bad_base_iris_are_refused(base: str) -> None:
    with pytest.raises(InvalidBaseIRI, match="not an absolute IRI"):
        check_base_iri(base)


_IRI_CHARS = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+")


@settings(max_examples=300, deadline=None)
@given(st.text(st.characters(codec=None, exclude_categories=())), st.sampled_from(list(NodeType)))
def test_iris_are_valid_for_any_unicode_id(key: str, ntype: NodeType) -> None:
    iri = node_iri(f"{ntype.value.lower()}/{key}")
    assert _IRI_CHARS.fullmatch(iri), iri  # ASCII, RFC 3986 characters only
    ox.NamedNode(iri)  # Oxigraph's strict IRI parser accepts it
    assert "/./" not in iri + "/" and "/../" not in iri + "/"


@settings(max_examples=300, deadline=None)
@given(st.text(st.characters(codec=None, exclude_categories=())),
       st.text(st.characters(codec=None, exclude_categories=())))
def test_iris_are_injective(a: str, b: str) -> None:
    if a != b:
        assert node_iri("method/" + a) != node_iri("method/" + b)
        assert node_iri(a) != node_iri(b)
        assert evidence_iri(a, RelType.USES, "x") != evidence_iri(b, RelType.USES, "x")


# -- N-Triples by hand ---------------------------------------------------------------------
@pytest.mark.parametrize("text", HOSTILE + ["lone \ud800 surrogate", "\udfff", "a\ud83d"])
def test_hand_written_ntriples_parse_back_to_the_same_literal(text: str) -> None:
    buf = io.StringIO()
    lit = rdf._lit(text)
    assert lit is not None
    write_ntriples(iter([(IRI("http://x/s"), IRI("http://x/p"), lit)]), buf)
    line = buf.getvalue()
    assert line.count("\n") == 1 and line.endswith(" .\n")
    expected = re.sub("[\ud800-\udfff]", "\ufffd", text)  # no RDF syntax carries a lone surrogate
    assert str(Graph().parse(data=line, format="nt").value(URIRef("http://x/s"), URIRef("http://x/p"))) == expected
    parsed = next(iter(ox.parse(line.encode("utf-8"), format=ox.RdfFormat.N_TRIPLES)))
    assert parsed.object.value == expected


def test_escape_literal_uses_echar_and_uchar() -> None:
    assert escape_literal('"\\\n\r\t') == '\\"\\\\\\n\\r\\t'
    assert escape_literal("\u0000\x7f\ud800") == "\\u0000\\u007F\\uFFFD"
    assert escape_literal("é <>#") == "é <>#"


def test_blank_nodes_and_language_tags_are_written() -> None:
    buf = io.StringIO()
    write_ntriples(iter([(BNode("b0"), IRI("http://x/p"), Lit("chat", None, "fr")),
                         (IRI("http://x/s"), IRI("http://x/p"), Lit("1", rdf.XSD_INT))]), buf)
    assert buf.getvalue() == ('_:b0 <http://x/p> "chat"@fr .\n'
                              '<http://x/s> <http://x/p> "1"^^<http://www.w3.org/2001/XMLSchema#integer> .\n')


# -- the round-trip matrix -----------------------------------------------------------------
def _parse(data: bytes, fmt: str) -> set[Any]:
    if fmt == "nq":
        ds = Dataset()
        ds.parse(data=data, format="nquads")
        quads = list(ds.quads())
        assert {str(q[3].identifier if hasattr(q[3], "identifier") else q[3]) for q in quads} == {
            str(ds.default_graph.identifier)}  # kg uses no named graphs
        return {q[:3] for q in quads}
    name = {"ttl": "turtle", "nt": "nt", "jsonld": "json-ld"}[fmt]
    return set(Graph().parse(data=data, format=name))


@pytest.fixture(scope="session")
def small_reference(small_store: Path) -> set[Any]:
    with Store.open(small_store) as store:
        return set(to_graph(triples(store)))


@pytest.mark.parametrize("fmt", list(rdf.FORMATS))
def test_every_format_round_trips_to_the_reference_graph(small_store: Path, small_reference: set[Any],
                                                         fmt: str) -> None:
    out = io.BytesIO()
    with Store.open(small_store) as store:
        n = rdf.export(store, out, fmt)
    parsed = _parse(out.getvalue(), fmt)
    assert n == len(small_reference)
    assert not any(isinstance(term, RBNode) for tr in parsed for term in tr)
    # no blank nodes, so set equality is graph isomorphism
    assert parsed == small_reference
    ox_format = {"ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES,
                 "jsonld": ox.RdfFormat.JSON_LD, "nq": ox.RdfFormat.N_QUADS}[fmt]
    assert len(list(ox.parse(out.getvalue(), format=ox_format))) == n


def test_every_format_is_covered() -> None:
    assert set(rdf.FORMATS) == {"ttl", "nt", "jsonld", "nq"}


@pytest.mark.parametrize("base", [rdf.DEFAULT_BASE_IRI, "https://example.org/kg#"])
def test_the_fast_ntriples_writer_writes_the_stream_byte_for_byte(
        hf_store: Path, hostile_store: dict[str, Any], base: str) -> None:
    for path in (hf_store, hostile_store["path"]):
        fast, slow = io.BytesIO(), io.StringIO()
        with Store.open(path) as store:
            n = rdf.write_store_ntriples(store, fast, base)
            assert n == write_ntriples(triples(store, base), slow)
        assert fast.getvalue().decode("utf-8") == slow.getvalue()
        assert n == slow.getvalue().count(" .\n") > 100


def test_ntriples_written_in_parallel_are_the_same_bytes(
        hf_store: Path, hostile_store: dict[str, Any], tmp_path: Path) -> None:
    # Small parts split every entity type, the papers, edges and APPLIED_IN sources in many
    # places; worker processes format them, this process appends them in order.
    for path, rows in ((hf_store, 37), (hostile_store["path"], 2)):
        one = io.BytesIO()
        with Store.open(path) as store:
            n = rdf.write_store_ntriples(store, one, jobs=1)
            assert n == rdf.write_store_ntriples(store, io.BytesIO(), jobs=1, part_rows=rows)
            to_memory = io.BytesIO()  # no file descriptor: parts are copied through Python
            assert n == rdf.write_store_ntriples(store, to_memory, jobs=2, part_rows=rows)
            with (tmp_path / "kg.nt").open("wb") as fh:  # parts go in with sendfile
                fh.write(b"# kg\n")  # appended after what the file already holds
                assert n == rdf.write_store_ntriples(store, fh, jobs=2, part_rows=rows)
                assert store.conn.execute("SELECT COUNT(*) FROM papers").fetchone()[0] > rows
        assert to_memory.getvalue() == one.getvalue()
        assert (tmp_path / "kg.nt").read_bytes() == b"# kg\n" + one.getvalue()
        assert n == one.getvalue().count(b" .\n") > 100


@pytest.mark.parametrize("fmt", list(rdf.FORMATS))
def test_hostile_ids_and_strings_come_back_byte_for_byte(hostile_store: dict[str, Any], fmt: str) -> None:
    out = io.BytesIO()
    with Store.open(hostile_store["path"]) as store:
        rdf.export(store, out, fmt)
    g = Graph()
    for t in _parse(out.getvalue(), fmt):
        g.add(t)
    for ent in hostile_store["entities"]:
        s = URIRef(node_iri(ent.id))
        assert (s, RDF.type, KG[ent.type.value]) in g, ent.id
        assert [str(o) for o in g.objects(s, KG.name)] == [ent.name]
        assert [str(o) for o in g.objects(s, KG.id)] == [ent.id]
        assert {str(o) for o in g.objects(s, ns.SKOS.altLabel)} == set(ent.aliases)
    for paper in hostile_store["papers"]:
        s = URIRef(node_iri(paper.id))
        assert str(g.value(s, ns.DCTERMS.title)) == paper.title
        assert str(g.value(s, ns.DCTERMS.abstract)) == paper.abstract
        assert str(g.value(s, KG.doi)) == paper.doi
        assert {str(o) for o in g.objects(s, KG.categories)} == set(paper.categories)
        assert g.value(s, ns.DCTERMS.issued) == Literal("2024-02-29", datatype=ns.XSD.date)
    sentences = {str(o) for o in g.objects(None, KG.sentence)}
    with_evidence = {r.target for r in RELATIONS if r.evidence and r.source is NodeType.PAPER}
    assert sentences == {e.name for e in hostile_store["entities"] if e.type in with_evidence}


# -- counts and VoID -----------------------------------------------------------------------
def test_one_subject_per_store_node(hf_store: Path, hf_graph: Graph) -> None:
    with Store.open(hf_store) as store:
        stats = store.stats()
        ids = [p.id for p in store.iter_papers()] + [e["id"] for e in store.iter_entities()]
    assert len(ids) == sum(stats["nodes"].values())
    for t in NodeType:
        typed = set(hf_graph.subjects(RDF.type, KG[t.value]))
        assert len(typed) == stats["nodes"].get(t.value, 0), t
    subjects = set(hf_graph.subjects())
    for node_id in ids:
        assert URIRef(node_iri(node_id)) in subjects, node_id
        assert str(hf_graph.value(URIRef(node_iri(node_id)), KG.id)) == node_id


def test_one_evidence_node_per_evidence_edge(hf_store: Path, hf_graph: Graph) -> None:
    with Store.open(hf_store) as store:
        edges = [e for e in store.iter_edges() if relation_spec(RelType(e["rel"])).evidence]
        links = list(store.iter_links(RelType.APPLIED_IN))
    evidence = set(hf_graph.subjects(RDF.type, KG.Evidence))
    assert len(evidence) == len(edges) > 0
    for e in edges[:200]:
        ev = URIRef(evidence_iri(e["source"], RelType(e["rel"]), e["target"]))
        assert ev in evidence
        assert hf_graph.value(ev, RDF.subject) == URIRef(node_iri(e["source"]))
        assert hf_graph.value(ev, RDF.object) == URIRef(node_iri(e["target"]))
        assert (URIRef(node_iri(e["source"])), hf_graph.value(ev, RDF.predicate),
                URIRef(node_iri(e["target"]))) in hf_graph
        if e["sentence"] is not None:
            assert str(hf_graph.value(ev, KG.sentence)) == e["sentence"]
        assert float(hf_graph.value(ev, KG.confidence)) == pytest.approx(e["confidence"])
        assert int(hf_graph.value(ev, KG.count)) == e["count"]
    statements = set(hf_graph.subjects(KG.paperCount, None))
    assert len(statements) == len(links) > 0


def test_void_counts_are_exact(hf_store: Path, hf_graph: Graph) -> None:
    ds = URIRef(DEFAULT_BASE_IRI + "void#kg")
    description = [t for t in hf_graph if str(t[0]).startswith(DEFAULT_BASE_IRI + "void#")]
    assert int(hf_graph.value(ds, ns.VOID.triples)) == len(hf_graph) - len(description)
    with Store.open(hf_store) as store:
        stats = store.stats()
    assert int(hf_graph.value(ds, ns.VOID.entities)) == sum(stats["nodes"].values())
    for part in hf_graph.objects(ds, ns.VOID.classPartition):
        cls = hf_graph.value(part, ns.VOID["class"])
        assert int(hf_graph.value(part, ns.VOID.entities)) == stats["nodes"].get(str(cls).rsplit("#")[-1], 0)
    assert str(hf_graph.value(ds, ns.VOID.uriSpace)) == DEFAULT_BASE_IRI
    assert (hf_graph.value(ds, ns.VOID.exampleResource), RDF.type, KG.Paper) in hf_graph
    assert (ds, ns.VOID.vocabulary, URIRef(ONTOLOGY_NS)) in hf_graph


def test_the_hf_export_parses_strictly_in_oxigraph(hf_nt: Path, hf_graph: Graph) -> None:
    store = ox.Store()
    store.load(path=str(hf_nt), format=ox.RdfFormat.N_TRIPLES)  # strict: validates every IRI
    assert len(store) == len(hf_graph)


def test_another_base_moves_every_node_but_domains(small_store: Path) -> None:
    base = "https://example.org/graph/"
    with Store.open(small_store) as store:
        subjects = {t[0] for t in triples(store, base)}
    assert subjects
    for s in subjects:
        assert s.startswith(base) or s.startswith(TAXONOMY_BASE + "domain/"), s


# -- streaming -----------------------------------------------------------------------------
class _Sink(io.RawIOBase):
    """A binary file that keeps nothing."""

    def writable(self) -> bool:
        return True

    def write(self, b: Any) -> int:
        return len(b)


def _peak(fn: Any) -> int:
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_ntriples_export_streams_without_an_rdflib_graph(hf_store: Path, small_store: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    import rdflib

    def no_graph(*a: Any, **k: Any) -> None:
        raise AssertionError("the N-Triples export built an rdflib graph")

    rdf._taxonomy()  # the cached taxonomy is shared by every export: not part of the peak
    with Store.open(hf_store) as big, Store.open(small_store) as small:
        with monkeypatch.context() as m:
            m.setattr(rdflib, "Graph", no_graph)
            m.setattr(rdflib, "Dataset", no_graph)
            n_big = 0

            def stream() -> None:
                nonlocal n_big
                n_big = rdf.export(big, io.BufferedWriter(_Sink()), "nt")

            stream_peak = _peak(stream)
        graph_peak = _peak(lambda: to_graph(triples(small)))
        n_small = sum(1 for _ in triples(small))
    assert n_big > 3 * n_small
    # Streaming a graph 4x larger takes a fraction of what rdflib needs to hold the small one.
    assert stream_peak < graph_peak / 4, (stream_peak, graph_peak)


def ox_parse_file(path: Path) -> list[Any]:
    return list(ox.parse(path=str(path)))


# -- the CLI -------------------------------------------------------------------------------
def test_kg_export_rdf_writes_a_file_and_reports(small_store: Path, tmp_path: Path) -> None:
    out = tmp_path / "kg.nt"
    res = CliRunner().invoke(cli, ["export", "rdf", "--store", str(small_store), "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "triples (nt)" in res.output and "triples/s" in res.output  # format from the suffix
    assert len(ox_parse_file(out)) > 1000
    assert not list(tmp_path.glob("*.partial"))


def test_kg_export_rdf_to_stdout(small_store: Path) -> None:
    res = CliRunner().invoke(cli, ["export", "rdf", "--store", str(small_store), "--format", "nt"])
    assert res.exit_code == 0
    assert res.stdout.count("\n") > 1000 and res.stdout.endswith(" .\n")


def test_kg_export_rdf_refuses_a_bad_base_iri(small_store: Path) -> None:
    res = CliRunner().invoke(cli, ["export", "rdf", "--store", str(small_store), "--base-iri", "nope"])
    assert res.exit_code == 1
    assert "Error: base IRI 'nope' is not an absolute IRI" in res.output


def test_kg_export_rdf_without_a_store(tmp_path: Path) -> None:
    res = CliRunner().invoke(cli, ["export", "rdf", "--store", str(tmp_path / "none")])
    assert res.exit_code == 1 and res.output.startswith("Error: no store at")


def test_kg_validate_accepts_the_hf_export(hf_nt: Path) -> None:
    res = CliRunner().invoke(cli, ["validate", str(hf_nt)])
    assert res.exit_code == 0, res.output
    assert "conforms" in res.output


def test_kg_validate_reports_a_broken_graph(small_store: Path, tmp_path: Path) -> None:
    with Store.open(small_store) as store:
        lines = io.StringIO()
        write_ntriples(triples(store), lines)
    broken, victim, bad_confidence = [], "", False
    for line in lines.getvalue().splitlines(keepends=True):
        if " <http://purl.org/dc/terms/title> " in line and "/paper/" in line and not victim:
            victim = line.split(" ", 1)[0]  # drop one paper's title
            continue
        if " <https://w3id.org/kg/ontology#confidence> " in line and not bad_confidence:
            line = re.sub(r'"[0-9.]+"\^\^', '"1.85"^^', line)
            bad_confidence = True
        broken.append(line)
    body = broken
    path = tmp_path / "broken.nt"
    path.write_text("".join(body), encoding="utf-8")
    res = CliRunner().invoke(cli, ["validate", str(path)])
    assert res.exit_code == 1, res.output
    assert f"Violation: {victim}" in res.output
    assert "path:    dcterms:title" in res.output and "a paper needs exactly one dcterms:title" in res.output
    assert "path:    kg:confidence" in res.output and '"1.85"^^xsd:decimal' in res.output
    assert "does not conform" in res.output


def test_kg_validate_catches_a_wrong_range_despite_inference(tmp_path: Path) -> None:
    path = tmp_path / "range.ttl"
    path.write_text(
        "@prefix kg: <https://w3id.org/kg/ontology#> .\n"
        '<https://w3id.org/kg/paper/p> a kg:Paper ; kg:id "paper/p" ; <http://www.w3.org/2000/01/rdf-schema#label> "P" ;\n'
        '  <http://purl.org/dc/terms/title> "P" ; kg:uses <https://w3id.org/kg/dataset/d> .\n'
        '<https://w3id.org/kg/dataset/d> a kg:Dataset ; kg:id "dataset/d" ; kg:name "D" ;\n'
        '  <http://www.w3.org/2000/01/rdf-schema#label> "D" .\n', encoding="utf-8")
    res = CliRunner().invoke(cli, ["validate", str(path)])
    assert res.exit_code == 1
    assert "path:    kg:uses" in res.output and "does not have class kg:Method" in res.output


@pytest.mark.parametrize("content", [None, "this is <not turtle", b"\xff\xfe\x00garbage"])
def test_kg_validate_exits_2_on_an_unreadable_file(tmp_path: Path, content: Any) -> None:
    path = tmp_path / "data.ttl"
    if isinstance(content, str):
        path.write_text(content)
    elif isinstance(content, bytes):
        path.write_bytes(content)
    res = CliRunner().invoke(cli, ["validate", str(path)])
    assert res.exit_code == 2, res.output
    assert res.output.startswith("Error: ")


def test_commands_have_help_with_an_example() -> None:
    from kg.export.rdf_cli import COMMANDS

    for cmd in [*COMMANDS, *TOP_COMMANDS]:
        assert cmd.help and "Example:" in cmd.help, cmd.name

