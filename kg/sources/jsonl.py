"""Generic JSON paper records ("kg.json.v1"): JSON Lines, a JSON array, or one object.

Fields (all optional except a title or an abstract): ``id, title, abstract`` (or ``summary``),
``year, date, authors`` (a list or a string ``"A, B and C"``), ``categories`` (a list or a
space- or ``;``-separated string), ``doi, arxiv_id, code_urls``, ``author_count``.

An ``id`` that is an arXiv id (or a DOI) is used as one. Any other ``id`` is only a file-local
label (``"1"``, ``"P001"``...): two files could use it for different papers, so the paper id then
comes from the title, and the ``id`` is used only for a record that has no title.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from kg.model import Paper, Reject
from kg.sources.base import normalize_arxiv_id, normalize_doi, register
from kg.sources.jsonio import iter_json, json_keys, json_start
from kg.sources.records import (
    as_count,
    as_date,
    as_labels,
    as_names,
    as_object,
    as_text,
    as_year,
    build_paper,
    papers_from,
)

__all__ = ["read", "sniff", "paper_from_record"]

NAME = "kg.json.v1"


def sniff(head: str, path: Path) -> bool:
    """JSON (lines, array or object) whose records have a ``title``, ``abstract`` or ``summary``.

    >>> sniff('{"id": "1", "title": "A"}', Path("x.txt"))
    True
    """
    return json_start(head) in ("{", "[") and bool(json_keys(head) & {"title", "abstract", "summary"})


def _record_id(value: object) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return as_text(value, "id")


def paper_from_record(raw: Any, source: str, *, prefix: str = "json") -> Paper:
    """A paper from one generic record (a dict of the fields above).

    >>> p = paper_from_record({"id": "arXiv:2106.15928v2", "title": "A", "authors": "X, Y and Z"}, "f")
    >>> p.id, p.authors
    ('paper/arxiv-2106.15928', ('X', 'Y', 'Z'))
    """
    rec = as_object(raw)
    rid = _record_id(rec.get("id"))
    title = as_text(rec.get("title"), "title")
    key = "abstract" if rec.get("abstract") not in (None, "") else "summary"
    abstract = as_text(rec.get(key), key)
    date, date_raw, year = as_date(rec.get("date"))
    code_urls = as_labels(rec.get("code_urls"), "code_urls")
    return build_paper(
        source, title=title, abstract=abstract, date=date, date_raw=date_raw,
        year=as_year(rec.get("year")) or year,
        authors=as_names(rec.get("authors"), "authors"),
        author_count=as_count(rec.get("author_count"), "author_count"),
        categories=as_labels(rec.get("categories"), "categories"),
        doi=as_text(rec.get("doi"), "doi") or normalize_doi(rid),
        arxiv_id=as_text(rec.get("arxiv_id"), "arxiv_id") or normalize_arxiv_id(rid),
        code_urls=code_urls,
        source_id=rid if not title else None, source_prefix=prefix)


@register(NAME, "JSON Lines or a JSON array of {id, title, abstract|summary, year, date, authors, "
          "categories, doi, arxiv_id, code_urls}", sniff, priority=80)
def read(path: Path) -> Iterator[Paper | Reject]:
    """Papers from a generic JSON file; see the module docstring for the fields."""
    yield from papers_from(str(path), iter_json(path), paper_from_record)
