"""Hugging Face daily papers API JSON ("kg.hf-api.v1").

``GET https://huggingface.co/api/daily_papers`` returns a list of items
``{title, summary, publishedAt, submittedBy{...}, paper{id, title, summary, publishedAt,
upvotes, authors[{name, ...}], githubRepo?, ...}}``. ``paper.id`` is the arXiv id. The
item's own ``title``/``summary``/``publishedAt`` fill in what ``paper`` lacks, and a bare
``paper`` object (from ``/api/papers/{id}``) is read too. JSON Lines of items also work.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from kg.model import Paper, Reject
from kg.sources.base import find_code_urls, register
from kg.sources.jsonio import iter_json, json_keys, json_start
from kg.sources.records import as_date, as_names, as_object, as_text, build_paper, papers_from

__all__ = ["read", "sniff", "hf_paper"]


def sniff(head: str, path: Path) -> bool:
    """Items with a ``paper`` object and the API's ``publishedAt``/``upvotes``/``githubRepo`` keys.

    >>> sniff('[{"paper": {"id": "2401.00001", "title": "T", "publishedAt": "2024-01-01"}}]', Path("x"))
    True
    """
    keys = json_keys(head)
    return json_start(head) in ("{", "[") and (
        ("paper" in keys and bool(keys & {"publishedAt", "upvotes", "summary"}))
        or {"publishedAt", "upvotes"} <= keys)


def hf_paper(raw: Any, source: str) -> Paper:
    """A paper from one daily_papers item (or a bare paper object).

    >>> p = hf_paper({"paper": {"id": "2401.00001", "title": "T", "summary": "S",
    ...               "publishedAt": "2024-01-02T10:00:00.000Z", "authors": [{"name": "A B"}],
    ...               "githubRepo": "https://github.com/a/b"}}, "f.json")
    >>> p.id, p.date, p.authors, p.code_urls
    ('paper/arxiv-2401.00001', '2024-01-02', ('A B',), ('https://github.com/a/b',))
    """
    item = as_object(raw)
    paper = as_object(item["paper"], "'paper' field") if item.get("paper") is not None else item

    def pick(key: str) -> object:
        return paper.get(key) if paper.get(key) is not None else item.get(key)

    date, date_raw, year = as_date(pick("publishedAt"), "publishedAt")
    authors = as_names(paper.get("authors"), "authors")
    repo = as_text(pick("githubRepo"), "githubRepo")
    return build_paper(
        source, title=as_text(pick("title"), "title"), abstract=as_text(pick("summary"), "summary"),
        date=date, date_raw=date_raw, year=year, authors=authors,
        author_count=len(authors) or None,
        arxiv_id=as_text(paper.get("id"), "paper.id") or None,
        code_urls=find_code_urls(repo))


@register("kg.hf-api.v1", "Hugging Face daily_papers API JSON: [{paper{id, title, summary, "
          "publishedAt, authors, githubRepo}}]", sniff, priority=10)
def read(path: Path) -> Iterator[Paper | Reject]:
    """Papers from a Hugging Face daily_papers API response."""
    yield from papers_from(str(path), iter_json(path), hf_paper)
