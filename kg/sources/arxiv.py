"""arXiv records: daily listings, the OAI metadata snapshot, and API Atom feeds.

Three formats:

``kg.arxiv-listing.v1``
    JSON Lines of listing entries ``{id, categories (list), pdf, abs, authors (list), title,
    comment, summary}``. A listing has no date, so ``date`` stays None; ``year`` is the year the
    arXiv id was issued (``2510.08589`` -> 2025), i.e. the year of the first version, which can
    be older than the listing (a replaced or cross-listed old paper).
``kg.arxiv-oai.v1``
    JSON Lines of the OAI snapshot (Kaggle ``arxiv-metadata-oai-snapshot.json``). ``date`` is
    the first version's ``created`` date; authors come from ``authors_parsed`` as "First Last
    Suffix" (the ``authors`` string keeps LaTeX accents such as ``Bal\\'azs``).
``kg.arxiv-atom.v1``
    The arXiv API's Atom feed (``<feed><entry><id>http://arxiv.org/abs/...``), parsed with
    defusedxml with DTDs forbidden: a document type declaration (an XML bomb, an external
    entity) is refused with a reject and never expanded or fetched. The entries are then read
    one by one without it, so an entry that used an entity is rejected and the others are kept;
    the same per-entry reading recovers the good entries of a feed with one broken entry.

Categories keep the source's order; the first is the primary category.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from kg.model import Paper, Reject
from kg.sources.base import clean_text, normalize_arxiv_id, parse_date, register
from kg.sources.jsonio import iter_json, json_keys, json_start
from kg.sources.records import (
    BadRecord,
    as_labels,
    as_names,
    as_object,
    as_text,
    build_paper,
    describe_type,
    excerpt,
    papers_from,
    year_from_arxiv_id,
)

__all__ = [
    "read_listing", "read_oai", "read_atom", "sniff_listing", "sniff_oai", "sniff_atom",
    "listing_paper", "oai_paper", "atom_paper",
]


def _arxiv_id(rec: dict[str, Any]) -> str:
    raw = as_text(rec.get("id"), "id")
    arxiv_id = normalize_arxiv_id(raw)
    if not arxiv_id:
        raise BadRecord(f"'id' {raw[:60]!r} is not an arXiv id" if raw else "the record has no 'id'")
    return arxiv_id


def sniff_listing(head: str, path: Path) -> bool:
    """arXiv listing lines: ``summary`` with the ``abs``/``pdf`` links, and no ``paper`` wrapper.

    >>> sniff_listing('{"id": "2510.08589", "categories": ["cs.CV"], "pdf": "u", "abs": "u", '
    ...               '"title": "T", "summary": "S"}', Path("x.jsonl"))
    True
    """
    keys = json_keys(head)
    return (json_start(head) in ("{", "[") and {"id", "summary"} <= keys
            and bool(keys & {"abs", "pdf"}) and "paper" not in keys)


def listing_paper(raw: Any, source: str) -> Paper:
    """A paper from one arXiv listing entry."""
    rec = as_object(raw)
    arxiv_id = _arxiv_id(rec)
    comment = as_text(rec.get("comment"), "comment")
    authors = as_names(rec.get("authors"), "authors")
    return build_paper(
        source, title=as_text(rec.get("title"), "title"),
        abstract=as_text(rec.get("summary"), "summary"),
        year=year_from_arxiv_id(arxiv_id), arxiv_id=arxiv_id,
        authors=authors, author_count=len(authors) or None,
        categories=as_labels(rec.get("categories"), "categories"),
        code_text=comment)


@register("kg.arxiv-listing.v1", "arXiv daily listing JSON Lines {id, categories, pdf, abs, authors, "
          "title, comment, summary}", sniff_listing, priority=10)
def read_listing(path: Path) -> Iterator[Paper | Reject]:
    """Papers from arXiv listing JSON Lines (also a JSON array of the same objects)."""
    yield from papers_from(str(path), iter_json(path), listing_paper)


def sniff_oai(head: str, path: Path) -> bool:
    """OAI snapshot lines: ``authors_parsed``, or ``versions`` with ``update_date``.

    >>> sniff_oai('{"id":"0704.0001","submitter":"P","versions":[],"update_date":"2008-11-26"}', Path("x"))
    True
    """
    keys = json_keys(head)
    return json_start(head) in ("{", "[") and (
        "authors_parsed" in keys or {"versions", "update_date"} <= keys)


def _parsed_authors(value: object) -> tuple[str, ...]:
    """"First Last Suffix" from ``[[last, first, suffix, affiliation...], ...]``."""
    if not isinstance(value, list):
        raise BadRecord(f"'authors_parsed' should be a list, got {describe_type(value)}")
    names: list[str] = []
    for item in value:
        if not isinstance(item, list) or not item:
            raise BadRecord("'authors_parsed' items should be [last, first, suffix], "
                            f"got {describe_type(item)}")
        last, first, suffix = (list(item[:3]) + ["", ""])[:3]
        parts = [as_text(p, "authors_parsed") for p in (first, last, suffix)]
        names.append(clean_text(" ".join(p for p in parts if p)))
    return tuple(dict.fromkeys(n for n in names if n))


def _first_version_date(value: object) -> tuple[str | None, int | None]:
    if value is None:
        return None, None
    if not isinstance(value, list):
        raise BadRecord(f"'versions' should be a list, got {describe_type(value)}")
    for version in value:
        if isinstance(version, dict) and version.get("version") in ("v1", None):
            return parse_date(as_text(version.get("created"), "versions.created"))
    return None, None


def oai_paper(raw: Any, source: str) -> Paper:
    """A paper from one OAI snapshot record."""
    rec = as_object(raw)
    arxiv_id = _arxiv_id(rec)
    date, year = _first_version_date(rec.get("versions"))
    if rec.get("authors_parsed"):
        authors = _parsed_authors(rec.get("authors_parsed"))
    else:
        authors = as_names(rec.get("authors"), "authors")
    if year is None:
        year = year_from_arxiv_id(arxiv_id)
    return build_paper(
        source, title=as_text(rec.get("title"), "title"),
        abstract=as_text(rec.get("abstract"), "abstract"),
        date=date, year=year, arxiv_id=arxiv_id, authors=authors, author_count=len(authors) or None,
        doi=as_text(rec.get("doi"), "doi").split()[0] if rec.get("doi") else None,
        categories=as_labels(rec.get("categories"), "categories"),
        code_text=as_text(rec.get("comments"), "comments"))


@register("kg.arxiv-oai.v1", "arXiv OAI metadata snapshot JSON Lines {id, authors, title, doi, "
          "categories, abstract, versions, update_date, authors_parsed}", sniff_oai, priority=10)
def read_oai(path: Path) -> Iterator[Paper | Reject]:
    """Papers from the arXiv OAI metadata snapshot (JSON Lines)."""
    yield from papers_from(str(path), iter_json(path), oai_paper)


ATOM = "{http://www.w3.org/2005/Atom}"
ARXIV = "{http://arxiv.org/schemas/atom}"
_FEED_OPEN = re.compile(rb"<feed\b[^>]*>")
_ENTRY_OPEN = re.compile(rb"<entry[\s>]")
_ENTRY_CLOSE = re.compile(rb"</entry\s*>")
_DEFAULT_FEED = b'<feed xmlns="http://www.w3.org/2005/Atom" xmlns:arxiv="http://arxiv.org/schemas/atom">'


def sniff_atom(head: str, path: Path) -> bool:
    """An Atom feed (or entry): a ``<feed`` or ``<entry`` element in the Atom namespace.

    >>> sniff_atom('<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom">', Path("q"))
    True
    """
    start = head.lstrip("\ufeff \t\r\n")
    return (start.startswith("<") and "http://www.w3.org/2005/Atom" in head
            and re.search(r"<(?:feed|entry)[\s>]", head) is not None)


def _text(elem: Element | None, name: str) -> str:
    return "" if elem is None else as_text("".join(elem.itertext()), name)


def atom_paper(entry: Element, source: str) -> Paper:
    """A paper from one ``<entry>`` of an arXiv API feed."""
    raw_id = _text(entry.find(ATOM + "id"), "id")
    summary = _text(entry.find(ATOM + "summary"), "summary")
    if "/api/errors" in raw_id:
        raise BadRecord(f"the arXiv API returned an error: {summary or raw_id}")
    arxiv_id = normalize_arxiv_id(raw_id)
    if not arxiv_id:
        raise BadRecord(f"<id> {raw_id[:60]!r} is not an arXiv abstract URL" if raw_id
                        else "the entry has no <id>")
    date, year = parse_date(_text(entry.find(ATOM + "published"), "published"))
    primary = entry.find(ARXIV + "primary_category")
    terms = [primary.get("term", "")] if primary is not None else []
    terms += [c.get("term", "") for c in entry.findall(ATOM + "category")]
    authors = tuple(dict.fromkeys(n for n in (
        _text(a.find(ATOM + "name"), "author") for a in entry.findall(ATOM + "author")) if n))
    doi = _text(entry.find(ARXIV + "doi"), "doi")
    if not doi:
        links = entry.findall(ATOM + "link")
        doi = next((ln.get("href", "") for ln in links if ln.get("title") == "doi"), "")
    return build_paper(
        source, title=_text(entry.find(ATOM + "title"), "title"), abstract=summary,
        date=date, year=year, arxiv_id=arxiv_id, doi=doi or None,
        authors=authors, author_count=len(authors) or None,
        categories=tuple(dict.fromkeys(clean_text(t) for t in terms if t.strip())),
        code_text=_text(entry.find(ARXIV + "comment"), "comment"))


def _entry_chunks(data: bytes) -> Iterator[bytes]:
    """The bytes of each complete ``<entry>...</entry>``, in one linear pass."""
    pos = 0
    while (start := _ENTRY_OPEN.search(data, pos)) is not None:
        end = _ENTRY_CLOSE.search(data, start.end())
        if end is None:
            return  # a truncated last entry
        yield data[start.start():end.end()]
        pos = end.end()


def _entries_one_by_one(data: bytes, source: str) -> Iterator[tuple[str, Any] | Reject]:
    """Each ``<entry>`` parsed on its own inside the feed's start tag (no DTD, no entities)."""
    m = _FEED_OPEN.search(data)
    feed_open = m.group(0) if m else _DEFAULT_FEED
    for number, chunk in enumerate(_entry_chunks(data), 1):
        try:
            root = SafeET.fromstring(feed_open + chunk + b"</feed>", forbid_dtd=True)
        except (ParseError, DefusedXmlException) as err:
            yield Reject(source, f"entry {number}", f"XML error in this entry: {err}", excerpt(chunk))
            continue
        for entry in root.iter(ATOM + "entry"):
            yield f"entry {number}", entry


def _atom_items(path: Path) -> Iterator[tuple[str, Any] | Reject]:
    source, data = str(path), path.read_bytes()
    try:
        root = SafeET.fromstring(data, forbid_dtd=True)
    except DefusedXmlException as err:
        yield Reject(source, "document", f"refused {type(err).__name__}: the XML declares a DTD or "
                     "entities, which kg never expands or fetches (an XML bomb or an external "
                     "entity); entries that do not use them are read on their own", excerpt(data))
        yield from _entries_one_by_one(data, source)
        return
    except ParseError as err:
        items = list(_entries_one_by_one(data, source))
        if not any(isinstance(i, Reject) for i in items):
            yield Reject(source, "document", f"XML error: {err}; the complete entries were read",
                         excerpt(data))
        yield from items
        return
    entries = [root] if root.tag == ATOM + "entry" else list(root.iter(ATOM + "entry"))
    for number, entry in enumerate(entries, 1):
        yield f"entry {number}", entry


@register("kg.arxiv-atom.v1", "arXiv API Atom XML feed (export.arxiv.org/api/query)", sniff_atom,
          priority=10)
def read_atom(path: Path) -> Iterator[Paper | Reject]:
    """Papers from an arXiv API Atom feed; DTDs and entities are refused (see the module docstring)."""
    yield from papers_from(str(path), _atom_items(path), atom_paper)
