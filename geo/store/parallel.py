"""Local worker processes: analyse many articles on every core, results back in input order.

:func:`ordered_map` runs a function over a stream of items in a pool of worker processes
(:class:`concurrent.futures.ProcessPoolExecutor`, started with ``spawn``: the parent holds a
DuckDB connection and threads, which a ``fork`` would copy half-way) and yields the results in
the order of the items. The stream is consumed lazily with a bounded number of items in flight
(:data:`WINDOW_PER_WORKER` per worker), so a stream of a million documents never becomes a million
futures. Each worker loads the gazetteer, the boundaries and the zone rules once, when it starts
(:func:`warm_up`, the pool initializer), not per item.

A small stream (fewer items than two per worker) is run in this process: starting the workers
would take longer than the work. ``workers=1`` is always this process.

A worker whose parent dies (``kill -9``, the OOM killer) ends itself within
:data:`PARENT_POLL_SECONDS`. A worker that dies (killed, out of memory) stops the run with :class:`~geo.errors.WorkerError`
naming the first item not done; results already yielded are the caller's (the store committed
them). Ctrl-C reaches only this process (the workers ignore SIGINT), which cancels what is queued
and lets :class:`KeyboardInterrupt` go up to the caller.

Examples
--------
>>> from geo.store.parallel import ordered_map
>>> list(ordered_map(abs, [-3, 2, -1], workers=2))  # doctest: +SKIP
[(-3, 3), (2, 2), (-1, 1)]
"""

from __future__ import annotations

import collections
import itertools
import logging
import os
import signal
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

from geo.errors import WorkerError

log = logging.getLogger(__name__)
T = TypeVar("T")
R = TypeVar("R")

#: Items in flight per worker: enough to keep every worker busy while the parent writes.
WINDOW_PER_WORKER = 8
#: Below this many items per worker, the stream is run in this process.
MIN_ITEMS_PER_WORKER = 2
#: A short article that names places and a zone: analysing it loads everything analysis needs.
_WARM_UP_TEXT = "An attack in Kirkuk. A joint operations room was set up in Diyala."


def default_workers() -> int:
    """The number of cores (``os.cpu_count()``; 1 when it is unknown)."""
    return os.cpu_count() or 1


def warm_up() -> None:
    """Load the gazetteer, the boundaries and the zone rules into this process (once: they are cached)."""
    from geo.pipeline import analyze

    analyze(_WARM_UP_TEXT, source="warm-up")


#: What the initializer of this worker process raised, raised again by every task it is given.
_start_error: BaseException | None = None


def _worker_start(initializer: Callable[[], None] | None) -> None:
    global _start_error
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    _exit_with_parent(os.getppid())
    if initializer is not None:
        try:
            initializer()
        except Exception as exc:  # e.g. missing data: reported by the tasks, as in one process
            _start_error = exc


#: How often (seconds) a worker looks whether the process that started it is still there.
PARENT_POLL_SECONDS = 0.5


def _exit_with_parent(parent: int) -> None:
    """End this worker when its parent is gone (killed with SIGKILL, or by the OOM killer): the
    pool's pipes would otherwise keep it waiting, and holding its memory, for ever."""
    import threading
    import time

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_POLL_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="zone-atlas-parent-watch", daemon=True).start()


def _call(fn: Callable[[T], R], item: T) -> R:
    if _start_error is not None:
        raise _start_error
    return fn(item)


def ordered_map(
    fn: Callable[[T], R],
    items: Iterable[T],
    *,
    workers: int,
    needs_work: Callable[[T], bool] | None = None,
    initializer: Callable[[], None] | None = warm_up,
    describe: Callable[[T], str] = str,
) -> Iterator[tuple[T, R | None]]:
    """``(item, fn(item))`` for every item, in the order of ``items``.

    Parameters
    ----------
    fn
        A module-level function (the workers import it by name); its result must pickle.
    items
        Read lazily; items must pickle.
    workers
        Worker processes (1: everything runs in this process).
    needs_work
        Items for which it is false are passed through as ``(item, None)`` without calling ``fn``
        (still in order): a document already stored, a file that could not be read.
    initializer
        Run once in each worker when it starts (default :func:`warm_up`).
    describe
        Names an item in the message when a worker dies.

    Raises
    ------
    WorkerError
        A worker process died; the message names the item it was working on.
    """
    wanted = needs_work or (lambda _item: True)
    stream = iter(items)
    head: list[T] = []
    busy = 0
    if workers > 1:
        for item in stream:
            head.append(item)
            busy += wanted(item)
            if busy >= workers * MIN_ITEMS_PER_WORKER:
                break
    if workers <= 1 or busy < workers * MIN_ITEMS_PER_WORKER:
        for item in itertools.chain(head, stream):
            yield item, (fn(item) if wanted(item) else None)
        return
    yield from _pooled(fn, itertools.chain(head, stream), workers, wanted, initializer, describe)


def _pooled(
    fn: Callable[[T], R],
    items: Iterator[T],
    workers: int,
    wanted: Callable[[T], bool],
    initializer: Callable[[], None] | None,
    describe: Callable[[T], str],
) -> Iterator[tuple[T, R | None]]:
    import multiprocessing

    window = workers * WINDOW_PER_WORKER
    pending: collections.deque[tuple[T, Future[R] | None]] = collections.deque()
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_worker_start,
        initargs=(initializer,),
    )
    log.info("analysing in %d worker processes", workers)

    def broken(item: T, exc: BrokenProcessPool) -> WorkerError:
        msg = (
            f"a worker process stopped (killed, or out of memory) before {describe(item)} and what "
            "follows it were analysed; everything before it is kept. Fix: run the same command "
            "again (what is stored is skipped), with fewer --workers if memory is short"
        )
        return WorkerError(msg)

    finished = broke = False

    def step() -> tuple[T, R | None]:
        nonlocal broke
        item, future = pending.popleft()
        if future is None:
            return item, None
        try:
            return item, future.result()
        except BrokenProcessPool as exc:
            broke = True
            raise broken(item, exc) from exc

    try:
        for item in items:
            try:
                future = pool.submit(_call, fn, item) if wanted(item) else None
            except BrokenProcessPool as exc:  # found dead while submitting: the oldest is not done
                broke = True
                raise broken(pending[0][0] if pending else item, exc) from exc
            pending.append((item, future))
            while len(pending) >= window or (pending and pending[0][1] is None):
                yield step()
        while pending:
            yield step()
        finished = True
    finally:
        if finished:
            pool.shutdown(wait=True)
        elif broke:
            # a dead worker: stop the others now (their results are no longer wanted; the executor
            # has no public way to do so before Python 3.14: its _processes table). The executor
            # then fails what is queued itself; the futures are not cancelled first, as Python
            # 3.11's executor would raise InvalidStateError in its own thread when it fails a
            # cancelled one.
            for process in list((getattr(pool, "_processes", None) or {}).values()):
                process.terminate()
            pool.shutdown(wait=False)
        else:
            # Ctrl-C or a caller that stopped reading, with every worker alive: what is queued is
            # cancelled and each worker ends the article it holds. Terminating a live worker could
            # leave the pool's call queue locked, and the interpreter's exit would then wait on
            # the pool's thread forever.
            pool.shutdown(wait=False, cancel_futures=True)
