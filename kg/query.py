"""Finding a concept and its neighbourhood in the store, without loading the whole graph.

:func:`neighborhood` returns the JSON-ready shape documented for ``kg show --format json``;
:func:`to_networkx` turns it into an ``nx.MultiDiGraph`` for analysis and drawing.
"""

from __future__ import annotations

import difflib
import json
from collections import defaultdict
from typing import TYPE_CHECKING, Any

from kg.errors import AmbiguousConcept, ConceptNotFound
from kg.link.normalize import canonical_key
from kg.schema import ENTITY_TYPES, NodeType, RelType, make_id
from kg.store import Store

if TYPE_CHECKING:  # networkx takes ~0.15 s to import, a third of `kg show`; only to_networkx needs it
    import networkx as nx

__all__ = ["find_concept", "neighborhood", "to_networkx", "CLOSE_SPELLING"]

#: difflib ratio at which a name counts as the same word spelled differently
CLOSE_SPELLING = 0.88


def _types(types: list[str] | None) -> list[str]:
    return [t for t in (types or [])]


def find_concept(store: Store, text: str, types: list[str] | None = None) -> dict[str, Any]:
    """The entity or paper that ``text`` names: id, name, alias or close spelling.

    Raises :class:`ConceptNotFound` with the closest names, or :class:`AmbiguousConcept`.
    """
    c = store.conn
    wanted = set(_types(types))

    def ok(row_type: str) -> bool:
        return not wanted or row_type in wanted

    ent = store.entity(store.resolve_id(text.strip()))
    if ent is not None and ok(ent["type"]):
        return ent
    paper = store.get_paper(text)
    if paper is not None and ok(NodeType.PAPER.value):
        return {"id": paper.id, "type": NodeType.PAPER.value, "name": paper.title, "aliases": []}
    low = text.strip().lower()
    ids: list[str] = [r[0] for r in c.execute("SELECT id FROM entities WHERE lower(name)=?", (low,))]
    ids += [r[0] for r in c.execute(
        "SELECT DISTINCT entity_id FROM mentions WHERE lower(text)=? AND entity_id IS NOT NULL",
        (low,))]
    try:
        key = canonical_key(text)
        for t in ENTITY_TYPES:
            ids.append(make_id(t, key))
    except ValueError:
        pass
    found = []
    for i in dict.fromkeys(ids):
        e = store.entity(i)
        if e is not None and ok(e["type"]):
            found.append(e)
    if len(found) == 1:
        return found[0]
    if len(found) > 1:
        raise AmbiguousConcept(text, [f"{e['id']} ({e['name']})" for e in found])
    rows = c.execute("SELECT id, name, type FROM entities WHERE substr(lower(name),1,1)=? "
                     "LIMIT 200000", (low[:1],)).fetchall()
    names = {r["name"].lower(): r for r in rows if ok(r["type"])}
    # a close spelling ("optimisation", a dropped letter) is taken; anything looser is
    # only suggested
    close = difflib.get_close_matches(low, list(names), n=2, cutoff=CLOSE_SPELLING)
    if close:
        e = store.entity(names[close[0]]["id"])
        if e is not None:
            return e
    sugg = difflib.get_close_matches(low, list(names), n=5, cutoff=0.5)
    raise ConceptNotFound(text, [f"{names[s]['name']} ({names[s]['id']})" for s in sugg])


def _paper_brief(store: Store, pid: str) -> dict[str, Any]:
    row = store.conn.execute("SELECT id, title, year FROM papers WHERE id=?", (pid,)).fetchone()
    return {"id": pid, "type": NodeType.PAPER.value, "name": row["title"] if row else pid,
            "year": row["year"] if row else None}


def neighborhood(store: Store, concept_id: str, *, depth: int = 1, types: list[str] | None = None,
                 relations: list[str] | None = None, limit: int = 50,
                 since: int | None = None) -> dict[str, Any]:
    """The concept and its neighbours grouped by relation, with counts, years and evidence."""
    c = store.conn
    ent = store.entity(concept_id)
    if ent is None:
        p = _paper_brief(store, concept_id)
        ent = {"id": concept_id, "type": NodeType.PAPER.value, "name": p["name"], "aliases": []}
    concept = {k: ent[k] for k in ("id", "type", "name", "aliases")}
    neighbors: list[dict[str, Any]] = []
    # papers pointing at the concept (a busy Method has a quarter of them) and links (a domain
    # has thousands): only the first ``limit`` per relation are read, the rest only counted
    counted: dict[str, int] = {}
    if concept["type"] == NodeType.PAPER.value:
        neighbors += _paper_out(store, concept_id)
    else:
        if not types or NodeType.PAPER.value in types:
            neighbors += _papers_in(store, concept_id, since, relations, limit, counted)
        seen: dict[str, int] = defaultdict(int)
        for r in c.execute("SELECT * FROM links WHERE source=? OR target=?", (concept_id, concept_id)):
            if not types:  # the type filter needs each neighbour's type; else only count the rest
                if relations and r["rel"] not in relations:
                    continue
                seen[r["rel"]] += 1
                counted.setdefault(r["rel"], 0)
                if seen[r["rel"]] > limit:
                    counted[r["rel"]] += 1
                    continue
            other = r["target"] if r["source"] == concept_id else r["source"]
            e = _brief(store, other)
            props = json.loads(r["props"])
            years = [y for y in (props.get("first_year"), props.get("last_year")) if y]
            neighbors.append({
                "id": other, "type": e["type"], "name": e["name"], "relation": r["rel"],
                "direction": "out" if r["source"] == concept_id else "in",
                "count": props.get("paper_count", 1), "years": sorted(set(years)), "evidence": None})
    if depth >= 2:
        neighbors += _second_hop(store, concept_id, concept["type"], since)
    if types:
        neighbors = [n for n in neighbors if n["type"] in types]
    if relations:
        neighbors = [n for n in neighbors if n["relation"] in relations]
    grouped: dict[str, int] = defaultdict(int, dict.fromkeys(counted, 0))
    kept = []
    for n in neighbors:
        grouped[n["relation"]] += 1
        if grouped[n["relation"]] <= limit:
            kept.append(n)
    for rel, skipped in counted.items():  # what was only counted comes after the kept ones
        grouped[rel] += skipped             # of its relation, so it only adds to the totals
    return {"concept": concept, "neighbors": kept, "totals": dict(grouped)}


def _papers_in(store: Store, concept_id: str, since: int | None, relations: list[str] | None,
               limit: int, skipped: dict[str, int]) -> list[dict[str, Any]]:
    """Papers with an edge to the concept, newest and surest first, at most ``limit`` per relation.

    ``skipped`` gets, for each relation in order of its first paper, how many were left out.
    """
    where, args = "e.target=?", [concept_id]
    if since is not None:
        where += " AND e.year >= ?"
        args.append(since)
    if relations:
        where += f" AND e.rel IN ({','.join('?' * len(relations))})"
        args += relations
    totals = store.conn.execute(f"SELECT e.rel, COUNT(*) FROM edges e WHERE {where} "
                                "GROUP BY e.rel", args).fetchall()
    # edges_target holds this order: the first ``limit`` rows of the index, whatever the
    # concept's size
    q = ('SELECT e.paper_id, e.rel, e.sentence, e.start, e."end", e.field, e.rule, e.confidence, '
         f"e.count, p.title, e.year FROM edges e JOIN papers p ON p.id = e.paper_id WHERE e.rowid IN "
         f"(SELECT e.rowid FROM edges e WHERE {where} AND e.rel=? "
         "ORDER BY e.year DESC, e.confidence DESC, e.paper_id LIMIT ?)")
    rows = []
    for rel, _ in totals:
        rows += store.conn.execute(q, [*args, rel, max(limit, 1)]).fetchall()
    # SQLite's order (NULLs last when descending); ties across relations by relation name
    rows.sort(key=lambda r: (r["year"] is None, -(r["year"] or 0), r["confidence"] is None,
                             -(r["confidence"] or 0), r["paper_id"], r["rel"]))
    total = dict(totals)
    out = []
    for r in rows:
        if r["rel"] not in skipped:  # its first paper: the relations keep their order
            skipped[r["rel"]] = total[r["rel"]] - min(total[r["rel"]], max(limit, 0))
        if limit > 0:  # else one paper per relation was fetched only for that order
            out.append({
                "id": r["paper_id"], "type": NodeType.PAPER.value, "name": r["title"],
                "relation": r["rel"], "direction": "in", "count": r["count"],
                "years": [r["year"]] if r["year"] else [], "evidence": _evidence(r)})
    return out


def _brief(store: Store, eid: str) -> dict[str, Any]:
    """A neighbour's type and name (no aliases: they cost a scan of its mentions)."""
    row = store.conn.execute("SELECT type, name FROM entities WHERE id=?", (eid,)).fetchone()
    return {"type": row[0], "name": row[1]} if row else {"name": eid, "type": "?"}


def _evidence(r: Any) -> dict[str, Any] | None:
    if r["sentence"] is None:
        return None
    return {"sentence": r["sentence"], "start": r["start"], "end": r["end"], "field": r["field"],
            "rule": r["rule"], "confidence": r["confidence"]}


def _paper_out(store: Store, pid: str) -> list[dict[str, Any]]:
    out = []
    year = _paper_brief(store, pid)["year"]
    for r in store.conn.execute(
            'SELECT rel, target, sentence, start, "end", field, rule, confidence, count FROM edges '
            "WHERE paper_id=? ORDER BY rel, confidence DESC, target", (pid,)):
        e = _brief(store, r["target"])
        out.append({"id": r["target"], "type": e["type"], "name": e["name"], "relation": r["rel"],
                    "direction": "out", "count": r["count"], "years": [year] if year else [],
                    "evidence": _evidence(r)})
    return out


def _second_hop(store: Store, eid: str, etype: str, since: int | None) -> list[dict[str, Any]]:
    """Entities that share papers with ``eid``: ``via`` names the relation through the paper."""
    if etype == NodeType.PAPER.value:
        return []
    q = ("SELECT b.rel, b.target, COUNT(DISTINCT b.paper_id) n, MIN(p.year) y0, MAX(p.year) y1, "
         "MAX(b.confidence) conf FROM edges a JOIN edges b ON b.paper_id = a.paper_id AND b.target != a.target "
         "JOIN papers p ON p.id = a.paper_id WHERE a.target = ? AND b.rel != ?")
    args: list[Any] = [eid, RelType.AUTHORED_BY.value]
    if since is not None:
        q += " AND p.year >= ?"
        args.append(since)
    out = []
    for r in store.conn.execute(q + " GROUP BY b.rel, b.target ORDER BY n DESC, b.target LIMIT 500", args):
        e = _brief(store, r["target"])
        out.append({"id": r["target"], "type": e["type"], "name": e["name"],
                    "relation": r["rel"], "direction": "out", "via": NodeType.PAPER.value,
                    "count": r["n"], "years": sorted({y for y in (r["y0"], r["y1"]) if y}),
                    "evidence": None})
    return out


def to_networkx(hood: dict[str, Any]) -> nx.MultiDiGraph:
    """A ``MultiDiGraph`` of a :func:`neighborhood` result (nodes keyed by id)."""
    import networkx as nx

    g = nx.MultiDiGraph()
    c = hood["concept"]
    g.add_node(c["id"], type=c["type"], name=c["name"])
    for n in hood["neighbors"]:
        g.add_node(n["id"], type=n["type"], name=n["name"])
        src, dst = (c["id"], n["id"]) if n["direction"] == "out" else (n["id"], c["id"])
        g.add_edge(src, dst, key=n["relation"], type=n["relation"], count=n["count"])
    return g
