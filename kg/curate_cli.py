"""``kg remove`` and ``kg curate ...``: editing what the store holds, with validation.

Curation entries go to the store's ``curation.toml`` (format in :mod:`kg.link.curation`) and
are applied at once; every later build re-applies them.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import click

from kg.link.curation import KINDS, CurationError, dump_toml, load_curation
from kg.schema import ENTITY_TYPES

__all__ = ["COMMANDS"]


def _store_option(f: Any) -> Any:
    from kg.cli_options import store_option

    return store_option(f)


def _open_locked(store_path: Path) -> Any:
    from kg.store import Store

    store = Store.open(store_path)
    try:
        store.lock()
    except Exception:
        store.close()
        raise
    return store


@click.command()
@click.argument("paper_ids", nargs=-1, required=True)
@_store_option
def remove(paper_ids: tuple[str, ...], store_path: Path) -> None:
    """Remove papers, and the entities and edges only they supported.

    Derived edges (APPLIED_IN) are recomputed; entities other papers still name stay.

    \b
    Example:
      kg remove paper/arxiv-2510.08589
    """
    from kg.build import remove as run_remove

    store = _open_locked(store_path)
    try:
        removed, missing = run_remove(paper_ids, store)
    finally:
        store.close()
    click.echo(f"removed {len(removed)} paper(s)")
    if missing:
        raise click.ClickException(f"not in the store: {', '.join(missing)}")


def _curation_path(store_path: Path) -> Path:
    from kg.build import STORE_CURATION

    return store_path / STORE_CURATION


def _append(store_path: Path, kind: str, entry: dict[str, Any]) -> None:
    """Validate ``entry`` against the store, append it, and re-apply all curation."""
    from kg.build import load_store_curation

    store = _open_locked(store_path)
    try:
        for eid in [entry.get("id"), *entry.get("ids", [])]:
            if isinstance(eid, str) and kind != "block" and store.entity(store.resolve_id(eid)) is None:
                raise CurationError(f"{kind}: no entity {eid!r} in the store at {store_path}")
        for pid in entry.get("papers", []):
            if store.get_paper(pid) is None:
                raise CurationError(f"{kind}: no paper {pid!r} in the store at {store_path}")
        path = _curation_path(store_path)
        current = load_curation([path])
        current.add(kind, entry, f"{kind}")
        _write_atomic(path, dump_toml(current.entries))
        with store.transaction():
            store.finish(load_store_curation(store), full=True)
    finally:
        store.close()
    click.echo(f"{kind} added to {path} and applied")


def _write_atomic(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".curation.")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write("# kg curation: edited by `kg curate`; format in `kg curate --help`\n\n" + text)
    os.replace(tmp, path)


@click.group()
def curate() -> None:
    """Correct the graph: merge, split, rename, retype or block entities.

    Entries are kept in STORE/curation.toml, applied at once and re-applied on every build.

    \b
    Example:
      kg curate merge method/gcn method/graph-conv-net --into method/graph-convolutional-network
      kg curate block "our framework" --type Method
      kg curate list
    """


@curate.command("list")
@_store_option
def list_(store_path: Path) -> None:
    """List curation entries, numbered.

    \b
    Example:
      kg curate list
    """
    cur = load_curation([_curation_path(store_path)])
    if not cur.entries:
        click.echo("no curation entries")
    for i, (kind, entry) in enumerate(cur.entries, 1):
        click.echo(f"{i:>3}  {kind:<7} " + "  ".join(f"{k}={v}" for k, v in entry.items()))


@curate.command()
@click.argument("ids", nargs=-1, required=True)
@click.option("--into", required=True, help="The id that remains.")
@_store_option
def merge(ids: tuple[str, ...], into: str, store_path: Path) -> None:
    """Merge entities of one type into one.

    \b
    Example:
      kg curate merge method/gcn --into method/graph-convolutional-network
    """
    _append(store_path, "merge", {"ids": list(ids), "into": into})


@curate.command()
@click.argument("name")
@click.option("--type", "etype", type=click.Choice([t.value for t in ENTITY_TYPES]))
@click.option("--id", "by_id", is_flag=True, help="NAME is an entity id.")
@_store_option
def block(name: str, etype: str | None, by_id: bool, store_path: Path) -> None:
    """Never make an entity of this name (any case), or of this id with --id.

    \b
    Example:
      kg curate block "our framework" --type Method
    """
    entry: dict[str, Any] = {"id": name} if by_id else {"name": name}
    if etype:
        entry["type"] = etype
    _append(store_path, "block", entry)


@curate.command()
@click.argument("entity_id")
@click.argument("name")
@_store_option
def rename(entity_id: str, name: str, store_path: Path) -> None:
    """Give an entity a new canonical name (the old id stays resolvable).

    \b
    Example:
      kg curate rename method/dpo "Direct Preference Optimization"
    """
    _append(store_path, "rename", {"id": entity_id, "name": name})


@curate.command()
@click.argument("entity_id")
@click.argument("new_type", type=click.Choice([t.value for t in ENTITY_TYPES]))
@_store_option
def retype(entity_id: str, new_type: str, store_path: Path) -> None:
    """Change an entity's type (the old id stays resolvable).

    \b
    Example:
      kg curate retype method/imagenet Dataset
    """
    _append(store_path, "retype", {"id": entity_id, "type": new_type})


@curate.command()
@click.argument("entity_id")
@click.option("--into", required=True, help="Id of the new entity.")
@click.option("--name", help="Its canonical name.")
@click.option("--paper", "papers", multiple=True, required=True,
              help="A paper whose mentions name the new entity (repeatable).")
@_store_option
def split(entity_id: str, into: str, name: str | None, papers: tuple[str, ...], store_path: Path) -> None:
    """Split an entity: the mentions in the given papers name another one.

    \b
    Example:
      kg curate split method/gcn --into method/gated-cross-network \\
          --name "Gated Cross Network" --paper paper/arxiv-2510.00001
    """
    entry: dict[str, Any] = {"id": entity_id, "into": into, "papers": list(papers)}
    if name:
        entry["name"] = name
    _append(store_path, "split", entry)


@curate.command("drop")
@click.argument("number", type=int)
@_store_option
def drop(number: int, store_path: Path) -> None:
    """Remove curation entry NUMBER (as `kg curate list` numbers them) and re-apply.

    \b
    Example:
      kg curate drop 2
    """
    from kg.build import load_store_curation

    path = _curation_path(store_path)
    cur = load_curation([path])
    if not 1 <= number <= len(cur.entries):
        raise click.ClickException(f"no curation entry {number} (there are {len(cur.entries)})")
    entries = [e for i, e in enumerate(cur.entries, 1) if i != number]
    store = _open_locked(store_path)
    try:
        _write_atomic(path, dump_toml(entries))
        with store.transaction():
            store.finish(load_store_curation(store), full=True)
    finally:
        store.close()
    click.echo(f"entry {number} dropped and curation re-applied")


assert set(KINDS) == {"block", "merge", "rename", "retype", "split"}
COMMANDS = [remove, curate]
