"""The extractor: ``spacy.blank("en")`` plus kg's rules, from Paper to Mentions and domains.

Title and abstract are read as one ``Doc`` (title, a paragraph break, abstract) so that an
abbreviation defined in the abstract also resolves in the title; offsets are mapped back to
the field they came from. Papers stream through ``nlp.pipe(..., as_tuples=True)``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import spacy
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import compile_infix_regex

from kg.extract.candidates import (
    Abbreviation, Candidate, acronyms, coined_names, find_abbreviations, head_phrases, naming_cue,
    dataset_lists, method_extensions, method_lists, proposal_cue, resolve_overlaps, task_lists,
    task_phrases, title_colon, title_phrases,
)
from kg.extract.domains import DomainClassifier
from kg.extract.lexicon import Concept, GazetteerEntry, Lexicon, load_lexicon
from kg.extract.rules import (
    COMPARISON_CUES, INTRO_DATA_CUES, PROPOSAL_CUES, STOP_MODIFIERS, head_type, is_acronym,
    is_coined,
)
from kg.extract.tokens import view
from kg.link.normalize import canonical_key, fold_text, singularize, squash
from kg.model import DomainScore, Mention, Paper
from kg.schema import NodeType, RelType

__all__ = ["Extractor", "PaperExtraction", "EXTRACTOR_VERSION"]

#: Bump when extraction output changes, so stores know their papers need re-extraction.
EXTRACTOR_VERSION = "7"
SEPARATOR = "\n\n"
#: Chunks (whitespace-separated strings) whose tokenization spaCy's tokenizer memoises. Its
#: default, 10,000, is filled by the gazetteer's patterns before the first abstract is read;
#: 200,000 entries cost about 50 MB and make extraction ~1.4-1.7x faster (benchmarks/run.py).
TOKENIZER_CACHE = 200_000
_TYPES = {"Method": NodeType.METHOD, "Dataset": NodeType.DATASET, "Task": NodeType.TASK}


@dataclass(frozen=True)
class PaperExtraction:
    """What the extractor found in one paper."""

    paper: Paper
    mentions: tuple[Mention, ...]
    domains: tuple[DomainScore, ...]
    abbreviations: tuple[tuple[str, str], ...]  # (short form, long form)


class Extractor:
    """Builds the spaCy pipeline once; :meth:`extract` streams papers through it."""

    def __init__(self, lexicon: Lexicon | None = None, taxonomy: dict[str, Concept] | None = None,
                 batch_size: int = 64) -> None:
        self.lexicon = lexicon if lexicon is not None else load_lexicon()
        self.nlp = spacy.blank("en")
        # "networks(GNNs)": a bracket glued to a word still opens a bracket
        infixes = [*self.nlp.Defaults.infixes, r"(?<=[A-Za-z0-9])\((?=[A-Za-z])"]
        self.nlp.tokenizer.infix_finditer = compile_infix_regex(infixes).finditer
        # sentences: kg.extract.tokens.TokenView.split_sentences (spaCy's sentencizer rule)
        self.batch_size = batch_size
        self.entries: list[GazetteerEntry] = self.lexicon.entries
        self._generic_memo: dict[str, bool] = {}
        self.matcher_lower = PhraseMatcher(self.nlp.vocab, attr="LOWER")
        self.matcher_orth = PhraseMatcher(self.nlp.vocab, attr="ORTH")
        self._by_surface: dict[str, list[int]] = defaultdict(list)
        self._by_key: dict[str, list[int]] = defaultdict(list)  # variant-insensitive
        for i, entry in enumerate(self.entries):
            for surface in {entry.name, *entry.aliases}:
                if not surface.strip() or surface.lower() in self.lexicon.generic:
                    continue
                self._by_surface[surface.lower()].append(i)
                if not entry.case_sensitive or " " in surface:
                    self._by_key[squash(canonical_key(surface))].append(i)
                matcher = self.matcher_orth if entry.case_sensitive else self.matcher_lower
                matcher.add(str(i), [self.nlp.make_doc(v) for v in _surface_variants(
                    surface, entry.case_sensitive)])
        self.domains = DomainClassifier(self.nlp, taxonomy)
        # acronyms that name fields, modalities or metrics, never methods
        self._domain_labels = frozenset(
            label.lower() for c in self.domains.taxonomy.values() for label in (c.name, *c.labels))
        self._not_acronyms = frozenset(self.lexicon.generic | {
            label for c in self.domains.taxonomy.values()
            for label in (c.name, *c.labels, *c.cues) if label.isupper()})
        # Setting a tokenizer rule empties its cache: what the patterns above put there goes,
        # and the cache is left to the abstracts' own words.
        tokenizer = self.nlp.tokenizer
        tokenizer.max_cache_size = TOKENIZER_CACHE
        tokenizer.infix_finditer = tokenizer.infix_finditer

    # -- public --------------------------------------------------------------------------
    def extract(self, papers: Iterable[Paper]) -> Iterator[PaperExtraction]:
        """Mentions and domains for each paper, in input order."""
        texts = ((text, (p, text)) for p in papers for text in (p.title + SEPARATOR + p.abstract,))
        for doc, (paper, text) in self.nlp.pipe(texts, as_tuples=True, batch_size=self.batch_size):
            view(doc, text=text)  # the view slices spans from the input, not from doc.text
            yield self._extract_doc(doc, paper)

    def extract_one(self, paper: Paper) -> PaperExtraction:
        return next(self.extract([paper]))

    # -- internals -----------------------------------------------------------------------
    def _gazetteer(self, doc: Doc) -> list[Candidate]:
        out = []
        for matcher in (self.matcher_lower, self.matcher_orth):
            for key, start, end in matcher(doc):
                idx = int(self.nlp.vocab.strings[key])
                entry = self.entries[idx]
                span = doc[start:end]
                # a capitalised entry matched in lower case inside a sentence is weak evidence
                rule = "gazetteer"
                if not entry.case_sensitive and span.text.islower() and not entry.name.islower() \
                        and len(span) == 1:
                    rule = "gazetteer-ambiguous"
                out.append(Candidate(start, end, entry.type.value, rule, gazetteer=idx))
        return out

    def _title_end(self, doc: Doc, paper: Paper) -> int:
        """Index of the first abstract token (the title's tokens come before it)."""
        limit = len(paper.title)
        for i, idx in enumerate(view(doc).idx):
            if idx >= limit:
                return i
        return len(doc)

    def _extract_doc(self, doc: Doc, paper: Paper) -> PaperExtraction:
        title_end = self._title_end(doc, paper)
        view(doc).split_sentences(doc, starts=(title_end,))  # the title is a sentence of its own
        abbrevs = find_abbreviations(doc)
        cands: list[Candidate] = []
        cands += self._gazetteer(doc)
        cands += list(title_colon(doc, title_end))
        cands += list(naming_cue(doc))
        cands += list(proposal_cue(doc))
        cands += list(coined_names(doc))
        cands += list(head_phrases(doc, title_end))
        cands += [c for c in dataset_lists(doc) if c.start >= title_end]
        cands += list(method_lists(doc, title_end))
        cands += list(task_lists(doc, title_end))
        taken = {i for c in cands for i in range(c.start, c.end)}
        cands += [c for c in title_phrases(doc, title_end) if taken.isdisjoint(range(c.start, c.end))]
        # an acronym the abstract defines is typed by its long form (or is no entity at all:
        # "Alzheimer's disease (AD)"), never by the bare-acronym rule
        defined = frozenset(a.short for a in abbrevs)
        cands += [c for c in acronyms(doc, self._not_acronyms | defined) if c.start >= title_end]
        cands += self._abbreviation_candidates(doc, abbrevs, cands)
        v = view(doc)
        cands = [c for c in method_extensions(cands) if not self._is_generic(v.span(c.start, c.end))]
        inside = _expansions(doc)
        cands = [c for c in cands if c.gazetteer is not None or not inside.issuperset(range(c.start, c.end))]
        kept = _dataset_context(doc, resolve_overlaps(cands))
        kept = self._add_task_phrases(doc, kept, title_end)
        kept += self._repeat_short_forms(doc, abbrevs, kept)
        mentions = self._to_mentions(doc, paper, kept, abbrevs, len(paper.title))
        domains = self.domains.classify(doc, len(paper.title), paper.categories)
        pairs = tuple(sorted({(a.short, doc[a.long_start:a.long_end].text) for a in abbrevs}))
        return PaperExtraction(paper, tuple(mentions), tuple(domains), pairs)

    def _add_task_phrases(self, doc: Doc, kept: list[Candidate], title_end: int) -> list[Candidate]:
        """Tasks worded as verb phrases (:func:`task_phrases`) where the other rules found no
        task. Their object may hold a method or dataset ("aligning large language models"):
        both are kept, overlapping."""
        v = view(doc)
        occupied = {i for c in kept for i in range(c.start, c.end)}
        tasks = {i for c in kept if c.type == "Task" for i in range(c.start, c.end)}
        extra = [c for c in task_phrases(doc, title_end)
                 if c.start not in occupied and tasks.isdisjoint(range(c.start, c.end))
                 and not self._is_generic(c.name or v.span(c.start, c.end))]
        if not extra:
            return kept
        return sorted(kept + resolve_overlaps(extra), key=lambda c: (c.start, c.end))

    def _is_generic(self, text: str) -> bool:
        generic = self._generic_memo.get(text)
        if generic is None:
            low = fold_text(text).lower()
            generic = low in self.lexicon.generic or singularize(low) in self.lexicon.generic \
                or len(low) < 2
            if len(self._generic_memo) < 1 << 16:
                self._generic_memo[text] = generic
        return generic

    def _lookup(self, text: str) -> GazetteerEntry | None:
        """The gazetteer entry ``text`` names: exactly (any case), or as a spelling variant."""
        hits = self._by_surface.get(text.lower())
        if not hits and " " in text.strip():
            hits = self._by_key.get(squash(canonical_key(text)))
        return self.entries[hits[0]] if hits else None

    def _expands(self, entry: GazetteerEntry) -> bool:
        return any(" " in n for n in (entry.name, *entry.aliases))

    def _abbreviation_candidates(self, doc: Doc, abbrevs: list[Abbreviation],
                                 cands: list[Candidate]) -> list[Candidate]:
        out = []
        for a in abbrevs:
            long_text = doc[a.long_start:a.long_end].text
            if self._is_generic(long_text) or self._is_generic(a.short):
                continue
            kind = head_type(doc[a.long_end - 1].text)
            entry = self._lookup(long_text) or self._lookup(a.short)
            if entry is not None:
                kind = entry.type.value
            rule = "abbreviation"
            if kind is None and self._named_technique(doc[a.long_start:a.long_end]):
                kind, rule = "Method", "abbreviation-titlecase"
            if kind is None:
                continue
            proposed = self._in_cue_sentence(doc, a.long_start, PROPOSAL_CUES) and entry is None
            out.append(Candidate(a.long_start, a.long_end, kind, rule, proposed))
            out.append(Candidate(a.short_start, a.short_end, kind, rule, proposed))
        return out

    def _named_technique(self, span: Span) -> bool:
        """A Title Case multi-word long form that names no field: "Quantile Reward Tempering"."""
        words = [t for t in span if t.is_alpha and t.lower_ not in STOP_MODIFIERS]
        return len(words) >= 2 and all(t.text[0].isupper() for t in words) \
            and span.text.lower() not in self._domain_labels

    def _repeat_short_forms(self, doc: Doc, abbrevs: list[Abbreviation],
                            kept: list[Candidate]) -> list[Candidate]:
        """Later bare uses of a defined short form ("... DPO improves ...")."""
        typed = {a.short: c.type for a in abbrevs for c in kept
                 if c.start == a.short_start and c.end == a.short_end}
        occupied = {i for c in kept for i in range(c.start, c.end)}
        out = []
        if not typed:
            return out
        for i, t in enumerate(view(doc).text):
            text = t[:-1] if t.endswith("s") and t[:-1] in typed else t
            if text in typed and i not in occupied:
                out.append(Candidate(i, i + 1, typed[text], "abbreviation"))
        return out

    @staticmethod
    def _proposal_position(doc: Doc, i: int) -> bool:
        """Token ``i`` follows a proposal cue in its sentence, before any comparison."""
        v = view(doc)
        before = v.span(v.sent_start[i], i).lower()
        if not any(cue in before for cue in PROPOSAL_CUES):
            return False
        return not any(w in before for w in COMPARISON_CUES)

    @staticmethod
    def _in_cue_sentence(doc: Doc, i: int, cues: tuple[str, ...]) -> bool:
        sent = view(doc).sentence(i).lower()
        return any(cue in sent for cue in cues)

    def _to_mentions(self, doc: Doc, paper: Paper, kept: list[Candidate],
                     abbrevs: list[Abbreviation], title_len: int) -> list[Mention]:
        v = view(doc)
        long_of = {a.short: v.span(a.long_start, a.long_end) for a in abbrevs}
        short_of = {long: short for short, long in long_of.items()}
        keyed: list[tuple[Candidate, str, str | None, str | None]] = []
        for c in kept:
            text = v.span(c.start, c.end)
            short = text if text in long_of else (text[:-1] if text[:-1] in long_of else None)
            base = long_of[short] if short is not None else (c.name or text)
            entry = self.entries[c.gazetteer] if c.gazetteer is not None else self._lookup(base)
            pair = short if short is not None else short_of.get(text)
            if pair is not None:
                # "Bidirectional Encoder ... (BERT)": a known short name whose entry does not
                # spell itself out adopts this long form; one that does ("GCN": graph
                # convolutional network) is another thing when the long forms differ
                by_long = self._lookup(long_of[pair])
                by_short = self._lookup(pair)
                entry = by_long or (by_short if by_short is not None and not self._expands(by_short) else None)
            key = canonical_key(entry.name if entry is not None else base)
            keyed.append((c, key, short, entry.id if entry is not None else None))
        proposed_keys = {(c.type, k) for c, k, _, _ in keyed if c.proposed}
        for c, k, _, gid in keyed:
            if gid is not None or c.type != "Method":
                continue
            # a new name in a proposal sentence, or a phrase the title gives as its means
            if (c.rule in _PROPOSABLE and self._proposal_position(doc, c.start)) \
                    or c.rule == "title-phrase":
                proposed_keys.add((c.type, k))
        # a dataset is introduced when a sentence introducing data names it
        for c, k, _, gid in keyed:
            if c.type == "Dataset" and gid is None and self._in_cue_sentence(doc, c.start, INTRO_DATA_CUES):
                proposed_keys.add((c.type, k))
        out = []
        for c, key, short, gid in keyed:
            text = v.span(c.start, c.end)
            start_char = v.idx[c.start]
            in_title = start_char < title_len
            offset = 0 if in_title else title_len + len(SEPARATOR)
            role = _role(c.type, (c.type, key) in proposed_keys)
            conf = c.confidence + (0.05 if (c.type, key) in proposed_keys and c.proposed else 0.0)
            out.append(Mention(
                paper_id=paper.id, text=text, start=start_char - offset,
                end=start_char + len(text) - offset, field="title" if in_title else "abstract",
                type=_TYPES[c.type], role=role, rule=c.rule, confidence=round(min(conf, 0.99), 3),
                sentence=v.sentence(c.start).strip(), key=key, short_form=short, gazetteer_id=gid))
        return out


def _expansions(doc: Doc) -> set[int]:
    """Tokens of a bracketed expansion that follows a short name: "SPINAL (Scaling-law and
    Preference Integration in Neural Alignment Layers)". The name is the entity; the words in
    the brackets spell it out and name nothing else.
    """
    out: set[int] = set()
    v = view(doc)
    text = v.text
    for i in range(1, len(doc)):
        if text[i] != "(":
            continue
        name = text[i - 1]
        letters = [ch for ch in name if ch.isupper()]
        if len(letters) < 2 or not (is_acronym(name) or is_coined(name)):
            continue
        close = next((k for k in range(i + 1, min(i + 20, v.sent_end[i])) if text[k] == ")"), None)
        if close is None or close - i < 4:
            continue
        initials = [t.text[0].upper() for t in doc[i + 1:close] if t.is_alpha]
        # every capital of the name appears, in order, among the words' initials
        k = 0
        for ch in initials:
            if k < len(letters) and ch == letters[k]:
                k += 1
        if k == len(letters):
            out.update(range(i + 1, close))
    return out


def _surface_variants(surface: str, case_sensitive: bool) -> list[str]:
    """A gazetteer name as the matcher looks for it: itself, its plural, its hyphenated form.

    >>> _surface_variants("active learning", False)
    ['active learning', 'active-learning']
    >>> _surface_variants("diffusion model", False)
    ['diffusion model', 'diffusion models', 'diffusion-model']
    >>> _surface_variants("LLM", True)
    ['LLM', 'LLMs']
    """
    out = [surface]
    words = surface.split()
    last = words[-1] if words else ""
    if last[-1:].isalpha() and not last.lower().endswith(("s", "x", "sh", "ch", "y", "ing")) \
            and (len(words) > 1 or case_sensitive and last.isupper()):
        out.append(surface + "s")
    if 2 <= len(words) <= 3 and not case_sensitive and all(w.isalpha() for w in words):
        out.append("-".join(words))
    return out


#: Words before "on" that say the names after it are data: "evaluated on X and Y".
_EVAL_BEFORE_ON = ("evaluat", "experiment", "result", "perform", "test", "validat", "benchmark",
                   "achiev", "outperform", "accura", "trained", "fine-tuned", "state-of-the-art")
_SHAPE_RULES = frozenset({"coined-name", "acronym"})
#: Rules whose unknown names are the paper's own when a proposal cue precedes them.
_PROPOSABLE = frozenset({"coined-name", "technique-head", "method-head", "title-phrase"})


def _dataset_context(doc: Doc, kept: list[Candidate]) -> list[Candidate]:
    """Retype bare names that the sentence places among data, not methods.

    A name found only by its shape (coined or acronym, no gazetteer entry) is a dataset when it
    stands in a list, directly after "on", that follows an evaluation word ("results on
    QVHighlights, Charades-STA and ActivityNet"), or in one list with a known dataset
    ("IEMOCAP and MOSEI").
    """
    by_start = {c.start: c for c in kept}
    by_end = {c.end: c for c in kept}
    v = view(doc)
    separators = {",", "and", "or", "the"}
    out = list(kept)
    for k, c in enumerate(kept):
        if c.type != "Method" or c.rule not in _SHAPE_RULES or c.gazetteer is not None:
            continue
        sent_start, sent_end = v.sent_start[c.start], v.sent_end[c.start]
        # walk left over the list this name is in: names, commas, "and"/"or"
        i = c.start
        members = [c]
        while i > sent_start:
            if v.lower[i - 1] in separators:
                i -= 1
                continue
            owner = by_end.get(i)
            if owner is None:
                break
            members.append(owner)
            i = owner.start
        # and right
        j = c.end
        while j < sent_end:
            if v.lower[j] in separators:
                j += 1
                continue
            owner = by_start.get(j)
            if owner is None:
                break
            members.append(owner)
            j = owner.end
        with_data = any(m.type == "Dataset" for m in members)
        after_on = i > sent_start and v.lower[i - 1] == "on" and any(
            w in v.span(sent_start, i - 1).lower() for w in _EVAL_BEFORE_ON)
        data_head = j < sent_end and head_type(v.text[j]) == "Dataset"
        if with_data or after_on or data_head:
            out[k] = Candidate(c.start, c.end, "Dataset", c.rule, c.proposed, c.gazetteer)
    return out


def _role(kind: str, proposed: bool) -> RelType:
    if kind == "Method":
        return RelType.PROPOSES if proposed else RelType.USES
    if kind == "Dataset":
        return RelType.INTRODUCES if proposed else RelType.EVALUATES_ON
    return RelType.ADDRESSES


def build_nlp() -> Language:  # pragma: no cover - convenience for interactive use
    return Extractor().nlp
