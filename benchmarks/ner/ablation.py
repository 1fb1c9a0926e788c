"""Does kg's statistical NER model help? Rules alone vs model alone vs rules + model.

Scores (with ``kg eval``'s own scorer, strict and lenient entity-level P/R/F1) on:

* kg's development gold, ``tests/data/gold/*.jsonl`` (60 abstracts; never trained on, except
  in ``--kg-folds``, where each file is scored by a model trained on the other two);
* the held-out fifth of cs-ner-orkg PwC ``dev-abs.data`` (Method and Task only: PwC labels no
  datasets) -- the abstracts :mod:`train_ner` leaves out with ``--holdout 5``;
* SciERC ``dev.json`` (Method and Task; its Method also marks generic phrases).

The "rules + model" extractor is :class:`kg.extract.pipeline.Extractor` with the model's
candidates merged in exactly where ``benchmarks/ner/README.md`` tells the pipeline to merge
them (a subclass here: the shared pipeline is not edited).

Usage (from the repository root)::

    python benchmarks/ner/ablation.py                      # the shipped model
    python benchmarks/ner/ablation.py --model /tmp/m       # another trained model
    python benchmarks/ner/ablation.py --train pwc,tdmsci --epochs 8   # train, then score
    python benchmarks/ner/ablation.py --kg-folds --train pwc,tdmsci,dsets,scirex
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from kg.evaluate.gold import GoldDoc, read_gold  # noqa: E402
from kg.evaluate.score import evaluate, summarize  # noqa: E402
from kg.extract.candidates import Abbreviation, Candidate  # noqa: E402
from ner_model import MODEL_DIR, NerModel, merge_candidates, model_candidates  # noqa: E402
from kg.extract.pipeline import SEPARATOR, Extractor, PaperExtraction  # noqa: E402
from train_ner import GOLD, KG_GOLD, load_source, split_holdout, train  # noqa: E402
from kg.link.normalize import canonical_key  # noqa: E402
from kg.model import Mention, Paper  # noqa: E402
from kg.schema import NodeType, RelType  # noqa: E402

_TYPES = {"Method": NodeType.METHOD, "Dataset": NodeType.DATASET, "Task": NodeType.TASK}
_ROLE = {"Method": RelType.USES, "Dataset": RelType.EVALUATES_ON, "Task": RelType.ADDRESSES}


class NerExtractor(Extractor):
    """The rule extractor with the model's candidates merged before overlap resolution.

    Overriding ``_abbreviation_candidates`` (the last candidate source ``_extract_doc``
    collects) puts the merge at the same point as the wiring proposed for ``pipeline.py``.
    """

    def __init__(self, ner: NerModel, policy: str = "gaps") -> None:
        super().__init__()
        # "gaps@Dataset": the gaps policy for Dataset spans only; "gaps>0.6": spans whose
        # calibrated confidence is at least 0.6
        policy, _, floor = policy.partition(">")
        self.min_confidence = float(floor or 0.0)
        self.policy, _, only = policy.partition("@")
        self.ner, self.types = ner, (frozenset(only.split("+")) if only else None)

    def _abbreviation_candidates(self, doc: Any, abbrevs: list[Abbreviation],
                                 cands: list[Candidate]) -> list[Candidate]:
        own = super()._abbreviation_candidates(doc, abbrevs, cands)
        rules = [*cands, *own]
        found = model_candidates(doc, self.ner.spans(doc.text), self.min_confidence)
        merged = merge_candidates(rules, found, self.policy, self.types)
        return own + merged[len(rules):]


def model_only(ner: NerModel) -> Any:
    """An ``extract`` function (papers -> PaperExtraction) that uses the model alone."""

    def extract(papers: Iterable[Paper]) -> Iterator[PaperExtraction]:
        for paper in papers:
            text = paper.title + SEPARATOR + paper.abstract
            tlen = len(paper.title)
            mentions = []
            for s in ner.spans(text):
                in_title = s.start < tlen
                off = 0 if in_title else tlen + len(SEPARATOR)
                mentions.append(Mention(
                    paper_id=paper.id, text=text[s.start:s.end], start=s.start - off,
                    end=s.end - off, field="title" if in_title else "abstract",
                    type=_TYPES[s.type], role=_ROLE[s.type], rule=f"ner-{s.type.lower()}",
                    confidence=s.confidence, sentence="", key=canonical_key(text[s.start:s.end])))
            yield PaperExtraction(paper, tuple(mentions), (), ())

    return extract


def eval_sets(gold: Path, kg_files: Sequence[Path]) -> dict[str, tuple[list[GoldDoc], tuple[str, ...]]]:
    """``{name: (docs, types scored)}``."""
    sets: dict[str, tuple[list[GoldDoc], tuple[str, ...]]] = {}
    kg_docs = [d for f in kg_files for d in read_gold(f, "kg")]
    if kg_docs:
        sets["kg-dev"] = (kg_docs, ("Method", "Dataset", "Task"))
    pwc = list(read_gold(gold / "cs-ner-orkg/pwc/dev-abs.data", "bioes"))
    sets["pwc-heldout"] = (split_holdout(pwc, 5)[1], ("Method", "Task"))
    sets["scierc-dev"] = (list(read_gold(gold / "scierc/dev.json", "scierc")), ("Method", "Task"))
    return sets


def score(docs: list[GoldDoc], types: tuple[str, ...], extract: Any) -> dict[str, Any]:
    res = summarize(list(evaluate(docs, extract)), types)
    return {t: {"P": v["strict"]["precision"], "R": v["strict"]["recall"],
                "F1": v["strict"]["f1"], "lenF1": v["lenient"]["f1"], "pred": v["predicted"],
                "gold": v["support"]} for t, v in res["types"].items()}


def run(ner: NerModel, sets: dict[str, Any], policies: Sequence[str]) -> dict[str, Any]:
    rules = Extractor()
    systems: dict[str, Any] = {"rules": rules.extract, "model": model_only(ner)}
    for p in policies:
        systems[f"rules+model:{p}"] = NerExtractor(ner, p).extract
    out: dict[str, Any] = {}
    for name, (docs, types) in sets.items():
        out[name] = {sys_name: score(docs, types, fn) for sys_name, fn in systems.items()}
    return out


def run_pooled(results: dict[str, Any]) -> dict[str, Any]:
    """Micro-average the per-fold figures (sums of counts over folds)."""
    out: dict[str, Any] = {}
    for systems in results.values():
        for sys_name, types in systems.items():
            for t, v in types.items():
                acc = out.setdefault(sys_name, {}).setdefault(t, {"tp": 0.0, "pred": 0, "gold": 0,
                                                                  "ltp": 0.0})
                acc["tp"] += v["P"] * v["pred"]
                acc["ltp"] += v["lenF1"] * (v["pred"] + v["gold"]) / 2
                acc["pred"] += v["pred"]
                acc["gold"] += v["gold"]
    for types in out.values():
        for t, a in types.items():
            p = a["tp"] / a["pred"] if a["pred"] else 0.0
            r = a["tp"] / a["gold"] if a["gold"] else 0.0
            f = 2 * p * r / (p + r) if p + r else 0.0
            lf = 2 * a["ltp"] / (a["pred"] + a["gold"]) if a["pred"] + a["gold"] else 0.0
            types[t] = {"P": round(p, 4), "R": round(r, 4), "F1": round(f, 4),
                        "lenF1": round(lf, 4), "pred": a["pred"], "gold": a["gold"]}
    return out


def table(results: dict[str, Any]) -> str:
    lines = []
    for set_name, systems in results.items():
        lines.append(f"== {set_name}")
        for sys_name, types in systems.items():
            cells = "  ".join(f"{t} P {v['P']:.3f} R {v['R']:.3f} F1 {v['F1']:.3f} (len {v['lenF1']:.3f})"
                              for t, v in types.items())
            lines.append(f"  {sys_name:<18} {cells}")
    return "\n".join(lines)


def _train_to(dirpath: Path, sources: str, epochs: int, extra: Sequence[Any] = ()) -> NerModel:
    from train_ner import save

    samples = []
    for name in [n for n in sources.split(",") if n.strip()]:
        got = load_source(name.strip())
        samples += split_holdout(got, 5)[0] if name.strip() == "pwc" else got
    nlp = train([*samples, *extra], epochs=epochs)
    save(nlp, dirpath, {"kg_training": {"sources": sources, "epochs": epochs}})
    return NerModel(dirpath)


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", type=Path, default=MODEL_DIR)
    p.add_argument("--train", help="train on these sources first (see train_ner)")
    p.add_argument("--epochs", type=int, default=8)
    p.add_argument("--kg-folds", action="store_true",
                   help="also train on two of the three kg gold files, score on the third")
    p.add_argument("--policies", default="gaps,all")
    p.add_argument("--kg-repeat", type=int, default=2,
                   help="with --kg-folds: how many times each kg gold abstract is trained on")
    p.add_argument("--calibration", type=Path,
                   help="with --kg-folds: write the out-of-fold calibration here")
    p.add_argument("--json", type=Path, help="write the results here too")
    args = p.parse_args(argv)
    policies = [x for x in args.policies.split(",") if x]
    kg_files = sorted(KG_GOLD.glob("*.jsonl"))
    start = time.perf_counter()
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        if args.kg_folds:
            pairs = []
            for held in kg_files:
                extra = [s for f in kg_files if f != held for s in _kg_samples(f)] * args.kg_repeat
                ner = _train_to(Path(tmp) / held.stem, args.train or "", args.epochs, extra)
                docs = list(read_gold(held, "kg"))
                pairs += zip(docs, ner.pipe(d.full_text for d in docs))
                r = run(ner, {f"kg-fold:{held.stem}": (docs, ("Method", "Dataset", "Task"))},
                        policies)
                results.update(r)
                print(table(r), flush=True)
            pooled = run_pooled(results)
            results["kg-folds-pooled"] = pooled
            print(table({"kg-folds-pooled": pooled}))
            if args.calibration:
                from train_ner import calibrate

                args.calibration.write_text(json.dumps(calibrate(pairs), indent=1) + "\n")
        else:
            ner = _train_to(Path(tmp) / "m", args.train, args.epochs) if args.train \
                else NerModel(args.model)
            results = run(ner, eval_sets(GOLD, kg_files), policies)
            print(table(results))
    print(f"({time.perf_counter() - start:.0f} s)", file=sys.stderr)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    return 0


def _kg_samples(path: Path) -> list[Any]:
    from train_ner import Sample

    return [Sample("kg-dev", d.id, d.full_text,
                   tuple(sorted({(a, b, e.type) for e in d.entities for a, b in e.spans})),
                   frozenset({"Method", "Dataset", "Task"})) for d in read_gold(path, "kg")]


if __name__ == "__main__":
    raise SystemExit(main())
