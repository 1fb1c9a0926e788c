"""Where kg's shipped data lives: the ``ontology/`` folder.

In a wheel it is installed as ``kg/ontology`` (see ``pyproject.toml``); in a checkout it is
the repository's top-level ``ontology/``.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

__all__ = ["ontology_dir", "ontology_file"]


@cache
def ontology_dir() -> Path:
    """The directory holding ``kg.ttl``, ``domains.ttl`` and ``gazetteers/``."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "ontology", here.parent / "ontology"):
        if (candidate / "domains.ttl").exists():
            return candidate
    raise FileNotFoundError(
        f"kg's ontology files are missing (looked in {here / 'ontology'} and "
        f"{here.parent / 'ontology'}); reinstall kg")


def ontology_file(*parts: str) -> Path:
    """Path of a file under the ontology directory."""
    return ontology_dir().joinpath(*parts)
