"""Corpus-level resolution inside the store: mentions -> entities -> edges.

Run at the end of every build (and after curation changes). Only what the build touched is
redone: papers written or removed, and papers whose bare abbreviations may now resolve
differently because the corpus's alias table changed. The result depends only on the set of
papers in the store, never on the order they came in: building A then B equals building A and
B together.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Iterator
from functools import cache
from itertools import groupby
from operator import itemgetter
from typing import Any

from kg.extract.lexicon import GazetteerEntry, load_lexicon
from kg.extract.rules import compared_in
from kg.link.aliases import AliasTable, resolve_mention
from kg.link.curation import Curation
from kg.link.normalize import squash
from kg.link.resolve import ROLE_RANK
from kg.schema import ID_PREFIX, ENTITY_TYPES, NodeType, RelType
from kg.store.db import MENTION_RELS, RELINK_INDEXES, Store, pick_name

__all__ = ["relink"]

_PREFIX_TYPE = {ID_PREFIX[t]: t for t in ENTITY_TYPES}
_BATCH = 500


@cache
def _gazetteer() -> dict[tuple[str, str], GazetteerEntry]:
    return {(e.type.value, e.id): e for e in load_lexicon().entries}


def _chunks(items: list[str], n: int = _BATCH) -> Iterable[list[str]]:
    for i in range(0, len(items), n):
        yield items[i:i + n]


def relink(store: Store, curation: Curation | None, *, full: bool = False) -> None:
    """Resolve mentions of touched papers, derive their edges, refresh entities and APPLIED_IN.

    Three steps: (1) abbreviations against the corpus's alias table; (2) spelling variants
    that differ only in separators ("feed-forward"/"feedforward") become the group's most
    used spelling; (3) curation, then the paper's evidence edges.

    The work is a queue, the ``dirty`` table, and is committed a chunk of papers at a time
    (:meth:`Store.commit_point`; inside one transaction SQLite looked up every page read in a
    write-ahead log that grew to gigabytes, which made a 1M-paper finish quadratic). A relink
    that fails or is killed part way leaves the store consistent with the rest of its work
    still queued, and the next build, or ``kg doctor --repair``, carries on from there.
    """
    c = store.conn
    cur = curation or Curation()
    store.create_indexes(RELINK_INDEXES)  # a relink killed in its bulk steps left them dropped
    if full or store.get_meta("curation") != cur.fingerprint():
        # every paper is redone: queued, the new curation is the store's from now on
        c.execute("INSERT OR IGNORE INTO dirty SELECT 'paper', id FROM papers")
        full = True
    shorts = [tuple(k.split("\t", 1)) for (k,) in c.execute(
        "SELECT key FROM dirty WHERE kind='short'").fetchall()]
    if not full:  # a full relink has every paper queued already
        store.mark_dirty("paper", _papers_using(store, shorts))
    for short, typ in shorts:  # whether an abbreviation is ambiguous may have changed
        # lower(text) finds the rows through the mentions_text index; without it SQLite
        # scanned every resolved mention once per abbreviation
        store.mark_dirty("entity", {r[0] for r in c.execute(
            "SELECT DISTINCT entity_id FROM mentions WHERE lower(text) IN (lower(?), lower(?)) "
            "AND text IN (?, ?) AND type=? AND kind='short' AND entity_id IS NOT NULL",
            (short, short + "s", short, short + "s", typ))})
    c.execute("DELETE FROM dirty WHERE kind='short'")
    store.set_meta("curation", cur.fingerprint())
    store.commit_point()

    queued = c.execute("SELECT COUNT(*) FROM dirty WHERE kind='paper'").fetchone()[0]
    # redoing most of the store: build the indexes the steps write to afterwards, by sorting,
    # rather than inserting every mention's new key into them (a 1M-paper finish, see RELINK_INDEXES)
    bulk = 2 * queued >= c.execute("SELECT COUNT(*) FROM papers").fetchone()[0]
    step1_indexes, step3_indexes = ("mentions_resolved", "mentions_grp"), ("mentions_entity", "edges_target")
    if bulk:
        store.drop_indexes(step1_indexes)
    groups: set[str] = {r[0] for r in c.execute("SELECT key FROM dirty WHERE kind='group'")}
    defs = _Definitions(store)
    for chunk in _queued(store, "paper"):
        groups |= _resolve_aliases(store, chunk, defs)
        store.commit_point()
    store.create_indexes(step1_indexes)
    changed = _representatives(store, None if bulk else groups)
    c.execute("DELETE FROM dirty WHERE kind='group'")
    if not full:  # papers whose mentions' representative changed (a full relink has them all)
        for chunk in _chunks(sorted(changed)):
            marks = ",".join("?" * len(chunk))
            store.mark_dirty("paper", [r[0] for r in c.execute(
                f"SELECT DISTINCT paper_id FROM mentions WHERE resolved IN ({marks})", chunk)])
    store.commit_point()

    if bulk:
        store.drop_indexes(step3_indexes)
    for chunk in _queued(store, "paper"):
        moves: dict[str, set[str]] = defaultdict(set)
        touched: set[str] = set()
        _finalize(store, chunk, cur, moves, touched)
        store.mark_dirty("entity", touched)
        store.mark_dirty("move", [f"{new}\t{old}" for new, olds in moves.items() for old in olds])
        _dequeue(store, "paper", chunk)
        store.commit_point()
    store.create_indexes(step3_indexes)
    for chunk in _queued(store, "entity"):
        for eid in chunk:
            _refresh_entity(store, eid, cur)
        _dequeue(store, "entity", chunk)
        store.commit_point()
    all_moves: dict[str, set[str]] = defaultdict(set)
    for (key,) in c.execute("SELECT key FROM dirty WHERE kind='move'"):
        new, old = key.split("\t", 1)
        all_moves[new].add(old)
    _record_former_ids(store, all_moves)
    _applied_in(store)
    c.execute("DELETE FROM dirty")


def _dequeue(store: Store, kind: str, keys: list[str]) -> None:
    store.conn.executemany("DELETE FROM dirty WHERE kind=? AND key=?", [(kind, k) for k in keys])


def _queued(store: Store, kind: str) -> Iterator[list[str]]:
    """The queued keys of ``kind`` in order, a chunk at a time (the caller may dequeue them)."""
    last = ""
    while True:
        chunk = [r[0] for r in store.conn.execute(
            "SELECT key FROM dirty WHERE kind=? AND key > ? ORDER BY key LIMIT ?", (kind, last, _BATCH))]
        if not chunk:
            return
        yield chunk
        last = chunk[-1]


def _papers_using(store: Store, shorts: list[tuple[str, ...]]) -> set[str]:
    out: set[str] = set()
    for short, typ in shorts:
        out |= {r[0] for r in store.conn.execute(
            "SELECT DISTINCT paper_id FROM mentions WHERE bare=? AND type=?", (short, typ))}
    return out


class _Definitions:
    """The corpus's abbreviation definitions, read once per relink (the abbrevs table does not
    change during it), and how each bare abbreviation resolves. "LLM" has thousands of
    definitions in a large store: re-reading them for every chunk of papers, or weighing them
    again for every mention, made step 1 grow faster than the corpus."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.rows: dict[tuple[str, str], list[tuple[str, str, str, int]]] = {}
        self.resolved: dict[tuple[str, str, str, bool], tuple[Any, ...]] = {}

    def table(self, keys: set[tuple[str, str]]) -> AliasTable:
        """The alias table of the abbreviations ``keys`` (short form, type)."""
        rows = []
        for key in keys:
            if key not in self.rows:
                short, typ = key
                self.rows[key] = [(short, typ, r[0], r[1]) for r in self.store.conn.execute(
                    "SELECT long_key, COUNT(DISTINCT paper_id) FROM abbrevs WHERE short=? AND type=? "
                    "GROUP BY long_key", key)]
            rows += self.rows[key]
        return AliasTable(rows)


def _group(eid: str) -> str:
    prefix, _, slug = eid.partition("/")
    return f"{prefix}/{squash(slug)}"


def _resolve_aliases(store: Store, papers: list[str], defs: _Definitions) -> set[str]:
    """Step 1 for ``papers``: ``mentions.resolved``; returns the variant groups touched."""
    c = store.conn
    marks = ",".join("?" * len(papers))
    rows = c.execute(f"SELECT paper_id, seq, raw_key, type, bare, grp, gazetteer_id FROM mentions "
                     f"WHERE paper_id IN ({marks})", papers).fetchall()
    table = defs.table({(r["bare"], r["type"]) for r in rows if r["bare"]})
    groups: set[str] = {r["grp"] for r in rows if r["grp"]}
    updates = []
    memo = defs.resolved
    for r in rows:
        key = (r["raw_key"], r["type"], r["bare"], r["gazetteer_id"] is not None)
        hit = memo.get(key) if r["bare"] else None
        if hit is None:
            res = resolve_mention(r["raw_key"], NodeType(r["type"]), r["bare"], table,
                                  gazetteer=r["gazetteer_id"] is not None)
            hit = (res.entity_id, _group(res.entity_id) if res.entity_id else None, res.reason or None)
            if r["bare"]:
                memo[key] = hit
        if hit[1]:
            groups.add(hit[1])
        updates.append((*hit, r["paper_id"], r["seq"]))
    c.executemany("UPDATE mentions SET resolved=?, grp=?, note=? WHERE paper_id=? AND seq=?", updates)
    return groups


def _representatives(store: Store, groups: set[str] | None) -> set[str]:
    """Step 2: the representative of each touched variant group (``None``: of every group,
    in one pass over the mentions, for a relink of most of the store); returns resolved ids
    whose representative changed (their papers need new edges)."""
    c = store.conn
    changed: set[str] = set()
    if groups is None:
        old = {r[0]: r[1] for r in c.execute("SELECT resolved, rep FROM variants")}
        c.execute("DELETE FROM variants")
        rows = c.execute("SELECT grp, resolved, COUNT(DISTINCT paper_id) n FROM mentions "
                         "WHERE grp IS NOT NULL GROUP BY grp, resolved ORDER BY grp")
        counted: Iterable[tuple[str, list[Any], dict[str, str]]] = (
            (grp, list(counts), old) for grp, counts in groupby(rows, key=itemgetter(0)))
    else:
        counted = (_group_counts(c, grp) for grp in sorted(groups))
    seen: set[str] = set()
    for grp, counts, old_reps in counted:
        if groups is not None:
            c.execute("DELETE FROM variants WHERE grp=?", (grp,))
            changed |= set(old_reps) - {r["resolved"] for r in counts}
        if not counts:
            continue
        # the spelling most papers use; then the more segmented one ("feed-forward"); then the id
        rep = min(counts, key=lambda r: (-r["n"], -r["resolved"].count("-"), r["resolved"]))["resolved"]
        c.executemany("INSERT INTO variants VALUES (?, ?, ?)", [(r["resolved"], grp, rep) for r in counts])
        changed |= {r["resolved"] for r in counts if old_reps.get(r["resolved"]) != rep}
        seen.update(r["resolved"] for r in counts)
    if groups is None:
        changed |= set(old) - seen
    return changed


def _group_counts(c: Any, grp: str) -> tuple[str, list[Any], dict[str, str]]:
    """A variant group's spellings with their paper counts, and its stored representatives."""
    old = {r[0]: r[1] for r in c.execute("SELECT resolved, rep FROM variants WHERE grp=?", (grp,))}
    counts = c.execute("SELECT resolved, COUNT(DISTINCT paper_id) n FROM mentions WHERE grp=? "
                       "GROUP BY resolved", (grp,)).fetchall()
    return grp, counts, old


def _finalize(store: Store, papers: list[str], cur: Curation,
              moves: dict[str, set[str]], touched: set[str]) -> None:
    """Step 3 for ``papers``: final entity ids (variants, curation) and evidence edges."""
    c = store.conn
    marks = ",".join("?" * len(papers))
    rows = c.execute(f"SELECT m.*, v.rep FROM mentions m LEFT JOIN variants v ON v.resolved = m.resolved "
                     f"WHERE m.paper_id IN ({marks}) ORDER BY m.paper_id, m.seq", papers).fetchall()
    years = dict(c.execute(f"SELECT id, year FROM papers WHERE id IN ({marks})", papers).fetchall())
    updates = []
    by_paper: dict[str, list[tuple[Any, str]]] = defaultdict(list)
    for r in rows:
        eid = r["rep"] or r["resolved"]
        note = r["note"]
        if eid is not None:
            curated = cur.apply(eid, r["text"], r["paper_id"])
            if curated != eid:
                note = "curation: blocked" if curated is None else f"curation: {eid} -> {curated}"
                if curated is not None:
                    moves[curated].add(eid)
            if r["resolved"] and r["resolved"] != eid and curated is not None:
                moves[curated].add(r["resolved"])
            eid = curated
        if r["entity_id"] and r["entity_id"] != eid:
            touched.add(r["entity_id"])
            if eid is not None:
                moves[eid].add(r["entity_id"])
        updates.append((eid, note, r["paper_id"], r["seq"]))
        if eid is not None:
            by_paper[r["paper_id"]].append((r, eid))
            touched.add(eid)
    c.executemany("UPDATE mentions SET entity_id=?, note=? WHERE paper_id=? AND seq=?", updates)
    rel_marks = ",".join("?" * len(MENTION_RELS))
    touched.update(r[0] for r in c.execute(
        f"SELECT target FROM edges WHERE paper_id IN ({marks}) AND rel IN ({rel_marks})",
        (*papers, *MENTION_RELS)))
    c.execute(f"DELETE FROM edges WHERE paper_id IN ({marks}) AND rel IN ({rel_marks})",
              (*papers, *MENTION_RELS))
    edges = []
    entities = []
    for pid, items in by_paper.items():
        groups: dict[str, list[Any]] = defaultdict(list)
        for r, eid in items:
            groups[eid].append(r)
        for eid, ms in groups.items():
            etype = _PREFIX_TYPE[eid.split("/", 1)[0]]
            proposed = min(ROLE_RANK[m["role"]] for m in ms) == 0
            role = _role(etype, proposed)
            best = max(ms, key=lambda m: (ROLE_RANK[m["role"]] == (0 if proposed else 1),
                                          m["confidence"], m["field"] == "title",
                                          -m["start"], -m["seq"]))
            edges.append((pid, role, eid, best["sentence"], best["start"], best["end"],
                          best["field"], best["rule"], best["confidence"], len(ms), years[pid]))
            if role == RelType.USES.value:
                compared = [m for m in ms if compared_in(m["sentence"], m["text"])]
                if compared:  # "outperforms X": the paper measures itself against X
                    m = max(compared, key=lambda m: (m["confidence"], -m["start"], -m["seq"]))
                    edges.append((pid, RelType.COMPARES_WITH.value, eid, m["sentence"], m["start"],
                                  m["end"], m["field"], m["rule"], m["confidence"], len(compared),
                                  years[pid]))
            entities.append((eid, etype.value, ms[0]["text"]))
    c.executemany("INSERT OR IGNORE INTO entities (id, type, name, props, origin) "
                  "VALUES (?, ?, ?, '{}', 'mention')", entities)
    c.executemany('INSERT INTO edges (paper_id, rel, target, sentence, start, "end", field, rule, '
                  "confidence, count, year) VALUES (?,?,?,?,?,?,?,?,?,?,?)", edges)


def _role(etype: NodeType, proposed: bool) -> str:
    """The relation for an entity of ``etype`` (curation may retype an entity)."""
    if etype is NodeType.METHOD:
        return (RelType.PROPOSES if proposed else RelType.USES).value
    if etype is NodeType.DATASET:
        return (RelType.INTRODUCES if proposed else RelType.EVALUATES_ON).value
    return RelType.ADDRESSES.value


def _record_former_ids(store: Store, moves: dict[str, set[str]]) -> None:
    """Ids that are gone because their mentions now name another entity stay resolvable."""
    c = store.conn
    for new, olds in sorted(moves.items()):
        if c.execute("SELECT 1 FROM entities WHERE id=?", (new,)).fetchone() is None:
            continue
        c.execute("DELETE FROM id_aliases WHERE old_id=?", (new,))  # it is an id again
        for old in sorted(olds - {new}):
            if c.execute("SELECT 1 FROM entities WHERE id=?", (old,)).fetchone() is None:
                c.execute("INSERT OR REPLACE INTO id_aliases VALUES (?, ?)", (old, new))
    # an alias pointing at an id that itself became an alias follows it
    c.execute("UPDATE id_aliases SET new_id = (SELECT a.new_id FROM id_aliases a "
              "WHERE a.old_id = id_aliases.new_id) WHERE new_id IN (SELECT old_id FROM id_aliases)")


def _refresh_entity(store: Store, eid: str, cur: Curation) -> None:
    """Name, aliases and external ids of an entity, or its removal when nothing supports it."""
    c = store.conn
    row = c.execute("SELECT type, origin FROM entities WHERE id=?", (eid,)).fetchone()
    if row is None or row["origin"] == "static":
        return
    if c.execute("SELECT 1 FROM edges WHERE target=? LIMIT 1", (eid,)).fetchone() is None:
        c.execute("DELETE FROM entities WHERE id=?", (eid,))
        return
    if row["origin"] != "mention":
        return
    counts: dict[tuple[str, str], int] = {}
    gaz: set[str] = set()
    shorts: set[str] = set()
    worded = 0  # mentions that word it as a verb phrase: "classifying time series"
    for m in c.execute("SELECT text, kind, gazetteer_id, rule = 'task-phrase' phrase, COUNT(*) n "
                       "FROM mentions WHERE entity_id=? GROUP BY text, kind, gazetteer_id, phrase", (eid,)):
        if m["phrase"]:
            worded += int(m["n"])
        else:
            counts[(m["text"], m["kind"])] = counts.get((m["text"], m["kind"]), 0) + int(m["n"])
        if m["gazetteer_id"]:
            gaz.add(m["gazetteer_id"])
        if m["kind"] == "short":
            shorts.add(m["text"].rstrip("s") if m["text"].endswith("s") else m["text"])
    props: dict[str, Any] = {}
    entry = _gazetteer().get((row["type"], sorted(gaz)[0])) if gaz else None
    if entry is not None:
        props.update({"gazetteer": entry.source, "gazetteer_id": entry.id})
        if entry.url:
            props["url"] = entry.url
    ambiguous = sorted(s for s in shorts if len({squash(r[0]) for r in c.execute(
        "SELECT DISTINCT long_key FROM abbrevs WHERE short=? AND type=?", (s, row["type"]))}) > 1)
    if ambiguous:
        props["ambiguous_abbreviations"] = ambiguous
    if worded and not counts:  # its nominal form, which the id spells: "time series classification"
        counts[(eid.split("/", 1)[1].replace("-", " "), "plain")] = worded
    if entry is None and not any(kind != "short" for _, kind in counts):
        # only abbreviations name it here: the long form its definitions spell out
        for r in c.execute("SELECT a.long_text, COUNT(*) n FROM abbrevs a JOIN mentions m "
                           "ON m.paper_id = a.paper_id AND m.raw_key = a.long_key "
                           "WHERE m.entity_id = ? AND a.long_text != '' GROUP BY a.long_text", (eid,)):
            counts[(r["long_text"], "long")] = int(r["n"])
    name = cur.names.get(eid) or (entry.name if entry is not None else pick_name(counts)) or eid
    c.execute("UPDATE entities SET name=?, props=? WHERE id=?",
              (name, json.dumps(props, ensure_ascii=False, sort_keys=True), eid))


def _applied_in(store: Store) -> None:
    """Method-APPLIED_IN->Domain (top level): paper count, first and last year."""
    c = store.conn
    c.execute("DELETE FROM links WHERE rel=?", (RelType.APPLIED_IN.value,))
    c.execute(
        "INSERT INTO links (source, rel, target, props) "
        "SELECT m.target, ?, top, json_object('paper_count', COUNT(DISTINCT m.paper_id), "
        "'first_year', MIN(p.year), 'last_year', MAX(p.year)) "
        "FROM edges m JOIN (SELECT d.paper_id, COALESCE(b.target, d.target) top FROM edges d "
        "  LEFT JOIN links b ON b.source = d.target AND b.rel = ? WHERE d.rel = ?) t "
        "ON t.paper_id = m.paper_id "
        "JOIN papers p ON p.id = m.paper_id WHERE m.rel IN (?, ?) GROUP BY m.target, top",
        (RelType.APPLIED_IN.value, RelType.BROADER.value, RelType.IN_DOMAIN.value,
         RelType.PROPOSES.value, RelType.USES.value))
