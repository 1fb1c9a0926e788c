"""kg's shipped statistical NER model: load it once, tag a text, merge its spans with the rules.

The model (``benchmarks/ner/model/``, trained by :mod:`train_ner`) is a ``blank("en")``
pipeline with one small ``ner`` component; it needs no download and no network. Its spans carry
a *calibrated* confidence: the precision of the model's predictions of that label (and span
length) on held-out gold, read from ``calibration.json`` beside the model.

:func:`model_candidates` turns model spans into :class:`~kg.extract.candidates.Candidate` s of
the extractor's own ``Doc``, and :func:`merge_candidates` adds them to the rule candidates
under a policy (``"gaps"``: a model span is kept only where no rule candidate overlaps it).
Each model candidate's rule is ``ner-method``, ``ner-dataset`` or ``ner-task``, so every
mention still says what produced it.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Iterator, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

from kg.errors import KGError
from kg.extract.candidates import Candidate

__all__ = ["NerSpan", "NerModel", "MODEL_DIR", "NER_RULES", "default_model", "model_candidates",
           "merge_candidates", "span_bucket"]

MODEL_DIR = Path(__file__).parent / "model"
#: The rule name of a model candidate, by type.
NER_RULES = {"Method": "ner-method", "Dataset": "ner-dataset", "Task": "ner-task"}
#: Used when a label has no calibration entry (a model trained without a held-out set).
DEFAULT_CONFIDENCE = 0.5


class NerSpan(NamedTuple):
    """A model prediction: character offsets into the text, kg type, calibrated confidence."""

    start: int
    end: int
    type: str
    confidence: float


def span_bucket(label: str, text: str) -> str:
    """The calibration key of a span: its label and whether it is one word or several.

    >>> span_bucket("Method", "ResNet-18"), span_bucket("Task", "image classification")
    ('Method:1', 'Task:n')
    """
    return f"{label}:{'n' if len(text.split()) > 1 else '1'}"


class NerModel:
    """The shipped NER pipeline, loaded lazily on first use.

    Parameters
    ----------
    path : Path
        A directory written by :func:`train_ner.save` (default: the shipped model).
    """

    def __init__(self, path: Path | str = MODEL_DIR) -> None:
        self.path = Path(path)
        self._nlp: Any = None
        self._calibration: dict[str, float] = {}

    @property
    def nlp(self) -> Any:
        if self._nlp is None:
            import spacy

            if not (self.path / "config.cfg").exists():
                raise KGError(f"NER model not found at {str(self.path)!r}; rebuild it with "
                              "`python benchmarks/ner/train_ner.py --out benchmarks/ner/model`")
            self._nlp = spacy.load(self.path)
            cal = self.path / "calibration.json"
            if cal.exists():
                self._calibration = {str(k): float(v) for k, v in
                                     json.loads(cal.read_text(encoding="utf-8"))["precision"].items()}
        return self._nlp

    def confidence(self, label: str, text: str) -> float:
        """Held-out precision of the model's ``label`` spans of ``text``'s length class."""
        _ = self.nlp  # loads the calibration
        return self._calibration.get(span_bucket(label, text),
                                     self._calibration.get(label, DEFAULT_CONFIDENCE))

    def pipe(self, texts: Iterable[str], batch_size: int = 32) -> Iterator[list[NerSpan]]:
        """Spans for each text, in order."""
        for doc in self.nlp.pipe(texts, batch_size=batch_size):
            yield [NerSpan(e.start_char, e.end_char, e.label_,
                           round(self.confidence(e.label_, e.text), 3)) for e in doc.ents]

    def spans(self, text: str) -> list[NerSpan]:
        """The model's spans in ``text``.

        >>> m = default_model()
        >>> [(text[s.start:s.end], s.type) for text in ["We fine-tune BERT on SQuAD ."]
        ...  for s in m.spans(text)]  # doctest: +SKIP
        [('BERT', 'Method'), ('SQuAD', 'Dataset')]
        """
        return next(self.pipe([text]))


@lru_cache(maxsize=1)
def default_model() -> NerModel:
    """The shipped model, one instance per process (it loads on first use)."""
    return NerModel()


def model_candidates(doc: Any, spans: Sequence[NerSpan],
                     min_confidence: float = 0.0) -> list[Candidate]:
    """Model spans (character offsets into ``doc.text``) as candidates of ``doc``'s tokens.

    A span is widened to whole tokens of ``doc`` (its tokenizer is the extractor's, which may
    split differently from the model's). Spans below ``min_confidence`` are dropped.
    """
    out = []
    for s in spans:
        if s.confidence < min_confidence:
            continue
        span = doc.char_span(s.start, s.end, alignment_mode="expand")
        if span is not None and len(span) and s.type in NER_RULES:
            out.append(Candidate(span.start, span.end, s.type, NER_RULES[s.type]))
    return out


def _overlaps(c: Candidate, others: Iterable[Candidate]) -> bool:
    return any(c.start < o.end and o.start < c.end for o in others)


def merge_candidates(rule_cands: Sequence[Candidate], model_cands: Sequence[Candidate],
                     policy: str = "gaps", types: Collection[str] | None = None) -> list[Candidate]:
    """Rule candidates plus model candidates (of ``types`` only, when given), under ``policy``.

    ``"gaps"``
        a model span only where no rule candidate overlaps it (rules keep their boundaries
        and types; the model adds what they miss);
    ``"all"``
        every model span; :func:`~kg.extract.candidates.resolve_overlaps` then decides
        (longer spans win, so the model can replace a rule's shorter span);
    ``"none"``
        the rule candidates only.

    >>> r = [Candidate(0, 1, "Method", "gazetteer")]
    >>> m = [Candidate(0, 2, "Method", "ner-method"), Candidate(5, 6, "Dataset", "ner-dataset")]
    >>> [(c.start, c.rule) for c in merge_candidates(r, m)]
    [(0, 'gazetteer'), (5, 'ner-dataset')]
    """
    if types is not None:
        model_cands = [c for c in model_cands if c.type in types]
    if policy == "none":
        return list(rule_cands)
    if policy == "all":
        return [*rule_cands, *model_cands]
    if policy == "gaps":
        return [*rule_cands, *(c for c in model_cands if not _overlaps(c, rule_cands))]
    raise KGError(f"unknown NER merge policy {policy!r}; choose from gaps, all, none")
