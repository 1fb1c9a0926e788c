"""Turning one raw record into a :class:`~kg.model.Paper`, or saying why it cannot be one.

Every reader pulls values out of its format (a JSON object, a CSV row, a BibTeX entry...) and
hands them to the ``as_*`` coercers here, which raise :class:`BadRecord` with a reason a person
can act on ("'title' should be text, got a number"). :func:`build_paper` then applies the
checks every format shares (a title or an abstract, the size limits, the paper id) and
:func:`papers_from` turns each :class:`BadRecord` into a :class:`~kg.model.Reject` naming the
record, so one bad record never stops the others.

Text with bytes that were not valid UTF-8 reaches the coercers as lone surrogates (files are
decoded with ``surrogateescape``), and a NUL character is a sign of binary data: both make the
record a reject rather than being passed on silently.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from kg.model import Paper, Reject
from kg.sources.base import (
    clean_text,
    find_code_urls,
    normalize_arxiv_id,
    normalize_doi,
    paper_id,
    parse_date,
)

__all__ = [
    "MAX_ABSTRACT_CHARS",
    "MAX_TITLE_CHARS",
    "BadRecord",
    "describe_type",
    "as_text",
    "as_object",
    "as_names",
    "as_labels",
    "as_year",
    "as_count",
    "as_date",
    "split_authors",
    "year_from_arxiv_id",
    "build_paper",
    "excerpt",
    "papers_from",
]

#: Longest abstract kept, in characters. Real abstracts are under 5,000; anything near this is a
#: whole paper or broken data, and is rejected rather than fed to extraction.
MAX_ABSTRACT_CHARS = 1_000_000
#: Longest title kept, in characters (real titles are under 400).
MAX_TITLE_CHARS = 10_000

_SURROGATE = re.compile("[\udc80-\udcff]")
#: Any other surrogate: a JSON ``\\ud800`` escape with no partner, which no UTF-8 text can hold.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


class BadRecord(ValueError):
    """A record that cannot become a paper; the message is the reject's reason."""


def describe_type(value: object) -> str:
    """A reader-friendly name for the JSON type of ``value``.

    >>> describe_type(3), describe_type([1]), describe_type(None), describe_type(True)
    ('a number', 'a list', 'null', 'true/false')
    """
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def as_text(value: object, name: str) -> str:
    """``value`` as cleaned text ("" for null), or :class:`BadRecord` if it is not text.

    >>> as_text("  Deep \\n learning ", "title")
    'Deep learning'
    >>> try:
    ...     as_text(42, "title")
    ... except BadRecord as err:
    ...     print(err)
    'title' should be text, got a number
    """
    if value is None:
        return ""
    if not isinstance(value, str):
        raise BadRecord(f"'{name}' should be text, got {describe_type(value)}")
    if len(value) > 2 * MAX_ABSTRACT_CHARS:  # refuse before cleaning megabytes of text
        raise BadRecord(f"'{name}' is {len(value):,} characters long, over the "
                        f"{MAX_ABSTRACT_CHARS:,}-character limit (a whole paper or broken data?)")
    if _SURROGATE.search(value):
        raise BadRecord(f"'{name}' contains bytes that are not valid UTF-8")
    lone = _LONE_SURROGATE.search(value)
    if lone:
        raise BadRecord(f"'{name}' contains a lone surrogate U+{ord(lone.group()):04X} (half of a "
                        "UTF-16 pair, escaped in JSON), which is not a character")
    if "\x00" in value:
        raise BadRecord(f"'{name}' contains a NUL byte (binary data?)")
    return clean_text(value)


def as_object(value: object, what: str = "record") -> dict[str, Any]:
    """``value`` if it is a JSON object, else :class:`BadRecord`."""
    if not isinstance(value, dict):
        raise BadRecord(f"expected a JSON object for the {what}, got {describe_type(value)}")
    return value


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(i for i in items if i))


_AND = re.compile(r"\s*(?:,\s*and\s+|\band\s+|&\s*|;\s*|,\s*)", re.IGNORECASE)


def split_authors(text: str) -> tuple[str, ...]:
    """Names from a string such as ``"A. Smith, B. Jones and C. Wu"``.

    >>> split_authors("Ileana Streinu and Louis Theran")
    ('Ileana Streinu', 'Louis Theran')
    >>> split_authors("A. Smith, B. Jones, and C. Wu")
    ('A. Smith', 'B. Jones', 'C. Wu')
    """
    return _unique(clean_text(p) for p in _AND.split(text))


def as_names(value: object, name: str) -> tuple[str, ...]:
    """Author names from a list of strings (or of ``{"name": ...}``) or a joined string."""
    if value is None:
        return ()
    if isinstance(value, str):
        return split_authors(as_text(value, name))
    if not isinstance(value, list):
        raise BadRecord(f"'{name}' should be a list or text, got {describe_type(value)}")
    out: list[str] = []
    for item in value:
        if isinstance(item, dict):
            item = item.get("name", item.get("display_name"))
        out.append(as_text(item, name))
    return _unique(out)


def as_labels(value: object, name: str) -> tuple[str, ...]:
    """Labels from a list, a ``;``-separated string, or a space-separated string.

    >>> as_labels("math.CO cs.CG", "categories")
    ('math.CO', 'cs.CG')
    >>> as_labels("Computer Science; Physics", "categories")
    ('Computer Science', 'Physics')
    """
    if value is None:
        return ()
    if isinstance(value, str):
        text = as_text(value, name)
        parts = text.split(";") if ";" in text else text.split()
        return _unique(p.strip() for p in parts)
    if not isinstance(value, list):
        raise BadRecord(f"'{name}' should be a list or text, got {describe_type(value)}")
    return _unique(as_text(v, name) for v in value)


def as_year(value: object, name: str = "year") -> int | None:
    """A plausible year from an int or a string of digits.

    >>> as_year("2020"), as_year(2021), as_year(None)
    (2020, 2021, None)
    """
    if value is None or value == "":
        return None
    if isinstance(value, str) and re.fullmatch(r"\s*\d{4}\s*", value):
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool):
        raise BadRecord(f"'{name}' should be a year, got {describe_type(value)} {str(value)[:40]!r}")
    if not 1000 <= value <= 2999:
        raise BadRecord(f"'{name}' {value} is not a plausible year")
    return value


def as_count(value: object, name: str) -> int | None:
    """A non-negative integer or None."""
    if value is None:
        return None
    if isinstance(value, str) and re.fullmatch(r"\s*\d{1,9}\s*", value):
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise BadRecord(f"'{name}' should be a count, got {describe_type(value)}")
    return value


def as_date(value: object, name: str = "date") -> tuple[str | None, str | None, int | None]:
    """``(ISO date, raw text kept when unreadable, year)`` from a date string.

    >>> as_date("Jul 21, 2024")
    ('2024-07-21', None, 2024)
    >>> as_date("Jan 5")
    (None, 'Jan 5', None)
    """
    text = as_text(value, name)
    if not text:
        return None, None, None
    iso, year = parse_date(text)
    return iso, (None if iso or year else text), year


_ARXIV_DOI = re.compile(r"^10\.48550/arxiv\.(.+)$", re.IGNORECASE)


def year_from_arxiv_id(arxiv_id: str | None) -> int | None:
    """The year an arXiv id was issued: ``YYMM.nnnnn`` or ``archive/YYMMnnn``.

    >>> year_from_arxiv_id("2510.08589"), year_from_arxiv_id("hep-th/9901001")
    (2025, 1999)
    """
    if not arxiv_id:
        return None
    m = re.match(r"^(\d{2})(\d{2})\.\d{4,5}\b|^[a-z.-]+/(\d{2})(\d{2})\d{3}\b", arxiv_id, re.IGNORECASE)
    if not m:
        return None
    yy, mm = (int(g) for g in (m.groups()[:2] if m.group(1) else m.groups()[2:]))
    if not 1 <= mm <= 12:
        return None
    return (1900 if yy >= 91 else 2000) + yy


def build_paper(source: str, *, title: str, abstract: str = "", date: str | None = None,
                date_raw: str | None = None, year: int | None = None,
                authors: tuple[str, ...] = (), author_count: int | None = None,
                categories: tuple[str, ...] = (), doi: str | None = None,
                arxiv_id: str | None = None, code_urls: Iterable[str] = (),
                source_id: str | None = None, source_prefix: str | None = None,
                code_text: str = "") -> Paper:
    """A :class:`Paper` from already-typed values, after the checks every format shares.

    The id comes from the arXiv id (also read from an arXiv DOI ``10.48550/arXiv.*``), then the
    DOI, then ``source_id``, then the title. Code URLs are those given plus any found in the
    abstract and in ``code_text`` (a comment field, say).

    >>> p = build_paper("x.json", title="T", abstract="Code: https://github.com/a/b.",
    ...                 doi="https://doi.org/10.48550/arXiv.2106.15928")
    >>> p.id, p.arxiv_id, p.code_urls
    ('paper/arxiv-2106.15928', '2106.15928', ('https://github.com/a/b',))
    """
    if not title and not abstract:
        raise BadRecord("the record has neither a title nor an abstract")
    for field, values in (("title", [title]), ("abstract", [abstract]), ("authors", authors),
                          ("categories", categories)):
        if any(_LONE_SURROGATE.search(v) for v in values):  # a reader that did not use as_text
            raise BadRecord(f"'{field}' contains text that is not valid Unicode (a lone surrogate)")
    if len(abstract) > MAX_ABSTRACT_CHARS:
        raise BadRecord(f"the abstract is {len(abstract):,} characters long, over the "
                        f"{MAX_ABSTRACT_CHARS:,}-character limit (a whole paper or broken data?)")
    if len(title) > MAX_TITLE_CHARS:
        raise BadRecord(f"the title is {len(title):,} characters long, over the "
                        f"{MAX_TITLE_CHARS:,}-character limit")
    doi = normalize_doi(doi)
    arxiv_id = normalize_arxiv_id(arxiv_id)
    m = _ARXIV_DOI.match(doi or "")
    if m and not arxiv_id:
        arxiv_id = normalize_arxiv_id(m.group(1))
    if source_id and not re.search(r"\w", source_id):
        source_id = None
    if not (arxiv_id or doi or source_id or re.search(r"\w", title)):
        source_id = hashlib.sha1(abstract.encode("utf-8", "replace")).hexdigest()[:16]
        source_prefix = "abstract"
    if date and year is None:
        year = int(date[:4])
    urls = _unique([*code_urls, *find_code_urls(abstract), *find_code_urls(code_text)])
    return Paper(
        id=paper_id(arxiv_id=arxiv_id, doi=doi, source_id=source_id, source_prefix=source_prefix,
                    title=title),
        title=title, abstract=abstract, date=date, date_raw=date_raw, year=year,
        authors=authors, author_count=author_count, categories=categories, doi=doi,
        arxiv_id=arxiv_id, code_urls=urls, source=source)


def excerpt(raw: object, limit: int = 160) -> str:
    """A short printable excerpt of a raw record for a reject.

    >>> excerpt(b'{"title": "Tru\\xff')
    '{"title": "Tru\\\\xff'
    """
    if isinstance(raw, bytes):
        text = raw[: limit * 4].decode("utf-8", "backslashreplace")
    else:
        if not isinstance(raw, str):
            try:
                raw = json.dumps(raw, ensure_ascii=False, default=str)
            except (ValueError, RecursionError):  # nested too deeply to print
                raw = f"<{describe_type(raw)}>"
        text = raw[: limit * 4].encode("utf-8", "backslashreplace").decode("utf-8")
    text = text.replace("\x00", "\\x00")
    text = clean_text(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def papers_from(source: str, items: Iterable[Reject | tuple[str, Any]],
                convert: Callable[[Any, str], Paper | None]) -> Iterator[Paper | Reject]:
    """Apply ``convert(raw, source)`` to each ``(location, raw)``; a :class:`BadRecord` becomes a reject.

    Rejects already in ``items`` pass through; ``convert`` may return None to skip a record
    that is not a paper at all (a comment, say).
    """
    for item in items:
        if isinstance(item, Reject):
            yield item
            continue
        location, raw = item
        try:
            paper = convert(raw, source)
        except BadRecord as err:
            yield Reject(source, location, str(err), excerpt(raw))
            continue
        if paper is not None:
            yield paper
