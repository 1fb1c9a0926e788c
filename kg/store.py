"""The embedded graph store: SQLite on disk, incremental, transactional.

Why SQLite and not an in-memory networkx graph: a networkx edge costs about 460 bytes, so a
million papers would need ~14 GB. The store keeps nodes and edges in indexed tables and hands
networkx only the neighbourhoods that analysis needs (:mod:`kg.query`).

Tables
------
``papers``    one row per Paper (``content_hash`` detects changed records)
``entities``  one row per non-paper node (Method, Dataset, Task, Domain, Author, CodeRepository)
``surfaces``  every surface form seen for an entity, with a count (its aliases; the
              canonical name is derived from them, so it does not depend on input order)
``edges``     Paper->entity edges with their best evidence and mention count
``links``     entity->entity edges: BROADER (taxonomy) and APPLIED_IN (derived)
``mentions``  every mention, for ``kg explain`` and evaluation

Every write happens in a transaction; a build holds an exclusive lock file so two builds on
one store are refused instead of interleaved.
"""

from __future__ import annotations

import fcntl
import json
import os
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path
from types import TracebackType
from typing import Any

from kg.errors import StoreError, StoreLocked, StoreNotFound
from kg.model import Edge, Entity, Mention, Paper
from kg.schema import NodeType, RelType

__all__ = ["Store", "SCHEMA_VERSION"]

SCHEMA_VERSION = "1"

_DDL = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS papers (
    id TEXT PRIMARY KEY, title TEXT NOT NULL, abstract TEXT NOT NULL, date TEXT, date_raw TEXT,
    year INTEGER, authors TEXT NOT NULL, author_count INTEGER, categories TEXT NOT NULL,
    doi TEXT, arxiv_id TEXT, code_urls TEXT NOT NULL, source TEXT NOT NULL,
    content_hash TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS entities (
    id TEXT PRIMARY KEY, type TEXT NOT NULL, name TEXT NOT NULL, props TEXT NOT NULL DEFAULT '{}',
    fixed_name INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS entities_type ON entities(type);
CREATE TABLE IF NOT EXISTS surfaces (
    entity_id TEXT NOT NULL, surface TEXT NOT NULL, kind TEXT NOT NULL, paper_id TEXT NOT NULL,
    count INTEGER NOT NULL, PRIMARY KEY (entity_id, surface, kind, paper_id));
CREATE INDEX IF NOT EXISTS surfaces_paper ON surfaces(paper_id);
CREATE INDEX IF NOT EXISTS surfaces_lower ON surfaces(lower(surface));
CREATE TABLE IF NOT EXISTS edges (
    paper_id TEXT NOT NULL, rel TEXT NOT NULL, target TEXT NOT NULL, sentence TEXT,
    start INTEGER, "end" INTEGER, field TEXT, rule TEXT, confidence REAL, count INTEGER NOT NULL,
    PRIMARY KEY (paper_id, rel, target));
CREATE INDEX IF NOT EXISTS edges_target ON edges(target, rel);
CREATE TABLE IF NOT EXISTS links (
    source TEXT NOT NULL, rel TEXT NOT NULL, target TEXT NOT NULL, props TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (source, rel, target));
CREATE INDEX IF NOT EXISTS links_target ON links(target, rel);
CREATE TABLE IF NOT EXISTS mentions (
    paper_id TEXT NOT NULL, seq INTEGER NOT NULL, entity_id TEXT NOT NULL, text TEXT NOT NULL,
    start INTEGER NOT NULL, "end" INTEGER NOT NULL, field TEXT NOT NULL, type TEXT NOT NULL,
    role TEXT NOT NULL, rule TEXT NOT NULL, confidence REAL NOT NULL, sentence TEXT NOT NULL,
    PRIMARY KEY (paper_id, seq));
"""

_PAPER_COLS = ("id", "title", "abstract", "date", "date_raw", "year", "authors", "author_count",
               "categories", "doi", "arxiv_id", "code_urls", "source")
_LIST_COLS = {"authors", "categories", "code_urls"}


def _paper_row(paper: Paper) -> tuple[Any, ...]:
    vals = []
    for col in _PAPER_COLS:
        v = getattr(paper, col)
        vals.append(json.dumps(list(v), ensure_ascii=False) if col in _LIST_COLS else v)
    return tuple(vals)


def _row_paper(row: sqlite3.Row) -> Paper:
    kw = {c: (tuple(json.loads(row[c])) if c in _LIST_COLS else row[c]) for c in _PAPER_COLS}
    return Paper(**kw)


class Store:
    """An on-disk graph store in directory ``path`` (``graph.sqlite`` inside).

    Open it with :meth:`Store.open`; the constructor does no I/O.
    """

    FILENAME = "graph.sqlite"

    def __init__(self, path: Path, conn: sqlite3.Connection) -> None:
        self.path = path
        self.conn = conn
        self._lock_fd: int | None = None
        self._dirty: set[str] = set()  # entities whose name, aliases or existence may change

    # -- opening -----------------------------------------------------------------------
    @classmethod
    def open(cls, path: str | os.PathLike[str], *, create: bool = False) -> Store:
        """Open the store at ``path``; with ``create`` make it if missing.

        Raises :class:`StoreNotFound` when it is missing and ``create`` is false.
        """
        p = Path(path)
        db = p / cls.FILENAME
        if not db.exists():
            if not create:
                raise StoreNotFound(str(p))
            try:
                p.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(f"cannot create the store at {p}: {exc.strerror}") from exc
        try:
            conn = sqlite3.connect(db, isolation_level=None)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA busy_timeout=5000")
            if create:
                conn.executescript(_DDL)
                conn.execute("INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)",
                             (SCHEMA_VERSION,))
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"cannot open the store at {p}: {exc}") from exc
        return cls(p, conn)

    def close(self) -> None:
        self.unlock()
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, t: type[BaseException] | None, e: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    # -- locking -----------------------------------------------------------------------
    def lock(self) -> None:
        """Take the store's write lock, or raise :class:`StoreLocked` if another process has it."""
        fd = os.open(self.path / "write.lock", os.O_CREAT | os.O_RDWR, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise StoreLocked(str(self.path)) from None
        self._lock_fd = fd

    def unlock(self) -> None:
        if self._lock_fd is not None:
            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
            os.close(self._lock_fd)
            self._lock_fd = None

    # -- writing -----------------------------------------------------------------------
    def transaction(self) -> _Transaction:
        return _Transaction(self.conn)

    def get_meta(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        self.conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    def paper_hashes(self, ids: Iterable[str]) -> dict[str, str]:
        """``{paper id: content hash}`` for the given ids that are stored."""
        out: dict[str, str] = {}
        idl = list(ids)
        for i in range(0, len(idl), 500):
            chunk = idl[i:i + 500]
            q = f"SELECT id, content_hash FROM papers WHERE id IN ({','.join('?' * len(chunk))})"
            out.update({r[0]: r[1] for r in self.conn.execute(q, chunk)})
        return out

    def delete_paper(self, paper_id: str) -> None:
        """Remove a paper and everything that only it supported (call inside a transaction)."""
        c = self.conn
        touched = [r[0] for r in c.execute(
            "SELECT DISTINCT entity_id FROM surfaces WHERE paper_id=? UNION "
            "SELECT target FROM edges WHERE paper_id=?", (paper_id, paper_id))]
        c.execute("DELETE FROM papers WHERE id=?", (paper_id,))
        c.execute("DELETE FROM edges WHERE paper_id=?", (paper_id,))
        c.execute("DELETE FROM mentions WHERE paper_id=?", (paper_id,))
        c.execute("DELETE FROM surfaces WHERE paper_id=?", (paper_id,))
        self._dirty.update(touched)

    def write_paper(self, paper: Paper, content_hash: str, entities: Iterable[Entity],
                    edges: Iterable[Edge], mentions: Iterable[Mention],
                    surfaces: Iterable[tuple[str, str, str, int]]) -> None:
        """Replace ``paper`` and its edges, mentions and surface forms (inside a transaction).

        ``surfaces`` are ``(entity id, surface form, kind, count)`` with kind ``long``,
        ``short`` or ``plain``.
        """
        self.delete_paper(paper.id)
        c = self.conn
        c.execute(f"INSERT INTO papers VALUES ({','.join('?' * (len(_PAPER_COLS) + 1))})",
                  (*_paper_row(paper), content_hash))
        for ent in entities:
            c.execute("INSERT OR IGNORE INTO entities (id, type, name, props) VALUES (?, ?, ?, ?)",
                      (ent.id, ent.type.value, ent.name,
                       json.dumps(ent.properties, ensure_ascii=False, sort_keys=True)))
            if ent.properties:
                c.execute("UPDATE entities SET props=? WHERE id=? AND props='{}'",
                          (json.dumps(ent.properties, ensure_ascii=False, sort_keys=True), ent.id))
            self._dirty.add(ent.id)
        c.executemany(
            'INSERT INTO edges (paper_id, rel, target, sentence, start, "end", field, rule, '
            "confidence, count) VALUES (?,?,?,?,?,?,?,?,?,?)",
            [(e.source, e.type.value, e.target, e.sentence, e.start, e.end, e.field, e.rule,
              e.confidence, e.count) for e in edges])
        c.executemany(
            "INSERT INTO mentions VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            [(m.paper_id, i, m.key, m.text, m.start, m.end, m.field, m.type.value, m.role.value,
              m.rule, m.confidence, m.sentence) for i, m in enumerate(mentions)])
        c.executemany(
            "INSERT INTO surfaces VALUES (?,?,?,?,?) ON CONFLICT DO UPDATE SET count=count+excluded.count",
            [(eid, s, kind, paper.id, n) for eid, s, kind, n in surfaces])

    def put_static(self, entities: Iterable[Entity], links: Iterable[Edge]) -> None:
        """Insert or update nodes and links that do not come from papers (the domain taxonomy)."""
        c = self.conn
        for ent in entities:
            props = json.dumps({**ent.properties, "aliases": list(ent.aliases)},
                               ensure_ascii=False, sort_keys=True)
            c.execute("INSERT INTO entities (id, type, name, props, fixed_name) VALUES (?,?,?,?,1) "
                      "ON CONFLICT(id) DO UPDATE SET name=excluded.name, props=excluded.props, "
                      "fixed_name=1", (ent.id, ent.type.value, ent.name, props))
        c.executemany("INSERT OR IGNORE INTO links VALUES (?,?,?,'{}')",
                      [(e.source, e.type.value, e.target) for e in links])

    def finish(self) -> None:
        """Recompute names and aliases of touched entities, drop orphans, rebuild derived edges."""
        c = self.conn
        for eid in sorted(self._dirty):
            self._refresh_entity(eid)
        self._dirty.clear()
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

    def _refresh_entity(self, eid: str) -> None:
        c = self.conn
        row = c.execute("SELECT type, fixed_name FROM entities WHERE id=?", (eid,)).fetchone()
        if row is None:
            return
        used = c.execute("SELECT 1 FROM edges WHERE target=? LIMIT 1", (eid,)).fetchone()
        if not used and not row["fixed_name"]:
            c.execute("DELETE FROM entities WHERE id=?", (eid,))
            c.execute("DELETE FROM surfaces WHERE entity_id=?", (eid,))
            return
        if row["fixed_name"]:
            return
        counts: dict[tuple[str, str], int] = {}
        for s in c.execute("SELECT surface, kind, SUM(count) n FROM surfaces WHERE entity_id=? "
                           "GROUP BY surface, kind", (eid,)):
            counts[(s["surface"], s["kind"])] = int(s["n"])
        name = pick_name(counts)
        if name:
            c.execute("UPDATE entities SET name=? WHERE id=?", (name, eid))

    # -- reading -----------------------------------------------------------------------
    def get_paper(self, paper_id: str) -> Paper | None:
        row = self.conn.execute("SELECT * FROM papers WHERE id=?", (paper_id,)).fetchone()
        return None if row is None else _row_paper(row)

    def iter_papers(self) -> Iterator[Paper]:
        for row in self.conn.execute("SELECT * FROM papers ORDER BY id"):
            yield _row_paper(row)

    def entity(self, eid: str) -> dict[str, Any] | None:
        row = self.conn.execute("SELECT * FROM entities WHERE id=?", (eid,)).fetchone()
        return None if row is None else self._entity_dict(row)

    def _entity_dict(self, row: sqlite3.Row) -> dict[str, Any]:
        props = json.loads(row["props"])
        aliases = props.pop("aliases", None)
        if aliases is None:
            aliases = [s[0] for s in self.conn.execute(
                "SELECT surface FROM surfaces WHERE entity_id=? GROUP BY surface "
                "ORDER BY SUM(count) DESC, surface", (row["id"],)) if s[0] != row["name"]]
        return {"id": row["id"], "type": row["type"], "name": row["name"],
                "aliases": list(aliases), **props}

    def iter_entities(self, node_type: NodeType | None = None) -> Iterator[dict[str, Any]]:
        if node_type is None:
            rows = self.conn.execute("SELECT * FROM entities ORDER BY type, id")
        else:
            rows = self.conn.execute("SELECT * FROM entities WHERE type=? ORDER BY id",
                                     (node_type.value,))
        for row in rows.fetchall():
            yield self._entity_dict(row)

    def iter_edges(self, rel: RelType | None = None) -> Iterator[dict[str, Any]]:
        """Paper->entity edges as dicts (``source`` is the paper id)."""
        q = 'SELECT paper_id source, rel, target, sentence, start, "end", field, rule, confidence, count FROM edges'
        args: tuple[str, ...] = ()
        if rel is not None:
            q += " WHERE rel=?"
            args = (rel.value,)
        for row in self.conn.execute(q + " ORDER BY paper_id, rel, target", args):
            yield dict(row)

    def iter_links(self, rel: RelType | None = None) -> Iterator[dict[str, Any]]:
        """Entity->entity edges (BROADER, APPLIED_IN) as dicts with their properties."""
        q = "SELECT source, rel, target, props FROM links"
        args: tuple[str, ...] = ()
        if rel is not None:
            q += " WHERE rel=?"
            args = (rel.value,)
        for row in self.conn.execute(q + " ORDER BY source, rel, target", args):
            d = dict(row)
            d.update(json.loads(d.pop("props")))
            yield d

    def mentions_of(self, paper_id: str) -> list[dict[str, Any]]:
        return [dict(r) for r in self.conn.execute(
            "SELECT * FROM mentions WHERE paper_id=? ORDER BY seq", (paper_id,))]

    def stats(self) -> dict[str, Any]:
        c = self.conn
        nodes = {NodeType.PAPER.value: c.execute("SELECT COUNT(*) FROM papers").fetchone()[0]}
        for t, n in c.execute("SELECT type, COUNT(*) FROM entities GROUP BY type ORDER BY type"):
            nodes[t] = n
        edges: dict[str, int] = {}
        for t, n in c.execute("SELECT rel, COUNT(*) FROM edges GROUP BY rel ORDER BY rel"):
            edges[t] = n
        for t, n in c.execute("SELECT rel, COUNT(*) FROM links GROUP BY rel ORDER BY rel"):
            edges[t] = n
        return {"papers": nodes[NodeType.PAPER.value], "nodes": nodes, "edges": edges}


def pick_name(counts: dict[tuple[str, str], int]) -> str | None:
    """The canonical name among surface forms: most frequent long or plain form, else short.

    Ties go to the lexicographically smallest form, so the name never depends on input order.

    >>> pick_name({("DPO", "short"): 5, ("Direct Preference Optimization", "long"): 2})
    'Direct Preference Optimization'
    >>> pick_name({("transformers", "plain"): 1, ("Transformer", "plain"): 1})
    'Transformer'
    """
    if not counts:
        return None
    ranked = sorted(counts.items(), key=lambda kv: (kv[0][1] == "short", -kv[1], kv[0][0]))
    return ranked[0][0][0]


class _Transaction:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def __enter__(self) -> sqlite3.Connection:
        self.conn.execute("BEGIN IMMEDIATE")
        return self.conn

    def __exit__(self, t: type[BaseException] | None, e: BaseException | None,
                 tb: TracebackType | None) -> None:
        if t is None:
            self.conn.execute("COMMIT")
        else:
            self.conn.execute("ROLLBACK")
