"""Loading kg's gazetteers, blocklist and domain taxonomy from ``ontology/``.

Gazetteers are JSON Lines (``ontology/gazetteers/{methods,datasets,tasks}.jsonl``), one entry
per line: ``{"id", "name", "type", "aliases", "case_sensitive", "source", "source_id", "url",
"licence"}``. The domain taxonomy is the SKOS scheme in ``ontology/domains.ttl``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from kg.link.normalize import canonical_key
from kg.resources import ontology_file
from kg.schema import NodeType, make_id

__all__ = ["GazetteerEntry", "Concept", "Lexicon", "load_lexicon", "load_taxonomy"]

SKOS = "http://www.w3.org/2004/02/skos/core#"
KG_NS = "https://w3id.org/kg/ontology#"


@dataclass(frozen=True)
class GazetteerEntry:
    """A known name: its canonical name, type, aliases and where it came from."""

    id: str
    name: str
    type: NodeType
    aliases: tuple[str, ...]
    case_sensitive: bool
    source: str
    url: str | None = None

    @property
    def entity_id(self) -> str:
        return make_id(self.type, canonical_key(self.name))


@dataclass(frozen=True)
class Concept:
    """A domain of the SKOS taxonomy."""

    id: str  # kg id, ``domain/<slug>``
    iri: str
    name: str
    top: str  # prefLabel of its top concept (itself for a top concept)
    top_id: str
    broader: str | None
    labels: tuple[str, ...]  # altLabels
    cues: tuple[str, ...]  # hiddenLabels: words that signal the domain
    arxiv: tuple[str, ...] = ()
    arxiv_weak: tuple[str, ...] = ()


@dataclass
class Lexicon:
    entries: list[GazetteerEntry] = field(default_factory=list)
    generic: frozenset[str] = frozenset()


_TYPES = {"Method": NodeType.METHOD, "Dataset": NodeType.DATASET, "Task": NodeType.TASK}


def _read_gazetteer(path: Path) -> list[GazetteerEntry]:
    out = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            d = json.loads(line)
            out.append(GazetteerEntry(
                id=d["id"], name=d["name"], type=_TYPES[d["type"]],
                aliases=tuple(d.get("aliases") or ()),
                case_sensitive=bool(d.get("case_sensitive")), source=d.get("source", ""),
                url=d.get("url")))
    return out


@cache
def load_lexicon() -> Lexicon:
    """The shipped gazetteers and blocklist (cached)."""
    entries: list[GazetteerEntry] = []
    for name in ("methods", "datasets", "tasks"):
        path = ontology_file("gazetteers", f"{name}.jsonl")
        if path.exists():
            entries.extend(_read_gazetteer(path))
    generic: set[str] = set()
    gpath = ontology_file("gazetteers", "generic.txt")
    if gpath.exists():
        for line in gpath.read_text(encoding="utf-8").splitlines():
            line = line.split("#", 1)[0].strip().lower()
            if line:
                generic.add(line)
    return Lexicon(entries, frozenset(generic))


def _slug_from_iri(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1]


@cache
def load_taxonomy() -> dict[str, Concept]:
    """``{kg domain id: Concept}`` from ``ontology/domains.ttl`` (cached)."""
    from rdflib import Graph, Literal, Namespace, URIRef
    from rdflib.namespace import SKOS as SK

    g = Graph()
    g.parse(ontology_file("domains.ttl"), format="turtle")
    kg = Namespace(KG_NS)

    def labels(s: URIRef, p: URIRef) -> tuple[str, ...]:
        vals = sorted({str(o) for o in g.objects(s, p) if isinstance(o, Literal)})
        return tuple(vals)

    concepts: dict[str, tuple[URIRef, str, URIRef | None]] = {}
    from rdflib.namespace import RDF

    for s in set(g.subjects(RDF.type, SK.Concept)):
        if not isinstance(s, URIRef):
            continue
        pref = labels(s, SK.prefLabel)
        broader = next((b for b in g.objects(s, SK.broader) if isinstance(b, URIRef)), None)
        concepts[str(s)] = (s, pref[0] if pref else _slug_from_iri(str(s)), broader)
    out: dict[str, Concept] = {}
    for iri, (s, name, broader) in concepts.items():
        top_iri = iri
        seen = set()
        while concepts[top_iri][2] is not None and top_iri not in seen:
            seen.add(top_iri)
            top_iri = str(concepts[top_iri][2])
        cid = f"domain/{_slug_from_iri(iri)}"
        out[cid] = Concept(
            id=cid, iri=iri, name=name, top=concepts[top_iri][1],
            top_id=f"domain/{_slug_from_iri(top_iri)}",
            broader=f"domain/{_slug_from_iri(str(broader))}" if broader is not None else None,
            labels=labels(s, SK.altLabel), cues=labels(s, SK.hiddenLabel),
            arxiv=labels(s, kg.arxivCategory), arxiv_weak=labels(s, kg.arxivCategoryWeak))
    return dict(sorted(out.items()))
