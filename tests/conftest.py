"""Shared fixtures: the real corpus beside the checkout, and a session-wide extractor."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def shared() -> Path:
    """``../shared`` beside the checkout (the corpus and gold sets); tests fail without it."""
    assert (SHARED / "corpus").is_dir(), f"the shared corpus is missing at {SHARED}"
    return SHARED


@pytest.fixture(scope="session")
def corpus(shared: Path) -> Path:
    return shared / "corpus"


@pytest.fixture(scope="session")
def extractor():  # type: ignore[no-untyped-def]
    from kg.extract.pipeline import Extractor

    return Extractor()


# Real FalkorDB servers and the hf-daily-papers store: see tests/servers.py.
from servers import falkordb_factory, falkordb_server, hf_store_dir  # noqa: E402,F401
