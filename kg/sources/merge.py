"""Merging records of the same paper (same id) read from several places.

The same paper turns up more than once: a Hugging Face listing shows it on several days (some
captures only with a preview of the abstract), an arXiv listing repeats a cross-listed paper
under each of its categories. :func:`merge_papers` combines two such records, and its result
does not depend on the order the records came in: it is commutative and associative, so
merging a stream in any order, or in any grouping, gives the same paper.

Each field is chosen by a rule that has that property:

- ``title``, ``abstract``: the longest (ties: the greater string).
- ``date``: the earliest full date; ``year``: that date's year, else the earliest year;
  ``date_raw`` (a date without a year): dropped once a full date is known, else the longest.
- ``doi``, ``arxiv_id``: the least of the values given; ``author_count``: the largest.
- ``authors``, ``categories``, ``code_urls``: the union. When one record already lists every
  value (the usual case: the same list twice, or one list extending another) its order is kept,
  so the primary category and the first author stay first; when neither does, the union is
  sorted, since no order could then be kept independently of the input order.
- ``source``: the sorted, ``"; "``-joined set of the sources.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TypeVar

from kg.model import Paper, Reject

__all__ = ["merge_papers", "dedupe"]

T = TypeVar("T", str, int)


def _least(a: T | None, b: T | None) -> T | None:
    values = [v for v in (a, b) if v is not None]
    return min(values) if values else None


def _longest(a: str, b: str) -> str:
    return max(a, b, key=lambda s: (len(s), s))


def _union(a: tuple[str, ...], b: tuple[str, ...]) -> tuple[str, ...]:
    """The union of two lists, in the order of one that holds it all, else sorted.

    >>> _union(("cs.LG", "cs.AI"), ("cs.LG",)), _union(("cs.LG",), ("cs.AI",))
    (('cs.LG', 'cs.AI'), ('cs.AI', 'cs.LG'))
    """
    a, b = tuple(dict.fromkeys(a)), tuple(dict.fromkeys(b))
    every = set(a) | set(b)
    whole = [x for x in (a, b) if len(x) == len(every)]
    if whole:  # prefer an order some source gave over the sorted fallback, then the greater
        return max(whole, key=lambda x: (x != tuple(sorted(x)), x))
    return tuple(sorted(every))


def merge_papers(old: Paper, new: Paper) -> Paper:
    """One record from two records of the same paper; the argument order does not matter.

    Raises
    ------
    ValueError
        if the two records have different ids.

    Examples
    --------
    >>> a = Paper(id="paper/x", title="T", abstract="A preview", date_raw="Jan 5",
    ...           author_count=6, categories=("cs.LG",), source="day1.txt")
    >>> b = Paper(id="paper/x", title="T", abstract="A preview, then the rest.",
    ...           date="2025-01-05", categories=("cs.LG", "cs.AI"), source="day2.txt")
    >>> m = merge_papers(a, b)
    >>> m.abstract, m.date, m.date_raw, m.year, m.author_count, m.categories
    ('A preview, then the rest.', '2025-01-05', None, 2025, 6, ('cs.LG', 'cs.AI'))
    >>> m.source
    'day1.txt; day2.txt'
    >>> merge_papers(b, a) == m
    True
    """
    if old.id != new.id:
        raise ValueError(f"cannot merge different papers {old.id!r} and {new.id!r}")
    date = _least(old.date, new.date)
    if date:
        year: int | None = int(date[:4])
        date_raw = None
    else:
        year = _least(old.year, new.year)
        raws = [r for r in (old.date_raw, new.date_raw) if r]
        date_raw = max(raws, key=lambda s: (len(s), s)) if raws else None
    counts = [c for c in (old.author_count, new.author_count) if c is not None]
    sources = {s for p in (old, new) for s in p.source.split("; ") if s}
    return Paper(
        id=old.id, title=_longest(old.title, new.title),
        abstract=_longest(old.abstract, new.abstract),
        date=date, date_raw=date_raw, year=year,
        authors=_union(old.authors, new.authors),
        author_count=max(counts) if counts else None,
        categories=_union(old.categories, new.categories),
        doi=_least(old.doi, new.doi), arxiv_id=_least(old.arxiv_id, new.arxiv_id),
        code_urls=_union(old.code_urls, new.code_urls),
        source="; ".join(sorted(sources)))


def dedupe(records: Iterable[Paper | Reject]) -> Iterator[Paper | Reject]:
    """Records with each paper id once (merged with :func:`merge_papers`), in first-seen order.

    Holds every paper in memory until the input ends: meant for inputs that fit in memory.

    >>> p = Paper(id="paper/x", title="T", abstract="short")
    >>> q = Paper(id="paper/x", title="T", abstract="longer one")
    >>> [r.abstract for r in dedupe([p, q])]
    ['longer one']
    """
    slots: list[Reject | str] = []
    papers: dict[str, Paper] = {}
    for record in records:
        if isinstance(record, Reject):
            slots.append(record)
        elif record.id in papers:
            papers[record.id] = merge_papers(papers[record.id], record)
        else:
            papers[record.id] = record
            slots.append(record.id)
    for slot in slots:
        yield papers[slot] if isinstance(slot, str) else slot
