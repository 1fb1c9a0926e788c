"""``kg report``: what the graph holds, as text, JSON or one self-contained HTML page.

Counts by node and edge type, papers and new methods per year, the domains with the most
papers and the methods most used in each (from the derived APPLIED_IN edges), and the most
used methods, datasets and tasks. The HTML page draws its charts as inline SVG and has no
script: it opens offline, and a Content-Security-Policy forbids it to load anything.
"""

from __future__ import annotations

import json
from html import escape
from typing import TYPE_CHECKING, Any

import click

from kg.schema import NodeType, RelType

if TYPE_CHECKING:
    from kg.store import Store

__all__ = ["summary", "render_text", "render_html", "COMMANDS"]


def _top_entities(store: Store, etype: str, n: int) -> list[dict[str, Any]]:
    rows = store.conn.execute(
        "SELECT e.id, e.name, COUNT(DISTINCT g.paper_id) papers FROM entities e JOIN edges g "
        "ON g.target = e.id WHERE e.type = ? GROUP BY e.id ORDER BY papers DESC, e.id LIMIT ?",
        (etype, n))
    return [dict(r) for r in rows]


def summary(store: Store, *, domains: int = 8, top: int = 5) -> dict[str, Any]:
    """The report's numbers: ``counts``, ``years``, ``domains`` (with their top methods), ``top``."""
    c = store.conn
    methods_first = ("SELECT MIN(p.year) y FROM edges g JOIN papers p ON p.id = g.paper_id "
                     "WHERE g.rel IN (?, ?) AND p.year IS NOT NULL GROUP BY g.target")
    new_methods = {r[0]: r[1] for r in c.execute(
        f"SELECT y, COUNT(*) FROM ({methods_first}) GROUP BY y",
        (RelType.PROPOSES.value, RelType.USES.value))}
    per_year = dict(c.execute("SELECT year, COUNT(*) FROM papers WHERE year IS NOT NULL "
                              "GROUP BY year").fetchall())
    # every year from the first to the last, so gaps show as gaps
    span = range(min(per_year), max(per_year) + 1) if per_year else range(0)
    years = [{"year": y, "papers": per_year.get(y, 0), "new_methods": new_methods.get(y, 0)}
             for y in span]
    undated = c.execute("SELECT COUNT(*) FROM papers WHERE year IS NULL").fetchone()[0]
    # a paper counts once per top-level domain, whichever narrower domains it is in
    tops = c.execute(
        "SELECT t.top id, e.name, COUNT(DISTINCT t.paper_id) papers FROM (SELECT d.paper_id, "
        "COALESCE(b.target, d.target) top FROM edges d LEFT JOIN links b ON b.source = d.target "
        "AND b.rel = ? WHERE d.rel = ?) t JOIN entities e ON e.id = t.top "
        "GROUP BY t.top ORDER BY papers DESC, t.top LIMIT ?",
        (RelType.BROADER.value, RelType.IN_DOMAIN.value, domains)).fetchall()
    out_domains = []
    for d in tops:
        methods = [{"id": r[0], "name": r[1], "papers": r[2]} for r in c.execute(
            "SELECT l.source, e.name, json_extract(l.props, '$.paper_count') n FROM links l "
            "JOIN entities e ON e.id = l.source WHERE l.rel = ? AND l.target = ? "
            "ORDER BY n DESC, l.source LIMIT ?", (RelType.APPLIED_IN.value, d["id"], top))]
        out_domains.append({"id": d["id"], "name": d["name"], "papers": d["papers"],
                            "methods": methods})
    return {
        "counts": store.stats(),
        "years": years,
        "undated_papers": undated,
        "domains": out_domains,
        "top": {t.value: _top_entities(store, t.value, 10)
                for t in (NodeType.METHOD, NodeType.DATASET, NodeType.TASK)},
    }


def render_text(s: dict[str, Any]) -> list[str]:
    """The report as lines of plain text."""
    counts = s["counts"]
    lines = [f"papers: {counts['papers']}",
             "nodes:  " + ", ".join(f"{k} {v}" for k, v in counts["nodes"].items()),
             "edges:  " + ", ".join(f"{k} {v}" for k, v in counts["edges"].items()), "",
             "papers per year (new methods):"]
    peak = max((y["papers"] for y in s["years"]), default=1)
    for y in s["years"]:
        bar = "#" * max(1, round(30 * y["papers"] / peak)) if y["papers"] else ""
        lines.append(f"  {y['year']}  {y['papers']:>6} ({y['new_methods']:>4})  {bar}".rstrip())
    if s["undated_papers"]:
        lines.append(f"  no year  {s['undated_papers']}")
    lines += ["", "top methods per domain (papers):"]
    for d in s["domains"]:
        methods = ", ".join(f"{m['name']} ({m['papers']})" for m in d["methods"])
        lines.append(f"  {d['name']} [{d['papers']} papers]: {methods}")
    for etype, rows in s["top"].items():
        lines += ["", f"most used {etype.lower()}s (papers):"]
        lines += [f"  {r['papers']:>5}  {r['name']}" for r in rows]
    return lines


def _bar_chart(items: list[tuple[str, int, int]], title: str, legend: tuple[str, str]) -> str:
    """Vertical bars (two series) as inline SVG; labels are escaped text."""
    w, h, pad, left = 720, 260, 30, 40
    n = max(len(items), 1)
    peak = max([a for _, a, _ in items] + [b for _, _, b in items] + [1])
    slot = (w - left - 10) / n
    bw = max(2.0, slot * 0.4)
    parts = [f'<svg class="chart" viewBox="0 0 {w} {h + 40}" role="img" aria-label="{escape(title)}">',
             f'<line x1="{left}" y1="{h}" x2="{w - 10}" y2="{h}" class="axis"/>',
             f'<text x="{left - 6}" y="{pad}" class="tick" text-anchor="end">{peak}</text>',
             f'<text x="{left - 6}" y="{h}" class="tick" text-anchor="end">0</text>']
    for i, (label, a, b) in enumerate(items):
        x = left + i * slot + slot * 0.1
        for j, (v, cls) in enumerate(((a, "s1"), (b, "s2"))):
            bh = (h - pad) * v / peak
            parts.append(f'<rect class="{cls}" x="{x + j * bw:.1f}" y="{h - bh:.1f}" width="{bw:.1f}" '
                         f'height="{bh:.1f}"><title>{escape(label)}: {v}</title></rect>')
        if i % max(1, round(n / 20)) == 0:  # at most ~20 labels fit under the axis
            parts.append(f'<text x="{x + bw:.1f}" y="{h + 16}" class="tick" '
                         f'text-anchor="middle">{escape(label)}</text>')
    parts.append(f'<rect class="s1" x="{left}" y="{h + 26}" width="10" height="10"/>'
                 f'<text x="{left + 14}" y="{h + 35}" class="tick">{escape(legend[0])}</text>'
                 f'<rect class="s2" x="{left + 140}" y="{h + 26}" width="10" height="10"/>'
                 f'<text x="{left + 154}" y="{h + 35}" class="tick">{escape(legend[1])}</text></svg>')
    return "".join(parts)


def _hbar_chart(items: list[tuple[str, int]], title: str) -> str:
    """Horizontal bars as inline SVG."""
    row, label_w, w = 22, 260, 720
    peak = max([v for _, v in items] + [1])
    parts = [f'<svg class="chart" viewBox="0 0 {w} {row * len(items) + 10}" role="img" '
             f'aria-label="{escape(title)}">']
    for i, (label, v) in enumerate(items):
        y = i * row + 4
        bw = (w - label_w - 60) * v / peak
        parts.append(f'<text x="{label_w - 8}" y="{y + 14}" class="tick" text-anchor="end">'
                     f"{escape(label)}</text>"
                     f'<rect class="s1" x="{label_w}" y="{y}" width="{bw:.1f}" height="{row - 6}">'
                     f"<title>{escape(label)}: {v}</title></rect>"
                     f'<text x="{label_w + bw + 6:.1f}" y="{y + 14}" class="tick">{v}</text>')
    parts.append("</svg>")
    return "".join(parts)


_CSS = """
body { font: 14px/1.45 system-ui, sans-serif; color: #222; max-width: 960px; margin: 2em auto; padding: 0 1em; }
h1 { font-size: 22px; } h2 { font-size: 17px; margin-top: 1.8em; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; margin: .5em 0; } td, th { padding: 2px 10px; text-align: left; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; } tr:nth-child(even) td { background: #f6f6f6; }
.chart { width: 100%; max-width: 720px; } .axis { stroke: #999; } .tick { font-size: 11px; fill: #555; }
.s1 { fill: #4e79a7; } .s2 { fill: #e15759; } .muted { color: #666; }
.cols { display: flex; gap: 2em; flex-wrap: wrap; }
"""


def _table(head: list[str], rows: list[list[Any]]) -> str:
    def cell(tag: str, v: Any) -> str:
        cls = ' class="n"' if isinstance(v, (int, float)) else ""
        return f"<{tag}{cls}>{escape(str(v))}</{tag}>"

    body = "".join("<tr>" + "".join(cell("td", v) for v in r) + "</tr>" for r in rows)
    return f"<table><tr>{''.join(cell('th', h) for h in head)}</tr>{body}</table>"


def render_html(s: dict[str, Any], title: str = "kg report") -> str:
    """The report as one self-contained HTML page (no script, no external resource)."""
    counts = s["counts"]
    years = [(str(y["year"]), y["papers"], y["new_methods"]) for y in s["years"]]
    parts = [
        f"<h1>{escape(title)}</h1>",
        f'<p class="muted">{counts["papers"]} papers, '
        f"{sum(counts['nodes'].values())} nodes, {sum(counts['edges'].values())} edges.</p>",
        '<h2>Counts</h2><div class="cols">',
        _table(["node type", "count"], [[k, v] for k, v in counts["nodes"].items()]),
        _table(["edge type", "count"], [[k, v] for k, v in counts["edges"].items()]), "</div>",
        "<h2>Growth per year</h2>",
        _bar_chart(years, "papers and new methods per year", ("papers", "new methods")),
    ]
    if s["undated_papers"]:
        parts.append(f'<p class="muted">{s["undated_papers"]} papers have no year.</p>')
    parts += ["<h2>Domains with the most papers</h2>",
              _hbar_chart([(d["name"], d["papers"]) for d in s["domains"]], "papers per domain"),
              "<h2>Top methods per domain</h2>",
              _table(["domain", "papers", "methods most used in it (papers)"],
                     [[d["name"], d["papers"],
                       ", ".join(f"{m['name']} ({m['papers']})" for m in d["methods"])]
                      for d in s["domains"]])]
    parts.append('<h2>Most used</h2><div class="cols">')
    for etype, rows in s["top"].items():
        parts.append(_table([f"{etype.lower()}", "papers"], [[r["name"], r["papers"]] for r in rows]))
    parts.append("</div>")
    csp = "default-src 'none'; style-src 'unsafe-inline'"
    return (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f'<meta http-equiv="Content-Security-Policy" content="{csp}">\n'
            f"<title>{escape(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
            + "\n".join(parts) + "\n</body>\n</html>\n")


@click.command("report")
@click.option("--store", "store_path", type=click.Path(file_okay=False), default="kg-store",
              envvar="KG_STORE", show_default=True, show_envvar=True,
              help="Directory of the embedded graph store.")
@click.option("--out", type=click.Path(dir_okay=False, writable=True), metavar="FILE.html",
              help="Write a self-contained HTML page with charts instead of text.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Format on stdout (without --out).")
@click.option("--domains", type=click.IntRange(1), default=8, show_default=True,
              help="How many domains to list.")
@click.option("--top", type=click.IntRange(1), default=5, show_default=True,
              help="Methods per domain.")
def report_command(store_path: str, out: str | None, fmt: str, domains: int, top: int) -> None:
    """Summarise the graph: counts, growth per year, top methods per domain.

    \b
    Example:
      kg report
      kg report --out report.html
    """
    from pathlib import Path

    from kg.store import Store

    with Store.open(store_path) as store:
        s = summary(store, domains=domains, top=top)
    if out:
        Path(out).write_text(render_html(s, f"kg report: {Path(store_path).name}"), encoding="utf-8")
        click.echo(f"wrote {out}", err=True)
    elif fmt == "json":
        click.echo(json.dumps(s, indent=2, ensure_ascii=False))
    else:
        for line in render_text(s):
            click.echo(line)


COMMANDS = [report_command]
