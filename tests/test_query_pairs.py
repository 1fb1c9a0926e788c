"""``queries/``: every Cypher query and its SPARQL pair give the same answer on the seed graph.

The hf-daily-papers store is exported to a real FalkorDB server (``export_graph`` with
``FalkorTransport``, as ``kg export falkordb`` does) and to RDF (``kg.export.sparql``, embedded);
each ``queries/cypher/X.cypher`` (or ``X.falkordb.cypher`` where FalkorDB needs its own form)
runs on the first and ``queries/sparql/X.rq`` on the second, with the same parameters. The
rows must be equal value for value and type for type, both in the order the query defines,
and each answer must hold a fact known about this corpus, so an empty answer fails.
Every Cypher file also passes Neo4j's own parser (``cypher-lint``).
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from kg.export.cypher import Dialect, schema_statements
from kg.export.neo4j import FalkorTransport, export_graph
from kg.export.sparql import bind_parameters, load_store, run_query
from kg.store import Store
from query_table import readme_rows
from graph_walk import ADJACENCY_SQL, adjacency, shortest_paths

ROOT = Path(__file__).resolve().parents[1]
QUERIES = ROOT / "queries"
CYPHER = QUERIES / "cypher"
SPARQL = QUERIES / "sparql"
LINT = ROOT.parent / "shared" / "tools" / "cypher-lint"
GRAPH = "kg_query_pairs"

Rows = list[tuple[Any, ...]]

#: Parameter sets each query runs with (kg ids of the hf-daily-papers graph).
CASES: dict[str, list[dict[str, str]]] = {
    "methods_by_domain": [{}],
    "datasets_for_method": [{"method": "method/transformer"}],
    "method_crossovers": [{}],
    "paper_contributions": [{"paper": "paper/title-79f3b1eb9dd30544"}],
    "top_tasks": [{}],
    "method_evidence": [{"method": "method/transformer"}],
    "domain_overview": [{}],
    "method_spread": [{"method": "method/transformer"}],
    "papers_for_task": [{"task": "task/image-classification"}],
    "shortest_path": [
        {"source": "method/transformer", "target": "task/image-classification"},
        {"source": "method/transformer", "target": "code/github.com-implus-sknet"},
    ],
    "cooccurring_methods": [{}],
    "paper_neighborhood": [{"paper": "paper/title-79f3b1eb9dd30544"}],
    "new_methods_per_year": [{}],
    "shared_datasets": [{}],
    "underexplored_pairs": [{}],
    "most_connected": [{}],
}

#: The order each query defines: (column, descending); None sorts last ascending, as in Neo4j.
ORDER: dict[str, list[tuple[str, bool]]] = {
    "methods_by_domain": [("domain", False), ("papers", True), ("method", False)],
    "datasets_for_method": [("papers", True), ("dataset", False)],
    "method_crossovers": [("method", False), ("from_domain", False), ("to_domain", False)],
    "paper_contributions": [("relation", False), ("name", False)],
    "top_tasks": [("papers", True), ("task", False)],
    "method_evidence": [("paper", False), ("relation", False)],
    "domain_overview": [("papers", True), ("domain", False)],
    "method_spread": [("first_year", False), ("domain", False)],
    "papers_for_task": [("paper", False), ("method", False)],
    "shortest_path": [("path", False)],
    "cooccurring_methods": [("papers", True), ("method_a", False), ("method_b", False)],
    "paper_neighborhood": [("relation", False), ("id", False)],
    "new_methods_per_year": [("year", False)],
    "shared_datasets": [("domains", True), ("papers", True), ("dataset", False)],
    "underexplored_pairs": [("score", True), ("method", False), ("domain", False)],
    "most_connected": [("degree", True), ("type", False), ("name", False)],
}


# -- the contract: README table, file headers ----------------------------------------------
def cypher_file(name: str) -> Path:
    """The file the test runs on FalkorDB: the FalkorDB variant if there is one."""
    variant = CYPHER / f"{name}.falkordb.cypher"
    return variant if variant.exists() else CYPHER / f"{name}.cypher"


def statement(path: Path) -> str:
    """The one statement of a query file, without its closing ``;`` (FalkorDB takes one
    statement per query and reads ``;`` as the start of another)."""
    text = path.read_text().strip()
    assert text.endswith(";") and text.count(";\n") == 0, f"{path.name}: not one statement ending in ;"
    return text[:-1]


@pytest.fixture(scope="module")
def lint() -> Any:
    """``cypher-lint --strict`` over every Cypher file, started early: Neo4j's parser takes
    about two seconds a file, so it runs while the graphs are exported and queried."""
    files = sorted(str(p) for p in CYPHER.glob("*.cypher"))
    proc = subprocess.Popen([str(LINT), "--strict", *files], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    yield proc, files
    if proc.poll() is None:
        proc.kill()
        proc.wait()


def test_every_question_has_a_cypher_file_a_sparql_file_and_a_readme_row(lint: Any) -> None:
    names = {p.name.split(".")[0] for p in CYPHER.glob("*.cypher")}
    assert names == {p.stem for p in SPARQL.glob("*.rq")} == set(readme_rows()) == set(CASES) == set(ORDER)
    assert len(names) >= 12
    for variant in CYPHER.glob("*.falkordb.cypher"):
        assert (CYPHER / variant.name.replace(".falkordb", "")).exists(), variant.name


@pytest.mark.parametrize("name", sorted(CASES))
def test_cypher_header_states_question_parameters_columns_and_order(name: str) -> None:
    params, columns = readme_rows()[name]
    text = (CYPHER / f"{name}.cypher").read_text()
    assert text.startswith(f"// {name}: "), "the first line names the query and its question"
    header = dict(re.findall(r"^// (Parameters|Columns|Order): *(.*)$", text, re.M))
    assert header.keys() == {"Parameters", "Columns", "Order"}
    assert [c.strip() for c in header["Columns"].split(",")] == columns
    assert re.findall(r"\$(\w+)", header["Parameters"]) == params
    assert set(re.findall(r"\$(\w+)", text.split("\n", 1)[1])) == set(params)
    if (CYPHER / f"{name}.falkordb.cypher").exists():
        assert set(re.findall(r"\$(\w+)", (CYPHER / f"{name}.falkordb.cypher").read_text())) == set(params)


# -- the two graphs ------------------------------------------------------------------------
@pytest.fixture(scope="module")
def falkor(falkordb_server: Any, hf_store_dir: Path) -> Any:
    """The hf-daily-papers graph on the shared FalkorDB server (graph ``kg_query_pairs``)."""
    falkordb_server.delete_graph(GRAPH)
    transport = FalkorTransport.connect(falkordb_server.url, GRAPH)
    try:
        with Store.open(hf_store_dir) as store:
            report = export_graph(store, transport, schema=schema_statements(Dialect.FALKORDB))
    finally:
        transport.close()
    assert report.nodes["Paper"] == 321
    return falkordb_server.graph(GRAPH)


@pytest.fixture(scope="module")
def oxigraph(hf_store_dir: Path) -> Any:
    with Store.open(hf_store_dir) as store:
        return load_store(store)


def run_cypher(graph: Any, name: str, params: dict[str, str]) -> tuple[list[str], Rows]:
    result = graph.query(statement(cypher_file(name)), params)
    columns = [h[1] if isinstance(h, (list, tuple)) else h for h in result.header]
    columns = [c.decode() if isinstance(c, bytes) else c for c in columns]
    return columns, [tuple(r) for r in result.result_set]


def run_sparql(ox: Any, name: str, params: dict[str, str]) -> tuple[list[str], Rows]:
    result = run_query(ox, bind_parameters((SPARQL / f"{name}.rq").read_text(), params))
    return result.columns, result.rows


# -- comparing -----------------------------------------------------------------------------
def typed(value: Any) -> Any:
    """``value`` tagged with its kind, so that 1, 1.0, True and '1' never compare equal;
    floats rounded to 9 digits (FalkorDB doubles against xsd:decimal)."""
    if value is None:
        return ("null",)
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, int):
        return ("int", value)
    if isinstance(value, float):
        return ("float", round(value, 9))
    if isinstance(value, str):
        return ("str", value)
    if isinstance(value, date):
        return ("date", value.isoformat())
    if isinstance(value, (list, tuple)):
        return ("list", tuple(typed(v) for v in value))
    raise AssertionError(f"unexpected value {value!r} of type {type(value).__name__}")


def sort_key(name: str, columns: list[str]) -> Callable[[tuple[Any, ...]], tuple[Any, ...]]:
    """The key of the order ``name`` defines (ties stay unordered)."""
    def key(row: tuple[Any, ...]) -> tuple[Any, ...]:
        values = dict(zip(columns, row))
        if name == "underexplored_pairs":
            values["score"] = values["method_papers"] * values["domain_papers"]
        out: list[Any] = []
        for col, desc in ORDER[name]:
            v = values[col]
            missing = v is None
            if desc:
                out.append((not missing, -v if isinstance(v, (int, float)) else v))
            else:
                out.append((missing, v if not missing else 0))
        return tuple(out)
    return key


def assert_ordered(name: str, columns: list[str], rows: Rows, engine: str) -> None:
    key = sort_key(name, columns)
    keys = [key(r) for r in rows]
    assert keys == sorted(keys), f"{engine} rows of {name} are not in the order the query defines"


def answers(falkor: Any, oxigraph: Any, name: str, params: dict[str, str]) -> tuple[list[str], Rows]:
    """Run both sides, check they agree, return ``(columns, rows)``."""
    columns = readme_rows()[name][1]
    c_cols, c_rows = run_cypher(falkor, name, params)
    s_cols, s_rows = run_sparql(oxigraph, name, params)
    assert c_cols == columns, f"Cypher columns {c_cols}"
    assert s_cols == columns, f"SPARQL columns {s_cols}"
    assert_ordered(name, columns, c_rows, "Cypher")
    assert_ordered(name, columns, s_rows, "SPARQL")
    c_typed = [tuple(typed(v) for v in r) for r in c_rows]
    s_typed = [tuple(typed(v) for v in r) for r in s_rows]
    # Same rows, and, where the order defines no tie, in the same place.
    assert sorted(c_typed) == sorted(s_typed), _diff(c_typed, s_typed)
    key = sort_key(name, columns)
    assert [key(r) for r in c_rows] == [key(r) for r in s_rows]
    return columns, c_rows


def _diff(a: list[Any], b: list[Any]) -> str:
    only_a = [r for r in a if r not in b][:3]
    only_b = [r for r in b if r not in a][:3]
    return f"{len(a)} Cypher rows, {len(b)} SPARQL rows; only Cypher: {only_a}; only SPARQL: {only_b}"


# -- facts of the hf-daily-papers graph, one check per query -------------------------------
def _adjacency(store_dir: Path) -> dict[str, set[str]]:
    with Store.open(store_dir) as store:
        return adjacency(store.conn.execute(ADJACENCY_SQL))


def check(name: str, columns: list[str], rows: Rows, params: dict[str, str], hf_store_dir: Path) -> None:
    r = [dict(zip(columns, row)) for row in rows]
    assert r, f"{name} {params} gave no rows"
    if name == "methods_by_domain":
        cv = [x["method"] for x in r if x["domain"] == "computer vision"]
        assert "Transformer" in cv and len(cv) == 10
    elif name == "datasets_for_method":
        assert {"MNIST", "CIFAR-10"} <= {x["dataset"] for x in r} and r[0]["papers"] >= 2
    elif name == "method_crossovers":
        assert all(x["from_year"] < x["to_year"] for x in r)
        assert any(x["method"] == "GPT-2" and x["from_domain"] == "natural language processing" for x in r)
    elif name in ("paper_contributions", "paper_neighborhood"):
        assert {"MNIST", "CIFAR-10"} <= {x["name"] for x in r if x["relation"] == "EVALUATES_ON"}
        assert all(x["sentence"] for x in r)
        if name == "paper_neighborhood":
            assert {"ADDRESSES", "EVALUATES_ON"} <= {x["relation"] for x in r}
            assert all(0 < x["confidence"] <= 1 and x["rule"] and x["field"] for x in r)
            assert len(r) > 4
    elif name == "top_tasks":
        assert len(r) == 25 and r[0]["papers"] > r[-1]["papers"] >= 1
    elif name == "method_evidence":
        assert len({x["paper"] for x in r}) >= 20 and all(x["sentence"] and x["rule"] for x in r)
    elif name == "domain_overview":
        top = {x["domain"]: x for x in r}
        assert top["neuroscience"]["broader"] is None and top["neuroscience"]["papers"] >= 20
        assert top["large language models"]["broader"] == "natural language processing"
    elif name == "method_spread":
        spread = {x["domain"]: x for x in r}
        assert {"computer vision", "natural language processing", "neuroscience"} <= set(spread)
        assert all(x["first_year"] <= x["last_year"] for x in r if x["first_year"] is not None)
        assert any(x["first_year"] is None for x in r)  # null years are compared too
    elif name == "papers_for_task":
        assert {"MAXIM", "NiNformer"} <= {x["method"] for x in r}
    elif name == "shortest_path":
        expected = shortest_paths(_adjacency(hf_store_dir), params["source"], params["target"])
        assert {x["path"] for x in r} == {" - ".join(p) for p in expected}
        assert {x["hops"] for x in r} == {len(expected[0]) - 1} and 2 <= r[0]["hops"] <= 3
    elif name == "cooccurring_methods":
        assert len(r) == 25 and ("Transformer", "multilayer perceptron") == (r[0]["method_a"], r[0]["method_b"])
    elif name == "new_methods_per_year":
        assert len(r) >= 10 and all(x["new_methods"] >= x["proposed"] >= 0 for x in r)
        assert sum(x["proposed"] for x in r) > 0
    elif name == "shared_datasets":
        assert r[0]["dataset"] == "MNIST" and all(x["domains"] >= 2 for x in r)
    elif name == "underexplored_pairs":
        assert len(r) == 25 and "large language model" in {x["method"] for x in r}
    elif name == "most_connected":
        assert len(r) == 25 and r[0]["type"] == "Domain" and r[0]["degree"] > 100
        assert "Transformer" in {x["name"] for x in r if x["type"] == "Method"}
    else:  # pragma: no cover - the guard test keeps CASES and this in step
        raise AssertionError(f"no check for {name}")


@pytest.mark.parametrize(("name", "params"), [(n, p) for n, ps in CASES.items() for p in ps],
                         ids=[f"{n}-{i}" for n, ps in CASES.items() for i, _ in enumerate(ps)])
def test_cypher_and_sparql_give_the_same_answer(name: str, params: dict[str, str], falkor: Any,
                                                oxigraph: Any, hf_store_dir: Path) -> None:
    wanted = readme_rows()[name][0]
    assert sorted(params) == sorted(wanted)
    columns, rows = answers(falkor, oxigraph, name, params)
    check(name, columns, rows, params, hf_store_dir)


@pytest.mark.parametrize("variant", sorted(p.name for p in CYPHER.glob("*.falkordb.cypher")))
def test_a_falkordb_variant_exists_only_where_falkordb_refuses_the_neo4j_form(variant: str,
                                                                              falkor: Any) -> None:
    import redis

    name = variant.split(".")[0]
    params = CASES[name][0]
    with pytest.raises(redis.exceptions.ResponseError):
        falkor.query(statement(CYPHER / f"{name}.cypher"), params)


@pytest.mark.parametrize("name", ["shortest_path", "paper_neighborhood", "most_connected"])
def test_sparql_queries_over_any_relationship_list_every_relation_of_the_schema(name: str) -> None:
    """Cypher's ``-[r]-`` matches every type; these SPARQL queries list them, so a new relation
    in kg.schema must be added to them."""
    from kg.schema import RelType, rdf_property_name

    text = (SPARQL / f"{name}.rq").read_text()
    listed = set(re.findall(r"kg:([a-z]\w*)", text)) & {rdf_property_name(r) for r in RelType}
    wanted = {rdf_property_name(r) for r in RelType}
    if name == "paper_neighborhood":  # a paper's own relationships only
        from kg.schema import NodeType, relation_spec

        wanted = {rdf_property_name(r) for r in RelType if relation_spec(r).source is NodeType.PAPER}
    assert listed == wanted


def test_every_cypher_file_passes_neo4j_s_parser(lint: Any) -> None:
    proc, files = lint
    out, _ = proc.communicate(timeout=300)
    assert proc.returncode == 0, out
    assert f"{len(files)} file(s)" in out and "0 error(s), 0 warning(s)" in out
