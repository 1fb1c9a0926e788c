"""Commands for RDF: ``kg export rdf``, and the top-level ``kg validate`` and ``kg sparql``.

``COMMANDS`` go under ``kg export``; ``TOP_COMMANDS`` are registered on the main group.
Library errors (:class:`kg.errors.KGError`) become ``Error: ...`` with exit code 1, except in
``kg validate``, whose exit codes follow pyshacl's: 0 conforms, 1 does not, 2 error.
"""

from __future__ import annotations

import functools
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from kg.cli_options import store_option
from kg.errors import KGError
from kg.schema import DEFAULT_BASE_IRI

__all__ = ["COMMANDS", "TOP_COMMANDS", "export_rdf", "validate", "sparql"]

F = TypeVar("F", bound=Callable[..., Any])
_FORMATS = ("ttl", "nt", "jsonld", "nq")
_SUFFIX_FORMAT = {".ttl": "ttl", ".nt": "nt", ".jsonld": "jsonld", ".json": "jsonld", ".nq": "nq"}


def _kg_errors(f: F) -> F:
    """Turn library errors into ``Error: ...`` (exit 1), also when run outside ``kg``."""

    @functools.wraps(f)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return f(*args, **kwargs)
        except KGError as exc:
            raise click.ClickException(str(exc)) from exc

    return wrapper  # type: ignore[return-value]


def _base_option(f: F) -> F:
    return click.option(
        "--base-iri", default=DEFAULT_BASE_IRI, show_default=True, metavar="IRI",
        help="Prefix of node IRIs (domains keep the taxonomy's IRIs).")(f)


@click.command("rdf")
@store_option
@click.option("--format", "fmt", type=click.Choice(_FORMATS),
              help="Output format [default: from the --out extension, else ttl].")
@click.option("--out", default="-", show_default=True, metavar="FILE",
              help="Output file; '-' is stdout.")
@_base_option
@click.option("--jobs", "-j", type=click.IntRange(0), default=0, show_default=True,
              help="Processes formatting N-Triples (0: one per core); the output is the same "
                   "for any number.")
@_kg_errors
def export_rdf(store_path: Path, fmt: str | None, out: str, base_iri: str, jobs: int) -> None:
    """Export the graph as RDF: Turtle, N-Triples, JSON-LD or N-Quads.

    Nodes get IRIs of the form BASE + kg id (the ids Neo4j uses), relations are kg ontology
    properties, each edge's evidence is a kg:Evidence node (sentence, offsets, rule,
    confidence), domains are the SKOS concepts of ontology/domains.ttl, and a VoID
    description closes the file. nt streams (for large graphs); the other formats build the
    graph in memory first. A summary goes to stderr.

    \b
    Example:
      kg export rdf --format ttl --out kg.ttl
      kg export rdf --format nt --out docker/data/kg.nt --jobs 2
      kg export rdf --format jsonld --base-iri https://example.org/kg/ > kg.jsonld
    """
    from kg.export.rdf import check_base_iri, export
    from kg.store import Store

    check_base_iri(base_iri)
    fmt = fmt or _SUFFIX_FORMAT.get(Path(out).suffix.lower(), "ttl")
    export = functools.partial(export, jobs=jobs or os.cpu_count() or 1)
    start = time.perf_counter()
    with Store.open(store_path) as store:
        if out == "-":
            n = export(store, sys.stdout.buffer, fmt, base_iri)
            sys.stdout.buffer.flush()
        else:
            n = _export_file(store, Path(out), fmt, base_iri, export)
    secs = time.perf_counter() - start
    where = "stdout" if out == "-" else out
    click.echo(f"wrote {n} triples ({fmt}) to {where} in {secs:.2f} s "
               f"({n / max(secs, 1e-9):,.0f} triples/s)", err=True)


def _export_file(store: Any, path: Path, fmt: str, base: str, export: Any) -> int:
    # Write beside the target and rename, so a failed export never leaves half a file.
    tmp = path.with_name(path.name + ".partial")
    try:
        with tmp.open("wb") as fh:
            n = int(export(store, fh, fmt, base))
        os.replace(tmp, path)
    except OSError as exc:
        raise KGError(f"cannot write {path}: {exc.strerror or exc}") from exc
    finally:
        if tmp.exists():
            tmp.unlink()
    return n


@click.command("validate")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--inference", type=click.Choice(["rdfs", "none"]), default="rdfs", show_default=True,
              help="rdfs: add ontology/kg.ttl's sub-class and sub-property entailments first.")
@click.option("--max-shown", type=int, default=50, show_default=True,
              help="Print at most this many violations (0: all).")
@click.pass_context
def validate(ctx: click.Context, file: Path, inference: str, max_shown: int) -> None:
    """Check an RDF file against kg's SHACL shapes (ontology/shapes.ttl).

    Prints each violation (focus node, path, value, message). Exit code 0 when the data
    conforms, 1 when it does not, 2 when the file cannot be read or parsed.

    \b
    Example:
      kg export rdf --out kg.ttl && kg validate kg.ttl
    """
    from kg.export.sparql import validate as run_validate

    try:
        report = run_validate(file, inference=inference)
    except KGError as exc:
        click.echo(f"Error: {exc}", err=True)
        ctx.exit(2)
    if report.conforms:
        click.echo(f"{file}: conforms ({report.triples} triples)")
        return
    shown = report.violations if max_shown <= 0 else report.violations[:max_shown]
    for v in shown:
        click.echo(v.describe())
    more = len(report.violations) - len(shown)
    click.echo(f"{file}: does not conform: {len(report.violations)} violation(s)"
               + (f" ({more} not shown; use --max-shown 0)" if more else ""))
    ctx.exit(1)


def _parse_params(values: tuple[str, ...]) -> dict[str, str]:
    params: dict[str, str] = {}
    for item in values:
        name, sep, value = item.partition("=")
        if not sep or not name or not value:
            raise click.BadParameter(f"{item!r} is not NAME=VALUE", param_hint="--param")
        params[name.lstrip("?$")] = value
    return params


def _read_query(arg: str) -> str:
    path = Path(arg)
    if "\n" not in arg and len(arg) < 4096 and path.is_file():
        try:
            return path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise KGError(f"cannot read the query file {arg}: {exc}") from exc
    if path.suffix in {".rq", ".sparql"} and not any(c in arg for c in "{}\n"):
        raise KGError(f"no query file {arg}")
    return arg


@click.command("sparql")
@click.argument("query")
@store_option
@click.option("--data", type=click.Path(dir_okay=False, path_type=Path),
              help="Query this RDF file (nt, ttl, jsonld, nq, ...) instead of the store.")
@click.option("--param", "params", multiple=True, metavar="NAME=ID",
              help="Bind ?NAME to the IRI of kg id ID (repeatable).")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table",
              show_default=True)
@_base_option
@click.option("--timing", is_flag=True, help="Print load and query times to stderr.")
@click.pass_context
@_kg_errors
def sparql(ctx: click.Context, query: str, store_path: Path, data: Path | None,
           params: tuple[str, ...], fmt: str, base_iri: str, timing: bool) -> None:
    """Run a SPARQL 1.1 query on the graph, embedded (no server needed).

    QUERY is a .rq file or the query text. The graph is the store's RDF export (built in
    memory) or, with --data, an RDF file. --param binds a variable with VALUES to a kg id's
    IRI, as queries/README.md describes.

    \b
    Example:
      kg sparql queries/sparql/top_tasks.rq
      kg sparql queries/sparql/datasets_for_method.rq --param method=method/transformer
      kg sparql 'SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }' --format json
    """
    from kg.export.sparql import bind_parameters, format_result, load_file, load_store, run_query
    from kg.store import Store

    if data is not None and ctx.get_parameter_source("store_path") not in (
            click.core.ParameterSource.DEFAULT, None):
        raise click.UsageError("give --store or --data, not both")
    text = bind_parameters(_read_query(query), _parse_params(params), base_iri)
    start = time.perf_counter()
    if data is not None:
        graph = load_file(data)
    else:
        with Store.open(store_path) as store:
            graph = load_store(store, base_iri)
    loaded = time.perf_counter()
    result = run_query(graph, text)
    done = time.perf_counter()
    click.echo(format_result(result, fmt), nl=False)
    if timing:
        click.echo(f"loaded {len(graph)} triples in {loaded - start:.3f} s; "
                   f"query in {done - loaded:.3f} s", err=True)


COMMANDS = [export_rdf]
TOP_COMMANDS = [validate, sparql]
