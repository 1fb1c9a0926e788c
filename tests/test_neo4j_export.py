"""``kg export falkordb`` and ``kg export neo4j`` against a real FalkorDB server.

The whole hf-daily-papers graph goes over the Redis protocol (FalkorDB's own client) and over
Bolt (the official ``neo4j`` driver, with bounded messages measured on the wire by a relay);
both are read back and compared with the store's own counts (what ``kg stats`` prints), and a
second export must change nothing. A store of hostile names checks that values travel as
parameters and arrive intact. Servers: ``tests/servers.py``.
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from kg.cli import cli
from kg.export.cypher import Dialect, node_properties, schema_statements
from kg.export.neo4j import (
    BoltTransport,
    ExportError,
    FalkorTransport,
    TargetUnreachable,
    export_graph,
)
from kg.export.rows import node_batches, relationship_batches, statement_size
from kg.schema import NodeType, RelType
from kg.store import Store
from hostile import HOSTILE, write_hostile_store
from servers import BOLT_GRAPH, BoltProxy, FalkorServer

MAX_BYTES = 3000


def kg_run(*args: str, env: dict[str, str] | None = None) -> str:
    """Run ``kg ARGS`` in-process; return stdout (asserts exit 0)."""
    result = CliRunner().invoke(cli, list(args), env=env)
    assert result.exit_code == 0, result.output + repr(result.exception)
    return result.stdout


def stats_of(store_dir: Path) -> dict[str, Any]:
    result = CliRunner().invoke(cli, ["stats", "--store", str(store_dir), "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def redis_counts(server: FalkorServer, graph: str) -> tuple[dict[str, int], dict[str, int]]:
    g = server.graph(graph)
    nodes = {lab: n for lab, n in g.ro_query("MATCH (n) UNWIND labels(n) AS l RETURN l, count(*)").result_set}
    rels = {t: n for t, n in g.ro_query("MATCH ()-[r]->() RETURN type(r), count(r)").result_set}
    return nodes, rels


def bolt_counts(driver: Any) -> tuple[dict[str, int], dict[str, int]]:
    def read(tx: Any) -> tuple[dict[str, int], dict[str, int]]:
        nodes = {r["l"]: r["n"] for r in tx.run("MATCH (n) UNWIND labels(n) AS l RETURN l, count(*) AS n")}
        rels = {r["t"]: r["n"] for r in tx.run("MATCH ()-[r]->() RETURN type(r) AS t, count(r) AS n")}
        return nodes, rels
    with driver.session() as session:
        return session.execute_read(read)  # type: ignore[no-any-return]


def printed_counts(out: str) -> tuple[dict[str, int], dict[str, int]]:
    """The ``nodes: ...`` and ``relationships: ...`` lines of the export summary."""
    def parse(prefix: str) -> dict[str, int]:
        line = next(x for x in out.splitlines() if x.startswith(prefix))
        return {k: int(v) for k, v in re.findall(r"(\w+) (\d+)", line[len(prefix):])}
    return parse("nodes: "), parse("relationships: ")


# -- the whole graph over the Redis protocol --------------------------------------------------
@pytest.fixture(scope="module")
def hf_stats(hf_store_dir: Path) -> dict[str, Any]:
    return stats_of(hf_store_dir)


@pytest.fixture(scope="module")
def redis_export(falkordb_server: FalkorServer, hf_store_dir: Path) -> str:
    falkordb_server.delete_graph("hf")
    return kg_run("export", "falkordb", "--store", str(hf_store_dir), "--url", falkordb_server.url,
                  "--graph", "hf", "--batch-size", "500")


def test_redis_export_reads_back_the_counts_of_kg_stats(
        falkordb_server: FalkorServer, redis_export: str, hf_stats: dict[str, Any]) -> None:
    nodes, rels = redis_counts(falkordb_server, "hf")
    assert nodes == hf_stats["nodes"]
    assert rels == hf_stats["edges"]
    assert nodes["Paper"] == 321
    assert printed_counts(redis_export) == (hf_stats["nodes"], hf_stats["edges"])
    created = sum(hf_stats["nodes"].values()), sum(hf_stats["edges"].values())
    assert f"created: {created[0]} nodes, {created[1]} relationships" in redis_export


def test_second_redis_export_changes_nothing(
        falkordb_server: FalkorServer, redis_export: str, hf_store_dir: Path,
        hf_stats: dict[str, Any]) -> None:
    g = falkordb_server.graph("hf")
    before = g.ro_query("MATCH (n) RETURN n.id, properties(n) ORDER BY n.id").result_set
    out = kg_run("export", "falkordb", "--store", str(hf_store_dir), "--url", falkordb_server.url,
                 "--graph", "hf", "--batch-size", "97")
    assert "created: 0 nodes, 0 relationships" in out
    assert redis_counts(falkordb_server, "hf") == (hf_stats["nodes"], hf_stats["edges"])
    assert g.ro_query("MATCH (n) RETURN n.id, properties(n) ORDER BY n.id").result_set == before


def test_redis_export_creates_the_falkordb_indexes(falkordb_server: FalkorServer,
                                                   redis_export: str) -> None:
    rows = falkordb_server.graph("hf").ro_query(
        "CALL db.indexes() YIELD label, properties, types RETURN label, properties, types").result_set
    indexed = {(label, p) for label, props, _ in rows for p in props}
    assert {(t.value, "id") for t in NodeType if t is not NodeType.AUTHOR} <= indexed
    assert ("Paper", "year") in indexed and ("Method", "name") in indexed
    full_text = {label for label, props, types in rows
                 if any("FULLTEXT" in t for ts in types.values() for t in ts)}
    assert {"Paper", "Method", "Dataset", "Task"} <= full_text


def test_properties_evidence_aliases_and_dates_arrive_typed(
        falkordb_server: FalkorServer, redis_export: str, hf_store_dir: Path) -> None:
    g = falkordb_server.graph("hf")
    with Store.open(hf_store_dir) as store:
        edge = next(e for e in store.iter_edges(RelType.USES) if e["sentence"])
        paper = store.get_paper(edge["source"])
        entity = store.entity(edge["target"])
    assert paper is not None and entity is not None
    (r,), = g.ro_query("MATCH (:Paper {id: $s})-[r:USES]->(:Method {id: $t}) RETURN properties(r)",
                       {"s": edge["source"], "t": edge["target"]}).result_set
    assert r == {k: edge[k] for k in ("sentence", "start", "end", "field", "rule", "confidence", "count")}
    (p,), = g.ro_query("MATCH (p:Paper {id: $id}) RETURN p", {"id": paper.id}).result_set
    assert p.properties["title"] == paper.title and p.properties["abstract"] == paper.abstract
    assert p.properties["year"] == paper.year
    if paper.date:
        assert p.properties["date"] == datetime.date.fromisoformat(paper.date)
    (aliases, name), = g.ro_query("MATCH (m:Method {id: $id}) RETURN m.aliases, m.name",
                                  {"id": entity["id"]}).result_set
    assert (aliases, name) == (entity["aliases"], entity["name"])
    dated = g.ro_query("MATCH (p:Paper) WHERE p.date IS NOT NULL RETURN p.date LIMIT 1").result_set
    assert isinstance(dated[0][0], datetime.date)
    (link,), = g.ro_query("MATCH (:Method)-[r:APPLIED_IN]->(:Domain) RETURN r LIMIT 1").result_set
    assert isinstance(link.properties["paper_count"], int) and link.properties["paper_count"] >= 1


# -- the whole graph over Bolt, with bounded messages -----------------------------------------
@pytest.fixture(scope="module")
def bolt_export(falkordb_server: FalkorServer, hf_store_dir: Path) -> Iterator[dict[str, Any]]:
    falkordb_server.delete_graph(BOLT_GRAPH)
    outs = []
    with BoltProxy("127.0.0.1", falkordb_server.bolt_port) as proxy:
        for _ in range(2):
            outs.append(kg_run("export", "neo4j", "--store", str(hf_store_dir), "--uri", proxy.uri,
                               "--password", "", "--dialect", "falkordb",
                               "--max-batch-bytes", str(MAX_BYTES), "--batch-size", "1000"))
            with falkordb_server.bolt() as driver:
                counts = bolt_counts(driver)
            outs.append(counts)
        yield {"first": outs[0], "counts1": outs[1], "second": outs[2], "counts2": outs[3],
               "messages": list(proxy.messages)}


def test_bolt_export_reads_back_the_counts_of_kg_stats_over_bolt(
        bolt_export: dict[str, Any], hf_stats: dict[str, Any]) -> None:
    assert bolt_export["counts1"] == (hf_stats["nodes"], hf_stats["edges"])
    assert printed_counts(bolt_export["first"]) == (hf_stats["nodes"], hf_stats["edges"])


def test_second_bolt_export_changes_nothing(bolt_export: dict[str, Any],
                                            hf_stats: dict[str, Any]) -> None:
    assert "created: 0 nodes, 0 relationships" in bolt_export["second"]
    assert bolt_export["counts2"] == (hf_stats["nodes"], hf_stats["edges"])


def test_no_bolt_message_exceeds_the_limit(bolt_export: dict[str, Any]) -> None:
    sizes = bolt_export["messages"]
    assert len(sizes) > 1000  # RUN, PULL, BEGIN, COMMIT of ~800 statements per export
    assert max(sizes) <= MAX_BYTES
    assert max(sizes) > MAX_BYTES * 0.7  # the batches do fill up to the limit


def test_batches_are_transactions_of_bounded_statements(hf_store_dir: Path) -> None:
    with Store.open(hf_store_dir) as store:
        batches = list(node_batches(store, NodeType.PAPER, batch_size=100, max_bytes=MAX_BYTES))
    assert [b.rows for b in batches] == [100, 100, 100, 21]
    for b in batches:
        assert len(b.statements) > 1
        assert sum(len(s.params.get("rows", [])) for s in b.statements) <= b.rows
        assert all(statement_size(s.text, s.params) <= MAX_BYTES for s in b.statements)


# -- hostile names ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def hostile_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_hostile_store(tmp_path_factory.mktemp("hostile-neo4j") / "store")


def _expected(store_dir: Path) -> dict[str, Any]:
    with Store.open(store_dir) as store:
        nodes = {e["id"]: (e["name"], e["aliases"]) for e in store.iter_entities()}
        papers = {p.id: (p.title, p.abstract, list(p.authors)) for p in store.iter_papers()}
        edges = {(e["source"], e["target"]): e["sentence"] for e in store.iter_edges()}
    return {"nodes": nodes, "papers": papers, "edges": edges}


HOSTILE_READ = {
    "nodes": "MATCH (n) WHERE NOT n:Paper RETURN n.id, n.name, n.aliases",
    "papers": "MATCH (p:Paper) RETURN p.id, p.title, p.abstract, p.authors",
    "edges": "MATCH (p:Paper)-[r]->(n) RETURN p.id, n.id, r.sentence",
}


def _shape(rows: dict[str, list[list[Any]]]) -> dict[str, Any]:
    for k in ("nodes", "papers"):  # no id twice
        assert len({r[0] for r in rows[k]}) == len(rows[k]), k
    return {"nodes": {r[0]: (r[1], r[2]) for r in rows["nodes"]},
            "papers": {r[0]: (r[1], r[2], r[3]) for r in rows["papers"]},
            "edges": {(r[0], r[1]): r[2] for r in rows["edges"]}}


def test_hostile_names_arrive_intact_over_redis(falkordb_server: FalkorServer,
                                                hostile_store: Path) -> None:
    falkordb_server.delete_graph("hostile")
    falkordb_server.graph("hostile").query("CREATE (:Sentinel {id: 'keep'})")
    for _ in range(2):
        kg_run("export", "falkordb", "--store", str(hostile_store), "--url", falkordb_server.url,
               "--graph", "hostile", "--batch-size", "3")
    g = falkordb_server.graph("hostile")
    rows = {k: g.ro_query(q.replace("WHERE NOT n:Paper", "WHERE NOT n:Paper AND NOT n:Sentinel"))
            .result_set for k, q in HOSTILE_READ.items()}
    assert _shape(rows) == _expected(hostile_store)
    assert g.ro_query("MATCH (s:Sentinel) RETURN count(s)").result_set == [[1]]
    assert len(_expected(hostile_store)["nodes"]) == len(HOSTILE)


def test_hostile_names_arrive_intact_over_bolt(falkordb_server: FalkorServer,
                                               hostile_store: Path) -> None:
    falkordb_server.delete_graph(BOLT_GRAPH)
    falkordb_server.graph(BOLT_GRAPH).query("CREATE (:Sentinel {id: 'keep'})")
    with BoltProxy("127.0.0.1", falkordb_server.bolt_port) as proxy:
        for _ in range(2):
            # the connection comes from the environment, as in docker/README.md
            kg_run("export", "neo4j", "--store", str(hostile_store), "--dialect", "falkordb",
                   "--max-batch-bytes", "1500", "-q",
                   env={"NEO4J_URI": proxy.uri, "NEO4J_USERNAME": "falkordb", "NEO4J_PASSWORD": "",
                        "NEO4J_DATABASE": "ignored-by-falkordb"})
        assert max(proxy.messages) <= 1500
    with falkordb_server.bolt() as driver, driver.session() as session:
        rows = {k: session.execute_read(
                    lambda tx, q=q: [list(r.values()) for r in tx.run(
                        q.replace("WHERE NOT n:Paper", "WHERE NOT n:Paper AND NOT n:Sentinel"))])
                for k, q in HOSTILE_READ.items()}
        sentinel = session.execute_read(lambda tx: tx.run("MATCH (s:Sentinel) RETURN count(s) AS c")
                                        .single()["c"])
    assert _shape(rows) == _expected(hostile_store)
    assert sentinel == 1


def test_an_id_falkordb_cannot_find_again_is_refused_by_name(
        falkordb_server: FalkorServer, tmp_path: Path) -> None:
    from kg.model import Entity

    store = Store.open(tmp_path / "s", create=True)
    with store.transaction():
        store.put_static([Entity("method/ok", NodeType.METHOD, "ok"),
                          Entity("method/trailing ", NodeType.METHOD, "trailing")], [])
    store.close()
    result = CliRunner().invoke(cli, ["export", "falkordb", "--store", str(tmp_path / "s"),
                                      "--url", falkordb_server.url, "--graph", "bad-ids", "-q"])
    assert result.exit_code == 1
    assert result.output == (
        "Error: Method 'method/trailing ': the id 'method/trailing ' cannot be exported to "
        "FalkorDB: it ends with whitespace, and its index would not find the node again "
        "(a second export would duplicate it)\n")


# -- errors and the library API --------------------------------------------------------------------
def test_unreachable_server_is_a_clear_error(hf_store_dir: Path) -> None:
    from servers import free_port

    port = free_port()
    result = CliRunner().invoke(cli, ["export", "falkordb", "--store", str(hf_store_dir), "--url",
                                      f"redis://127.0.0.1:{port}", "--retry-time", "0", "-q"])
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: cannot reach redis://127.0.0.1:{port}")
    result = CliRunner().invoke(cli, ["export", "neo4j", "--store", str(hf_store_dir), "--uri",
                                      f"bolt://127.0.0.1:{port}", "--retry-time", "0", "-q"])
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: cannot reach bolt://127.0.0.1:{port}")


def test_a_connection_left_unanswered_is_tried_again(falkordb_server: FalkorServer) -> None:
    # FalkorDB 4.16 leaves the next connection it accepts unanswered after a Bolt client said
    # GOODBYE; the relay does that to the first connection, every time. Each transport must give up
    # without retries and get through with them.
    with BoltProxy("127.0.0.1", falkordb_server.port, stall=1) as relay:
        with pytest.raises(TargetUnreachable, match="Timeout reading from socket"):
            FalkorTransport.connect(relay.url, "retry", retry_time=0, connection_timeout=0.3)
    falkordb_server.delete_graph("retry")
    with BoltProxy("127.0.0.1", falkordb_server.port, stall=1) as relay:
        transport = FalkorTransport.connect(relay.url, "retry", retry_time=20, connection_timeout=0.3)
        try:
            transport.graph.query("CREATE (:Probe {id: 'p'})")
        finally:
            transport.close()
        assert len(relay.stalled) == 1
    assert falkordb_server.graph("retry").ro_query("MATCH (p:Probe) RETURN p.id").result_set == [["p"]]

    with BoltProxy("127.0.0.1", falkordb_server.bolt_port, stall=1) as relay:
        with pytest.raises(TargetUnreachable, match="handshake"):
            BoltTransport.connect(relay.uri, "falkordb", "", retry_time=0,
                                  connection_timeout=1, goodbye=False)
    with BoltProxy("127.0.0.1", falkordb_server.bolt_port, stall=1) as relay:
        bolt = BoltTransport.connect(relay.uri, "falkordb", "", retry_time=20,
                                     connection_timeout=1, goodbye=False)
        try:
            bolt.run_schema(["RETURN 1"])
        finally:
            bolt.close()
        assert len(relay.stalled) == 1


def test_neo4j_schema_statement_refused_by_falkordb_is_a_clear_error(
        falkordb_server: FalkorServer) -> None:
    transport = FalkorTransport.connect(falkordb_server.url, "schema-errors")
    try:
        with pytest.raises(ExportError, match="refused 'CREATE CONSTRAINT"):
            transport.run_schema(schema_statements(Dialect.NEO4J)[:1])
        transport.run_schema(schema_statements(Dialect.FALKORDB))
        transport.run_schema(schema_statements(Dialect.FALKORDB))  # a repeat is fine
    finally:
        transport.close()


def test_export_graph_api_over_bolt(falkordb_server: FalkorServer, hostile_store: Path) -> None:
    from kg.export.rows import falkordb_bolt_escape

    falkordb_server.delete_graph(BOLT_GRAPH)
    transport = BoltTransport.connect(falkordb_server.bolt_uri, "falkordb", "", goodbye=False)
    seen: list[tuple[str, int, int]] = []
    try:
        with Store.open(hostile_store) as store:
            report = export_graph(store, transport, batch_size=4, max_batch_bytes=2000,
                                  escape=falkordb_bolt_escape,
                                  progress=lambda k, d, n: seen.append((k, d, n)))
    finally:
        transport.close()
    assert report.nodes["Paper"] == len(HOSTILE) and report.created.nodes_created == 2 * len(HOSTILE)
    assert seen[:3] == [("Paper", 4, 11), ("Paper", 8, 11), ("Paper", 11, 11)]
    assert report.rows_per_second > 0
    assert node_properties(NodeType.PAPER)[0] == "title"
    with Store.open(hostile_store) as store:
        assert sum(b.rows for rel in RelType
                   for b in relationship_batches(store, rel, batch_size=4)) == len(HOSTILE)


# -- kg export cypher: the script's statements run on a real Cypher server ------------------------
def _load_script(server: FalkorServer, graph: str, script: Path) -> int:
    """Run the script's data statements on FalkorDB (its schema lines are Neo4j-only)."""
    g = server.graph(graph)
    n = 0
    for line in script.read_text(encoding="utf-8").splitlines():
        if line.startswith("UNWIND "):
            g.query(line.rstrip(";"))
            n += 1
        else:
            assert line.startswith(("//", "CREATE CONSTRAINT", "CREATE INDEX", "CREATE FULLTEXT")), line
    return n


def test_cypher_script_loads_the_whole_graph(falkordb_server: FalkorServer, hf_store_dir: Path,
                                             hf_stats: dict[str, Any], tmp_path: Path) -> None:
    script = tmp_path / "kg.cypher"
    out = kg_run("export", "cypher", "--store", str(hf_store_dir), "--out", str(script))
    assert printed_counts(out) == (hf_stats["nodes"], hf_stats["edges"])
    falkordb_server.delete_graph("script")
    for _ in range(2):  # loading it twice changes nothing
        assert _load_script(falkordb_server, "script", script) > 15
        assert redis_counts(falkordb_server, "script") == (hf_stats["nodes"], hf_stats["edges"])


def test_cypher_script_literals_carry_hostile_values_intact(
        falkordb_server: FalkorServer, hostile_store: Path, tmp_path: Path) -> None:
    script = tmp_path / "hostile.cypher"
    kg_run("export", "cypher", "--store", str(hostile_store), "--out", str(script),
           "--batch-size", "4")
    falkordb_server.delete_graph("hostile-script")
    _load_script(falkordb_server, "hostile-script", script)
    g = falkordb_server.graph("hostile-script")
    rows = {k: g.ro_query(q).result_set for k, q in HOSTILE_READ.items()}
    assert _shape(rows) == _expected(hostile_store)
