"""Defaults for kg's command line from ``kg.toml`` files and ``KG_*`` environment variables.

kg reads, lowest precedence first: the user's ``kg.toml`` in click's app directory (on Linux
``~/.config/kg/kg.toml``), then ``./kg.toml``, then the file named by ``KG_CONFIG``.
Command-line options and their environment variables (``KG_STORE``, ``NEO4J_URI``, ...) win
over all of them. Example::

    store = "papers-store"          # every command's --store

    [show]
    depth = 2
    limit = 20

    [export.neo4j]
    uri = "bolt://localhost:7687"
    user = "neo4j"
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import click

from kg.errors import KGError

__all__ = ["ConfigError", "config_paths", "load_default_map"]

#: option names that differ from their parameter names
_PARAM = {"store": "store_path", "format": "fmt", "type": "types"}


class ConfigError(KGError):
    """A kg.toml that cannot be read."""


def config_paths() -> list[Path]:
    """The configuration files kg looks at, lowest precedence first."""
    paths = [Path(click.get_app_dir("kg")) / "kg.toml", Path.cwd() / "kg.toml"]
    if os.environ.get("KG_CONFIG"):
        paths.append(Path(os.environ["KG_CONFIG"]))
    return paths


def _merge(into: dict[str, Any], new: dict[str, Any]) -> None:
    for key, value in new.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = value


def _to_default_map(group: click.Group, data: dict[str, Any], inherited: dict[str, Any],
                    where: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, cmd in group.commands.items():
        section = data.get(name, {})
        if not isinstance(section, dict):
            raise ConfigError(f"{where}: [{name}] must be a table")
        params = {p.name for p in cmd.params}
        values: dict[str, Any] = {}
        for key, value in {**inherited, **section}.items():
            pname = _PARAM.get(key, key.replace("-", "_"))
            if isinstance(value, dict):
                continue
            if pname in params:
                values[pname] = value
            elif key in section:
                raise ConfigError(f"{where}: `kg {name}` has no option {key!r}")
        if isinstance(cmd, click.Group):
            values.update(_to_default_map(cmd, section, inherited, where))
        out[name] = values
    return out


def load_default_map(group: click.Group, paths: Iterable[Path] | None = None) -> dict[str, Any]:
    """A click ``default_map`` for ``group`` from the configuration files that exist."""
    data: dict[str, Any] = {}
    where = []
    for path in config_paths() if paths is None else paths:
        if not path.is_file():
            continue
        try:
            _merge(data, tomllib.loads(path.read_text(encoding="utf-8")))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError) as exc:
            raise ConfigError(f"{path}: cannot read it: {exc}") from exc
        where.append(str(path))
    if not data:
        return {}
    inherited = {k: v for k, v in data.items() if not isinstance(v, dict)}
    return _to_default_map(group, data, inherited, " + ".join(where))
