"""Domain assignment: 1-3 domains per paper from the SKOS taxonomy, with an explanation.

Evidence is the taxonomy's labels and cue words (``skos:prefLabel``, ``altLabel``,
``hiddenLabel``) found in the title (weighted up) and abstract, plus the record's arXiv
categories (the primary category weighted up). Scores add up per top concept; a paper gets
its best top concept, and the next ones when they reach a share of the best score.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from kg.extract.lexicon import Concept, load_taxonomy
from kg.extract.tokens import view
from kg.model import DomainScore

__all__ = ["DomainClassifier"]

TITLE_WEIGHT = 2.0
TEXT_CAP = 6.0  # wording alone never outweighs two strong arXiv categories
PRIMARY_CATEGORY_WEIGHT = 3.5
OTHER_CATEGORY_WEIGHT = 1.5
WEAK_CATEGORY_WEIGHT = 0.5
SECOND_SHARE = 0.5  # a second or third domain needs this share of the best score
MAX_DOMAINS = 3
#: Domains listed before a broader neighbour whenever both are assigned: the guidelines put the
#: most specific domain first ("medical imaging" before "healthcare and medicine").
SPECIFIC_FIRST: dict[str, frozenset[str]] = {
    "medical imaging": frozenset({"healthcare and medicine"}),
    "brain-computer interfaces": frozenset({"neuroscience", "healthcare and medicine"}),
    "remote sensing and earth observation": frozenset({"computer vision"}),
}


def _is_acronym(label: str) -> bool:
    letters = [c for c in label if c.isalpha()]
    return len(letters) >= 2 and sum(c.isupper() for c in letters) >= 2 and " " not in label


def _specific_first(ranked: list[DomainScore]) -> list[DomainScore]:
    """Move each specific domain just before the broader neighbour it outranks by definition."""
    out = list(ranked)
    for i, d in enumerate(ranked):
        general = SPECIFIC_FIRST.get(d.top, frozenset())
        first = next((k for k, e in enumerate(out) if e.top in general), None)
        here = out.index(d)
        if first is not None and first < here:
            out.insert(first, out.pop(here))
    return out


def _plural(phrase: str) -> tuple[str, ...]:
    """The phrase and its regular plural ("MRI" -> "MRIs", "knowledge graph" -> "... graphs").

    >>> _plural("MRI"), _plural("knowledge graph"), _plural("genomics")
    (('MRI', 'MRIs'), ('knowledge graph', 'knowledge graphs'), ('genomics',))
    """
    last = phrase.split()[-1] if phrase.split() else phrase
    if not last[-1:].isalpha() or last.lower().endswith(("s", "x", "y", "ing", "ed")) \
            or any(c.isdigit() for c in last):
        return (phrase,)
    return (phrase, phrase + "s")


class DomainClassifier:
    """Scores a doc against the taxonomy. Build once per ``nlp``; call per paper."""

    def __init__(self, nlp: Language, taxonomy: dict[str, Concept] | None = None) -> None:
        self.taxonomy = taxonomy if taxonomy is not None else load_taxonomy()
        # acronyms ("NLP", "EEG") match case-sensitively, other labels in any case
        self.matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.acronyms = PhraseMatcher(nlp.vocab, attr="ORTH")
        self._key_concept: dict[int, str] = {}
        for cid, concept in self.taxonomy.items():
            phrases = sorted(p for p in {concept.name, *concept.labels, *concept.cues} if p.strip())
            key = nlp.vocab.strings.add(cid)
            self._key_concept[key] = cid
            # plurals match too: "Brain MRIs", "knowledge graphs"
            exact = [nlp.make_doc(v) for p in phrases if _is_acronym(p) for v in _plural(p)]
            other = [nlp.make_doc(v) for p in phrases if not _is_acronym(p) for v in _plural(p)]
            if exact:
                self.acronyms.add(cid, exact)
            if other:
                self.matcher.add(cid, other)
        self.by_category: dict[str, list[tuple[str, float]]] = defaultdict(list)
        for cid, concept in self.taxonomy.items():
            for cat in concept.arxiv:
                self.by_category[cat].append((cid, 1.0))
            for cat in concept.arxiv_weak:
                self.by_category[cat].append((cid, WEAK_CATEGORY_WEIGHT))
        self.other_id = next((c.id for c in self.taxonomy.values()
                              if c.name == "other" and c.broader is None), None)

    def classify(self, doc: Doc, title_end_char: int,
                 categories: Sequence[str] = ()) -> list[DomainScore]:
        """Domains of one paper, best first (at most three)."""
        scores: dict[str, float] = defaultdict(float)  # per top concept
        specific: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
        why: dict[str, list[str]] = defaultdict(list)
        seen_spans: set[tuple[int, int]] = set()
        text_phrases: dict[str, dict[str, float]] = defaultdict(dict)
        v = view(doc)
        for key, start, end in [*self.matcher(doc), *self.acronyms(doc)]:
            if (start, end) in seen_spans:
                continue
            seen_spans.add((start, end))
            concept = self.taxonomy[self._key_concept[key]]
            text = v.span(start, end)
            w = TITLE_WEIGHT if v.idx[start] < title_end_char else 1.0
            phrase = text.lower()
            # a phrase counts once per paper (its best weight): repetition is not evidence
            if w > text_phrases[concept.top_id].get(phrase, 0.0):
                text_phrases[concept.top_id][phrase] = w
            specific[concept.top_id][concept.id] += w
            why[concept.top_id].append(f"'{text}'")
        for top_id, phrases in text_phrases.items():
            scores[top_id] += min(sum(phrases.values()), TEXT_CAP)
        for n, cat in enumerate(categories):
            for cid, weight in self.by_category.get(cat, ()):
                concept = self.taxonomy[cid]
                w = weight * (PRIMARY_CATEGORY_WEIGHT if n == 0 else OTHER_CATEGORY_WEIGHT)
                scores[concept.top_id] += w
                specific[concept.top_id][concept.id] += w
                why[concept.top_id].append(f"arXiv {cat}")
        if not scores:
            if self.other_id is None:
                return []
            c = self.taxonomy[self.other_id]
            return [DomainScore(c.id, c.name, c.top, 0.0, ("no domain evidence",))]
        ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
        best = ranked[0][1]
        out = []
        for top_id, score in ranked[:MAX_DOMAINS]:
            if score < best * SECOND_SHARE:
                break
            # the most specific concept under this top that has evidence, else the top itself
            spec = sorted(specific[top_id].items(), key=lambda kv: (-kv[1], kv[0]))
            narrow = [cid for cid, _ in spec if cid != top_id]
            cid = narrow[0] if narrow else top_id
            c = self.taxonomy[cid]
            expl = tuple(dict.fromkeys(why[top_id]))
            out.append(DomainScore(c.id, c.name, c.top, round(score / (best + 1.0), 3), expl))
        return _specific_first(out)
