"""Readers: paper records in the formats users hold, as :class:`~kg.model.Paper` objects.

Importing this package registers every reader in :data:`~kg.sources.base.READERS`:

=======================  ==========================================================
``kg.arxiv-listing.v1``  arXiv daily listing JSON Lines (:mod:`kg.sources.arxiv`)
``kg.arxiv-oai.v1``      arXiv OAI metadata snapshot JSON Lines (:mod:`kg.sources.arxiv`)
``kg.arxiv-atom.v1``     arXiv API Atom XML (:mod:`kg.sources.arxiv`)
``kg.hf-api.v1``         Hugging Face daily_papers API JSON (:mod:`kg.sources.hf_api`)
``kg.openalex.v1``       OpenAlex works (:mod:`kg.sources.openalex`)
``kg.s2.v1``             Semantic Scholar Graph API papers (:mod:`kg.sources.s2`)
``kg.bibtex.v1``         BibTeX (:mod:`kg.sources.bibtex`)
``kg.csv.v1``            CSV with a header (:mod:`kg.sources.csv_reader`)
``kg.hf-listing.v1``     Hugging Face Daily Papers page as text (:mod:`kg.sources.hf_listing`)
``kg.json.v1``           generic JSON / JSON Lines records (:mod:`kg.sources.jsonl`)
=======================  ==========================================================

>>> from kg.sources import READERS
>>> "kg.arxiv-oai.v1" in READERS and "kg.bibtex.v1" in READERS
True
"""

from __future__ import annotations

# Importing the reader modules registers them.
from kg.sources import arxiv, bibtex, csv_reader, hf_api, hf_listing, jsonl, openalex, s2  # noqa: F401
from kg.sources.base import READERS, Reader
from kg.sources.detect import UnknownFormat, detect_format, iter_files, read_papers, reader_for
from kg.sources.merge import dedupe, merge_papers
from kg.sources.records import MAX_ABSTRACT_CHARS, MAX_TITLE_CHARS

__all__ = [
    "READERS",
    "Reader",
    "UnknownFormat",
    "detect_format",
    "read_papers",
    "iter_files",
    "reader_for",
    "merge_papers",
    "dedupe",
    "MAX_ABSTRACT_CHARS",
    "MAX_TITLE_CHARS",
]
