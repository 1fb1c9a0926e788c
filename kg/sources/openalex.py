"""OpenAlex works ("kg.openalex.v1"): JSON Lines, a JSON array, or an API page ``{"results": [...]}``.

Fields read: ``id`` (``https://openalex.org/W...``), ``doi`` (a ``https://doi.org/`` URL),
``title``/``display_name``, ``publication_date``, ``publication_year``,
``authorships[].author.display_name``, ``primary_topic``/``topics[].display_name`` (as
categories, primary first), ``abstract_inverted_index`` (the abstract, rebuilt by placing each
word at its positions), and the ``locations``' arXiv landing pages (as the arXiv id, so that
a work also read from arXiv gets the same paper id).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from kg.model import Paper, Reject
from kg.sources.base import normalize_arxiv_id, register
from kg.sources.jsonio import iter_json, json_keys, json_start
from kg.sources.records import (
    MAX_ABSTRACT_CHARS,
    BadRecord,
    as_date,
    as_object,
    as_text,
    as_year,
    build_paper,
    describe_type,
    papers_from,
)

__all__ = ["read", "sniff", "rebuild_abstract", "work_paper"]


def sniff(head: str, path: Path) -> bool:
    """Works: ``abstract_inverted_index``, ``publication_year`` or ``openalex.org/W`` ids.

    >>> sniff('{"results": [{"id": "https://openalex.org/W1", "display_name": "T"}]}', Path("x"))
    True
    """
    keys = json_keys(head)
    return json_start(head) in ("{", "[") and (
        bool(keys & {"abstract_inverted_index", "publication_year", "authorships"})
        or "https://openalex.org/W" in head)


def rebuild_abstract(index: object) -> str:
    """The abstract text from OpenAlex's ``{word: [positions]}``.

    >>> rebuild_abstract({"Deep": [0], "learning": [1, 3], "is": [2]})
    'Deep learning is learning'
    """
    if index is None:
        return ""
    if not isinstance(index, dict):
        raise BadRecord(f"'abstract_inverted_index' should be an object, got {describe_type(index)}")
    placed: list[tuple[int, str]] = []
    for word, positions in index.items():
        if not isinstance(positions, list) or not all(
                isinstance(p, int) and not isinstance(p, bool) and p >= 0 for p in positions):
            raise BadRecord(f"'abstract_inverted_index' positions of {word[:30]!r} should be a list "
                            "of non-negative integers")
        placed.extend((p, word) for p in positions)
        if len(placed) > MAX_ABSTRACT_CHARS // 2:
            raise BadRecord(f"'abstract_inverted_index' has over {MAX_ABSTRACT_CHARS // 2:,} words")
    placed.sort(key=lambda pw: pw[0])  # stable: a shared position keeps the index's order
    return " ".join(w for _, w in placed)


def _arxiv_from_locations(work: dict[str, Any]) -> str | None:
    locations = work.get("locations")
    candidates = [work.get("primary_location"), *(locations if isinstance(locations, list) else [])]
    for loc in candidates:
        if isinstance(loc, dict):
            for key in ("landing_page_url", "pdf_url"):
                url = loc.get(key)
                if isinstance(url, str) and "arxiv.org/" in url:
                    found = normalize_arxiv_id(url)
                    if found:
                        return found
    return None


def _topics(work: dict[str, Any]) -> tuple[str, ...]:
    raw = work.get("topics")
    topics: list[Any] = raw if isinstance(raw, list) else []
    items = [work.get("primary_topic"), *topics]
    names = [as_text(t.get("display_name"), "topics.display_name") for t in items if isinstance(t, dict)]
    return tuple(dict.fromkeys(n for n in names if n))


def _authors(work: dict[str, Any]) -> tuple[str, ...]:
    authorships = work.get("authorships")
    if authorships is None:
        return ()
    if not isinstance(authorships, list):
        raise BadRecord(f"'authorships' should be a list, got {describe_type(authorships)}")
    names: list[str] = []
    for a in authorships:
        author = a.get("author") if isinstance(a, dict) else None
        if isinstance(author, dict):
            names.append(as_text(author.get("display_name"), "author.display_name"))
    return tuple(dict.fromkeys(n for n in names if n))


def work_paper(raw: Any, source: str) -> Paper:
    """A paper from one OpenAlex work object."""
    work = as_object(raw, "work")
    title = as_text(work.get("title"), "title") or as_text(work.get("display_name"), "display_name")
    date, date_raw, year = as_date(work.get("publication_date"), "publication_date")
    oa_id = as_text(work.get("id"), "id").rsplit("/", 1)[-1]
    authors = _authors(work)
    return build_paper(
        source, title=title,
        abstract=as_text(rebuild_abstract(work.get("abstract_inverted_index")), "abstract"),
        date=date, date_raw=date_raw, year=year or as_year(work.get("publication_year"), "publication_year"),
        authors=authors, author_count=len(authors) or None, categories=_topics(work),
        doi=as_text(work.get("doi"), "doi") or None, arxiv_id=_arxiv_from_locations(work),
        source_id=oa_id or None, source_prefix="openalex")


@register("kg.openalex.v1", "OpenAlex works: JSON Lines, a JSON array or an API page "
          '{"results": [...]}', sniff, priority=10)
def read(path: Path) -> Iterator[Paper | Reject]:
    """Papers from OpenAlex works; see the module docstring for the fields read."""
    yield from papers_from(str(path), iter_json(path), work_paper)
