"""Ingest on a Dask distributed cluster: partitions analysed by the workers, loaded from Parquet.

:func:`ingest_on_cluster` is what ``python -m geo ingest --dask ADDRESS`` runs. This process reads
the documents (streamed), skips those already in the store, and sends the others in partitions of
:data:`PARTITION_SIZE` to the cluster, with a bounded number in flight. Dask's scheduler and
workers are the only moving parts: the tasks are plain :meth:`distributed.Client.submit` calls
with ``retries``, and a worker that dies has its partition run again by the scheduler.

On a worker, :class:`WarmUp` (a worker plugin) loads the gazetteer, boundaries and zone rules once
when the worker joins, never per task. :func:`analyse_partition` analyses a partition into a
DuckDB store of its own (the same code that writes the workspace store writes it), exports each
table as Parquet (GeoParquet for the geometry columns), partitioned by article month
(``<table>/month=2021-03/*.parquet``), and publishes the folder with one rename, so a partition
is either complete or absent. The staging folder is ``staging/`` next to the store (the workers
must see it at the same path: the same machine, or a shared file system).

This process loads each finished partition in one transaction with DuckDB reading the files in
place (``INSERT ... SELECT ... FROM read_parquet(...)``), skipping the articles already stored,
then deletes it: a corpus never has to fit in one process, and a partition delivered twice (a
retry after a lost reply) adds nothing twice (ids are content hashes; loading is idempotent).

An unreachable scheduler is a :class:`~geo.errors.WorkerError` naming the address, raised within
:data:`CONNECT_TIMEOUT` seconds and before anything is written.

Examples
--------
>>> from geo.store import Store, ingest
>>> with Store("corpus") as store:  # doctest: +SKIP
...     ingest(store, ["news/"], dask="tcp://10.0.0.5:8786").summary()
'20000 new, 0 already in the store'
"""

from __future__ import annotations

import collections
import contextlib
import json
import logging
import os
import shutil
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar, cast

from distributed.diagnostics.plugin import WorkerPlugin

from geo.errors import WorkerError
from geo.store.connection import transaction
from geo.store.documents import Document, Problem

if TYPE_CHECKING:
    import duckdb
    from distributed import Client, Future, Worker, as_completed

    from geo.model import Analysis
    from geo.pipeline import Settings
    from geo.store.ingest import IngestReport, Job
    from geo.store.store import Store
    from geo.text.dates import DateChoice

log = logging.getLogger(__name__)
T = TypeVar("T")
R = TypeVar("R")

#: Documents per task: a few seconds of work, small enough to lose little when a worker dies.
PARTITION_SIZE = 200
#: Seconds to wait for the scheduler (and for a first worker) before giving up.
CONNECT_TIMEOUT = 10.0
#: Times a partition whose task raised is run again (a worker that dies is handled by Dask too).
RETRIES = 3
#: Partitions in flight per worker thread.
WINDOW_PER_THREAD = 2
#: The staging folder, inside the store folder.
STAGING = "staging"
#: The file a published partition holds besides its tables: what could not be analysed.
DONE = "done.json"
_UNDATED = "undated"


class WarmUp(WorkerPlugin):
    """Loads the gazetteer, boundaries and zone rules once per worker, when it joins the cluster."""

    name = "zone-atlas-warm-up"

    def setup(self, worker: Worker) -> None:
        from geo.store.parallel import warm_up

        warm_up()


@dataclass(frozen=True)
class PartitionResult:
    """What one partition produced: its folder name, the articles written, the problems met."""

    name: str
    written: int
    problems: tuple[Problem, ...] = ()


def connect(address: str, *, timeout: float = CONNECT_TIMEOUT) -> Client:
    """A client of the scheduler at ``address`` with at least one worker.

    Raises
    ------
    WorkerError
        Nothing answers at ``address`` within ``timeout`` seconds, the address is not one, or the
        scheduler has no worker.
    """
    from distributed import Client

    fix = "Fix: start the cluster (`dask scheduler`, then `dask worker ADDRESS`) or correct --dask / $ZONE_ATLAS_DASK"
    try:
        client = Client(address, timeout=timeout, set_as_default=False)
    except (OSError, TimeoutError, ValueError, TypeError) as exc:
        msg = f"cannot reach the Dask scheduler at {address!r} within {timeout:g} s ({exc}); nothing was written. {fix}"
        raise WorkerError(msg) from exc
    try:
        client.wait_for_workers(1, timeout=timeout)
    except (OSError, TimeoutError) as exc:
        client.close()
        msg = (
            f"the Dask scheduler at {address!r} has no worker after {timeout:g} s; nothing was written. {fix}"
        )
        raise WorkerError(msg) from exc
    return client


# --- on a worker ------------------------------------------------------------------------------------


def analyse_partition(
    jobs: list[Job],
    *,
    work: Callable[[Job], tuple[Analysis, DateChoice] | Problem],
    settings: Settings,
    staging: str,
    name: str,
) -> PartitionResult:
    """Analyse ``jobs`` into ``<staging>/<name>/<table>/month=YYYY-MM/*.parquet`` (run on a worker).

    A partition already published (a retry after the first run's reply was lost) is not redone.
    """
    from geo.store.store import NewArticle, Store

    root = Path(staging)
    final = root / name
    if (final / DONE).exists():
        return _published(final, name)
    if not root.is_dir():  # the run was abandoned (interrupted, failed) while this task waited
        return PartitionResult(name, 0)
    scratch = root / f".{name}-{uuid.uuid4().hex[:12]}"
    try:
        problems: list[Problem] = []
        analysed: list[NewArticle] = []
        for job in jobs:
            result = work(job)
            if isinstance(result, Problem):
                problems.append(result)
                continue
            doc = job.item
            assert isinstance(doc, Document)
            analysis, date = result
            analysed.append(NewArticle(job.key, analysis, doc.title, date))
        with Store(scratch / "db") as part:
            written = sum(part.add_articles(analysed, settings=settings))  # one transaction
            export_tables(part.con, scratch / "out")
        done = {"written": written, "problems": [[p.where, p.reason] for p in problems]}
        (scratch / "out" / DONE).write_text(json.dumps(done, ensure_ascii=False), encoding="utf-8")
        try:
            os.rename(scratch / "out", final)
        except OSError:
            if not (final / DONE).exists():  # not another attempt's complete copy: a real failure
                raise
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return _published(final, name)


def _published(folder: Path, name: str) -> PartitionResult:
    done = json.loads((folder / DONE).read_text(encoding="utf-8"))
    return PartitionResult(name, int(done["written"]), tuple(Problem(w, r) for w, r in done["problems"]))


def article_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The tables holding rows per article (``mentions``, ``places``, ``zones``, ...), by name."""
    rows = con.execute(
        "SELECT DISTINCT table_name FROM information_schema.columns WHERE column_name = 'article_id' "
        "AND table_schema = 'main' ORDER BY table_name"
    ).fetchall()
    return [r[0] for r in rows]


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> list[tuple[str, str]]:
    return [
        (name, kind)
        for name, kind in con.execute(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = ? "
            "AND table_schema = 'main' ORDER BY ordinal_position",
            [table],
        ).fetchall()
    ]


def _quote(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def export_tables(con: duckdb.DuckDBPyConnection, out: Path) -> None:
    """Every non-empty article table, ``articles`` and ``shapes`` of ``con`` as Parquet under ``out``.

    Points (``POINT_2D``) are written as geometries, so every geometry column is GeoParquet.
    """
    out.mkdir(parents=True)
    month = f"coalesce(strftime(a.published, '%Y-%m'), '{_UNDATED}') AS month"
    for table in ["articles", *article_tables(con)]:
        if not con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]:  # type: ignore[index]
            continue
        cols = ", ".join(
            f"t.{name}::GEOMETRY AS {name}" if kind == "POINT_2D" else f"t.{name}"
            for name, kind in _columns(con, table)
        )
        if table == "articles":
            select = f"SELECT {cols}, {month.replace('a.', 't.')} FROM articles t"
        else:
            select = f"SELECT {cols}, {month} FROM {table} t JOIN articles a ON a.id = t.article_id"
        con.execute(f"COPY ({select}) TO {_quote(out / table)} (FORMAT parquet, PARTITION_BY (month))")
    if con.execute("SELECT count(*) FROM shapes").fetchone()[0]:  # type: ignore[index]
        (out / "shapes").mkdir()
        con.execute(
            f"COPY (SELECT * FROM shapes) TO {_quote(out / 'shapes' / 'shapes.parquet')} (FORMAT parquet)"
        )


# --- in this process --------------------------------------------------------------------------------


def load_partition(store: Store, folder: Path) -> list[str]:
    """Add the articles of a published partition that are not stored yet, in one transaction.

    The files are read in place; rows of articles already stored are skipped. Returns the ids
    of the articles added.
    """
    con = store.con.cursor()
    try:
        with transaction(con, store.path, doing=f"load the partition {folder}"):
            articles = folder / "articles"
            if not articles.is_dir():
                return []
            fresh = "article_id NOT IN (SELECT id FROM articles)"
            for table in article_tables(con):
                if (folder / table).is_dir():
                    _insert(con, table, _parquet(folder / table, hive=True), fresh)
            if (folder / "shapes").is_dir():
                _insert(
                    con,
                    "shapes",
                    _parquet(folder / "shapes", hive=False),
                    "shape_id NOT IN (SELECT shape_id FROM shapes)",
                )
            new = "id NOT IN (SELECT id FROM articles)"
            source = _parquet(articles, hive=True)
            ids = [r[0] for r in con.execute(f"SELECT id FROM {source} WHERE {new}").fetchall()]
            _insert(con, "articles", source, new)
            return ids
    finally:
        con.close()


def _parquet(folder: Path, *, hive: bool) -> str:
    pattern = folder / "*" / "*.parquet" if hive else folder / "*.parquet"
    return f"read_parquet({_quote(pattern)}, hive_partitioning = {str(hive).lower()})"


def _insert(con: duckdb.DuckDBPyConnection, table: str, source: str, where: str) -> None:
    columns = _columns(con, table)
    names = ", ".join(name for name, _ in columns)
    values = ", ".join(
        f"CAST(CAST({name} AS GEOMETRY) AS {kind})" if kind == "POINT_2D" else f"CAST({name} AS {kind})"
        for name, kind in columns
    )
    con.execute(f"INSERT INTO {table} ({names}) SELECT {values} FROM {source} WHERE {where}")


def ingest_on_cluster(
    store: Store,
    stream: Iterable[Job],
    report: IngestReport,
    settings: Settings,
    *,
    address: str | Client,
    size: int | None = None,
    staging: Path | None = None,
    counted: Callable[[int], None] = lambda _n: None,
    work: Callable[[Job], tuple[Analysis, DateChoice] | Problem],
) -> None:
    """Analyse the new documents of ``stream`` on the cluster and load them into ``store``.

    ``address`` is a scheduler address or a connected :class:`distributed.Client` (then left
    open). ``counted`` is called with the number of documents each loaded partition settled.
    """
    from distributed import Client, as_completed

    client = address if isinstance(address, Client) else connect(address)
    finished = as_completed(loop=client.loop)
    root = (staging or store.folder / STAGING) / f"run-{uuid.uuid4().hex[:12]}"
    pending: dict[Future, int] = {}
    try:
        client.register_plugin(WarmUp(), name=WarmUp.name)
        root.mkdir(parents=True)
        threads = max(1, sum(client.nthreads().values()))
        window = threads * WINDOW_PER_THREAD
        batch: list[Job] = []
        number = 0

        def submit() -> None:
            nonlocal number, batch
            name = f"part-{number:07d}"
            future = client.submit(
                analyse_partition,
                batch,
                work=work,
                settings=settings,
                staging=str(root),
                name=name,
                retries=RETRIES,
                pure=False,
                key=f"zone-atlas-{root.name}-{name}",
            )
            pending[future] = len(batch)
            finished.add(future)
            number += 1
            batch = []
            while len(pending) >= window:
                _collect(client, store, root, pending, finished, report, counted)

        for job in stream:
            doc = job.item
            if isinstance(doc, Problem):
                report.problem(doc)
                continue
            report.warn(doc.where, doc.warnings)
            if job.known:
                report.known += 1
                counted(1)
                continue
            batch.append(job)
            if len(batch) >= (size or PARTITION_SIZE):
                submit()
        if batch:
            submit()
        while pending:
            _collect(client, store, root, pending, finished, report, counted)
    finally:
        for future in pending:
            future.cancel()
        shutil.rmtree(root, ignore_errors=True)
        with contextlib.suppress(OSError):
            root.parent.rmdir()  # the staging folder, when no other run uses it
        if client is not address:
            client.close()


def _collect(
    client: Client,
    store: Store,
    root: Path,
    pending: dict[Future, int],
    finished: as_completed,
    report: IngestReport,
    counted: Callable[[int], None],
) -> None:
    """Wait for one partition to finish, load it, and settle its documents in the report."""
    from distributed import KilledWorker

    for future in [next(finished)]:
        jobs = pending.pop(future)
        try:
            result: PartitionResult = future.result()
        except KilledWorker as exc:
            msg = (
                f"the Dask cluster at {client.scheduler.address} lost a partition of {jobs} documents "
                f"with every worker that ran it ({exc}); the partitions loaded before are kept. Fix: "
                "check the workers' memory and logs, then run the same ingest again (what is stored is skipped)"
            )
            raise WorkerError(msg) from exc
        for problem in result.problems:
            report.problem(problem)
        added = load_partition(store, root / result.name)
        shutil.rmtree(root / result.name, ignore_errors=True)
        report.new += len(added)
        report.ids.extend(added)
        report.known += jobs - len(result.problems) - len(added)
        counted(jobs)


def ordered_on_cluster(client: Client, fn: Callable[[T], R], items: Iterable[T]) -> Iterator[R]:
    """``fn(item)`` for every item, computed on the cluster, yielded in the order of ``items``.

    ``fn`` must be importable on the workers (a module-level function, or a partial of one). At most
    :data:`WINDOW_PER_THREAD` x 4 items per worker thread are in flight.
    """
    from distributed import KilledWorker

    client.register_plugin(WarmUp(), name=WarmUp.name)
    window = max(1, sum(client.nthreads().values())) * WINDOW_PER_THREAD * 4
    pending: collections.deque[Future] = collections.deque()

    def first() -> R:
        future = pending.popleft()
        try:
            return cast("R", future.result())
        except KilledWorker as exc:
            msg = (
                f"the Dask cluster at {client.scheduler.address} lost a task with every worker that ran "
                f"it ({exc}). Fix: check the workers' memory and logs, then run the command again"
            )
            raise WorkerError(msg) from exc

    try:
        for item in items:
            pending.append(client.submit(fn, item, retries=RETRIES, pure=False))
            if len(pending) >= window:
                yield first()
        while pending:
            yield first()
    finally:
        for future in pending:
            future.cancel()
