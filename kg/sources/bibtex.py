"""BibTeX / biblatex files ("kg.bibtex.v1"), parsed with bibtexparser v2.

Fields read: ``title`` (LaTeX braces and common accent macros removed), ``abstract``,
``author`` ("Last, First and First Last and ..." -> "First Last"), ``year``, biblatex's
``date``, ``doi``, and the
arXiv id from ``eprint`` when ``archivePrefix``/``eprinttype`` is arXiv (or the eprint looks like
an arXiv id), else from an ``arxiv.org`` ``url``; ``primaryClass``/``eprintclass`` is the
category. Each entry is located as ``entry KEY``. A block bibtexparser could not parse (an
unbalanced brace, a duplicate key) is a reject with its line; ``@string``, ``@preamble`` and
comments are skipped. Without an arXiv id or DOI the paper id comes from the title: citation
keys are only unique within one file.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bibtexparser.entrypoint import parse_string
from bibtexparser.model import DuplicateBlockKeyBlock, Entry, ParsingFailedBlock

from kg.model import Paper, Reject
from kg.sources.base import normalize_arxiv_id, register
from kg.sources.records import as_date, as_text, as_year, build_paper, excerpt, papers_from

__all__ = ["read", "sniff", "detex", "bib_authors", "entry_paper"]

_ENTRY_START = re.compile(r"^[ \t]*@[A-Za-z]+[ \t]*[{(]", re.MULTILINE)
_ACCENTS = {
    "'": "\u0301", "`": "\u0300", "^": "\u0302", '"': "\u0308", "~": "\u0303", "=": "\u0304",
    ".": "\u0307", "c": "\u0327", "v": "\u030c", "u": "\u0306", "H": "\u030b", "k": "\u0328",
}
_ACCENT = re.compile(r"\\([`'^\"~=.]|[cvuHk](?=[\s{]))\s*\{?\s*\\?([A-Za-z])\}?")
_SYMBOLS = {r"\&": "&", r"\%": "%", r"\_": "_", r"\$": "$", r"\#": "#", r"\ss": "ß", r"\o": "ø",
            r"\O": "Ø", r"\ae": "æ", r"\l": "ł", r"\i": "ı", "~": " ", "---": "—", "--": "–"}
_KEY = re.compile(r"@[A-Za-z]+\s*[{(]\s*([^,\s{}()]+)\s*,")


def sniff(head: str, path: Path) -> bool:
    """An ``@type{`` entry start at the beginning of a line, in a file that is not JSON or XML.

    >>> sniff("% refs\\n@article{k1, title={T}}\\n", Path("refs.txt"))
    True
    """
    return (head.lstrip("\ufeff \t\r\n")[:1] not in ("{", "[", "<")
            and _ENTRY_START.search(head) is not None)


def detex(text: str) -> str:
    """``text`` without LaTeX grouping braces, with accents and common escapes turned into characters.

    >>> detex(r"{BERT}: Pre-training of Deep {B}idirectional Transformers")
    'BERT: Pre-training of Deep Bidirectional Transformers'
    >>> detex(r"G{\\"o}del and Erd\\H{o}s -- a \\& b")
    'Gödel and Erdős – a & b'
    """
    text = _ACCENT.sub(lambda m: unicodedata.normalize("NFC", m.group(2) + _ACCENTS[m.group(1)]), text)
    for macro, char in sorted(_SYMBOLS.items(), key=lambda kv: -len(kv[0])):
        if macro.startswith("\\") and macro[1:].isalpha():
            text = re.sub(re.escape(macro) + r"(?![A-Za-z])\s*", char, text)
        else:
            text = text.replace(macro, char)
    return text.replace("{", "").replace("}", "")


def _split_and(text: str) -> list[str]:
    """Split on `` and `` outside braces (``{Barnes and Noble}`` stays one name)."""
    parts: list[str] = []
    depth = start = 0
    for m in re.finditer(r"[{}]|\s+and\s+", text, re.IGNORECASE):
        tok = m.group(0)
        if tok == "{":
            depth += 1
        elif tok == "}":
            depth = max(0, depth - 1)
        elif depth == 0:
            parts.append(text[start:m.start()])
            start = m.end()
    parts.append(text[start:])
    return [p.strip() for p in parts if p.strip()]


def bib_authors(text: str) -> tuple[str, ...]:
    """"First Last" names from a BibTeX ``author`` field.

    >>> bib_authors("Vaswani, Ashish and Noam Shazeer and {Google Research} and others")
    ('Ashish Vaswani', 'Noam Shazeer', 'Google Research')
    """
    names: list[str] = []
    for part in _split_and(text):
        if part.lower() == "others":
            continue
        pieces = [p.strip() for p in part.split(",")] if part.count(",") <= 2 else [part]
        if len(pieces) == 3:  # "von Last, Jr, First"
            pieces = [f"{pieces[2]} {pieces[0]} {pieces[1]}"]
        elif len(pieces) == 2:
            pieces = [f"{pieces[1]} {pieces[0]}"]
        names.append(" ".join(detex(pieces[0]).split()))
    return tuple(dict.fromkeys(n for n in names if n))


def _field(entry: Entry, *names: str) -> str:
    fields = {k.lower(): v for k, v in entry.fields_dict.items()}
    for name in names:
        if name in fields:
            return as_text(fields[name].value if isinstance(fields[name].value, str) else None, name)
    return ""


def _arxiv_id(entry: Entry) -> str | None:
    eprint = _field(entry, "eprint")
    prefix = (_field(entry, "archiveprefix") or _field(entry, "eprinttype")).lower()
    if eprint and (prefix == "arxiv" or not prefix):
        found = normalize_arxiv_id(eprint)
        if found:
            return found
    url = _field(entry, "url")
    return normalize_arxiv_id(url) if "arxiv.org/" in url else None


def entry_paper(entry: Entry, source: str) -> Paper:
    """A paper from one parsed BibTeX entry."""
    category = _field(entry, "primaryclass", "eprintclass")
    authors = bib_authors(_field(entry, "author"))
    date, date_raw, year = as_date(_field(entry, "date"))  # biblatex's ISO date
    return build_paper(
        source, title=" ".join(detex(_field(entry, "title")).split()),
        abstract=_field(entry, "abstract"), date=date, date_raw=date_raw,
        year=as_year(_field(entry, "year") or None) or year,
        authors=authors, author_count=len(authors) or None,
        categories=(category,) if category else (), doi=_field(entry, "doi") or None,
        arxiv_id=_arxiv_id(entry))


def _drop(record: logging.LogRecord) -> bool:
    return False


def _blocks(path: Path) -> Iterator[Reject | tuple[str, Any]]:
    source = str(path)
    text = path.read_bytes().decode("utf-8", "surrogateescape").lstrip("\ufeff")
    splitter_log = logging.getLogger("bibtexparser.splitter")
    splitter_log.addFilter(_drop)  # its warnings repeat the rejects yielded below
    try:
        library = parse_string(text)
    except Exception as err:  # bibtexparser's own failure on odd input must not stop a whole run
        yield Reject(source, "document", f"bibtexparser could not read the file: {err}", excerpt(text))
        return
    finally:
        splitter_log.removeFilter(_drop)
    for block in library.blocks:
        if isinstance(block, Entry):
            yield f"entry {block.key}", block
        elif isinstance(block, ParsingFailedBlock):
            raw = block.raw or ""
            m = _KEY.search(raw)
            line = (block.start_line or 0) + 1
            where = f"entry {m.group(1)}" if m else f"line {line}"
            if isinstance(block, DuplicateBlockKeyBlock):
                reason = f"duplicate entry key {block.key!r} at line {line}: only the first is read"
            else:
                reason = (f"BibTeX syntax error in the block at line {line} (unbalanced braces or "
                          f"quotes?): {block.error}")
            yield Reject(source, where, reason, excerpt(raw))


@register("kg.bibtex.v1", "BibTeX/biblatex (@article{key, title, author, year, abstract, doi, "
          "eprint, archivePrefix})", sniff, priority=20)
def read(path: Path) -> Iterator[Paper | Reject]:
    """Papers from a BibTeX file; see the module docstring for the fields read."""
    yield from papers_from(str(path), _blocks(path), entry_paper)

