"""Worker processes for the stages that use every core (``kg build``, ``kg export rdf``).

Workers are forked where the platform allows (they inherit what the parent has built) and end
on their own once the process that started them is gone: a command killed with SIGKILL never
leaves workers blocked on their queue.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

__all__ = ["process_pool", "ordered_results"]

T = TypeVar("T")
R = TypeVar("R")


def process_pool(jobs: int, initializer: Callable[..., None] | None = None,
                 initargs: tuple[Any, ...] = ()) -> ProcessPoolExecutor:
    """A pool of ``jobs`` worker processes (forked where possible), each running
    ``initializer(*initargs)`` first and ending itself once its parent has ended."""
    methods = multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    return ProcessPoolExecutor(max_workers=jobs, mp_context=ctx, initializer=_start_worker,
                               initargs=(os.getpid(), initializer, initargs))


def ordered_results(pool: ProcessPoolExecutor, fn: Callable[[T], R], items: Iterable[T],
                    window: int) -> Iterator[R]:
    """``map(fn, items)`` run on ``pool``, results in input order, with at most ``window``
    items submitted and not yet consumed (memory stays bounded whatever the input size)."""
    pending: deque[Any] = deque()
    try:
        for item in items:
            pending.append(pool.submit(fn, item))
            while len(pending) > window:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    finally:
        for future in pending:
            future.cancel()


def _start_worker(parent: int, initializer: Callable[..., None] | None,
                  initargs: tuple[Any, ...]) -> None:
    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="kg-exit-with-parent", daemon=True).start()
    if initializer is not None:
        initializer(*initargs)
