"""Cross-paper resolution policy: which entity a mention names, given the whole corpus.

Pure functions over a global alias table. The table maps each abbreviation (short form and
type) to the long forms it is defined with across the corpus (Schwartz-Hearst pairs found in
single abstracts). A bare abbreviation, one its own paper does not define, resolves to its long
form when the corpus gives it exactly one, and to nothing when it gives several: ambiguous
acronyms ("GCN": graph convolutional network / gated cross network) stay apart, keyed by their
long forms, and the ambiguity is recorded instead of guessed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from kg.link.normalize import canonical_key, squash
from kg.schema import NodeType, make_id

__all__ = ["Resolution", "AliasTable", "resolve_mention"]


@dataclass(frozen=True)
class Resolution:
    """The outcome for one mention: an entity id, or None with the reason."""

    entity_id: str | None
    reason: str = ""


class AliasTable:
    """``(short form, type) -> {long key: number of papers defining it}``."""

    def __init__(self, pairs: Iterable[tuple[str, str, str, int]] = ()) -> None:
        self._table: dict[tuple[str, str], dict[str, int]] = {}
        for short, typ, long_key, n in pairs:
            self._table.setdefault((short, typ), {})[long_key] = n

    def long_forms(self, short: str, node_type: NodeType) -> dict[str, int]:
        """The long keys ``short`` is defined with, and in how many papers."""
        return dict(self._table.get((short, node_type.value), {}))

    def resolve(self, short: str, node_type: NodeType, known: str | None = None) -> Resolution:
        """Where a bare ``short`` goes: its unique long form, itself, or nowhere if ambiguous.

        ``known`` is the key a gazetteer gives the short form, one more long form to weigh.
        Long forms that differ only in spelling ("spatio-temporal"/"spatiotemporal") count
        as one.

        >>> t = AliasTable([("DPO", "Method", "direct-preference-optimization", 3),
        ...                 ("GCN", "Method", "graph-convolutional-network", 2),
        ...                 ("GCN", "Method", "gated-cross-network", 1)])
        >>> t.resolve("DPO", NodeType.METHOD).entity_id
        'method/direct-preference-optimization'
        >>> t.resolve("GCN", NodeType.METHOD)
        Resolution(entity_id=None, reason='ambiguous: gated-cross-network | graph-convolutional-network')
        >>> t.resolve("RLHF", NodeType.METHOD).entity_id
        'method/rlhf'
        >>> t.resolve("DPO", NodeType.METHOD, known="direct-preference-optimisation").entity_id
        'method/direct-preference-optimisation'
        """
        longs = dict(self._table.get((short, node_type.value), {}))
        if not longs:
            key = known or canonical_key(short)
            return Resolution(make_id(node_type, key), "undefined abbreviation" if not known else "")
        if known:
            longs[known] = longs.get(known, 0)
        groups: dict[str, list[str]] = {}
        for key in longs:
            groups.setdefault(squash(key.replace("optimisation", "optimization")), []).append(key)
        if len(groups) == 1:
            (keys,) = groups.values()
            key = known if known in keys else min(keys, key=lambda k: (-longs[k], k))
            return Resolution(make_id(node_type, key), "corpus abbreviation")
        return Resolution(None, "ambiguous: " + " | ".join(sorted(longs)))


def resolve_mention(raw_key: str, node_type: NodeType, bare_short: str | None,
                    table: AliasTable, *, gazetteer: bool = False) -> Resolution:
    """Entity for a mention: a bare abbreviation goes through ``table`` (with the gazetteer's
    reading of it, if it has one), anything else keeps its own canonical key (already the long
    form for an abbreviation its paper defines).
    """
    if bare_short:
        res = table.resolve(bare_short, node_type, known=raw_key if gazetteer else None)
        if res.reason != "undefined abbreviation":
            return res
    return Resolution(make_id(node_type, raw_key))
