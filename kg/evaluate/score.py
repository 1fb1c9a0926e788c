"""Scoring kg's extraction against gold: plain functions over :class:`GoldDoc` and mentions.

Entity-level, per document, micro-averaged over documents:

* a predicted entity is kg's mentions of one type with one key (:attr:`Mention.key`); its
  surfaces are the normalised (:func:`canonical_key`) mention texts and the key;
* **strict**: it matches a gold entity of the same type when one of its surfaces equals the
  normalised name, an alias or a mention of the gold entity;
* **lenient**: a strict match, or one of its mention spans overlaps one of the gold entity's
  spans by at least one character.

Each gold and each predicted entity is matched at most once (a maximum bipartite matching),
so precision is ``matched / predicted`` and recall ``matched / gold``. Role accuracy is counted
on strict matches where the gold has roles; domain accuracy on documents with gold domains.
"""

from __future__ import annotations

import re
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kg.evaluate.gold import SEPARATOR, TYPES, GoldDoc, GoldEntity
from kg.link.normalize import canonical_key
from kg.model import Mention, Paper

if TYPE_CHECKING:
    from kg.extract.pipeline import PaperExtraction

__all__ = [
    "PredEntity", "TypeCounts", "DocResult", "predicted_entities", "match", "score_doc",
    "summarize", "error_listing", "evaluate", "prf", "domain_label", "sentence_around",
]

Span = tuple[int, int]
_PROPOSED = {"Method": "PROPOSES", "Dataset": "INTRODUCES"}
_NOT_PROPOSED = {"Method": "USES", "Dataset": "EVALUATES_ON"}


@dataclass(frozen=True)
class PredEntity:
    """kg's mentions of one type and key in one document, as one entity.

    ``spans`` index :attr:`GoldDoc.full_text`; ``role`` is ``PROPOSES``/``USES`` (methods),
    ``INTRODUCES``/``EVALUATES_ON`` (datasets) or ``ADDRESSES``.
    """

    type: str
    key: str
    surfaces: tuple[str, ...]
    keys: frozenset[str]
    spans: tuple[Span, ...]
    role: str
    sentence: str = ""
    rule: str = ""


@dataclass
class TypeCounts:
    """Counts for one type (one document, or summed over many)."""

    gold: int = 0
    predicted: int = 0
    tp_strict: int = 0
    tp_lenient: int = 0
    role_correct: int = 0
    role_total: int = 0

    def add(self, other: TypeCounts) -> None:
        for name in vars(self):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class DocResult:
    """The score of one document, with what went wrong (for :func:`error_listing`)."""

    doc_id: str
    counts: dict[str, TypeCounts]
    false_positives: list[tuple[str, str, str]] = field(default_factory=list)  # type, text, sentence
    false_negatives: list[tuple[str, str, str]] = field(default_factory=list)
    role_errors: list[tuple[str, str, str, str, str]] = field(default_factory=list)  # +gold, pred
    domain_first: bool | None = None
    domain_any: bool | None = None
    domains_gold: tuple[str, ...] = ()
    domains_pred: tuple[str, ...] = ()


def _norm(text: str) -> str:
    return canonical_key(text) or text.strip().lower()


def predicted_entities(mentions: Iterable[Mention], title: str) -> list[PredEntity]:
    """Group a paper's mentions into entities by (type, key); spans into the gold full text.

    Mentions of types other than Method, Dataset and Task are ignored. An entity is proposed
    (introduced) when any of its mentions is.
    """
    offset = len(title) + len(SEPARATOR) if title else 0
    groups: dict[tuple[str, str], list[Mention]] = {}
    for m in mentions:
        kind = getattr(m.type, "value", str(m.type))
        if kind in TYPES:
            groups.setdefault((kind, m.key or _norm(m.text)), []).append(m)
    out = []
    for (kind, key), ms in groups.items():
        roles = {getattr(m.role, "value", str(m.role)) for m in ms}
        role = _PROPOSED.get(kind, "ADDRESSES") if roles & {"PROPOSES", "INTRODUCES"} \
            else _NOT_PROPOSED.get(kind, "ADDRESSES")
        spans = tuple(sorted((m.start, m.end) if m.field == "title"
                             else (m.start + offset, m.end + offset) for m in ms))
        surfaces = tuple(dict.fromkeys(m.text for m in ms))
        keys = frozenset({key, *(_norm(s) for s in surfaces)})
        out.append(PredEntity(kind, key, surfaces, keys, spans, role, ms[0].sentence, ms[0].rule))
    return out


def _overlaps(a: Sequence[Span], b: Sequence[Span]) -> bool:
    return any(s < e2 and s2 < e for s, e in a for s2, e2 in b)


def match(gold: Sequence[GoldEntity], pred: Sequence[PredEntity],
          lenient: bool = False) -> list[tuple[int, int]]:
    """A maximum one-to-one matching ``[(gold index, pred index)]`` of one type's entities.

    >>> g = [GoldEntity("Method", "DPO", ("Direct Preference Optimization", "DPO"))]
    >>> p = [PredEntity("Method", "dpo", ("DPO",), frozenset({"dpo"}), ((0, 3),), "USES")]
    >>> match(g, p)
    [(0, 0)]
    """
    gkeys = [{_norm(s) for s in g.surfaces} for g in gold]
    edges = [[j for j, p in enumerate(pred)
              if p.type == g.type and (gk & p.keys or (lenient and _overlaps(g.spans, p.spans)))]
             for g, gk in zip(gold, gkeys)]
    owner: dict[int, int] = {}

    def augment(i: int, seen: set[int]) -> bool:
        for j in edges[i]:
            if j in seen:
                continue
            seen.add(j)
            if j not in owner or augment(owner[j], seen):
                owner[j] = i
                return True
        return False

    for i in range(len(gold)):
        augment(i, set())
    return sorted((i, j) for j, i in owner.items())


_OTHER = re.compile(r"^other\b.*$", re.IGNORECASE)


def domain_label(label: str) -> str:
    """Comparable form of a domain label: lower case, ``other (xyz)`` -> ``other``.

    >>> domain_label("Other (legal AI)"), domain_label("Computer Vision ")
    ('other', 'computer vision')
    """
    low = " ".join(label.lower().split())
    return "other" if _OTHER.match(low) else low


_SENT_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9(\"'])|\n+")


def sentence_around(text: str, start: int, end: int) -> str:
    """The sentence of ``text`` holding ``[start, end)``, by a simple punctuation rule.

    >>> sentence_around("First one. We use DPO here. Last.", 18, 21)
    'We use DPO here.'
    """
    left, right = 0, len(text)
    for m in _SENT_END.finditer(text):
        if m.end() <= start:
            left = m.end()
        elif m.start() >= end:
            right = m.start()
            break
    return text[left:right].strip()


def score_doc(doc: GoldDoc, preds: Sequence[PredEntity],
              domains_pred: Sequence[str] = ()) -> DocResult:
    """Counts, errors and domain hits for one document."""
    result = DocResult(doc.id, {t: TypeCounts() for t in TYPES})
    full = doc.full_text
    for kind in TYPES:
        gold = [e for e in doc.entities if e.type == kind]
        pred = [p for p in preds if p.type == kind]
        strict = match(gold, pred)
        c = result.counts[kind]
        c.gold, c.predicted, c.tp_strict = len(gold), len(pred), len(strict)
        c.tp_lenient = len(match(gold, pred, lenient=True))
        matched_g = {i for i, _ in strict}
        matched_p = {j for _, j in strict}
        for j, p in enumerate(pred):
            if j not in matched_p:
                result.false_positives.append((kind, p.surfaces[0], p.sentence))
        for i, g in enumerate(gold):
            if i not in matched_g:
                where = sentence_around(full, *g.spans[0]) if g.spans else ""
                result.false_negatives.append((kind, g.name, where))
        if doc.has_roles and kind in _PROPOSED:
            for i, j in strict:
                if gold[i].role is None:
                    continue
                c.role_total += 1
                if gold[i].role == pred[j].role:
                    c.role_correct += 1
                else:
                    result.role_errors.append((kind, gold[i].name, gold[i].role, pred[j].role,
                                               pred[j].sentence))
    if doc.domains:
        gold_d = {domain_label(d) for d in doc.domains}
        tops = [domain_label(t) for t in dict.fromkeys(domains_pred)]
        result.domain_first = bool(tops) and tops[0] in gold_d
        result.domain_any = any(t in gold_d for t in tops)
        result.domains_gold, result.domains_pred = tuple(doc.domains), tuple(domains_pred)
    return result


def prf(tp: int, predicted: int, gold: int) -> dict[str, float]:
    """Precision, recall and F1 (0.0 where undefined).

    >>> prf(1, 2, 4)
    {'precision': 0.5, 'recall': 0.25, 'f1': 0.3333}
    """
    p = tp / predicted if predicted else 0.0
    r = tp / gold if gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4)}


def summarize(results: Iterable[DocResult], types: Sequence[str] = TYPES) -> dict[str, Any]:
    """Micro-averaged figures: ``{"docs", "types": {type: {...}}, "domains"}``.

    Each type maps to ``strict`` and ``lenient`` (precision, recall, f1, tp), ``support``
    (gold entities), ``predicted``, ``role_accuracy`` (None without role gold) and ``role_n``.
    Types the gold never annotates (no support) are left out. ``domains`` is None without
    domain gold, else ``{"first", "any", "n"}``.
    """
    totals = {t: TypeCounts() for t in TYPES}
    docs = first = any_ = n_dom = 0
    for r in results:
        docs += 1
        for t, c in r.counts.items():
            totals[t].add(c)
        if r.domain_first is not None:
            n_dom += 1
            first += bool(r.domain_first)
            any_ += bool(r.domain_any)
    out: dict[str, Any] = {"docs": docs, "types": {}, "domains": None}
    for t in types:
        c = totals[t]
        if not c.gold:
            continue
        out["types"][t] = {
            "strict": {**prf(c.tp_strict, c.predicted, c.gold), "tp": c.tp_strict},
            "lenient": {**prf(c.tp_lenient, c.predicted, c.gold), "tp": c.tp_lenient},
            "support": c.gold, "predicted": c.predicted,
            "role_accuracy": round(c.role_correct / c.role_total, 4) if c.role_total else None,
            "role_n": c.role_total,
        }
    if n_dom:
        out["domains"] = {"first": round(first / n_dom, 4), "any": round(any_ / n_dom, 4),
                          "n": n_dom}
    return out


def error_listing(results: Iterable[DocResult], n: int = 10,
                  types: Sequence[str] = TYPES) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """The ``n`` most frequent false positives and negatives per type, and role errors.

    Errors are counted by normalised surface over all documents; each keeps one example
    sentence. Returns ``{type: {"fp": [...], "fn": [...], "role": [...]}}`` where each item is
    ``{"text", "count", "sentence"}`` (role items also ``gold`` and ``predicted``).
    """
    fp: dict[str, Counter[str]] = {t: Counter() for t in types}
    fn: dict[str, Counter[str]] = {t: Counter() for t in types}
    role: dict[str, Counter[str]] = {t: Counter() for t in types}
    example: dict[tuple[str, str, str], tuple[str, ...]] = {}
    for r in results:
        for kind, text, sent in r.false_positives:
            if kind in fp:
                fp[kind][_norm(text)] += 1
                example.setdefault(("fp", kind, _norm(text)), (text, sent))
        for kind, text, sent in r.false_negatives:
            if kind in fn:
                fn[kind][_norm(text)] += 1
                example.setdefault(("fn", kind, _norm(text)), (text, sent))
        for kind, text, gold_role, pred_role, sent in r.role_errors:
            if kind in role:
                role[kind][_norm(text)] += 1
                example.setdefault(("role", kind, _norm(text)), (text, sent, gold_role, pred_role))

    def items(which: str, kind: str, counter: Counter[str]) -> list[dict[str, Any]]:
        out = []
        for key, count in counter.most_common(n):
            ex = example[(which, kind, key)]
            item: dict[str, Any] = {"text": ex[0], "count": count, "sentence": ex[1]}
            if which == "role":
                item.update(gold=ex[2], predicted=ex[3])
            out.append(item)
        return out

    return {t: {"fp": items("fp", t, fp[t]), "fn": items("fn", t, fn[t]),
                "role": items("role", t, role[t])} for t in types}


def evaluate(docs: Iterable[GoldDoc],
             extract: Callable[[Iterable[Paper]], Iterable[PaperExtraction]]) -> Iterator[DocResult]:
    """Run ``extract`` (e.g. ``Extractor().extract``) on the gold texts and score each doc.

    Each document becomes a :class:`Paper` with the gold title (empty for sentence- or
    abstract-level gold) and the gold text as abstract; papers stream through ``extract``.
    """
    pending: deque[GoldDoc] = deque()

    def papers() -> Iterator[Paper]:
        for d in docs:
            pending.append(d)
            yield Paper(id=d.id, title=d.title, abstract=d.text, categories=d.categories)

    for ext in extract(papers()):
        doc = pending.popleft()
        preds = predicted_entities(ext.mentions, doc.title)
        yield score_doc(doc, preds, [s.top for s in ext.domains])
