"""``kg sparql`` and ``queries/sparql/*.rq``: each query's answer on the hf-daily-papers graph
equals an independent SQL computation over the store (the answers the Cypher side is
checked against)."""

from __future__ import annotations

import csv
import io
import json
import re
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from kg.cli import cli  # first: kg.cli imports the export command modules
from kg.export.rdf import node_iri, triples, write_ntriples
from kg.export.rdf_cli import TOP_COMMANDS
from kg.export.sparql import SparqlError, bind_parameters
from kg.store import Store
from query_table import readme_rows
from graph_walk import ADJACENCY_SQL, adjacency, distances

ROOT = Path(__file__).resolve().parents[1]
QUERIES = ROOT / "queries" / "sparql"
HF = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "hf-daily-papers"

for _cmd in TOP_COMMANDS:  # the lead registers these on the main group; until then, here
    if _cmd.name not in cli.commands:
        cli.add_command(_cmd)


@pytest.fixture(scope="session")
def hf_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The store of the whole hf corpus; built once per session (shared with test_rdf.py)."""
    from kg.build import build

    path = tmp_path_factory.getbasetemp() / "kg-hf-store"
    if not (path / "built.ok").exists():
        store = Store.open(path, create=True)
        try:
            store.lock()
            build([HF], store)
        finally:
            store.close()
        (path / "built.ok").write_text("ok")
    return path


@pytest.fixture(scope="session")
def sql(hf_store: Path) -> Callable[..., list[Any]]:
    store = Store.open(hf_store)

    def run(query: str, *args: Any) -> list[Any]:
        return [tuple(r) for r in store.conn.execute(query, args).fetchall()]

    return run


@pytest.fixture(scope="session")
def params(sql: Callable[..., list[Any]]) -> dict[str, str]:
    """Parameters that give non-trivial answers: the most used method, the richest paper."""
    method = sql("SELECT target FROM edges e WHERE rel IN ('PROPOSES','USES') AND EXISTS "
                 "(SELECT 1 FROM edges d WHERE d.paper_id = e.paper_id AND d.rel IN "
                 "('EVALUATES_ON','INTRODUCES')) GROUP BY target ORDER BY COUNT(*) DESC, target LIMIT 1")
    paper = sql("SELECT paper_id FROM edges WHERE rel IN ('PROPOSES','USES','INTRODUCES','EVALUATES_ON') "
                "GROUP BY paper_id ORDER BY COUNT(DISTINCT rel) DESC, COUNT(*) DESC, paper_id LIMIT 1")
    task = sql("SELECT a.target FROM edges a JOIN edges b ON b.paper_id = a.paper_id AND b.rel = 'PROPOSES' "
               "WHERE a.rel = 'ADDRESSES' GROUP BY a.target ORDER BY COUNT(DISTINCT a.paper_id) DESC, a.target LIMIT 1")
    # a method and a node three relationships away from it (shortest_path)
    adj = _adjacency(sql)
    dist = distances(adj, method[0][0])
    target = min(n for n, d in dist.items() if d == 3 and n.startswith("code/"))
    return {"method": method[0][0], "paper": paper[0][0], "task": task[0][0],
            "source": method[0][0], "target": target}


def run_sparql(args: list[str]) -> list[dict[str, Any]]:
    res = CliRunner().invoke(cli, ["sparql", *args, "--format", "json"])
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)  # type: ignore[no-any-return]


# -- independent answers, in SQL over the store -------------------------------------------
_TOPS = """WITH RECURSIVE up(d, a) AS (
    SELECT id, id FROM entities WHERE type = 'Domain'
    UNION SELECT up.d, l.target FROM up JOIN links l ON l.source = up.a AND l.rel = 'BROADER')
SELECT up.d, up.a FROM up WHERE up.a NOT IN (SELECT source FROM links WHERE rel = 'BROADER')"""


def _names(sql: Callable[..., list[Any]]) -> dict[str, str]:
    return dict(sql("SELECT id, name FROM entities"))


def expect_methods_by_domain(sql: Callable[..., list[Any]], p: dict[str, str]) -> list[tuple[Any, ...]]:
    top_of: dict[str, set[str]] = defaultdict(set)
    for d, a in sql(_TOPS):
        top_of[d].add(a)
    papers: dict[tuple[str, str], set[str]] = defaultdict(set)
    for pid, m, d in sql("SELECT m.paper_id, m.target, d.target FROM edges m JOIN edges d "
                         "ON d.paper_id = m.paper_id AND d.rel = 'IN_DOMAIN' "
                         "WHERE m.rel IN ('PROPOSES', 'USES')"):
        for top in top_of[d]:
            papers[(top, m)].add(pid)
    names = _names(sql)
    by_domain: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
    for (top, m), ps in papers.items():
        by_domain[top].append((names[top], names[m], len(ps)))
    rows = [r for rs in by_domain.values() for r in sorted(rs, key=lambda r: (-r[2], r[1]))[:10]]
    return sorted(rows, key=lambda r: (r[0], -r[2], r[1]))


def expect_datasets_for_method(sql: Callable[..., list[Any]], p: dict[str, str]) -> list[tuple[Any, ...]]:
    rows = sql("SELECT e.name, COUNT(DISTINCT m.paper_id) FROM edges m JOIN edges d "
               "ON d.paper_id = m.paper_id AND d.rel IN ('EVALUATES_ON', 'INTRODUCES') "
               "JOIN entities e ON e.id = d.target WHERE m.rel IN ('PROPOSES', 'USES') "
               "AND m.target = ? GROUP BY d.target", p["method"])
    return sorted(rows, key=lambda r: (-r[1], r[0]))


def expect_method_crossovers(sql: Callable[..., list[Any]], p: dict[str, str]) -> list[tuple[Any, ...]]:
    # from the papers themselves, not from the store's derived APPLIED_IN links
    tops = dict(sql(_TOPS))
    first: dict[tuple[str, str], int] = {}
    for m, d, year in sql("SELECT m.target, d.target, p.year FROM edges m JOIN edges d "
                          "ON d.paper_id = m.paper_id AND d.rel = 'IN_DOMAIN' JOIN papers p "
                          "ON p.id = m.paper_id WHERE m.rel IN ('PROPOSES', 'USES') "
                          "AND p.year IS NOT NULL"):
        key = (m, tops[d])
        first[key] = min(first.get(key, year), year)
    names = _names(sql)
    rows = [(names[m], names[d1], y1, names[d2], y2)
            for (m, d1), y1 in first.items() for (m2, d2), y2 in first.items() if m == m2 and y1 < y2]
    return sorted(rows, key=lambda r: (r[0], r[1], r[3]))


def expect_paper_contributions(sql: Callable[..., list[Any]], p: dict[str, str]) -> list[tuple[Any, ...]]:
    rows = sql("SELECT g.rel, e.type, e.name, g.sentence FROM edges g JOIN entities e ON e.id = g.target "
               "WHERE g.paper_id = ? AND g.rel IN ('PROPOSES', 'USES', 'INTRODUCES', 'EVALUATES_ON')",
               p["paper"])
    return sorted(rows, key=lambda r: (r[0], r[2]))


def expect_top_tasks(sql: Callable[..., list[Any]], p: dict[str, str]) -> list[tuple[Any, ...]]:
    rows = sql("SELECT e.name, COUNT(DISTINCT g.paper_id) FROM edges g JOIN entities e ON e.id = g.target "
               "WHERE g.rel = 'ADDRESSES' GROUP BY g.target")
    return sorted(rows, key=lambda r: (-r[1], r[0]))[:25]


def expect_method_evidence(sql: Callable[..., list[Any]], p: dict[str, str]) -> list[tuple[Any, ...]]:
    rows = sql("SELECT g.paper_id, p.title, g.rel, g.sentence, g.rule, g.confidence FROM edges g "
               "JOIN papers p ON p.id = g.paper_id WHERE g.target = ? AND g.rel IN ('PROPOSES', 'USES')",
               p["method"])
    return sorted(rows, key=lambda r: (r[0], r[2]))


def expect_domain_overview(sql: Callable[..., list[Any]], p: dict[str, str]) -> list[tuple[Any, ...]]:
    rows = sql("SELECT d.name, b.name, COUNT(DISTINCT g.paper_id) FROM edges g "
               "JOIN entities d ON d.id = g.target LEFT JOIN links l ON l.source = d.id AND l.rel = 'BROADER' "
               "LEFT JOIN entities b ON b.id = l.target WHERE g.rel = 'IN_DOMAIN' GROUP BY d.id")
    return sorted(rows, key=lambda r: (-r[2], r[0]))


def _adjacency(sql: Callable[..., list[Any]]) -> dict[str, set[str]]:
    return adjacency(sql(ADJACENCY_SQL))


def _top_papers(sql: Callable[..., list[Any]]) -> dict[str, set[str]]:
    """``{top-level domain: papers in it or a narrower one}``."""
    top_of: dict[str, set[str]] = defaultdict(set)
    for d, a in sql(_TOPS):
        top_of[d].add(a)
    out: dict[str, set[str]] = defaultdict(set)
    for pid, d in sql("SELECT paper_id, target FROM edges WHERE rel = 'IN_DOMAIN'"):
        for top in top_of[d]:
            out[top].add(pid)
    return out


def _method_papers(sql: Callable[..., list[Any]]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = defaultdict(set)
    for pid, m in sql("SELECT paper_id, target FROM edges WHERE rel IN ('PROPOSES', 'USES')"):
        out[m].add(pid)
    return out


def expect_method_spread(sql: Callable[..., list[Any]], p: dict[str, str]) -> list[tuple[Any, ...]]:
    # from the papers themselves, not from the store's derived APPLIED_IN links
    years = dict(sql("SELECT id, year FROM papers"))
    names = _names(sql)
    users = _method_papers(sql)[p["method"]]
    rows = []
    for top, papers in _top_papers(sql).items():
        used = papers & users
        if used:
            ys = [years[x] for x in used if years[x] is not None]
            rows.append((names[top], min(ys, default=None), max(ys, default=None), len(used)))
    return sorted(rows, key=lambda r: (r[1] is None, r[1] or 0, r[0]))


def expect_papers_for_task(sql: Callable[..., list[Any]], p: dict[str, str]) -> list[tuple[Any, ...]]:
    rows = sql("SELECT t.paper_id, p.title, p.year, e.name FROM edges t JOIN edges m "
               "ON m.paper_id = t.paper_id AND m.rel = 'PROPOSES' JOIN papers p ON p.id = t.paper_id "
               "JOIN entities e ON e.id = m.target WHERE t.rel = 'ADDRESSES' AND t.target = ?", p["task"])
    return sorted(rows, key=lambda r: (r[0], r[3]))


def expect_shortest_path(sql: Callable[..., list[Any]], p: dict[str, str]) -> list[tuple[Any, ...]]:
    adj = _adjacency(sql)
    dist = distances(adj, p["source"])
    if dist.get(p["target"], 4) > 3:
        return []

    def back(node: str) -> list[list[str]]:
        if node == p["source"]:
            return [[node]]
        return [path + [node] for prev in adj[node] if dist.get(prev) == dist[node] - 1
                for path in back(prev)]
    return sorted((dist[p["target"]], " - ".join(path)) for path in back(p["target"]))


def expect_cooccurring_methods(sql: Callable[..., list[Any]], p: dict[str, str]) -> list[tuple[Any, ...]]:
    names = _names(sql)
    papers = _method_papers(sql)
    by_paper: dict[str, set[str]] = defaultdict(set)
    for m, ps in papers.items():
        for x in ps:
            by_paper[x].add(m)
    pairs: dict[tuple[str, str], int] = defaultdict(int)
    for ms in by_paper.values():
        for a in ms:
            for b in ms:
                if (names[a], a) < (names[b], b):
                    pairs[(a, b)] += 1
    ranked = sorted(pairs.items(), key=lambda kv: (-kv[1], names[kv[0][0]], names[kv[0][1]], kv[0]))
    return [(names[a], names[b], n) for (a, b), n in ranked[:25]]


def expect_paper_neighborhood(sql: Callable[..., list[Any]], p: dict[str, str]) -> list[tuple[Any, ...]]:
    rows = sql("SELECT g.rel, e.type, e.id, e.name, g.sentence, g.field, g.rule, g.confidence "
               "FROM edges g JOIN entities e ON e.id = g.target WHERE g.paper_id = ?", p["paper"])
    return sorted(rows, key=lambda r: (r[0], r[2]))


def expect_new_methods_per_year(sql: Callable[..., list[Any]], p: dict[str, str]) -> list[tuple[Any, ...]]:
    first: dict[str, int] = {}
    proposed: set[tuple[str, int]] = set()
    for m, rel, year in sql("SELECT g.target, g.rel, p.year FROM edges g JOIN papers p ON p.id = g.paper_id "
                            "WHERE g.rel IN ('PROPOSES', 'USES') AND p.year IS NOT NULL"):
        first[m] = min(first.get(m, year), year)
        if rel == "PROPOSES":
            proposed.add((m, year))
    out: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for m, year in first.items():
        out[year][0] += 1
        out[year][1] += (m, year) in proposed
    return [(y, n, k) for y, (n, k) in sorted(out.items())]


def expect_shared_datasets(sql: Callable[..., list[Any]], p: dict[str, str]) -> list[tuple[Any, ...]]:
    tops = _top_papers(sql)
    users: dict[str, set[str]] = defaultdict(set)
    for pid, d in sql("SELECT paper_id, target FROM edges WHERE rel IN ('EVALUATES_ON', 'INTRODUCES')"):
        users[d].add(pid)
    names = _names(sql)
    rows = []
    for d, ps in users.items():
        domains = sum(1 for t in tops.values() if t & ps)
        if domains >= 2:
            rows.append((names[d], domains, len(ps)))
    return sorted(rows, key=lambda r: (-r[1], -r[2], r[0]))


def expect_underexplored_pairs(sql: Callable[..., list[Any]], p: dict[str, str]) -> list[tuple[Any, ...]]:
    tops = _top_papers(sql)
    papers = _method_papers(sql)
    names = _names(sql)
    rows = []
    for m, ps in papers.items():
        reached = {t for t, tp in tops.items() if tp & ps}
        if len(reached) >= 2:
            rows += [(names[m], len(ps), names[t], len(tp), m) for t, tp in tops.items() if t not in reached]
    rows.sort(key=lambda r: (-r[1] * r[3], r[0], r[2], r[4]))
    return [r[:4] for r in rows[:25]]


def expect_most_connected(sql: Callable[..., list[Any]], p: dict[str, str]) -> list[tuple[Any, ...]]:
    degree: dict[str, int] = defaultdict(int)
    papers: dict[str, set[str]] = defaultdict(set)
    for pid, target in sql("SELECT paper_id, target FROM edges"):
        degree[pid] += 1
        degree[target] += 1
        papers[target].add(pid)
    for a, b in sql("SELECT source, target FROM links"):
        degree[a] += 1
        degree[b] += 1
    rows = [(t, n, degree[i], len(papers[i]), i) for i, t, n in sql("SELECT id, type, name FROM entities")]
    rows.sort(key=lambda r: (-r[2], r[0], r[1], r[4]))
    return [r[:4] for r in rows[:25]]


EXPECTED: dict[str, Callable[..., list[tuple[Any, ...]]]] = {
    name[len("expect_"):]: fn for name, fn in globals().items() if name.startswith("expect_")}


# -- the queries ---------------------------------------------------------------------------
def test_one_query_per_readme_row_and_one_check_per_query() -> None:
    rows = readme_rows()
    assert rows, "no query table in queries/README.md"
    assert {p.stem for p in QUERIES.glob("*.rq")} == set(rows) == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_query_header_states_question_parameters_and_columns(name: str) -> None:
    params, columns = readme_rows()[name]
    text = (QUERIES / f"{name}.rq").read_text()
    header = dict(re.findall(r"^# (question|parameters|columns):\s*(.*)$", text, re.M))
    assert header.keys() == {"question", "parameters", "columns"}
    assert [c.strip() for c in header["columns"].split(",")] == columns
    assert re.findall(r"\w+", header["parameters"].split("(")[0]) == (params or ["none"])


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_query_answers_equal_sql_over_the_store(name: str, hf_store: Path, sql: Callable[..., list[Any]],
                                                params: dict[str, str]) -> None:
    wanted, columns = readme_rows()[name]
    args = [str(QUERIES / f"{name}.rq"), "--store", str(hf_store)]
    for w in wanted:
        args += ["--param", f"{w}={params[w]}"]
    got = run_sparql(args)
    expected = EXPECTED[name](sql, params)
    assert expected, f"{name}: the check has no rows to compare on this corpus"
    assert all(list(row) == columns for row in got)  # same columns, same order
    rows = [tuple(r[c] for c in columns) for r in got]
    assert _rounded(rows) == _rounded(expected)


def _rounded(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    return [tuple(round(v, 9) if isinstance(v, float) else v for v in r) for r in rows]


def test_an_export_file_gives_the_same_answers_as_the_store(hf_store: Path, tmp_path: Path,
                                                            params: dict[str, str]) -> None:
    data = tmp_path / "kg.nt"
    with Store.open(hf_store) as store, data.open("w", encoding="utf-8") as fh:
        write_ntriples(triples(store), fh)
    query = str(QUERIES / "method_evidence.rq")
    by_store = run_sparql([query, "--store", str(hf_store), "--param", f"method={params['method']}"])
    by_file = run_sparql([query, "--data", str(data), "--param", f"method={params['method']}"])
    assert by_file == by_store and by_store


def test_evidence_is_reachable_with_one_join(hf_store: Path, params: dict[str, str]) -> None:
    q = ("PREFIX kg: <https://w3id.org/kg/ontology#> "
         "PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> "
         "SELECT ?paper ?sentence ?confidence WHERE { ?paper kg:uses|kg:proposes ?method . "
         "?e rdf:subject ?paper ; rdf:object ?method ; kg:sentence ?sentence ; kg:confidence ?confidence }")
    rows = run_sparql([q, "--store", str(hf_store), "--param", f"method={params['method']}"])
    assert rows and all(0 <= r["confidence"] <= 1 and r["sentence"] for r in rows)


@pytest.mark.parametrize("fmt", ["table", "csv"])
def test_output_formats(hf_store: Path, fmt: str) -> None:
    res = CliRunner().invoke(cli, ["sparql", str(QUERIES / "top_tasks.rq"), "--store", str(hf_store),
                                   "--format", fmt])
    assert res.exit_code == 0, res.output
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(res.stdout)))
        assert rows[0] == ["task", "papers"] and len(rows) == 26
    else:
        lines = res.stdout.splitlines()
        assert lines[0].split() == ["task", "papers"] and set(lines[1]) <= {"-", " "}
        assert lines[-1] == "(25 rows)"


def test_ask_and_timing(hf_store: Path) -> None:
    res = CliRunner().invoke(cli, ["sparql", "ASK { ?s a <https://w3id.org/kg/ontology#Paper> }",
                                   "--store", str(hf_store), "--timing"])
    assert res.exit_code == 0
    assert res.stdout == "true\n"
    assert re.search(r"loaded \d+ triples in [\d.]+ s; query in [\d.]+ s", res.output)


def test_errors_are_reported(hf_store: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    res = runner.invoke(cli, ["sparql", "SELECT WHERE {", "--store", str(hf_store)])
    assert res.exit_code == 1 and "Error: SPARQL syntax error" in res.output
    res = runner.invoke(cli, ["sparql", "missing.rq", "--store", str(hf_store)])
    assert res.exit_code == 1 and "Error: no query file missing.rq" in res.output
    res = runner.invoke(cli, ["sparql", str(QUERIES / "top_tasks.rq"), "--store", str(hf_store),
                              "--param", "method=method/x"])
    assert res.exit_code == 1 and "Error: the query has no variable ?method to bind" in res.output
    res = runner.invoke(cli, ["sparql", "ASK {}", "--store", str(hf_store), "--data", str(tmp_path / "x.nt")])
    assert res.exit_code == 2 and "give --store or --data, not both" in res.output
    res = runner.invoke(cli, ["sparql", "ASK {}", "--data", str(tmp_path / "x.nt")])
    assert res.exit_code == 1 and "Error: cannot read" in res.output
    res = runner.invoke(cli, ["sparql", "ASK {}", "--param", "novalue"])
    assert res.exit_code == 2 and "is not NAME=VALUE" in res.output


def test_bind_parameters_finds_the_outer_where_group() -> None:
    q = ('PREFIX ex: <http://x/#WHERE{> # a WHERE { in a comment\n'
         'SELECT ?n WHERE { FILTER(?s != "WHERE {") { SELECT ?m WHERE { ?m ?p ?n } } ?m ?q ?n }')
    bound = bind_parameters(q, {"m": "method/a b"})
    assert bound.count("VALUES") == 1
    assert "WHERE { VALUES ?m { <" + node_iri("method/a b") + "> } FILTER" in bound
    assert bind_parameters("ASK { ?m ?p ?o }", {"m": "task/x"}).startswith("ASK { VALUES ?m")
    with pytest.raises(SparqlError, match="no variable"):
        bind_parameters(q, {"paper": "paper/x"})
    with pytest.raises(SparqlError, match="not a SPARQL variable name"):
        bind_parameters(q, {"m n": "x"})
