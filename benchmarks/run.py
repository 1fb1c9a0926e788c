"""kg's performance benchmarks: each figure beside a floor measured in the same run.

Usage::

    python benchmarks/run.py --sizes 10000 100000 --work /tmp/kg-bench [--jobs 0] [--no-bolt]

For every size it generates a corpus (:mod:`benchmarks.corpus`, seeded; reused when present)
and measures:

- extraction throughput, one process, on the first ``--sample`` papers: kg's extractor
  (spaCy + rules + per-paper linking) against the floor ``spacy.blank("en")`` tokenizer
  over the same texts, in abstracts/s and words/s;
- ``kg build`` end to end (``--jobs``), its peak memory (RSS of the process and its worker
  processes together, sampled every 0.1 s) and the store's size on disk;
- ``kg show`` on the busiest Method (most papers): the library call and the whole command;
- ``kg export neo4j-csv`` and ``kg export rdf --format nt``: rows (triples) per second against
  the floor of writing the same number of lines and bytes to a file from Python;
- ``kg export neo4j`` over Bolt to a FalkorDB test server (``tests/servers.py``), and
  ``kg export falkordb`` over the Redis protocol, in rows (nodes + relationships) per second.

Wall-clock figures depend on what else the machine runs: read each against its floor.
Results are printed as a Markdown table and saved as JSON in ``WORK/results-N.json``.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT / "tests"))
KG = str(Path(sys.executable).with_name("kg"))


def run_measured(cmd: list[str], **kw: Any) -> tuple[float, int, subprocess.CompletedProcess[str]]:
    """Run ``cmd``; returns (seconds, peak RSS in bytes of it and its children, result)."""
    import psutil

    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)
    peak = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        try:
            p = psutil.Process(proc.pid)
            while not stop.is_set():
                total = 0
                for q in [p, *p.children(recursive=True)]:
                    try:
                        total += q.memory_info().rss
                    except psutil.Error:
                        pass
                peak = max(peak, total)
                stop.wait(0.1)
        except psutil.Error:
            pass

    t = threading.Thread(target=sample, daemon=True)
    t.start()
    out, err = proc.communicate()
    elapsed = time.perf_counter() - start
    stop.set()
    t.join()
    res = subprocess.CompletedProcess(cmd, proc.returncode, out, err)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{err[-2000:]}")
    return elapsed, peak, res


def extraction(corpus: Path, sample: int) -> dict[str, float]:
    import spacy

    from kg.extract.pipeline import Extractor
    from kg.link.resolve import link_paper
    from kg.model import Reject
    from kg.sources import read_papers

    papers = [p for p in itertools.islice(read_papers([corpus]), sample) if not isinstance(p, Reject)]
    texts = [p.title + "\n\n" + p.abstract for p in papers]
    words = sum(len(t.split()) for t in texts)
    nlp = spacy.blank("en")
    for _ in nlp.pipe(texts[:50]):
        pass  # warm up
    t0 = time.perf_counter()
    for _ in nlp.pipe(texts):
        pass
    floor = time.perf_counter() - t0
    ex = Extractor()
    list(ex.extract(papers[:20]))
    t0 = time.perf_counter()
    for x in ex.extract(papers):
        link_paper(x)
    kg = time.perf_counter() - t0
    n = len(papers)
    return {"papers": n, "words": words, "kg_abstracts_s": n / kg, "kg_words_s": words / kg,
            "floor_abstracts_s": n / floor, "floor_words_s": words / floor,
            "ratio": floor / kg}


def write_floor(lines: int, nbytes: int) -> float:
    """Seconds to write ``lines`` lines of ``nbytes`` bytes in all with plain file writes."""
    width = max(1, nbytes // max(lines, 1) - 1)
    line = "x" * width + "\n"
    with tempfile.NamedTemporaryFile("w", delete=True, dir="/tmp") as fh:
        t0 = time.perf_counter()
        for _ in range(lines):
            fh.write(line)
        fh.flush()
        os.fsync(fh.fileno())
        return time.perf_counter() - t0


def count_lines(paths: list[Path]) -> tuple[int, int]:
    n = b = 0
    for p in paths:
        with p.open("rb") as fh:
            for line in fh:
                n += 1
                b += len(line)
    return n, b


def busiest(store_dir: Path) -> str:
    import sqlite3

    conn = sqlite3.connect(store_dir / "graph.sqlite")
    row = conn.execute("SELECT target, COUNT(*) n FROM edges WHERE target LIKE 'method/%' "
                       "GROUP BY target ORDER BY n DESC LIMIT 1").fetchone()
    conn.close()
    return str(row[0])


def show_latency(store_dir: Path, concept: str) -> dict[str, float]:
    from kg.query import find_concept, neighborhood
    from kg.store import Store

    times = []
    with Store.open(store_dir) as store:
        for _ in range(5):
            t0 = time.perf_counter()
            ent = find_concept(store, concept)
            neighborhood(store, ent["id"], depth=1, limit=10)
            times.append(time.perf_counter() - t0)
    cli, _, _ = run_measured([KG, "show", concept, "--store", str(store_dir)])
    return {"library_s": statistics.median(times), "cli_s": cli}


def graph_rows(store_dir: Path) -> int:
    from kg.store import Store

    with Store.open(store_dir) as store:
        s = store.stats()
    return sum(s["nodes"].values()) + sum(s["edges"].values())


def exports(store_dir: Path, work: Path, bolt: bool,
            save: Callable[[], None] = lambda: None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    csv_dir = work / "neo4j-import"
    secs, _, _ = run_measured([KG, "export", "neo4j-csv", "--store", str(store_dir), "--out", str(csv_dir)])
    files = sorted(csv_dir.rglob("*.csv"))
    lines, nbytes = count_lines(files)
    rows = lines - len(files)  # headers
    out["neo4j_csv"] = {"rows": rows, "s": secs, "rows_s": rows / secs,
                        "floor_rows_s": rows / write_floor(lines, nbytes)}
    save()
    nt = work / "kg.nt"
    secs, _, _ = run_measured([KG, "export", "rdf", "--format", "nt", "--store", str(store_dir),
                               "--out", str(nt)])
    lines, nbytes = count_lines([nt])
    out["nt"] = {"triples": lines, "s": secs, "triples_s": lines / secs,
                 "floor_triples_s": lines / write_floor(lines, nbytes)}
    if bolt:
        out.update(server_exports(store_dir, work))
    return out


def server_exports(store_dir: Path, work: Path) -> dict[str, Any]:
    from servers import BOLT_GRAPH, FalkorServer

    rows = graph_rows(store_dir)
    server = FalkorServer(work / "falkordb")
    server.start()
    try:
        out: dict[str, Any] = {}
        server.delete_graph("bench")
        secs, _, _ = run_measured([KG, "export", "falkordb", "--store", str(store_dir), "--url",
                                   server.url, "--graph", "bench", "-q"])
        out["redis"] = {"rows": rows, "s": secs, "rows_s": rows / secs}
        server.delete_graph(BOLT_GRAPH)
        secs, _, _ = run_measured([KG, "export", "neo4j", "--store", str(store_dir), "--uri",
                                   server.bolt_uri, "--password", "", "--dialect", "falkordb",
                                   "-q"])
        server.absorb_bolt_closes()
        out["bolt"] = {"rows": rows, "s": secs, "rows_s": rows / secs, "max_batch_bytes": 3500}
        return out
    finally:
        server.stop()


def bench(n: int, work: Path, jobs: int, sample: int, bolt: bool) -> dict[str, Any]:
    import corpus as gen

    cdir = work / f"corpus-{n}"
    done = work / f"corpus-{n}.done"  # beside the corpus: kg build reads every file in it
    if not done.exists():
        gen.write(gen.load_pool(), n, cdir)
        done.write_text("ok")
    res: dict[str, Any] = {"papers": n, "jobs": jobs or os.cpu_count()}
    out = work / f"results-{n}.json"

    def save() -> None:  # after every step: a long run stopped midway keeps its figures
        out.write_text(json.dumps(res, indent=2))

    res["extraction"] = extraction(cdir, min(sample, n))
    save()
    store = work / f"store-{n}"
    subprocess.run(["rm", "-rf", str(store)], check=True)
    secs, peak, _ = run_measured([KG, "build", str(cdir), "--store", str(store), "-q",
                                  "--jobs", str(jobs)])
    res["build"] = {"s": secs, "papers_s": n / secs, "peak_rss_mb": peak / 2**20,
                    "store_mb": sum(f.stat().st_size for f in store.iterdir()) / 2**20}
    save()
    concept = busiest(store)
    res["show"] = {"concept": concept, **show_latency(store, concept)}
    save()
    res["exports"] = exports(store, work, bolt, save)
    save()
    return res


def table(results: list[dict[str, Any]]) -> str:
    rows = ["| papers | extraction (1 process): kg / tokenizer floor | `kg build` (jobs) | peak RSS | "
            "store | `kg show` busiest Method (library / CLI) | neo4j-csv rows/s (floor) | "
            "N-Triples/s (floor) | Bolt rows/s | Redis rows/s |",
            "|---|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        e, b, s, x = r["extraction"], r["build"], r["show"], r["exports"]
        bolt = f"{x['bolt']['rows_s']:,.0f}" if "bolt" in x else "-"
        redis = f"{x['redis']['rows_s']:,.0f}" if "redis" in x else "-"
        rows.append(
            f"| {r['papers']:,} | {e['kg_abstracts_s']:,.0f} / {e['floor_abstracts_s']:,.0f} abstracts/s "
            f"({e['kg_words_s']:,.0f} / {e['floor_words_s']:,.0f} words/s; "
            f"{100 * e['ratio']:.0f}% of floor) | {b['s']:,.0f} s, {b['papers_s']:,.0f} papers/s "
            f"({r['jobs']}) | {b['peak_rss_mb']:,.0f} MB | {b['store_mb']:,.0f} MB | "
            f"{s['library_s']:.3f} s / {s['cli_s']:.2f} s | "
            f"{x['neo4j_csv']['rows_s']:,.0f} ({x['neo4j_csv']['floor_rows_s']:,.0f}) | "
            f"{x['nt']['triples_s']:,.0f} ({x['nt']['floor_triples_s']:,.0f}) | {bolt} | {redis} |")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000])
    ap.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "kg-bench")
    ap.add_argument("--jobs", type=int, default=0, help="kg build --jobs (0: one per core)")
    ap.add_argument("--sample", type=int, default=1000, help="papers for the extraction figure")
    ap.add_argument("--no-bolt", action="store_true", help="skip the FalkorDB server exports")
    args = ap.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    results = []
    for n in args.sizes:
        results.append(bench(n, args.work, args.jobs, args.sample, not args.no_bolt))
        print(f"{n} papers done", file=sys.stderr, flush=True)
    load = os.getloadavg()
    print(table(results))
    print(f"\nload average at the end: {load[0]:.1f} on {os.cpu_count()} cores; "
          f"command: python benchmarks/run.py {' '.join(sys.argv[1:])}")


if __name__ == "__main__":
    main()
