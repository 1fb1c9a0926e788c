"""Sizes of Bolt messages and of Cypher literals, to keep every message under a byte limit.

:func:`packstream_size` is the exact PackStream encoding size of a value, and
:func:`run_message_size` that of a Bolt ``RUN`` message; :func:`literal_size` bounds the
value written as Cypher literal text (what FalkorDB's Bolt endpoint turns parameters into);
:func:`statement_size`, the larger of the two, is what :mod:`kg.export.rows` holds each
statement to.
"""

from __future__ import annotations

from typing import Any

__all__ = ["MESSAGE_MARGIN", "header_size", "packstream_size", "run_message_size",
           "literal_size", "statement_size"]

#: Bytes added to the exact PackStream size of a RUN message: Bolt chunk headers (2 bytes per
#: 64 KiB chunk, 2 for the end marker) and room for a non-empty ``extra`` map.
MESSAGE_MARGIN = 32


def header_size(n: int, tiny: bool = True) -> int:
    """Bytes of the PackStream marker of a string, list or map of ``n`` items (or bytes).

    >>> header_size(3), header_size(300)
    (1, 3)
    """
    if tiny and n < 0x10:
        return 1
    if n < 0x100:
        return 2
    if n < 0x10000:
        return 3
    return 5


def packstream_size(value: Any) -> int:
    """The exact number of bytes PackStream (Bolt's encoding) uses for ``value``.

    >>> packstream_size("abc"), packstream_size([1, 2.5, None]), packstream_size({"a": "x" * 20})
    (4, 12, 25)
    """
    if value is None or isinstance(value, bool):
        return 1
    if isinstance(value, int):
        if -0x10 <= value < 0x80:
            return 1
        if -0x80 <= value < 0x80:
            return 2
        if -0x8000 <= value < 0x8000:
            return 3
        if -0x80000000 <= value < 0x80000000:
            return 5
        return 9
    if isinstance(value, float):
        return 9
    if isinstance(value, str):
        n = len(value.encode("utf-8"))
        return header_size(n) + n
    if isinstance(value, (list, tuple)):
        return header_size(len(value)) + sum(packstream_size(v) for v in value)
    if isinstance(value, dict):
        return header_size(len(value)) + sum(packstream_size(k) + packstream_size(v)
                                         for k, v in value.items())
    raise TypeError(f"cannot size a {type(value).__name__} for Bolt")


def run_message_size(text: str, params: dict[str, Any]) -> int:
    """Bytes on the wire of a Bolt ``RUN`` message of ``text`` with ``params``, plus a margin.

    The message is a 3-field structure (2 bytes) of the statement, the parameter map and an
    ``extra`` map (empty inside an explicit transaction); :data:`MESSAGE_MARGIN` covers chunk
    headers and a small ``extra``.
    """
    return 2 + packstream_size(text) + packstream_size(params) + 1 + MESSAGE_MARGIN


#: Upper bound of the characters of a float written as a Cypher literal.
_FLOAT_TEXT = 24


def literal_size(value: Any) -> int:
    """An upper bound of the bytes of ``value`` written as a Cypher literal.

    FalkorDB's Bolt endpoint turns parameters into such text (``CYPHER rows=[{id: '...'}]``)
    in a fixed buffer of about 4 KB, so there the text, not the PackStream message, is what
    must stay small: ``null`` takes 4 bytes of text but 1 of PackStream.

    >>> literal_size(None), literal_size([1, 22]), literal_size({"id": "ab"})
    (4, 7, 12)
    """
    if value is None:
        return 4
    if isinstance(value, bool):
        return 5
    if isinstance(value, int):
        return len(str(value))
    if isinstance(value, float):
        return _FLOAT_TEXT
    if isinstance(value, str):
        return 2 + len(value.encode("utf-8"))
    if isinstance(value, (list, tuple)):
        return 2 + sum(literal_size(v) for v in value) + 2 * max(len(value) - 1, 0)
    if isinstance(value, dict):
        # `key`: value, with backticks
        return 2 + sum(len(str(k).encode("utf-8")) + 4 + literal_size(v) for k, v in value.items()) \
            + 2 * max(len(value) - 1, 0)
    raise TypeError(f"cannot size a {type(value).__name__} as a Cypher literal")


def statement_size(text: str, params: dict[str, Any]) -> int:
    """The size a statement is held to: the larger of its Bolt ``RUN`` message
    (:func:`run_message_size`) and its text with the parameters written as literals
    (:func:`literal_size`, plus the same margin).

    >>> statement_size("RETURN $v", {"v": None}), run_message_size("RETURN $v", {"v": None})
    (52, 49)
    """
    text_size = len(text.encode("utf-8")) + literal_size(params) + MESSAGE_MARGIN
    return max(run_message_size(text, params), text_size)
