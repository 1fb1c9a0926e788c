"""The graph schema, defined once.

Every other part of kg (the store, the exporters, the ontology test) derives node labels,
relationship types and properties from this module. Labels and relationship types are never
taken from data.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import Enum

__all__ = [
    "NodeType",
    "RelType",
    "RelationSpec",
    "RELATIONS",
    "ENTITY_TYPES",
    "EVIDENCE_PROPERTIES",
    "NODE_PROPERTIES",
    "ID_PREFIX",
    "SchemaError",
    "make_id",
    "slugify",
    "relation_spec",
    "validate_edge",
    "ONTOLOGY_NS",
    "DEFAULT_BASE_IRI",
    "rdf_property_name",
    "rdf_datatype_property_name",
]


class SchemaError(ValueError):
    """An edge or node that the schema does not allow."""


class NodeType(str, Enum):
    """Node labels (Neo4j labels, RDF classes)."""

    PAPER = "Paper"
    METHOD = "Method"
    DATASET = "Dataset"
    TASK = "Task"
    DOMAIN = "Domain"
    AUTHOR = "Author"
    CODE = "CodeRepository"

    def __str__(self) -> str:
        return self.value


class RelType(str, Enum):
    """Relationship types (Neo4j types, RDF properties)."""

    PROPOSES = "PROPOSES"
    USES = "USES"
    COMPARES_WITH = "COMPARES_WITH"
    INTRODUCES = "INTRODUCES"
    EVALUATES_ON = "EVALUATES_ON"
    ADDRESSES = "ADDRESSES"
    IN_DOMAIN = "IN_DOMAIN"
    HAS_CODE = "HAS_CODE"
    AUTHORED_BY = "AUTHORED_BY"
    APPLIED_IN = "APPLIED_IN"
    BROADER = "BROADER"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class RelationSpec:
    """One allowed (source)-[type]->(target) pattern.

    ``evidence`` edges carry the mention that supports them (sentence, offsets, field, rule,
    confidence); ``derived`` edges are recomputed from other edges on every build.
    """

    type: RelType
    source: NodeType
    target: NodeType
    evidence: bool
    derived: bool
    comment: str


RELATIONS: tuple[RelationSpec, ...] = (
    RelationSpec(RelType.PROPOSES, NodeType.PAPER, NodeType.METHOD, True, False,
                 "The paper introduces this method."),
    RelationSpec(RelType.USES, NodeType.PAPER, NodeType.METHOD, True, False,
                 "The paper uses, builds on or compares against this existing method."),
    RelationSpec(RelType.COMPARES_WITH, NodeType.PAPER, NodeType.METHOD, True, False,
                 "The paper compares against this existing method (\"outperforms X\", \"unlike X\"); "
                 "it also USES it."),
    RelationSpec(RelType.INTRODUCES, NodeType.PAPER, NodeType.DATASET, True, False,
                 "The paper creates or releases this dataset or benchmark."),
    RelationSpec(RelType.EVALUATES_ON, NodeType.PAPER, NodeType.DATASET, True, False,
                 "The paper reports results on this existing dataset or benchmark."),
    RelationSpec(RelType.ADDRESSES, NodeType.PAPER, NodeType.TASK, True, False,
                 "The paper addresses or evaluates on this task."),
    RelationSpec(RelType.IN_DOMAIN, NodeType.PAPER, NodeType.DOMAIN, True, False,
                 "The paper belongs to this research domain."),
    RelationSpec(RelType.HAS_CODE, NodeType.PAPER, NodeType.CODE, True, False,
                 "The paper's code is in this repository."),
    RelationSpec(RelType.AUTHORED_BY, NodeType.PAPER, NodeType.AUTHOR, False, False,
                 "The paper is written by this author."),
    RelationSpec(RelType.APPLIED_IN, NodeType.METHOD, NodeType.DOMAIN, False, True,
                 "Derived: papers in this top-level domain (or a narrower one) propose or use this method."),
    RelationSpec(RelType.BROADER, NodeType.DOMAIN, NodeType.DOMAIN, False, False,
                 "The domain's broader domain in the taxonomy."),
)

#: Entity node types: everything a paper points to that has a name and aliases.
ENTITY_TYPES: tuple[NodeType, ...] = (
    NodeType.METHOD, NodeType.DATASET, NodeType.TASK, NodeType.DOMAIN,
    NodeType.AUTHOR, NodeType.CODE,
)

#: Properties that every evidence edge carries (name -> Python type).
EVIDENCE_PROPERTIES: dict[str, type] = {
    "sentence": str,
    "start": int,
    "end": int,
    "field": str,
    "rule": str,
    "confidence": float,
    "count": int,
}

_ENTITY_PROPS: dict[str, type] = {"id": str, "name": str, "aliases": list}

#: Node properties per label (name -> Python type); ``list`` means a list of strings.
NODE_PROPERTIES: dict[NodeType, dict[str, type]] = {
    NodeType.PAPER: {
        "id": str, "title": str, "abstract": str, "date": str, "year": int,
        "authors": list, "author_count": int, "categories": list, "doi": str,
        "arxiv_id": str, "source": str,
    },
    NodeType.METHOD: dict(_ENTITY_PROPS),
    NodeType.DATASET: dict(_ENTITY_PROPS),
    NodeType.TASK: dict(_ENTITY_PROPS),
    NodeType.DOMAIN: {**_ENTITY_PROPS, "top": str, "arxiv_categories": list},
    NodeType.AUTHOR: dict(_ENTITY_PROPS),
    NodeType.CODE: {**_ENTITY_PROPS, "url": str},
}

#: The id prefix of each node type: ids look like ``method/direct-preference-optimization``.
ID_PREFIX: dict[NodeType, str] = {
    NodeType.PAPER: "paper",
    NodeType.METHOD: "method",
    NodeType.DATASET: "dataset",
    NodeType.TASK: "task",
    NodeType.DOMAIN: "domain",
    NodeType.AUTHOR: "author",
    NodeType.CODE: "code",
}

_GREEK = str.maketrans({
    "α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "ε": "epsilon", "ζ": "zeta",
    "η": "eta", "θ": "theta", "ι": "iota", "κ": "kappa", "λ": "lambda", "μ": "mu", "ν": "nu",
    "ξ": "xi", "ο": "omicron", "π": "pi", "ρ": "rho", "σ": "sigma", "ς": "sigma", "τ": "tau",
    "υ": "upsilon", "φ": "phi", "χ": "chi", "ψ": "psi", "ω": "omega",
})
_NON_SLUG = re.compile(r"[^\w.+]+|_+")


def slugify(text: str) -> str:
    """Lower-case slug of ``text``: words joined by hyphens.

    Accents are dropped, Greek letters spelled out, letters of other scripts kept, every run
    of other characters (spaces, dashes of any kind, punctuation) becomes one hyphen.

    >>> slugify("Direct Preference Optimization")
    'direct-preference-optimization'
    >>> slugify("CIFAR-10")
    'cifar-10'
    >>> slugify("  Kullback–Leibler divergence ")
    'kullback-leibler-divergence'
    >>> slugify("β-VAE")
    'beta-vae'
    """
    if text.isascii():  # NFKD and the Greek table change nothing in ASCII
        norm = text.lower()
    else:
        norm = unicodedata.normalize("NFKD", text)
        norm = "".join(c for c in norm if not unicodedata.combining(c)).lower().translate(_GREEK)
    return _NON_SLUG.sub("-", norm).strip("-.")


def make_id(node_type: NodeType, key: str) -> str:
    """The stable id of a node: ``<prefix>/<slug of key>``.

    >>> make_id(NodeType.METHOD, "Direct Preference Optimization")
    'method/direct-preference-optimization'
    """
    slug = slugify(key)
    if not slug:
        raise SchemaError(f"cannot make an id for {node_type.value} from {key!r}: no letters or digits")
    return f"{ID_PREFIX[node_type]}/{slug}"


def relation_spec(rel: RelType) -> RelationSpec:
    """The spec of ``rel``."""
    for spec in RELATIONS:
        if spec.type is rel:
            return spec
    raise SchemaError(f"unknown relation {rel!r}")  # pragma: no cover - enums are closed


def validate_edge(source: NodeType, rel: RelType, target: NodeType) -> None:
    """Raise :class:`SchemaError` unless ``(source)-[rel]->(target)`` is in the schema."""
    spec = relation_spec(rel)
    if (spec.source, spec.target) != (source, target):
        raise SchemaError(
            f"{source.value}-[{rel.value}]->{target.value} is not in the schema; "
            f"{rel.value} goes {spec.source.value}->{spec.target.value}"
        )


#: Namespace of kg's own vocabulary (``ontology/kg.ttl``); instance IRIs live under
#: :data:`DEFAULT_BASE_IRI` + the node id.
ONTOLOGY_NS = "https://w3id.org/kg/ontology#"
DEFAULT_BASE_IRI = "https://w3id.org/kg/"


def rdf_property_name(rel: RelType) -> str:
    """The local name of a relation's RDF property: ``EVALUATES_ON`` -> ``evaluatesOn``.

    >>> rdf_property_name(RelType.EVALUATES_ON)
    'evaluatesOn'
    """
    head, *rest = rel.value.lower().split("_")
    return head + "".join(w.capitalize() for w in rest)


def rdf_datatype_property_name(name: str) -> str:
    """The local name of a node or evidence property: ``author_count`` -> ``authorCount``.

    >>> rdf_datatype_property_name("arxiv_id")
    'arxivId'
    """
    head, *rest = name.split("_")
    return head + "".join(w.capitalize() for w in rest)
