"""The schema module and ontology/kg.ttl describe the same graph."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import OWL, RDF, RDFS, Graph, Namespace

from kg.schema import (
    EVIDENCE_PROPERTIES, NODE_PROPERTIES, ONTOLOGY_NS, RELATIONS, NodeType, RelType, SchemaError,
    make_id, rdf_datatype_property_name, rdf_property_name, validate_edge,
)

KG = Namespace(ONTOLOGY_NS)
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def onto() -> Graph:
    return Graph().parse(ROOT / "ontology" / "kg.ttl", format="turtle")


def test_every_node_type_is_a_class(onto: Graph) -> None:
    classes = {str(c) for c in onto.subjects(RDF.type, OWL.Class)}
    expected = {ONTOLOGY_NS + t.value for t in NodeType} | {ONTOLOGY_NS + "Evidence"}
    assert classes == expected


def test_every_relation_is_an_object_property_with_its_domain_and_range(onto: Graph) -> None:
    props = {str(p) for p in onto.subjects(RDF.type, OWL.ObjectProperty)}
    assert props == {ONTOLOGY_NS + rdf_property_name(r) for r in RelType}
    for spec in RELATIONS:
        p = KG[rdf_property_name(spec.type)]
        assert (p, RDFS.domain, KG[spec.source.value]) in onto, spec.type
        assert (p, RDFS.range, KG[spec.target.value]) in onto, spec.type


def test_every_property_is_a_datatype_property(onto: Graph) -> None:
    props = {str(p) for p in onto.subjects(RDF.type, OWL.DatatypeProperty)}
    names = {n for d in NODE_PROPERTIES.values() for n in d} | set(EVIDENCE_PROPERTIES)
    for name in names:
        assert ONTOLOGY_NS + rdf_datatype_property_name(name) in props, name


def test_validate_edge() -> None:
    validate_edge(NodeType.PAPER, RelType.USES, NodeType.METHOD)
    with pytest.raises(SchemaError, match="USES goes Paper->Method"):
        validate_edge(NodeType.PAPER, RelType.USES, NodeType.DATASET)


def test_ids_are_stable_and_typed() -> None:
    assert make_id(NodeType.METHOD, "Direct Preference Optimization") == \
        "method/direct-preference-optimization"
    assert make_id(NodeType.DATASET, "CIFAR-10") != make_id(NodeType.METHOD, "CIFAR-10")
    with pytest.raises(SchemaError):
        make_id(NodeType.TASK, "—")
