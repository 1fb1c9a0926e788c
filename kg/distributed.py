"""``kg distributed-build``: extraction on a Dask cluster, into the same store as ``kg build``.

Design
------
A build has three stages with very different costs (see the Performance section of the
README): reading records (thousands per second per core), extraction (tens to hundreds of
papers per second per core: nearly all the time) and corpus-level linking (a group-by over
canonical keys, done in SQL by :meth:`kg.store.Store.finish`).

- **Extraction is a map over partitions of records.** The driver (this process) streams the
  records, batches them exactly as ``kg build`` does (same merging of duplicate records,
  same change detection against the store), and submits each batch to the cluster as one
  task, :func:`kg.build.extract_linked`: spaCy plus kg's rules plus per-paper linking.
  Every worker process builds one extractor and keeps it.
- **Results come back in input order** with a bounded number of batches in flight (twice the
  cluster's worker threads), so the driver's memory does not grow with the corpus and the
  store is identical to a serial build's, whatever the number of workers.
- **Linking is a group-by over canonical keys**: mentions carry their per-paper canonical
  key; the store resolves abbreviations, spelling variants and curation across the corpus
  with indexed SQL (``GROUP BY`` over keys) once at the end, on the driver's disk.

Limits: the driver reads and writes at a few thousand papers per second, so it keeps up to
a few dozen extraction cores. Past that, the next step is to read partitions on the workers
(each file or byte range is a partition) and have them write Parquet shards of mentions and
edges, then load those into the store (or straight into ``neo4j-admin import`` files, whose
layout :mod:`kg.export.neo4j_csv` already writes from the store); not implemented.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import click

from kg.errors import KGError

__all__ = ["DaskExecutor", "distributed_build", "COMMANDS"]


class DaskExecutor:
    """Adapts a ``dask.distributed.Client`` to :class:`kg.build.Executor`."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def submit(self, fn: Callable[[Any], Any], arg: Any, /) -> Any:
        # pure=False: no hashing of the batch for a task key (every batch is new work)
        return self.client.submit(fn, arg, pure=False)

    def worker_threads(self) -> int:
        info = self.client.scheduler_info()
        return max(1, sum(w.get("nthreads", 1) for w in info.get("workers", {}).values()))


def distributed_build(inputs: Iterable[str | Path], store: Any, client: Any, **kwargs: Any) -> Any:
    """:func:`kg.build.build` with extraction on the Dask cluster of ``client``.

    Keyword arguments go to :func:`kg.build.build`. The caller holds the store's lock.
    """
    from kg.build import build

    executor = DaskExecutor(client)
    return build(inputs, store, executor=executor, jobs=executor.worker_threads(), **kwargs)


@click.command("distributed-build")
@click.argument("inputs", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--store", "store_path", type=click.Path(file_okay=False, path_type=Path),
              default="kg-store", envvar="KG_STORE", show_default=True, show_envvar=True,
              help="Directory of the embedded graph store.")
@click.option("--scheduler", help="Address of a running Dask scheduler (tcp://host:8786).")
@click.option("--local-workers", type=click.IntRange(1), default=None,
              help="Instead, start a local cluster of this many worker processes.")
@click.option("--batch-size", type=click.IntRange(1), default=256, show_default=True,
              help="Records per task (and per transaction).")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but errors.")
def distributed_build_command(inputs: tuple[Path, ...], store_path: Path, scheduler: str | None,
                              local_workers: int | None, batch_size: int, quiet: bool) -> None:
    """Build like `kg build`, with extraction on a Dask cluster.

    The store is the same as `kg build` makes from the same inputs. Workers need kg
    installed (same version); the store is written by this process only.

    \b
    Example:
      kg distributed-build papers/ --store kg-store --scheduler tcp://10.0.0.5:8786
      kg distributed-build papers/ --store kg-store --local-workers 2
    """
    from kg.cli import _print_build, _quiet
    from kg.store import Store

    if (scheduler is None) == (local_workers is None):
        raise click.UsageError("give exactly one of --scheduler ADDR or --local-workers N")
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise KGError("kg distributed-build needs Dask: pip install 'kg-papers[distributed]'") from None
    quiet = quiet or _quiet()
    cluster = None
    try:
        if local_workers is not None:
            cluster = LocalCluster(n_workers=local_workers, threads_per_worker=1,
                                   processes=True, dashboard_address=None)
            client = Client(cluster)
        else:
            try:
                client = Client(scheduler, timeout=30)
            except OSError as exc:
                raise KGError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from exc
        with client, Store.open(store_path, create=True) as store:
            store.lock()
            report = distributed_build(inputs, store, client, batch_size=batch_size)
    finally:
        if cluster is not None:
            cluster.close()
    if not quiet:
        _print_build(report)


COMMANDS = [distributed_build_command]
