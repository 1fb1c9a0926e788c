"""Semantic Scholar Graph API papers ("kg.s2.v1").

One paper object, a JSON array, JSON Lines, or a search/batch page ``{"data": [...]}``.
Fields read: ``paperId``, ``externalIds{ArXiv, DOI}``, ``title``, ``abstract`` (else
``tldr.text``), ``year``, ``publicationDate``, ``authors[{name}]``, ``fieldsOfStudy`` and
``s2FieldsOfStudy[{category}]`` (as categories). The batch endpoint returns ``null`` for an id
it does not know: that record is a reject.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from kg.model import Paper, Reject
from kg.sources.base import register
from kg.sources.jsonio import iter_json, json_keys, json_start
from kg.sources.records import (
    BadRecord,
    as_date,
    as_labels,
    as_names,
    as_object,
    as_text,
    as_year,
    build_paper,
    papers_from,
)

__all__ = ["read", "sniff", "s2_paper"]


def sniff(head: str, path: Path) -> bool:
    """S2 papers: ``paperId``, ``externalIds`` or ``corpusId`` keys.

    >>> sniff('{"data": [{"paperId": "649def34", "title": "T"}]}', Path("x.json"))
    True
    """
    return json_start(head) in ("{", "[") and bool(json_keys(head) & {"paperId", "externalIds", "corpusId"})


def _fields_of_study(rec: dict[str, Any]) -> tuple[str, ...]:
    labels = list(as_labels(rec.get("fieldsOfStudy"), "fieldsOfStudy"))
    s2 = rec.get("s2FieldsOfStudy")
    if isinstance(s2, list):
        labels += [as_text(f.get("category"), "s2FieldsOfStudy.category") for f in s2 if isinstance(f, dict)]
    return tuple(dict.fromkeys(label for label in labels if label))


def s2_paper(raw: Any, source: str) -> Paper:
    """A paper from one S2 paper object.

    >>> p = s2_paper({"paperId": "649def34", "externalIds": {"ArXiv": "1706.03762"},
    ...               "title": "Attention Is All You Need", "year": 2017}, "f.json")
    >>> p.id, p.year
    ('paper/arxiv-1706.03762', 2017)
    """
    if raw is None:
        raise BadRecord("null record (the batch API returns null for an unknown id)")
    rec = as_object(raw, "paper")
    ext = rec.get("externalIds") or {}
    if not isinstance(ext, dict):
        raise BadRecord("'externalIds' should be an object")
    abstract = as_text(rec.get("abstract"), "abstract")
    tldr = rec.get("tldr")
    if not abstract and isinstance(tldr, dict):
        abstract = as_text(tldr.get("text"), "tldr.text")
    date, date_raw, year = as_date(rec.get("publicationDate"), "publicationDate")
    authors = as_names(rec.get("authors"), "authors")
    return build_paper(
        source, title=as_text(rec.get("title"), "title"), abstract=abstract,
        date=date, date_raw=date_raw, year=as_year(rec.get("year")) or year,
        authors=authors, author_count=len(authors) or None, categories=_fields_of_study(rec),
        doi=as_text(ext.get("DOI"), "externalIds.DOI") or None,
        arxiv_id=as_text(ext.get("ArXiv"), "externalIds.ArXiv") or None,
        source_id=as_text(rec.get("paperId"), "paperId") or None, source_prefix="s2")


@register("kg.s2.v1", "Semantic Scholar Graph API papers: one object, an array, JSON Lines or "
          '{"data": [...]}',
          sniff, priority=10)
def read(path: Path) -> Iterator[Paper | Reject]:
    """Papers from Semantic Scholar API JSON; see the module docstring for the fields read."""
    yield from papers_from(str(path), iter_json(path), s2_paper)
