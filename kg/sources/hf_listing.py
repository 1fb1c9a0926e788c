"""Text captures of the Hugging Face "Daily Papers" listing page ("kg.hf-listing.v1").

Each paper is a title line followed by its abstract paragraph (blank lines between them or
not). Page furniture sits around them and is dropped: the header ("new", "Get trending papers
in your email inbox!", "Subscribe", "Daily Papers", "byAK and the research community", the page
date), and after each abstract a meta block::

    • 6 authors          <- author_count (or a submitter line such as "math-ai math-ai")
    ·
    Jul 21, 2024 3      <- the paper's date, then its upvote count

A date without a year ("Jan 5") is kept as ``date_raw``. "Subscribe" glued to the first title
("SubscribeSelf-Ablating Transformers: ...") is cut off. Some abstracts are previews cut short;
when the same paper appears in several captures, :func:`kg.sources.merge_papers` keeps the
longest. The paper id is the hash of the title (the page shows no arXiv id).

How a line is told apart: a line longer than :data:`MAX_TITLE_LINE` characters is never a
title; a short line directly followed by the "·" separator is a submitter, not a title; and
of two short lines before a long paragraph, the second is the title (the first, some furniture
this reader does not know, is reported as a reject rather than read as a paper).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from kg.model import Paper, Reject
from kg.sources.base import register
from kg.sources.records import BadRecord, as_date, as_text, build_paper, excerpt

__all__ = ["MAX_TITLE_LINE", "read", "sniff", "classify"]

#: A line longer than this is an abstract paragraph, never a title (real titles are under 200).
MAX_TITLE_LINE = 300

_NOISE = re.compile(
    r"^(?:new|subscribe|daily papers|byak and the research community|get trending papers.*"
    r"|submitted by\b.*|upvotes?|\d+)$", re.IGNORECASE)
_AUTHORS = re.compile(r"^(?:[•·]\s*)?(\d{1,6})\s+authors?$", re.IGNORECASE)
_SEP = re.compile(r"^[·•]$")
_DATE = re.compile(r"^([A-Z][a-z]{2}\s+\d{1,2}(?:,\s*\d{4})?)(?:\s+(\d+))?$")
_MONTHS = {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}
_GLUED = re.compile(r"^Subscribe(?=[A-Z0-9\"'(\[])")
_MARKERS = re.compile(
    r"Get trending papers in your email inbox|byAK and the research community"
    r"|^\s*•\s*\d+\s+authors?\s*$", re.MULTILINE)


def sniff(head: str, path: Path) -> bool:
    """The page's own furniture: "Get trending papers...", "byAK ...", "• N authors".

    >>> sniff("Subscribe\\n\\nbyAK and the research community\\n", Path("p.txt"))
    True
    >>> sniff("just some text\\n", Path("p.txt"))
    False
    """
    start = head.lstrip("\ufeff \t\r\n")[:1]
    return start not in ("{", "[", "<", "@") and _MARKERS.search(head) is not None


def classify(line: str) -> tuple[str, str]:
    """``(kind, value)`` of one stripped line: noise, authors, sep, date or text.

    >>> classify("  • 6 authors"), classify("Jul 7, 2025 1"), classify("Jan 5")
    (('authors', '6'), ('date', 'Jul 7, 2025'), ('date', 'Jan 5'))
    >>> classify("SubscribeSelf-Ablating Transformers")
    ('text', 'Self-Ablating Transformers')
    """
    text = line.strip()
    if not text or _NOISE.match(text):
        return "noise", text
    if _SEP.match(text):
        return "sep", text
    m = _AUTHORS.match(text.lstrip("• "))
    if m:
        return "authors", m.group(1)
    m = _DATE.match(text)
    if m and m.group(1)[:3].lower() in _MONTHS:
        return "date", m.group(1)
    return "text", _GLUED.sub("", text)


@dataclass
class _Draft:
    """A paper being read: its title line, abstract, and the meta block that follows it."""

    line: int
    title: str
    abstract: str = ""
    abstract_line: int = 0
    authors: str | None = None
    date: str | None = None
    closed: bool = False  # the meta block ended (a date was read)
    raw: list[str] = field(default_factory=list)


def _tokens(path: Path) -> list[tuple[int, str, str]]:
    """``(line number, kind, value)`` for the lines that are not blank or noise."""
    out: list[tuple[int, str, str]] = []
    with path.open("rb") as fh:
        for number, raw in enumerate(fh, 1):
            kind, value = classify(raw.decode("utf-8", "surrogateescape").lstrip("\ufeff"))
            if kind != "noise":
                out.append((number, kind, value))
    return out


def _finish(draft: _Draft, source: str) -> Paper | Reject:
    try:
        title = as_text(draft.title, "title")
        abstract = as_text(draft.abstract, "abstract")
        date, date_raw, year = as_date(draft.date)
        return build_paper(source, title=title, abstract=abstract, date=date, date_raw=date_raw,
                           year=year, author_count=int(draft.authors) if draft.authors else None)
    except BadRecord as err:
        bad_line = draft.abstract_line if "abstract" in str(err) else draft.line
        return Reject(source, f"line {bad_line}", str(err), excerpt("\n".join(draft.raw)))


def _drafts(tokens: list[tuple[int, str, str]], source: str) -> Iterator[_Draft | Reject]:
    """Group the tokens into papers; meta lines attach to the paper above them."""
    current: _Draft | None = None
    pending: tuple[int, str] | None = None  # a title line waiting for its abstract
    for i, (number, kind, value) in enumerate(tokens):
        nxt = tokens[i + 1][1] if i + 1 < len(tokens) else ""
        if kind == "text":
            if pending is not None and len(value) <= MAX_TITLE_LINE and nxt == "text" \
                    and len(tokens[i + 1][2]) > MAX_TITLE_LINE:
                yield Reject(source, f"line {pending[0]}", "skipped a short line followed by a title, "
                             "not by an abstract (page furniture?)", excerpt(pending[1]))
                pending = None  # ``value`` is the title of the paragraph that follows
            if pending is not None:
                if current is not None:
                    yield current
                current = _Draft(pending[0], pending[1], value, number, raw=[pending[1], value])
                pending = None
            elif nxt == "sep" and current is not None:
                continue  # a submitter line ("math-ai math-ai") in the meta block
            elif len(value) <= MAX_TITLE_LINE:
                pending = (number, value)
            elif current is not None and current.abstract and not current.closed and current.authors is None:
                current.abstract += "\n" + value  # a second paragraph of the same abstract
            else:
                yield Reject(source, f"line {number}", "a paragraph without a title line above it",
                             excerpt(value))
            continue
        if pending is not None:  # meta right after a title: a paper with no abstract
            if current is not None:
                yield current
            current, pending = _Draft(pending[0], pending[1], raw=[pending[1]]), None
        if current is None or current.closed:
            continue  # the page date in the header, or a stray meta line
        if kind == "authors":
            current.authors = value
        elif kind == "date":
            current.date, current.closed = value, True
    if pending is not None:
        if current is not None:
            yield current
        current = _Draft(pending[0], pending[1], raw=[pending[1]])
    if current is not None:
        yield current


@register("kg.hf-listing.v1", "Hugging Face Daily Papers page captured as text (title line, "
          "abstract paragraph, '• N authors', date)", sniff, priority=50)
def read(path: Path) -> Iterator[Paper | Reject]:
    """Papers from a text capture of the Daily Papers page; see the module docstring."""
    source = str(path)
    for item in _drafts(_tokens(path), source):
        yield item if isinstance(item, Reject) else _finish(item, source)
