"""CSV files for ``neo4j-admin database import full``: the fast first load of a large graph.

One file per label (``nodes/Paper.csv``) and per relationship type
(``relationships/USES.csv``), each with its header on the first line:

- nodes: ``id:ID(Paper)`` (each label is its own ID space, and the id is kept in the ``id``
  property), the schema's properties with their types (``year:int``, ``date:date``,
  ``aliases:string[]``, ``confidence:float``), then ``:LABEL``;
- relationships: ``:START_ID(Paper)``, ``:END_ID(Method)``, the properties, then ``:TYPE``.

Fields are comma-separated and quoted only when needed (``"`` doubled inside; newlines kept
inside quotes, hence ``--multiline-fields=true``). A null, an empty string and an empty list
are all an empty field, which neo4j-admin stores as no property.

Arrays are joined with ``;``. neo4j-admin has no escape for the array delimiter, so when an
element contains ``;`` (an author "C; D", an alias "a;b"), the files are written again with the
first of ``|`` and U+001F that no element contains, and the import command says so
(``--array-delimiter``): elements always arrive intact.
"""

from __future__ import annotations

import csv
import shlex
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg.errors import KGError
from kg.export.cypher import (
    DATE_PROPERTIES,
    LINK_PROPERTIES,
    neo4j_schema_script,
    node_properties,
    relationship_properties,
)
from kg.export.rows import node_rows, relationship_rows
from kg.schema import EVIDENCE_PROPERTIES, NODE_PROPERTIES, NodeType, RelType, relation_spec

__all__ = [
    "CsvExport",
    "CsvExportError",
    "ARRAY_DELIMITERS",
    "node_header",
    "relationship_header",
    "export_csv",
]

#: Array delimiters in order of preference; the first that no array element contains is used.
ARRAY_DELIMITERS: tuple[str, ...] = (";", "|", "\x1f")


class CsvExportError(KGError):
    """The CSV files cannot be written."""


_TYPES: dict[type, str] = {str: "", int: ":int", float: ":float", list: ":string[]"}


def _typed(name: str, py: type) -> str:
    return name + (":date" if name in DATE_PROPERTIES else _TYPES[py])


def node_header(label: NodeType) -> list[str]:
    """The header fields of the node file of ``label``.

    >>> node_header(NodeType.METHOD)
    ['id:ID(Method)', 'name', 'aliases:string[]', ':LABEL']
    """
    props = NODE_PROPERTIES[label]
    return ([f"id:ID({label.value})"] + [_typed(p, props[p]) for p in node_properties(label)]
            + [":LABEL"])


def relationship_header(rel: RelType) -> list[str]:
    """The header fields of the relationship file of ``rel``.

    >>> relationship_header(RelType.APPLIED_IN)
    [':START_ID(Method)', ':END_ID(Domain)', 'paper_count:int', 'first_year:int', 'last_year:int', ':TYPE']
    """
    spec = relation_spec(rel)
    types = {**EVIDENCE_PROPERTIES, **LINK_PROPERTIES.get(rel, {})}
    return ([f":START_ID({spec.source.value})", f":END_ID({spec.target.value})"]
            + [_typed(p, types[p]) for p in relationship_properties(rel)] + [":TYPE"])


@dataclass
class CsvExport:
    """What :func:`export_csv` wrote: files relative to ``out`` and their row counts."""

    out: Path
    array_delimiter: str = ";"
    nodes: dict[str, tuple[str, int]] = field(default_factory=dict)
    relationships: dict[str, tuple[str, int]] = field(default_factory=dict)

    def import_command(self, root: str | None = None, database: str = "neo4j") -> str:
        """The ``neo4j-admin`` command that loads the files from ``root`` (default: ``out``)."""
        base = str(self.out) if root is None else root
        delim = self.array_delimiter
        delim_arg = f"U+{ord(delim):04X}" if not delim.isprintable() else delim
        parts = ["neo4j-admin", "database", "import", "full", "--overwrite-destination",
                 "--id-type=string", f"--array-delimiter={delim_arg}", "--multiline-fields=true"]
        parts += [f"--nodes={base}/{f}" for f, _ in self.nodes.values()]
        parts += [f"--relationships={base}/{f}" for f, _ in self.relationships.values()]
        parts.append(database)
        return " ".join(shlex.quote(p) for p in parts)


def _cell(value: Any, delimiter: str) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return delimiter.join(str(v) for v in value)
    return str(value)


def _records(store: Any) -> Iterator[tuple[str, list[str], str, Iterator[list[Any]]]]:
    """(file, header, label or type, rows as lists of values) for every non-empty file."""
    for label in NodeType:
        props = node_properties(label)
        yield (f"nodes/{label.value}.csv", node_header(label), label.value,
               ([r["id"], *(r[p] for p in props), label.value] for r in node_rows(store, label)))
    for rel in RelType:
        props = relationship_properties(rel)
        yield (f"relationships/{rel.value}.csv", relationship_header(rel), rel.value,
               ([r["source"], r["target"], *(r[p] for p in props), rel.value]
                for r in relationship_rows(store, rel)))


def _write(store: Any, out: Path, delimiter: str) -> tuple[CsvExport, set[str]]:
    """Write every file with ``delimiter``; also return the candidate delimiters seen in arrays."""
    result = CsvExport(out, delimiter)
    seen: set[str] = set()
    for name, header, kind, rows in _records(store):
        path = out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        count = 0
        with path.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(header)
            for values in rows:
                for v in values:
                    if isinstance(v, list):
                        seen.update(d for d in ARRAY_DELIMITERS if any(d in str(x) for x in v))
                writer.writerow([_cell(v, delimiter) for v in values])
                count += 1
        if count == 0:
            path.unlink()  # an empty file would still need its ID space; leave it out
            continue
        target = result.nodes if name.startswith("nodes/") else result.relationships
        target[kind] = (name, count)
    return result, seen


def export_csv(store: Any, out: str | Path) -> CsvExport:
    """Write the neo4j-admin import files of ``store`` into directory ``out``.

    Besides the CSV files, ``out`` gets ``constraints.cypher`` (the schema to create after the
    import) and ``README.txt`` (how to run the import).
    """
    root = Path(out)
    try:
        root.mkdir(parents=True, exist_ok=True)
        result, seen = _write(store, root, ARRAY_DELIMITERS[0])
        if ARRAY_DELIMITERS[0] in seen:
            free = [d for d in ARRAY_DELIMITERS if d not in seen]
            if not free:
                raise CsvExportError(
                    "array elements contain every usable array delimiter (; | U+001F); "
                    "neo4j-admin cannot import them intact")
            result, _ = _write(store, root, free[0])
        (root / "constraints.cypher").write_text(neo4j_schema_script(), encoding="utf-8")
        (root / "README.txt").write_text(readme_text(result), encoding="utf-8")
    except OSError as exc:
        raise CsvExportError(f"cannot write the CSV files in {root}: {exc}") from exc
    return result


def readme_text(result: CsvExport) -> str:
    """The README.txt written beside the files."""
    files = "\n".join(f"  {f:<40} {n:>10,} rows"
                      for f, n in [*result.nodes.values(), *result.relationships.values()])
    delim = result.array_delimiter
    shown = repr(delim) if delim.isprintable() else f"U+{ord(delim):04X}"
    return f"""kg graph for neo4j-admin database import full
=============================================

Files (header on the first line of each; one ID space per label):
{files}

Array properties (aliases, authors, categories, arxiv_categories) are joined with {shown}.
Dates are ISO dates (date:date); years and counts are integers; confidence is a float.

1. Stop the database (the import writes an offline database and replaces it).
2. Import (paths as seen by neo4j-admin; in the Docker image this directory is /import):

   {result.import_command(root="/import")}

   With kg's docker/docker-compose.yml, copy this directory to docker/import/ and run:

   docker compose run --rm neo4j {result.import_command(root="/import")}

3. Start the database, then create the constraints and indexes
   (neo4j-admin creates none):

   cypher-shell -u neo4j -p "$NEO4J_PASSWORD" -f /import/constraints.cypher

Later updates: run `kg export neo4j --uri bolt://...`; it merges on id and changes only what
changed.
"""
