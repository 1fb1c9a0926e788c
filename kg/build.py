"""``kg build``: read, extract, link and store, incrementally and idempotently.

A paper already in the store is merged with the new record (:func:`kg.sources.merge_papers`);
if the merged record and the extraction pipeline are unchanged it is skipped, otherwise its
edges, mentions and surface forms are replaced in one transaction. Rejected records go to
``rejects.jsonl`` in the store directory (rewritten by every build).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

from kg.extract.lexicon import load_taxonomy
from kg.extract.pipeline import EXTRACTOR_VERSION, Extractor
from kg.link.curation import Curation, load_curation
from kg.link.resolve import link_paper
from kg.model import Edge, Entity, Paper, Reject
from kg.resources import ontology_dir, ontology_file
from kg.schema import NodeType, RelType
from kg.sources import merge_papers, read_papers
from kg.store import Store

__all__ = ["BuildReport", "build", "pipeline_version", "paper_hash", "remove",
           "load_store_curation", "STORE_CURATION"]

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


def paper_hash(paper: Paper) -> str:
    """Content hash of a paper record and the pipeline that extracted it."""
    data = json.dumps(asdict(paper), sort_keys=True, ensure_ascii=False, default=list)
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
          progress: Callable[[int], None] | None = None) -> BuildReport:
    """Read ``inputs`` into ``store``. The caller holds the store's lock."""
    report = BuildReport()
    ex = extractor or Extractor()
    rejects_path = store.path / "rejects.jsonl"
    with store.transaction():
        if store.get_meta("taxonomy") != pipeline_version():
            install_taxonomy(store)
            store.set_meta("taxonomy", pipeline_version())
    with rejects_path.open("w", encoding="utf-8") as rej:
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
            _write_batch(store, ex, papers, report)
            if progress is not None:
                progress(len(batch))
    with store.transaction():
        store.finish(curation if curation is not None else load_store_curation(store))
    report.rejects_path = str(rejects_path)
    report.stats = store.stats()
    return report


def _write_batch(store: Store, ex: Extractor, papers: dict[str, Paper], report: BuildReport) -> None:
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
    if not todo:
        return
    hashes = {p.id: h for p, h in todo}
    with store.transaction():
        for extraction in ex.extract(p for p, _ in todo):
            store.write_paper(extraction.paper, hashes[extraction.paper.id], link_paper(extraction))


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
