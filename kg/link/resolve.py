"""Per-paper linking: what one paper contributes to resolution, and its non-mention edges.

Within a paper, mentions that share a canonical key (an abbreviation and its long form,
case/plural/hyphen variants) name one entity whose id is ``<type>/<slug of key>``; the same
key in another paper gives the same id. Bare abbreviations (used but not defined here) are
flagged so that the store can resolve them against the corpus's alias table
(:mod:`kg.link.aliases`).
"""

from __future__ import annotations

from dataclasses import dataclass

from kg.extract.abbreviations import is_short_form
from kg.extract.pipeline import PaperExtraction
from kg.model import Edge, Entity, Mention
from kg.schema import NodeType, RelType, make_id, slugify

__all__ = ["LinkedPaper", "link_paper", "entity_id_for", "bare_abbreviation", "ROLE_RANK"]


@dataclass(frozen=True)
class LinkedPaper:
    """Everything the store writes for one paper.

    ``mentions`` keep their per-paper canonical key; the store resolves them to entities
    against the whole corpus (:mod:`kg.link.aliases`) and derives the evidence edges.
    ``abbreviations`` are the typed pairs this paper defines: (short, type, long key).
    """

    mentions: tuple[Mention, ...]
    bare: tuple[str | None, ...]  # per mention: the bare abbreviation it is, if any
    abbreviations: tuple[tuple[str, str, str, str], ...]  # (short, type, long key, long text)
    entities: tuple[Entity, ...]  # nodes not named by mentions: code repositories, authors
    edges: tuple[Edge, ...]  # edges not derived from mentions: domains, code, authors


def entity_id_for(node_type: NodeType, key: str) -> str:
    """The entity id of a canonical key, e.g. ``method/direct-preference-optimization``."""
    return make_id(node_type, key)


def bare_abbreviation(m: Mention) -> str | None:
    """The abbreviation a mention is when its own paper does not define it, else None.

    >>> from kg.model import Mention
    >>> m = Mention("p", "DPO", 0, 3, "abstract", NodeType.METHOD, RelType.USES, "coined-name", 0.6, "s", "dpo")
    >>> bare_abbreviation(m)
    'DPO'
    """
    if m.short_form is not None or " " in m.text:
        return None
    text = m.text[:-1] if m.text.endswith("s") and is_short_form(m.text[:-1]) else m.text
    if is_short_form(text) and sum(c.isupper() for c in text) >= 2:
        return text  # "DPO", "NeSy", "PaI": what another abstract may spell out
    return None


def link_paper(ex: PaperExtraction) -> LinkedPaper:
    """Mentions, abbreviations and non-mention nodes and edges of one extracted paper."""
    paper = ex.paper
    mentions: list[Mention] = []
    for m in ex.mentions:
        if slugify(m.key):  # a key with no letters or digits names nothing
            mentions.append(m)
    long_text = {k: m.text for m in mentions if m.rule.startswith("abbreviation") and m.short_form is None
                 for k in (m.key,)}
    pairs = sorted({(m.short_form, m.type.value, m.key, long_text.get(m.key, ""))
                    for m in mentions if m.short_form})
    entities: list[Entity] = []
    edges: list[Edge] = []
    for d in ex.domains:
        edges.append(Edge(paper.id, RelType.IN_DOMAIN, d.domain_id, "; ".join(d.explanation),
                          None, None, "categories+text", "domain-classifier", d.score, 1))
    for url in paper.code_urls:
        cid = make_id(NodeType.CODE, url.split("://", 1)[-1])
        entities.append(Entity(cid, NodeType.CODE, url.split("://", 1)[-1], (), {"url": url}))
        pos = paper.abstract.find(url)
        edges.append(Edge(paper.id, RelType.HAS_CODE, cid,
                          paper.abstract if pos < 0 else _sentence_at(paper.abstract, pos),
                          pos if pos >= 0 else None, pos + len(url) if pos >= 0 else None,
                          "abstract", "code-url", 0.99, 1))
    for name in dict.fromkeys(paper.authors):
        if not slugify(name):
            continue
        aid = make_id(NodeType.AUTHOR, name)
        entities.append(Entity(aid, NodeType.AUTHOR, name))
        edges.append(Edge(paper.id, RelType.AUTHORED_BY, aid))
    return LinkedPaper(tuple(mentions), tuple(bare_abbreviation(m) for m in mentions),
                       tuple(p for p in pairs if p[0]), tuple(entities),
                       tuple(_dedupe_edges(edges)))


# When one paper names a thing both as proposed and as used (the rules disagree), the
# stronger claim wins: a paper that proposes X does not also "use" X.
ROLE_RANK = {RelType.PROPOSES.value: 0, RelType.INTRODUCES.value: 0, RelType.USES.value: 1,
             RelType.EVALUATES_ON.value: 1, RelType.ADDRESSES.value: 1}


def _dedupe_edges(edges: list[Edge]) -> list[Edge]:
    seen: dict[tuple[str, RelType, str], Edge] = {}
    for e in edges:
        seen.setdefault((e.source, e.type, e.target), e)
    return list(seen.values())


def _sentence_at(text: str, pos: int) -> str:
    start = max(text.rfind(". ", 0, pos) + 2, 0)
    end = text.find(". ", pos)
    return text[start:len(text) if end < 0 else end + 1].strip()
