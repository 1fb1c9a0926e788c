"""CSV paper tables ("kg.csv.v1").

A header row, then one paper per row. Columns (ECOSYSTEM.md's canonical set, any order, case
and surrounding spaces ignored): ``id, title, abstract`` (or ``summary``), and optionally
``authors, year, date, doi, arxiv_id, categories, code_urls, source``; other columns are
ignored. Multi-valued fields are ``;``-joined, as in Neo4j's array delimiter. The ``id`` is
treated as in :mod:`kg.sources.jsonl` (an arXiv id or DOI is used; other ids are file-local).

A row with fewer or more fields than the header is a reject naming its line; so is a row an
unbalanced quote ran on from (the reason says which lines it swallowed).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from kg.model import Paper, Reject
from kg.sources.base import register
from kg.sources.jsonl import paper_from_record
from kg.sources.records import MAX_ABSTRACT_CHARS, excerpt, papers_from

__all__ = ["read", "sniff", "FIELD_LIMIT"]

#: csv's own per-field limit (131,072 by default, process-wide) is raised to this, so that an
#: oversized abstract reaches the clearer length check of
#: :data:`~kg.sources.records.MAX_ABSTRACT_CHARS` instead of csv's error.
FIELD_LIMIT = 64 * MAX_ABSTRACT_CHARS


def _header(line: str) -> list[str]:
    try:
        row = next(csv.reader([line]), [])
    except csv.Error:
        return []
    return [c.strip().lstrip("\ufeff").lower() for c in row]


def sniff(head: str, path: Path) -> bool:
    """A header row with a ``title`` column and an ``id``, ``abstract`` or ``summary`` column.

    >>> sniff("id,title,abstract\\n1,A,B\\n", Path("x.txt"))
    True
    """
    if head.lstrip("\ufeff \t\r\n")[:1] in ("{", "[", "<", "@"):
        return False
    cols = set(_header(head.lstrip("\ufeff").split("\n", 1)[0]))
    return "title" in cols and bool(cols & {"id", "abstract", "summary", "doi", "arxiv_id"})


def _record(header: list[str], row: list[str]) -> dict[str, Any]:
    rec: dict[str, Any] = {}
    for name, value in zip(header, row):
        if not value.strip():
            continue
        if name == "authors" and ";" in value:  # "Last, First; ..." must not split on commas
            rec[name] = [v for v in (p.strip() for p in value.split(";")) if v]
        else:
            rec[name] = value  # categories and code_urls split on ';' or spaces downstream
    return rec


def _rows(path: Path, source: str) -> Iterator[Reject | tuple[str, Any]]:
    text = path.read_bytes().decode("utf-8", "surrogateescape").lstrip("\ufeff")
    csv.field_size_limit(max(csv.field_size_limit(), FIELD_LIMIT))
    reader = csv.reader(io.StringIO(text, newline=""))
    header: list[str] | None = None
    done = 0  # lines consumed so far
    while True:
        start = done + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as err:
            done = reader.line_num
            reason = f"CSV error: {err}"
            if "field limit" in str(err):
                reason = (f"a field is longer than {FIELD_LIMIT:,} characters (abstracts over "
                          f"{MAX_ABSTRACT_CHARS:,} characters are rejected anyway)")
            yield Reject(source, f"line {start}", reason)
            continue
        done = reader.line_num
        span = f"line {start}" if done == start else f"lines {start}-{done}"
        if header is None:
            header = [c.strip().lower() for c in row]
            if not {"title", "abstract", "summary"} & set(header):
                yield Reject(source, "line 1",
                             f"the header has no 'title' or 'abstract' column: {row!r:.200}")
                return
            continue
        if not row or not any(c.strip() for c in row):
            continue
        if len(row) != len(header):
            hint = " (an unbalanced quote may have joined these lines)" if done != start else ""
            yield Reject(source, f"line {start}", f"the row has {len(row)} fields but the header has "
                         f"{len(header)}; {span}{hint}", excerpt(",".join(row)))
            continue
        yield f"line {start}", _record(header, row)


@register("kg.csv.v1", "CSV with a header: id, title, abstract[, authors, year, date, doi, arxiv_id, "
          "categories] (multi-valued fields ';'-joined)", sniff, priority=30)
def read(path: Path) -> Iterator[Paper | Reject]:
    """Papers from a CSV table; see the module docstring for the columns."""
    yield from papers_from(str(path), _rows(path, str(path)),
                           lambda rec, src: paper_from_record(rec, src, prefix="csv"))

