"""``kg export neo4j``, ``falkordb``, ``neo4j-csv`` and ``cypher``: thin adapters.

Library errors (:class:`kg.errors.KGError`) become ``Error: ...`` with exit code 1 in
:class:`kg.cli.KGGroup`. Progress goes to stderr, the summary of what was written to stdout.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import click

from kg.cli_options import store_option

__all__ = ["COMMANDS", "neo4j_command", "falkordb_command", "neo4j_csv_command",
           "cypher_command"]

#: Batch size limit for FalkorDB's Bolt endpoint, which crashes on messages over about 4 KB.
FALKORDB_BOLT_MAX_BYTES = 3500


def _open(store_path: Path) -> Any:
    from kg.store import Store

    return Store.open(store_path)


def _progress(quiet: bool) -> Any:
    if quiet:
        return None
    last = [time.monotonic()]

    def report(kind: str, done: int, expected: int) -> None:
        now = time.monotonic()
        if done >= expected or now - last[0] > 5:
            click.echo(f"  {kind:<16} {done:>9,} / {expected:,}", err=True)
            last[0] = now

    return report


def _run(store_path: Path, transport: Any, quiet: bool, **options: Any) -> None:
    from kg.export.neo4j import export_graph

    store = _open(store_path)
    try:
        if not quiet:
            click.echo(f"exporting {store_path} to {transport.target}", err=True)
        report = export_graph(store, transport, progress=_progress(quiet), **options)
    finally:
        transport.close()
        store.close()
    for line in report.summary():
        click.echo(line)


@click.command("neo4j")
@store_option
@click.option("--uri", envvar="NEO4J_URI", show_envvar=True, required=True,
              help="Bolt URI of the server, e.g. bolt://localhost:7687 or neo4j://host:7687.")
@click.option("--user", envvar="NEO4J_USERNAME", show_envvar=True, default="neo4j",
              show_default=True, help="User name.")
@click.option("--password", envvar="NEO4J_PASSWORD", show_envvar=True, default=None,
              help="Password; leave out for a server without authentication "
                   "(FalkorDB wants an empty one: --password '').")
@click.option("--database", envvar="NEO4J_DATABASE", show_envvar=True, default=None,
              help="Database name (default: the server's default database).")
@click.option("--batch-size", type=click.IntRange(1), default=1000, show_default=True,
              help="Rows per transaction at most.")
@click.option("--max-batch-bytes", type=click.IntRange(512), default=None,
              help="Bytes per Bolt message at most (default: no limit for neo4j, "
                   f"{FALKORDB_BOLT_MAX_BYTES} for falkordb). A larger row is split, never cut.")
@click.option("--dialect", type=click.Choice(["neo4j", "falkordb"]), default="neo4j",
              show_default=True, help="The server behind the URI.")
@click.option("--no-schema", is_flag=True,
              help="Do not create constraints and indexes (they are created IF NOT EXISTS).")
@click.option("--retry-time", type=click.FloatRange(0), default=30.0, show_default=True,
              help="Seconds to keep retrying the connection, and each batch, after a transient "
                   "error or a lost or unanswered connection.")
@click.option("--quiet", "-q", is_flag=True, help="No progress on stderr.")
def neo4j_command(store_path: Path, uri: str, user: str, password: str | None,
                  database: str | None, batch_size: int, max_batch_bytes: int | None,
                  dialect: str, no_schema: bool, retry_time: float, quiet: bool) -> None:
    """Write the graph to Neo4j (or another Bolt server) with the official driver.

    Nodes and relationships are merged on their id in batches, one managed transaction each,
    so running the export again changes nothing. Uniqueness constraints and indexes are
    created first. Evidence travels as relationship properties, aliases as lists, dates as
    dates. Prints the nodes and relationships written, by label and type.

    With --dialect falkordb (FalkorDB's experimental Bolt endpoint, which always writes the
    graph named "falkordb"): batches are kept under --max-batch-bytes, no schema statements
    are sent (they hang that endpoint; `kg export falkordb` creates the indexes), and string
    parameters are escaped the way it needs.

    \b
    Example:
      kg export neo4j --uri bolt://localhost:7687 --user neo4j --password "$NEO4J_PASSWORD"
      kg export neo4j --uri bolt://127.0.0.1:7687 --password '' --dialect falkordb
    """
    from kg.export.cypher import Dialect, schema_statements
    from kg.export.neo4j import BoltTransport
    from kg.export.rows import falkordb_bolt_escape, falkordb_key_problem

    falkor = dialect == Dialect.FALKORDB.value
    if falkor:
        if max_batch_bytes is None:
            max_batch_bytes = FALKORDB_BOLT_MAX_BYTES
        if not quiet and not no_schema:
            click.echo("note: no indexes are created over FalkorDB's Bolt endpoint (it hangs on "
                       "CREATE INDEX); `kg export falkordb --url redis://...` creates them", err=True)
        if not quiet and database:
            click.echo("note: FalkorDB's Bolt endpoint ignores --database and writes the graph "
                       "'falkordb'", err=True)
    transport = BoltTransport.connect(uri, user, password, database=database,
                                      retry_time=retry_time, goodbye=not falkor)
    schema = [] if no_schema or falkor else schema_statements(Dialect.NEO4J)
    _run(store_path, transport, quiet, batch_size=batch_size, max_batch_bytes=max_batch_bytes,
         schema=schema, escape=falkordb_bolt_escape if falkor else None,
         key_check=falkordb_key_problem if falkor else None)


@click.command("falkordb")
@store_option
@click.option("--url", envvar="FALKORDB_URL", show_envvar=True, default="redis://localhost:6379",
              show_default=True, help="Redis-protocol URL of the FalkorDB server.")
@click.option("--graph", "graph", default="kg", show_default=True, help="Graph name (key).")
@click.option("--batch-size", type=click.IntRange(1), default=1000, show_default=True,
              help="Rows per query at most.")
@click.option("--no-schema", is_flag=True, help="Do not create indexes.")
@click.option("--retry-time", type=click.FloatRange(0), default=30.0, show_default=True,
              help="Seconds to keep retrying the connection, and each batch, after a lost or "
                   "unanswered connection.")
@click.option("--quiet", "-q", is_flag=True, help="No progress on stderr.")
def falkordb_command(store_path: Path, url: str, graph: str, batch_size: int, no_schema: bool,
                     retry_time: float, quiet: bool) -> None:
    """Write the graph to FalkorDB over the Redis protocol.

    The same Cypher as `kg export neo4j`: nodes and relationships merged on their id in
    batches, so running it again changes nothing. Indexes on id, Paper.year and date, entity
    names, and full-text indexes on titles, abstracts and names are created first. Query it
    with GRAPH.QUERY NAME "..." or any FalkorDB client; queries/cypher/ has ready queries.

    \b
    Example:
      kg export falkordb --url redis://localhost:6379 --graph kg
      redis-cli GRAPH.QUERY kg "MATCH (m:Method) RETURN m.name LIMIT 5"
    """
    from kg.export.cypher import Dialect, schema_statements
    from kg.export.neo4j import FalkorTransport
    from kg.export.rows import falkordb_key_problem

    transport = FalkorTransport.connect(url, graph, retry_time=retry_time)
    schema = [] if no_schema else schema_statements(Dialect.FALKORDB)
    _run(store_path, transport, quiet, batch_size=batch_size, schema=schema,
         key_check=falkordb_key_problem)


@click.command("neo4j-csv")
@store_option
@click.option("--out", "out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Directory for the CSV files, constraints.cypher and README.txt.")
def neo4j_csv_command(store_path: Path, out: Path) -> None:
    """Write CSV files for `neo4j-admin database import full`, the fastest first load.

    One file per label and relationship type, headers typed for neo4j-admin (id:ID(Paper),
    :START_ID(Paper), :END_ID(Method), :LABEL, :TYPE, year:int, date:date,
    aliases:string[], confidence:float). Prints the import command; OUT/constraints.cypher
    creates the constraints and indexes afterwards and OUT/README.txt explains the steps.

    \b
    Example:
      kg export neo4j-csv --out neo4j-import
      cypher-shell -f neo4j-import/constraints.cypher
    """
    from kg.export.neo4j_csv import export_csv

    store = _open(store_path)
    try:
        result = export_csv(store, out)
    finally:
        store.close()
    for name, rows in [*result.nodes.values(), *result.relationships.values()]:
        click.echo(f"{rows:>10,}  {out / name}")
    click.echo("\nimport (with the database stopped), then run constraints.cypher:\n")
    click.echo("  " + result.import_command())
    click.echo(f"\n  cypher-shell -f {out / 'constraints.cypher'}")
    click.echo(f"\nsee {out / 'README.txt'}")


@click.command("cypher")
@store_option
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, allow_dash=True),
              help="The script file ('-' for stdout).")
@click.option("--batch-size", type=click.IntRange(1), default=500, show_default=True,
              help="Rows per statement at most.")
def cypher_command(store_path: Path, out: str, batch_size: int) -> None:
    """Write the graph as a Cypher script for `cypher-shell -f`.

    Constraints and indexes first, then batched UNWIND ... MERGE statements (the same as
    `kg export neo4j` sends, with the rows written as literals), one per line, each ending
    in ';'. Loads into an empty Neo4j 5 database; loading it again changes nothing.

    \b
    Example:
      kg export cypher --out kg.cypher
      cypher-shell -u neo4j -p "$NEO4J_PASSWORD" -f kg.cypher
    """
    from kg.export.cypher_script import write_script

    store = _open(store_path)
    try:
        with click.open_file(out, "w", encoding="utf-8") as fh:
            report = write_script(store, fh, batch_size=batch_size)
    finally:
        store.close()
    if out != "-":
        click.echo(f"wrote {report.statements:,} statements to {out}")
        click.echo("nodes: " + ", ".join(f"{k} {v}" for k, v in report.nodes.items()))
        click.echo("relationships: " + ", ".join(f"{k} {v}" for k, v in report.relationships.items()))
        click.echo(f"\nload it: cypher-shell -u neo4j -p \"$NEO4J_PASSWORD\" -f {out}")


COMMANDS = [neo4j_command, falkordb_command, neo4j_csv_command, cypher_command]
