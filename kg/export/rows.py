"""Store records as row dicts for the Cypher upserts, and batches cut by rows and by bytes.

Rows are plain dicts whose keys are schema property names (:mod:`kg.export.cypher`): a node
row has ``id`` and every property of its label (``None`` where unknown), a relationship row has
``source``, ``target`` and the properties of its type. Lists stay lists, dates stay ISO strings
(the statements turn them into Cypher dates), years and counts stay ints.

A batch (one transaction) holds at most ``batch_size`` rows; with a byte limit its rows are
spread over several statements, each cut by size (:func:`statement_size`): the larger of the
exact PackStream size of the Bolt ``RUN`` message that carries it and of the statement with its
parameters written out as Cypher literals (FalkorDB's Bolt endpoint rewrites parameters into
query text, in a buffer of about 4 KB, and crashes beyond it), plus a margin. No statement is
over ``max_bytes``.

A single row larger than ``max_bytes`` is not truncated and does not fail: its largest string and
list values are moved out of the row and sent by follow-up statements in the same transaction
(:func:`~kg.export.cypher.node_append`), each message again within ``max_bytes``; the property
ends up exactly as in the store. Only a row that cannot be cut that way (its id alone, or one
list element, too large) raises :class:`RowTooLarge`, which names the record.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from kg.errors import KGError
from kg.export.cypher import (
    DATE_PROPERTIES,
    node_append,
    node_properties,
    node_upsert,
    relationship_append,
    relationship_properties,
    relationship_upsert,
)
from kg.export.sizes import (
    MESSAGE_MARGIN,
    header_size,
    literal_size,
    packstream_size,
    run_message_size,
    statement_size,
)
from kg.model import Paper
from kg.schema import NodeType, RelType

__all__ = [
    "Row",
    "Statement",
    "Batch",
    "RowTooLarge",
    "UnmatchableKey",
    "FALKORDB_MAX_KEY_BYTES",
    "falkordb_key_problem",
    "MESSAGE_MARGIN",
    "paper_row",
    "entity_row",
    "relationship_row",
    "node_rows",
    "relationship_rows",
    "packstream_size",
    "run_message_size",
    "literal_size",
    "statement_size",
    "falkordb_bolt_escape",
    "escape_strings",
    "split_row",
    "batch_rows",
    "statements_of",
    "node_batches",
    "relationship_batches",
]

Row = dict[str, Any]


@dataclass(frozen=True)
class Statement:
    """One Cypher statement and its parameters."""

    text: str
    params: dict[str, Any]


@dataclass(frozen=True)
class Batch:
    """Statements to run in one transaction, writing ``rows`` rows of ``kind``."""

    kind: NodeType | RelType
    rows: int
    statements: tuple[Statement, ...]


class RowTooLarge(KGError):
    """A row that cannot be sent in messages of at most ``max_bytes`` bytes."""

    def __init__(self, record: str, what: str, size: int, max_bytes: int) -> None:
        super().__init__(
            f"{record}: {what} needs a {size:,}-byte message, over the {max_bytes:,}-byte "
            "limit (--max-batch-bytes); raise the limit")
        self.record = record
        self.size = size
        self.max_bytes = max_bytes




# -- rows ---------------------------------------------------------------------------------
def paper_row(paper: Paper) -> Row:
    """The row of a Paper node: ``id`` and every Paper property of the schema.

    >>> paper_row(Paper(id="paper/x", title="T", abstract="A", year=2024, authors=("a", "b")))["authors"]
    ['a', 'b']
    """
    row: Row = {"id": paper.id}
    for prop in node_properties(NodeType.PAPER):
        value = getattr(paper, prop)
        row[prop] = list(value) if isinstance(value, tuple) else value
    return row


def entity_row(label: NodeType, entity: dict[str, Any]) -> Row:
    """The row of an entity node from :meth:`kg.store.Store.iter_entities` (schema properties only)."""
    row: Row = {"id": entity["id"]}
    for prop in node_properties(label):
        value = entity.get(prop)
        row[prop] = list(value) if isinstance(value, (list, tuple)) else value
    return row


def relationship_row(rel: RelType, edge: dict[str, Any]) -> Row:
    """The row of a relationship from :meth:`~kg.store.Store.iter_edges` or ``iter_links``."""
    row: Row = {"source": edge["source"], "target": edge["target"]}
    for prop in relationship_properties(rel):
        row[prop] = edge.get(prop)
    return row


def node_rows(store: Any, label: NodeType) -> Iterator[Row]:
    """Rows of every node of ``label`` in ``store`` (a :class:`kg.store.Store`), ordered by id."""
    if label is NodeType.PAPER:
        for paper in store.iter_papers():
            yield paper_row(paper)
    else:
        for entity in store.iter_entities(label):
            yield entity_row(label, entity)


def relationship_rows(store: Any, rel: RelType) -> Iterator[Row]:
    """Rows of every ``rel`` relationship in ``store``."""
    edges = store.iter_links(rel) if rel in (RelType.APPLIED_IN, RelType.BROADER) else store.iter_edges(rel)
    for edge in edges:
        yield relationship_row(rel, edge)


# -- batches ------------------------------------------------------------------------------
Escape = Callable[[str], str]


def falkordb_bolt_escape(text: str) -> str:
    r"""Escape a string parameter for FalkorDB's Bolt endpoint.

    FalkorDB 4.16 pastes Bolt string parameters into a single-quoted Cypher literal without
    escaping them: a ``'`` makes the query fail ("unexpected error") and ``\b`` arrives as a
    backspace. Escaping ``\`` and ``'`` first makes every string arrive intact (except NUL,
    which ends a string in FalkorDB).

    >>> print(falkordb_bolt_escape("it's a\\b"))
    it\'s a\\b
    """
    return text.replace("\\", "\\\\").replace("'", "\\'")


def escape_strings(value: Any, escape: Escape | None) -> Any:
    """``value`` with ``escape`` applied to every string in it (lists and dict values too)."""
    if escape is None:
        return value
    if isinstance(value, str):
        return escape(value)
    if isinstance(value, list):
        return [escape_strings(v, escape) for v in value]
    if isinstance(value, dict):
        return {k: escape_strings(v, escape) for k, v in value.items()}
    return value


class UnmatchableKey(KGError):
    """A node id that the target server's index would not find again (see :func:`falkordb_key_problem`)."""


#: FalkorDB 4.16's range index does not find a string of this many UTF-8 bytes or more.
FALKORDB_MAX_KEY_BYTES = 4096


def falkordb_key_problem(key: str) -> str | None:
    """Why FalkorDB's index would not find ``key`` again, or None when it would.

    FalkorDB 4.16's range index (which kg creates on ``id``) does not match a string that
    starts or ends with ASCII whitespace, or that has 4096 UTF-8 bytes or more: ``MERGE`` on
    such an id creates a new node every time. kg's own ids (:func:`kg.schema.make_id`) never
    have that shape; a hand-made store might.

    >>> falkordb_key_problem("method/x"), falkordb_key_problem("method/x ")
    (None, 'it ends with whitespace')
    """
    if key != key.lstrip(" \t\n\r\x0b\x0c"):
        return "it starts with whitespace"
    if key != key.rstrip(" \t\n\r\x0b\x0c"):
        return "it ends with whitespace"
    if len(key.encode("utf-8")) >= FALKORDB_MAX_KEY_BYTES:
        return f"it has {FALKORDB_MAX_KEY_BYTES:,} bytes or more"
    return None


KeyCheck = Callable[[str], "str | None"]


def _check_keys(kind: NodeType | RelType, row: Row, check: KeyCheck) -> None:
    for key in ("id",) if "id" in row else ("source", "target"):
        problem = check(row[key])
        if problem is not None:
            raise UnmatchableKey(
                f"{_describe(kind, row)}: the id {_short(row[key])} cannot be exported to "
                f"FalkorDB: {problem}, and its index would not find the node again "
                "(a second export would duplicate it)")


def _short(value: Any, limit: int = 100) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit - 4] + "...'"


def _describe(kind: NodeType | RelType, row: Row) -> str:
    if "id" in row:
        return f"{kind.value} {_short(row['id'])}"
    return f"{kind.value} {_short(row.get('source'))} -> {_short(row.get('target'))}"


def _cut_string(value: str, budget: int, escape: Escape | None) -> list[str]:
    """``value`` cut into pieces whose (escaped) UTF-8 encoding is at most ``budget`` bytes."""
    pieces: list[str] = []
    start, size = 0, 0
    for i, ch in enumerate(value):
        n = len((escape(ch) if escape else ch).encode("utf-8"))
        if size + n > budget:
            pieces.append(value[start:i])
            start, size = i, 0
        size += n
    pieces.append(value[start:])
    return pieces


def _cut_list(value: list[Any], budget: int, escape: Escape | None) -> list[list[Any]] | None:
    pieces: list[list[Any]] = [[]]
    size = 0
    for item in value:
        n = packstream_size(escape_strings(item, escape))
        if n > budget:
            return None
        if size + n > budget and pieces[-1]:
            pieces.append([])
            size = 0
        pieces[-1].append(item)
        size += n
    return pieces


def split_row(kind: NodeType | RelType, text: str, row: Row, max_bytes: int,
              append: Callable[[str], str], escape: Escape | None = None) -> list[Statement]:
    """Statements that write one oversize ``row`` in messages of at most ``max_bytes``.

    The upsert carries the row with its largest string and list values emptied; for each of
    them, ``append(prop)`` statements add the value back piece by piece. Sizes are those of
    the parameters after ``escape``; pieces are cut before escaping, so an escape sequence is
    never split.
    """
    def size_of(stmt: str, params: dict[str, Any]) -> int:
        return statement_size(stmt, escape_strings(params, escape))

    key = {"id": row["id"]} if "id" in row else {"source": row["source"], "target": row["target"]}
    head = dict(row)
    keys = ("id",) if "id" in row else ("source", "target")  # Paper has a `source` property
    movable = sorted((p for p, v in row.items() if p not in keys
                      and p not in DATE_PROPERTIES and isinstance(v, (str, list)) and v),
                     key=lambda p: -packstream_size(escape_strings(row[p], escape)))
    moved: list[str] = []
    for prop in movable:
        if size_of(text, {"rows": [head]}) <= max_bytes:
            break
        head[prop] = "" if isinstance(row[prop], str) else []
        moved.append(prop)
    size = size_of(text, {"rows": [head]})
    if size > max_bytes:
        raise RowTooLarge(_describe(kind, row), "its id and fixed-size properties", size, max_bytes)
    out = [Statement(text, escape_strings({"rows": [head]}, escape))]
    for prop in moved:
        stmt = append(prop)
        empty = "" if isinstance(row[prop], str) else []
        # The empty chunk has a 1-byte header; a full one needs up to 5.
        budget = max_bytes - size_of(stmt, {**key, "chunk": empty}) - 4
        value = row[prop]
        pieces: list[Any] | None
        if isinstance(value, str):
            pieces = _cut_string(value, budget, escape) if budget >= 16 else None
        else:
            pieces = _cut_list(value, budget, escape) if budget >= 16 else None
        if pieces is None:
            raise RowTooLarge(_describe(kind, row), f"a part of {prop!r}",
                              size_of(stmt, {**key, "chunk": value}), max_bytes)
        out += [Statement(stmt, escape_strings({**key, "chunk": piece}, escape)) for piece in pieces]
    return out


def batch_rows(kind: NodeType | RelType, text: str, rows: Iterable[Row], *, batch_size: int,
               max_bytes: int | None = None, append: Callable[[str], str] | None = None,
               escape: Escape | None = None,
               key_check: KeyCheck | None = None) -> Iterator[Batch]:
    """Cut ``rows`` into batches (transactions) of ``text`` (an ``UNWIND $rows`` statement).

    A batch has at most ``batch_size`` rows. When ``max_bytes`` is given, its rows are spread
    over as many statements as needed for each to be at most ``max_bytes`` bytes
    (:func:`statement_size`): the message limit bounds statements, not transactions, so a small
    limit does not multiply the transactions. A row too large on its own is written by the
    statements of :func:`split_row` (``append`` gives the append statement of a property),
    inside the same batch. ``escape`` is applied to every string parameter (see
    :func:`falkordb_bolt_escape`), and sizes are those of the escaped parameters.
    ``key_check`` (such as :func:`falkordb_key_problem`) vets every id first and
    :class:`UnmatchableKey` names the first row it refuses.
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, not {batch_size}")
    # Sizes of the statement with an empty list, less the list itself.
    ps_base = run_message_size(text, {"rows": []}) - 1
    lit_base = statement_size(text, {"rows": []}) - 2 if max_bytes is not None else 0

    def size_of(n: int, ps_sum: int, lit_sum: int) -> int:
        return max(ps_base + header_size(n) + ps_sum, lit_base + 2 + lit_sum + 2 * max(n - 1, 0))

    statements: list[Statement] = []
    current: list[Row] = []
    count = ps_sum = lit_sum = 0
    for raw in rows:
        if count >= batch_size:
            if current:
                statements.append(Statement(text, {"rows": current}))
            yield Batch(kind, count, tuple(statements))
            statements, current, count, ps_sum, lit_sum = [], [], 0, 0, 0
        if key_check is not None:
            _check_keys(kind, raw, key_check)
        row = escape_strings(raw, escape)
        ps = packstream_size(row)
        lit = literal_size(row) if max_bytes is not None else 0
        if max_bytes is not None and size_of(len(current) + 1, ps_sum + ps, lit_sum + lit) > max_bytes:
            if current:
                statements.append(Statement(text, {"rows": current}))
                current, ps_sum, lit_sum = [], 0, 0
            if size_of(1, ps, lit) > max_bytes:
                if append is None:
                    raise RowTooLarge(_describe(kind, raw), "the row", size_of(1, ps, lit), max_bytes)
                statements += split_row(kind, text, raw, max_bytes, append, escape)
                count += 1
                continue
        current.append(row)
        count += 1
        ps_sum += ps
        lit_sum += lit
    if current:
        statements.append(Statement(text, {"rows": current}))
    if count:
        yield Batch(kind, count, tuple(statements))


def node_batches(store: Any, label: NodeType, *, batch_size: int, max_bytes: int | None = None,
                 escape: Escape | None = None,
                 key_check: KeyCheck | None = None) -> Iterator[Batch]:
    """Batches that upsert every ``label`` node of ``store``."""
    return batch_rows(label, node_upsert(label), node_rows(store, label), batch_size=batch_size,
                      max_bytes=max_bytes, append=lambda p: node_append(label, p), escape=escape,
                      key_check=key_check)


def relationship_batches(store: Any, rel: RelType, *, batch_size: int,
                         max_bytes: int | None = None,
                         escape: Escape | None = None,
                         key_check: KeyCheck | None = None) -> Iterator[Batch]:
    """Batches that upsert every ``rel`` relationship of ``store``."""
    return batch_rows(rel, relationship_upsert(rel), relationship_rows(store, rel),
                      batch_size=batch_size, max_bytes=max_bytes,
                      append=lambda p: relationship_append(rel, p), escape=escape,
                      key_check=key_check)


def statements_of(batches: Iterable[Batch]) -> Sequence[Statement]:
    """All statements of ``batches``, in order (for tests and scripts)."""
    return [s for b in batches for s in b.statements]
