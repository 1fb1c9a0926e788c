"""Pure string normalisation for entity keys.

Two surface forms that name the same thing must get the same key: case, plural,
hyphen/space/underscore, Unicode dashes and quotes, Greek letters, "CIFAR10"/"CIFAR-10".
Nothing here looks at other papers; cross-paper resolution lives in :mod:`kg.link.resolve`.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from kg.schema import slugify

__all__ = ["canonical_key", "singularize", "fold_text", "strip_determiners", "squash"]

_DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"), "-")
_QUOTES = dict.fromkeys(map(ord, "\u2018\u2019\u201a\u201b\u2032"), "'")
_QUOTES.update(dict.fromkeys(map(ord, "\u201c\u201d\u201e\u201f\u2033"), '"'))

# Words whose final "s" is not a plural.
_NOT_PLURAL = {
    "analysis", "basis", "bias", "class", "loss", "less", "dynamics", "physics", "mathematics",
    "statistics", "genomics", "robotics", "economics", "kinetics", "mechanics", "electronics",
    "series", "species", "news", "gas", "lens", "mass", "process", "corpus", "status", "focus",
    "bus", "plus", "chaos", "kinesis", "synthesis", "thesis", "hypothesis", "diagnosis",
    "prognosis", "axis", "means", "always", "his", "its", "this", "us", "was", "ours",
    "yes", "cross", "boss", "access", "stress", "success", "address", "progress", "gps",
    "tts", "vs", "sars", "aids", "iris", "atlas", "xs", "nas", "moss",
}
_ES_PLURAL = re.compile(r"(?:ches|shes|sses|xes|zes)$")


def fold_text(text: str) -> str:
    """NFKC, unified dashes and quotes, whitespace folded; case kept.

    >>> fold_text("Kullback\u2013Leibler  divergence")
    'Kullback-Leibler divergence'
    """
    t = unicodedata.normalize("NFKC", text).translate(_DASHES).translate(_QUOTES)
    return " ".join(re.sub(r"-{2,}", "-", t).split())  # TeX "--" is one dash


def _singular_part(word: str) -> str:
    low = word.lower()
    if len(word) >= 3 and word[-1] == "s" and word[-2].isupper():
        return word[:-1]  # CNNs -> CNN, LoRAs -> LoRA
    if any(c.isupper() for c in word[1:]) or any(c.isdigit() for c in word):
        return word  # coined names and acronyms: "LeRF-OVS", "ReDoS", "GPUs4" stay as written
    if len(word) < 3 or low in _NOT_PLURAL or not low.endswith("s") or low.endswith(("ss", "us", "is")):
        return word
    if low.endswith("ices") and len(low) > 5:
        return word[:-4] + "ix"
    if low.endswith("ies") and len(low) > 4:
        return word[:-3] + "y"
    if _ES_PLURAL.search(low):
        return word[:-2]
    return word[:-1]


def singularize(word: str) -> str:
    """Singular of an English plural noun (the last part of a hyphenated word), conservatively.

    >>> [singularize(w) for w in ["Transformers", "networks", "dynamics", "CNNs", "matrices",
    ...                           "loss", "approaches", "LeRF-OVS", "ReDoS", "mixture-of-experts", "LoRAs"]]
    ['Transformer', 'network', 'dynamics', 'CNN', 'matrix', 'loss', 'approach', 'LeRF-OVS', 'ReDoS', 'mixture-of-expert', 'LoRA']
    """
    head, sep, last = word.rpartition("-")
    return head + sep + _singular_part(last)


_DETERMINERS = re.compile(r"^(?:the|a|an|our|their|its|this|these|those|such)\s+", re.IGNORECASE)


def strip_determiners(text: str) -> str:
    """``text`` without a leading determiner.

    >>> strip_determiners("the Deep Ensemble method")
    'Deep Ensemble method'
    """
    return _DETERMINERS.sub("", text)


_LETTER_DIGIT = re.compile(r"(?<=[a-z])-(?=\d)")
_POSSESSIVE = re.compile(r"(?:'s|')$")
_PLURAL_ACRONYM = re.compile(r"\b([A-Z]{2,}[0-9]*)s\b")


@lru_cache(maxsize=1 << 16)  # names repeat across papers; a pure function of the text
def canonical_key(text: str) -> str:
    """The normalised key under which variants of one name meet.

    Lower case, last word singular, dashes/spaces/underscores unified, a hyphen between a
    letter and a digit dropped (``CIFAR-10`` and ``CIFAR10`` meet), Greek spelled out.

    >>> canonical_key("Transformers") == canonical_key("transformer")
    True
    >>> canonical_key("CIFAR-10") == canonical_key("CIFAR10") == canonical_key("cifar 10")
    True
    >>> canonical_key("Mixture of Experts") == canonical_key("mixture-of-experts")
    True
    >>> canonical_key("β-VAE")
    'beta-vae'
    >>> canonical_key("CodeLlama's") == canonical_key("CodeLlama")
    True
    >>> canonical_key("LLMs-as-a-judge") == canonical_key("LLM-as-a-judge")
    True
    """
    t = _PLURAL_ACRONYM.sub(r"\1", _POSSESSIVE.sub("", strip_determiners(fold_text(text))))
    words = t.split(" ")
    if words:
        words[-1] = singularize(words[-1])
    slug = slugify(" ".join(words))
    return _LETTER_DIGIT.sub("", slug)


def squash(key: str) -> str:
    """A key with every separator removed: where "feed-forward" meets "feedforward".

    >>> squash(canonical_key("Qwen3-VL-235B")) == squash(canonical_key("Qwen3VL-235B"))
    True
    >>> squash(canonical_key("feed-forward network")) == squash(canonical_key("feedforward networks"))
    True
    >>> squash(canonical_key("UNet++")) == squash(canonical_key("U-Net"))
    False
    """
    return re.sub(r"[-\s_]+", "", key)
