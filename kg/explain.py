"""``kg explain PAPER``: a paper's record and everything kg extracted from it, with the evidence.

The first thing to run when a result looks wrong: every mention with its sentence, the rule
that fired and its confidence, the entity it was linked to (or why it was not), the edges the
paper ended up with, and its domains with the words and arXiv categories that chose them.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import click

from kg.errors import KGError
from kg.schema import RelType

if TYPE_CHECKING:  # the store pulls in the extractor (spaCy): import it only when run
    from kg.model import Paper
    from kg.store import Store

__all__ = ["PaperNotFound", "find_paper", "explain", "explanation_lines", "COMMANDS"]

_ARXIV = re.compile(r"^(?:arxiv:)?\s*(\d{4}\.\d{4,5}|[a-z-]+(?:\.[a-z]{2})?/\d{7})(?:v\d+)?$",
                    re.IGNORECASE)
_WORD = re.compile(r"\w+")


class PaperNotFound(KGError):
    """No stored paper matches the id, arXiv id or title words given."""

    def __init__(self, text: str, candidates: list[str], ambiguous: bool = False) -> None:
        if ambiguous:
            msg = (f"{text!r} matches several papers, among them: {'; '.join(candidates)}; "
                   "give the paper id or arXiv id")
        else:
            hint = f"; closest: {'; '.join(candidates)}" if candidates else ""
            msg = f"no paper matches {text!r} (an id, an arXiv id or words of the title){hint}"
        super().__init__(msg)
        self.text = text
        self.candidates = candidates


def _like(word: str) -> str:
    """A LIKE pattern for ``word`` anywhere (``_`` and ``%`` taken literally)."""
    return "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _describe(row: Any) -> str:
    return f"{row['id']} ({row['title'][:80]})"


def find_paper(store: Store, text: str) -> Paper:
    """The paper that ``text`` names: its kg id, its arXiv id (``2510.08589``, ``arXiv:...v2``)
    or words of its title (an exact title wins; otherwise every word must occur in the title).

    Raises :class:`PaperNotFound` with the closest titles, or with the candidates when the words
    fit several papers.
    """
    query = text.strip()
    paper = store.get_paper(query) or store.get_paper(store.resolve_id(query))
    if paper is not None:
        return paper
    c = store.conn
    m = _ARXIV.match(query)
    if m:
        row = c.execute("SELECT id FROM papers WHERE arxiv_id=? OR arxiv_id=?",
                        (m.group(1), m.group(1).lower())).fetchone()
        if row is not None:
            return store.get_paper(row["id"])  # type: ignore[return-value]
    rows = c.execute("SELECT id, title FROM papers WHERE lower(title)=?", (query.lower(),)).fetchall()
    words = [w for w in _WORD.findall(query.lower()) if len(w) > 1] or _WORD.findall(query.lower())
    if not rows and words:
        where = " AND ".join("lower(title) LIKE ? ESCAPE '\\'" for _ in words)
        rows = c.execute(f"SELECT id, title FROM papers WHERE {where} ORDER BY id LIMIT 50",
                         [_like(w) for w in words]).fetchall()
    if len(rows) == 1:
        return store.get_paper(rows[0]["id"])  # type: ignore[return-value]
    if len(rows) > 1:
        ranked = sorted(rows, key=lambda r: -difflib.SequenceMatcher(
            None, query.lower(), r["title"].lower()).ratio())
        raise PaperNotFound(text, [_describe(r) for r in ranked[:5]], ambiguous=True)
    # nothing has every word: suggest the titles sharing the most words with the query
    titles = {r["id"]: r["title"] for r in c.execute(
        "SELECT id, title FROM papers WHERE "
        + " OR ".join("lower(title) LIKE ? ESCAPE '\\'" for _ in words)
        + " LIMIT 2000", [_like(w) for w in words])} if words else {}
    scored = sorted(titles.items(), key=lambda kv: (
        -sum(w in kv[1].lower() for w in words), kv[0]))
    raise PaperNotFound(text, [f"{i} ({t[:80]})" for i, t in scored[:3]])


def explain(store: Store, paper_id: str) -> dict[str, Any]:
    """Everything stored about one paper: ``{"paper", "mentions", "edges", "domains"}``.

    ``mentions`` are in text order, each with its sentence, rule, confidence, the entity it was
    linked to and the edge it supports (``None`` with ``note`` saying why when it was dropped).
    ``domains`` carry the evidence that chose them (``why``: words found, ``arXiv`` categories).
    """
    paper = store.get_paper(paper_id)
    if paper is None:
        raise PaperNotFound(paper_id, [])
    names: dict[str, dict[str, Any] | None] = {}

    def entity(eid: str) -> dict[str, Any] | None:
        if eid not in names:
            names[eid] = store.entity(eid)
        return names[eid]

    edges = [dict(r) for r in store.conn.execute(
        'SELECT rel, target, sentence, start, "end", field, rule, confidence, count FROM edges '
        "WHERE paper_id=? ORDER BY rel, confidence DESC, target", (paper.id,))]
    edge_rel = {e["target"]: e["rel"] for e in edges}
    mentions = []
    # text order: the title, then the abstract (the extractor numbers some mentions later)
    rows = sorted(store.mentions_of(paper.id),
                  key=lambda m: (m["field"] != "title", m["start"], m["seq"]))
    for m in rows:
        eid = m["entity_id"]
        ent = entity(eid) if eid else None
        mentions.append({
            "text": m["text"], "field": m["field"], "start": m["start"], "end": m["end"],
            "type": m["type"], "role": m["role"], "rule": m["rule"],
            "confidence": m["confidence"], "sentence": m["sentence"],
            "entity": eid, "entity_name": ent["name"] if ent else None,
            "edge": edge_rel.get(eid) if eid else None,
            "note": m["note"] or (None if eid else "not linked to an entity")})
    domains, out_edges = [], []
    for e in edges:
        ent = entity(e["target"])
        name = ent["name"] if ent else e["target"]
        if e["rel"] == RelType.IN_DOMAIN.value:
            why = [w.strip() for w in (e["sentence"] or "").split("; ") if w.strip()]
            domains.append({"id": e["target"], "name": name, "top": (ent or {}).get("top"),
                            "score": e["confidence"], "why": why})
        else:
            out_edges.append({"relation": e["rel"], "target": e["target"], "name": name,
                              "type": ent["type"] if ent else None, "count": e["count"],
                              "rule": e["rule"], "confidence": e["confidence"],
                              "sentence": e["sentence"]})
    domains.sort(key=lambda d: (-(d["score"] or 0.0), d["id"]))
    record = {"id": paper.id, "title": paper.title, "year": paper.year, "date": paper.date,
              "arxiv_id": paper.arxiv_id, "doi": paper.doi, "authors": list(paper.authors),
              "categories": list(paper.categories), "code_urls": list(paper.code_urls),
              "source": paper.source, "abstract": paper.abstract}
    return {"paper": record, "mentions": mentions, "edges": out_edges, "domains": domains}


def explanation_lines(exp: dict[str, Any], *, abstract: bool = False) -> Iterator[str]:
    """The text form of :func:`explain`'s result, line by line."""
    p = exp["paper"]
    yield f"Paper {p['title']}  [{p['id']}]"
    for key in ("year", "date", "arxiv_id", "doi", "source"):
        if p[key]:
            yield f"  {key + ':':<11} {p[key]}"
    for key in ("authors", "categories", "code_urls"):
        if p[key]:
            yield f"  {key + ':':<11} {'; '.join(p[key])}"
    if abstract:
        yield f"  abstract:   {p['abstract']}"
    yield ""
    yield f"Domains ({len(exp['domains'])})"
    for d in exp["domains"]:
        yield f"  {d['name']}  [{d['id']}]  score {d['score']}"
        yield f"      because: {', '.join(d['why']) or '(no evidence recorded)'}"
    yield ""
    ms = exp["mentions"]
    linked = sum(1 for m in ms if m["entity"])
    yield f"Mentions ({len(ms)}, {linked} linked), by sentence"
    last = None
    for m in ms:
        if (m["field"], m["sentence"]) != last:
            last = (m["field"], m["sentence"])
            yield f"  {m['field']}: \"{' '.join(m['sentence'].split())}\""
        target = (f"-> {m['edge'] or m['role']} {m['entity_name']} [{m['entity']}]" if m["entity"]
                  else f"-> dropped: {m['note']}")
        yield (f"    [{m['start']}:{m['end']}] {m['type']} \"{m['text']}\"  {target}  "
               f"({m['rule']}, {m['confidence']})")
    yield ""
    yield f"Edges ({len(exp['edges'])})"
    for e in exp["edges"]:
        meta = ", ".join(x for x in (f"{e['count']}x" if e["count"] > 1 else "",
                                     f"{e['rule']}, {e['confidence']}" if e["rule"] else "") if x)
        yield f"  {e['relation']:<13} {e['type'] or '?'}: {e['name']}" + (f"  [{meta}]" if meta else "")


@click.command("explain")
@click.argument("paper")
@click.option("--store", "store_path", type=click.Path(file_okay=False), default="kg-store",
              envvar="KG_STORE", show_default=True, show_envvar=True,
              help="Directory of the embedded graph store.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
@click.option("--abstract", is_flag=True, help="Print the abstract too (text format).")
def explain_command(paper: str, store_path: str, fmt: str, abstract: bool) -> None:
    """Show a paper's record and everything extracted from it, with the evidence.

    PAPER is a paper id, an arXiv id or words of the title. Every mention is listed with its
    sentence, the rule that fired, its confidence and the entity and edge it became (or why it
    was dropped); every domain with the words and arXiv categories that chose it.

    \b
    Example:
      kg explain 2510.08589
      kg explain "flow-based deep network pan-sharpening" --format json
    """
    from kg.store import Store

    with Store.open(store_path) as store:
        found = find_paper(store, paper)
        exp = explain(store, found.id)
    if fmt == "json":
        click.echo(json.dumps(exp, indent=2, ensure_ascii=False))
        return
    for line in explanation_lines(exp, abstract=abstract):
        click.echo(line)


COMMANDS = [explain_command]
