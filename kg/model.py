"""Immutable records passed between kg's stages.

``sources`` yields :class:`Paper` (and :class:`Reject` for records it cannot read),
``extract`` turns a paper into :class:`Mention` objects, ``link`` resolves mentions into
:class:`Entity` nodes and :class:`Edge` relationships that keep their evidence.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kg.schema import NodeType, RelType

__all__ = ["Paper", "Reject", "Mention", "Entity", "Edge", "DomainScore"]


@dataclass(frozen=True)
class Paper:
    """One paper record, whatever format it came from.

    ``id`` is kg's stable paper id (``paper/...``, see :func:`kg.sources.base.paper_id`).
    ``date`` is ISO ``YYYY-MM-DD`` when the source gives a full date; ``date_raw`` keeps the
    source's text when it could not be read as one (for example "Jan 5", with no year).
    """

    id: str
    title: str
    abstract: str = ""
    date: str | None = None
    date_raw: str | None = None
    year: int | None = None
    authors: tuple[str, ...] = ()
    author_count: int | None = None
    categories: tuple[str, ...] = ()
    doi: str | None = None
    arxiv_id: str | None = None
    code_urls: tuple[str, ...] = ()
    source: str = ""

    def text_fields(self) -> tuple[tuple[str, str], ...]:
        """``(field name, text)`` pairs that extraction reads: title then abstract."""
        return (("title", self.title), ("abstract", self.abstract))


@dataclass(frozen=True)
class Reject:
    """A record that could not be read: where it was and why."""

    source: str
    location: str
    reason: str
    excerpt: str = ""

    def describe(self) -> str:
        return f"{self.source}:{self.location}: {self.reason}"


@dataclass(frozen=True)
class Mention:
    """One occurrence of a named thing in a paper's title or abstract.

    ``start``/``end`` are character offsets into the field's text (``field`` is ``title`` or
    ``abstract``); ``sentence`` is the sentence around it. ``key`` is the linker's canonical
    key for the mention (long form for an abbreviation defined in the same abstract), and
    ``long_form``/``short_form`` record an abbreviation pair when one was seen.
    """

    paper_id: str
    text: str
    start: int
    end: int
    field: str
    type: NodeType
    role: RelType
    rule: str
    confidence: float
    sentence: str
    key: str = ""
    short_form: str | None = None
    gazetteer_id: str | None = None


@dataclass(frozen=True)
class DomainScore:
    """A domain assigned to a paper, with the words or categories that fired."""

    domain_id: str
    name: str
    top: str
    score: float
    explanation: tuple[str, ...] = ()


@dataclass(frozen=True)
class Entity:
    """A typed, de-duplicated node with a stable id."""

    id: str
    type: NodeType
    name: str
    aliases: tuple[str, ...] = ()
    properties: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class Edge:
    """A relationship, with its evidence when it came from a mention."""

    source: str
    type: RelType
    target: str
    sentence: str | None = None
    start: int | None = None
    end: int | None = None
    field: str | None = None
    rule: str | None = None
    confidence: float | None = None
    count: int = 1
