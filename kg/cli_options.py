"""Options shared by kg's commands, in a module of their own so that command modules can use
them without importing :mod:`kg.cli` (which imports them: a cycle)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

__all__ = ["store_option"]

F = TypeVar("F", bound=Callable[..., Any])


def store_option(f: F) -> F:
    return click.option(
        "--store", "store_path", type=click.Path(file_okay=False, path_type=Path),
        default="kg-store", envvar="KG_STORE", show_default=True, show_envvar=True,
        help="Directory of the embedded graph store.")(f)
