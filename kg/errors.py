"""kg's exceptions. The library raises these; only :mod:`kg.cli` turns them into messages."""

from __future__ import annotations

__all__ = [
    "KGError",
    "StoreError",
    "StoreLocked",
    "StoreNotFound",
    "ConceptNotFound",
    "AmbiguousConcept",
    "UnknownFormat",
]


class KGError(Exception):
    """Base class of every error kg raises on purpose."""


class StoreError(KGError):
    """The store cannot be opened or written."""


class StoreNotFound(StoreError):
    def __init__(self, path: str) -> None:
        super().__init__(f"no store at {path}: run `kg build INPUT --store {path}` first")
        self.path = path


class StoreLocked(StoreError):
    def __init__(self, path: str) -> None:
        super().__init__(
            f"the store at {path} is being written by another kg process; "
            "wait for it to finish (builds on one store are never interleaved)")
        self.path = path


class ConceptNotFound(KGError):
    def __init__(self, concept: str, suggestions: list[str]) -> None:
        hint = f"; closest: {', '.join(suggestions)}" if suggestions else ""
        super().__init__(f"no entity matches {concept!r}{hint}")
        self.concept = concept
        self.suggestions = suggestions


class AmbiguousConcept(KGError):
    def __init__(self, concept: str, candidates: list[str]) -> None:
        super().__init__(
            f"{concept!r} matches several entities: {', '.join(candidates)}; "
            "give the id or narrow with --type")
        self.concept = concept
        self.candidates = candidates


class UnknownFormat(KGError):
    def __init__(self, path: str, known: list[str]) -> None:
        super().__init__(f"{path}: not in any known format (known: {', '.join(known)})")
        self.path = path
        self.known = known
