"""Cypher statement builders for Neo4j 5 and FalkorDB: pure functions that return strings.

Every statement writes batches of rows with ``UNWIND $rows AS row`` and ``MERGE`` keyed on the
``id`` property, so running it twice changes nothing. Labels, relationship types and property
names come only from :mod:`kg.schema` (:class:`~kg.schema.NodeType`, :class:`~kg.schema.RelType`,
:data:`~kg.schema.NODE_PROPERTIES`, :data:`~kg.schema.EVIDENCE_PROPERTIES`) and are written in
backticks; every value travels as a parameter, never in the statement text.

The write statements are the same in both dialects (the portable subset: ``MERGE`` each node,
then ``MERGE`` the relationship between them; ``date()``; lists). Only the schema differs:
Neo4j 5 gets uniqueness constraints, range indexes and full-text indexes
(:func:`schema_statements` with :attr:`Dialect.NEO4J`); FalkorDB gets its own ``CREATE INDEX``
and ``db.idx.fulltext.createNodeIndex`` statements, which must go over the Redis protocol (its
Bolt endpoint hangs on ``CREATE INDEX``), and a repeat of which fails with "already indexed".

>>> print(node_upsert(NodeType.TASK))
UNWIND $rows AS row MERGE (n:`Task` {id: row.id}) SET n.`name` = row.`name`, n.`aliases` = row.`aliases`
"""

from __future__ import annotations

from enum import Enum

from kg.schema import (
    ENTITY_TYPES,
    EVIDENCE_PROPERTIES,
    NODE_PROPERTIES,
    NodeType,
    RelType,
    SchemaError,
    relation_spec,
)

__all__ = [
    "Dialect",
    "LINK_PROPERTIES",
    "DATE_PROPERTIES",
    "quote",
    "node_properties",
    "relationship_properties",
    "node_upsert",
    "relationship_upsert",
    "node_append",
    "relationship_append",
    "schema_statements",
    "neo4j_schema_script",
    "write_statements",
]


class Dialect(str, Enum):
    """The server a statement is meant for."""

    NEO4J = "neo4j"
    FALKORDB = "falkordb"

    def __str__(self) -> str:
        return self.value


#: Properties of the entity->entity relationships (not in :mod:`kg.schema`, which gives only
#: the evidence properties of Paper->entity edges): the derived APPLIED_IN counts.
LINK_PROPERTIES: dict[RelType, dict[str, type]] = {
    RelType.APPLIED_IN: {"paper_count": int, "first_year": int, "last_year": int},
    RelType.BROADER: {},
}

#: Node properties that are stored as Cypher dates (sent as ISO ``YYYY-MM-DD`` strings).
DATE_PROPERTIES: frozenset[str] = frozenset({"date"})

_KNOWN_NAMES: frozenset[str] = frozenset(
    {t.value for t in NodeType} | {r.value for r in RelType}
    | {p for props in NODE_PROPERTIES.values() for p in props}
    | set(EVIDENCE_PROPERTIES)
    | {p for props in LINK_PROPERTIES.values() for p in props}
)


def quote(name: NodeType | RelType | str) -> str:
    """``name`` in backticks, if it is a label, type or property name of the schema.

    Anything else raises :class:`~kg.schema.SchemaError`: names never come from data.

    >>> quote(NodeType.CODE), quote("end")
    ('`CodeRepository`', '`end`')
    >>> quote("x` DETACH DELETE n //")
    Traceback (most recent call last):
    ...
    kg.schema.SchemaError: 'x` DETACH DELETE n //' is not a label, relationship type or property of the kg schema
    """
    value = name.value if isinstance(name, (NodeType, RelType)) else name
    if value not in _KNOWN_NAMES:
        raise SchemaError(f"{value!r} is not a label, relationship type or property of the kg schema")
    return "`" + value.replace("`", "``") + "`"


def node_properties(label: NodeType) -> tuple[str, ...]:
    """The properties written on a node of ``label`` besides ``id``, in schema order."""
    return tuple(p for p in NODE_PROPERTIES[label] if p != "id")


def relationship_properties(rel: RelType) -> tuple[str, ...]:
    """The properties written on a relationship of type ``rel``, in schema order.

    >>> relationship_properties(RelType.APPLIED_IN)
    ('paper_count', 'first_year', 'last_year')
    """
    if rel in LINK_PROPERTIES:
        return tuple(LINK_PROPERTIES[rel])
    return tuple(EVIDENCE_PROPERTIES) if relation_spec(rel).evidence else ()


def _value(prop: str) -> str:
    ref = f"row.{quote(prop)}"
    return f"date({ref})" if prop in DATE_PROPERTIES else ref


def node_upsert(label: NodeType, dialect: Dialect = Dialect.NEO4J) -> str:
    """Upsert a batch ``$rows`` of nodes of ``label``: one row per node, keyed on ``id``.

    Every property of the schema is set from the row (a missing or null value removes the
    property), so a re-export also brings changed nodes up to date.
    """
    sets = ", ".join(f"n.{quote(p)} = {_value(p)}" for p in node_properties(label))
    head = f"UNWIND $rows AS row MERGE (n:{quote(label)} {{id: row.id}})"
    return f"{head} SET {sets}" if sets else head


def relationship_upsert(rel: RelType, dialect: Dialect = Dialect.NEO4J) -> str:
    """Upsert a batch ``$rows`` of ``rel`` relationships with keys ``source`` and ``target``.

    Each endpoint is merged on its own (FalkorDB duplicates nodes when a whole path is merged),
    then the relationship; there is at most one ``rel`` between two nodes, as in the store.

    >>> print(relationship_upsert(RelType.BROADER))
    UNWIND $rows AS row MERGE (a:`Domain` {id: row.source}) MERGE (b:`Domain` {id: row.target}) MERGE (a)-[r:`BROADER`]->(b)
    """
    spec = relation_spec(rel)
    head = (f"UNWIND $rows AS row MERGE (a:{quote(spec.source)} {{id: row.source}}) "
            f"MERGE (b:{quote(spec.target)} {{id: row.target}}) MERGE (a)-[r:{quote(rel)}]->(b)")
    sets = ", ".join(f"r.{quote(p)} = row.{quote(p)}" for p in relationship_properties(rel))
    return f"{head} SET {sets}" if sets else head


def node_append(label: NodeType, prop: str, dialect: Dialect = Dialect.NEO4J) -> str:
    """Append ``$chunk`` (a string or a list) to property ``prop`` of the node ``$id``.

    Used for a value too large for one message: the upsert sets its first part, follow-up
    statements in the same transaction append the rest (see :mod:`kg.export.rows`).

    >>> print(node_append(NodeType.PAPER, "abstract"))
    MATCH (n:`Paper` {id: $id}) SET n.`abstract` = n.`abstract` + $chunk
    """
    if prop not in node_properties(label):
        raise SchemaError(f"{label.value} has no property {prop!r}")
    return f"MATCH (n:{quote(label)} {{id: $id}}) SET n.{quote(prop)} = n.{quote(prop)} + $chunk"


def relationship_append(rel: RelType, prop: str, dialect: Dialect = Dialect.NEO4J) -> str:
    """Append ``$chunk`` to property ``prop`` of the ``rel`` from ``$source`` to ``$target``."""
    if prop not in relationship_properties(rel):
        raise SchemaError(f"{rel.value} has no property {prop!r}")
    spec = relation_spec(rel)
    return (f"MATCH (a:{quote(spec.source)} {{id: $source}})-[r:{quote(rel)}]->"
            f"(b:{quote(spec.target)} {{id: $target}}) SET r.{quote(prop)} = r.{quote(prop)} + $chunk")


def _index_name(label: NodeType, prop: str) -> str:
    return f"{label.value.lower()}_{prop}"


#: Range indexes besides ``id``: the year of papers and the name of every entity.
_RANGE_INDEXES: tuple[tuple[NodeType, str], ...] = (
    (NodeType.PAPER, "year"),
    (NodeType.PAPER, "date"),
    *((t, "name") for t in ENTITY_TYPES),
)


def schema_statements(dialect: Dialect) -> list[str]:
    """Schema statements to run before the first write, for ``dialect``.

    Neo4j 5: a uniqueness constraint on ``id`` per label (it brings its own range index),
    range indexes on ``Paper.year``, ``Paper.date`` and entity names, and two full-text indexes
    (``paper_text`` over titles and abstracts, ``entity_names`` over names), all ``IF NOT EXISTS``.

    FalkorDB: ``CREATE INDEX`` on the same properties and full-text indexes through its
    procedure; FalkorDB has no ``IF NOT EXISTS``, so a repeat fails with "already indexed",
    which the caller tolerates.

    >>> schema_statements(Dialect.NEO4J)[0]
    'CREATE CONSTRAINT paper_id IF NOT EXISTS FOR (n:`Paper`) REQUIRE n.`id` IS UNIQUE'
    >>> schema_statements(Dialect.FALKORDB)[0]
    'CREATE INDEX FOR (n:`Paper`) ON (n.`id`)'
    """
    out: list[str] = []
    if dialect is Dialect.NEO4J:
        for label in NodeType:
            out.append(f"CREATE CONSTRAINT {_index_name(label, 'id')} IF NOT EXISTS "
                       f"FOR (n:{quote(label)}) REQUIRE n.`id` IS UNIQUE")
        for label, prop in _RANGE_INDEXES:
            out.append(f"CREATE INDEX {_index_name(label, prop)} IF NOT EXISTS "
                       f"FOR (n:{quote(label)}) ON (n.{quote(prop)})")
        out.append(f"CREATE FULLTEXT INDEX paper_text IF NOT EXISTS FOR (n:{quote(NodeType.PAPER)}) "
                   "ON EACH [n.`title`, n.`abstract`]")
        labels = "|".join(quote(t) for t in ENTITY_TYPES)
        out.append(f"CREATE FULLTEXT INDEX entity_names IF NOT EXISTS FOR (n:{labels}) "
                   "ON EACH [n.`name`]")
        return out
    for label in NodeType:
        out.append(f"CREATE INDEX FOR (n:{quote(label)}) ON (n.`id`)")
    for label, prop in _RANGE_INDEXES:
        out.append(f"CREATE INDEX FOR (n:{quote(label)}) ON (n.{quote(prop)})")
    # The procedure takes the label and properties as strings; they are schema names, quoted
    # above, and contain no quote characters.
    out.append(f"CALL db.idx.fulltext.createNodeIndex('{NodeType.PAPER.value}', 'title', 'abstract')")
    for label in ENTITY_TYPES:
        quote(label)
        out.append(f"CALL db.idx.fulltext.createNodeIndex('{label.value}', 'name')")
    return out


def neo4j_schema_script() -> str:
    """The Neo4j schema statements as a ``cypher-shell -f`` script (``constraints.cypher``)."""
    head = ("// kg schema for Neo4j 5: uniqueness constraints on id, range and full-text indexes.\n"
            "// Run after `neo4j-admin database import full`: cypher-shell -f constraints.cypher\n")
    return head + "".join(s + ";\n" for s in schema_statements(Dialect.NEO4J))


def write_statements(dialect: Dialect = Dialect.NEO4J) -> list[str]:
    """Every write statement kg sends, for linting: upserts and appends of every label and type."""
    out = [node_upsert(t, dialect) for t in NodeType]
    out += [relationship_upsert(r, dialect) for r in RelType]
    for t in NodeType:
        out += [node_append(t, p, dialect) for p in node_properties(t)
                if NODE_PROPERTIES[t][p] in (str, list) and p not in DATE_PROPERTIES]
    for r in RelType:
        out += [relationship_append(r, p, dialect) for p in relationship_properties(r)
                if EVIDENCE_PROPERTIES.get(p) is str]
    return out
