"""The embedded graph store (SQLite on disk): see :mod:`kg.store.db` and :mod:`kg.store.relink`."""

from kg.store.db import SCHEMA_VERSION, Store, pick_name

__all__ = ["Store", "SCHEMA_VERSION", "pick_name"]
