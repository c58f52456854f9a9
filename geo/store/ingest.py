"""Ingest: documents -> analysis -> the store, in transactions of whole articles.

:func:`ingest` reads every document under the paths (:mod:`geo.store.documents`), skips those
whose content is already stored (the id is the hash of the normalised text), analyses the others
with :func:`geo.pipeline.analyze`, dates them (:func:`geo.text.dates.choose_date`) and commits
the articles with their mentions, places, zones and events in batches (:data:`COMMIT_ARTICLES`
articles, or what was analysed in :data:`COMMIT_SECONDS`), each batch one transaction of a few
statements (DuckDB pays per statement, not per row). What was analysed before a worker dies or
Ctrl-C is committed before the error goes up; a process killed outright loses at most the batch
it held and never leaves half an article; running the same ingest again finishes the job. Files, feed entries and lines that cannot be read are collected with the
reason (the first :data:`MAX_LISTED`, and a count of the rest); the rest are still ingested.

Where the analysis runs:

* ``workers=1`` (the default here): in this process;
* ``workers=N``: in N local worker processes (:mod:`geo.store.parallel`); this process reads the
  documents, skips those already stored and writes each analysed article, in input order, so the
  store is the same as with one process;
* ``dask=ADDRESS``: on a Dask cluster (:mod:`geo.store.distributed`): partitions of documents are
  analysed by the cluster's workers, which write them as Parquet files that this process loads.

The gazetteer and boundaries load once per process that analyses.

Examples
--------
>>> from geo.store import Store, ingest
>>> with Store("corpus") as store:  # doctest: +SKIP
...     report = ingest(store, ["news/"], workers=2)
>>> report.summary()  # doctest: +SKIP
'0 new, 1000 already in the store'
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from geo.errors import DataSourceError, InputError
from geo.store.documents import Document, Problem, documents
from geo.store.records import article_id

if TYPE_CHECKING:
    from distributed import Client

    from geo.model import Analysis
    from geo.pipeline import Settings
    from geo.store.store import Store
    from geo.text.dates import DateChoice

log = logging.getLogger(__name__)


#: Problems kept with their reason in a report; beyond these only their number is kept.
MAX_LISTED = 1000
#: Analysed articles committed together (one transaction)...
COMMIT_ARTICLES = 32
#: ... or fewer, when this many seconds have passed since the first of them was analysed.
COMMIT_SECONDS = 1.0


@dataclass
class IngestReport:
    """What one ingest did: articles added, articles already stored, problems and warnings.

    ``problems`` and ``warnings`` hold the first :data:`MAX_LISTED` of each; ``more_problems`` and
    ``more_warnings`` count the others (a folder of a million empty files is not a million lines).
    """

    new: int = 0
    known: int = 0
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0
    ids: list[str] = field(default_factory=list)
    more_problems: int = 0
    more_warnings: int = 0

    @property
    def failed(self) -> int:
        """Files, entries and lines that could not be read."""
        return len(self.problems) + self.more_problems

    def problem(self, problem: Problem) -> None:
        """Record a problem (listed while fewer than :data:`MAX_LISTED` are, counted after)."""
        log.info("ingest: %s", problem)
        if len(self.problems) < MAX_LISTED:
            self.problems.append(problem)
        else:
            self.more_problems += 1

    def warn(self, where: str, warnings: Iterable[str]) -> None:
        for w in warnings:
            if len(self.warnings) < MAX_LISTED:
                self.warnings.append(f"{where}: {w}")
            else:
                self.more_warnings += 1

    def summary(self) -> str:
        """``"3 new, 1000 already in the store"`` (plus the number of problems, if any)."""
        text = f"{self.new} new, {self.known} already in the store"
        if self.failed:
            text += f"; {self.failed} could not be read"
        return text


@dataclass(frozen=True)
class Job:
    """One item of the stream: a problem, a document already stored, or a document to analyse."""

    item: Document | Problem
    key: str = ""
    known: bool = False

    @property
    def needs_analysis(self) -> bool:
        return isinstance(self.item, Document) and not self.known

    def where(self) -> str:
        return self.item.where


def jobs(store: Store, paths: Iterable[str | Path]) -> Iterator[Job]:
    """The documents under ``paths`` with their ids, those already in ``store`` marked ``known``."""
    for item in documents(paths):
        if isinstance(item, Problem):
            yield Job(item)
            continue
        key = article_id(item.text)
        yield Job(item, key, store.has_article(key))


def analyse(job: Job, *, settings: Settings) -> tuple[Analysis, DateChoice] | Problem:
    """The analysis and date of a job's document, or the :class:`Problem` that stopped it.

    Runs wherever the analysis runs (this process, a worker process, a Dask worker); the result
    pickles cheaply (about 0.1 ms and 20 kB an article).
    """
    from geo.pipeline import analyze
    from geo.text.dates import choose_date

    doc = job.item
    assert isinstance(doc, Document)
    try:
        analysis = analyze(doc.text, source=doc.source, settings=settings)
    except DataSourceError:
        raise
    except InputError as exc:
        return Problem(doc.where, str(exc))
    return analysis, choose_date(analysis.text, doc.date)


def ingest(
    store: Store,
    paths: Iterable[str | Path],
    *,
    settings: Settings | None = None,
    progress: bool = False,
    on_article: Callable[[IngestReport], None] | None = None,
    workers: int = 1,
    dask: str | Client | None = None,
    partition_size: int | None = None,
    staging: Path | None = None,
) -> IngestReport:
    """Add every new article under ``paths`` to ``store``.

    Parameters
    ----------
    store
        The open store.
    paths
        Files and folders (see :mod:`geo.store.documents` for the formats).
    settings
        Analysis settings (belt width, confidence threshold); the default ones otherwise.
    progress
        Show a progress bar on standard error (:mod:`tqdm`).
    on_article
        Called with the report so far after each article (new or already stored).
    workers
        Local worker processes analysing the articles (1: this process).
    dask
        A Dask scheduler's address (or a connected :class:`distributed.Client`) to analyse on
        instead (``workers`` is then ignored).
    partition_size
        Documents per Dask task (default :data:`geo.store.distributed.PARTITION_SIZE`).
    staging
        Where the Dask workers write their partitions (default ``staging/`` in the store folder);
        the workers must see it at the same path.

    Raises
    ------
    DataSourceError
        The boundaries or gazetteer data are missing (no fault of the articles: nothing more is read).
    StoreError
        The store cannot be written (disk full, ...): the article being written is rolled back.
    WorkerError
        A worker process died, or the Dask cluster cannot be reached or lost a partition for good.
    """
    from tqdm import tqdm

    from geo.pipeline import Settings

    settings = settings or Settings()
    report = IngestReport()
    started = time.perf_counter()
    bar = tqdm(
        total=None,
        unit=" article",
        file=sys.stderr,
        disable=not progress,
        desc="ingest",
        dynamic_ncols=True,
        mininterval=0.2,
    )

    def counted(done: int) -> None:
        bar.update(done)
        bar.set_postfix(new=report.new, known=report.known, refresh=False)
        if on_article is not None:
            on_article(report)

    try:
        if dask is not None:
            from geo.store.distributed import ingest_on_cluster

            ingest_on_cluster(
                store,
                jobs(store, paths),
                report,
                settings,
                address=dask,
                size=partition_size,
                counted=counted,
                work=partial(analyse, settings=settings),
            )
        else:
            _ingest_local(store, jobs(store, paths), report, settings, workers, counted)
    except Exception as exc:
        if _interrupted(exc):  # DuckDB turns Ctrl-C during a query into an exception of its own
            raise KeyboardInterrupt from exc
        raise
    finally:
        bar.close()
        report.seconds = time.perf_counter() - started
    return report


def _interrupted(exc: BaseException | None) -> bool:
    import duckdb

    while exc is not None:
        if isinstance(exc, duckdb.InterruptException) or str(exc).startswith("Query interrupted"):
            return True
        exc = exc.__cause__
    return False


def _ingest_local(
    store: Store,
    stream: Iterable[Job],
    report: IngestReport,
    settings: Settings,
    workers: int,
    counted: Callable[[int], None],
) -> None:
    from geo.store.parallel import ordered_map
    from geo.store.store import NewArticle

    work = partial(analyse, settings=settings)
    pending: list[NewArticle] = []
    since = 0.0

    def flush() -> None:
        """Commit the analysed articles held (one transaction), then count them."""
        if not pending:
            return
        batch = pending[:]
        pending.clear()  # a batch whose commit fails is rolled back whole, and not tried again
        added = store.add_articles(batch, settings=settings)
        for article, new in zip(batch, added, strict=True):
            if new:
                report.new += 1
                report.ids.append(article.id)
            else:  # stored meanwhile (the same text twice in this run, or another writer)
                report.known += 1
        counted(len(batch))

    try:
        for job, result in ordered_map(
            work, stream, workers=workers, needs_work=lambda j: j.needs_analysis, describe=Job.where
        ):
            doc = job.item
            if isinstance(doc, Problem):
                report.problem(doc)
                continue
            report.warn(doc.where, doc.warnings)
            if job.known:
                report.known += 1
            elif isinstance(result, Problem):
                report.problem(result)
            elif result is not None:
                analysis, date = result
                if not pending:
                    since = time.monotonic()
                pending.append(NewArticle(job.key, analysis, doc.title, date))
                if len(pending) >= COMMIT_ARTICLES or time.monotonic() - since >= COMMIT_SECONDS:
                    flush()
                continue
            counted(1)
    except BaseException:
        flush()  # what was analysed before a worker died or Ctrl-C is committed, as the messages say
        raise
    flush()
