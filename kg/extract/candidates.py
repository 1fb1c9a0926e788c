"""Candidate mentions from one spaCy ``Doc``: the rules, as plain functions.

Every function here takes a ``Doc`` (title and abstract, see :mod:`kg.extract.pipeline`) and
returns :class:`Candidate` spans with the rule that found them. :func:`resolve_overlaps` then
keeps the best non-overlapping set. Nothing here knows about spaCy components or papers.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token

from kg.extract.abbreviations import find_long_form, is_short_form
from kg.extract.tokens import view
from kg.link.normalize import singularize
from kg.extract.rules import (
    ADJECTIVE_SUFFIXES, EPONYM_HEADS, LANGUAGES, NAMING_CUES, TECHNIQUE_HEADS, RULE_CONFIDENCE, STOP_MODIFIERS, TASK_STOP_MODIFIERS,
    HEAD_TYPES, head_type, is_acronym, is_coined, looks_like_name,
)

__all__ = [
    "Candidate", "Abbreviation", "find_abbreviations", "title_colon", "naming_cue",
    "proposal_cue", "coined_names", "head_phrases", "title_phrases", "dataset_lists", "method_lists", "method_extensions",
    "task_lists", "task_phrases", "resolve_overlaps", "name_run", "acronyms",
]


@dataclass(frozen=True)
class Candidate:
    """A span that may name an entity. ``start``/``end`` are token indices in the doc."""

    start: int
    end: int
    type: str  # "Method" | "Dataset" | "Task"
    rule: str
    proposed: bool = False  # a rule that marks the paper's own contribution
    gazetteer: int | None = None  # index of the gazetteer entry, when one matched
    name: str | None = None  # the entity's name when the span words it otherwise (a verb phrase)

    @property
    def confidence(self) -> float:
        return RULE_CONFIDENCE.get(self.rule, 0.5)


@dataclass(frozen=True)
class Abbreviation:
    """``long (short)`` seen in the doc; token spans of both."""

    short: str
    long_start: int
    long_end: int
    short_start: int
    short_end: int


def _joined_end(doc: Doc, i: int, limit: int) -> int:
    """End (exclusive) of the run of tokens from ``i`` glued together with no whitespace."""
    v = view(doc)
    text, lower, ws = v.text, v.lower, v.ws
    j = i
    while j < limit - 1 and not ws[j] and text[j + 1] not in ",.;:()[]\"'" \
            and lower[j + 1] not in {"'s", "\u2019s"} and text[j] not in "([\"'":
        j += 1
    return j + 1


def find_abbreviations(doc: Doc) -> list[Abbreviation]:
    """Schwartz-Hearst pairs "long form (SF)" in ``doc``."""
    out = []
    v = view(doc)
    text = v.text
    for i in range(len(doc) - 2):
        if text[i] != "(":
            continue
        close = next((k for k in range(i + 1, min(i + 6, v.sent_end[i])) if text[k] == ")"), None)
        if close is None or close == i + 1:
            continue
        short = doc[i + 1:close].text.replace(" ", "")
        if short.endswith("s") and is_short_form(short[:-1]):
            short = short[:-1]
        if not is_short_form(short):
            continue
        before = doc[v.sent_start[i]:i]
        words = [t for t in before if not t.is_punct or t.text in "-/"]
        start = find_long_form(short, [w.text for w in words])
        if start is None:
            continue
        first = words[start]
        if first.i >= i or i - first.i > 12:
            continue
        out.append(Abbreviation(short, first.i, i, i + 1, close))
    return out


def name_run(doc: Doc, i: int, limit: int, max_tokens: int = 4) -> int:
    """End of a name starting at token ``i``: glued tokens and following name-like words."""
    text = view(doc).text
    if i >= limit or not looks_like_name(text[i]):
        return i
    end = _joined_end(doc, i, limit)
    while end < limit and end - i < max_tokens and looks_like_name(text[end]) \
            and doc[end - 1].whitespace_ and not doc[end].is_punct:
        end = _joined_end(doc, end, limit)
    return end


def _type_after(doc: Doc, end: int, default: str) -> str:
    if end < len(doc) and head_type(view(doc).text[end]) == "Dataset":
        return "Dataset"
    return default


def title_colon(doc: Doc, title_end: int) -> Iterator[Candidate]:
    """The name before a colon in the title ("PanFlowNet: ...", "FISBe: A ... dataset")."""
    text = view(doc).text
    colon = next((i for i in range(min(title_end, 5)) if text[i] == ":"), None)
    if colon is None or colon == 0 or colon > 4:
        return
    span = doc[0:colon]
    begin = 1 if doc[0].lower_ == "the" else 0
    # "Perforated Backpropagation: A Neuroscience Inspired Extension ...": a Title Case name
    # that the rest of the title describes with an indefinite article
    appositive = colon + 1 < title_end and doc[colon + 1].lower_ in {"a", "an"} \
        and colon - begin >= 2 and all(t.is_alpha and t.text[:1].isupper()
                                       and t.lower_ not in STOP_MODIFIERS for t in doc[begin:colon])
    if appositive:
        rest = doc[colon + 1:title_end].text.lower()
        kind = "Dataset" if any(w in rest for w in ("dataset", "benchmark", "corpus")) else "Method"
        yield Candidate(begin, colon, kind, "title-colon", proposed=True)
        return
    if not any(is_coined(t.text) or is_acronym(t.text) for t in span) and colon > 1:
        return
    if colon == 1 and not looks_like_name(doc[0].text):
        return
    rest = doc[colon + 1:title_end].text.lower()
    kind = "Dataset" if any(w in rest for w in ("dataset", "benchmark", "corpus")) else "Method"
    yield Candidate(0, colon, kind, "title-colon", proposed=True)


def naming_cue(doc: Doc) -> Iterator[Candidate]:
    """"called X", "dubbed X", "termed X", "named X"."""
    v = view(doc)
    for c, low in enumerate(v.lower):
        if low not in NAMING_CUES:
            continue
        i = c + 1
        while i < len(doc) and v.text[i] in {"as", "'", '"', "\u201c", "\u2018", "the"}:
            i += 1
        sent_end = v.sent_end[c]
        end = name_run(doc, i, sent_end)
        if end > i and v.text[i][0].isupper():
            yield Candidate(i, end, _type_after(doc, end, "Method"), "naming-cue", proposed=True)


_PROPOSE_VERBS = {"propose", "introduce", "present", "develop", "design", "devise"}


def proposal_cue(doc: Doc) -> Iterator[Candidate]:
    """"we propose X", "X, a novel ..." where X is a name."""
    v = view(doc)
    text, lower = v.text, v.lower
    for k, low in enumerate(lower):
        if low in _PROPOSE_VERBS and k > 0 and lower[k - 1] in {"we", "i"}:
            i = k + 1
            end = name_run(doc, i, v.sent_end[k])
            if end > i and (is_coined(text[i]) or is_acronym(text[i])):
                yield Candidate(i, end, _type_after(doc, end, "Method"), "proposal-cue", proposed=True)
        elif text[k][:1].isupper() and (is_coined(text[k]) or is_acronym(text[k])):
            end = _joined_end(doc, k, v.sent_end[k])
            if end + 2 < len(doc) and text[end] == "," and lower[end + 1] in {"a", "an"} \
                    and lower[end + 2] in {"novel", "new"}:
                yield Candidate(k, end, _type_after(doc, end, "Method"), "proposal-cue",
                                proposed=True)


def coined_names(doc: Doc) -> Iterator[Candidate]:
    """Mixed-case coined names anywhere ("DeeperBrain", "SpikingBrain-7B")."""
    v = view(doc)
    text = v.text
    i = 0
    while i < len(doc):
        t = text[i]
        if t[:1].isupper() and (is_coined(t) or (not v.ws[i] and i + 1 < len(doc)
                                                 and text[i + 1] == "-")):
            end = _joined_end(doc, i, len(doc))
            parts = [x for x in text[i:end] if x != "-"]
            if parts[-1].lower() in ADJECTIVE_SUFFIXES or any("=" in p for p in parts):
                i = end  # "CNN-based", "ICC=0.30": the acronym inside is left to other rules
                continue
            if any(is_coined(p) or (is_acronym(p) and len(parts) > 1) or
                   (any(c.isdigit() for c in p) and len(parts) > 1) for p in parts):
                yield Candidate(i, end, _type_after(doc, end, "Method"), "coined-name")
                i = end
                continue
        i += 1


_ACRONYM_BEFORE = {"with", "than", "over", "using", "via", "and", "or", "of", "like", "to",
                   "including", "e.g.", "as", "vs", "vs.", "versus", "from", "by", "the",
                   "compare", "compares", "compared", "use", "uses", "apply", "applies",
                   "employ", "employs", "adopt", "adopts", "extend", "extends", "combine",
                   "combines", "leverage", "leverages", "train", "outperforms", "outperform"}


def acronyms(doc: Doc, exclude: frozenset[str]) -> Iterator[Candidate]:
    """Bare acronyms named as methods ("compare QRT with PPO", "RLHF and DPO").

    Only in positions where a method name is expected (after a preposition, in a list),
    never sentence-initially or in the title, and never an acronym in ``exclude`` (fields,
    modalities, metrics: "NLP", "EEG", "F1").
    """
    v = view(doc)
    for i, t in enumerate(v.text):
        if not t[:1].isupper():
            continue
        text = t[:-1] if t.endswith("s") and is_acronym(t[:-1]) else t
        if not is_acronym(text) or len(text) > 8 or text.lower() in exclude or text in exclude:
            continue
        if i == 0 or v.sent_start[i] == i:
            continue
        if v.lower[i - 1] in _ACRONYM_BEFORE or v.text[i - 1] == ",":
            end = _joined_end(doc, i, len(doc))
            if v.lower[end - 1] in ADJECTIVE_SUFFIXES:
                end = i + 1  # "SVD-based": the acronym, not the adjective
            yield Candidate(i, end, _type_after(doc, end, "Method"), "acronym")


def _modifier(tok: Token, stop: frozenset[str] = STOP_MODIFIERS) -> bool:
    t = tok.text
    if any(c.isdigit() for c in t):
        return len(t) <= 4 and any(c.isalpha() for c in t)  # "3D", "2D"
    if t == "-":
        return not tok.whitespace_ and tok.i > 0 and not tok.doc[tok.i - 1].whitespace_
    low = tok.lower_
    return tok.is_alpha and t.islower() and low not in stop \
        and not low.endswith(("ly", "ing")) and not (low.endswith("ed") and len(low) > 4) \
        and not (low.endswith("s") and not low.endswith(("ss", "us", "is", "ics"))) \
        and not _evaluative(low)


def _title_modifier(tok: Token) -> bool:
    """A Title Case word that may qualify a task head in a title ("Species Classification"),
    but not the gerund a title opens with: its verb ("Rethinking Retrieval-Augmented
    Generation")."""
    low = tok.lower_
    return tok.is_alpha and tok.text[:1].isupper() and tok.text[1:].islower() \
        and low not in TASK_STOP_MODIFIERS and not low.endswith("ly") and not _evaluative(low) \
        and not (low.endswith("ing") and (tok.i == 0 or tok.doc[tok.i - 1].text == ":"))


_POSSESSIVE = frozenset({"'s", "\u2019s"})

#: Nouns ending like evaluative adjectives: "variable selection", "timetable generation".
_ABLE_NOUNS = frozenset({"variable", "variables", "vegetable", "timetable", "constable",
                         "turntable", "syllable", "crucible"})


def _evaluative(low: str) -> bool:
    """An adjective of quality, not of kind: "generalisable", "explainable", "controllable"
    qualify a task without naming it ("Domain Generalisable Cross-View Localisation")."""
    return len(low) > 7 and low.endswith(("able", "ible")) and low not in _ABLE_NOUNS


def head_phrases(doc: Doc, title_end: int = 0) -> Iterator[Candidate]:
    """Phrases ending in a type head: "X dataset", "pose estimation", "Kernel Networks"."""
    v = view(doc)
    for i, low in enumerate(v.lower):
        kind = HEAD_TYPES.get(low)
        if kind is None:
            continue
        tok = doc[i]
        sent_start = v.sent_start[i]
        start = tok.i
        in_title = tok.i < title_end
        while start > sent_start and start > tok.i - 4 and (
                _modifier(doc[start - 1], TASK_STOP_MODIFIERS)
                or in_title and _title_modifier(doc[start - 1])):
            start -= 1
        while start < tok.i and doc[start].text == "-":
            start += 1
        if kind == "Dataset":
            # only a named dataset: "the MIMIC-III dataset", "CIFAR-10 benchmark"
            j = tok.i
            while j > sent_start and j > tok.i - 3 and looks_like_name(v.text[j - 1]) \
                    and j - 1 != v.sent_start[j - 1]:
                j -= 1
            if j < tok.i:
                # a capitalised head is part of the name: "the Neural Representation Benchmark"
                end = tok.i + 1 if tok.text[:1].isupper() else tok.i
                yield Candidate(j, end, "Dataset", "dataset-head")
        elif kind == "Method":
            if tok.i < title_end:  # titles are in Title Case: capitals say nothing there
                continue
            j = tok.i
            while j > sent_start and j > tok.i - 8 and (
                    (v.text[j - 1][:1].isupper() and v.lower[j - 1] not in STOP_MODIFIERS)
                    or (v.text[j - 1] == "-" and not v.ws[j - 1])):
                j -= 1
            while j < tok.i and doc[j].text == "-":
                j += 1
            if j < tok.i and tok.text[:1].isupper():
                yield Candidate(j, tok.i + 1, "Method", "method-head")
        elif start < tok.i:
            if start >= sent_start + 2 and v.lower[start - 1] in _POSSESSIVE \
                    and _title_modifier(doc[start - 2]):
                start -= 2  # a name's possessive: "Alzheimer's disease forecasting"
            elif _glued_hyphen(doc, start):
                # never half a compound: "single-objective optimization", not "objective
                # optimization"; after one that holds a name or a function word:
                # "AI-driven misinformation detection", "End-to-End Spoken Dialogue State Tracking"
                whole = _compound_start(doc, start, _COMPOUND_BREAKS, names=False)
                if whole is not None and v.span(whole, start + 1).lower() in _SETTINGS:
                    whole = None
                if whole is None:  # start after the compound
                    while start + 2 < tok.i and _glued_hyphen(doc, start + 2):
                        start += 2
                    start += 1
                else:
                    start = whole
                if start >= tok.i:
                    continue
            yield Candidate(start, tok.i + 1, "Task", "task-head")
    yield from _lower_heads(doc, title_end)


_GENERIC_TAILS = frozenset({"algorithm", "algorithms", "method", "methods", "model", "models"})


def _lower_heads(doc: Doc, title_end: int) -> Iterator[Candidate]:
    """Technique names with a lower-case head: "Bradley-Terry model", "convex relaxation"."""
    v = view(doc)
    for i in range(title_end, len(doc)):
        low = v.lower[i]
        if low not in EPONYM_HEADS or not v.text[i].islower():
            continue
        tok = doc[i]
        sent_start = v.sent_start[i]
        # a proper name before the head: capitalised words that are not acronyms or coined
        j = tok.i
        while j > sent_start + 1 and j > tok.i - 4 and (
                (doc[j - 1].text[:1].isupper() and doc[j - 1].is_alpha
                 and doc[j - 1].lower_ not in STOP_MODIFIERS
                 and not is_acronym(doc[j - 1].text) and not is_coined(doc[j - 1].text))
                or (doc[j - 1].text == "-" and not doc[j - 1].whitespace_)):
            j -= 1
        while j < tok.i and doc[j].text == "-":
            j += 1
        if j < tok.i and j != v.sent_start[j] and not _glued_hyphen(doc, j) \
                and len(doc[j].text) > 1 and doc[j - 1].text != "-":
            end = tok.i + 1
            if low in _GENERIC_TAILS and head_type(doc[tok.i - 1].text) is not None:
                end = tok.i  # "Bayesian Optimization algorithm": the name is before the tail
            # one qualifier the name carries: "annealed Langevin dynamics"
            if j - 1 > sent_start and _modifier(doc[j - 1], TASK_STOP_MODIFIERS) \
                    and not _glued_hyphen(doc, j - 1):
                j -= 1
            yield Candidate(j, end, "Method", "eponym-head")
            continue
        if low not in TECHNIQUE_HEADS:
            continue
        start = tok.i
        while start > sent_start and start > tok.i - 3 and _modifier(doc[start - 1],
                                                                        TASK_STOP_MODIFIERS):
            start -= 1
        while start < tok.i and doc[start].text == "-":
            start += 1
        if start < tok.i and _glued_hyphen(doc, start):
            start = _compound_start(doc, start)
        if start is not None and start < tok.i:
            yield Candidate(start, tok.i + 1, "Method", "technique-head")


def _glued_hyphen(doc: Doc, i: int) -> bool:
    """Token ``i`` is the second part of a hyphen compound ("frame-level": "level")."""
    return i >= 2 and doc[i - 1].text == "-" and not doc[i - 1].whitespace_ \
        and not doc[i - 2].whitespace_


def _compound_start(doc: Doc, i: int, stop: frozenset[str] = TASK_STOP_MODIFIERS, *,
                    names: bool = True) -> int | None:
    """Start of the hyphen compound that token ``i`` ends ("single-objective": "single"), or
    None when an earlier part is not a word or is in ``stop`` ("state-of-the-art",
    "task-agnostic": no name starts inside them), or, unless ``names``, is a name
    ("AI-driven", "LoRA-style")."""
    while _glued_hyphen(doc, i):
        i -= 2
        t = doc[i].text
        if not t.isalpha() or t.lower() in stop or t.lower() == "art" \
                or not names and (is_acronym(t) or is_coined(t)):
            return None
    return i


#: A hyphen compound with one of these is a phrase, not part of a task name: "state-of-the-art",
#: "end-to-end" (evaluative words are: "low-rank", "high-dimensional" name things).
_COMPOUND_BREAKS = frozenset({"of", "the", "a", "an", "and", "or", "to", "in"})
#: Compounds that describe the setting of a task, not which task: "real-time inertial attitude
#: estimation" is inertial attitude estimation.
_SETTINGS = frozenset({"real-time", "large-scale", "high-quality", "long-horizon", "long-term",
                       "short-term", "open-ended", "high-resolution", "low-latency"})


#: Title words after which a Title Case phrase names the means: "... via Dynamic Compression".
_TITLE_MEANS = frozenset({"via", "using", "through", "by"})
#: Words that end a title phrase.
_TITLE_BREAKS = _TITLE_MEANS | frozenset({
    "with", "for", "in", "on", "of", "from", "to", "towards", "toward", "and", "under", "over",
    "against", "without", "beyond", "as", "at", "into", "versus", "vs", "vs.", "is", "are",
    "based", "when", "where", "how", "what", "why", "the", "a", "an", ":", ",", "?", "!", "--",
})


def title_phrases(doc: Doc, title_end: int) -> Iterator[Candidate]:
    """Title Case phrases a title names as its means or its subject (weakest of the rules:
    the pipeline keeps one only where no other rule found anything).

    "Forensic Face Identification using Attention Guided Optimal Transport",
    "Hierarchical Indexing with Knowledge Enrichment for ...": the phrase after via / using /
    through / with / by is a method, and so is the phrase that opens "X for Y" (after any
    "Name:" prefix), whatever its head ("... via Dynamic Compression"). Only phrases of 2-6 capitalised words count: single words are left to the
    name rules.
    """
    toks = doc[:title_end]
    if len(toks) < 3:
        return
    colon = next((t.i for t in toks if t.text == ":"), None)
    begin = colon + 1 if colon is not None and colon <= 4 else 0
    # phrases: maximal runs of non-break tokens, with the break word before them
    phrases: list[tuple[str, int, int]] = []
    i, before = begin, ""
    while i < title_end:
        if doc[i].lower_ in _TITLE_BREAKS or doc[i].is_punct and doc[i].text != "-":
            before = doc[i].lower_
            i += 1
            continue
        j = i
        while j < title_end and not (doc[j].lower_ in _TITLE_BREAKS
                                     or doc[j].is_punct and doc[j].text != "-"):
            j += 1
        phrases.append((before, i, j))
        i = j
    for k, (before, start, end) in enumerate(phrases):
        after = doc[end].lower_ if end < title_end else ""
        opening = k == 0 and start == begin and after == "for"
        if before not in _TITLE_MEANS and not opening:
            continue
        words = [t for t in doc[start:end] if t.text != "-"]
        if not 2 <= len(words) <= 6 or not all(w.text[:1].isupper() or w.text[:1].isdigit()
                                               for w in words):
            continue
        if words[0].lower_.endswith("ly") or words[0].text.endswith("ing") and not opening:
            continue  # "using Gradually Swapping ..." is a clause, not a name
        # "... via Dynamic Compression": a means is a method even with a task-like head
        yield Candidate(start, end, "Method", "title-phrase")


_LIST_TRIGGERS = frozenset({"dataset", "datasets", "benchmark", "benchmarks", "corpora",
                            "corpus", "testbeds", "suites"})
_LIST_LEADS = frozenset({"including", "includes", "include", "such", "as", "like", "namely",
                         "e.g.", "i.e.", ":", ",", "the", "(", "viz."})
_EVAL_ON = frozenset({"evaluated", "evaluate", "evaluates", "evaluating", "experiments", "tested",
                      "validated", "benchmarked"})


def dataset_lists(doc: Doc) -> Iterator[Candidate]:
    """Names listed as data: "two datasets: IIT_Mandi_S2F and CUFS", "benchmarks, including the
    Van der Pol oscillator, Burgers' equation and 2D Navier-Stokes", "evaluated on GAIA and FRAMES".

    Each member is a run of name-like tokens (inner "der"/"of"/"'s" allowed); a parenthesis after
    a member is skipped; the list ends at the first token that is neither a name nor a separator.
    """
    v = view(doc)
    lower = v.lower
    for t, low in enumerate(lower):
        if low in _LIST_TRIGGERS:
            i = t + 1
            while i < v.sent_end[t] and lower[i] in _LIST_LEADS:
                i += 1
            if not any(lower[k] in _LIST_LEADS - {",", "the", "("} for k in range(t + 1, i)):
                continue  # a list must be announced: "benchmarks, including", "datasets:"
        elif low in _EVAL_ON and t + 1 < len(doc) and lower[t + 1] == "on":
            i = t + 2
        else:
            continue
        end = v.sent_end[t]
        while i < end:
            if lower[i] in {"the", "and", "or", ","}:
                i += 1
                continue
            j = _list_member_end(doc, i, end)
            if j == i:
                break
            parts = [p.lower() for p in doc[i:j].text.replace("-", " ").split()]
            if not all(p in LANGUAGES or p in {"to", "and"} for p in parts):
                yield Candidate(i, j, "Dataset", "dataset-list")
            i = j
            if i < end and doc[i].text == "(":
                close = next((t.i for t in doc[i:end] if t.text == ")"), None)
                if close is None:
                    break
                i = close + 1


def _list_member_end(doc: Doc, i: int, limit: int) -> int:
    """End of a dataset name starting at ``i``: name-like tokens, glued pieces, inner particles."""
    if not looks_like_name(doc[i].text) or doc[i].lower_ in STOP_MODIFIERS:
        return i
    j = i
    while j < limit and j - i < 6:
        t = doc[j]
        if looks_like_name(t.text) or (not doc[j - 1].whitespace_ and j > i and not t.is_space
                                       and t.text not in ",;:.()[]") \
                or (t.lower_ in {"der", "van", "von", "de", "of", "'", "'s", "’s"} and j + 1 < limit
                    and j > i):
            j += 1
            continue
        if t.is_lower and t.is_alpha and j > i and head_type(t.text) is None and j + 1 < limit \
                and doc[j + 1].text in {",", "and", "or", "."} and t.lower_ not in STOP_MODIFIERS \
                and doc[i].text[:1].isupper():
            j += 1  # "Van der Pol oscillator", "Burgers' equation"
            break
        break
    while j > i and doc[j - 1].lower_ in {"of", "der", "van", "von", "de"}:
        j -= 1
    return j


#: Plural nouns that announce a list of methods: "techniques such as singular value
#: decomposition", "methods like contrastive learning and optimal transport theory".
_METHOD_LIST_TRIGGERS = frozenset({
    "methods", "techniques", "approaches", "algorithms", "models", "architectures",
    "methodologies", "optimizers", "optimisers", "solvers", "baselines", "estimators"})
_METHOD_LIST_LEADS = (("such", "as"), ("like",), ("including",), ("e.g.",), ("e.g.", ","),
                      ("namely",), ("e.g",))
_MEMBER_BREAKS = frozenset({",", "and", "or", ";", ".", ":", "(", ")", "[", "]", "?", "!"})
_METHOD_LIST_STOPS = _METHOD_LIST_TRIGGERS | {"like", "such", "including", "e.g.", "namely"}
#: Noun endings that may close a lower-case list member ("knowledge editing", "policy gradient"
#: is a head word; "GRPO fail" is a clause, not a member).
_NOUN_ENDINGS = ("tion", "sion", "ing", "ment", "ence", "ance", "ity", "sis", "ics", "ogy",
                 "ure", "ism", "er", "or", "ers", "ors", "ies", "ness", "ds", "ks", "ts")


def method_lists(doc: Doc, title_end: int = 0) -> Iterator[Candidate]:
    """Members of a list a plural method noun announces: "techniques like secure multi-party
    computation, homomorphic encryption, and differential privacy", "strong baselines such as
    SOAP and Muon", "models, including CNNs, transformers, diffusion models".

    A lower-case member must end at a separator (a comma, "and", "or", the sentence's end) on a
    noun-like word within five words; otherwise only a leading name survives ("GRPO fail to
    ...": "GRPO") and the list ends.
    """
    yield from _announced(doc, title_end, _METHOD_LIST_TRIGGERS, "Method", "method-list")


#: Plural task nouns that announce a list of tasks: "tasks such as sleep staging".
_TASK_LIST_TRIGGERS = frozenset({"tasks", "problems"})


def task_lists(doc: Doc, title_end: int = 0) -> Iterator[Candidate]:
    """Members of a list that "tasks" or "problems" announce: "tasks, including motor imagery
    classification, seizure detection, sleep staging", "tasks such as tumor microenvironment
    analysis". Only lower-case members that end on a noun: a name there is a benchmark or a
    model as often as a task."""
    yield from _announced(doc, title_end, _TASK_LIST_TRIGGERS, "Task", "task-list")


def _announced(doc: Doc, title_end: int, triggers: frozenset[str], kind: str,
               rule: str) -> Iterator[Candidate]:
    v = view(doc)
    lower = v.lower
    for t in range(title_end, len(doc)):
        if lower[t] not in triggers:
            continue
        end = v.sent_end[t]
        i = t + 1
        if i < end and lower[i] == ",":
            i += 1
        lead = next((k for k in _METHOD_LIST_LEADS if tuple(lower[i:i + len(k)]) == k), None)
        if lead is None:
            continue
        i += len(lead)
        while i < end:
            while i < end and lower[i] in {"and", "or", ",", "the", "as", "well"}:
                i += 1
            member = _member(doc, i, end)
            if member is None:
                k = name_run(doc, i, end)
                if kind == "Method" and k > i and (is_acronym(v.text[i]) or is_coined(v.text[i])):
                    yield Candidate(i, k, kind, rule)
                break
            first = i
            start, i = member
            # a task member is a plain noun phrase: not "predicting behavior" cut to "behavior"
            if start < i and (kind == "Method" or start == first and v.text[start:i] == v.lower[start:i]):
                yield Candidate(start, i, kind, rule)
            if i < end and lower[i] == "(":  # "(HE)": an abbreviation's own rule reads it
                close = next((k for k in range(i, end) if lower[k] == ")"), None)
                if close is None:
                    break
                i = close + 1
            if i >= end or lower[i] not in {",", "and", "or"}:
                break


def _member(doc: Doc, i: int, end: int) -> tuple[int, int] | None:
    """``(start, end)`` of a list member at token ``i`` that ends at a separator within five
    words, on a noun-like word; None when it runs on into a clause.
    ``start`` skips leading praise ("emerging vision-language models"); a generic phrase
    ("linear models") comes back empty (``start == end``)."""
    v = view(doc)
    lower = v.lower
    j = i
    while j < end and j - i < 10 and lower[j] not in _MEMBER_BREAKS \
            and lower[j] not in _METHOD_LIST_STOPS \
            and not (lower[j] in STOP_MODIFIERS and lower[j] not in {"of", "-"}):
        j += 1
    start = i
    while start < j and (lower[start] in TASK_STOP_MODIFIERS or lower[start].endswith("ly")
                         or lower[start].endswith("ing") and j - start > 1
                         and v.text[start].islower() and lower[start + 1] != "-"):
        start += 1
    while j > start and lower[j - 1] in {"of", "-"}:
        j -= 1
    closed = j == end or lower[j] in _MEMBER_BREAKS
    words = [w for w in v.text[start:j] if w != "-"]
    if not (closed and words and len(words) <= 5 and _member_ends_well(words[-1])):
        return None
    if lower[j - 1] in _GENERIC_TAILS and not any(looks_like_name(w) for w in words):
        return j, j
    return start, j


def _member_ends_well(word: str) -> bool:
    """The last word of a list member: a name, a head word or a noun-like ending."""
    low = word.lower()
    return looks_like_name(word) or head_type(word) is not None or low in EPONYM_HEADS \
        or (word.isalpha() and len(low) > 3 and low.endswith(_NOUN_ENDINGS))


def method_extensions(cands: list[Candidate]) -> list[Candidate]:
    """A task phrase that ends in a method's gazetteer name is that method, qualified:
    "Multi-Objective Bayesian Optimization", "Freeze-thaw Bayesian Optimization" (the name
    must be two words or more: "optimization" alone names no method)."""
    methods = {(c.start, c.end) for c in cands
               if c.gazetteer is not None and c.type == "Method" and c.end - c.start >= 2}
    if not methods:
        return cands
    return [Candidate(c.start, c.end, "Method", "method-extension", c.proposed)
            if c.rule == "task-head" and any(e == c.end and c.start < s for s, e in methods) else c
            for c in cands]


#: Gerunds of task verbs, and the task noun each makes: "classifying time series" names time
#: series classification (the guidelines give tasks a nominal name, whatever the wording).
_TASK_GERUNDS = {
    "classifying": "classification", "predicting": "prediction", "detecting": "detection",
    "recognizing": "recognition", "recognising": "recognition", "segmenting": "segmentation",
    "estimating": "estimation", "forecasting": "forecasting", "generating": "generation",
    "retrieving": "retrieval", "summarizing": "summarization",
    "summarising": "summarisation", "reconstructing": "reconstruction", "localizing": "localization",
    "localising": "localisation", "decoding": "decoding", "simulating": "simulation",
    "quantifying": "quantification", "diagnosing": "diagnosis",
    "transcribing": "transcription", "denoising": "denoising", "captioning": "captioning",
    "parsing": "parsing", "answering": "answering", "synthesizing": "synthesis",
    "synthesising": "synthesis", "imputing": "imputation", "resolving": "resolution",
}
#: Task nouns whose object follows with "of": "prediction of user departure times".
_OF_TASKS = frozenset({
    "prediction", "forecasting", "classification", "detection", "segmentation", "recognition",
    "estimation", "reconstruction", "simulation", "simulations", "quantification", "localization",
    "localisation", "tracking", "diagnosis", "summarization", "summarisation", "transcription",
    "identification", "imputation"})
#: Words before a gerund that make it the name of an activity, not a clause's verb:
#: "the task of classifying ...", "accuracy in forecasting ...".
_GERUND_LEADS = frozenset({"for", "in", "on", "of", "at", "toward", "towards"})
#: Words an object noun phrase never contains (it ends before them).
_OBJECT_STOPS = TASK_STOP_MODIFIERS | frozenset("""
of in on for with from to by via using at into under over across through within without between
among as than and or but nor that which who whom whose where when while whether how what why if
is are was were be been being can could may might will would should must has have had do does
it its they them their our we us this these those such each every all any some no not both
either one ones very more most less least many much few other others another same new novel
remain remains require requires involve involves pose poses become becomes""".split())
#: Quantifiers between "of" and its object, in the span but not in the name: "prediction of 10
#: different clinical assessment scores".
_OBJECT_QUANTIFIERS = frozenset({"different", "various", "multiple", "several", "future", "many"})
#: Objects too generic to name a task: "generating outputs", "predicting values".
_GENERIC_OBJECTS = frozenset("""
data information result results output outputs content value values thing things item items
performance quality""".split())


def task_phrases(doc: Doc, title_end: int = 0) -> Iterator[Candidate]:
    """Tasks worded as verb phrases or "X of Y": "classifying time series", "Decoding Neural
    Responses", "Quantifying the irregularity of a time series", "the prediction of user
    departure times". The name is the nominal form: time series classification, neural
    response decoding, time series irregularity quantification, user departure time prediction.

    A gerund counts where it names an activity: at the start of the title or a sentence, or
    after a preposition ("the task of classifying ..."); never after "by" (the means) or
    as a clause's verb. The object is a plain noun phrase of one to four words, or "the X of
    Y" (four words in all); a pronoun, a generic word ("outputs") or a verb ends it or rules
    it out.
    """
    v = view(doc)
    n = len(doc)
    for i, low in enumerate(v.lower):
        nominal = _TASK_GERUNDS.get(low)
        of_form = nominal is None and low in _OF_TASKS and i + 1 < n and v.lower[i + 1] == "of"
        if nominal is None and not of_form:
            continue
        first = i == v.sent_start[i] or (i < title_end and v.text[i - 1] == ":")
        if of_form:
            if not first and _modifier(doc[i - 1], TASK_STOP_MODIFIERS):
                continue  # "trajectory prediction of ...": the head-noun rule has it
            nominal = singularize(low)
            obj = _object(doc, i + 2, quantifiers=True)
        else:
            if not first and v.lower[i - 1] not in _GERUND_LEADS:
                continue
            obj = _object(doc, i + 1, quantifiers=False)
        if obj is None:
            continue
        words, end = obj
        if not of_form and v.lower[i + 1] in ("the", "a", "an"):
            # "quantifying the irregularity of a time series": the object is the whole phrase
            inner = _object(doc, end + 1, quantifiers=True, determined_ok=True)
            if inner is None or len(inner[0]) + len(words) > 4:
                continue  # "predicting the dynamics of challenging ...": no plain object
            words, end = inner[0] + words, inner[1]
        yield Candidate(i, end, "Task", "task-phrase", name=" ".join(words + [nominal]))


def _object(doc: Doc, i: int, *, quantifiers: bool,
            determined_ok: bool = False) -> tuple[list[str], int] | None:
    """The noun phrase that starts at token ``i`` (after one determiner and, with
    ``quantifiers``, "10 different"): its words, the last singular, and the token after it;
    None if there is none. A determined object ("the dynamics") counts only before "of" ("the
    irregularity of a time series") or where ``determined_ok`` (the object after that "of")."""
    v = view(doc)
    if i >= len(doc):
        return None
    sent_end = v.sent_end[i]
    determined = v.lower[i] in ("the", "a", "an")
    if determined:
        i += 1
    while quantifiers and i < sent_end and (v.lower[i] in _OBJECT_QUANTIFIERS or v.text[i].isdigit()):
        i += 1
    words: list[str] = []
    j = i
    while j < sent_end and len(words) <= 4:
        t, low = v.text[j], v.lower[j]
        if t == "-" and words and not v.ws[j - 1] and not v.ws[j] and j + 1 < sent_end:
            words[-1] += "-"  # a hyphen compound is one word: "non-linear"
            j += 1
            continue
        if not (t.isalpha() or t[:1].isdigit() and any(c.isalpha() for c in t)) \
                or low in _OBJECT_STOPS or singularize(low) in _OBJECT_STOPS or low.endswith("ly"):
            break
        word = t if is_acronym(t) else low
        if words and words[-1].endswith("-"):
            words[-1] += word
        else:
            words.append(word)
        j += 1
    if not words or len(words) > 4 or words[-1].endswith("-"):
        return None
    if determined and not determined_ok and not (j < sent_end and v.lower[j] == "of"):
        return None  # "tracking the dynamics": the object is a thing the text has in mind
    last = words[-1]
    if last.endswith(("ed", "ing") + _ADJECTIVE_ENDINGS) or last in _GENERIC_OBJECTS:
        return None
    words[-1] = singularize(last)
    return words, j


#: Endings of adjectives, which end no noun phrase ("... makes predictions robust").
_ADJECTIVE_ENDINGS = ("ous", "ful", "less", "ical")


_RULE_RANK = {"naming-cue": 0, "title-colon": 1, "proposal-cue": 2, "abbreviation": 3,
              "gazetteer": 4, "dataset-head": 5, "coined-name": 6, "method-head": 7,
              "gazetteer-ambiguous": 8, "task-head": 9, "acronym": 10,
              "abbreviation-titlecase": 3, "eponym-head": 7, "technique-head": 8,
              "title-phrase": 8, "dataset-list": 5, "method-list": 8,
              "method-extension": 9, "task-phrase": 9, "task-list": 9}


def resolve_overlaps(cands: Iterable[Candidate]) -> list[Candidate]:
    """Keep a non-overlapping set: longer spans first, then the stronger rule.

    A rule that marks a proposal passes its flag to the span that wins over it.
    """
    # the trailing fields only break ties (equal ranks), so that the order never depends on
    # set iteration, i.e. on PYTHONHASHSEED: every process must extract the same
    ordered = sorted(set(cands), key=lambda c: (-(c.end - c.start), _RULE_RANK.get(c.rule, 99), c.start,
                                                c.rule, c.type, c.proposed, -1 if c.gazetteer is None else c.gazetteer))
    taken: list[Candidate] = []
    occupied: set[int] = set()
    for c in ordered:
        toks = set(range(c.start, c.end))
        if toks & occupied:
            if c.proposed:
                for k, t in enumerate(taken):
                    if set(range(t.start, t.end)) & toks and t.type == c.type and not t.proposed:
                        taken[k] = Candidate(t.start, t.end, t.type, t.rule, True, t.gazetteer)
            continue
        taken.append(c)
        occupied |= toks
    return sorted(taken, key=lambda c: c.start)


def span_text(span: Span) -> str:
    return span.text
