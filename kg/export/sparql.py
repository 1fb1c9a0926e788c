"""Reading kg's RDF back: an embedded SPARQL 1.1 store, query parameters, SHACL validation.

SPARQL runs on pyoxigraph (Oxigraph's Rust engine, in memory): loading the hf-daily-papers
export and answering a query takes a fraction of a second, where rdflib's engine needs
several. Parameters follow ``queries/README.md``: ``--param method=method/transformer`` turns
the kg id into its IRI and binds ``?method`` with a ``VALUES`` block placed first in the
query's outermost ``WHERE`` group, so the same ``.rq`` file runs unchanged on any SPARQL
endpoint (paste the ``VALUES`` line or leave the variable free).

SHACL validation uses pyshacl with ``ontology/shapes.ttl``. pyshacl's own ``rdfs`` mode runs
owlrl, which needs half a minute on the seed graph; :func:`validate` instead adds
``ontology/kg.ttl`` to the data graph, computes the RDFS sub-property and sub-class
entailments (rules rdfs5, rdfs7, rdfs9, rdfs11) with SPARQL updates in Oxigraph, and runs
pyshacl without inference on the result (seconds instead of half a minute). Domain and
range entailments (rdfs2, rdfs3) are left out on purpose: they would turn every range
violation into an inferred type, so ``sh:class`` range checks could never fail.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from kg.errors import KGError
from kg.export.rdf import node_iri, triples, write_ntriples
from kg.resources import ontology_file
from kg.schema import DEFAULT_BASE_IRI

if TYPE_CHECKING:
    from kg.store import Store

__all__ = [
    "SparqlError", "RdfFileError", "Result", "Violation", "ValidationReport", "OUTPUT_FORMATS",
    "load_store", "load_file", "bind_parameters", "run_query", "format_result", "validate",
]

OUTPUT_FORMATS = ("table", "json", "csv")
_XSD = "http://www.w3.org/2001/XMLSchema#"
_INTEGERS = {_XSD + t for t in ("integer", "int", "long", "short", "nonNegativeInteger",
                                "positiveInteger", "unsignedInt")}
_FLOATS = {_XSD + t for t in ("decimal", "double", "float")}
_EXTENSIONS = {".nt": ox.RdfFormat.N_TRIPLES, ".nq": ox.RdfFormat.N_QUADS,
               ".ttl": ox.RdfFormat.TURTLE, ".trig": ox.RdfFormat.TRIG, ".n3": ox.RdfFormat.N3,
               ".jsonld": ox.RdfFormat.JSON_LD, ".json": ox.RdfFormat.JSON_LD,
               ".rdf": ox.RdfFormat.RDF_XML, ".owl": ox.RdfFormat.RDF_XML,
               ".xml": ox.RdfFormat.RDF_XML}


class SparqlError(KGError):
    """A query that cannot run: bad syntax or a bad parameter."""


class RdfFileError(KGError):
    """An RDF file that cannot be read or parsed."""


# -- loading -------------------------------------------------------------------------------
def load_store(store: Store, base: str = DEFAULT_BASE_IRI) -> ox.Store:
    """An in-memory Oxigraph store holding the kg store's RDF export (default graph)."""
    buf = io.StringIO()
    write_ntriples(triples(store, base), buf)
    ox_store = ox.Store()
    # lenient: the stream's IRIs and literals are valid by construction (tests parse every
    # export strictly); skipping Oxigraph's re-validation saves a third of the load time.
    ox_store.load(buf.getvalue().encode("utf-8"), format=ox.RdfFormat.N_TRIPLES, lenient=True)
    return ox_store


def load_file(path: str | Path) -> ox.Store:
    """An in-memory Oxigraph store holding the RDF file ``path`` (format from its extension)."""
    p = Path(path)
    fmt = _EXTENSIONS.get(p.suffix.lower())
    if fmt is None:
        raise RdfFileError(f"{p}: unknown RDF file extension {p.suffix!r}; "
                           f"use one of {', '.join(sorted(_EXTENSIONS))}")
    ox_store = ox.Store()
    try:
        with p.open("rb") as fh:
            ox_store.load(fh, format=fmt)
    except OSError as exc:
        raise RdfFileError(f"cannot read {p}: {exc.strerror or exc}") from exc
    except (SyntaxError, ValueError) as exc:
        raise RdfFileError(f"{p} is not valid {fmt.name}: {exc}") from exc
    return ox_store


# -- queries -------------------------------------------------------------------------------
# Skips strings, IRIs and comments so that only a real ``WHERE {`` / ``{`` is found.
_TOKENS = re.compile(
    r"""'''.*?'''|\"\"\".*?\"\"\"|'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|<[^<>"{}|^`\\\s]*>"""
    r"""|\#[^\n]*|(?P<where>\bWHERE\s*\{)|(?P<brace>\{)""",
    re.IGNORECASE | re.DOTALL)
_VAR_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def bind_parameters(query: str, params: dict[str, str], base: str = DEFAULT_BASE_IRI) -> str:
    """``query`` with each parameter bound by a ``VALUES`` block (values are kg ids).

    >>> q = "SELECT ?name WHERE { ?m <urn:name> ?name }"
    >>> bind_parameters(q, {"m": "method/bert"})
    'SELECT ?name WHERE { VALUES ?m { <https://w3id.org/kg/method/bert> } ?m <urn:name> ?name }'
    """
    if not params:
        return query
    where = brace = None
    for m in _TOKENS.finditer(query):
        if m.group("where") and where is None:
            where = m.end()
        elif m.group("brace") and brace is None:
            brace = m.end()
    at = where if where is not None else brace
    if at is None:
        raise SparqlError("cannot bind parameters: the query has no WHERE group")
    values = []
    for name, value in params.items():
        if not _VAR_NAME.fullmatch(name):
            raise SparqlError(f"parameter name {name!r} is not a SPARQL variable name")
        if not re.search(rf"[?$]{name}\b", query):
            raise SparqlError(f"the query has no variable ?{name} to bind; "
                              f"its variables: {', '.join(sorted(_variables(query))) or 'none'}")
        iri = node_iri(value, base)
        values.append(f"VALUES ?{name} {{ <{iri}> }}")
    return f"{query[:at]} {' '.join(values)}{query[at:]}"


def _variables(query: str) -> set[str]:
    return set(re.findall(r"[?$]([A-Za-z_][A-Za-z0-9_]*)", query))


@dataclass
class Result:
    """A query's answer: ``columns`` and ``rows`` of Python values (``None`` when unbound).

    ASK queries have ``boolean``; CONSTRUCT and DESCRIBE queries have ``ntriples``.
    """

    columns: list[str] = field(default_factory=list)
    rows: list[tuple[Any, ...]] = field(default_factory=list)
    boolean: bool | None = None
    ntriples: str | None = None


def run_query(ox_store: ox.Store, query: str) -> Result:
    """Run a SPARQL 1.1 query; raise :class:`SparqlError` on a syntax or evaluation error."""
    try:
        answer = ox_store.query(query)
    except SyntaxError as exc:
        raise SparqlError(f"SPARQL syntax error: {exc}") from exc
    except (OSError, ValueError, TypeError) as exc:
        raise SparqlError(f"the query failed: {exc}") from exc
    if isinstance(answer, ox.QueryBoolean):
        return Result(boolean=bool(answer))
    if isinstance(answer, ox.QueryTriples):
        return Result(ntriples="".join(f"{t} .\n" for t in answer))
    columns = [v.value for v in answer.variables]
    rows = [tuple(_value(sol[c]) for c in columns) for sol in answer]
    return Result(columns, rows)


def _value(term: Any) -> Any:
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return term.value
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Literal):
        dt = term.datatype.value
        try:
            if dt in _INTEGERS:
                return int(term.value)
            if dt in _FLOATS:
                return float(term.value)
        except ValueError:
            return term.value
        if dt == _XSD + "boolean":
            return term.value in ("true", "1")
        return term.value
    return str(term)


def format_result(result: Result, fmt: str = "table") -> str:
    """``result`` as an aligned ``table``, a ``json`` array of objects, or ``csv``."""
    if result.boolean is not None:
        return json.dumps(result.boolean) + "\n"
    if result.ntriples is not None:
        return result.ntriples
    if fmt == "json":
        rows = [dict(zip(result.columns, row)) for row in result.rows]
        return json.dumps(rows, ensure_ascii=False, indent=2) + "\n"
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(result.columns)
        writer.writerows([["" if v is None else v for v in row] for row in result.rows])
        return out.getvalue()
    if fmt != "table":
        raise SparqlError(f"unknown output format {fmt!r}; choose one of {', '.join(OUTPUT_FORMATS)}")
    cells = [result.columns] + [["" if v is None else _one_line(v) for v in row] for row in result.rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(result.columns))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines) + f"\n({len(result.rows)} row{'s' if len(result.rows) != 1 else ''})\n"


def _one_line(value: Any) -> str:
    text = str(value).replace("\r", " ").replace("\n", " ")
    return text if len(text) <= 120 else text[:117] + "..."


# -- SHACL ---------------------------------------------------------------------------------
# rdfs5+7 (sub-properties), then rdfs9+11 (sub-classes). Not rdfs2/rdfs3: inferring types
# from domains and ranges would make every sh:class range check pass vacuously (the object
# of kg:uses would *become* a kg:Method instead of being reported).
_RDFS_RULES = (
    "INSERT { ?s ?q ?o } WHERE { ?p rdfs:subPropertyOf+ ?q . ?s ?p ?o }",
    "INSERT { ?s a ?d } WHERE { ?c rdfs:subClassOf+ ?d . ?s a ?c }",
)


@dataclass(frozen=True)
class Violation:
    """One SHACL result, in the prefixed form people read."""

    severity: str
    focus: str
    path: str
    message: str
    value: str = ""

    def describe(self) -> str:
        lines = [f"{self.severity}: {self.focus}", f"  path:    {self.path or '-'}"]
        if self.value:
            lines.append(f"  value:   {self.value}")
        lines.append(f"  message: {self.message}")
        return "\n".join(lines)


@dataclass
class ValidationReport:
    conforms: bool
    violations: list[Violation]
    triples: int


def validate(path: str | Path, *, inference: str = "rdfs") -> ValidationReport:
    """Validate an RDF file against ``ontology/shapes.ttl`` (pyshacl).

    ``inference`` is ``rdfs`` (entailments of ``kg.ttl`` first, see the module docstring)
    or ``none``. Raises :class:`RdfFileError` if the file cannot be read or parsed.
    """
    import pyshacl
    from rdflib import Graph

    data = load_file(path)
    n = len(data)
    data.load(path=str(ontology_file("kg.ttl")), format=ox.RdfFormat.TURTLE)
    if inference == "rdfs":
        for rule in _RDFS_RULES:
            data.update("PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> " + rule)
    elif inference != "none":
        raise KGError(f"unknown inference {inference!r}; choose rdfs or none")
    graph = _to_rdflib(data, Graph())
    shapes = Graph().parse(ontology_file("shapes.ttl"), format="turtle")
    conforms, results, _ = pyshacl.validate(graph, shacl_graph=shapes, inference="none",
                                            abort_on_first=False, allow_warnings=True)
    return ValidationReport(bool(conforms), _violations(results, graph), n)


def _to_rdflib(data: ox.Store, graph: Any) -> Any:
    """The default graph of ``data`` in ``graph`` (40% faster than dumping and parsing)."""
    from rdflib import BNode, Literal, URIRef

    iris: dict[str, Any] = {}

    def conv(term: Any) -> Any:
        if isinstance(term, ox.NamedNode):
            got = iris.get(term.value)
            if got is None:
                got = iris[term.value] = URIRef(term.value)
            return got
        if isinstance(term, ox.BlankNode):
            return BNode(term.value)
        if term.language:
            return Literal(term.value, lang=term.language)
        dt = term.datatype.value
        return Literal(term.value, datatype=None if dt == _XSD + "string" else conv(term.datatype))

    add = graph.add
    for q in data.quads_for_pattern(None, None, None, ox.DefaultGraph()):
        add((conv(q.subject), conv(q.predicate), conv(q.object)))
    return graph


def _violations(results: Any, data: Any) -> list[Violation]:
    from rdflib import Namespace
    from rdflib.namespace import RDF

    from kg.export.rdf import PREFIXES

    sh = Namespace("http://www.w3.org/ns/shacl#")
    nm = data.namespace_manager
    for prefix, ns in PREFIXES.items():
        nm.bind(prefix, ns, override=True)

    def show(term: Any) -> str:
        if term is None:
            return ""
        try:
            return str(term.n3(nm))
        except Exception:  # a path given as a blank-node list, or an odd term
            return str(term)

    out = []
    for r in results.subjects(RDF.type, sh.ValidationResult):
        sev = results.value(r, sh.resultSeverity)
        out.append(Violation(
            severity=str(sev).rsplit("#", 1)[-1] if sev is not None else "Violation",
            focus=show(results.value(r, sh.focusNode)), path=show(results.value(r, sh.resultPath)),
            message=str(results.value(r, sh.resultMessage) or results.value(r, sh.sourceConstraintComponent)),
            value=show(results.value(r, sh.value))))
    # A node of two classes meets a shared property shape twice: report it once.
    return sorted(set(out), key=lambda v: (v.focus, v.path, v.message, v.value))
