"""Choosing a reader for a file, and reading many files and directories.

:func:`detect_format` asks each registered reader's ``sniff`` in priority order (specific
formats before generic ones) about the first :data:`SNIFF_BYTES` of the file; the content
decides, so JSON Lines named ``.txt`` are still JSON Lines. :func:`read_papers` walks paths and
turns every file-level failure (a format it cannot tell, a file it cannot open) into one
:class:`~kg.model.Reject`, so one odd file never stops a run.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from kg import errors
from kg.model import Paper, Reject
from kg.sources.base import READERS, Reader

__all__ = ["SNIFF_BYTES", "UnknownFormat", "detect_format", "read_papers", "iter_files", "reader_for"]

#: How much of a file ``sniff`` sees.
SNIFF_BYTES = 65536
_SKIPPED_NAMES = ("license", "licence", "readme", "copying")


class UnknownFormat(errors.UnknownFormat):
    """A file in none of the known formats; the message lists them all.

    A subclass of :class:`kg.errors.UnknownFormat`, with the readers that were ``tried`` and a
    one-line ``summary`` (the reason of the file's reject in :func:`read_papers`).
    """

    def __init__(self, path: Path | str, tried: Iterable[str], why: str = "") -> None:
        super().__init__(str(path), sorted(READERS))
        self.tried = tuple(tried)
        #: One line, without the list of formats: the reason of the file's reject.
        self.summary = (f"{why or 'not in a format kg recognises'} "
                        f"(tried {', '.join(self.tried) or 'no reader'})")
        known = "\n".join(f"  {r.name}: {r.description}" for r in _ordered())
        self.args = (f"{self.path}: {self.summary}. Pass one of these names as the format "
                     f"to force a reader:\n{known}",)


def _ordered() -> list[Reader]:
    return sorted(READERS.values(), key=lambda r: (r.priority, r.name))


def reader_for(name: str) -> Reader:
    """The reader registered as ``name``, or :class:`ValueError` listing the names that exist."""
    try:
        return READERS[name]
    except KeyError:
        raise ValueError(f"no reader named {name!r}; available: {', '.join(sorted(READERS))}") from None


def detect_format(path: Path | str) -> str:
    """The name of the reader for ``path``, judged by its first bytes.

    Raises
    ------
    UnknownFormat
        if no reader recognises the content (an image, plain prose, an empty file).
    OSError
        if the file cannot be read.
    """
    path = Path(path)
    with path.open("rb") as fh:
        data = fh.read(SNIFF_BYTES)
    readers = _ordered()
    tried = [r.name for r in readers]
    if not data.strip():
        raise UnknownFormat(path, tried, "the file is empty")
    if data.count(b"\x00") > len(data) // 10:  # images, archives, UTF-16: not text kg reads
        raise UnknownFormat(path, tried, "binary data, not UTF-8 text")
    head = data.decode("utf-8", "replace")
    for reader in readers:
        if reader.sniff(head, path):
            return reader.name
    raise UnknownFormat(path, tried)


def _skipped(path: Path) -> bool:
    name = path.name.lower()
    return name.startswith(".") or name.split(".")[0] in _SKIPPED_NAMES


def iter_files(path: Path) -> Iterator[Path]:
    """``path`` itself, or the files under a directory, recursively in sorted order.

    Hidden files and directories and LICENSE/README/COPYING files are skipped inside
    directories (a file named explicitly is always read).
    """
    if not path.is_dir():
        yield path
        return
    for root, dirs, files in os.walk(path):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            child = Path(root) / name
            if not _skipped(child):
                yield child


def _read_one(path: Path, format: str | None) -> Iterator[Paper | Reject]:
    try:
        name = format or detect_format(path)
    except UnknownFormat as err:
        yield Reject(str(path), "file", err.summary)
        return
    except OSError as err:
        yield Reject(str(path), "file", f"cannot open the file: {err.strerror or err}")
        return
    try:
        yield from READERS[name].read(path)
    except OSError as err:
        yield Reject(str(path), "file", f"cannot read the file: {err.strerror or err}")


def read_papers(paths: Iterable[Path | str], format: str | None = None) -> Iterator[Paper | Reject]:
    """Papers and rejects from files and directories, in order.

    Parameters
    ----------
    paths
        Files or directories; directories are walked recursively in sorted order.
    format
        A reader name (e.g. ``"kg.csv.v1"``) to use for every file instead of detecting it.

    Raises
    ------
    ValueError
        only for an unknown ``format`` name; bad files and records become rejects.
    """
    if format is not None:
        reader_for(format)
    for path in paths:
        for file in iter_files(Path(path)):
            yield from _read_one(file, format)
