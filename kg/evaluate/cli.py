"""``kg eval``: score kg's extraction on gold files (registered on kg's main group)."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from itertools import islice
from pathlib import Path
from typing import Any

import click

from kg.errors import KGError
from kg.evaluate.gold import FORMATS, TYPES, detect_format, read_gold
from kg.evaluate.score import error_listing, evaluate, summarize

__all__ = ["COMMANDS", "eval_command", "run_file", "format_table"]


def _parse_types(ctx: click.Context, param: click.Parameter, value: str) -> tuple[str, ...]:
    by_lower = {t.lower(): t for t in TYPES}
    out = []
    for part in value.split(","):
        if not part.strip():
            continue
        kind = by_lower.get(part.strip().lower())
        if kind is None:
            raise click.BadParameter(f"unknown type {part.strip()!r}; choose from {', '.join(TYPES)}")
        out.append(kind)
    return tuple(dict.fromkeys(out)) or TYPES


def run_file(path: Path, extract: Any, fmt: str | None = None, types: Sequence[str] = TYPES,
             limit: int | None = None, errors: int = 0) -> dict[str, Any]:
    """Score ``extract`` on one gold file; the JSON object that ``kg eval --format json`` prints.

    Keys: ``gold`` (path), ``format``, ``docs``, ``limit``, ``seconds``, ``types`` and
    ``domains`` (see :func:`kg.evaluate.score.summarize`), and ``errors`` when ``errors > 0``.
    """
    fmt = fmt or detect_format(path)
    start = time.perf_counter()
    docs = read_gold(path, fmt)
    if limit:
        docs = islice(docs, limit)
    results = list(evaluate(docs, extract))
    out: dict[str, Any] = {"gold": str(path), "format": fmt}
    out.update(summarize(results, types))
    out["limit"] = limit or None
    out["seconds"] = round(time.perf_counter() - start, 2)
    if errors:
        out["errors"] = error_listing(results, errors, list(out["types"]))
    return out


def _cell(x: float | None) -> str:
    return "-" if x is None else f"{x:.3f}"


def format_table(res: dict[str, Any]) -> str:
    """The plain-text table of one :func:`run_file` result."""
    limited = f", first {res['limit']}" if res.get("limit") else ""
    lines = [f"{res['gold']}  ({res['format']}, {res['docs']} docs{limited}, {res['seconds']} s)",
             f"{'type':<8} {'strict P':>8} {'R':>6} {'F1':>6}   {'lenient P':>9} {'R':>6} "
             f"{'F1':>6}   {'support':>7} {'predicted':>9}   {'role acc':>8}"]
    for kind, t in res["types"].items():
        s, le = t["strict"], t["lenient"]
        role = _cell(t["role_accuracy"]) + (f" ({t['role_n']})" if t["role_accuracy"] is not None else "")
        lines.append(f"{kind:<8} {s['precision']:>8.3f} {s['recall']:>6.3f} {s['f1']:>6.3f}   "
                     f"{le['precision']:>9.3f} {le['recall']:>6.3f} {le['f1']:>6.3f}   "
                     f"{t['support']:>7} {t['predicted']:>9}   {role:>8}")
    if not res["types"]:
        lines.append("(no gold entities of the requested types)")
    if res.get("domains"):
        d = res["domains"]
        lines.append(f"domains: first predicted top domain among gold {d['first']:.3f}, "
                     f"any predicted top among gold {d['any']:.3f} ({d['n']} papers)")
    for kind, errs in (res.get("errors") or {}).items():
        for which, title in (("fp", "false positives"), ("fn", "false negatives"),
                             ("role", "role errors")):
            if not errs[which]:
                continue
            lines.append(f"-- {kind} {title}")
            for e in errs[which]:
                role = f" [gold {e['gold']}, kg {e['predicted']}]" if which == "role" else ""
                lines.append(f"  {e['count']:>3}  {e['text']}{role}")
                if e["sentence"]:
                    lines.append(f"       \"{e['sentence'][:200]}\"")
    return "\n".join(lines)


@click.command("eval")
@click.argument("gold", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "out_fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True, help="A table per gold file, or a JSON list of results.")
@click.option("--gold-format", type=click.Choice(sorted(FORMATS)),
              help="The gold files' format (default: detected from each file's content).")
@click.option("--types", default=",".join(TYPES), show_default=True, callback=_parse_types,
              help="Comma-separated entity types to report.")
@click.option("--errors", type=click.IntRange(0), default=0,
              help="Also list the N most frequent false positives, false negatives and role "
                   "errors per type, with a sentence each.")
@click.option("--limit", type=click.IntRange(0), default=0,
              help="Score only the first N documents of each gold file (0: all).")
def eval_command(gold: tuple[Path, ...], out_fmt: str, gold_format: str | None,
                 types: tuple[str, ...], errors: int, limit: int) -> None:
    """Score kg's extraction on annotated text: precision, recall and F1 per type.

    GOLD files may be kg's gold JSON lines, SciERC or SciREX JSON lines, BIOES token files
    (cs-ner-orkg), CoNLL token files (TDMSci) or the dataset-sentences JSON. Strict matching
    compares normalised names; lenient matching accepts overlapping spans. Role accuracy
    (proposes/uses, introduces/evaluates on) and domain accuracy are shown when the gold has
    them. SciERC and SciREX "Material" is scored as Dataset (it is broader).

    \b
    Example:
      kg eval tests/data/gold/dev-hf.jsonl --errors 10
      kg eval ../shared/gold/scierc/dev.json --format json
    """
    from kg.extract.pipeline import Extractor

    results = []
    try:
        formats = [gold_format or detect_format(path) for path in gold]  # fail before the build
        extractor = Extractor()
        for path, fmt in zip(gold, formats):
            res = run_file(path, extractor.extract, fmt, types, limit or None, errors)
            if out_fmt == "table":
                click.echo(format_table(res))
                click.echo()
            results.append(res)
    except KGError as exc:
        raise click.ClickException(str(exc)) from exc
    if out_fmt == "json":
        click.echo(json.dumps(results, indent=2, ensure_ascii=False))


COMMANDS = [eval_command]
