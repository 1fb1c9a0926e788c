"""A doc's tokens as plain Python lists, for rules that scan every token, and its sentences.

Creating a spaCy ``Token`` object costs more than the rule that reads it; the extractor's rules
read :class:`TokenView` lists instead and create tokens only where a rule fires. The view also
splits the doc into sentences (spaCy's ``sentencizer`` rule, without its per-token objects) and
writes them into the doc, so ``Token.sent`` and ``Doc.sents`` agree with it.
"""

from __future__ import annotations

import numpy
from spacy.attrs import IDX, IS_PUNCT, LENGTH, SENT_START, SPACY
from spacy.pipeline import Sentencizer
from spacy.tokens import Doc

__all__ = ["TokenView", "view"]

_SENTENCE_END = frozenset(Sentencizer.default_punct_chars)


class TokenView:
    """A doc's tokens as plain lists, built once per doc.

    ``text``/``lower``/``ws``/``idx`` are each token's ``text``, ``lower_``, whether whitespace
    follows it, and its character offset; ``sent_start[i]``/``sent_end[i]`` bound the sentence
    of token ``i`` (``tok.sent``) once :meth:`split_sentences` ran, or from the doc's own
    sentence boundaries if it has them.
    """

    __slots__ = ("text", "lower", "ws", "idx", "punct", "sent_start", "sent_end", "doc_text")

    def __init__(self, doc: Doc, text: str | None = None) -> None:
        self.doc_text = doc.text if text is None else text
        rows = doc.to_array([IDX, LENGTH, SPACY, IS_PUNCT]).tolist() if len(doc) else []
        t = self.doc_text
        self.idx: list[int] = [r[0] for r in rows]
        self.text: list[str] = [t[r[0]:r[0] + r[1]] for r in rows]
        self.lower: list[str] = [w.lower() for w in self.text]  # spaCy's LOWER is str.lower
        self.ws: list[bool] = [bool(r[2]) for r in rows]
        self.punct: list[bool] = [bool(r[3]) for r in rows]
        self.sent_start: list[int] = [0] * len(rows)
        self.sent_end: list[int] = [len(rows)] * len(rows)
        if doc.has_annotation("SENT_START"):
            self._read_sentences(doc)

    def span(self, start: int, end: int) -> str:
        """``doc[start:end].text``."""
        if end <= start:
            return ""
        return self.doc_text[self.idx[start]:self.idx[end - 1] + len(self.text[end - 1])]

    def sentence(self, i: int) -> str:
        """The text of token ``i``'s sentence (``doc[i].sent.text``)."""
        return self.span(self.sent_start[i], self.sent_end[i])

    def split_sentences(self, doc: Doc, starts: tuple[int, ...] = ()) -> None:
        """Split ``doc`` into sentences as spaCy's ``sentencizer`` does (a sentence ends after a
        run of ``.``/``!``/``?``-like tokens, before the next token that is not punctuation),
        plus a sentence at each index in ``starts``; set them on the doc and in this view."""
        n = len(self.text)
        if not n:
            return
        first = [False] * n
        first[0] = True
        start, seen_end = 0, False
        for i, (text, punct) in enumerate(zip(self.text, self.punct)):
            ends = text in _SENTENCE_END
            if seen_end and not punct and not ends:
                first[start] = True
                start, seen_end = i, False
            elif ends:
                seen_end = True
        first[start] = True
        for i in starts:
            if 0 <= i < n:
                first[i] = True
        flags = numpy.array([1 if f else -1 for f in first], dtype="int64").astype("uint64")
        doc.from_array([SENT_START], flags)
        begin = 0
        for i in range(1, n + 1):
            if i == n or first[i]:
                self.sent_start[begin:i] = [begin] * (i - begin)
                self.sent_end[begin:i] = [i] * (i - begin)
                begin = i

    def _read_sentences(self, doc: Doc) -> None:
        for sent in doc.sents:
            k = sent.end - sent.start
            self.sent_start[sent.start:sent.end] = [sent.start] * k
            self.sent_end[sent.start:sent.end] = [sent.end] * k


_VIEW = "kg.token_view"


def view(doc: Doc, *, text: str | None = None) -> TokenView:
    """The doc's :class:`TokenView`, kept in ``doc.user_data``. ``text`` is the text the doc was
    made from, if the caller has it (``doc.text`` rebuilds it token by token)."""
    v = doc.user_data.get(_VIEW)
    if v is None:
        v = doc.user_data[_VIEW] = TokenView(doc, text)
    return v  # type: ignore[no-any-return]
