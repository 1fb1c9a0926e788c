"""Suspected duplicates: entities of one type whose names look like one thing, for review.

Three signals, strongest first: the same name once case, plural, hyphens and spaces are
ignored (``same-key``); one entity's name is another's alias (``name-is-alias``); names that
differ by a letter or two (``near-identical``, difflib ratio at least ``NEAR``). Each pair is
a place to look, not a verdict: merge it with ``kg curate merge`` or leave it.
"""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from kg.link.normalize import canonical_key, squash
from kg.store import Store

__all__ = ["Suspect", "suspected_duplicates", "NEAR"]

NEAR = 0.93
_MIN_NEAR_LEN = 8
_VERSIONS = re.compile(r"[0-9]+|\b[ivx]+\b|(?<=-)[a-z]\b")  # short names differ by one letter all the time: "GAN" / "GNN"


@dataclass(frozen=True)
class Suspect:
    type: str
    a: str
    b: str
    reason: str
    a_name: str
    b_name: str


def _squash(name: str) -> str:
    return squash(canonical_key(name))


def suspected_duplicates(store: Store, entity_type: str | None = None) -> Iterator[Suspect]:
    """Pairs of entities of one type that may be one thing, ordered by reason then ids."""
    c = store.conn
    q = "SELECT id, type, name FROM entities WHERE origin = 'mention'"
    args: tuple[str, ...] = ()
    if entity_type:
        q += " AND type = ?"
        args = (entity_type,)
    rows = c.execute(q + " ORDER BY type, id", args).fetchall()
    names = {r["id"]: r["name"] for r in rows}
    seen: set[tuple[str, str]] = set()
    out: list[Suspect] = []

    def add(t: str, a: str, b: str, reason: str) -> None:
        x, y = sorted((a, b))
        if x != y and (x, y) not in seen:
            seen.add((x, y))
            out.append(Suspect(t, x, y, reason, names[x], names[y]))

    by_key: dict[tuple[str, str], list[str]] = defaultdict(list)
    for r in rows:
        by_key[(r["type"], _squash(r["name"]))].append(r["id"])
    for (t, _), ids in sorted(by_key.items()):
        for other in ids[1:]:
            add(t, ids[0], other, "same-key")
    by_name: dict[tuple[str, str], str] = {(r["type"], r["name"].lower()): r["id"] for r in rows}
    for m in c.execute("SELECT DISTINCT m.entity_id, m.text, e.type FROM mentions m "
                       "JOIN entities e ON e.id = m.entity_id WHERE e.origin = 'mention'"):
        other = by_name.get((m["type"], m["text"].lower()))
        if other is not None and other != m["entity_id"] and (entity_type in (None, m["type"])):
            add(m["type"], other, m["entity_id"], "name-is-alias")
    blocks: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    for r in rows:
        low = r["name"].lower()
        if len(low) >= _MIN_NEAR_LEN:
            blocks[(r["type"], low[:3])].append((r["id"], low))
    for (t, _), items in sorted(blocks.items()):
        for i, (a, la) in enumerate(items):
            for b, lb in items[i + 1:]:
                if _VERSIONS.sub("", la) == _VERSIONS.sub("", lb):
                    continue  # CIFAR-10 / CIFAR-100, EfficientNet-B0 / -B2: versions, not typos
                if abs(len(la) - len(lb)) <= 3 and difflib.SequenceMatcher(None, la, lb).ratio() >= NEAR:
                    add(t, a, b, "near-identical")
    order = {"same-key": 0, "name-is-alias": 1, "near-identical": 2}
    yield from sorted(out, key=lambda s: (order[s.reason], s.type, s.a, s.b))
