"""``kg export ...``: one sub-command per target, each defined beside its exporter."""

from __future__ import annotations

import importlib

import click

__all__ = ["export"]

#: Modules that define export sub-commands in a ``COMMANDS`` list.
COMMAND_MODULES: tuple[str, ...] = ("kg.export.rdf_cli", "kg.export.neo4j_cli",
                                   "kg.export.graph_cli")


@click.group()
def export() -> None:
    """Export the graph to Neo4j, FalkorDB, RDF and other formats.

    \b
    Example:
      kg export rdf --format ttl --out kg.ttl
    """


for _name in COMMAND_MODULES:
    for _cmd in importlib.import_module(_name).COMMANDS:
        export.add_command(_cmd)
