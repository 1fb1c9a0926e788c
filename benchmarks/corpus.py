"""Scale the real records in ``../shared/corpus`` to any number of papers.

Usage::

    python benchmarks/corpus.py 100000 --out /tmp/bench/100k --seed 7

writes ``papers-00000.jsonl``, ``papers-00001.jsonl``... (``--shard`` papers per file) in kg's
generic JSON Lines format (``kg.json.v1``), streaming: nothing but the source pool is held in
memory, so 1M papers cost the same memory as 10k.

How a paper is made (paper ``i`` depends only on ``seed`` and ``i``, never on the others, so
any slice can be generated alone and the output is byte-identical on every run):

- **Source pool.** Every real paper kg reads from the corpus (``kg.sources.read_papers``,
  deduplicated), split into sentences. Abstracts keep their real sentence structure:
  paper ``i`` picks a real "template" abstract, keeps its first sentence (the one that sets
  the topic) and replaces each later sentence, with probability 0.7, by a sentence at the
  same relative position of another real abstract. Title and categories come from the
  template, so the domain signal stays coherent.
- **Names vary.** Tokens that look like names of methods and datasets (two or more capitals:
  ``DPO``, ``ResNet``, ``LLMs``) are, per paper and with probability 0.5, replaced by a
  variant ``NAME<k>`` (``DPO3``) with ``k`` uniform in 1..max(1, n // 2000); the same name gets
  the same variant everywhere in that paper (title and abstract), so definitions like
  "Direct Preference Optimization (DPO3)" stay consistent. The number of distinct entities
  thus grows with the corpus, as it does in real literature.
- **Authors** come from a pool of ``n`` identities built from the real first and last
  names; each paper draws 1-8 of them with a skew towards prolific authors (index
  ``n * u**2``), so the author count grows with ``n`` too.
- **Ids** are synthetic arXiv ids (``30MM.NNNNN`` upwards: never real ones); dates spread
  over 2015-2026; one paper in six ends with a ``github.com`` code URL.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SOURCE = ROOT.parent / "shared" / "corpus"

_SENT = re.compile(r"(?<=[.!?])\s+(?=[A-Z(\"'])")
_NAME = re.compile(r"(?<![\w-])(?=[A-Za-z0-9]*[A-Z][A-Za-z0-9]*[A-Z])[A-Za-z][A-Za-z0-9]{1,24}(?![\w-])")
_URL = re.compile(r"\S*(?:https?://|github\.com/)\S*")


@dataclass(frozen=True)
class Pool:
    """Everything generation draws from (the real records, preprocessed)."""

    templates: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...]  # title, sentences, cats
    first_names: tuple[str, ...]
    last_names: tuple[str, ...]


def load_pool(source: Path = DEFAULT_SOURCE) -> Pool:
    """Real papers from ``source`` (any format kg reads) as generation templates."""
    from kg.model import Reject
    from kg.sources import dedupe, read_papers

    templates = []
    first: set[str] = set()
    last: set[str] = set()
    for rec in dedupe(read_papers([source])):
        if isinstance(rec, Reject) or not rec.abstract:
            continue
        text = _URL.sub("", " ".join(rec.abstract.split())).strip()
        sents = tuple(s for s in _SENT.split(text) if len(s) > 20)
        if len(sents) >= 2:
            templates.append((" ".join(rec.title.split()), sents, rec.categories))
        for a in rec.authors:
            parts = a.split()
            if len(parts) >= 2 and parts[0].isalpha() and parts[-1].isalpha():
                first.add(parts[0])
                last.add(parts[-1])
    if not templates:
        raise SystemExit(f"no papers with abstracts under {source}")
    return Pool(tuple(sorted(templates)), tuple(sorted(first)), tuple(sorted(last)))


def author_name(pool: Pool, j: int) -> str:
    f, l = pool.first_names, pool.last_names
    return f"{f[j % len(f)]} {l[(j // len(f) * 7919 + j * 31) % len(l)]}"


def make_paper(pool: Pool, n: int, i: int, seed: int) -> dict[str, object]:
    """Paper ``i`` of an ``n``-paper corpus (a kg.json.v1 record)."""
    rng = random.Random(f"{seed}:{i}")
    title, sents, cats = pool.templates[rng.randrange(len(pool.templates))]
    out = [sents[0]]
    for pos in range(1, len(sents)):
        if rng.random() < 0.7:
            _, other, _ = pool.templates[rng.randrange(len(pool.templates))]
            out.append(other[min(len(other) - 1, max(1, round(pos * len(other) / len(sents))))])
        else:
            out.append(sents[pos])
    variants = max(1, n // 2000)
    mapping: dict[str, str] = {}

    def vary(m: re.Match[str]) -> str:
        name = m.group(0)
        if name not in mapping:
            mapping[name] = name if rng.random() < 0.5 else f"{name}{rng.randint(1, variants)}"
        return mapping[name]

    title = _NAME.sub(vary, title)
    abstract = _NAME.sub(vary, " ".join(out))
    year = 2015 + rng.randrange(12)
    rec: dict[str, object] = {
        "id": f"{30 + i // 1_200_000}{(i // 100_000) % 12 + 1:02d}.{i % 100_000:05d}",
        "title": title,
        "abstract": abstract,
        "authors": [author_name(pool, int(n * rng.random() ** 2))
                    for _ in range(1 + min(7, int(rng.expovariate(0.4))))],
        "categories": list(cats),
        "date": f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
    }
    if rng.random() < 1 / 6:
        slug = re.sub(r"[^A-Za-z0-9]+", "-", title.split(":")[0]).strip("-")[:40] or "code"
        url = f"https://github.com/{rec['authors'][0].split()[-1].lower()}/{slug}"  # type: ignore[index]
        rec["abstract"] = f"{abstract} Code is available at {url}."
    return rec


def generate(pool: Pool, n: int, seed: int = 7, start: int = 0, stop: int | None = None
             ) -> Iterator[dict[str, object]]:
    """Papers ``start``..``stop`` (default all ``n``) in order."""
    for i in range(start, n if stop is None else stop):
        yield make_paper(pool, n, i, seed)


def write(pool: Pool, n: int, out: Path, seed: int = 7, shard: int = 100_000) -> list[Path]:
    """Write the corpus as ``out/papers-NNNNN.jsonl`` shards; returns the files."""
    out.mkdir(parents=True, exist_ok=True)
    files = []
    for k, start in enumerate(range(0, n, shard)):
        path = out / f"papers-{k:05d}.jsonl"
        with path.open("w", encoding="utf-8") as fh:
            for rec in generate(pool, n, seed, start, min(n, start + shard)):
                fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
        files.append(path)
    return files


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("n", type=int, help="number of papers")
    ap.add_argument("--out", type=Path, required=True, help="output directory")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--shard", type=int, default=100_000, help="papers per file")
    ap.add_argument("--source", type=Path, default=DEFAULT_SOURCE, help="real records to scale")
    args = ap.parse_args(argv)
    files = write(load_pool(args.source), args.n, args.out, args.seed, args.shard)
    print(f"{args.n} papers in {len(files)} file(s) under {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
