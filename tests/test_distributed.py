"""`kg distributed-build` on a real 2-worker Dask cluster builds the store `kg build` builds."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from test_parallel import snapshot

from kg.cli import cli


@pytest.fixture(scope="module")
def cluster():  # type: ignore[no-untyped-def]
    from dask.distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as c:
        yield c


def test_dask_build_equals_kg_build(tmp_path: Path, corpus: Path, hf_store_dir: Path,
                                    cluster) -> None:  # type: ignore[no-untyped-def]
    from dask.distributed import Client

    runner = CliRunner()
    result = runner.invoke(cli, ["distributed-build", str(corpus / "hf-daily-papers"),
                                 "--store", str(tmp_path / "s"), "--batch-size", "64",
                                 "--scheduler", cluster.scheduler_address])
    assert result.exit_code == 0, result.output
    assert "papers read: 376" in result.output
    # both workers did extraction work
    with Client(cluster.scheduler_address) as client:
        done = client.run(lambda: __import__("kg.build").build._WORKER_EXTRACTOR is not None)
    assert len(done) == 2 and all(done.values())
    serial, dist = snapshot(hf_store_dir), snapshot(tmp_path / "s")
    assert len(serial["papers"]) == 321
    for key in serial:
        assert dist[key] == serial[key], key
    stats = runner.invoke(cli, ["stats", "--store", str(tmp_path / "s")])
    ref = runner.invoke(cli, ["stats", "--store", str(hf_store_dir)])
    assert stats.exit_code == 0 and stats.output == ref.output


def test_distributed_build_needs_one_cluster_choice(tmp_path: Path, corpus: Path) -> None:
    result = CliRunner().invoke(cli, ["distributed-build", str(corpus / "hf-daily-papers"),
                                      "--store", str(tmp_path / "s")])
    assert result.exit_code == 2
    assert "give exactly one of --scheduler ADDR or --local-workers N" in result.output


def test_unreachable_scheduler_is_a_clear_error(tmp_path: Path, corpus: Path) -> None:
    result = CliRunner().invoke(cli, ["distributed-build", str(corpus / "hf-daily-papers"),
                                      "--store", str(tmp_path / "s"),
                                      "--scheduler", "tcp://127.0.0.1:9"])
    assert result.exit_code == 1
    assert "Error: cannot reach the Dask scheduler at tcp://127.0.0.1:9" in result.output
