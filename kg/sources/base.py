"""What every reader shares: the reader registry, paper ids, and small parsing helpers.

A reader is a function ``read(path: Path) -> Iterator[Paper | Reject]`` registered under a
versioned name with a ``sniff(head: str, path: Path) -> bool`` that recognises its format from
the first bytes of a file (content first, the extension only as a tie-breaker). A reader never
raises on a bad record: it yields a :class:`~kg.model.Reject` naming the record and the reason,
and goes on with the next one.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from kg.model import Paper, Reject
from kg.schema import NodeType, make_id

__all__ = [
    "Reader",
    "READERS",
    "register",
    "paper_id",
    "normalize_arxiv_id",
    "normalize_doi",
    "clean_text",
    "parse_date",
    "find_code_urls",
    "ReadResult",
]

ReadResult = Iterator[Paper | Reject]


@dataclass(frozen=True)
class Reader:
    """A registered input format."""

    name: str
    description: str
    sniff: Callable[[str, Path], bool]
    read: Callable[[Path], ReadResult]
    priority: int = 50  # lower sniffs first: specific formats before generic ones


READERS: dict[str, Reader] = {}


def register(name: str, description: str, sniff: Callable[[str, Path], bool],
             priority: int = 50) -> Callable[[Callable[[Path], ReadResult]], Callable[[Path], ReadResult]]:
    """Decorator: register ``read`` as the reader of format ``name``."""

    def deco(read: Callable[[Path], ReadResult]) -> Callable[[Path], ReadResult]:
        READERS[name] = Reader(name, description, sniff, read, priority)
        return read

    return deco


_ARXIV_NEW = re.compile(r"^(?:arxiv:)?(\d{4}\.\d{4,5})(?:v\d+)?$", re.IGNORECASE)
_ARXIV_OLD = re.compile(r"^(?:arxiv:)?([a-z][a-z.-]*(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?$", re.IGNORECASE)
_ARXIV_URL = re.compile(r"arxiv\.org/(?:abs|pdf)/([^\s?#]+?)(?:\.pdf)?(?:[?#].*)?$", re.IGNORECASE)


def normalize_arxiv_id(value: str | None) -> str | None:
    """The bare arXiv id (no version, no prefix, no URL), or None if ``value`` is not one.

    >>> normalize_arxiv_id("http://arxiv.org/abs/2106.15928v1")
    '2106.15928'
    >>> normalize_arxiv_id("hep-th/0701001v2")
    'hep-th/0701001'
    >>> normalize_arxiv_id("W2741809807") is None
    True
    """
    if not value:
        return None
    v = value.strip()
    m = _ARXIV_URL.search(v)
    if m:
        v = m.group(1)
    for pat in (_ARXIV_NEW, _ARXIV_OLD):
        m = pat.match(v)
        if m:
            return m.group(1)
    return None


def normalize_doi(value: str | None) -> str | None:
    """The DOI in lower case without a resolver prefix, or None.

    >>> normalize_doi("https://doi.org/10.1103/PhysRevD.76.013009")
    '10.1103/physrevd.76.013009'
    """
    if not value:
        return None
    v = value.strip()
    v = re.sub(r"^(?:https?://(?:dx\.)?doi\.org/|doi:)", "", v, flags=re.IGNORECASE)
    return v.lower() if v.startswith("10.") else None


def _title_key(title: str) -> str:
    norm = unicodedata.normalize("NFKC", title).casefold()
    return " ".join(re.findall(r"\w+", norm))


def paper_id(*, arxiv_id: str | None = None, doi: str | None = None,
             source_id: str | None = None, source_prefix: str | None = None,
             title: str | None = None) -> str:
    """kg's stable paper id, from the strongest identifier the record has.

    arXiv id, then DOI, then the source's own id (prefixed by the source), then a hash of
    the normalised title: the same paper read from two files gets the same id.

    >>> paper_id(arxiv_id="2510.08589", title="x")
    'paper/arxiv-2510.08589'
    >>> paper_id(title="Selective Kernel Networks") == paper_id(title="selective  kernel networks")
    True
    """
    if arxiv_id:
        return make_id(NodeType.PAPER, f"arxiv-{arxiv_id}")
    if doi:
        return make_id(NodeType.PAPER, f"doi-{doi}")
    if source_id:
        prefix = f"{source_prefix}-" if source_prefix else ""
        return make_id(NodeType.PAPER, f"{prefix}{source_id}")
    if title and _title_key(title):
        digest = hashlib.sha1(_title_key(title).encode("utf-8")).hexdigest()[:16]
        return f"paper/title-{digest}"
    raise ValueError("a paper needs an arXiv id, a DOI, a source id or a title")


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(value: object) -> str:
    """Text with NUL/control characters removed and whitespace runs folded to one space."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise TypeError(f"expected text, got {type(value).__name__}")
    # str.split() and the regex \s agree on what whitespace is (Unicode's), and split is 3x faster
    return " ".join(_CONTROL.sub("", value).split())


_MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1)}
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")
_MDY = re.compile(r"^([A-Za-z]{3})[a-z]*\.?\s+(\d{1,2}),\s*(\d{4})$")
_DMY = re.compile(r"^(?:[A-Za-z]{3},\s*)?(\d{1,2})\s+([A-Za-z]{3})[a-z]*\s+(\d{4})")
_YEAR = re.compile(r"^(\d{4})$")


def parse_date(value: str | None) -> tuple[str | None, int | None]:
    """``(ISO date or None, year or None)`` from the date forms found in paper listings.

    >>> parse_date("Jul 21, 2024")
    ('2024-07-21', 2024)
    >>> parse_date("Mon, 2 Apr 2007 19:18:42 GMT")
    ('2007-04-02', 2007)
    >>> parse_date("2008-11-26")
    ('2008-11-26', 2008)
    >>> parse_date("Jan 5")
    (None, None)
    """
    if not value:
        return None, None
    v = value.strip()
    try:
        m = _ISO.match(v)
        if m:
            d = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            return d.isoformat(), d.year
        m = _MDY.match(v)
        if m and m.group(1).lower() in _MONTHS:
            d = date(int(m.group(3)), _MONTHS[m.group(1).lower()], int(m.group(2)))
            return d.isoformat(), d.year
        m = _DMY.match(v)
        if m and m.group(2).lower()[:3] in _MONTHS:
            d = date(int(m.group(3)), _MONTHS[m.group(2).lower()[:3]], int(m.group(1)))
            return d.isoformat(), d.year
    except ValueError:
        return None, None
    m = _YEAR.match(v)
    if m:
        return None, int(m.group(1))
    return None, None


_CODE_URL = re.compile(
    r"https?://(?:www\.)?(?:github\.com|gitlab\.com|bitbucket\.org)/[\w.-]+/[\w.-]+", re.IGNORECASE)


def find_code_urls(text: str) -> tuple[str, ...]:
    """Code repository URLs in ``text``, normalised (no trailing dot or ``.git``), in order.

    >>> find_code_urls("Code: https://github.com/foo/Bar.git. More at github.com/x")
    ('https://github.com/foo/Bar',)
    """
    seen: dict[str, None] = {}
    for m in _CODE_URL.finditer(text):
        url = m.group(0).rstrip(".")
        if url.lower().endswith(".git"):
            url = url[:-4]
        seen.setdefault(url, None)
    return tuple(seen)
