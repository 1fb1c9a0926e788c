"""``kg doctor``: check that a store is readable and consistent, and name what is not.

Checks, each a query over the store (:func:`check_store`):

- SQLite's own ``quick_check`` (a damaged file);
- every edge's ends exist and have the types the schema allows (:data:`kg.schema.RELATIONS`);
- no orphan evidence: every mention and abbreviation belongs to a stored paper, and every
  mention edge is backed by mentions whose number agrees with the edge's ``count``;
- every entity id a mention resolves to exists, and no entity is left without an edge;
- every former id (``id_aliases``) points at an entity that exists;
- an interrupted build: papers written but not yet linked (the ``dirty`` table). A build
  killed between its batches and its final linking leaves this; the next ``kg build`` (or
  ``kg doctor --repair``) finishes the work.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import click

from kg.errors import StoreError
from kg.schema import RELATIONS, NodeType
from kg.store import Store
from kg.store.db import MENTION_RELS

__all__ = ["Problem", "StoreInconsistent", "check_store", "pending_work", "repair", "COMMANDS"]

_EXAMPLES = 3
#: Mention edges that stand beside a paper's main edge to the same entity and count only some
#: of its mentions (COMPARES_WITH: the mentions that compare against the method).
SUBSET_RELS = frozenset({"COMPARES_WITH"})


@dataclass(frozen=True)
class Problem:
    """One kind of inconsistency: how many rows have it, and a few of them."""

    check: str
    count: int
    message: str
    examples: tuple[str, ...] = ()

    def describe(self) -> str:
        eg = f" (e.g. {'; '.join(self.examples)})" if self.examples else ""
        return f"{self.check}: {self.count:,} {self.message}{eg}"


class StoreInconsistent(StoreError):
    """``kg doctor`` found problems."""

    def __init__(self, path: Path, problems: list[Problem]) -> None:
        super().__init__(f"the store at {path} has {len(problems)} problem(s): "
                         + ", ".join(dict.fromkeys(p.check for p in problems)))
        self.problems = problems


def _count(conn: sqlite3.Connection, check: str, message: str, where: str,
           show: str, args: tuple[Any, ...] = ()) -> Problem | None:
    """A problem for the rows of ``where`` (a FROM ... WHERE clause), or None if there are none."""
    n = conn.execute(f"SELECT COUNT(*) {where}", args).fetchone()[0]
    if not n:
        return None
    examples = tuple(str(r[0]) for r in conn.execute(f"SELECT {show} {where} LIMIT {_EXAMPLES}", args))
    return Problem(check, int(n), message, examples)


def pending_work(store: Store) -> dict[str, int]:
    """``{kind: rows}`` of the work an interrupted build left for the final linking step."""
    return {k: int(n) for k, n in store.conn.execute(
        "SELECT kind, COUNT(*) FROM dirty GROUP BY kind ORDER BY kind")}


def _type_checks(conn: sqlite3.Connection) -> list[Problem | None]:
    out: list[Problem | None] = []
    known = tuple(r.type.value for r in RELATIONS)
    marks = ",".join("?" * len(known))
    out.append(_count(conn, "unknown relation", "edge(s) or link(s) of a relation the schema lacks",
                      f"FROM (SELECT rel FROM edges UNION ALL SELECT rel FROM links) WHERE rel NOT IN ({marks})",
                      "rel", known))
    for spec in RELATIONS:
        rel, target = spec.type.value, spec.target.value
        if spec.source is NodeType.PAPER:
            out.append(_count(conn, "wrong target type", f"{rel} edge(s) whose target is not a {target}",
                              "FROM edges g JOIN entities e ON e.id = g.target WHERE g.rel = ? AND e.type != ?",
                              "g.paper_id || ' -> ' || g.target", (rel, target)))
        else:
            out.append(_count(conn, "wrong link type", f"{rel} link(s) not {spec.source.value} -> {target}",
                              "FROM links l JOIN entities s ON s.id = l.source JOIN entities t ON t.id = l.target "
                              "WHERE l.rel = ? AND (s.type != ? OR t.type != ?)",
                              "l.source || ' -> ' || l.target", (rel, spec.source.value, target)))
    return out


def check_store(store: Store) -> list[Problem]:
    """Every inconsistency in ``store``; an empty list when it is sound.

    Checks that only hold once a build has finished linking (no orphan entities, mention
    counts) are skipped while there is :func:`pending_work`, which is itself reported.
    """
    try:
        integrity = [str(r[0]) for r in store.conn.execute("PRAGMA quick_check")]
        if integrity != ["ok"]:
            return [Problem("sqlite", len(integrity), "damage(s) reported by SQLite's quick_check",
                            tuple(integrity[:_EXAMPLES]))]
        return _checks(store)
    except sqlite3.DatabaseError as exc:  # a damaged file fails some queries outright
        return [Problem("sqlite", 1, f"query(ies) failed: {exc}")]


def _checks(store: Store) -> list[Problem]:
    c = store.conn
    rels = ",".join("?" * len(MENTION_RELS))
    main = tuple(r for r in MENTION_RELS if r not in SUBSET_RELS)
    subset = tuple(r for r in MENTION_RELS if r in SUBSET_RELS) or ("",)
    found: list[Problem | None] = [
        _count(c, "dangling edge", "edge(s) from a paper that is not stored",
               "FROM edges g WHERE NOT EXISTS (SELECT 1 FROM papers p WHERE p.id = g.paper_id)",
               "g.paper_id || ' -' || g.rel || '-> ' || g.target"),
        _count(c, "dangling edge", "edge(s) to an entity that is not stored",
               "FROM edges g WHERE NOT EXISTS (SELECT 1 FROM entities e WHERE e.id = g.target)",
               "g.paper_id || ' -' || g.rel || '-> ' || g.target"),
        _count(c, "dangling link", "entity link(s) with an end that is not stored",
               "FROM links l WHERE NOT EXISTS (SELECT 1 FROM entities e WHERE e.id = l.source) "
               "OR NOT EXISTS (SELECT 1 FROM entities e WHERE e.id = l.target)",
               "l.source || ' -' || l.rel || '-> ' || l.target"),
        *_type_checks(c),
        _count(c, "orphan evidence", "mention(s) of a paper that is not stored",
               "FROM mentions m WHERE NOT EXISTS (SELECT 1 FROM papers p WHERE p.id = m.paper_id)",
               "m.paper_id || ': ' || m.text"),
        _count(c, "orphan evidence", "abbreviation(s) of a paper that is not stored",
               "FROM abbrevs a WHERE NOT EXISTS (SELECT 1 FROM papers p WHERE p.id = a.paper_id)",
               "a.paper_id || ': ' || a.short"),
        _count(c, "bad paper row", "paper(s) whose list columns are not JSON arrays",
               "FROM papers WHERE NOT (json_valid(authors) AND json_valid(categories) "
               "AND json_valid(code_urls)) OR content_hash = ''", "id"),
        _count(c, "dangling former id", "former id(s) pointing at an entity that is not stored",
               "FROM id_aliases a WHERE NOT EXISTS (SELECT 1 FROM entities e WHERE e.id = a.new_id)",
               "a.old_id || ' -> ' || a.new_id"),
    ]
    pending = pending_work(store)
    if pending:
        papers = pending.get("paper", 0)
        found.append(Problem("unfinished build", sum(pending.values()),
                             f"change(s) not yet linked ({papers:,} paper(s) written by a build that "
                             "did not finish); run the same `kg build` again or `kg doctor --repair`",
                             tuple(f"{k}: {n:,}" for k, n in pending.items())))
    else:
        found += [
            _count(c, "dangling mention", "mention(s) resolved to an entity that is not stored",
                   "FROM mentions m WHERE m.entity_id IS NOT NULL AND NOT EXISTS "
                   "(SELECT 1 FROM entities e WHERE e.id = m.entity_id)", "m.paper_id || ': ' || m.entity_id"),
            _count(c, "orphan entity", "entit(y/ies) with no edge (nothing in the store supports them)",
                   "FROM entities e WHERE e.origin != 'static' AND NOT EXISTS "
                   "(SELECT 1 FROM edges g WHERE g.target = e.id)", "e.id"),
            _count(c, "count mismatch", "mention edge(s) whose count differs from their mentions",
                   f"FROM edges g WHERE g.rel IN ({','.join('?' * len(main))}) AND g.count != "
                   "(SELECT COUNT(*) FROM mentions m WHERE m.paper_id = g.paper_id AND m.entity_id = g.target)",
                   "g.paper_id || ' -' || g.rel || '-> ' || g.target", main),
            _count(c, "count mismatch", "edge(s) counting more mentions than their paper has",
                   f"FROM edges g WHERE g.rel IN ({','.join('?' * len(subset))}) AND (g.count < 1 OR g.count > "
                   "(SELECT COUNT(*) FROM mentions m WHERE m.paper_id = g.paper_id AND m.entity_id = g.target))",
                   "g.paper_id || ' -' || g.rel || '-> ' || g.target", subset),
            _count(c, "missing edge", "resolved mention(s) with no edge from their paper",
                   f"FROM mentions m WHERE m.entity_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM edges g "
                   f"WHERE g.paper_id = m.paper_id AND g.target = m.entity_id AND g.rel IN ({rels}))",
                   "m.paper_id || ': ' || m.entity_id", MENTION_RELS),
        ]
    return [p for p in found if p is not None]


def repair(store: Store) -> dict[str, int]:
    """Finish the linking an interrupted build left (the caller holds the store's lock).

    Returns the :func:`pending_work` that was done.
    """
    from kg.build import load_store_curation

    pending = pending_work(store)
    if pending:
        with store.transaction():
            store.finish(load_store_curation(store))
    return pending


@click.command("doctor")
@click.option("--store", "store_path", type=click.Path(file_okay=False, path_type=Path),
              default="kg-store", envvar="KG_STORE", show_default=True, show_envvar=True,
              help="Directory of the embedded graph store.")
@click.option("--repair", "do_repair", is_flag=True,
              help="First upgrade a store an earlier kg made, and finish the linking an "
                   "interrupted build left undone.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def doctor(store_path: Path, do_repair: bool, fmt: str) -> None:
    """Check a store's consistency; exit 1 naming every problem found.

    Every edge's ends exist and have the schema's types, no evidence is orphaned, mention
    counts agree with edges, no build was left unfinished. --repair finishes an interrupted
    build's linking (running the same `kg build` again does too).

    \b
    Example:
      kg doctor --store kg-store
      kg doctor --store kg-store --repair
    """
    with Store.open(store_path, old_schema=do_repair) as store:
        if do_repair:
            store.lock()
            old = store.upgrade()
            if old is not None and fmt == "table":
                click.echo(f"repaired: upgraded the store from schema {old} to {store.schema}", err=True)
            done = repair(store)
            if done and fmt == "table":
                click.echo(f"repaired: linked {done.get('paper', 0):,} paper(s) an interrupted "
                           "build had written", err=True)
        problems = check_store(store)
        stats = None if any(p.check == "sqlite" for p in problems) else store.stats()
    if fmt == "json":
        click.echo(json.dumps({"store": str(store_path), "ok": not problems, "stats": stats,
                               "problems": [asdict(p) for p in problems]}, ensure_ascii=False, indent=2))
    else:
        for p in problems:
            click.echo(p.describe())
        if stats is not None and not problems:
            click.echo(f"ok: {store_path} is consistent ({stats['papers']:,} papers, "
                       f"{sum(stats['nodes'].values()):,} nodes, {sum(stats['edges'].values()):,} edges)")
    if problems:
        raise StoreInconsistent(store_path, problems)


COMMANDS = [doctor]
