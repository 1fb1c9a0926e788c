"""Faults during a build: SIGKILL at any moment, two builds at once, a full disk.

Every test runs the real ``kg`` command in a subprocess on real corpus files, and compares the
store it leaves with a clean in-process build of the same input.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, NamedTuple

import pytest

from kg.build import build
from kg.doctor import check_store
from kg.store import Store

KG = str(Path(sys.executable).with_name("kg"))
#: Two of the five hf-daily-papers captures: enough batches to kill between, quick to build.
FILES = ("000_8ce9984b79c972cf.txt", "001_18821721b0f0ec69.txt")
BATCH = "16"


def snapshot(path: Path) -> dict[str, Any]:
    """Everything a build decides, in a comparable form."""
    with Store.open(path) as store:
        c = store.conn
        return {
            "stats": store.stats(),
            "papers": [tuple(r) for r in c.execute("SELECT * FROM papers ORDER BY id")],
            "entities": [tuple(r) for r in c.execute("SELECT * FROM entities ORDER BY id")],
            "edges": list(store.iter_edges()),
            "links": list(store.iter_links()),
            "id_aliases": [tuple(r) for r in c.execute("SELECT * FROM id_aliases ORDER BY old_id")],
        }


@pytest.fixture(scope="module")
def input_dir(tmp_path_factory: pytest.TempPathFactory, corpus: Path) -> Path:
    d = tmp_path_factory.mktemp("input")
    for name in FILES:
        shutil.copy(corpus / "hf-daily-papers" / name, d / name)
    return d


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory, input_dir: Path, extractor) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    path = tmp_path_factory.mktemp("clean") / "store"
    store = Store.open(path, create=True)
    store.lock()
    build([input_dir], store, extractor=extractor)
    store.close()
    return snapshot(path)


def kg_build(input_dir: Path, store: Path, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen([KG, "build", str(input_dir), "--store", str(store), "--batch-size", BATCH,
                             "--jobs", "2", "-q", *extra], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=store.parent)


class State(NamedTuple):
    papers: int
    pending: int  # rows of the dirty table: changes written but not linked
    hashes: frozenset[tuple[str, str]]  # (paper id, content hash)


def final_hashes(reference: dict[str, Any]) -> frozenset[tuple[str, str]]:
    return frozenset((row[0], row[-1]) for row in reference["papers"])


def progress(store: Path) -> State | None:
    """What another process sees of a build in progress, or None before the schema exists."""
    db = store / Store.FILENAME
    if not db.exists():
        return None
    try:
        con = sqlite3.connect(db, timeout=1)
        try:
            hashes = frozenset((r[0], r[1]) for r in con.execute("SELECT id, content_hash FROM papers"))
            dirty = con.execute("SELECT COUNT(*) FROM dirty").fetchone()[0]
        finally:
            con.close()
    except sqlite3.Error:
        return None
    return State(len(hashes), int(dirty), hashes)


def children(pid: int) -> set[int]:
    """The child processes of ``pid`` (extraction workers), from /proc."""
    out: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            out |= {int(c) for c in task.read_text().split()}
        except OSError:
            pass
    return out


def assert_gone(pids: set[int], within: float = 10) -> None:
    """Orphaned workers notice their build is gone and exit (they would hold memory for ever)."""
    start = time.monotonic()
    alive = pids
    while alive and time.monotonic() - start < within:
        time.sleep(0.1)
        alive = {p for p in alive if Path(f"/proc/{p}").exists()
                 and Path(f"/proc/{p}/stat").read_text().split()[2] != "Z"}
    assert not alive, f"workers of a killed build still run: {sorted(alive)}"


def kill_when(proc: subprocess.Popen[str], store: Path, ready: Any, deadline: float = 90) -> bool:
    """SIGKILL ``proc`` once ``ready(progress, seconds since start)`` holds; False if it finished first."""
    start = time.monotonic()
    while proc.poll() is None:
        state = progress(store)
        if ready(state, time.monotonic() - start):
            workers = children(proc.pid)
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            assert_gone(workers)
            return True
        assert time.monotonic() - start < deadline, "the build neither finished nor reached the moment"
        time.sleep(0.01)
    out, err = proc.communicate()
    assert proc.returncode == 0, err
    return False


def assert_consistent_but_maybe_unfinished(store: Path) -> None:
    with Store.open(store) as s:
        problems = check_store(s)
        s.stats()  # readable
    assert [p.check for p in problems] in ([], ["unfinished build"]), [p.describe() for p in problems]


def holds_lock(pid: int, store: Path) -> bool:
    """Whether process ``pid`` holds the flock on ``store``'s write.lock (from /proc/locks,
    without touching the lock)."""
    try:
        inode = (store / "write.lock").stat().st_ino
    except FileNotFoundError:
        return False
    for line in Path("/proc/locks").read_text().splitlines():
        parts = line.split()
        if len(parts) > 5 and parts[1] == "FLOCK" and parts[4] == str(pid):
            if parts[5].rsplit(":", 1)[-1] == str(inode):
                return True
    return False


def refused_while_locked(input_dir: Path, store: Path) -> None:
    """A second ``kg build`` on a store another build is writing exits 1 with a clear message."""
    second = subprocess.run([KG, "build", str(input_dir), "--store", str(store)],
                            capture_output=True, text=True, cwd=store.parent)
    assert second.returncode == 1, second.stderr
    assert second.stderr.startswith(f"Error: the store at {store} is being written by another kg process")
    assert "Traceback" not in second.stderr


def test_sigkill_at_any_moment_then_rebuild_equals_a_clean_build(
        tmp_path: Path, input_dir: Path, reference: dict[str, Any]) -> None:
    """Kill ``kg build`` four times at different moments, then build again: the clean result.

    Also: while the first build runs, a second one on the same store is refused (never
    interleaved); after the last kill ``kg doctor`` names the unfinished build, and
    ``kg doctor --repair`` on a copy finishes it to the clean result too.
    """
    store = tmp_path / "store"
    total, final = reference["stats"]["papers"], final_hashes(reference)
    rng = random.Random(8)

    def locked_then_first_batch(s: State | None, t: float) -> bool:
        nonlocal checked_lock
        if not checked_lock and s is not None and s.papers == 0 and holds_lock(proc.pid, store):
            # the build holds the lock and has its whole input ahead: a second one is refused
            refused_while_locked(input_dir, store)
            assert proc.poll() is None, "the first build ended before the second tried the lock"
            checked_lock = True
        return checked_lock and s is not None and s.papers >= 1

    checked_lock = False
    moments = [
        ("after the first batch", locked_then_first_batch),
        ("mid-way", lambda s, t: s is not None and s.papers >= total // 2),
        ("at a seeded random delay", lambda s, t, d=rng.uniform(0.5, 4.0): t >= d),
        ("while linking (every paper written, not linked)",
         lambda s, t: s is not None and s.hashes == final and s.pending > 0),
    ]
    killed = []
    for name, ready in moments:
        proc = kg_build(input_dir, store)
        if kill_when(proc, store, ready):
            killed.append((name, progress(store)))
        assert_consistent_but_maybe_unfinished(store)
    assert len(killed) >= 3, killed  # the delay may let it finish; the others must hit
    last = killed[-1][1]
    assert last is not None and last.hashes == final and last.pending > 0, killed
    doctor = subprocess.run([KG, "doctor", "--store", str(store)], capture_output=True, text=True)
    assert doctor.returncode == 1 and doctor.stdout.startswith("unfinished build: "), doctor.stdout
    assert "Traceback" not in doctor.stderr
    repaired = tmp_path / "repaired"
    shutil.copytree(store, repaired)
    fixed = subprocess.run([KG, "doctor", "--store", str(repaired), "--repair"], capture_output=True, text=True)
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert "repaired: linked" in fixed.stderr and fixed.stdout.startswith("ok: ")
    assert snapshot(repaired) == reference

    done = kg_build(input_dir, store)
    out, err = done.communicate()
    assert done.returncode == 0, err
    assert snapshot(store) == reference
    stats = subprocess.run([KG, "stats", "--store", str(store), "--format", "json"],
                           capture_output=True, text=True, check=True)
    assert json.loads(stats.stdout) == reference["stats"]
    ok = subprocess.run([KG, "doctor", "--store", str(store)], capture_output=True, text=True)
    assert ok.returncode == 0 and ok.stdout.startswith("ok: "), ok.stdout + ok.stderr


# -- a full disk ---------------------------------------------------------------------------

FULL_DISK = r"""
set -u
mount -t tmpfs -o size=24m tmpfs "$MNT" || exit 97
cp -r "$SEED" "$MNT/store"
# fill the disk, then give back a little: the build writes some batches, then runs out
dd if=/dev/zero of="$MNT/filler" bs=64k 2>/dev/null
truncate -s -600K "$MNT/filler"
echo "== full"
"$KG" build "$INPUT" --store "$MNT/store" --batch-size 16 -q 2>&1; echo "rc=$?"
echo "== doctor"
"$KG" doctor --store "$MNT/store" 2>&1; echo "rc=$?"
rm "$MNT/filler"
echo "== again"
"$KG" build "$INPUT" --store "$MNT/store" --batch-size 16 -q 2>&1; echo "rc=$?"
"$KG" doctor --store "$MNT/store" 2>&1; echo "rc=$?"
cp -r "$MNT/store" "$OUT/store"
"""


def test_a_full_disk_gives_a_clear_error_and_an_intact_store(
        tmp_path: Path, input_dir: Path, reference: dict[str, Any], extractor) -> None:  # type: ignore[no-untyped-def]
    """A real ENOSPC: a 24 MB tmpfs in a private mount namespace (``unshare``), nearly full."""
    if shutil.which("unshare") is None:
        pytest.fail("this test needs util-linux's unshare (a private tmpfs is the real full disk)")
    seed = tmp_path / "seed"  # a store that already holds one capture
    store = Store.open(seed, create=True)
    store.lock()
    build([input_dir / FILES[0]], store, extractor=extractor)
    store.close()
    (tmp_path / "mnt").mkdir()
    (tmp_path / "out").mkdir()
    env = {**os.environ, "MNT": str(tmp_path / "mnt"), "SEED": str(seed), "KG": KG,
           "INPUT": str(input_dir), "OUT": str(tmp_path / "out")}
    run = subprocess.run(["unshare", "--user", "--map-root-user", "--mount", "sh", "-c", FULL_DISK],
                         capture_output=True, text=True, env=env, cwd=tmp_path)
    assert run.returncode != 97, "cannot mount a tmpfs in a private namespace: " + run.stderr
    log = run.stdout + run.stderr
    assert "Traceback" not in log, log
    full, doctor, again = (part.strip() for part in log.split("== ")[1:])
    assert full.endswith("rc=1"), log
    assert "Error: cannot write the store at" in full and "disk is full" in full, log
    # the store is intact: every committed batch is there, the failed one rolled back
    problems = {line.split(": ", 1)[0] for line in doctor.splitlines()[1:-1] if not line.startswith("Error: ")}
    assert problems <= {"unfinished build"}, log  # batches written before the disk filled, not linked
    assert again.count("rc=0") == 2 and "ok: " in again, log
    assert snapshot(tmp_path / "out" / "store") == reference


# -- the graph server stopping in the middle of an export ----------------------------------

@pytest.mark.parametrize("protocol", ["bolt", "redis"])
def test_server_stopping_mid_export_is_a_clear_error_and_a_rerun_completes(
        falkordb_factory: Any, hf_store_dir: Path, protocol: str) -> None:
    """Stop FalkorDB (it saves what it has) while ``kg export`` writes; the export fails with a
    clear error; once the server is back, the same export completes with exactly the counts
    of ``kg stats`` (MERGE: what was written before the stop is not duplicated)."""
    from servers import BOLT_GRAPH

    srv = falkordb_factory(persistent=True)
    graph = BOLT_GRAPH if protocol == "bolt" else "kg"
    if protocol == "bolt":
        args = ["neo4j", "--uri", srv.bolt_uri, "--password", "", "--dialect", "falkordb"]
    else:
        args = ["falkordb", "--url", srv.url, "--graph", graph]
    cmd = [KG, "export", *args, "--store", str(hf_store_dir), "--batch-size", "20", "--retry-time", "1", "-q"]
    watcher = srv.graph(graph)  # a Redis connection opened before any Bolt client
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    start = time.monotonic()
    while True:
        assert proc.poll() is None, "the export ended before the server could be stopped"
        assert time.monotonic() - start < 120
        try:
            nodes = watcher.ro_query("MATCH (n) RETURN count(n)").result_set[0][0]
        except Exception:  # the graph does not exist yet
            nodes = 0
        if nodes >= 200:
            break
        time.sleep(0.05)
    srv.stop()
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 1, out + err
    assert "Traceback" not in err
    # one message (the driver's reason may span lines), naming the server and what to do
    error = err[err.index("Error: "):] if err.startswith("Error: ") else err[err.index("\nError: ") + 1:]
    assert "127.0.0.1" in error and "run the same export again" in error, err
    srv.start()
    saved = srv.graph(graph).ro_query("MATCH (n) RETURN count(n)").result_set[0][0]
    assert saved >= 200  # the part written before the stop survived the restart
    again = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    if protocol == "bolt":
        srv.absorb_bolt_closes()
    g = srv.graph(graph)
    nodes = {lab: n for lab, n in g.ro_query("MATCH (n) UNWIND labels(n) AS l RETURN l, count(*)").result_set}
    rels = {t: n for t, n in g.ro_query("MATCH ()-[r]->() RETURN type(r), count(r)").result_set}
    with Store.open(hf_store_dir) as store:
        stats = store.stats()
    assert (nodes, rels) == (stats["nodes"], stats["edges"])
