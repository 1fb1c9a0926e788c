"""``kg build``: read, extract, link and store, incrementally and idempotently.

A paper already in the store is merged with the new record (:func:`kg.sources.merge_papers`);
if the merged record and the extraction pipeline are unchanged it is skipped, otherwise its
edges, mentions and surface forms are replaced in one transaction. Rejected records go to
``rejects.jsonl`` in the store directory (rewritten by every build).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import IO, Any, Protocol

from kg.errors import StoreError
from kg.extract.lexicon import load_taxonomy
from kg.extract.pipeline import EXTRACTOR_VERSION, Extractor
from kg.link.curation import Curation, load_curation
from kg.link.resolve import LinkedPaper, link_paper
from kg.model import Edge, Entity, Paper, Reject
from kg.parallel import process_pool
from kg.resources import ontology_dir, ontology_file
from kg.schema import NodeType, RelType
from kg.sources import merge_papers, read_papers
from kg.store import Store

__all__ = ["BuildReport", "build", "pipeline_version", "paper_hash", "remove",
           "load_store_curation", "STORE_CURATION", "Executor", "extract_linked"]

#: The store's own curation file (``kg curate`` edits it); the shipped one is
#: ``ontology/curation.toml``.
STORE_CURATION = "curation.toml"

BATCH_SIZE = 256


@dataclass
class BuildReport:
    """What a build did."""

    read: int = 0
    merged: int = 0  # records folded into another record of the same paper in this input
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    rejects_path: str | None = None
    stats: dict[str, object] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


_VERSION: str | None = None


def pipeline_version() -> str:
    """Extractor version plus a hash of the shipped lexicons: a change re-extracts papers."""
    global _VERSION
    if _VERSION is None:
        h = hashlib.sha1(EXTRACTOR_VERSION.encode())
        root = ontology_dir()
        for p in sorted(root.rglob("*")):
            if p.is_file() and p.suffix in {".jsonl", ".txt", ".ttl"}:
                h.update(p.relative_to(root).as_posix().encode())
                h.update(p.read_bytes())
        _VERSION = h.hexdigest()[:16]
    return _VERSION


_PAPER_FIELDS = tuple(f.name for f in fields(Paper))


def paper_hash(paper: Paper) -> str:
    """Content hash of a paper record and the pipeline that extracted it."""
    # the dict asdict() gives for this flat record, without its recursive deep copy
    data = json.dumps({f: getattr(paper, f) for f in _PAPER_FIELDS}, sort_keys=True,
                      ensure_ascii=False, default=list)
    return hashlib.sha1((pipeline_version() + data).encode("utf-8")).hexdigest()


def _batches(records: Iterable[Paper | Reject], size: int) -> Iterator[list[Paper | Reject]]:
    batch: list[Paper | Reject] = []
    for rec in records:
        batch.append(rec)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def install_taxonomy(store: Store) -> None:
    """Write the domain taxonomy (Domain nodes and BROADER links) into the store."""
    tax = load_taxonomy()
    ents = [Entity(c.id, NodeType.DOMAIN, c.name, c.labels,
                   {"top": c.top, "arxiv_categories": list(c.arxiv), "iri": c.iri})
            for c in tax.values()]
    links = [Edge(c.id, RelType.BROADER, c.broader) for c in tax.values() if c.broader]
    store.put_static(ents, links)


def build(inputs: Iterable[str | Path], store: Store, *,
          extractor: Extractor | None = None, curation: Curation | None = None,
          batch_size: int = BATCH_SIZE,
          on_reject: Callable[[Reject], None] | None = None,
          progress: Callable[[int], None] | None = None,
          jobs: int = 1, executor: Executor | None = None) -> BuildReport:
    """Read ``inputs`` into ``store``. The caller holds the store's lock.

    ``jobs`` > 1 extracts batches in that many worker processes; ``executor`` (anything with
    ``submit(fn, arg)`` returning a future, e.g. a Dask client, see :mod:`kg.distributed`)
    extracts them there instead. Either way batches are written in input order, so the
    store is the same whatever the parallelism.
    """
    report = BuildReport()
    ex = extractor or Extractor()
    pool = None
    if executor is None and jobs > 1:
        executor = pool = _process_pool(ex, jobs)
    writer = _Writer(store, ex, report, executor, window=2 * max(jobs, 1))
    rejects_path = store.path / "rejects.jsonl"
    with store.transaction():
        if store.get_meta("taxonomy") != pipeline_version():
            install_taxonomy(store)
            store.set_meta("taxonomy", pipeline_version())
    with _rejects_file(rejects_path) as rej:
        for batch in _batches(read_papers(inputs), batch_size):
            papers: dict[str, Paper] = {}
            for rec in batch:
                if isinstance(rec, Reject):
                    report.rejected += 1
                    rej.write(json.dumps(asdict(rec), ensure_ascii=False) + "\n")
                    if on_reject is not None:
                        on_reject(rec)
                    continue
                report.read += 1
                if rec.id in papers:
                    report.merged += 1
                    papers[rec.id] = merge_papers(papers[rec.id], rec)
                else:
                    papers[rec.id] = rec
            try:
                writer.add(papers)
            except BaseException:
                if pool is not None:
                    pool.shutdown(cancel_futures=True)
                raise
            if progress is not None:
                progress(len(batch))
        writer.drain(0)
        if pool is not None:
            pool.shutdown()
    with store.transaction():
        store.finish(curation if curation is not None else load_store_curation(store))
    report.rejects_path = str(rejects_path)
    report.stats = store.stats()
    return report


@contextmanager
def _rejects_file(path: Path) -> Iterator[IO[str]]:
    """The rejects report, written beside ``path`` and moved into place when the build ends:
    an interrupted build leaves the previous report whole. A write that fails (a full disk)
    is a :class:`StoreError`."""
    tmp = path.with_name(path.name + ".tmp")
    try:
        with tmp.open("w", encoding="utf-8") as fh:
            yield fh
        os.replace(tmp, path)
    except OSError as exc:
        raise StoreError(f"cannot write the rejects report {path}: {exc.strerror or exc} "
                         "(the store keeps every batch written so far; free some space and "
                         "run the build again)") from exc
    finally:
        tmp.unlink(missing_ok=True)


class Executor(Protocol):
    """Where batches are extracted: ``submit(fn, arg)`` returns a future with ``result()``."""

    def submit(self, fn: Callable[[Any], Any], arg: Any, /) -> Any: ...


_WORKER_EXTRACTOR: Extractor | None = None


def extract_linked(papers: list[Paper]) -> list[LinkedPaper]:
    """Extract and link ``papers``: the unit of work a worker process runs.

    Each worker process builds one :class:`Extractor` on first use (a forked worker inherits
    the parent's).
    """
    global _WORKER_EXTRACTOR
    if _WORKER_EXTRACTOR is None:
        _WORKER_EXTRACTOR = Extractor()
    return [link_paper(x) for x in _WORKER_EXTRACTOR.extract(papers)]


def _process_pool(ex: Extractor, jobs: int) -> Any:
    global _WORKER_EXTRACTOR
    _WORKER_EXTRACTOR = ex  # forked workers inherit the built extractor: no second start-up
    return process_pool(jobs)


class _Writer:
    """Plans each batch against the store, has it extracted (here or on ``executor``) and
    writes the results in input order, with at most ``window`` batches in flight."""

    def __init__(self, store: Store, ex: Extractor, report: BuildReport,
                 executor: Executor | None, window: int) -> None:
        self.store, self.ex, self.report = store, ex, report
        self.executor, self.window = executor, window
        self.pending: deque[tuple[list[tuple[Paper, str]], Any]] = deque()
        self.in_flight: set[str] = set()

    def add(self, papers: dict[str, Paper]) -> None:
        if self.in_flight & papers.keys():
            self.drain(0)  # a paper seen again: merge it with what the store holds by now
        todo = _plan_batch(self.store, papers, self.report)
        if not todo:
            return
        if self.executor is None:
            linked = [link_paper(x) for x in self.ex.extract(p for p, _ in todo)]
            _store_batch(self.store, todo, linked)
            return
        self.pending.append((todo, self.executor.submit(extract_linked, [p for p, _ in todo])))
        self.in_flight.update(p.id for p, _ in todo)
        self.drain(self.window)

    def drain(self, keep: int) -> None:
        while len(self.pending) > keep:
            todo, future = self.pending.popleft()
            _store_batch(self.store, todo, future.result())
            self.in_flight.difference_update(p.id for p, _ in todo)


def _plan_batch(store: Store, papers: dict[str, Paper], report: BuildReport) -> list[tuple[Paper, str]]:
    """The papers of a batch that need (re-)extraction, with their content hashes."""
    stored = store.paper_hashes(papers)
    todo: list[tuple[Paper, str]] = []
    for pid, paper in papers.items():
        if pid in stored:
            old = store.get_paper(pid)
            merged = merge_papers(old, paper) if old is not None else paper
            h = paper_hash(merged)
            if h == stored[pid]:
                report.unchanged += 1
                continue
            report.updated += 1
            todo.append((merged, h))
        else:
            report.added += 1
            todo.append((paper, paper_hash(paper)))
    return todo


def _store_batch(store: Store, todo: list[tuple[Paper, str]], linked: list[LinkedPaper]) -> None:
    with store.transaction():
        for (paper, h), lp in zip(todo, linked, strict=True):
            store.write_paper(paper, h, lp)


def load_store_curation(store: Store) -> Curation:
    """The shipped curation followed by the store's own."""
    return load_curation([ontology_file("curation.toml"), store.path / STORE_CURATION])


def remove(paper_ids: Iterable[str], store: Store) -> tuple[list[str], list[str]]:
    """Remove papers and whatever only they supported; returns (removed, not found)."""
    removed, missing = [], []
    with store.transaction():
        for pid in paper_ids:
            (removed if store.delete_paper(store.resolve_id(pid)) else missing).append(pid)
        store.finish(load_store_curation(store))
    return removed, missing
