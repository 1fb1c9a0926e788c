"""Readers for annotated ("gold") text: every format becomes :class:`GoldDoc`.

Formats (names for ``--gold-format``):

``kg``
    kg's own JSON lines, one paper per line: ``{id, title, abstract, methods_proposed,
    methods_used, datasets, tasks, domains}``, each entity ``{name, aliases, mentions}``
    (datasets also ``introduced``). Spans are every whole-word occurrence of each mention.
``scierc``
    SciERC JSON lines: ``sentences`` (token lists), ``ner`` per sentence ``[start, end, type]``
    with document-level *inclusive* token offsets. Method, Task, Material (-> Dataset).
``scirex``
    SciREX JSON lines: ``words``, ``sections``, ``ner [start, end, type]`` (end exclusive).
    Only the title and abstract are read (see :func:`read_scirex`).
``bioes``
    ``token<TAB>label`` with BIOES (or BIO) labels, a blank line between documents
    (cs-ner-orkg). METHOD, DATASET, TASK/RESEARCH_PROBLEM.
``conll``
    ``token<TAB>char_offset<TAB>BIO``, a blank line between sentences (TDMSci).
``dataset-sentences``
    One JSON object: ``documents[].body_text[]`` with ``text`` and
    ``annotation_spans[{start, end, text, type}]``; every span is a Dataset.

Token formats are rebuilt into text with single spaces between tokens (the CoNLL reader keeps
the gaps its character offsets record, which restores "TF-IDF" rather than "TF - IDF"), and
every span is a character range into :attr:`GoldDoc.full_text`. Mention-level gold (all but
``kg``) is grouped into entities per document: mentions with the same normalised surface are
one entity, and so are a name and the abbreviation in brackets right after it. A surface with
an abbreviation inside it ("convolutional neural networks ( CNNs )") also gives the name without
it and the abbreviation as aliases (:func:`bracket_variants`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kg.errors import UnknownFormat
from kg.link.normalize import canonical_key

__all__ = [
    "GoldEntity", "GoldDoc", "FORMATS", "TYPES", "SEPARATOR", "detect_format", "read_gold",
    "read_kg", "read_scierc", "read_scirex", "read_bioes", "read_conll",
    "read_dataset_sentences", "group_mentions", "find_occurrences", "tokens_to_text",
    "trim_span", "bracket_variants",
]

#: kg's entity types that gold is scored on.
TYPES = ("Method", "Dataset", "Task")
#: Between title and abstract, as in :mod:`kg.extract.pipeline`.
SEPARATOR = "\n\n"

# Gold labels -> kg types; labels not listed (Metric, OtherScientificTerm, Generic, SOLUTION,
# RESOURCE, TOOL, LANGUAGE, METRIC) are not scored.
LABELS = {
    "method": "Method", "task": "Task", "research_problem": "Task", "dataset": "Dataset",
    "material": "Dataset", "dataset_name": "Dataset",
}
_PTB = {"-LRB-": "(", "-RRB-": ")", "-LSB-": "[", "-RSB-": "]", "-LCB-": "{", "-RCB-": "}"}

Span = tuple[int, int]


@dataclass(frozen=True)
class GoldEntity:
    """One annotated entity of a document.

    ``surfaces`` holds the name, aliases and every mention string; ``role`` is ``PROPOSES``,
    ``USES``, ``INTRODUCES`` or ``EVALUATES_ON`` where the gold says, else ``None``; ``spans``
    are ``(start, end)`` character offsets into :attr:`GoldDoc.full_text` (may be empty).
    """

    type: str
    name: str
    surfaces: tuple[str, ...]
    role: str | None = None
    spans: tuple[Span, ...] = ()


@dataclass(frozen=True)
class GoldDoc:
    """One unit of gold: a paper (title + abstract), an abstract or a sentence.

    ``text`` is the abstract, or the whole text when the gold has no title. ``domains`` are
    the annotated domain labels (kg gold only); ``has_roles`` says whether entity roles were
    annotated.
    """

    id: str
    title: str
    text: str
    entities: tuple[GoldEntity, ...]
    domains: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    has_roles: bool = False

    @property
    def full_text(self) -> str:
        """``title + SEPARATOR + text`` (just ``text`` without a title): what spans index."""
        return self.title + SEPARATOR + self.text if self.title else self.text

    @property
    def text_offset(self) -> int:
        """Where :attr:`text` starts in :attr:`full_text`."""
        return len(self.title) + len(SEPARATOR) if self.title else 0


# -- shared helpers ------------------------------------------------------------------------

def tokens_to_text(tokens: Iterable[str], start: int = 0) -> tuple[str, list[Span]]:
    """Join tokens with single spaces; return the text and each token's character span.

    >>> tokens_to_text(["Deep", "-LRB-", "DQN", "-RRB-"])
    ('Deep ( DQN )', [(0, 4), (5, 6), (7, 10), (11, 12)])
    """
    parts: list[str] = []
    spans: list[Span] = []
    pos = start
    for tok in tokens:
        tok = _PTB.get(tok, tok)
        if parts:
            pos += 1
        parts.append(tok)
        spans.append((pos, pos + len(tok)))
        pos += len(tok)
    return " ".join(parts), spans


_WORD = re.compile(r"\w")


def find_occurrences(text: str, needle: str) -> list[Span]:
    """Every occurrence of ``needle`` in ``text`` not inside a longer word.

    Case-sensitive first; case-insensitive only when that finds nothing.

    >>> find_occurrences("CNN and NN; nn", "NN")
    [(8, 10)]
    """
    if not needle.strip():
        return []
    for flags in (0, re.IGNORECASE):
        out = []
        for m in re.finditer(re.escape(needle), text, flags):
            a, b = m.span()
            if a > 0 and _WORD.match(text[a - 1]) and _WORD.match(needle[0]):
                continue
            if b < len(text) and _WORD.match(text[b]) and _WORD.match(needle[-1]):
                continue
            out.append((a, b))
        if out:
            return out
    return []


_BRACKET_GAP = re.compile(r"^\s*[(\[]\s*$")
_PAIRS = {"(": ")", "[": "]", "{": "}"}
_CLOSERS = {v: k for k, v in _PAIRS.items()}


def trim_span(text: str, start: int, end: int) -> Span:
    """``[start, end)`` without quotes, trailing ``,.;:`` and unbalanced brackets at its edges.

    Whitespace-tokenised gold ("Recognition (NER)" as "(NER)") puts punctuation in spans.

    >>> t = "Named Entity Recognition (NER), and f(x)."
    >>> [t[a:b] for a, b in (trim_span(t, 25, 31), trim_span(t, 36, 41))]
    ['NER', 'f(x)']
    """
    a, b = start, end
    for _ in range(3):
        a, b = _trim_edges(text, a, b)
        inner = text[a + 1:b - 1]
        if b - a > 2 and text[a] in _PAIRS and text[b - 1] == _PAIRS[text[a]] \
                and text[a] not in inner and text[b - 1] not in inner:
            a, b = a + 1, b - 1  # "(NER)"
    return a, b


def _trim_edges(text: str, a: int, b: int) -> Span:
    while b - a > 1:
        c = text[a]
        if c in "\"'\u201c\u2018" or (c in _PAIRS and _PAIRS[c] not in text[a + 1:b]):
            a += 1
        else:
            break
    while b - a > 1:
        c = text[b - 1]
        if c in ",.;:\"'\u201d\u2019" or (c in _CLOSERS and _CLOSERS[c] not in text[a:b - 1]):
            b -= 1
        else:
            break
    return a, b


_INNER_ABBR = re.compile(r"^(.*?)\s*[(\[]\s*([^()\[\]\s]{1,15})\s*[)\]]\s*(.*)$")


def bracket_variants(surface: str) -> list[str]:
    """Names implied by a surface with an abbreviation in brackets inside it.

    >>> bracket_variants("convolutional neural networks ( CNNs )")
    ['convolutional neural networks', 'CNNs']
    >>> bracket_variants("Kullback-Leibler (KL) divergence"), bracket_variants("f(x)")
    (['Kullback-Leibler divergence', 'KL'], [])
    """
    m = _INNER_ABBR.match(surface)
    if not m or not m.group(1) or not any(c.isupper() for c in m.group(2)):
        return []
    return [" ".join(x for x in (m.group(1), m.group(3)) if x), m.group(2)]


def _with_variants(surfaces: Iterable[str]) -> tuple[str, ...]:
    surfaces = list(surfaces)
    return tuple(dict.fromkeys(surfaces + [v for s in surfaces for v in bracket_variants(s)]))


def group_mentions(text: str, mentions: Iterable[tuple[str, int, int]]) -> list[GoldEntity]:
    """Entities from ``(type, start, end)`` mentions of one document.

    Mentions of one type with the same normalised surface are one entity; a mention followed
    by its abbreviation in brackets ("Long Short-Term Memory ( LSTM )") joins the two, and so
    does a mention with the abbreviation inside it ("networks ( CNNs )") and "CNNs".

    >>> [(e.name, e.surfaces) for e in group_mentions("deep Q network ( DQN ) and DQN",
    ...     [("Method", 0, 14), ("Method", 17, 20), ("Method", 27, 30)])]
    [('deep Q network', ('deep Q network', 'DQN'))]
    """
    ments = sorted({(m[0], *trim_span(text, m[1], m[2])) for m in mentions
                    if m[0] in TYPES and m[1] < m[2]}, key=lambda m: m[1:])
    parent: dict[tuple[str, str], tuple[str, str]] = {}

    def find(k: tuple[str, str]) -> tuple[str, str]:
        while parent.setdefault(k, k) != k:
            k = parent[k]
        return k

    keys = [(t, canonical_key(text[a:b]) or text[a:b].lower()) for t, a, b in ments]
    for (t, a, b), key in zip(ments, keys):
        for v in bracket_variants(text[a:b]):  # "networks ( CNNs )" joins a later "CNNs"
            parent[find((t, canonical_key(v) or v.lower()))] = find(key)
    for i in range(len(ments) - 1):
        (t1, _, b1), (t2, a2, b2) = ments[i], ments[i + 1]
        if t1 == t2 and _BRACKET_GAP.match(text[b1:a2]) and text[b2:b2 + 3].strip()[:1] in (")", "]"):
            parent[find(keys[i + 1])] = find(keys[i])
    groups: dict[tuple[str, str], list[tuple[str, int, int]]] = {}
    for m, key in zip(ments, keys):
        groups.setdefault(find(key), []).append(m)
    out = []
    for (kind, _), ms in groups.items():
        surfaces = tuple(dict.fromkeys(text[a:b] for _, a, b in ms))
        out.append(GoldEntity(kind, surfaces[0], _with_variants(surfaces), None,
                              tuple((a, b) for _, a, b in ms)))
    return sorted(out, key=lambda e: e.spans[0])


def _label_type(label: str) -> str | None:
    return LABELS.get(label.strip().lower().replace("-", "_").replace(" ", "_"))


# -- kg JSON lines ------------------------------------------------------------------------

_KG_GROUPS = (("methods_proposed", "Method", "PROPOSES"), ("methods_used", "Method", "USES"),
              ("datasets", "Dataset", None), ("tasks", "Task", None))


def _kg_entity(full: str, kind: str, role: str | None, item: dict[str, Any]) -> GoldEntity:
    if kind == "Dataset":
        role = "INTRODUCES" if item.get("introduced") else "EVALUATES_ON"
    name = str(item["name"])
    aliases = [str(a) for a in item.get("aliases") or ()]
    mentions = [str(m) for m in item.get("mentions") or ()]
    spans = sorted({s for m in mentions for s in find_occurrences(full, m)})
    surfaces = _with_variants([name, *aliases, *mentions])
    return GoldEntity(kind, name, surfaces, role, tuple(spans))


def read_kg(path: Path) -> Iterator[GoldDoc]:
    """kg's gold JSON lines (see the module docstring)."""
    with Path(path).open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            rec = json.loads(line)
            title, abstract = rec.get("title") or "", rec.get("abstract") or ""
            full = title + SEPARATOR + abstract if title else abstract
            ents = [_kg_entity(full, kind, role, item)
                    for field, kind, role in _KG_GROUPS for item in rec.get(field) or ()]
            yield GoldDoc(str(rec.get("id") or f"{Path(path).name}:{n}"), title, abstract,
                          tuple(ents), tuple(rec.get("domains") or ()),
                          tuple(rec.get("categories") or ()), has_roles=True)


# -- SciERC and SciREX --------------------------------------------------------------------

def read_scierc(path: Path) -> Iterator[GoldDoc]:
    """SciERC JSON lines: one abstract per line; Material is scored as Dataset."""
    with Path(path).open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            rec = json.loads(line)
            tokens = [t for sent in rec["sentences"] for t in sent]
            text, spans = tokens_to_text(tokens)
            ments = []
            for sent in rec["ner"]:
                for a, b, label in sent:
                    kind = _label_type(label)
                    if kind:
                        ments.append((kind, spans[a][0], spans[b][1]))
            doc_id = str(rec.get("doc_key") or f"{Path(path).name}:{n}")
            yield GoldDoc(doc_id, "", text, tuple(group_mentions(text, ments)))


def _scirex_parts(rec: dict[str, Any]) -> tuple[Span, Span] | None:
    """Token ranges of the title and the abstract, or None when there is no abstract.

    Two layouts occur: ``sections[0]`` = "document : <title> <abstract>" (the title is its
    first sentence), or ``sections[0]`` = the title and ``sections[1]`` = "section : Abstract
    ...". The first is by far the more common in both files.
    """
    words, secs = rec["words"], rec["sections"]
    s0 = secs[0]
    if len(secs) > 1:
        s1 = secs[1]
        head = words[s1[0]:s1[0] + 3]
        if len(head) == 3 and head[0] == "section" and head[2].lower().startswith("abstract"):
            return (s0[0], s0[1]), (s1[0] + 3, s1[1])
    start = s0[0] + 2 if words[s0[0]:s0[0] + 2] == ["document", ":"] else s0[0]
    first = next((s for s in rec.get("sentences") or () if s[0] <= s0[0] < s[1]), None)
    if first is None or first[1] >= s0[1]:
        return None
    return (start, first[1]), (first[1], s0[1])


def read_scirex(path: Path, min_words: int = 20) -> Iterator[GoldDoc]:
    """SciREX JSON lines, scored on the title and abstract only.

    Documents whose abstract has fewer than ``min_words`` words are skipped (a handful have
    only a title). Mentions are grouped by SciREX's coreference clusters where they belong to
    one, otherwise by surface.
    """
    with Path(path).open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            rec = json.loads(line)
            parts = _scirex_parts(rec)
            if parts is None or parts[1][1] - parts[1][0] < min_words:
                continue
            (t0, t1), (a0, a1) = parts
            words = rec["words"]
            title, tspans = tokens_to_text(words[t0:t1])
            offset = len(title) + len(SEPARATOR) if title else 0
            text, aspans = tokens_to_text(words[a0:a1], offset)
            char = {t0 + i: s for i, s in enumerate(tspans)}
            char.update({a0 + i: s for i, s in enumerate(aspans)})
            full = title + SEPARATOR + text if title else text
            cluster = {(a, b): name for name, spans in (rec.get("coref") or {}).items()
                       for a, b in spans}
            ments: dict[str, list[tuple[str, int, int]]] = {}
            for a, b, label in rec["ner"]:
                kind = _label_type(label)
                if not kind or a not in char or b - 1 not in char:
                    continue
                if (a < t1) != (b - 1 < t1):
                    continue  # straddles title and abstract
                key = cluster.get((a, b), "")
                ments.setdefault(key, []).append((kind, char[a][0], char[b - 1][1]))
            ents = list(group_mentions(full, ments.pop("", [])))
            for ms in ments.values():
                for kind in dict.fromkeys(k for k, _, _ in ms):
                    sub = [m for m in ms if m[0] == kind]
                    surfaces = _with_variants(dict.fromkeys(full[a:b] for _, a, b in sub))
                    ents.append(GoldEntity(kind, surfaces[0], surfaces, None,
                                           tuple(sorted((a, b) for _, a, b in sub))))
            ents = _merge_same_surface(ents)
            yield GoldDoc(str(rec.get("doc_id") or n), title, text, tuple(ents))


def _merge_same_surface(ents: list[GoldEntity]) -> list[GoldEntity]:
    """Join entities of one type that share a normalised surface (cluster vs no cluster)."""
    out: list[GoldEntity] = []
    index: dict[tuple[str, str], int] = {}
    for e in ents:
        keys = [(e.type, canonical_key(s)) for s in e.surfaces]
        hit = next((index[k] for k in keys if k in index), None)
        if hit is None:
            out.append(e)
            hit = len(out) - 1
        else:
            o = out[hit]
            out[hit] = GoldEntity(o.type, o.name, tuple(dict.fromkeys(o.surfaces + e.surfaces)),
                                  o.role, tuple(sorted(set(o.spans + e.spans))))
        for k in keys:
            index.setdefault(k, hit)
    return sorted(out, key=lambda e: e.spans[0] if e.spans else (0, 0))


# -- token files --------------------------------------------------------------------------

def _blocks(path: Path, fields: int) -> Iterator[list[list[str]]]:
    """Runs of non-blank lines split on tabs (each row padded to ``fields`` columns)."""
    block: list[list[str]] = []
    with Path(path).open(encoding="utf-8") as fh:
        for line in fh:
            line = line.rstrip("\n").rstrip("\r")
            if not line.strip():
                if block:
                    yield block
                block = []
                continue
            cols = line.split("\t")
            block.append((cols + [""] * fields)[:fields])
    if block:
        yield block


def _decode_tags(tags: list[str]) -> list[tuple[str, int, int]]:
    """``(type, first token, last token + 1)`` from BIOES or BIO tags; tolerant of errors.

    >>> _decode_tags(["B-METHOD", "E-METHOD", "O", "S-DATASET", "I-TASK", "I-TASK"])
    [('METHOD', 0, 2), ('DATASET', 3, 4), ('TASK', 4, 6)]
    """
    out: list[tuple[str, int, int]] = []
    cur: list[Any] | None = None
    for i, tag in enumerate(tags + ["O"]):
        prefix, _, label = tag.partition("-")
        if prefix not in ("B", "I", "E", "S") or not label:
            prefix, label = "O", ""
        if cur is not None and (prefix in ("O", "B", "S") or label != cur[0]):
            out.append((cur[0], cur[1], i))
            cur = None
        if prefix in ("B", "I", "E") and cur is None:
            cur = [label, i]
        if prefix == "S":
            out.append((label, i, i + 1))
        if prefix == "E" and cur is not None:
            out.append((cur[0], cur[1], i + 1))
            cur = None
    return out


def read_bioes(path: Path) -> Iterator[GoldDoc]:
    """``token<TAB>label`` files, one document per blank-line-separated block."""
    for n, block in enumerate(_blocks(path, 2), 1):
        text, spans = tokens_to_text(row[0] for row in block)
        ments = []
        for label, a, b in _decode_tags([row[1].strip() for row in block]):
            kind = _label_type(label)
            if kind:
                ments.append((kind, spans[a][0], spans[b - 1][1]))
        yield GoldDoc(f"{Path(path).name}:{n}", "", text, tuple(group_mentions(text, ments)))


def _conll_text(rows: list[list[str]]) -> tuple[str, list[Span]]:
    """Text from tokens placed at their recorded offsets (single spaces if those disagree)."""
    try:
        offs = [int(r[1]) for r in rows]
    except ValueError:
        return tokens_to_text(r[0] for r in rows)
    base, spans, prev = offs[0], [], offs[0]
    for (tok, *_), off in zip(rows, offs):
        if off < prev:
            return tokens_to_text(r[0] for r in rows)
        spans.append((off - base, off - base + len(tok)))
        prev = off + len(tok)
    chars = [" "] * (spans[-1][1] if spans else 0)
    for (tok, *_), (a, b) in zip(rows, spans):
        chars[a:b] = tok
    return "".join(chars), spans


def read_conll(path: Path) -> Iterator[GoldDoc]:
    """``token<TAB>char_offset<TAB>BIO`` files (TDMSci), one document per sentence."""
    for n, block in enumerate(_blocks(path, 3), 1):
        text, spans = _conll_text(block)
        ments = []
        for label, a, b in _decode_tags([row[2].strip() for row in block]):
            kind = _label_type(label)
            if kind:
                ments.append((kind, spans[a][0], spans[b - 1][1]))
        yield GoldDoc(f"{Path(path).name}:{n}", "", text, tuple(group_mentions(text, ments)))


# -- dataset-sentences --------------------------------------------------------------------

def read_dataset_sentences(path: Path) -> Iterator[GoldDoc]:
    """The dataset-sentences JSON: each ``body_text`` entry is one document."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    for i, doc in enumerate(data.get("documents") or ()):
        base = str(doc.get("id") or i)
        for j, part in enumerate(doc.get("body_text") or ()):
            text = part.get("text") or ""
            ments = [("Dataset", int(s["start"]), int(s["end"]))
                     for s in part.get("annotation_spans") or ()
                     if _label_type(s.get("type") or "dataset_name") == "Dataset"]
            yield GoldDoc(f"{base}:{j}", "", text, tuple(group_mentions(text, ments)))


# -- format detection ---------------------------------------------------------------------

Reader = Callable[[Path], Iterator[GoldDoc]]
FORMATS: dict[str, Reader] = {
    "kg": read_kg, "scierc": read_scierc, "scirex": read_scirex, "bioes": read_bioes,
    "conll": read_conll, "dataset-sentences": read_dataset_sentences,
}
_TAG = re.compile(r"^(?:O|[BIES]-[A-Za-z_]+)$")


def _first_lines(path: Path, n: int = 20) -> list[str]:
    out = []
    with Path(path).open(encoding="utf-8", errors="replace") as fh:
        for line in fh:
            if line.strip():
                out.append(line.rstrip("\n"))
                if len(out) >= n:
                    break
    return out


def detect_format(path: Path) -> str:
    """The gold format of ``path``, from its content (and its name when content is unclear).

    Raises
    ------
    UnknownFormat
        When the content matches none of :data:`FORMATS`.
    """
    path = Path(path)
    with path.open(encoding="utf-8", errors="replace") as fh:
        head = fh.read(4096)
        fh.seek(0)
        line = next((x for x in fh if x.strip()), "")
    if head.lstrip().startswith("{"):
        try:
            first = json.loads(line)
        except ValueError:
            first = None
        if isinstance(first, dict):
            keys = set(first)
            if {"sentences", "ner"} <= keys and "words" not in keys:
                return "scierc"
            if {"words", "sections", "ner"} <= keys:
                return "scirex"
            if "abstract" in keys and keys & {"methods_proposed", "methods_used", "tasks", "datasets"}:
                return "kg"
        if '"documents"' in head or "'documents'" in head:
            return "dataset-sentences"
    rows = [line.split("\t") for line in _first_lines(path)]
    if rows and all(len(r) == 3 and r[1].strip().isdigit() and _TAG.match(r[2].strip()) for r in rows):
        return "conll"
    if rows and all(len(r) == 2 and _TAG.match(r[1].strip()) for r in rows):
        return "bioes"
    suffix = {".conll": "conll", ".data": "bioes"}.get(path.suffix)
    if suffix:
        return suffix
    raise UnknownFormat(str(path), sorted(FORMATS))


def read_gold(path: Path | str, fmt: str | None = None) -> Iterator[GoldDoc]:
    """Gold documents from ``path`` in ``fmt`` (detected when ``None``).

    Raises
    ------
    UnknownFormat
        When ``fmt`` is not one of :data:`FORMATS` or the format cannot be detected.
    """
    path = Path(path)
    if fmt is None:
        fmt = detect_format(path)
    if fmt not in FORMATS:
        raise UnknownFormat(f"format {fmt!r}", sorted(FORMATS))
    return FORMATS[fmt](path)
