"""The graph as a Cypher script that ``cypher-shell -f`` loads into an empty Neo4j database.

The script holds the Neo4j schema statements (constraints and indexes, from
:func:`kg.export.cypher.schema_statements`) and then, batch by batch, the same upserts that
``kg export neo4j`` sends over Bolt, with ``$rows`` replaced by the batch written as a Cypher
list literal (:func:`literal`). Every statement ends with ``;`` and sits on its own line (line
breaks inside values are escaped), so it runs in cypher-shell, in Neo4j Browser and through
``apoc.cypher.runFile``. Loading it twice changes nothing (``MERGE`` on ``id``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, TextIO

from kg.errors import KGError
from kg.export.cypher import Dialect, schema_statements
from kg.export.rows import node_batches, relationship_batches
from kg.schema import NodeType, RelType

__all__ = ["LiteralError", "ScriptReport", "literal", "string_literal", "write_script"]

_ROWS = "UNWIND $rows AS row "
_ESCAPES = {"\\": "\\\\", "'": "\\'", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b",
            "\f": "\\f"}


class LiteralError(KGError):
    """A value that has no Cypher literal (a NaN, an infinity, an unknown type)."""


def string_literal(text: str) -> str:
    r"""``text`` as a single-quoted Cypher string literal, on one line.

    Backslash, quote and line breaks get their escapes; other control characters and the
    Unicode line separators become ``\uXXXX``; everything else is kept as is (UTF-8).

    >>> print(string_literal("it's a\\b\nc // {x} `y`"))
    'it\'s a\\b\nc // {x} `y`'
    """
    out = []
    for ch in text:
        esc = _ESCAPES.get(ch)
        if esc is None and (ord(ch) < 0x20 or ch in "\x7f\u2028\u2029\x85"):
            esc = f"\\u{ord(ch):04x}"
        out.append(esc or ch)
    return "'" + "".join(out) + "'"


def literal(value: Any) -> str:
    """``value`` (a row value: None, bool, int, float, str, list or dict) as a Cypher literal.

    Map keys are written in backticks, so any key is safe.

    >>> literal({"id": "a'b", "year": 2024, "aliases": ["x", None], "confidence": 0.5})
    "{`id`: 'a\\\\'b', `year`: 2024, `aliases`: ['x', null], `confidence`: 0.5}"
    """
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise LiteralError(f"{value!r} has no Cypher literal")
        return repr(value)
    if isinstance(value, str):
        return string_literal(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(literal(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"`{str(k).replace('`', '``')}`: {literal(v)}"
                               for k, v in value.items()) + "}"
    raise LiteralError(f"a {type(value).__name__} has no Cypher literal")


@dataclass
class ScriptReport:
    """What :func:`write_script` wrote: statements, and rows per label and type."""

    statements: int = 0
    nodes: dict[str, int] = field(default_factory=dict)
    relationships: dict[str, int] = field(default_factory=dict)


def _inline(text: str, params: dict[str, Any]) -> str:
    if not text.startswith(_ROWS) or set(params) != {"rows"}:
        raise ValueError(f"not an UNWIND $rows statement: {text[:60]!r}")
    return f"UNWIND {literal(params['rows'])} AS row {text[len(_ROWS):]}"


def write_script(store: Any, out: TextIO, *, batch_size: int = 500) -> ScriptReport:
    """Write the script of ``store`` (a :class:`kg.store.Store`) to ``out``.

    Schema first, then nodes label by label, then relationships type by type, in statements
    of at most ``batch_size`` rows.
    """
    report = ScriptReport()
    out.write("// kg knowledge graph for Neo4j 5: cypher-shell -f THIS_FILE (into an empty database\n"
              "// or over an earlier kg export: every statement merges on id).\n"
              "// 1. uniqueness constraints and indexes\n")
    for text in schema_statements(Dialect.NEO4J):
        out.write(text + ";\n")
        report.statements += 1
    kinds: list[tuple[NodeType | RelType, Any, dict[str, int]]] = [
        *((t, node_batches(store, t, batch_size=batch_size), report.nodes) for t in NodeType),
        *((r, relationship_batches(store, r, batch_size=batch_size), report.relationships)
          for r in RelType)]
    for kind, batches, into in kinds:
        header = False
        for batch in batches:
            if not header:
                out.write(f"// {kind.value}\n")
                header = True
            for st in batch.statements:
                out.write(_inline(st.text, st.params) + ";\n")
                report.statements += 1
            into[kind.value] = into.get(kind.value, 0) + batch.rows
    return report
