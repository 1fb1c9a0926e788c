"""Seeded random corruption of the real corpus: flip, cut and splice bytes, then read and build.

For the JSON Lines corpora (arxiv-daily, arxiv-oai-sample) a record is a line: corruption keeps
the line structure, so every line is one record, intact or damaged. Every intact line must come
back as the same paper; every damaged one as a paper (damage a reader cannot see, e.g. a
changed letter) or as a reject naming its line; none may vanish, and nothing may raise. For the
hf-daily-papers page captures, only abstract lines are damaged, and every paper whose lines are
untouched must come back unchanged.
"""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

import pytest

from kg.build import build
from kg.model import Paper, Reject
from kg.sources import read_papers
from kg.store import Store

SEED = 8
KINDS = ("flip", "cut", "splice", "invalid-utf8", "nul")


def corrupt_line(line: bytes, donor: bytes, rng: random.Random) -> tuple[bytes, str]:
    """``line`` damaged one way (never adding a newline), and the kind of damage."""
    kind = rng.choice(KINDS)
    pos = rng.randrange(len(line))
    if kind == "flip":
        for _ in range(rng.randint(1, 4)):
            i = rng.randrange(len(line))
            line = line[:i] + bytes([rng.choice([b for b in range(256) if b != 10])]) + line[i + 1:]
    elif kind == "cut":
        line = line[:pos]
    elif kind == "splice":
        start = rng.randrange(len(donor))
        line = line[:pos] + donor[start:start + rng.randint(1, 80)] + line[pos + rng.randint(0, 40):]
    elif kind == "invalid-utf8":
        line = line[:pos] + b"\xff\xfe" + line[pos:]
    else:
        line = line[:pos] + b"\x00" + line[pos:]
    return line, kind


def corrupt_jsonl(src: Path, dst: Path, rng: random.Random, rate: float) -> set[int]:
    """Copy ``src`` to ``dst`` damaging about ``rate`` of its lines; returns the damaged line numbers."""
    lines = src.read_bytes().split(b"\n")
    damaged: set[int] = set()
    for i, line in enumerate(lines):
        if line.strip() and rng.random() < rate:
            new, _ = corrupt_line(line, lines[rng.randrange(len(lines))] or b"x", rng)
            if new != line:
                lines[i] = new
                damaged.add(i + 1)
    dst.write_bytes(b"\n".join(lines))
    return damaged


def split(records: list[Paper | Reject]) -> tuple[list[Paper], list[Reject]]:
    return [r for r in records if isinstance(r, Paper)], [r for r in records if isinstance(r, Reject)]


JSONL = ["arxiv-daily/" + p.name for p in sorted((Path(__file__).resolve().parents[2] / "shared" / "corpus"
                                                   / "arxiv-daily").glob("*.jsonl"))] + [
    "arxiv-oai-sample/arxiv-metadata-oai-snapshot.head200.jsonl"]


@pytest.fixture(scope="module")
def corrupted(tmp_path_factory: pytest.TempPathFactory, corpus: Path) -> dict[str, object]:
    """A corrupted copy of the corpus: every JSON Lines file and every page capture."""
    rng = random.Random(SEED)
    root = tmp_path_factory.mktemp("corrupted")
    damaged: dict[str, set[int]] = {}
    for rel in JSONL:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        damaged[rel] = corrupt_jsonl(corpus / rel, root / rel, rng, rate=0.08)
    hf_damaged: dict[str, set[int]] = {}
    (root / "hf-daily-papers").mkdir()
    for src in sorted((corpus / "hf-daily-papers").glob("*.txt")):
        lines = src.read_bytes().split(b"\n")
        hit = set()
        for i, line in enumerate(lines):
            if len(line) > 300 and rng.random() < 0.15:  # an abstract paragraph
                lines[i], _ = corrupt_line(line, line, rng)
                hit.add(i)
        (root / "hf-daily-papers" / src.name).write_bytes(b"\n".join(lines))
        hf_damaged[src.name] = hit
    return {"root": root, "damaged": damaged, "hf_damaged": hf_damaged}


@pytest.mark.parametrize("rel", JSONL)
def test_no_good_line_is_lost(corpus: Path, corrupted: dict[str, object], rel: str) -> None:
    root, damaged = corrupted["root"], corrupted["damaged"][rel]  # type: ignore[index]
    assert damaged, "the seed damaged no line of this file"
    clean_lines = (corpus / rel).read_bytes().split(b"\n")
    clean = [p for p in read_papers([corpus / rel]) if isinstance(p, Paper)]
    assert len(clean) == sum(1 for line in clean_lines if line.strip())
    records = list(read_papers([root / rel]))  # type: ignore[operator]
    papers, rejects = split(records)
    # one record per line: nothing vanished, nothing was split in two
    assert len(records) == len(clean)
    # a reject is always a damaged line, and names it
    rejected = {int(r.location.split()[1]) for r in rejects}
    assert all(r.location.startswith("line ") for r in rejects)
    assert rejected <= damaged
    assert len(rejected) == len(rejects)
    # every intact line comes back as the same paper
    numbered = [n for n, line in enumerate(clean_lines, 1) if line.strip()]
    intact = [paper for n, paper in zip(numbered, clean) if n not in damaged]
    got = {(p.id, p.title, p.abstract) for p in papers}
    missing = [p.id for p in intact if (p.id, p.title, p.abstract) not in got]
    assert missing == []
    assert len(rejects) >= len(damaged) // 4  # most damage is visible (a flipped letter is not)


def test_page_captures_keep_every_untouched_paper(corpus: Path, corrupted: dict[str, object]) -> None:
    root = corrupted["root"]
    for name, hit in corrupted["hf_damaged"].items():  # type: ignore[attr-defined]
        clean = [p for p in read_papers([corpus / "hf-daily-papers" / name]) if isinstance(p, Paper)]
        lines = (corpus / "hf-daily-papers" / name).read_text(encoding="utf-8").split("\n")
        damaged_text = {lines[i] for i in hit}
        records = list(read_papers([root / "hf-daily-papers" / name]))  # type: ignore[operator]
        papers, rejects = split(records)
        got = {(p.title, p.abstract) for p in papers}
        for p in clean:
            if " ".join(p.abstract.split()) not in {" ".join(t.split()) for t in damaged_text}:
                assert (p.title, p.abstract) in got, (name, p.title)
        assert len(papers) + len(rejects) >= len(clean) - len(hit), name


def test_a_corrupted_copy_builds_with_every_intact_record(
        tmp_path: Path, corpus: Path, corrupted: dict[str, object], extractor) -> None:  # type: ignore[no-untyped-def]
    """Build the corrupted OAI sample and one corrupted page capture into a store."""
    root = corrupted["root"]
    inputs = tmp_path / "in"
    inputs.mkdir()
    oai = "arxiv-oai-sample/arxiv-metadata-oai-snapshot.head200.jsonl"
    shutil.copy(root / oai, inputs / "oai.jsonl")  # type: ignore[operator]
    page = sorted(corrupted["hf_damaged"])[0]  # type: ignore[call-overload]
    shutil.copy(root / "hf-daily-papers" / page, inputs / page)  # type: ignore[operator]
    expected = list(read_papers([inputs]))
    papers, rejects = split(expected)
    store = Store.open(tmp_path / "store", create=True)
    store.lock()
    report = build([inputs], store, extractor=extractor)
    stored = {p.id for p in store.iter_papers()}
    store.close()
    assert stored == {p.id for p in papers}
    damaged = corrupted["damaged"][oai]  # type: ignore[index]
    clean = [json.loads(x) for x in (corpus / oai).read_text(encoding="utf-8").splitlines()]
    intact = {f"paper/arxiv-{r['id']}" for n, r in enumerate(clean, 1) if n not in damaged}
    assert intact <= stored
    written = [json.loads(x) for x in (tmp_path / "store" / "rejects.jsonl").read_text(encoding="utf-8").splitlines()]
    assert report.rejected == len(rejects) == len(written) > 0
    assert {(Path(r["source"]).name, r["location"]) for r in written} == {
        (Path(r.source).name, r.location) for r in rejects}
