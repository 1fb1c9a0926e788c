"""Train kg's small statistical NER model (Method, Dataset, Task) with spaCy.

The model is ``spacy.blank("en")`` plus one ``ner`` component whose own small tok2vec is a
``HashEmbedCNN`` (no vectors, no shared tok2vec): a few MB on disk, CPU-only, loaded by
:mod:`ner_model`. Training is deterministic (``fix_random_seed``, a fixed example order
per epoch) and reads the gold through :mod:`kg.evaluate.gold`'s readers.

Sources (names for ``--sources``; see :data:`SOURCES`) are the *development* splits of
``shared/gold`` only, never a report-only split (SciERC ``test.json``, cs-ner-orkg
``test*.data``, TDMSci ``test_500``/``brat_test``, SciREX ``dev.jsonl``). Each source annotates
only some of kg's three types; tokens where the rule extractor sees a type the source does not
annotate are marked *missing* rather than "outside", so that (say) PwC abstracts, which label
methods and research problems but no datasets, do not teach the model that "ImageNet" is not a
dataset.

Run from the repository root (the gold lives outside the package)::

    python benchmarks/ner/train_ner.py --out benchmarks/ner/model

``--holdout`` keeps every fifth PwC abstract out of training (the default, used for the
calibration written to ``calibration.json``); see ``benchmarks/ner/README.md`` for the
sources, sizes and scores of the shipped model.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["Sample", "SOURCES", "LABELS", "load_source", "split_holdout", "make_nlp",
           "to_example", "rule_spans", "train", "calibrate", "save", "main"]

#: kg's types, as NER labels.
LABELS = ("Method", "Dataset", "Task")
GOLD = Path(__file__).resolve().parents[3] / "shared" / "gold"
KG_GOLD = Path(__file__).resolve().parents[2] / "tests" / "data" / "gold"
SEED = 1234


@dataclass(frozen=True)
class Sample:
    """One training text: entity spans ``(start, end, label)`` and the labels it annotates."""

    source: str
    id: str
    text: str
    spans: tuple[tuple[int, int, str], ...]
    annotates: frozenset[str]
    sparse: bool = False  # only some names of the annotated types are labelled (PwC)


@dataclass(frozen=True)
class SourceSpec:
    path: str  # relative to --gold (or the repo for kg gold)
    fmt: str
    annotates: frozenset[str]
    limit: int | None = None  # at most this many documents (the first ones: deterministic)
    sparse: bool = False


_ALL = frozenset(LABELS)
#: Development splits usable for training (report-only splits are never listed here).
SOURCES: dict[str, SourceSpec] = {
    # PwC labels only the paper's linked tasks and methods (about two per abstract)
    "pwc": SourceSpec("cs-ner-orkg/pwc/dev-abs.data", "bioes", frozenset({"Method", "Task"}),
                      sparse=True),
    "scierc": SourceSpec("scierc/train.json", "scierc", frozenset({"Method", "Task"})),
    "scierc-dev": SourceSpec("scierc/dev.json", "scierc", frozenset({"Method", "Task"})),
    "tdmsci": SourceSpec("tdmsci/conll/train_1500_v2.conll", "conll", frozenset({"Dataset", "Task"})),
    "dsets": SourceSpec("dataset-sentences/ner_dataset_recognition_sentences.json",
                        "dataset-sentences", frozenset({"Dataset"}), limit=2500),
    "scirex": SourceSpec("scirex/train_docs.jsonl", "scirex", _ALL),
    "acl": SourceSpec("cs-ner-orkg/acl/train.data", "bioes", _ALL, limit=3000),
    "ftd": SourceSpec("cs-ner-orkg/ftd/train-abs.data", "bioes", frozenset({"Method", "Task"})),
    # kg's own development gold: only for cross-validation (``--kg-folds``), never shipped
    "kg-dev": SourceSpec("", "kg", _ALL),
}


def _gold_docs(name: str, gold: Path) -> Iterator[Any]:
    from kg.evaluate.gold import read_gold

    spec = SOURCES[name]
    if name == "kg-dev":
        for path in sorted(KG_GOLD.glob("*.jsonl")):
            yield from read_gold(path, "kg")
        return
    path = gold / spec.path
    if not path.exists():
        raise SystemExit(f"train_ner: gold file {str(path)!r} not found; pass --gold DIR")
    for n, doc in enumerate(read_gold(path, spec.fmt)):
        if spec.limit is not None and n >= spec.limit:
            return
        yield doc


def load_source(name: str, gold: Path = GOLD) -> list[Sample]:
    """The samples of one source, with spans as character offsets into each full text.

    SciREX's "Material" is dataset-like but broad; SciERC's Material is not used at all (it
    marks any material: "speech", "corpora"), so SciERC annotates only Method and Task.
    """
    if name not in SOURCES:
        raise SystemExit(f"train_ner: unknown source {name!r}; choose from {', '.join(SOURCES)}")
    spec = SOURCES[name]
    out = []
    for doc in _gold_docs(name, gold):
        spans = sorted({(a, b, e.type) for e in doc.entities if e.type in spec.annotates
                        for a, b in e.spans})
        out.append(Sample(name, doc.id, doc.full_text, tuple(spans), spec.annotates, spec.sparse))
    return out


def split_holdout(samples: Sequence[Sample], every: int) -> tuple[list[Sample], list[Sample]]:
    """``(train, held out)``: every ``every``-th sample (by position) is held out."""
    if every <= 0:
        return list(samples), []
    held = [s for i, s in enumerate(samples) if i % every == every - 1]
    return [s for i, s in enumerate(samples) if i % every != every - 1], held


def make_nlp(width: int = 64, depth: int = 3, rows: int = 2000) -> Any:
    """``blank("en")`` + ``ner`` with its own ``HashEmbedCNN`` tok2vec."""
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("ner", config={"model": {
        "@architectures": "spacy.TransitionBasedParser.v2", "state_type": "ner",
        "extra_state_tokens": False, "hidden_width": 64, "maxout_pieces": 2,
        "use_upper": True, "nO": None,
        "tok2vec": {"@architectures": "spacy.HashEmbedCNN.v2", "pretrained_vectors": None,
                    "width": width, "depth": depth, "embed_size": rows, "window_size": 1,
                    "maxout_pieces": 3, "subword_features": True},
    }})
    return nlp


def _non_overlapping(spans: Iterable[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Longest first, then leftmost; drop spans that overlap a kept one (NER cannot nest)."""
    kept: list[tuple[int, int, str]] = []
    for a, b, lab in sorted(set(spans), key=lambda s: (-(s[1] - s[0]), s[0])):
        if all(b <= x or a >= y for x, y, _ in kept):
            kept.append((a, b, lab))
    return sorted(kept)


def to_example(nlp: Any, sample: Sample, rule_spans: Sequence[tuple[int, int, str]] = ()) -> Any:
    """A spaCy ``Example``: gold entities, and tokens *missing* where ``rule_spans`` of a type
    the sample does not annotate fall (the rules think something is there).

    In a sparse sample every rule span is missing, and so is every name-like token outside
    the gold (capitalised inside a sentence, an acronym, a digit in a word).
    """
    from spacy.training import Example

    doc = nlp.make_doc(sample.text)
    ents = []
    for a, b, lab in _non_overlapping(sample.spans):
        span = doc.char_span(a, b, label=lab, alignment_mode="contract")
        if span is not None and len(span):
            ents.append(span)
    taken = {i for s in ents for i in range(s.start, s.end)}
    missing = []
    for a, b, lab in rule_spans:
        if lab in sample.annotates and not sample.sparse:
            continue
        span = doc.char_span(a, b, alignment_mode="expand")
        if span is not None and not taken & set(range(span.start, span.end)):
            missing.append(span)
            taken |= set(range(span.start, span.end))
    if sample.sparse:
        for tok in doc:
            if tok.i not in taken and _name_like(tok):
                missing.append(doc[tok.i:tok.i + 1])
                taken.add(tok.i)
    ref = nlp.make_doc(sample.text)
    ref.set_ents([ref.char_span(s.start_char, s.end_char, label=s.label_) for s in ents],
                 missing=[ref[s.start:s.end] for s in missing], default="outside")
    return Example(doc, ref)


def _name_like(tok: Any) -> bool:
    """Capitalised inside a sentence, an acronym, or letters with digits ("ResNet", "T5")."""
    t = tok.text
    if not any(c.isalpha() for c in t):
        return False
    first = tok.i == 0 or tok.doc[tok.i - 1].text in {".", "!", "?", ":"} or tok.doc[tok.i - 1].is_space
    return (t[0].isupper() and not first) or (len(t) > 1 and t.isupper()) \
        or any(c.isdigit() for c in t)


def rule_spans(samples: Sequence[Sample]) -> dict[str, list[tuple[int, int, str]]]:
    """What kg's rule extractor finds in each sample: ``{sample id: [(start, end, type)]}``."""
    from kg.extract.pipeline import Extractor
    from kg.model import Paper

    ex = Extractor()
    out: dict[str, list[tuple[int, int, str]]] = {}
    papers = (Paper(id=f"{s.source}:{s.id}", title="", abstract=s.text) for s in samples)
    for res in ex.extract(papers):
        out[res.paper.id] = [(m.start, m.end, m.type.value) for m in res.mentions]
    return out


def train(samples: Sequence[Sample], epochs: int = 10, seed: int = SEED, width: int = 64,
          depth: int = 3, rows: int = 2000, dropout: float = 0.2, batch_words: int = 2000,
          log: Any = sys.stderr) -> Any:
    """Train and return the pipeline (deterministic for a given ``samples`` order and seed)."""
    from spacy.util import fix_random_seed

    fix_random_seed(seed)
    nlp = make_nlp(width, depth, rows)
    rules = rule_spans([s for s in samples if s.annotates != _ALL or s.sparse])
    examples = [to_example(nlp, s, rules.get(f"{s.source}:{s.id}", ())) for s in samples]
    nlp.initialize(lambda: examples)
    rng = random.Random(seed)
    order = list(range(len(examples)))
    for epoch in range(epochs):
        rng.shuffle(order)
        losses: dict[str, float] = {}
        start = time.perf_counter()
        batch: list[Any] = []
        words = 0
        for i in order:
            batch.append(examples[i])
            words += len(examples[i].reference)
            if words >= batch_words:
                nlp.update(batch, drop=dropout, losses=losses)
                batch, words = [], 0
        if batch:
            nlp.update(batch, drop=dropout, losses=losses)
        print(f"epoch {epoch + 1}/{epochs}: ner loss {losses.get('ner', 0.0):.1f} "
              f"({time.perf_counter() - start:.0f} s)", file=log)
    return nlp


def save(nlp: Any, out: Path, meta: dict[str, Any]) -> None:
    """Write the pipeline with a vocabulary holding only the labels (the hash embeddings need
    no strings), so the model stays small."""
    import spacy

    small = spacy.blank("en")
    ner = nlp.get_pipe("ner")
    cfg = {k: v for k, v in nlp.config["components"]["ner"].items() if k != "factory"}
    small.add_pipe("ner", config=cfg)
    small.get_pipe("ner").from_bytes(ner.to_bytes(exclude=["vocab"]), exclude=["vocab"])
    small.meta.update(meta)
    small.meta["name"] = "kg_ner"
    tmp = out.with_name(out.name + ".tmp")
    if tmp.exists():
        shutil.rmtree(tmp)
    small.to_disk(tmp)
    for keep in ("README.md", "calibration.json"):
        if (out / keep).exists():
            shutil.copy(out / keep, tmp / keep)
    if out.exists():
        shutil.rmtree(out)
    tmp.rename(out)


def calibrate(pairs: Iterable[tuple[Any, Sequence[Any]]], min_n: int = 5) -> dict[str, Any]:
    """Per-bucket precision of model spans against gold: ``{"precision": {...}, "n": {...}}``.

    ``pairs`` are ``(GoldDoc, [NerSpan, ...])`` with spans into ``GoldDoc.full_text``. A span is
    correct when its normalised text is a surface of a gold entity of its type in that
    document (kg eval's strict match). Buckets are ``Label:1``/``Label:n`` (one token or more,
    see :func:`ner_model.span_bucket`) and ``Label``; a bucket with fewer than ``min_n``
    predictions falls back to its label's figure.
    """
    from ner_model import span_bucket
    from kg.link.normalize import canonical_key

    hits: Counter[str] = Counter()
    seen: Counter[str] = Counter()
    for doc, spans in pairs:
        surfaces = {(e.type, canonical_key(x)) for e in doc.entities for x in e.surfaces}
        for sp in spans:
            text = doc.full_text[sp.start:sp.end]
            ok = (sp.type, canonical_key(text)) in surfaces
            for key in (sp.type, span_bucket(sp.type, text)):
                seen[key] += 1
                hits[key] += ok
    prec = {k: round(hits[k] / seen[k], 3) for k in sorted(seen) if seen[k] >= min_n}
    return {"precision": prec, "n": dict(sorted(seen.items())),
            "method": "strict precision of the model's spans on held-out kg development gold"}


def _summary(samples: Sequence[Sample]) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for s in samples:
        c = out.setdefault(s.source, Counter({"docs": 0}))
        c["docs"] += 1
        for _, _, lab in s.spans:
            c[lab] += 1
    return {k: dict(v) for k, v in out.items()}


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python benchmarks/ner/train_ner.py", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", type=Path, required=True, help="model directory to (over)write")
    p.add_argument("--gold", type=Path, default=GOLD, help="the shared gold directory")
    p.add_argument("--sources", default="pwc,tdmsci,dsets,scirex",
                   help=f"comma-separated, from: {', '.join(SOURCES)}")
    p.add_argument("--holdout", type=int, default=5,
                   help="hold out every N-th PwC abstract (0: train on all)")
    p.add_argument("--epochs", type=int, default=6)
    p.add_argument("--seed", type=int, default=SEED)
    p.add_argument("--width", type=int, default=64)
    p.add_argument("--depth", type=int, default=3)
    p.add_argument("--rows", type=int, default=2000)
    p.add_argument("--kg-repeat", type=int, default=0,
                   help="also train on kg's development gold (tests/data/gold), each abstract "
                        "this many times (0: not at all)")
    p.add_argument("--calibration", type=Path,
                   help="out-of-fold calibration JSON from `benchmarks/ner/ablation.py "
                        "--kg-folds --calibration FILE` (needed with --kg-repeat); without "
                        "it, calibration is measured here on kg's development gold")
    args = p.parse_args(argv)
    if args.kg_repeat and not args.calibration:
        raise SystemExit("train_ner: --kg-repeat needs --calibration (kg's gold is then "
                         "trained on and cannot calibrate the model)")
    samples: list[Sample] = []
    for name in [n.strip() for n in args.sources.split(",") if n.strip()]:
        if name == "kg-dev":
            raise SystemExit("train_ner: use --kg-repeat to train on kg-dev")
        got = load_source(name, args.gold)
        if name == "pwc":
            got, _ = split_holdout(got, args.holdout)
        samples += got
    samples += load_source("kg-dev") * args.kg_repeat
    print(json.dumps(_summary(samples)), file=sys.stderr)
    start = time.perf_counter()
    nlp = train(samples, args.epochs, args.seed, args.width, args.depth, args.rows)
    meta = {"kg_training": {"sources": args.sources, "holdout_every": args.holdout,
                            "epochs": args.epochs, "seed": args.seed, "width": args.width,
                            "depth": args.depth, "rows": args.rows, "kg_repeat": args.kg_repeat,
                            "counts": _summary(samples),
                            "seconds": round(time.perf_counter() - start)}}
    save(nlp, args.out, meta)
    if args.calibration:
        cal = json.loads(args.calibration.read_text(encoding="utf-8"))
    else:
        from kg.evaluate.gold import read_gold
        from ner_model import NerModel

        docs = [d for f in sorted(KG_GOLD.glob("*.jsonl")) for d in read_gold(f, "kg")]
        cal = calibrate(zip(docs, NerModel(args.out).pipe(d.full_text for d in docs)))
    (args.out / "calibration.json").write_text(json.dumps(cal, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
