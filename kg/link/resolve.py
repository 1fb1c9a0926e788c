"""From one paper's mentions to typed entities and evidence-keeping edges.

Within a paper, mentions that share a canonical key (an abbreviation and its long form,
case/plural/hyphen variants) become one entity whose id is ``<type>/<slug of key>``; the same
key in another paper gives the same id, so the store merges them. Each Paper->entity edge
keeps the evidence of its most confident mention and the number of mentions behind it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace

from kg.extract.pipeline import PaperExtraction
from kg.model import Edge, Entity, Mention
from kg.schema import NodeType, RelType, make_id, slugify

__all__ = ["LinkedPaper", "link_paper", "entity_id_for"]


@dataclass(frozen=True)
class LinkedPaper:
    """Everything the store writes for one paper."""

    entities: tuple[Entity, ...]
    edges: tuple[Edge, ...]
    mentions: tuple[Mention, ...]  # ``key`` replaced by the entity id
    surfaces: tuple[tuple[str, str, str, int], ...]  # (entity id, surface, kind, count)


def entity_id_for(node_type: NodeType, key: str) -> str:
    """The entity id of a canonical key, e.g. ``method/direct-preference-optimization``."""
    return make_id(node_type, key)


# When one paper names a thing both as proposed and as used (the rules disagree), the
# stronger claim wins: a paper that proposes X does not also "use" X.
_ROLE_RANK = {RelType.PROPOSES: 0, RelType.INTRODUCES: 0, RelType.USES: 1,
              RelType.EVALUATES_ON: 1, RelType.ADDRESSES: 1}


def link_paper(ex: PaperExtraction) -> LinkedPaper:
    """Entities, edges, mentions and surface forms for one extracted paper."""
    paper = ex.paper
    by_entity: dict[str, list[Mention]] = defaultdict(list)
    mentions: list[Mention] = []
    for m in ex.mentions:
        try:
            eid = entity_id_for(m.type, m.key)
        except ValueError:
            continue  # a key with no letters or digits names nothing
        m2 = replace(m, key=eid)
        mentions.append(m2)
        by_entity[eid].append(m2)
    entities: list[Entity] = []
    edges: list[Edge] = []
    surfaces: list[tuple[str, str, str, int]] = []
    for eid, ms in sorted(by_entity.items()):
        role = min((m.role for m in ms), key=lambda r: _ROLE_RANK[r])
        best = max(ms, key=lambda m: (m.role == role, m.confidence, -m.start))
        names: dict[tuple[str, str], int] = defaultdict(int)
        for m in ms:
            kind = "short" if m.short_form is not None and m.text.rstrip("s") == m.short_form else (
                "long" if m.rule == "abbreviation" else "plain")
            names[(m.text, kind)] += 1
        props = {"gazetteer_id": best.gazetteer_id} if best.gazetteer_id else {}
        entities.append(Entity(eid, ms[0].type, best.text, (), props))
        surfaces += [(eid, s, k, n) for (s, k), n in sorted(names.items())]
        edges.append(Edge(paper.id, role, eid, best.sentence, best.start, best.end, best.field,
                          best.rule, best.confidence, len(ms)))
    for d in ex.domains:
        expl = "; ".join(d.explanation)
        edges.append(Edge(paper.id, RelType.IN_DOMAIN, d.domain_id, expl, None, None,
                          "categories+text", "domain-classifier", d.score, 1))
    for url in paper.code_urls:
        cid = make_id(NodeType.CODE, url.split("://", 1)[-1])
        entities.append(Entity(cid, NodeType.CODE, url.split("://", 1)[-1], (), {"url": url}))
        pos = paper.abstract.find(url)
        edges.append(Edge(paper.id, RelType.HAS_CODE, cid,
                          paper.abstract if pos < 0 else _sentence_at(paper.abstract, pos),
                          pos if pos >= 0 else None, pos + len(url) if pos >= 0 else None,
                          "abstract", "code-url", 0.99, 1))
        surfaces.append((cid, url, "plain", 1))
    for name in dict.fromkeys(paper.authors):
        if not slugify(name):
            continue
        aid = make_id(NodeType.AUTHOR, name)
        entities.append(Entity(aid, NodeType.AUTHOR, name))
        edges.append(Edge(paper.id, RelType.AUTHORED_BY, aid))
        surfaces.append((aid, name, "plain", 1))
    return LinkedPaper(tuple(entities), tuple(_dedupe_edges(edges)), tuple(mentions),
                       tuple(surfaces))


def _dedupe_edges(edges: list[Edge]) -> list[Edge]:
    seen: dict[tuple[str, RelType, str], Edge] = {}
    for e in edges:
        seen.setdefault((e.source, e.type, e.target), e)
    return list(seen.values())


def _sentence_at(text: str, pos: int) -> str:
    start = max(text.rfind(". ", 0, pos) + 2, 0)
    end = text.find(". ", pos)
    return text[start:len(text) if end < 0 else end + 1].strip()
