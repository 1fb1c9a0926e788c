"""The graph as RDF: IRIs, one streaming triple generator, N-Triples by hand, other formats via rdflib.

Identity
--------
A node's IRI is the base IRI plus its kg id (the id Neo4j uses), each ``/``-separated segment
percent-encoded (RFC 3986, ``quote(seg, safe="")``; ``.`` and ``..`` segments as ``%2E``), so
``method/direct-preference-optimization`` is ``https://w3id.org/kg/method/direct-preference-optimization``
and an entity named ``a "b" <c> #d`` gets ``.../method/a-b-c-d`` (its id) with the name kept
as a literal. Domains are the exception that makes the two identity models meet: a domain's
IRI is always the concept IRI of the shipped SKOS taxonomy (``ontology/domains.ttl``,
``https://w3id.org/kg/domain/<slug>``), which is base + id for the default base; with another
``--base-iri`` papers, methods, datasets, tasks, authors, code and evidence move, domains stay,
so every kg export shares one domain vocabulary.

Evidence
--------
Each Paper->entity edge is asserted as a plain triple (``paper kg:uses method``), and its
evidence becomes one ``kg:Evidence`` node with a deterministic IRI
``<base>evidence/<paper id>/<property>/<entity id>`` (ids percent-encoded as single segments)
that names the statement with ``rdf:subject``/``rdf:predicate``/``rdf:object`` and carries
``kg:sentence``, ``kg:start``, ``kg:end``, ``kg:field``, ``kg:rule``, ``kg:confidence`` and
``kg:count``, plus ``prov:wasDerivedFrom`` the paper. Why this n-ary node and not the
alternatives: it is plain RDF 1.1, so every format (Turtle, JSON-LD, N-Triples, N-Quads), every
store and every SPARQL 1.1 engine carries it unchanged, and one join reaches it
(``?e rdf:subject ?p ; rdf:predicate kg:uses ; rdf:object ?m ; kg:sentence ?s``); RDF-star
is not in SPARQL 1.1, rdflib cannot serialise it and RDF 1.2 changed its semantics; one named
graph per edge would need quad formats only, multiply graphs by ten thousands, and make
plain ``?p kg:uses ?m`` queries depend on each store's default-graph-as-union setting.
Derived APPLIED_IN edges get the same treatment with an ``rdf:Statement`` node
(``<base>statement/...``) carrying ``kg:paperCount``, ``kg:firstYear`` and ``kg:lastYear``.

Streaming
---------
:func:`triples` yields light terms (:class:`IRI`, :class:`BNode`, :class:`Lit`) straight from
the store's cursors; :func:`write_ntriples` writes them line by line, so an N-Triples export
holds one row at a time whatever the graph's size. ``kg export rdf --format nt`` uses
:func:`write_store_ntriples`, which writes the same bytes but formats edges, their evidence
and APPLIED_IN statements (most of the graph) straight from the store's rows. Turtle,
JSON-LD and N-Quads go through an rdflib graph (:func:`to_graph`). The stream ends with a
VoID description whose ``void:triples`` counts the data triples before it.
"""

from __future__ import annotations

import errno
import io
import os
import re
import shutil
import tempfile
import warnings
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Any, BinaryIO, NamedTuple, TextIO, Union
from urllib.parse import quote

from kg.errors import KGError
from kg.parallel import ordered_results, process_pool
from kg.resources import ontology_file
from kg.schema import (
    DEFAULT_BASE_IRI, ENTITY_TYPES, EVIDENCE_PROPERTIES, ID_PREFIX, NODE_PROPERTIES, ONTOLOGY_NS,
    NodeType, RelType, rdf_datatype_property_name, rdf_property_name, relation_spec,
)

if TYPE_CHECKING:
    from kg.store import Store

__all__ = [
    "IRI", "BNode", "Lit", "Term", "Triple", "RdfError", "InvalidBaseIRI", "TAXONOMY_BASE",
    "check_base_iri", "encode_segment", "node_iri", "evidence_iri", "statement_iri", "triples",
    "escape_literal", "nt_term", "write_ntriples", "write_store_ntriples", "to_rdflib", "to_graph",
    "PREFIXES", "FORMATS", "jsonld_context", "export",
]

#: Where domain IRIs live: the namespace of the shipped SKOS taxonomy (``domains.ttl``).
TAXONOMY_BASE = DEFAULT_BASE_IRI


class RdfError(KGError):
    """The graph cannot be written as RDF."""


class InvalidBaseIRI(RdfError):
    def __init__(self, base: str) -> None:
        super().__init__(
            f"base IRI {base!r} is not an absolute IRI ending in '/' or '#' "
            "(example: https://example.org/kg/)")


class IRI(str):
    """An absolute IRI."""

    __slots__ = ()


class BNode(str):
    """A blank node label (only the taxonomy file could bring one)."""

    __slots__ = ()


class Lit(NamedTuple):
    """A literal: lexical form, datatype IRI (``None``: xsd:string) or language tag."""

    value: str
    datatype: str | None = None
    lang: str | None = None


Term = Union[IRI, BNode, Lit]
Triple = tuple[Union[IRI, BNode], IRI, Term]

_BASE_RE = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[^\x00-\x20<>\"{}|^`\\]*[/#]")
_IRI_RE = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[^\x00-\x20<>\"{}|^`\\]*")
_DOT_SEGMENTS = {".": "%2E", "..": "%2E%2E"}
_UNRESERVED = re.compile(r"[A-Za-z0-9._~-]+")
_SURROGATE = re.compile("[\ud800-\udfff]")


def check_base_iri(base: str) -> str:
    """Return ``base`` if it can prefix kg ids, else raise :class:`InvalidBaseIRI`.

    >>> check_base_iri("https://example.org/kg/")
    'https://example.org/kg/'
    """
    if not _BASE_RE.fullmatch(base):
        raise InvalidBaseIRI(base)
    return base


def encode_segment(segment: str) -> str:
    """Percent-encode one path segment (RFC 3986); dot segments too, so no resolver drops them.

    >>> encode_segment("a b/c#d")
    'a%20b%2Fc%23d'
    >>> encode_segment("..")
    '%2E%2E'
    """
    if _UNRESERVED.fullmatch(segment) and segment not in _DOT_SEGMENTS:
        return segment  # the common case (slugs), 20x faster than quote()
    return _DOT_SEGMENTS.get(segment) or quote(segment, safe="", errors="surrogatepass")


def node_iri(node_id: str, base: str = DEFAULT_BASE_IRI) -> str:
    """The IRI of the node with kg id ``node_id``: base + id, segments percent-encoded.

    Domains always use :data:`TAXONOMY_BASE` (the SKOS concept IRIs of ``domains.ttl``).

    >>> node_iri("method/direct-preference-optimization")
    'https://w3id.org/kg/method/direct-preference-optimization'
    >>> node_iri("paper/doi-10.1000/x y", "https://example.org/")
    'https://example.org/paper/doi-10.1000/x%20y'
    >>> node_iri("domain/computer-vision", "https://example.org/")
    'https://w3id.org/kg/domain/computer-vision'
    """
    if node_id.startswith("domain/"):
        base = TAXONOMY_BASE
    return base + "/".join(map(encode_segment, node_id.split("/")))


@lru_cache(maxsize=1 << 16)
def _encode_id(node_id: str) -> str:
    # A whole id as one segment: "/" becomes %2F. Injective, since no encoded segment holds %2F.
    return "%2F".join(map(encode_segment, node_id.split("/")))


def evidence_iri(paper_id: str, rel: RelType, target: str, base: str = DEFAULT_BASE_IRI) -> str:
    """The IRI of the evidence of ``paper -rel-> target`` (one per edge, deterministic).

    >>> evidence_iri("paper/arxiv-1", RelType.USES, "method/bert")
    'https://w3id.org/kg/evidence/paper%2Farxiv-1/uses/method%2Fbert'
    """
    return f"{base}evidence/{_encode_id(paper_id)}/{rdf_property_name(rel)}/{_encode_id(target)}"


def statement_iri(source: str, rel: RelType, target: str, base: str = DEFAULT_BASE_IRI) -> str:
    """The IRI of the qualified statement of a derived entity->entity edge (APPLIED_IN).

    >>> statement_iri("method/bert", RelType.APPLIED_IN, "domain/computer-vision")
    'https://w3id.org/kg/statement/method%2Fbert/appliedIn/domain%2Fcomputer-vision'
    """
    return f"{base}statement/{_encode_id(source)}/{rdf_property_name(rel)}/{_encode_id(target)}"


# -- vocabulary ----------------------------------------------------------------------------
# Plain strings, not rdflib namespaces: importing rdflib costs 0.2 s, a third of what
# `kg sparql` may take. kg's own terms are derived from kg.schema (which kg.vocab.KG mirrors);
# tests/test_rdf.py checks that every IRI below, and every one in a real export, is a term
# of its vocabulary (KG, or rdflib's closed RDF/RDFS/SKOS/DCTERMS/... namespaces).
RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS_NS = "http://www.w3.org/2000/01/rdf-schema#"
XSD_NS = "http://www.w3.org/2001/XMLSchema#"
SKOS_NS = "http://www.w3.org/2004/02/skos/core#"
DCTERMS_NS = "http://purl.org/dc/terms/"
SCHEMA_NS = "https://schema.org/"
DCAT_NS = "http://www.w3.org/ns/dcat#"
PROV_NS = "http://www.w3.org/ns/prov#"
VOID_NS = "http://rdfs.org/ns/void#"

TYPE, STATEMENT = IRI(RDF_NS + "type"), IRI(RDF_NS + "Statement")
R_SUBJ, R_PRED, R_OBJ = IRI(RDF_NS + "subject"), IRI(RDF_NS + "predicate"), IRI(RDF_NS + "object")
LABEL, SEE_ALSO = IRI(RDFS_NS + "label"), IRI(RDFS_NS + "seeAlso")
PREF, ALT = IRI(SKOS_NS + "prefLabel"), IRI(SKOS_NS + "altLabel")
SKOS_BROADER, EXACT_MATCH = IRI(SKOS_NS + "broader"), IRI(SKOS_NS + "exactMatch")
CONCEPT_SCHEME = IRI(SKOS_NS + "ConceptScheme")
TITLE, CREATOR = IRI(DCTERMS_NS + "title"), IRI(DCTERMS_NS + "creator")
DERIVED_FROM, GENERATED_BY = IRI(PROV_NS + "wasDerivedFrom"), IRI(PROV_NS + "wasGeneratedBy")
ASSOCIATED_WITH = IRI(PROV_NS + "wasAssociatedWith")
ACTIVITY, SOFTWARE_AGENT = IRI(PROV_NS + "Activity"), IRI(PROV_NS + "SoftwareAgent")
XSD_STRING, XSD_INT, XSD_DEC = XSD_NS + "string", XSD_NS + "integer", XSD_NS + "decimal"
XSD_DATE, XSD_URI, XSD_BOOL = XSD_NS + "date", XSD_NS + "anyURI", XSD_NS + "boolean"

_CLASS = {t: IRI(ONTOLOGY_NS + t.value) for t in NodeType}
_CLASS_EVIDENCE = IRI(ONTOLOGY_NS + "Evidence")
#: Aligned types every node also gets (the vocabularies users already query).
_ALIGNED: dict[NodeType, IRI] = {
    NodeType.PAPER: IRI(SCHEMA_NS + "ScholarlyArticle"), NodeType.DATASET: IRI(DCAT_NS + "Dataset"),
    NodeType.DOMAIN: IRI(SKOS_NS + "Concept"), NodeType.AUTHOR: IRI(SCHEMA_NS + "Person"),
    NodeType.CODE: IRI(SCHEMA_NS + "SoftwareSourceCode"),
}
_REL = {r: IRI(ONTOLOGY_NS + rdf_property_name(r)) for r in RelType}
_PROP = {n: IRI(ONTOLOGY_NS + rdf_datatype_property_name(n))
         for props in NODE_PROPERTIES.values() for n in props}
_PROP.update(title=TITLE, abstract=IRI(DCTERMS_NS + "abstract"), date=IRI(DCTERMS_NS + "issued"))
_DATATYPE = {"date": XSD_DATE, "url": XSD_URI}
_SKIP_PROPS = {"id", "name", "aliases", "authors"}  # written otherwise (authors: creator nodes)
_EVIDENCE = [(n, IRI(ONTOLOGY_NS + rdf_datatype_property_name(n))) for n in EVIDENCE_PROPERTIES]
_STATEMENT_PROPS = [(k, IRI(ONTOLOGY_NS + rdf_datatype_property_name(k)))
                    for k in ("paper_count", "first_year", "last_year")]
_VOID = {n: IRI(VOID_NS + n) for n in ("Dataset", "triples", "entities", "uriSpace", "vocabulary",
                                        "exampleResource", "classPartition", "class")}

#: Prefixes bound in Turtle and JSON-LD output.
PREFIXES: dict[str, str] = {
    "kg": ONTOLOGY_NS, "kgd": TAXONOMY_BASE + "domain/", "rdf": RDF_NS, "rdfs": RDFS_NS,
    "xsd": XSD_NS, "skos": SKOS_NS, "dcterms": DCTERMS_NS, "schema": SCHEMA_NS,
    "dcat": DCAT_NS, "prov": PROV_NS, "void": VOID_NS,
}


def _clean(text: str) -> str:
    # Lone surrogates are not Unicode scalar values: no RDF syntax can carry them.
    return _SURROGATE.sub("\ufffd", text) if _SURROGATE.search(text) else text


def _lit(value: Any, datatype: str | None = None) -> Lit | None:
    """A literal for a store value (``None`` for a missing or unrepresentable one)."""
    kind = type(value)
    if kind is str:
        if not value:
            return None
        if datatype == XSD_DATE and not _is_date(value):
            return None
        return Lit(_clean(value), datatype)
    if kind is int:
        return Lit(str(value), XSD_INT)
    if kind is float:
        dec = Decimal(repr(value))
        return Lit(format(dec, "f"), XSD_DEC) if dec.is_finite() else None
    if kind is bool:
        return Lit("true" if value else "false", XSD_BOOL)
    return None if value is None else _lit(str(value), datatype)


def _is_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return len(text) == 10


# -- the stream ----------------------------------------------------------------------------
def triples(store: Store, base: str = DEFAULT_BASE_IRI, *, void: bool = True) -> Iterator[Triple]:
    """Every triple of the store's graph, streamed; then (``void``) its VoID description.

    No triple is yielded twice, so ``void:triples`` is the exact size of the data graph.
    """
    base = check_base_iri(base)
    counts: dict[NodeType, int] = {}
    example: list[IRI] = []
    n = 0
    for t in _data(store, base, counts, example):
        n += 1
        yield t
    if void:
        yield from _void(store, base, n, counts, example[0] if example else None)


@lru_cache(maxsize=4)  # one per base IRI: every part of an export shares its cache
def _iri_function(base: str) -> Any:
    @lru_cache(maxsize=1 << 16)  # bounded: memory stays flat on huge graphs
    def iri(node_id: str) -> IRI:
        return IRI(node_iri(node_id, base))

    return iri


def _data(store: Store, base: str, counts: dict[NodeType, int],
          example: list[IRI]) -> Iterator[Triple]:
    iri = _iri_function(base)
    yield from _nodes(store, iri, counts, example)
    for edge in store.iter_edges():
        yield from _edge(edge, iri, base)
    for link in store.iter_links(RelType.APPLIED_IN):
        yield from _applied_in(link, iri, base)


def _nodes(store: Store, iri: Any, counts: dict[NodeType, int],
           example: list[IRI]) -> Iterator[Triple]:
    """Domains, the other entities, then papers: every node and its properties."""
    yield from _domains(store, iri, counts)
    for ntype in ENTITY_TYPES:
        if ntype is NodeType.DOMAIN:
            continue
        for ent in _entities(store, ntype):
            counts[ntype] = counts.get(ntype, 0) + 1
            yield from _node(iri(ent["id"]), ntype, ent, skos_labels=True)
    for paper in store.iter_papers():
        counts[NodeType.PAPER] = counts.get(NodeType.PAPER, 0) + 1
        s = iri(paper.id)
        if not example:
            example.append(s)
        yield from _node(s, NodeType.PAPER, vars(paper), skos_labels=False)
        yield s, LABEL, Lit(_clean(paper.title))
        if paper.arxiv_id:
            yield s, SEE_ALSO, IRI("https://arxiv.org/abs/" + _quote_path(paper.arxiv_id))
        if paper.doi:
            yield s, SEE_ALSO, IRI("https://doi.org/" + _quote_path(paper.doi))


def _node(s: IRI, ntype: NodeType, props: dict[str, Any], *, skos_labels: bool) -> Iterator[Triple]:
    yield s, TYPE, _CLASS[ntype]
    if ntype in _ALIGNED:
        yield s, TYPE, _ALIGNED[ntype]
    yield s, _PROP["id"], Lit(_clean(props["id"]))
    if ntype is not NodeType.PAPER:
        name = Lit(_clean(props["name"]))
        yield s, _PROP["name"], name
        yield s, LABEL, name
        if skos_labels:
            yield s, PREF, name
            for alias in dict.fromkeys(props.get("aliases") or ()):
                if alias != props["name"]:
                    yield s, ALT, Lit(_clean(alias))
    for key, typ in NODE_PROPERTIES[ntype].items():
        if key in _SKIP_PROPS:
            continue
        value = props.get(key)
        for v in (dict.fromkeys(value) if isinstance(value, (list, tuple)) else (value,)):
            lit = _lit(v, _DATATYPE.get(key))
            if lit is not None:
                yield s, _PROP[key], lit


def _entities(store: Store, ntype: NodeType, lo: str | None = None,
              hi: str | None = None) -> Iterator[dict[str, Any]]:
    """``store.iter_entities(ntype)`` (ids in ``[lo, hi)`` when given), with the mention
    aliases of all of them read in one query.

    (``Store.iter_entities`` asks for each entity's aliases: a query per entity.)
    """
    import json

    c = store.conn
    # "+type": find the entities by their id range (the primary key), not by the type index
    where, params = _id_range("id", lo, hi)
    entities = f"FROM entities WHERE +type=?{where}"
    mentions = c.cursor()
    mentions.row_factory = None
    mentions.execute("SELECT entity_id, text, COUNT(*) FROM mentions WHERE entity_id IN "
                     f"(SELECT id {entities}) GROUP BY entity_id, text ORDER BY entity_id",
                     (ntype.value, *params))
    pending = next(mentions, None)
    for row in c.execute(f"SELECT id, name, props {entities} ORDER BY id",
                         (ntype.value, *params)).fetchall():
        eid, name = row[0], row[1]
        forms: list[tuple[int, str]] = []
        while pending is not None and pending[0] < eid:
            pending = next(mentions, None)
        while pending is not None and pending[0] == eid:
            forms.append((-pending[2], pending[1]))
            pending = next(mentions, None)
        props = json.loads(row[2])
        aliases = props.pop("aliases", None)
        if aliases is None:  # as Store._entity_dict: by count, then text; not the name
            aliases = [text for _, text in sorted(forms) if text != name]
        yield {"id": eid, "type": ntype.value, "name": name, "aliases": list(aliases), **props}


def _id_range(column: str, lo: str | None, hi: str | None) -> tuple[str, tuple[str, ...]]:
    """SQL (`` AND column >= ? AND column < ?``, the bounds given) and parameters selecting
    ``column`` in ``[lo, hi)``; ``None`` leaves that side open."""
    sql, params = "", ()
    if lo is not None:
        sql, params = f" AND {column} >= ?", (lo,)
    if hi is not None:
        sql, params = f"{sql} AND {column} < ?", (*params, hi)
    return sql, params


def _domains(store: Store, iri: Any, counts: dict[NodeType, int]) -> Iterator[Triple]:
    """Domain nodes: the taxonomy's own SKOS triples, then what the store adds to them."""
    domains = list(store.iter_entities(NodeType.DOMAIN))
    counts[NodeType.DOMAIN] = len(domains)
    taxonomy = _taxonomy()
    keep = {iri(d["id"]) for d in domains}
    keep.update(t[0] for t in taxonomy if t[1] == TYPE and t[2] == CONCEPT_SCHEME)
    seen: set[Triple] = set()
    for t in taxonomy:
        if t[0] in keep:
            seen.add(t)
            yield t
    described = {t[0] for t in seen}

    def new(t: Triple) -> Iterator[Triple]:
        if t not in seen:
            seen.add(t)
            yield t

    for d in domains:
        s = iri(d["id"])
        for t in _node(s, NodeType.DOMAIN, d, skos_labels=s not in described):
            yield from new(t)
        own = d.get("iri")
        if own and own != s and _IRI_RE.fullmatch(own):
            yield from new((s, EXACT_MATCH, IRI(own)))
    for link in store.iter_links(RelType.BROADER):
        s, o = iri(link["source"]), iri(link["target"])
        yield from new((s, _REL[RelType.BROADER], o))
        yield from new((s, SKOS_BROADER, o))


@cache
def _taxonomy() -> tuple[Triple, ...]:
    """The triples of ``ontology/domains.ttl`` (parsed by pyoxigraph: 30x faster than rdflib)."""
    import pyoxigraph as ox

    out: list[Triple] = []
    with ontology_file("domains.ttl").open("rb") as fh:
        for q in ox.parse(fh, format=ox.RdfFormat.TURTLE):
            out.append((_from_ox(q.subject), IRI(q.predicate.value), _from_ox(q.object)))  # type: ignore[misc]
    return tuple(out)


def _from_ox(term: Any) -> Term:
    import pyoxigraph as ox

    if isinstance(term, ox.NamedNode):
        return IRI(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Lit(term.value, None, term.language)
    dt = term.datatype.value
    return Lit(term.value, None if dt == XSD_STRING else dt)


_REL_BY_NAME = {r.value: r for r in RelType}
_WITH_EVIDENCE = {r for r in RelType if relation_spec(r).evidence}


def _edge(edge: dict[str, Any], iri: Any, base: str) -> list[Triple]:
    # Lists, not generators: this runs once per edge and dominates the export's time.
    rel = _REL_BY_NAME.get(edge["rel"])
    if rel is None:
        raise RdfError(f"edge {edge['source']} -> {edge['target']} has unknown type {edge['rel']!r}")
    s, o, p = iri(edge["source"]), iri(edge["target"]), _REL[rel]
    out: list[Triple] = [(s, p, o)]
    if rel is RelType.AUTHORED_BY:
        out.append((s, CREATOR, o))
    if rel not in _WITH_EVIDENCE:
        return out
    ev = IRI(evidence_iri(edge["source"], rel, edge["target"], base))
    out += [(ev, TYPE, _CLASS_EVIDENCE), (ev, R_SUBJ, s), (ev, R_PRED, p), (ev, R_OBJ, o)]
    for key, pred in _EVIDENCE:
        lit = _lit(edge.get(key))
        if lit is not None:
            out.append((ev, pred, lit))
    out += [(ev, DERIVED_FROM, s), (ev, GENERATED_BY, IRI(base + "void#extraction"))]
    return out


def _applied_in(link: dict[str, Any], iri: Any, base: str) -> list[Triple]:
    rel = RelType.APPLIED_IN
    s, o, p = iri(link["source"]), iri(link["target"]), _REL[rel]
    st = IRI(statement_iri(link["source"], rel, link["target"], base))
    out: list[Triple] = [(s, p, o), (st, TYPE, STATEMENT), (st, R_SUBJ, s),
                         (st, R_PRED, p), (st, R_OBJ, o)]
    for key, pred in _STATEMENT_PROPS:
        lit = _lit(link.get(key))
        if lit is not None:
            out.append((st, pred, lit))
    return out


def _void(store: Store, base: str, n: int, counts: dict[NodeType, int],
          example: IRI | None) -> Iterator[Triple]:
    """The VoID (and PROV) description of the export; ``n`` data triples precede it."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        kg_version = version("kg-papers")
    except PackageNotFoundError:  # a checkout that was not installed
        kg_version = "unknown"
    ds, act, agent = IRI(base + "void#kg"), IRI(base + "void#extraction"), IRI(base + "void#software")
    yield ds, TYPE, _VOID["Dataset"]
    yield ds, TYPE, _ALIGNED[NodeType.DATASET]
    yield ds, TITLE, Lit("kg knowledge graph of papers, methods, datasets, tasks and domains")
    yield ds, _VOID["triples"], Lit(str(n), XSD_INT)
    yield ds, _VOID["entities"], Lit(str(sum(counts.values())), XSD_INT)
    yield ds, _VOID["uriSpace"], Lit(base)
    for ns in (ONTOLOGY_NS, SCHEMA_NS, DCTERMS_NS, SKOS_NS, PROV_NS, DCAT_NS, RDFS_NS):
        yield ds, _VOID["vocabulary"], IRI(ns)
    if example is not None:
        yield ds, _VOID["exampleResource"], example
    for ntype in NodeType:
        part = IRI(f"{base}void#{ntype.value}")
        yield ds, _VOID["classPartition"], part
        yield part, _VOID["class"], _CLASS[ntype]
        yield part, _VOID["entities"], Lit(str(counts.get(ntype, 0)), XSD_INT)
    yield ds, GENERATED_BY, act
    yield act, TYPE, ACTIVITY
    yield act, LABEL, Lit(f"kg build (extraction pipeline {store.get_meta('taxonomy') or 'unknown'})")
    yield act, ASSOCIATED_WITH, agent
    yield agent, TYPE, SOFTWARE_AGENT
    yield agent, LABEL, Lit(f"kg {kg_version}")


# -- N-Triples by hand ---------------------------------------------------------------------
_ECHAR = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}
_NEEDS_ESCAPE = re.compile('["\\\\\x00-\x1f\x7f\ud800-\udfff]')


def _quote_path(value: str) -> str:
    return quote(value, safe="/", errors="surrogatepass")


def _escape_char(m: re.Match[str]) -> str:
    c = m.group()
    if c in _ECHAR:
        return _ECHAR[c]
    return "\\uFFFD" if "\ud800" <= c <= "\udfff" else f"\\u{ord(c):04X}"


def escape_literal(text: str) -> str:
    """``text`` as the inside of an N-Triples string literal.

    ``"`` ``\\`` and the C0 controls are escaped (ECHAR or ``\\uXXXX``), lone surrogates become
    U+FFFD, everything else is written as UTF-8.

    >>> escape_literal('say "hi"\\n')
    'say \\\\"hi\\\\"\\\\n'
    >>> escape_literal("a\\x00b")
    'a\\\\u0000b'
    """
    return _NEEDS_ESCAPE.sub(_escape_char, text)


def nt_term(term: Term) -> str:
    """One term in N-Triples syntax."""
    if type(term) is Lit:
        body = '"' + escape_literal(term.value) + '"'
        if term.lang:
            return body + "@" + term.lang
        return body + ("^^<" + term.datatype + ">" if term.datatype else "")
    if type(term) is BNode:
        return "_:" + term
    return "<" + term + ">"


def write_ntriples(stream: Iterator[Triple], out: TextIO) -> int:
    """Write ``stream`` to ``out`` as N-Triples, one line per triple; return the count.

    Lines are written in chunks of 512: memory stays flat, and the loop (the
    export's hot spot) avoids a call per term for the common IRI and plain-literal cases.
    """
    n = 0
    lines: list[str] = []
    append = lines.append
    sub, esc = _NEEDS_ESCAPE.sub, _escape_char
    for s, p, o in stream:
        kind = type(o)
        if kind is IRI:
            obj = f"<{o}>"
        elif kind is Lit and o.datatype is None and o.lang is None:  # type: ignore[union-attr]
            obj = f'"{sub(esc, o.value)}"'  # type: ignore[union-attr]
        else:
            obj = nt_term(o)
        append(f"<{s}> <{p}> {obj} .\n" if type(s) is IRI else f"_:{s} <{p}> {obj} .\n")
        n += 1
        _flush(out, lines, 512)
    _flush(out, lines)
    return n


def _flush(out: TextIO, lines: list[str], at: int = 0) -> int:
    """Write ``lines`` to ``out`` and empty the list once it holds ``at`` lines or more (the
    N-Triples writers build lines in chunks); returns how many lines were written."""
    n = len(lines)
    if n < at:
        return 0
    out.write("".join(lines))
    lines.clear()
    return n


#: Rows per part of the N-Triples export (entities, papers, or the papers whose edges it writes):
#: the unit one worker formats, a few MB of text.
PART_ROWS = 250


def write_store_ntriples(store: Store, out: BinaryIO, base: str = DEFAULT_BASE_IRI, *,
                         jobs: int = 1, part_rows: int = PART_ROWS) -> int:
    """Write the store's graph as UTF-8 N-Triples to the binary stream ``out``; return the
    triple count.

    The same bytes as ``write_ntriples(triples(store, base), ...)``, several times faster: the
    taxonomy's domains go through the stream, but entities, papers, edges and their evidence
    and APPLIED_IN statements are written straight from the store's rows, without a term
    object per triple. They are written in parts of ``part_rows`` ids each (in id order);
    with ``jobs`` > 1, ``jobs`` worker processes format the parts and this process writes
    them in order, so the output is the same for any ``jobs``.
    """
    base = check_base_iri(base)
    counts: dict[NodeType, int] = {}
    iri = _iri_function(base)
    n = _write_text(out, lambda text: write_ntriples(_domains(store, iri, counts), text))
    parts = _parts(store, part_rows)
    if jobs > 1 and _count(store, "papers") > part_rows:
        # Workers write their parts to files and this process appends them to ``out``: far
        # cheaper than sending hundreds of MB through the pool's pipes.
        with tempfile.TemporaryDirectory(prefix="kg-nt-") as tmp:
            pool = process_pool(jobs, _open_part_store, (str(store.path),))
            work = ((base, part, os.path.join(tmp, f"{i}.nt")) for i, part in enumerate(parts))
            results = ordered_results(pool, _worker_part, work, 2 * jobs)
            try:
                for part_n, ntype, nodes, path in results:
                    _append_file(out, path)
                    n += _tally(counts, part_n, ntype, nodes)
            finally:
                results.close()
                pool.shutdown(cancel_futures=True)
    else:
        for part in parts:
            n += _tally(counts, *_part(store, base, part, out))
    row = store.conn.execute("SELECT id FROM papers ORDER BY id LIMIT 1").fetchone()
    example = iri(row[0]) if row else None
    return n + _write_text(out, lambda text: write_ntriples(_void(store, base, n, counts, example),
                                                            text))


def _write_text(out: BinaryIO, write: Any) -> int:
    """``write(text)`` on a UTF-8 text layer over ``out``; returns what ``write`` returns."""
    text = io.TextIOWrapper(out, encoding="utf-8", newline="\n")
    try:
        return int(write(text))
    finally:
        text.flush()
        text.detach()


def _count(store: Store, table: str) -> int:
    return int(store.conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])


class _Part(NamedTuple):
    """One unit of the N-Triples export: a kind of row and an id range ``[lo, hi)``."""

    kind: str  # "entities", "papers", "edges" (of papers lo..hi), "applied" (sources lo..hi)
    ntype: NodeType | None
    lo: str | None
    hi: str | None


def _parts(store: Store, rows: int) -> Iterator[_Part]:
    """The parts of the export in output order: entities by type, papers, edges, APPLIED_IN."""
    for ntype in ENTITY_TYPES:
        if ntype is not NodeType.DOMAIN:
            for lo, hi in _ranges(store, "SELECT id FROM entities WHERE type=? ORDER BY id",
                                  (ntype.value,), rows):
                yield _Part("entities", ntype, lo, hi)
    for kind in ("papers", "edges"):
        for lo, hi in _ranges(store, "SELECT id FROM papers ORDER BY id", (), rows):
            yield _Part(kind, NodeType.PAPER if kind == "papers" else None, lo, hi)
    for lo, hi in _ranges(store, "SELECT id FROM entities ORDER BY id", (), rows):
        yield _Part("applied", None, lo, hi)


def _ranges(store: Store, sql: str, params: tuple[str, ...],
            rows: int) -> Iterator[tuple[str | None, str | None]]:
    """Split the ids ``sql`` lists (in order) into ranges ``[lo, hi)`` of ``rows`` ids; the
    first range is open below and the last above, so together they cover every key."""
    cur = store.conn.cursor()
    cur.row_factory = None
    lo: str | None = None
    for i, (value,) in enumerate(cur.execute(sql, params)):
        if i and i % rows == 0:
            yield lo, value
            lo = value
    yield lo, None


def _part(store: Store, base: str, part: _Part, out: BinaryIO) -> tuple[int, NodeType | None, int]:
    """Write one part to ``out`` as UTF-8 N-Triples; return the triple count, and the type and
    number of the nodes it described."""
    iri = _iri_function(base)
    nodes = 0

    def write(text: TextIO) -> int:
        nonlocal nodes
        if part.kind == "edges":
            return _edges_nt(store, base, iri, text, part.lo, part.hi)
        if part.kind == "applied":
            return _applied_in_nt(store, base, iri, text, part.lo, part.hi)
        if part.kind == "papers":
            n, nodes = _papers_nt(store, iri, text, part.lo, part.hi)
            return n
        assert part.ntype is not None
        n, nodes = _entities_nt(store, iri, part.ntype, text, part.lo, part.hi)
        return n

    return _write_text(out, write), part.ntype, nodes


def _tally(counts: dict[NodeType, int], n: int, ntype: NodeType | None, nodes: int) -> int:
    """Add a part's ``nodes`` of ``ntype`` to ``counts``; return its triple count ``n``."""
    if ntype is not None:
        counts[ntype] = counts.get(ntype, 0) + nodes
    return n


def _append_file(out: BinaryIO, path: str) -> None:
    """Append the file at ``path`` to ``out`` and delete it (in the kernel where ``out`` is a
    file descriptor that takes ``sendfile``: no copy through this process)."""
    with open(path, "rb") as src:
        size, done = os.fstat(src.fileno()).st_size, 0
        try:
            fd = out.fileno()
        except (AttributeError, OSError, io.UnsupportedOperation):
            fd = -1
        if fd >= 0:
            out.flush()
            try:
                while done < size:
                    sent = os.sendfile(fd, src.fileno(), done, size - done)
                    if not sent:
                        break
                    done += sent
            except OSError as exc:
                if exc.errno not in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
                    raise  # a full disk, a closed pipe: the caller's error
        src.seek(done)
        shutil.copyfileobj(src, out, 1 << 20)  # what sendfile could not send
    os.unlink(path)


_PART_STORE: Store | None = None  # a worker's own connection to the store


def _open_part_store(path: str) -> None:
    global _PART_STORE
    from kg.store import Store

    _PART_STORE = Store.open(path)  # which maps the database (Store.open's mmap_size)


def _worker_part(job: tuple[str, _Part, str]) -> tuple[int, NodeType | None, int, str]:
    """Write a part to the file ``job[2]`` in a worker: what :func:`_part` returns, and the path."""
    assert _PART_STORE is not None
    base, part, path = job
    with open(path, "wb") as fh:
        n, ntype, nodes = _part(_PART_STORE, base, part, fh)
    return n, ntype, nodes, path


@lru_cache(maxsize=1 << 12, typed=True)  # typed: 1.0 and True are equal keys otherwise
def _nt_other(value: Any) -> str | None:
    # floats (confidences: a few distinct values) and anything unusual, the slow exact way
    lit = _lit(value)
    return None if lit is None else nt_term(lit)


def _nt_value(value: Any) -> str | None:
    """``nt_term(_lit(value))`` (``None`` where ``_lit`` gives none), without the Lit."""
    kind = type(value)
    if kind is str:
        return _nt_string(value) if value else None
    if kind is int:
        return f'"{value}"^^<{XSD_INT}>'
    return None if value is None else _nt_other(value)


def _nt_literal(value: Any, datatype: str | None) -> str | None:
    """``nt_term(_lit(value, datatype))``, ``None`` where ``_lit`` gives none."""
    if datatype is None:
        return _nt_value(value)
    lit = _lit(value, datatype)
    return None if lit is None else nt_term(lit)


def _nt_string(text: str) -> str:
    """``nt_term(Lit(_clean(text)))``."""
    return '"' + _NEEDS_ESCAPE.sub(_escape_char, text if text.isascii() else _clean(text)) + '"'


def _node_lines(lines: list[str]) -> tuple[Any, Any]:
    """The writers of a node's head (types, id) and of its plain properties, appending
    N-Triples lines to ``lines``."""
    rdf_type, id_p, append = f"<{TYPE}>", f"<{_PROP['id']}>", lines.append

    def head(s: str, ntype: NodeType, node_id: str) -> None:
        append(f"{s} {rdf_type} <{_CLASS[ntype]}> .\n")
        if ntype in _ALIGNED:
            append(f"{s} {rdf_type} <{_ALIGNED[ntype]}> .\n")
        append(f"{s} {id_p} {_nt_string(node_id)} .\n")

    def properties(s: str, props: dict[str, Any], spec: list[tuple[str, str, str | None]]) -> None:
        for key, pred, datatype in spec:
            value = props.get(key)
            if value is None:
                continue
            if type(value) is str and datatype is None:  # most values: plain strings
                if value:
                    append(f"{s} {pred} {_nt_string(value)} .\n")
                continue
            for v in (dict.fromkeys(value) if isinstance(value, (list, tuple)) else (value,)):
                obj = _nt_literal(v, datatype)
                if obj is not None:
                    append(f"{s} {pred} {obj} .\n")

    return head, properties


def _property_spec(ntype: NodeType) -> list[tuple[str, str, str | None]]:
    return [(key, f"<{_PROP[key]}>", _DATATYPE.get(key))
            for key in NODE_PROPERTIES[ntype] if key not in _SKIP_PROPS]


def _entities_nt(store: Store, iri: Any, ntype: NodeType, out: TextIO, lo: str | None = None,
                 hi: str | None = None) -> tuple[int, int]:
    """The triples :func:`_nodes` gives for the entities of ``ntype`` with ids in ``[lo, hi)``,
    as N-Triples lines; returns the triple and the entity count."""
    label, pref, alt = (f"<{t}>" for t in (LABEL, PREF, ALT))
    name_p = f"<{_PROP['name']}>"
    n = nodes = 0
    lines: list[str] = []
    append = lines.append
    head, properties = _node_lines(lines)
    spec = _property_spec(ntype)
    for ent in _entities(store, ntype, lo, hi):
        nodes += 1
        s = "<" + iri(ent["id"]) + ">"
        head(s, ntype, ent["id"])
        name = _nt_string(ent["name"])
        append(f"{s} {name_p} {name} .\n")
        append(f"{s} {label} {name} .\n")
        append(f"{s} {pref} {name} .\n")
        for a in dict.fromkeys(ent.get("aliases") or ()):
            if a != ent["name"]:
                append(f"{s} {alt} {_nt_string(a)} .\n")
        properties(s, ent, spec)
        n += _flush(out, lines, 1024)
    return n + _flush(out, lines), nodes


def _papers_nt(store: Store, iri: Any, out: TextIO, lo: str | None = None,
               hi: str | None = None) -> tuple[int, int]:
    """The triples :func:`_nodes` gives for the papers with ids in ``[lo, hi)``, as N-Triples
    lines; returns the triple and the paper count."""
    label, see_also = f"<{LABEL}>", f"<{SEE_ALSO}>"
    n = nodes = 0
    lines: list[str] = []
    append = lines.append
    head, properties = _node_lines(lines)
    spec = _property_spec(NodeType.PAPER)
    for paper in _paper_dicts(store, lo, hi):
        nodes += 1
        s = "<" + iri(paper["id"]) + ">"
        head(s, NodeType.PAPER, paper["id"])
        properties(s, paper, spec)
        append(f"{s} {label} {_nt_string(paper['title'])} .\n")
        if paper["arxiv_id"]:
            append(f"{s} {see_also} <https://arxiv.org/abs/{_quote_path(paper['arxiv_id'])}> .\n")
        if paper["doi"]:
            append(f"{s} {see_also} <https://doi.org/{_quote_path(paper['doi'])}> .\n")
        n += _flush(out, lines, 1024)
    return n + _flush(out, lines), nodes


def _paper_dicts(store: Store, lo: str | None = None,
                 hi: str | None = None) -> Iterator[dict[str, Any]]:
    """``vars(paper)`` for ``store.iter_papers()`` (ids in ``[lo, hi)`` when given), read as
    plain tuples; of the list columns only those the export writes are decoded (as tuples, as
    :class:`~kg.model.Paper` holds them), the others are left out."""
    import json

    from kg.store.db import _LIST_COLS, _PAPER_COLS

    written = NODE_PROPERTIES[NodeType.PAPER].keys() - _SKIP_PROPS
    columns = [c for c in _PAPER_COLS if c not in _LIST_COLS or c in written]
    lists = [i for i, c in enumerate(columns) if c in _LIST_COLS]
    cur = store.conn.cursor()
    cur.row_factory = None
    where, params = _id_range("id", lo, hi)
    cur.execute(f"SELECT {', '.join(columns)} FROM papers WHERE 1{where} ORDER BY id", params)
    for row in cur:
        d = dict(zip(columns, row))
        for i in lists:
            d[columns[i]] = () if row[i] == "[]" else tuple(json.loads(row[i]))
        yield d


def _edges_nt(store: Store, base: str, iri: Any, out: TextIO, lo: str | None = None,
              hi: str | None = None) -> int:
    """The triples :func:`_edge` gives for the edges of the papers with ids in ``[lo, hi)``,
    as N-Triples lines; returns their count."""
    rels: dict[str, tuple[str, str, bool, bool]] = {}
    for rel in RelType:
        rels[rel.value] = ("<" + _REL[rel] + ">", rdf_property_name(rel), rel in _WITH_EVIDENCE,
                           rel is RelType.AUTHORED_BY)

    @lru_cache(maxsize=1 << 12)  # small: the export's memory stays flat
    def term(node_id: str) -> str:
        return "<" + iri(node_id) + ">"

    creator, ev_type = f" <{CREATOR}> ", f"> <{TYPE}> <{_CLASS_EVIDENCE}> .\n"
    r_subj, r_pred, r_obj = f"> <{R_SUBJ}> ", f"> <{R_PRED}> ", f"> <{R_OBJ}> "
    derived, generated = f"> <{DERIVED_FROM}> ", f"> <{GENERATED_BY}> <{base}void#extraction> .\n"
    preds = [f"> <{pred}> " for _, pred in _EVIDENCE]
    int_type = f'"^^<{XSD_INT}> .\n'
    ev_base = base + "evidence/"
    cur = store.conn.cursor()
    cur.row_factory = None  # plain tuples
    where, params = _id_range("paper_id", lo, hi)
    cur.execute('SELECT paper_id, rel, target, sentence, start, "end", field, rule, confidence, '
                f"count FROM edges WHERE 1{where} ORDER BY paper_id, rel, target",  # as iter_edges
                params)
    p_sent, p_start, p_end, p_field, p_rule, p_conf, p_count = preds
    n = 0
    lines: list[str] = []
    append = lines.append
    lits: dict[str, str] = {}  # recent strings: a paper's edges share sentences, fields, rules
    last = s = ev_source = ""
    for row in cur:
        source, rel_name, target, sentence, start, end, field, rule, conf, count = row
        spec = rels.get(rel_name)
        if spec is None:
            raise RdfError(f"edge {source} -> {target} has unknown type {rel_name!r}")
        p, prop, evidence, authored = spec
        if source != last:  # rows come by paper: its IRIs are made once
            last, s, ev_source = source, term(source), f"<{ev_base}{_encode_id(source)}/"
        o = term(target)
        if not evidence:
            append(f"{s} {p} {o} .\n{s}{creator}{o} .\n" if authored else f"{s} {p} {o} .\n")
            n += 2 if authored else 1
            continue
        ev = f"{ev_source}{prop}/{_encode_id(target)}"
        if type(sentence) is str and type(field) is str and type(rule) is str and sentence \
                and field and rule and type(start) is int and type(end) is int \
                and type(count) is int and type(conf) is float:
            # the usual edge, every evidence value present: one string for its 14 triples
            conf_nt = _nt_other(conf)
            if conf_nt is not None:
                sent_nt = lits.get(sentence) or _remember(lits, sentence)
                field_nt = lits.get(field) or _remember(lits, field)
                rule_nt = lits.get(rule) or _remember(lits, rule)
                append(f"{s} {p} {o} .\n{ev}{ev_type}{ev}{r_subj}{s} .\n{ev}{r_pred}{p} .\n"
                       f"{ev}{r_obj}{o} .\n{ev}{p_sent}{sent_nt} .\n"
                       f'{ev}{p_start}"{start}{int_type}{ev}{p_end}"{end}{int_type}'
                       f"{ev}{p_field}{field_nt} .\n{ev}{p_rule}{rule_nt} .\n"
                       f'{ev}{p_conf}{conf_nt} .\n{ev}{p_count}"{count}{int_type}'
                       f"{ev}{derived}{s} .\n{ev}{generated}")
                n += 14
                if len(lines) >= 1024:
                    _flush(out, lines)
                continue
        append(f"{s} {p} {o} .\n{ev}{ev_type}{ev}{r_subj}{s} .\n{ev}{r_pred}{p} .\n"
               f"{ev}{r_obj}{o} .\n")
        n += 5
        for pred, value in zip(preds, row[3:10]):
            kind = type(value)
            if kind is int:
                obj = f'"{value}"^^<{XSD_INT}>'
            elif kind is str:
                obj = lits.get(value)  # type: ignore[assignment]
                if obj is None:
                    obj = _remember(lits, value)
            elif value is None:
                continue
            else:
                obj = _nt_other(value)
            if obj:
                append(f"{ev}{pred}{obj} .\n")
                n += 1
        append(f"{ev}{derived}{s} .\n{ev}{generated}")
        n += 2
        _flush(out, lines, 1024)
    _flush(out, lines)
    return n


def _remember(lits: dict[str, str], value: str) -> str:
    """``_nt_value(value)`` ("" for no literal), kept in ``lits``, a small cache of the
    strings the last edges used (a paper's edges share sentences, fields and rules)."""
    if len(lits) > 256:
        lits.clear()
    obj = lits[value] = _nt_value(value) or ""
    return obj


def _applied_in_nt(store: Store, base: str, iri: Any, out: TextIO, lo: str | None = None,
                   hi: str | None = None) -> int:
    """The triples :func:`_applied_in` gives for the APPLIED_IN links from sources with ids in
    ``[lo, hi)``, as N-Triples lines; returns their count."""
    import json

    rel = RelType.APPLIED_IN
    p, prop = "<" + _REL[rel] + ">", rdf_property_name(rel)
    st_type = f"> <{TYPE}> <{STATEMENT}> .\n"
    r_subj, r_pred, r_obj = f"> <{R_SUBJ}> ", f"> <{R_PRED}> {p} .\n", f"> <{R_OBJ}> "
    preds = [(key, f"> <{pred}> ") for key, pred in _STATEMENT_PROPS]
    st_base = base + "statement/"
    n = 0
    lines: list[str] = []
    append = lines.append
    cur = store.conn.cursor()
    cur.row_factory = None
    where, params = _id_range("source", lo, hi)
    cur.execute(f"SELECT source, rel, target, props FROM links WHERE rel=?{where} "
                "ORDER BY source, rel, target", (rel.value, *params))  # iter_links(rel), as tuples
    last = s = st_source = ""
    loads = json.loads
    for source, _, target, props in cur:
        if source != last:  # rows come by source: its IRIs are made once
            last, s, st_source = source, f"<{iri(source)}>", f"<{st_base}{_encode_id(source)}/"
        o = "<" + iri(target) + ">"
        st = f"{st_source}{prop}/{_encode_id(target)}"
        append(f"{s} {p} {o} .\n{st}{st_type}{st}{r_subj}{s} .\n{st}{r_pred}{st}{r_obj}{o} .\n")
        n += 5
        values = loads(props)
        for key, pred in preds:
            obj = _nt_value(values.get(key))
            if obj is not None:
                append(f"{st}{pred}{obj} .\n")
                n += 1
        if len(lines) >= 1024:
            _flush(out, lines)
    _flush(out, lines)
    return n


# -- rdflib --------------------------------------------------------------------------------
def to_rdflib(term: Term) -> Any:
    """The rdflib term for a stream term."""
    from rdflib import BNode as RBNode, Literal, URIRef

    if type(term) is Lit:
        return Literal(term.value, lang=term.lang,
                       datatype=URIRef(term.datatype) if term.datatype else None)
    if type(term) is BNode:
        return RBNode(term)
    return URIRef(term)


def to_graph(stream: Iterator[Triple], graph: Any = None, base: str = DEFAULT_BASE_IRI) -> Any:
    """Add ``stream`` to ``graph`` (a new :class:`rdflib.Graph` by default) and return it.

    Binds :data:`PREFIXES` and one prefix per node type (``paper:`` is ``<base>paper/``).
    """
    from rdflib import Graph

    g = Graph() if graph is None else graph
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns, override=True)
    for ntype, prefix in ID_PREFIX.items():
        if ntype is not NodeType.DOMAIN:
            g.bind(prefix, base + prefix + "/", override=True)
    add = g.add
    for s, p, o in stream:
        add((to_rdflib(s), to_rdflib(p), to_rdflib(o)))
    return g


# -- files ---------------------------------------------------------------------------------
#: ``kg export rdf --format`` choices -> rdflib serializer names (nt is written by hand).
FORMATS: dict[str, str] = {"ttl": "turtle", "nt": "nt", "jsonld": "json-ld", "nq": "nquads"}


@cache
def jsonld_context() -> dict[str, Any]:
    """The JSON-LD context shipped in ``ontology/context.jsonld`` (never fetched)."""
    import json

    data: dict[str, Any] = json.loads(ontology_file("context.jsonld").read_text(encoding="utf-8"))
    return data["@context"]  # type: ignore[no-any-return]


def export(store: Store, out: BinaryIO, fmt: str, base: str = DEFAULT_BASE_IRI, *,
           jobs: int = 1) -> int:
    """Write the store's graph (and its VoID description) to ``out``; return the triple count.

    ``nt`` streams (memory does not grow with the graph), formatted by ``jobs`` processes
    (the same bytes for any ``jobs``); ``ttl``, ``jsonld`` and ``nq`` build an rdflib graph
    first (``jobs`` is not used). N-Quads holds only the default graph: kg uses no named graphs.
    """
    if fmt not in FORMATS:
        raise RdfError(f"unknown RDF format {fmt!r}; choose one of {', '.join(FORMATS)}")
    check_base_iri(base)
    if fmt == "nt":
        return write_store_ntriples(store, out, base, jobs=jobs)
    if fmt == "nq":
        from rdflib import Dataset

        graph = to_graph(triples(store, base), Dataset(), base)
    else:
        graph = to_graph(triples(store, base), None, base)
    kwargs: dict[str, Any] = {"context": jsonld_context(), "indent": 1} if fmt == "jsonld" else {}
    with warnings.catch_warnings():  # rdflib's N-Quads writer uses its own deprecated API
        warnings.filterwarnings("ignore", r"Dataset\.\w+ is deprecated", DeprecationWarning)
        graph.serialize(destination=out, format=FORMATS[fmt], encoding="utf-8", **kwargs)
    return len(graph)
