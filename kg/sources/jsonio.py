"""Reading JSON records tolerantly: JSON Lines, a JSON array, one object, or an API envelope.

:func:`iter_json` yields ``(location, value)`` for every record it can parse and a
:class:`~kg.model.Reject` for every one it cannot, so the format readers only convert objects.
JSON Lines are streamed line by line (``"line N"``); whole documents are decoded once with
``surrogateescape`` so that invalid UTF-8 inside one record only marks that record
(``"record N"``), and a broken array resumes at the next object that parses.

The sniffing helpers look at the first bytes only: :func:`json_start` (the first character)
and :func:`json_keys` (every ``"key":`` seen, nested ones included, so a truncated head still
tells its format).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from kg.model import Reject
from kg.sources.records import excerpt

__all__ = ["WRAPPER_KEYS", "iter_json", "json_start", "json_keys"]

#: Keys under which API responses wrap their list of records (OpenAlex ``results``, S2 ``data``).
WRAPPER_KEYS = ("results", "data", "papers", "records", "items", "works")

_KEY = re.compile(r'"([^"\\\n]{1,64})"\s*:')
_DECODER = json.JSONDecoder(strict=False)
_WS = re.compile(r"[ \t\r\n]*")


def _skip_ws(text: str, pos: int) -> int:
    m = _WS.match(text, pos)
    return m.end() if m else pos


def json_start(head: str) -> str:
    """The first non-blank character of ``head`` ("" if none), after a byte-order mark.

    >>> json_start('\\ufeff  [{"a": 1}]')
    '['
    """
    text = head.lstrip("\ufeff \t\r\n")
    return text[:1]


def json_keys(head: str) -> set[str]:
    """Every ``"key":`` in ``head`` when it starts like JSON, else an empty set.

    >>> sorted(json_keys('{"id": "1", "paper": {"title": "x"'))
    ['id', 'paper', 'title']
    """
    if json_start(head) not in ("{", "["):
        return set()
    return set(_KEY.findall(head))


def _loads(text: str) -> Any:
    return _DECODER.decode(text)


_BAD_JSON = (ValueError, RecursionError)  # JSONDecodeError, a 5,000-digit number, deep nesting


def _error(err: Exception) -> str:
    """A reader's reason for one of :data:`_BAD_JSON`."""
    if isinstance(err, json.JSONDecodeError):
        return f"not valid JSON: {err.msg} (line {err.lineno}, column {err.colno})"
    if isinstance(err, RecursionError):
        return "not valid JSON: nested too deeply"
    return f"not valid JSON: {err}"


def _looks_like_lines(path: Path) -> bool:
    """Whether a file starting with ``{`` is JSON Lines rather than one pretty-printed object.

    It is when it has several non-blank lines and one of the first five is a whole JSON value
    on its own or is shaped like a one-line object (the first may be truncated). A file of one
    line is read as one document.
    """
    lines: list[str] = []
    with path.open("rb") as fh:
        for raw in fh:
            if raw.strip():
                lines.append(raw.decode("utf-8", "surrogateescape").strip().lstrip("\ufeff"))
            if len(lines) == 5:
                break
    if len(lines) < 2:
        return False
    for line in lines:
        if line.startswith("{") and line.endswith("}") and len(line) > 2:
            return True
        try:
            _loads(line)
            return True
        except _BAD_JSON:
            pass
    return False


def _wrapped(value: Any, wrappers: tuple[str, ...]) -> list[Any] | None:
    """The records list of an API envelope (``{"results": [...]}``), or None."""
    if isinstance(value, dict):
        for key in wrappers:
            if isinstance(value.get(key), list):
                return list(value[key])
    return None


def _iter_lines(path: Path, source: str, wrappers: tuple[str, ...]) -> Iterator[Reject | tuple[str, Any]]:
    with path.open("rb") as fh:
        for number, raw in enumerate(fh, 1):
            text = raw.decode("utf-8", "surrogateescape")
            if number == 1:
                text = text.lstrip("\ufeff")
            if not text.strip():
                continue
            try:
                value = _loads(text)
            except _BAD_JSON as err:
                hint = "; the line is truncated or malformed" if isinstance(err, json.JSONDecodeError) else ""
                yield Reject(source, f"line {number}", _error(err) + hint, excerpt(raw))
            else:
                items = _wrapped(value, wrappers)
                if items is None:
                    yield f"line {number}", value
                else:  # a page of an API response on each line
                    for index, item in enumerate(items, 1):
                        yield f"line {number}, record {index}", item


def _iter_array(text: str, start: int, source: str) -> Iterator[Reject | tuple[str, Any]]:
    """Records of the array whose ``[`` is at ``start``; a broken record is skipped by brackets."""
    pos, number = start + 1, 0
    while True:
        pos = _skip_ws(text, pos)
        if pos >= len(text):
            yield Reject(source, "document", "the JSON array is not closed: the file looks truncated")
            return
        if text[pos] == "]":
            return
        if text[pos] == ",":  # after a record, or an empty slot
            pos += 1
            continue
        number += 1
        try:
            value, end = _DECODER.raw_decode(text, pos)
        except _BAD_JSON as err:
            yield Reject(source, f"record {number}", _error(err), excerpt(text[pos:pos + 200]))
            skipped = _skip_value(text, pos)
            if skipped is None:
                return
            pos = skipped
            continue
        yield f"record {number}", value
        pos = end


_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|"|[{}\[\],]', re.DOTALL)


def _skip_value(text: str, pos: int) -> int | None:
    """Where the (broken) array element starting at ``pos`` ends, by matching brackets outside
    strings; None if it runs to the end of the text (a truncated file)."""
    depth = 0
    for m in _TOKEN.finditer(text, pos):
        tok = m.group(0)
        if tok[0] == '"':
            if len(tok) == 1:
                return None  # an unterminated string
        elif tok in "{[":
            depth += 1
        elif tok in "}]":
            depth -= 1
            if depth == 0:
                return m.end()
            if depth < 0:  # the array's own "]" (or a stray "}")
                return m.start() if tok == "]" else m.end()
        elif depth == 0:  # "," ends a scalar element
            return m.start()
    return None


def _iter_document(text: str, source: str, wrappers: tuple[str, ...]) -> Iterator[Reject | tuple[str, Any]]:
    try:
        value = _loads(text)
    except _BAD_JSON as err:
        m = re.search(r'"(?:%s)"\s*:\s*\[' % "|".join(map(re.escape, wrappers)), text)
        if m:  # a broken envelope: read the records array anyway
            yield from _iter_array(text, m.end() - 1, source)
            return
        yield Reject(source, "document", _error(err), excerpt(text[:200]))
        return
    items = _wrapped(value, wrappers)
    if items is not None:
        for number, item in enumerate(items, 1):
            yield f"record {number}", item
    elif isinstance(value, dict):
        yield "record 1", value
    elif isinstance(value, list):
        for number, item in enumerate(value, 1):
            yield f"record {number}", item
    else:
        yield "document", value


def iter_json(path: Path, wrappers: tuple[str, ...] = WRAPPER_KEYS) -> Iterator[Reject | tuple[str, Any]]:
    """``(location, value)`` for each JSON record in ``path``, or a reject for each broken one.

    The layout is told from the content: a top-level ``[`` is an array; JSON Lines are lines that
    each hold an object; otherwise the file is one document, either a record or an envelope
    holding the records under one of ``wrappers``.
    """
    source = str(path)
    with path.open("rb") as fh:
        head = fh.read(65536).decode("utf-8", "replace")
    first = json_start(head)
    if first == "{" and _looks_like_lines(path):
        yield from _iter_lines(path, source, wrappers)
        return
    text = path.read_bytes().decode("utf-8", "surrogateescape").lstrip("\ufeff")
    if first == "[":
        yield from _iter_array(text, text.index("["), source)
    else:
        yield from _iter_document(text, source, wrappers)
