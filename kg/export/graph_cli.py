"""``kg export graphml|gexf|dot``: the graph for Gephi, Cytoscape, yEd and Graphviz."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

import click

from kg.export.graph_formats import WRITERS

__all__ = ["COMMANDS"]

_HELP = {
    "graphml": ("Export the graph as GraphML (Cytoscape, yEd, Gephi, networkx).",
                "kg export graphml --out kg.graphml"),
    "gexf": ("Export the graph as GEXF 1.2 for Gephi (lists joined with '; ').",
             "kg export gexf --out kg.gexf"),
    "dot": ("Export the graph as a Graphviz digraph (nodes labelled by name, edges by relation).",
            "kg export dot --concept dpo --out dpo.dot && dot -Tsvg dpo.dot > dpo.svg"),
}


@contextlib.contextmanager
def _output(out: str) -> Iterator[TextIO]:
    if out == "-":
        yield sys.stdout
        return
    path = Path(out)
    tmp = path.with_name(path.name + ".part")
    try:
        with tmp.open("w", encoding="utf-8", newline="\n") as fh:
            yield fh
        tmp.replace(path)  # a failed export never leaves a half-written file behind
    finally:
        tmp.unlink(missing_ok=True)


def _make(fmt: str) -> click.Command:
    summary, example = _HELP[fmt]

    @click.command(fmt, help=f"""{summary}

    The whole store by default; with --concept or --paper, only that neighbourhood (the
    nodes and edges `kg view` draws). Every node carries its type and name, every edge its relation
    and evidence.

    \b
    Example:
      {example}
    """)
    # not kg.cli.store_option: importing kg.cli here would be circular when this module loads first
    @click.option("--store", "store_path", type=click.Path(file_okay=False, path_type=Path),
                  default="kg-store", envvar="KG_STORE", show_default=True, show_envvar=True,
                  help="Directory of the embedded graph store.")
    @click.option("--out", default="-", show_default=True, metavar="FILE",
                  help="Output file; '-' is stdout.")
    @click.option("--concept", metavar="CONCEPT", help="Only this concept's neighbourhood.")
    @click.option("--paper", metavar="PAPER", help="Only this paper's neighbourhood (an id, "
                  "an arXiv id or words of the title).")
    @click.option("--depth", type=click.IntRange(1, 2), default=1, show_default=True,
                  help="With --concept: 2 adds the neighbours' neighbours.")
    def command(store_path: Path, out: str, concept: str | None, paper: str | None,
                depth: int) -> None:
        from kg.export.graph_formats import store_edges, store_nodes
        from kg.store import Store

        with Store.open(store_path) as store:
            if concept and paper:
                raise click.UsageError("give --concept or --paper, not both")
            if concept or paper:
                from kg.view import subgraph

                g = subgraph(store, paper or concept or "", depth=depth, paper=bool(paper))
                nodes: Any = [(n["id"], n["type"], n) for n in g["nodes"]]
                edges: Any = [(e["source"], e["target"], e["relation"], e) for e in g["edges"]]
            else:
                nodes, edges = store_nodes(store), store_edges(store)
            with _output(out) as fh:
                n, m = WRITERS[fmt](nodes, edges, fh)
        if out != "-":
            click.echo(f"wrote {n} nodes and {m} edges to {out}", err=True)

    return command


COMMANDS = [_make(fmt) for fmt in WRITERS]
