"""Ingest: documents -> analysis -> the store, one transaction per article.

:func:`ingest` reads every document under the paths (:mod:`geo.store.documents`), skips those
whose content is already stored (the id is the hash of the normalised text), analyses the others
with :func:`geo.pipeline.analyze` (the gazetteer and boundaries load once per process), dates
them (:func:`geo.text.dates.choose_date`) and commits each article with its mentions, places and
zones in one transaction: a process killed half-way loses nothing already committed and leaves no
half article, and running the same ingest again finishes the job. Files, feed entries and lines
that cannot be read are collected with the reason; the rest are still ingested.

Examples
--------
>>> from geo.store import Store, ingest
>>> with Store("corpus") as store:  # doctest: +SKIP
...     report = ingest(store, ["news/"])
>>> report.summary()  # doctest: +SKIP
'0 new, 1000 already in the store'
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from geo.errors import DataSourceError, InputError
from geo.store.documents import Document, Problem, documents
from geo.store.records import article_id

if TYPE_CHECKING:
    from geo.pipeline import Settings
    from geo.store.store import Store

log = logging.getLogger(__name__)


@dataclass
class IngestReport:
    """What one ingest did: articles added, articles already stored, problems and warnings."""

    new: int = 0
    known: int = 0
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0
    ids: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """``"3 new, 1000 already in the store"`` (plus the number of problems, if any)."""
        text = f"{self.new} new, {self.known} already in the store"
        if self.problems:
            text += f"; {len(self.problems)} could not be read"
        return text


def ingest(
    store: Store,
    paths: Iterable[str | Path],
    *,
    settings: Settings | None = None,
    progress: bool = False,
    on_article: Callable[[IngestReport], None] | None = None,
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

    Raises
    ------
    DataSourceError
        The boundaries or gazetteer data are missing (no fault of the articles: nothing more is read).
    StoreError
        The store cannot be written (disk full, ...): the article being written is rolled back.
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
    try:
        for item in documents(paths):
            if isinstance(item, Problem):
                report.problems.append(item)
                log.info("ingest: %s", item)
                continue
            report.warnings.extend(f"{item.where}: {w}" for w in item.warnings)
            _ingest_one(store, item, settings, report)
            bar.update(1)
            bar.set_postfix(new=report.new, known=report.known, refresh=False)
            if on_article is not None:
                on_article(report)
    finally:
        bar.close()
    report.seconds = time.perf_counter() - started
    return report


def _ingest_one(store: Store, doc: Document, settings: Settings, report: IngestReport) -> None:
    from geo.pipeline import analyze
    from geo.text.dates import choose_date

    key = article_id(doc.text)
    if store.has_article(key):
        report.known += 1
        return
    try:
        analysis = analyze(doc.text, source=doc.source, settings=settings)
    except DataSourceError:
        raise
    except InputError as exc:
        report.problems.append(Problem(doc.where, str(exc)))
        return
    date = choose_date(analysis.text, doc.date)
    if store.add_article(key, analysis, title=doc.title, date=date, settings=settings):
        report.new += 1
        report.ids.append(key)
    else:  # stored meanwhile (the same text twice in this run, or another writer)
        report.known += 1
