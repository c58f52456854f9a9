"""The workspace store: a corpus of analysed articles in one embedded DuckDB file, with corrections.

The public names are all a caller needs; the modules behind them are:

* :mod:`~geo.store.connection` - opening the file, the spatial extension (from its PyPI package,
  never downloaded), locks and clear refusals (read-only folder, full disk, corrupt file);
* :mod:`~geo.store.schema` - the tables and their migrations (version 1 -> 2 -> ...);
* :mod:`~geo.store.documents` and :mod:`~geo.store.ingest` - files, folders, feeds and JSONL in,
  whole articles per transaction (committed in batches), deduplicated by content hash;
* :mod:`~geo.store.records` - an analysis as rows and back;
* :mod:`~geo.store.queries` - articles, places, zones, folded full-text search, the corpus map;
* :mod:`~geo.store.corrections` - re-resolve, drop, add, set the date, with an audit trail that
  survives re-analysis;
* :mod:`~geo.store.export` - the GeoPackage (articles, places, zones), GeoJSON and CSV.

Examples
--------
>>> from geo.store import Filters, Store, ingest
>>> with Store() as store:  # doctest: +SKIP
...     print(ingest(store, ["news/"]).summary())
...     counts = store.corpus_map(Filters(lang="ar")).governorates
"""

from __future__ import annotations

from geo.errors import StoreError
from geo.store.connection import STORE_FILE
from geo.store.corrections import ACTIONS, Correction, search_gazetteer
from geo.store.documents import Document, Problem, documents
from geo.store.ingest import IngestReport, ingest
from geo.store.queries import CorpusMap, Filters
from geo.store.records import article_id
from geo.store.schema import SCHEMA_VERSION
from geo.store.store import NewArticle, Reanalysis, Store

__all__ = [
    "ACTIONS",
    "SCHEMA_VERSION",
    "STORE_FILE",
    "CorpusMap",
    "Correction",
    "Document",
    "Filters",
    "IngestReport",
    "NewArticle",
    "Problem",
    "Reanalysis",
    "Store",
    "StoreError",
    "article_id",
    "documents",
    "ingest",
    "search_gazetteer",
]
