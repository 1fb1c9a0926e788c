"""Schwartz-Hearst abbreviation detection, as pure functions over token sequences.

Schwartz & Hearst (2003), "A simple algorithm for identifying abbreviation definitions in
biomedical text": for "long form (SF)", walk the short form's characters right to left and
match each one, in order, in the words before the parenthesis; the first character of the
short form must start a word. The candidate long form is at most ``min(|SF| + 5, 2|SF|)``
words. We also accept the reverse form "SF (long form)" when the short form is a single
upper-case token.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["is_short_form", "find_long_form", "best_long_form_span"]


def is_short_form(text: str) -> bool:
    """Whether ``text`` can be an abbreviation: 2-10 characters, a letter first, not all lower.

    >>> [is_short_form(t) for t in ["DPO", "CIFAR-10", "e.g", "the", "BCIs", "x"]]
    [True, True, False, False, True, False]
    """
    if not (2 <= len(text) <= 10) or not text[0].isalnum() or " " in text:
        return False
    if not any(c.isalpha() for c in text):
        return False
    if text.lower() == text:
        return False
    return sum(c.isupper() for c in text) >= 2 or (text[0].isupper() and len(text) <= 5)


def find_long_form(short: str, words: Sequence[str]) -> int | None:
    """Index into ``words`` where the long form of ``short`` starts, or None.

    ``words`` are the tokens right before the parenthesis, in order.

    >>> words = "we use Direct Preference Optimization".split()
    >>> words[find_long_form("DPO", words):]
    ['Direct', 'Preference', 'Optimization']
    >>> find_long_form("XYZ", ["some", "other", "words"]) is None
    True
    """
    sf = [c.lower() for c in short if c.isalnum()]
    if not sf:
        return None
    max_words = min(len(sf) + 5, len(sf) * 2)
    window = list(words[-max_words:])
    offset = len(words) - len(window)
    text = " ".join(window).lower()
    s_i, l_i = len(sf) - 1, len(text) - 1
    while s_i >= 0:
        c = sf[s_i]
        while l_i >= 0 and (text[l_i] != c or (s_i == 0 and l_i > 0 and text[l_i - 1].isalnum())):
            l_i -= 1
        if l_i < 0:
            return None
        s_i -= 1
        l_i -= 1
    start_char = l_i + 1
    # map the character position back to a word index
    pos = 0
    for i, w in enumerate(window):
        if pos <= start_char < pos + len(w) + 1:
            if start_char != pos:  # the first SF letter must start a word
                return None
            return offset + i
        pos += len(w) + 1
    return None


def best_long_form_span(short: str, words: Sequence[str]) -> tuple[int, int] | None:
    """``(start, end)`` word indices of the long form in ``words`` (end exclusive), or None.

    Rejects long forms that are shorter than the abbreviation or that contain the
    abbreviation itself.

    >>> best_long_form_span("NTK", "the Neural Tangent Kernel".split())
    (1, 4)
    """
    start = find_long_form(short, words)
    if start is None:
        return None
    lf = list(words[start:])
    if not lf or len(" ".join(lf)) <= len(short) or short in lf:
        return None
    return start, len(words)
