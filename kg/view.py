"""``kg view``: one self-contained, interactive HTML page of a concept's neighbourhood.

The page needs no network: its script and styles are inline, and a Content-Security-Policy
forbids loading anything else and running any script but kg's own (by hash). The graph travels
as JSON inside ``<script type="application/json">`` with ``<``, ``>``, ``&``, U+2028 and U+2029
escaped, so no name can close the element or open a comment; the script puts every string on
the page with ``textContent``/``setAttribute``, never as markup.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
from importlib import resources
from typing import TYPE_CHECKING, Any

import click

from kg.schema import NodeType

if TYPE_CHECKING:
    from kg.store import Store

__all__ = ["subgraph", "render_html", "embed_json", "COMMANDS", "MAX_NODES"]

#: The page stays responsive up to a few hundred nodes; more are cut (and the page says so).
MAX_NODES = 300


def embed_json(data: Any) -> str:
    """JSON that is safe inside ``<script type="application/json">``.

    >>> embed_json({"name": "</script><!--\\u2028"})
    '{"name": "\\\\u003c/script\\\\u003e\\\\u003c!--\\\\u2028"}'
    """
    text = json.dumps(data, ensure_ascii=False, sort_keys=True)
    # these characters only occur inside JSON strings, where \\uXXXX means the same
    for ch, esc in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                    ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(ch, esc)
    return text


def _resolve(store: Store, text: str, paper: bool) -> dict[str, Any]:
    if paper:
        from kg.explain import find_paper

        p = find_paper(store, text)
        return {"id": p.id, "type": NodeType.PAPER.value, "name": p.title, "aliases": []}
    from kg.query import find_concept

    return find_concept(store, text)


def subgraph(store: Store, concept: str, *, depth: int = 1, limit: int = 25,
             max_nodes: int = MAX_NODES, paper: bool = False) -> dict[str, Any]:
    """The nodes and edges around ``concept`` (a name, alias, id; with ``paper`` a paper).

    Depth 1 is the concept and its neighbours (at most ``limit`` per relation); depth 2 adds
    each neighbour's own neighbours (fewer per relation). Returns ``{"concept", "nodes",
    "edges", "truncated"}``; edges carry their evidence (sentence, rule, confidence, count).
    """
    from kg.query import neighborhood

    root = _resolve(store, concept, paper)
    nodes: dict[str, dict[str, Any]] = {}
    edges: dict[tuple[str, str, str], dict[str, Any]] = {}
    truncated = False

    def add_node(nid: str, ntype: str, name: str, years: list[int] | None = None) -> None:
        node: dict[str, Any] = {"id": nid, "type": ntype, "name": name}
        if ntype == NodeType.PAPER.value:
            node["year"] = years[0] if years else None
        else:
            ent = store.entity(nid)
            node["aliases"] = ent["aliases"][:8] if ent else []
        nodes[nid] = node

    def add_hood(cid: str, per_relation: int) -> list[str]:
        nonlocal truncated
        hood = neighborhood(store, cid, depth=1, limit=per_relation)
        added = []
        for n in hood["neighbors"]:
            if n["id"] not in nodes:
                if len(nodes) >= max_nodes:
                    truncated = True
                    continue
                add_node(n["id"], n["type"], n["name"], n["years"])
                added.append(n["id"])
            src, dst = (cid, n["id"]) if n["direction"] == "out" else (n["id"], cid)
            ev = n.get("evidence") or {}
            edge = {"source": src, "target": dst, "relation": n["relation"], "count": n["count"],
                    **{k: ev.get(k) for k in ("sentence", "rule", "confidence", "field")}}
            if n["relation"] == "APPLIED_IN":
                edge["paper_count"] = n["count"]
            edges.setdefault((src, n["relation"], dst), edge)
        if sum(hood["totals"].values()) > len(hood["neighbors"]):
            truncated = True
        return added

    add_node(root["id"], root["type"], root["name"])
    if root["type"] == NodeType.PAPER.value:
        p = store.get_paper(root["id"])
        nodes[root["id"]]["year"] = p.year if p else None
    first = add_hood(root["id"], limit)
    if depth >= 2:
        for nid in first:
            add_hood(nid, max(3, limit // 5))
    return {"concept": {k: root[k] for k in ("id", "type", "name")},
            "nodes": list(nodes.values()), "edges": list(edges.values()), "truncated": truncated}


def _asset(name: str) -> str:
    return (resources.files("kg") / "templates" / name).read_text(encoding="utf-8")


def render_html(graph: dict[str, Any]) -> str:
    """The whole page for a :func:`subgraph` result, as one string."""
    script = _asset("view.js")
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
    csp = (f"default-src 'none'; script-src 'sha256-{digest}'; style-src 'unsafe-inline'; "
           "img-src data:")
    title = html.escape(f"kg: {graph['concept']['name']}")
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
{_asset("view.css")}</style>
</head>
<body>
<header>
  <h1 id="concept"></h1><span class="muted" id="summary"></span>
  <input id="search" type="search" placeholder="Search names, ids, aliases" aria-label="Search">
  <span id="found"></span>
  <label><input id="labels" type="checkbox" checked> edge labels</label>
</header>
<main>
  <svg id="graph" viewBox="0 0 1000 700" preserveAspectRatio="xMidYMid meet" role="img"
       aria-label="neighbourhood graph"></svg>
  <aside>
    <h2>Node types</h2><ul id="legend"></ul>
    <h2>How to read it</h2>
    <p class="muted">Colour: node type. Size: links in this view. Hover a node or an edge for
    its evidence; drag nodes; scroll to zoom; drag the background to pan; click a type to
    hide it.</p>
  </aside>
</main>
<div id="tooltip" hidden></div>
<script type="application/json" id="kg-data">{embed_json(graph)}</script>
<script>{script}</script>
</body>
</html>
"""


@click.command("view")
@click.argument("concept", required=False)
@click.option("--paper", metavar="PAPER", help="Draw a paper's neighbourhood instead "
              "(an id, an arXiv id or words of the title).")
@click.option("--store", "store_path", type=click.Path(file_okay=False), default="kg-store",
              envvar="KG_STORE", show_default=True, show_envvar=True,
              help="Directory of the embedded graph store.")
@click.option("--out", required=True, type=click.Path(dir_okay=False, writable=True),
              metavar="FILE.html", help="The page to write.")
@click.option("--depth", type=click.IntRange(1, 2), default=1, show_default=True)
@click.option("--limit", type=click.IntRange(1), default=25, show_default=True,
              help="Neighbours per relation.")
def view_command(concept: str | None, paper: str | None, store_path: str, out: str,
                 depth: int, limit: int) -> None:
    """Write an interactive HTML page of a concept's (or a paper's) neighbourhood.

    One self-contained file: it opens offline in any browser. Nodes are coloured by type and
    sized by their links, edges are labelled with their relation, and hovering shows the
    evidence; a search box and a legend help find things.

    \b
    Example:
      kg view "direct preference optimization" --out dpo.html
      kg view --paper 2510.08589 --depth 2 --out paper.html
    """
    from pathlib import Path

    from kg.store import Store

    if bool(concept) == bool(paper):
        raise click.UsageError("give a CONCEPT or --paper PAPER (one of them)")
    with Store.open(store_path) as store:
        graph = subgraph(store, paper or concept or "", depth=depth, limit=limit,
                         paper=bool(paper))
    Path(out).write_text(render_html(graph), encoding="utf-8")
    click.echo(f"wrote {out}: {len(graph['nodes'])} nodes, {len(graph['edges'])} edges"
               + (" (truncated: raise --limit for more)" if graph["truncated"] else ""), err=True)


COMMANDS = [view_command]
