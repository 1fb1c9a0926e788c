"""The embedded graph store: SQLite on disk, incremental, transactional.

Why SQLite and not an in-memory networkx graph: a networkx edge costs about 460 bytes, so a
million papers would need ~14 GB. The store keeps nodes and edges in indexed tables and hands
networkx only the neighbourhoods that analysis needs (:mod:`kg.query`).

Tables
------
``papers``     one row per Paper (``content_hash`` detects changed records)
``mentions``   every mention with its per-paper key and, once resolved, its entity
``abbrevs``    the abbreviation pairs each paper defines: the corpus's alias table
``entities``   one row per non-paper node; ``origin`` is ``mention`` (named by mentions; name
               and aliases derived from them, so they never depend on input order),
               ``paper`` (authors, code repositories) or ``static`` (the domain taxonomy)
``edges``      Paper->entity edges with their best evidence, mention count and the paper's year
``links``      entity->entity edges: BROADER (taxonomy) and APPLIED_IN (derived)
``variants``   spelling variants that are one entity ("feed-forward"/"feedforward"): each
               resolved id and the representative id of its group
``id_aliases`` ids an entity used to have (renamed, retyped, merged, re-resolved), so that
               references from an earlier export still resolve
``dirty``      the work :meth:`Store.finish` has left: papers, abbreviations, variant groups
               and entities to redo, former ids to record

Mentions are written per paper; :meth:`Store.finish` (see :mod:`kg.store.relink`) resolves
them against the whole corpus and derives edges, names and APPLIED_IN, committing a chunk of
papers at a time with the rest still queued in ``dirty``. Every write happens in a
transaction; a build holds an exclusive lock so two builds on one store never interleave.
"""

from __future__ import annotations

import fcntl
import json
import os
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from kg.errors import StoreError, StoreLocked, StoreNotFound
from kg.model import Edge, Entity, Paper
from kg.schema import NodeType, RelType

if TYPE_CHECKING:  # kg.link.resolve imports spaCy: ~1 s that reading the store never needs
    from kg.link.resolve import LinkedPaper

__all__ = ["Store", "SCHEMA_VERSION", "RELINK_INDEXES", "pick_name"]

SCHEMA_VERSION = "4"
CACHE_KB = 256 * 1024
MMAP_BYTES = 1 << 30
WAL_PAGES = 16384

_DDL = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS papers (
    id TEXT PRIMARY KEY, title TEXT NOT NULL, abstract TEXT NOT NULL, date TEXT, date_raw TEXT,
    year INTEGER, authors TEXT NOT NULL, author_count INTEGER, categories TEXT NOT NULL,
    doi TEXT, arxiv_id TEXT, code_urls TEXT NOT NULL, source TEXT NOT NULL,
    content_hash TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS mentions (
    paper_id TEXT NOT NULL, seq INTEGER NOT NULL, text TEXT NOT NULL, start INTEGER NOT NULL,
    "end" INTEGER NOT NULL, field TEXT NOT NULL, type TEXT NOT NULL, role TEXT NOT NULL,
    rule TEXT NOT NULL, confidence REAL NOT NULL, sentence TEXT NOT NULL, raw_key TEXT NOT NULL,
    kind TEXT NOT NULL, bare TEXT, gazetteer_id TEXT, resolved TEXT, grp TEXT, entity_id TEXT,
    note TEXT, PRIMARY KEY (paper_id, seq));
CREATE TABLE IF NOT EXISTS variants (resolved TEXT PRIMARY KEY, grp TEXT NOT NULL, rep TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS variants_grp ON variants(grp);
CREATE INDEX IF NOT EXISTS mentions_text ON mentions(lower(text));
CREATE INDEX IF NOT EXISTS mentions_bare ON mentions(bare, type) WHERE bare IS NOT NULL;
CREATE TABLE IF NOT EXISTS abbrevs (
    paper_id TEXT NOT NULL, short TEXT NOT NULL, type TEXT NOT NULL, long_key TEXT NOT NULL,
    long_text TEXT NOT NULL, PRIMARY KEY (paper_id, short, type, long_key));
CREATE INDEX IF NOT EXISTS abbrevs_short ON abbrevs(short, type);
CREATE TABLE IF NOT EXISTS entities (
    id TEXT PRIMARY KEY, type TEXT NOT NULL, name TEXT NOT NULL, props TEXT NOT NULL DEFAULT '{}',
    origin TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS entities_type ON entities(type);
CREATE INDEX IF NOT EXISTS entities_name ON entities(lower(name));
CREATE TABLE IF NOT EXISTS edges (
    paper_id TEXT NOT NULL, rel TEXT NOT NULL, target TEXT NOT NULL, sentence TEXT,
    start INTEGER, "end" INTEGER, field TEXT, rule TEXT, confidence REAL, count INTEGER NOT NULL,
    year INTEGER, PRIMARY KEY (paper_id, rel, target));
CREATE INDEX IF NOT EXISTS papers_year ON papers(id, year);
CREATE TABLE IF NOT EXISTS links (
    source TEXT NOT NULL, rel TEXT NOT NULL, target TEXT NOT NULL, props TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (source, rel, target));
CREATE INDEX IF NOT EXISTS links_target ON links(target, rel);
CREATE TABLE IF NOT EXISTS id_aliases (old_id TEXT PRIMARY KEY, new_id TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS dirty (kind TEXT NOT NULL, key TEXT NOT NULL, PRIMARY KEY (kind, key));
"""

#: Indexes that :meth:`Store.finish` rewrites an entry of for every mention or edge it resolves.
#: A finish that redoes most of a large store drops them and builds them again afterwards:
#: SQLite builds an index by sorting, while inserting 15 million random keys one by one into an
#: index larger than the page cache reads and writes a page per key (see kg.store.relink).
RELINK_INDEXES = {
    "mentions_resolved": "mentions(resolved)",
    "mentions_grp": "mentions(grp)",
    "mentions_entity": "mentions(entity_id, text)",
    # in the order `kg show` lists a concept's papers (newest, then surest), so that it reads
    # the first ten of a method 262,000 papers use without sorting them all (the paper's year
    # is on its edges for that: schema 4)
    "edges_target": "edges(target, rel, year DESC, confidence DESC, paper_id)",
}
_DDL += "".join(f"CREATE INDEX IF NOT EXISTS {name} ON {on};\n" for name, on in RELINK_INDEXES.items())

#: Earlier schemas this kg upgrades in place (:meth:`Store.upgrade`, which ``kg doctor
#: --repair`` runs), with the statements that do it.
_UPGRADES = {
    # 3 -> 4: the paper's year on its edges, and edges_target in `kg show`'s order
    "3": ("ALTER TABLE edges ADD COLUMN year INTEGER",
          "UPDATE edges SET year = (SELECT year FROM papers WHERE papers.id = edges.paper_id)",
          "DROP INDEX IF EXISTS edges_target",
          f"CREATE INDEX edges_target ON {RELINK_INDEXES['edges_target']}",
          f"UPDATE meta SET value = '{SCHEMA_VERSION}' WHERE key = 'schema_version'"),
}

_PAPER_COLS = ("id", "title", "abstract", "date", "date_raw", "year", "authors", "author_count",
               "categories", "doi", "arxiv_id", "code_urls", "source")
_LIST_COLS = {"authors", "categories", "code_urls"}
MENTION_RELS = (RelType.PROPOSES.value, RelType.USES.value, RelType.COMPARES_WITH.value,
                RelType.INTRODUCES.value,
                RelType.EVALUATES_ON.value, RelType.ADDRESSES.value)


def _paper_row(paper: Paper) -> tuple[Any, ...]:
    vals = []
    for col in _PAPER_COLS:
        v = getattr(paper, col)
        vals.append(json.dumps(list(v), ensure_ascii=False) if col in _LIST_COLS else v)
    return tuple(vals)


def _row_paper(row: sqlite3.Row) -> Paper:
    kw = {c: (tuple(json.loads(row[c])) if c in _LIST_COLS else row[c]) for c in _PAPER_COLS}
    return Paper(**kw)


#: Write-lock descriptors this process holds; a forked child closes them (see Store.lock).
_LOCK_FDS: set[int] = set()


def _close_locks_in_child() -> None:
    for fd in _LOCK_FDS:
        try:
            os.close(fd)
        except OSError:
            pass
    _LOCK_FDS.clear()


os.register_at_fork(after_in_child=_close_locks_in_child)


def _schema_version(conn: sqlite3.Connection) -> sqlite3.Row | None:
    """The ``schema_version`` row, or None for a database without kg's tables."""
    if conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='meta'").fetchone() is None:
        return None
    row: sqlite3.Row | None = conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
    return row


class Store:
    """An on-disk graph store in directory ``path`` (``graph.sqlite`` inside).

    Open it with :meth:`Store.open`; the constructor does no I/O.
    """

    FILENAME = "graph.sqlite"

    def __init__(self, path: Path, conn: sqlite3.Connection, schema: str = SCHEMA_VERSION) -> None:
        self.path = path
        self.conn = conn
        self.schema = schema
        self._lock_fd: int | None = None
        self._lock_pid: int | None = None

    # -- opening -----------------------------------------------------------------------
    @classmethod
    def open(cls, path: str | os.PathLike[str], *, create: bool = False,
             old_schema: bool = False) -> Store:
        """Open the store at ``path``; with ``create`` make it if missing.

        Raises :class:`StoreNotFound` when it is missing and ``create`` is false, and
        :class:`StoreError` when an earlier kg made it, unless ``old_schema`` (for
        :meth:`upgrade`, which then has to run before anything else).
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
            # a build rewrites index pages all over the file: SQLite's default 2 MB page cache
            # sends most of them through read() again (the cache grows only as pages are used)
            conn.execute(f"PRAGMA cache_size=-{CACHE_KB}")
            conn.execute(f"PRAGMA mmap_size={MMAP_BYTES}")
            # checkpoint the WAL every 64 MB, not 4 MB: an index page that many batches touch
            # is copied into the database once per checkpoint (a 30k-paper build wrote 2.5 GB
            # instead of 3.4 GB)
            conn.execute(f"PRAGMA wal_autocheckpoint={WAL_PAGES}")
            row = _schema_version(conn)
            if row is None and create:
                # one transaction, and only for a new store: a build killed here leaves no
                # half-made schema, and opening a store another build is writing never waits
                conn.executescript(f"BEGIN IMMEDIATE;\n{_DDL}\nINSERT OR IGNORE INTO meta VALUES "
                                   f"('schema_version', '{SCHEMA_VERSION}');\nCOMMIT;")
                row = _schema_version(conn)
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"cannot open the store at {p}: {exc}") from exc
        if row is not None and row[0] in _UPGRADES and old_schema:
            return cls(p, conn, str(row[0]))
        if row is None or row[0] != SCHEMA_VERSION:
            conn.close()
            if row is not None and row[0] in _UPGRADES:
                raise StoreError(f"the store at {p} was made by an earlier kg (schema {row[0]}, this "
                                 f"kg reads {SCHEMA_VERSION}): `kg doctor --store {p} --repair` "
                                 "upgrades it in place (about 3 minutes per million papers)")
            raise StoreError(f"the store at {p} was made by another version of kg "
                             f"(schema {row[0] if row else '?'}, this kg reads {SCHEMA_VERSION}); "
                             "rebuild it into a new directory")
        return cls(p, conn)

    def upgrade(self) -> str | None:
        """Bring a store an earlier kg made to this kg's schema, in one transaction (the
        caller holds the lock); returns the schema it had, or None if it was current."""
        old = self.schema
        if old == SCHEMA_VERSION:
            return None
        with self.transaction() as conn:
            for sql in _UPGRADES[old]:
                conn.execute(sql)
        self.schema = SCHEMA_VERSION
        return old

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
        """Take the store's write lock, or raise :class:`StoreLocked` if another process has it.

        The lock is an ``flock`` on ``write.lock``, released by the kernel when the process
        ends, however it ends (a SIGKILL too). Processes forked while it is held (extraction
        workers) close their copy at once, so an orphaned worker never keeps it.
        """
        fd = os.open(self.path / "write.lock", os.O_CREAT | os.O_RDWR, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise StoreLocked(str(self.path)) from None
        self._lock_fd = fd
        self._lock_pid = os.getpid()
        _LOCK_FDS.add(fd)

    def unlock(self) -> None:
        if self._lock_fd is not None:
            if self._lock_pid == os.getpid():  # a forked child closed its copy
                _LOCK_FDS.discard(self._lock_fd)
                fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
                os.close(self._lock_fd)
            self._lock_fd = None

    def transaction(self) -> _Transaction:
        return _Transaction(self.conn, self.path)

    # -- meta --------------------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        self.conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    # -- writing papers ----------------------------------------------------------------
    def paper_hashes(self, ids: Iterable[str]) -> dict[str, str]:
        """``{paper id: content hash}`` for the given ids that are stored."""
        out: dict[str, str] = {}
        idl = list(ids)
        for i in range(0, len(idl), 500):
            chunk = idl[i:i + 500]
            q = f"SELECT id, content_hash FROM papers WHERE id IN ({','.join('?' * len(chunk))})"
            out.update({r[0]: r[1] for r in self.conn.execute(q, chunk)})
        return out

    def mark_dirty(self, kind: str, keys: Iterable[str]) -> None:
        """Queue work for :meth:`finish` (see the ``dirty`` table)."""
        self.conn.executemany("INSERT OR IGNORE INTO dirty VALUES (?, ?)", [(kind, k) for k in keys])

    def delete_paper(self, paper_id: str) -> bool:
        """Remove a paper and its mentions and edges (inside a transaction).

        Entities only it supported disappear at the next :meth:`finish`. Returns whether the
        paper was there.
        """
        c = self.conn
        self.mark_dirty("entity", [r[0] for r in c.execute(
            "SELECT target FROM edges WHERE paper_id=?", (paper_id,))])
        self.mark_dirty("short", [f"{r[0]}\t{r[1]}" for r in c.execute(
            "SELECT short, type FROM abbrevs WHERE paper_id=?", (paper_id,))])
        self.mark_dirty("group", [r[0] for r in c.execute(
            "SELECT DISTINCT grp FROM mentions WHERE paper_id=? AND grp IS NOT NULL", (paper_id,))])
        found = c.execute("DELETE FROM papers WHERE id=?", (paper_id,)).rowcount > 0
        for table, col in (("edges", "paper_id"), ("mentions", "paper_id"), ("abbrevs", "paper_id")):
            c.execute(f"DELETE FROM {table} WHERE {col}=?", (paper_id,))
        return found

    def write_paper(self, paper: Paper, content_hash: str, linked: LinkedPaper) -> None:
        """Replace ``paper``, its mentions, abbreviations and non-mention edges."""
        c = self.conn
        if c.execute("SELECT 1 FROM papers WHERE id=?", (paper.id,)).fetchone() is not None:
            self.delete_paper(paper.id)
        c.execute(f"INSERT INTO papers VALUES ({','.join('?' * (len(_PAPER_COLS) + 1))})",
                  (*_paper_row(paper), content_hash))
        rows = []
        for i, (m, bare) in enumerate(zip(linked.mentions, linked.bare, strict=True)):
            kind = "short" if (m.short_form is not None or bare) else (
                "long" if m.rule.startswith("abbreviation") else "plain")
            rows.append((paper.id, i, m.text, m.start, m.end, m.field, m.type.value, m.role.value,
                         m.rule, m.confidence, m.sentence, m.key, kind, bare, m.gazetteer_id))
        c.executemany("INSERT INTO mentions (paper_id, seq, text, start, \"end\", field, type, role, "
                      "rule, confidence, sentence, raw_key, kind, bare, gazetteer_id) "
                      "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
        c.executemany("INSERT OR IGNORE INTO abbrevs VALUES (?,?,?,?,?)",
                      [(paper.id, s, t, k, lt) for s, t, k, lt in linked.abbreviations])
        self.mark_dirty("short", [f"{s}\t{t}" for s, t, _, _ in linked.abbreviations])
        self.mark_dirty("paper", [paper.id])
        for ent in linked.entities:
            c.execute("INSERT OR IGNORE INTO entities (id, type, name, props, origin) "
                      "VALUES (?, ?, ?, ?, 'paper')",
                      (ent.id, ent.type.value, ent.name,
                       json.dumps(ent.properties, ensure_ascii=False, sort_keys=True)))
        self._write_edges(linked.edges, paper.year)

    def _write_edges(self, edges: Iterable[Edge], year: int | None) -> None:
        self.conn.executemany(
            'INSERT OR REPLACE INTO edges (paper_id, rel, target, sentence, start, "end", field, '
            "rule, confidence, count, year) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            [(e.source, e.type.value, e.target, e.sentence, e.start, e.end, e.field, e.rule,
              e.confidence, e.count, year) for e in edges])

    def put_static(self, entities: Iterable[Entity], links: Iterable[Edge]) -> None:
        """Insert or update nodes and links that do not come from papers (the taxonomy)."""
        c = self.conn
        for ent in entities:
            props = json.dumps({**ent.properties, "aliases": list(ent.aliases)},
                               ensure_ascii=False, sort_keys=True)
            c.execute("INSERT INTO entities (id, type, name, props, origin) VALUES (?,?,?,?,'static') "
                      "ON CONFLICT(id) DO UPDATE SET name=excluded.name, props=excluded.props, "
                      "origin='static'", (ent.id, ent.type.value, ent.name, props))
        c.executemany("INSERT OR IGNORE INTO links VALUES (?,?,?,'{}')",
                      [(e.source, e.type.value, e.target) for e in links])

    def drop_indexes(self, names: Iterable[str]) -> None:
        """Drop indexes of :data:`RELINK_INDEXES` (inside a transaction, which restores them
        if it fails)."""
        for name in names:
            self.conn.execute(f"DROP INDEX IF EXISTS {name}")

    def create_indexes(self, names: Iterable[str]) -> None:
        for name in names:
            self.conn.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {RELINK_INDEXES[name]}")

    def commit_point(self) -> None:
        """Commit what the current transaction did and begin the next one (a no-op outside a
        transaction). For long work that keeps what is left of it in the ``dirty`` table
        (:meth:`finish`): a failure after this point keeps the work committed so far."""
        if self.conn.in_transaction:
            self.conn.execute("COMMIT")
            self.conn.execute("BEGIN IMMEDIATE")

    def finish(self, curation: Any = None, *, full: bool = False) -> None:
        """Resolve mentions, derive edges, names and APPLIED_IN (see :mod:`kg.store.relink`).

        Inside :meth:`transaction`, it commits a chunk of papers at a time
        (:meth:`commit_point`): what fails is rolled back to the last chunk, and the rest stays
        queued for the next call."""
        from kg.store.relink import relink

        relink(self, curation, full=full)

    # -- reading -----------------------------------------------------------------------
    def get_paper(self, paper_id: str) -> Paper | None:
        row = self.conn.execute("SELECT * FROM papers WHERE id=?", (paper_id,)).fetchone()
        return None if row is None else _row_paper(row)

    def iter_papers(self) -> Iterator[Paper]:
        for row in self.conn.execute("SELECT * FROM papers ORDER BY id"):
            yield _row_paper(row)

    def resolve_id(self, eid: str) -> str:
        """The current id of ``eid`` (itself, or what a former id now points to)."""
        row = self.conn.execute("SELECT new_id FROM id_aliases WHERE old_id=?", (eid,)).fetchone()
        return eid if row is None else str(row[0])

    def entity(self, eid: str) -> dict[str, Any] | None:
        row = self.conn.execute("SELECT * FROM entities WHERE id=?", (eid,)).fetchone()
        return None if row is None else self._entity_dict(row)

    def _entity_dict(self, row: sqlite3.Row) -> dict[str, Any]:
        props = json.loads(row["props"])
        aliases = props.pop("aliases", None)
        if aliases is None:
            aliases = [s[0] for s in self.conn.execute(
                "SELECT text FROM mentions WHERE entity_id=? GROUP BY text "
                "ORDER BY COUNT(*) DESC, text", (row["id"],)) if s[0] != row["name"]]
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
        q = ('SELECT paper_id source, rel, target, sentence, start, "end", field, rule, '
             "confidence, count FROM edges")
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


def write_error(path: Path, exc: sqlite3.Error) -> StoreError:
    """A :class:`StoreError` saying what a failed write means for the store at ``path``.

    A failed transaction is rolled back, so the store keeps what it held before it.

    >>> str(write_error(Path("s"), sqlite3.OperationalError("database or disk is full")))[:60]
    'cannot write the store at s: database or disk is full (the d'
    """
    text = str(exc)
    if "full" in text or "I/O" in text:
        hint = ("the disk is full or failing; free some space and run the command again: "
                "the store keeps everything written before this transaction")
    elif "locked" in text or "busy" in text:
        hint = "another process holds the database; wait for it and run the command again"
    elif "readonly" in text:
        hint = "the store's files are read-only here; check their permissions"
    elif "malformed" in text or "not a database" in text:
        hint = "the database file is damaged; run `kg doctor` and rebuild into a new directory"
    else:
        hint = "the transaction was rolled back; run `kg doctor` to check the store"
    return StoreError(f"cannot write the store at {path}: {text} ({hint})")


class _Transaction:
    """``BEGIN IMMEDIATE`` ... ``COMMIT``, or ``ROLLBACK`` on any exception.

    A SQLite failure (disk full, I/O error, lock timeout) becomes a :class:`StoreError`; the
    rollback leaves the store as it was before the transaction.
    """

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self.conn = conn
        self.path = path

    def __enter__(self) -> sqlite3.Connection:
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise write_error(self.path, exc) from exc
        return self.conn

    def __exit__(self, t: type[BaseException] | None, e: BaseException | None,
                 tb: TracebackType | None) -> None:
        if t is None:
            try:
                self.conn.execute("COMMIT")
                return
            except sqlite3.Error as exc:
                e = exc
        if self.conn.in_transaction:  # SQLite may have rolled back already (SQLITE_FULL)
            try:
                self.conn.execute("ROLLBACK")
            except sqlite3.Error:
                pass  # the original error is the one to report
        if isinstance(e, sqlite3.Error):
            raise write_error(self.path, e) from e
