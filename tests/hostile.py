"""A small store of hostile names for the Neo4j/FalkorDB exporters' tests.

Ids, names, aliases, titles, authors and evidence sentences hold quotes, backticks, braces,
``//``, backslash escapes, line breaks, right-to-left marks, Cypher keywords and one string
over several Bolt messages long. Left out: NUL (FalkorDB ends strings at NUL) and ids with
edge whitespace or over 4 KB (see :func:`kg.export.rows.falkordb_key_problem`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kg.schema import RELATIONS, NodeType
from kg.store import Store

__all__ = ["HOSTILE", "write_hostile_store", "write_pairs_store"]

HOSTILE = [
    "it's a \"quoted\" name", "`backticks` and ``doubled``", "{braces} and {{x}} $param",
    "slashes // not a comment /* nor this */", "back\\slash \\n \\' \\\" \\u0041 \\b",
    "new\nline\ttab\r\n", "'; MATCH (n) DETACH DELETE n; //", "x` DETACH DELETE n //",
    "漢字 Ελληνικά 🧪 \u202egnirts", "CYPHER rows=[] RETURN 1",
    "long " + "\"'`{}//\\ " * 700,  # over one Bolt message: written in pieces
]


def write_hostile_store(path: Path, strings: list[str] = HOSTILE) -> Path:
    """Write a store at ``path``: one paper and one entity per string, joined by an edge."""
    from kg.model import Entity, Paper

    types = [NodeType.METHOD, NodeType.DATASET, NodeType.TASK, NodeType.CODE]
    entities = [Entity(f"{t.value.lower()}/{i}-{s[:300].strip()}", t, s,
                       tuple(h for h in strings if h != s)[:3],
                       {"url": f"https://example.org/{s}"} if t is NodeType.CODE else {})
                for i, s in enumerate(strings) for t in [types[i % len(types)]]]
    papers = [Paper(id=f"paper/{i}-{s[:300].strip()}", title=s, abstract=s[::-1],
                    date="2024-02-29", year=2024, authors=(s[:200], "A. Author"),
                    categories=(s[:100], "cs.LG"), source=s)
              for i, s in enumerate(strings)]
    return write_pairs_store(path, entities, papers)


def write_pairs_store(path: Path, entities: list[Any], papers: list[Any]) -> Path:
    """Write a store at ``path`` by hand: the entities, and each paper joined to the entity at
    its position by one edge whose sentence is the entity's name."""
    from kg.link.resolve import LinkedPaper
    from kg.model import Edge

    store = Store.open(path, create=True)
    with store.transaction():
        store.put_static(entities, [])
        for paper, ent in zip(papers, entities, strict=True):
            rel = next(r.type for r in RELATIONS if r.target is ent.type)
            edge = Edge(paper.id, rel, ent.id, ent.name, 0, 7, "abstract", ent.name[:20], 0.5, 3)
            store.write_paper(paper, "h", LinkedPaper((), (), (), (), (edge,)))
    store.close()
    return path
