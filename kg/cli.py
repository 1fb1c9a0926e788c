"""kg's command line: thin adapters over the library.

Data goes to stdout, progress and logs to stderr. Exit codes: 0 success, 1 an error
(``Error: ...``), 2 a usage error. Library errors (:mod:`kg.errors`) become messages here and
nowhere else.
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from kg.cli_options import store_option
from kg.errors import KGError
from kg.schema import NodeType, RelType

__all__ = ["cli", "main"]

F = TypeVar("F", bound=Callable[..., Any])
NODE_TYPES = [t.value for t in NodeType]
REL_TYPES = [r.value for r in RelType]


def _open_store(path: Path, create: bool = False) -> Any:
    from kg.store import Store

    return Store.open(path, create=create)


class KGGroup(click.Group):
    """Turns library errors into ``Error: ...`` with exit code 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KGError as exc:
            raise click.ClickException(str(exc)) from exc
        except sqlite3.DatabaseError as exc:  # a damaged store file, read outside a transaction
            raise click.ClickException(f"the store's database cannot be read: {exc} "
                                       "(run `kg doctor` on it; rebuild it into a new directory)") from exc


@click.group(cls=KGGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="kg-papers", prog_name="kg")
@click.option("--quiet", "-q", is_flag=True, help="Print only data and errors: no progress, no summaries.")
@click.option("--verbose", "-v", count=True, help="Log what kg does on stderr (-vv: debug).")
@click.pass_context
def cli(ctx: click.Context, quiet: bool, verbose: int) -> None:
    """kg: a knowledge graph of papers, methods, datasets, tasks and domains.

    Defaults come from kg.toml (./kg.toml, ~/.config/kg/kg.toml, $KG_CONFIG) and KG_*
    variables. Shell completion: eval "$(_KG_COMPLETE=bash_source kg)" (or zsh_source,
    fish_source).

    \b
    Example:
      kg build papers.jsonl --store kg-store
      kg show "direct preference optimization"
    """
    import logging

    ctx.obj = {"quiet": quiet, "verbose": verbose}
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(level=level, stream=sys.stderr, format="kg: %(levelname)s: %(message)s")


def _quiet() -> bool:
    ctx = click.get_current_context(silent=True)
    while ctx is not None:
        if isinstance(ctx.obj, dict) and ctx.obj.get("quiet"):
            return True
        ctx = ctx.parent
    return False


@cli.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@store_option
@click.option("--strict", is_flag=True, help="Exit 1 if any record was rejected.")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but errors.")
@click.option("--batch-size", type=click.IntRange(1), default=256, show_default=True,
              help="Records per transaction: an interrupted build keeps every batch it committed.")
@click.option("--jobs", "-j", type=click.IntRange(0), default=0, show_default=True,
              help="Extraction processes (0: one per core). The store is the same for any N.")
def build(inputs: tuple[Path, ...], store_path: Path, strict: bool, quiet: bool,
          batch_size: int, jobs: int) -> None:
    """Read paper records, extract and link them, and add them to the store.

    INPUTS are files or directories in any supported format (detected from content).
    Building the same input twice changes nothing; changed records replace their edges.
    Rejected records are listed in STORE/rejects.jsonl.

    \b
    Example:
      kg build ../shared/corpus/hf-daily-papers --store kg-store
      kg build papers/ --store kg-store --jobs 2
    """
    from kg.build import build as run_build
    from kg.progress import Progress

    quiet = quiet or _quiet()
    store = _open_store(store_path, create=True)
    try:
        store.lock()
        shown = 0

        def on_reject(rej: Any) -> None:
            nonlocal shown
            shown += 1
            if not quiet and shown <= 20:
                click.echo(f"rejected {rej.describe()}", err=True)

        with Progress("records", enabled=not quiet) as progress:
            report = run_build(inputs, store, on_reject=on_reject, progress=progress.update,
                               batch_size=batch_size, jobs=jobs or os.cpu_count() or 1)
    finally:
        store.close()
    if not quiet:
        _print_build(report)
    if strict and report.rejected:
        raise click.ClickException(f"{report.rejected} record(s) rejected (see {report.rejects_path})")


def _print_build(report: Any) -> None:
    click.echo(f"papers read: {report.read}  added: {report.added}  updated: {report.updated}  "
               f"unchanged: {report.unchanged}  duplicates merged: {report.merged}  "
               f"rejected: {report.rejected}")
    if report.rejected:
        click.echo(f"rejects report: {report.rejects_path}")
    stats = report.stats
    click.echo("nodes: " + ", ".join(f"{k} {v}" for k, v in stats["nodes"].items()))
    click.echo("edges: " + ", ".join(f"{k} {v}" for k, v in stats["edges"].items()))


@cli.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["jsonl"]), default="jsonl", show_default=True)
def extract(inputs: tuple[Path, ...], fmt: str) -> None:
    """Extract mentions and domains without a store: one JSON object per paper.

    \b
    Example:
      kg extract papers.jsonl > mentions.jsonl
    """
    from kg.extract.pipeline import Extractor
    from kg.link.resolve import entity_id_for
    from kg.sources import dedupe, read_papers
    from kg.model import Reject

    ex = Extractor()
    rejected = 0

    def papers() -> Any:
        nonlocal rejected
        for rec in dedupe(read_papers(inputs)):
            if isinstance(rec, Reject):
                rejected += 1
                click.echo(f"rejected {rec.describe()}", err=True)
            else:
                yield rec

    from kg.store import pick_name

    for result in ex.extract(papers()):
        names: dict[str, dict[tuple[str, str], int]] = {}
        rows = []
        for m in result.mentions:
            eid = entity_id_for(m.type, m.key)
            kind = "short" if m.short_form and m.text.rstrip("s") == m.short_form else "plain"
            names.setdefault(eid, {}).setdefault((m.text, kind), 0)
            names[eid][(m.text, kind)] += 1
            rows.append((m, eid))
        out = {
            "paper": {"id": result.paper.id, "title": result.paper.title},
            "mentions": [{"text": m.text, "start": m.start, "end": m.end, "field": m.field,
                          "type": m.type.value, "role": m.role.value, "entity": eid,
                          "name": pick_name(names[eid]), "confidence": m.confidence,
                          "rule": m.rule, "sentence": m.sentence} for m, eid in rows],
            "domains": [{"id": d.domain_id, "name": d.name, "top": d.top, "score": d.score,
                         "explanation": list(d.explanation)} for d in result.domains],
        }
        click.echo(json.dumps(out, ensure_ascii=False))
    if rejected:
        click.echo(f"{rejected} record(s) rejected", err=True)


@cli.command()
@store_option
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def stats(store_path: Path, fmt: str) -> None:
    """Count papers, nodes by label and edges by type.

    \b
    Example:
      kg stats --format json
    """
    with _open_store(store_path) as store:
        s = store.stats()
    if fmt == "json":
        click.echo(json.dumps(s, indent=2))
        return
    click.echo(f"papers  {s['papers']}")
    for k, v in s["nodes"].items():
        click.echo(f"node    {k:<16} {v}")
    for k, v in s["edges"].items():
        click.echo(f"edge    {k:<16} {v}")


@cli.command()
@store_option
@click.option("--type", "etype", type=click.Choice(NODE_TYPES), help="Only entities of this type.")
@click.option("--format", "fmt", type=click.Choice(["table", "jsonl"]), default="table", show_default=True)
@click.option("--limit", type=int, default=0, help="At most this many (0: all).")
@click.option("--duplicates", is_flag=True,
              help="Instead, list suspected duplicates (same key, name is another's alias, near-identical).")
def entities(store_path: Path, etype: str | None, fmt: str, limit: int, duplicates: bool) -> None:
    """List entities with their aliases and paper counts, most used first.

    \b
    Example:
      kg entities --type Method --limit 20
      kg entities --duplicates
    """
    if duplicates:
        _print_duplicates(store_path, etype, fmt)
        return
    with _open_store(store_path) as store:
        q = ("SELECT e.id, COUNT(DISTINCT g.paper_id) n FROM entities e LEFT JOIN edges g "
             "ON g.target = e.id")
        args: list[Any] = []
        if etype:
            q += " WHERE e.type = ?"
            args.append(etype)
        q += " GROUP BY e.id ORDER BY n DESC, e.id"
        if limit:
            q += f" LIMIT {int(limit)}"
        for row in store.conn.execute(q, args).fetchall():
            ent = store.entity(row["id"])
            ent["papers"] = row["n"]
            if fmt == "jsonl":
                click.echo(json.dumps(ent, ensure_ascii=False))
            else:
                aliases = "; ".join(ent["aliases"][:5])
                click.echo(f"{ent['papers']:>5}  {ent['type']:<15} {ent['id']:<45} {ent['name']}"
                           + (f"  [{aliases}]" if aliases else ""))


def _print_duplicates(store_path: Path, etype: str | None, fmt: str) -> None:
    from dataclasses import asdict

    from kg.link.duplicates import suspected_duplicates

    with _open_store(store_path) as store:
        found = list(suspected_duplicates(store, etype))
    for s in found:
        if fmt == "jsonl":
            click.echo(json.dumps(asdict(s), ensure_ascii=False))
        else:
            click.echo(f"{s.reason:<15} {s.type:<8} {s.a_name} [{s.a}]  ~  {s.b_name} [{s.b}]")
    click.echo(f"{len(found)} suspected duplicate pair(s); merge with `kg curate merge A --into B`",
               err=True)


@cli.command()
@click.argument("concept")
@store_option
@click.option("--depth", type=click.IntRange(1, 2), default=1, show_default=True)
@click.option("--type", "types", multiple=True, type=click.Choice(NODE_TYPES),
              help="Only neighbours of this type (repeatable); also narrows the concept lookup.")
@click.option("--relation", "relations", multiple=True, type=click.Choice(REL_TYPES),
              help="Only this relation (repeatable).")
@click.option("--limit", type=int, default=10, show_default=True, help="Neighbours per relation.")
@click.option("--since", type=int, help="Only papers from this year on.")
@click.option("--format", "fmt", type=click.Choice(["table", "tree", "json"]), default="table",
              show_default=True)
def show(concept: str, store_path: Path, depth: int, types: tuple[str, ...],
         relations: tuple[str, ...], limit: int, since: int | None, fmt: str) -> None:
    """Show the neighbourhood of a concept, with evidence.

    CONCEPT is an id, a name, an alias or a close spelling ("dpo", "DPO",
    "direct preference optimisation").

    \b
    Example:
      kg show "spiking neural network" --depth 2 --format tree
    """
    from kg.query import find_concept, neighborhood

    with _open_store(store_path) as store:
        ent = find_concept(store, concept)
        hood = neighborhood(store, ent["id"], depth=depth, types=list(types) or None,
                            relations=list(relations) or None, limit=limit, since=since)
    if fmt == "json":
        click.echo(json.dumps(hood, indent=2, ensure_ascii=False))
        return
    _print_hood(hood, tree=fmt == "tree")


def _print_hood(hood: dict[str, Any], tree: bool) -> None:
    c = hood["concept"]
    aliases = f"  (aliases: {'; '.join(c['aliases'][:6])})" if c["aliases"] else ""
    click.echo(click.style(f"{c['type']} {c['name']}", bold=True) + f"  [{c['id']}]{aliases}")
    by_rel: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for n in hood["neighbors"]:
        key = (n["relation"] + (" (via paper)" if n.get("via") else ""), n["direction"])
        by_rel.setdefault(key, []).append(n)
    for (rel, direction), items in by_rel.items():
        arrow = "->" if direction == "out" else "<-"
        total = hood["totals"].get(rel.split(" ")[0], len(items))
        click.echo(f"{'' if tree else ''}{arrow} {rel} ({total})")
        for i, n in enumerate(items):
            branch = ("└─ " if i == len(items) - 1 else "├─ ") if tree else "   "
            years = "-".join(str(y) for y in n["years"]) if n["years"] else ""
            meta = ", ".join(x for x in (f"{n['count']}x" if n["count"] and n["count"] > 1 else "",
                                         years) if x)
            click.echo(f"{branch}{n['type']}: {n['name']}" + (f"  ({meta})" if meta else ""))
            ev = n.get("evidence")
            if ev and ev.get("sentence"):
                sent = ev["sentence"]
                pad = "│     " if tree and i < len(items) - 1 else "      "
                click.echo(f"{pad}\"{sent[:220]}{'...' if len(sent) > 220 else ''}\"  "
                           f"[{ev['rule']}, {ev['confidence']}]")


def main() -> None:
    """Console entry point: defaults from kg.toml, then the command line."""
    from kg.config import load_default_map

    try:
        default_map = load_default_map(cli)
    except KGError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)
    try:
        cli.main(prog_name="kg", default_map=default_map)
    except BrokenPipeError:  # `kg ... | head`
        sys.exit(0)


from kg.export.cli import export as _export  # noqa: E402  (commands live beside their code)

#: Modules whose ``COMMANDS`` (and ``TOP_COMMANDS``) lists are registered on the main group.
COMMAND_MODULES: tuple[str, ...] = (
    "kg.curate_cli",
    "kg.distributed",
    "kg.doctor",
    "kg.evaluate.cli",
    "kg.export.rdf_cli",
    "kg.explain",
    "kg.view",
    "kg.report",
)

cli.add_command(_export)


def _register() -> None:
    import importlib

    for name in COMMAND_MODULES:
        module = importlib.import_module(name)
        for attr in ("COMMANDS", "TOP_COMMANDS"):
            # rdf_cli's COMMANDS belong under `kg export`; only its TOP_COMMANDS go here.
            if module.__name__.startswith("kg.export.") and attr == "COMMANDS":
                continue
            for command in getattr(module, attr, ()):
                cli.add_command(command)


_register()

if __name__ == "__main__":  # pragma: no cover
    main()
