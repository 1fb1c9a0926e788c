"""Curation: a user's corrections, re-applied on every build.

A curation file is TOML with five kinds of entries (each an array of tables)::

    [[block]]            # never make an entity of this name (any case) or id
    name = "our method"  # or: id = "method/our-method"
    type = "Method"      # optional: only this type

    [[merge]]            # these entities are one: everything goes to `into`
    ids = ["method/gcn", "method/graph-conv-net"]
    into = "method/graph-convolutional-network"

    [[rename]]           # give an entity a new name; its id follows the name, the old id
    id = "method/x"      # stays resolvable as an alias of the new one
    name = "New Name"

    [[retype]]           # it is a Dataset, not a Method (new id, old id kept as alias)
    id = "method/imagenet"
    type = "Dataset"

    [[split]]            # the mentions in these papers name another entity
    id = "method/gcn"
    into = "method/gated-cross-network"
    name = "Gated Cross Network"     # optional
    papers = ["paper/arxiv-2510.00001"]

kg reads the shipped ``ontology/curation.toml`` and then the store's own ``curation.toml``
(``kg curate`` edits the latter, with validation).
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg.errors import KGError
from kg.link.normalize import canonical_key
from kg.schema import ENTITY_TYPES, ID_PREFIX, NodeType, make_id

__all__ = ["Curation", "CurationError", "load_curation", "KINDS", "dump_toml"]

KINDS: dict[str, dict[str, tuple[type, bool]]] = {
    # kind -> field -> (python type, required)
    "block": {"name": (str, False), "id": (str, False), "type": (str, False)},
    "merge": {"ids": (list, True), "into": (str, True)},
    "rename": {"id": (str, True), "name": (str, True)},
    "retype": {"id": (str, True), "type": (str, True)},
    "split": {"id": (str, True), "into": (str, True), "name": (str, False), "papers": (list, True)},
}
_TYPES = {t.value: t for t in ENTITY_TYPES}
_PREFIX_TYPE = {ID_PREFIX[t]: t for t in ENTITY_TYPES}


class CurationError(KGError):
    """A curation file or entry that cannot be applied."""


def _type_of(eid: str) -> NodeType | None:
    return _PREFIX_TYPE.get(eid.split("/", 1)[0])


def validate_entry(kind: str, entry: dict[str, Any], where: str) -> None:
    """Raise :class:`CurationError` naming ``where`` unless ``entry`` is a valid ``kind``."""
    if kind not in KINDS:
        raise CurationError(f"{where}: unknown curation kind {kind!r} (known: {', '.join(KINDS)})")
    spec = KINDS[kind]
    for key in entry:
        if key not in spec:
            raise CurationError(f"{where}: {kind} has no field {key!r} (fields: {', '.join(spec)})")
    for key, (typ, required) in spec.items():
        if key not in entry:
            if required:
                raise CurationError(f"{where}: {kind} needs {key!r}")
            continue
        if not isinstance(entry[key], typ) or (typ is list and not all(isinstance(x, str) for x in entry[key])):
            raise CurationError(f"{where}: {kind}.{key} must be {'a list of strings' if typ is list else 'a string'}")
    if kind == "block" and "name" not in entry and "id" not in entry:
        raise CurationError(f"{where}: block needs 'name' or 'id'")
    for key in ("type",):
        if key in entry and entry[key] not in _TYPES:
            raise CurationError(f"{where}: {kind}.type {entry[key]!r} is not one of {', '.join(_TYPES)}")
    ids = ([entry["id"]] if isinstance(entry.get("id"), str) else []) + list(entry.get("ids", [])) + (
        [entry["into"]] if "into" in entry else [])
    for eid in ids:
        if _type_of(eid) is None:
            raise CurationError(f"{where}: {eid!r} is not an entity id (like 'method/transformer')")
    if kind in ("merge", "split"):
        types = {_type_of(e) for e in ids}
        if len(types) > 1:
            raise CurationError(f"{where}: {kind} would join entities of different types: {', '.join(ids)}")


@dataclass
class Curation:
    """Compiled curation: lookups the resolver applies to each mention."""

    blocked_names: dict[str, set[str | None]] = field(default_factory=dict)  # key -> types
    blocked_ids: set[str] = field(default_factory=set)
    redirects: dict[str, str] = field(default_factory=dict)  # id -> id (merge, rename, retype)
    splits: dict[tuple[str, str], str] = field(default_factory=dict)  # (id, paper) -> id
    names: dict[str, str] = field(default_factory=dict)  # id -> fixed canonical name
    entries: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def add(self, kind: str, entry: dict[str, Any], where: str = "curation") -> None:
        validate_entry(kind, entry, where)
        self.entries.append((kind, entry))
        if kind == "block":
            if "id" in entry:
                self.blocked_ids.add(entry["id"])
            if "name" in entry:
                self.blocked_names.setdefault(canonical_key(entry["name"]), set()).add(entry.get("type"))
        elif kind == "merge":
            for eid in entry["ids"]:
                if eid != entry["into"]:
                    self.redirects[eid] = entry["into"]
        elif kind == "rename":
            t = _type_of(entry["id"])
            assert t is not None
            new = make_id(t, canonical_key(entry["name"]))
            if new != entry["id"]:
                self.redirects[entry["id"]] = new
            self.names[new] = entry["name"]
        elif kind == "retype":
            new_type = _TYPES[entry["type"]]
            new = make_id(new_type, entry["id"].split("/", 1)[1])
            self.redirects[entry["id"]] = new
        elif kind == "split":
            for pid in entry["papers"]:
                self.splits[(entry["id"], pid)] = entry["into"]
            if "name" in entry:
                self.names[entry["into"]] = entry["name"]

    def apply(self, entity_id: str, surface: str, paper_id: str) -> str | None:
        """The curated entity id for a mention, or None when blocked."""
        t = _type_of(entity_id)
        # a blocked name blocks its variants ("Transformers") and the entity it names
        for key in (canonical_key(surface), entity_id.split("/", 1)[-1]):
            types = self.blocked_names.get(key)
            if types is not None and (None in types or (t is not None and t.value in types)):
                return None
        seen = set()
        eid = self.splits.get((entity_id, paper_id), entity_id)
        while eid in self.redirects and eid not in seen:  # follow chains, never loop
            seen.add(eid)
            eid = self.redirects[eid]
        return None if eid in self.blocked_ids else eid

    def fingerprint(self) -> str:
        return json.dumps(self.entries, sort_keys=True, ensure_ascii=False)


def load_curation(paths: Iterable[Path]) -> Curation:
    """Curation from the TOML files that exist among ``paths``, in order."""
    cur = Curation()
    for path in paths:
        if not path.exists():
            continue
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise CurationError(f"{path}: not valid TOML: {exc}") from exc
        for kind, entries in data.items():
            if not isinstance(entries, list):
                raise CurationError(f"{path}: '{kind}' must be an array of tables ([[{kind}]])")
            for i, entry in enumerate(entries, 1):
                cur.add(kind, entry, f"{path}: {kind} #{i}")
    return cur


def dump_toml(entries: list[tuple[str, dict[str, Any]]]) -> str:
    """TOML text for curation entries (strings and lists of strings only).

    >>> print(dump_toml([("block", {"name": 'our "method"'})]))
    [[block]]
    name = "our \\"method\\""
    <BLANKLINE>
    """
    out = []
    for kind, entry in entries:
        out.append(f"[[{kind}]]")
        for key, value in entry.items():
            out.append(f"{key} = {json.dumps(value, ensure_ascii=False)}")
        out.append("")
    return "\n".join(out)
