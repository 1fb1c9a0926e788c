"""Score kg's extraction on every gold set and write ``benchmarks/results/eval.md``.

Development sets ("dev") may be used to improve kg; "report-only" splits are only reported
(see ``../shared/gold/README.md``). Large sets are cut to their first N documents by default
so that a run stays near three minutes; the table says so. ``--full`` lifts every limit.

    python benchmarks/eval_gold.py                       # default limits
    python benchmarks/eval_gold.py --limit acl-train=0   # no limit for one set
    python benchmarks/eval_gold.py --only kg --errors 10 # kg's own sets, with error lists
"""

from __future__ import annotations

import argparse
import datetime as dt
import shlex
import sys
import time
from pathlib import Path
from typing import Any, NamedTuple

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kg.evaluate.cli import format_table, run_file  # noqa: E402

GOLD = ROOT.parent / "shared" / "gold"
OUT = ROOT / "benchmarks" / "results" / "eval.md"


class GoldSet(NamedTuple):
    name: str
    path: Path
    split: str  # "dev" or "report-only"
    limit: int  # default: first N documents (0: all)


SETS = [
    GoldSet("kg-dev-arxiv-a", ROOT / "tests/data/gold/dev-arxiv-a.jsonl", "dev", 0),
    GoldSet("kg-dev-arxiv-b", ROOT / "tests/data/gold/dev-arxiv-b.jsonl", "dev", 0),
    GoldSet("kg-dev-hf", ROOT / "tests/data/gold/dev-hf.jsonl", "dev", 0),
    # annotated after the rules were written and kept out of their development (see its .md)
    GoldSet("kg-dev-hf-2", ROOT / "tests/data/gold/dev-hf-2.jsonl", "report-only", 0),
    GoldSet("scierc-train", GOLD / "scierc/train.json", "dev", 0),
    GoldSet("scierc-dev", GOLD / "scierc/dev.json", "dev", 0),
    GoldSet("scierc-test", GOLD / "scierc/test.json", "report-only", 0),
    GoldSet("pwc-dev-abs", GOLD / "cs-ner-orkg/pwc/dev-abs.data", "dev", 0),
    GoldSet("pwc-test-abs", GOLD / "cs-ner-orkg/pwc/test-abs.data", "report-only", 0),
    GoldSet("acl-train", GOLD / "cs-ner-orkg/acl/train.data", "dev", 5000),
    GoldSet("acl-dev", GOLD / "cs-ner-orkg/acl/dev.data", "dev", 0),
    GoldSet("acl-test", GOLD / "cs-ner-orkg/acl/test.data", "report-only", 0),
    GoldSet("ftd-train-abs", GOLD / "cs-ner-orkg/ftd/train-abs.data", "dev", 0),
    GoldSet("ftd-dev-abs", GOLD / "cs-ner-orkg/ftd/dev-abs.data", "dev", 0),
    GoldSet("ftd-test-abs", GOLD / "cs-ner-orkg/ftd/test-abs.data", "report-only", 0),
    GoldSet("ftd-train-titles", GOLD / "cs-ner-orkg/ftd/train.data", "dev", 0),
    GoldSet("ftd-dev-titles", GOLD / "cs-ner-orkg/ftd/dev.data", "dev", 0),
    GoldSet("ftd-test-titles", GOLD / "cs-ner-orkg/ftd/test.data", "report-only", 0),
    GoldSet("tdmsci-train", GOLD / "tdmsci/conll/train_1500_v2.conll", "dev", 0),
    GoldSet("tdmsci-test", GOLD / "tdmsci/conll/test_500_v2.conll", "report-only", 0),
    GoldSet("dataset-sentences", GOLD / "dataset-sentences/ner_dataset_recognition_sentences.json",
            "dev", 0),
    GoldSet("scirex-train", GOLD / "scirex/train_docs.jsonl", "dev", 0),
    GoldSet("scirex-dev", GOLD / "scirex/dev.jsonl", "report-only", 0),
]

NOTES = """\
Notes:

* Strict: an entity (a document's mentions of one type and key) matches a gold entity when a
  normalised surface (`kg.link.normalize.canonical_key`) equals a normalised gold name, alias or
  mention. Lenient: a strict match, or a mention span overlapping a gold span. One-to-one per
  document, micro-averaged. Support = gold entities; predicted = kg's entities of that type.
* Mention-level gold (everything but kg's own sets) is grouped into entities per document by
  normalised surface; a name and its bracketed abbreviation right after it form one entity.
* SciERC and SciREX "Material" is scored as Dataset; it is broader (any data or material:
  "image sequence", "Web"), so Dataset precision/recall there are lower bounds. SciERC Method
  also marks generic phrases. Metric, OtherScientificTerm, Generic, SOLUTION, RESOURCE, TOOL,
  LANGUAGE and METRIC labels are not scored. cs-ner-orkg RESEARCH_PROBLEM and TDMSci TASK are
  scored as Task.
* Sentence- and abstract-level gold (SciERC, cs-ner-orkg, TDMSci, dataset-sentences) is run with
  an empty title; token files are rebuilt with single spaces (TDMSci: at its character offsets).
* SciREX: title and abstract only. The abstract is `sections[1]` when that section is headed
  "Abstract", otherwise it follows the title inside `sections[0]` ("document : <title>
  <abstract>", the more common layout); documents with no abstract are skipped.
* Role accuracy (kg sets): PROPOSES vs USES for methods, INTRODUCES vs EVALUATES_ON for datasets,
  on strictly matched entities (n in brackets). Domain accuracy (kg sets): the first predicted
  top domain is among the gold domains / any predicted top domain is; `other (...)` = `other`.
* Not scored: `tdmsci/brat_test` (the same sentences as `test_500_v2.conll`), `nlp-tdms`
  (paper-level labels, no text), `dataset-sentences/oddpub_*` (no annotation spans).
"""


def _parse_limits(items: list[str]) -> dict[str, int]:
    out = {}
    for item in items:
        name, _, n = item.partition("=")
        if name not in {s.name for s in SETS} or not n.isdigit():
            known = ", ".join(s.name for s in SETS)
            raise SystemExit(f"--limit wants NAME=N with NAME one of: {known}")
        out[name] = int(n)
    return out


def _fmt(m: dict[str, Any]) -> str:
    return f"{m['precision']:.3f} / {m['recall']:.3f} / {m['f1']:.3f}"


def markdown(rows: list[tuple[GoldSet, dict[str, Any]]]) -> str:
    head = ("| set | split | type | strict P / R / F1 | lenient P / R / F1 | support | predicted "
            "| role acc | domain acc (first / any) | docs | seconds |\n"
            "| --- | --- | --- | --- | --- | ---: | ---: | --- | --- | ---: | ---: |\n")
    lines = []
    for gs, res in rows:
        dom = res.get("domains")
        dom_cell = f"{dom['first']:.3f} / {dom['any']:.3f}" if dom else ""
        docs = f"{res['docs']} (first {res['limit']})" if res.get("limit") else str(res["docs"])
        for i, (kind, t) in enumerate(res["types"].items()):
            role = (f"{t['role_accuracy']:.3f} ({t['role_n']})"
                    if t["role_accuracy"] is not None else "")
            first = i == 0
            lines.append(
                f"| {gs.name if first else ''} | {gs.split if first else ''} | {kind} | "
                f"{_fmt(t['strict'])} | {_fmt(t['lenient'])} | {t['support']} | {t['predicted']} | "
                f"{role} | {dom_cell if first else ''} | {docs if first else ''} | "
                f"{res['seconds'] if first else ''} |")
    return head + "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--limit", action="append", default=[], metavar="NAME=N",
                    help="First N documents of set NAME (0: all); repeatable.")
    ap.add_argument("--full", action="store_true", help="No limits at all.")
    ap.add_argument("--only", action="append", default=[], metavar="PREFIX",
                    help="Only sets whose name starts with PREFIX; repeatable.")
    ap.add_argument("--errors", type=int, default=0, help="Print N top errors per set to stderr.")
    ap.add_argument("--out", type=Path, default=OUT, help=f"Markdown output (default {OUT}).")
    args = ap.parse_args(argv)
    limits = _parse_limits(args.limit)

    from kg.extract.pipeline import EXTRACTOR_VERSION, Extractor

    extractor = Extractor()
    started = time.perf_counter()
    rows = []
    for gs in SETS:
        if args.only and not any(gs.name.startswith(p) for p in args.only):
            continue
        if not gs.path.exists():
            print(f"skipping {gs.name}: {gs.path} is missing", file=sys.stderr)
            continue
        limit = 0 if args.full else limits.get(gs.name, gs.limit)
        res = run_file(gs.path, extractor.extract, limit=limit or None, errors=args.errors)
        print(f"{gs.name:<20} {gs.split:<12} {res['docs']:>6} docs {res['seconds']:>7} s",
              file=sys.stderr)
        if args.errors:
            print(format_table(res), file=sys.stderr)
        rows.append((gs, res))
    total = round(time.perf_counter() - started, 1)
    table = markdown(rows)
    command = "python " + " ".join(shlex.quote(a) for a in
                                   ["benchmarks/eval_gold.py", *(argv or sys.argv[1:])])
    text = (f"# kg extraction scored on the gold sets\n\n"
            f"Produced by `{command}` on {dt.date.today().isoformat()} "
            f"(extractor version {EXTRACTOR_VERSION}, {total} s in all).\n\n{table}\n{NOTES}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(table)
    print(f"written to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
