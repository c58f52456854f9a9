"""What ``ingest`` reads: files, folders, RSS/Atom feeds and JSONL, one :class:`Document` at a time.

:func:`documents` walks the paths (folders recursively, in name order) and yields each article as a
:class:`Document` (text, source, title and the metadata date with how it was found) or a
:class:`Problem` (where, and why it could not be read), so one bad file or line never stops the
rest. Everything is streamed: a feed is read entry by entry (:func:`lxml.etree.iterparse`, each
entry then handed to :mod:`feedparser`), a JSONL file line by line, so a feed of 10,000 entries
needs the memory of one.

Formats
-------
``.txt``, ``.md``
    One article (UTF-8, UTF-16 or Windows-1256: :func:`geo.text.reading.read_text_bytes`).
``.html``, ``.htm``, ``.xhtml``
    One article (the page's text); its date from the page metadata (:func:`geo.text.dates.date_from_html`).
``.xml``, ``.rss``, ``.atom``
    An RSS 0.9x/1.0/2.0 or Atom feed: each entry an article (title, text, link, date).
``.jsonl``, ``.ndjson``
    One JSON object per line: ``{"text": ..., "date": ..., "source": ..., "title": ...}``; only
    ``text`` is required.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from geo.errors import DataSourceError, InputError
from geo.text.dates import FoundDate, date_from_html, parse_date_value
from geo.text.reading import MAX_BYTES, decode_text, html_to_text, read_text_bytes

log = logging.getLogger(__name__)

TEXT_SUFFIXES = (".txt", ".md")
HTML_SUFFIXES = (".html", ".htm", ".xhtml")
FEED_SUFFIXES = (".xml", ".rss", ".atom")
JSONL_SUFFIXES = (".jsonl", ".ndjson")
#: Every suffix a folder is searched for.
SUFFIXES = (*TEXT_SUFFIXES, *HTML_SUFFIXES, *FEED_SUFFIXES, *JSONL_SUFFIXES)

_ATOM = "{http://www.w3.org/2005/Atom}"
_RSS1 = "{http://purl.org/rss/1.0/}"
_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_ENTRY_TAGS = ("item", f"{_ATOM}entry", f"{_RSS1}item")


@dataclass(frozen=True)
class Document:
    """One article to ingest.

    ``where`` names it in messages (``feed.xml entry 12``, ``news.jsonl:3``); ``date`` is the
    metadata date (feed, JSONL, HTML metadata), ``None`` when there was none; ``warnings`` say
    what was repaired or ignored on the way.
    """

    text: str
    source: str
    title: str
    where: str
    date: FoundDate | None = None
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Problem:
    """A file, feed entry or line that could not be read, and why."""

    where: str
    reason: str

    def __str__(self) -> str:
        return f"{self.where}: {self.reason}"


def documents(paths: Iterable[str | Path]) -> Iterator[Document | Problem]:
    """Every article under ``paths`` (files, or folders searched recursively for :data:`SUFFIXES`)."""
    for item in input_files(paths):
        if isinstance(item, Problem):
            yield item
            continue
        try:
            yield from read_file(item)
        except DataSourceError:
            raise  # missing data is no fault of this file, and stops every other one too
        except InputError as exc:
            yield Problem(str(item), _without_name(str(exc), str(item)))
        except OSError as exc:
            yield Problem(str(item), f"cannot read the file ({exc.strerror or exc})")


def _without_name(message: str, name: str) -> str:
    return message.removeprefix(f"{name}: ")


def input_files(paths: Iterable[str | Path]) -> Iterator[Path | Problem]:
    """The files named, and those under the folders named (in name order; hidden files skipped).

    Folders are walked lazily, one folder at a time, in the order ``sorted(folder.rglob("*"))``
    gives: a folder of a million files is never held as a million paths (see :func:`_walk`).
    """
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = False
            for file in _walk(path):
                found = True
                yield file
            if not found:
                yield Problem(str(path), f"no article files in the folder (looked for {', '.join(SUFFIXES)})")
        elif path.exists():
            yield path
        else:
            yield Problem(str(path), "no such file or folder")


#: Names of one folder sorted in memory; a bigger folder is sorted in runs of this size on disk.
SORT_RUN = 100_000


def _walk(folder: Path) -> Iterator[Path]:
    """Article files under ``folder``, depth first with each folder's entries in name order.

    That is the order of sorted paths (a folder's files come where its name sorts). Symbolic links
    to folders are not followed (no loops); hidden files and folders are skipped.
    """
    for name, is_dir in _sorted_entries(folder):
        path = folder / name
        if is_dir:
            yield from _walk(path)
        elif path.suffix.lower() in SUFFIXES and path.is_file():
            yield path


def _sorted_entries(folder: Path) -> Iterator[tuple[str, bool]]:
    """``(name, is_folder)`` of the visible entries of ``folder``, sorted by name.

    Up to :data:`SORT_RUN` names are sorted in memory; beyond that, sorted runs are written to
    temporary files and merged (:func:`heapq.merge`), so memory stays bounded by one run.
    """
    import contextlib
    import heapq
    import tempfile

    spilled: list[IO[str]] = []
    run: list[tuple[str, bool]] = []
    with contextlib.ExitStack() as stack:
        with os.scandir(folder) as it:
            for entry in it:
                if entry.name.startswith("."):
                    continue
                run.append((entry.name, entry.is_dir(follow_symlinks=False)))
                if len(run) >= SORT_RUN:
                    handle = stack.enter_context(
                        tempfile.TemporaryFile("w+", encoding="utf-8", errors="surrogateescape")
                    )
                    spilled.append(handle)
                    handle.writelines(f"{int(is_dir)}{name}\0" for name, is_dir in sorted(run))
                    handle.seek(0)
                    run = []
        run.sort()
        if not spilled:
            yield from run
            return
        yield from heapq.merge(iter(run), *(_read_run(h) for h in spilled))


def _read_run(handle: IO[str]) -> Iterator[tuple[str, bool]]:
    """The entries of one sorted run written by :func:`_sorted_entries`, read a block at a time."""
    rest = ""
    while block := handle.read(1 << 16):
        *names, rest = (rest + block).split("\0")
        for item in names:
            yield item[1:], item[0] == "1"


def kind_of(path: Path, head: bytes) -> str:
    """``text``, ``html``, ``feed`` or ``jsonl``: by suffix, else by the first bytes."""
    suffix = path.suffix.lower()
    if suffix in JSONL_SUFFIXES:
        return "jsonl"
    if suffix in FEED_SUFFIXES:
        return "feed"
    if suffix in HTML_SUFFIXES:
        return "html"
    if suffix in TEXT_SUFFIXES:
        return "text"
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if start.startswith((b"<?xml", b"<rss", b"<feed", b"<rdf:rdf")):
        return "feed"
    if start.startswith(b"{"):
        return "jsonl"
    return "text"


def read_file(path: Path) -> Iterator[Document | Problem]:
    """The articles of one file (see the module docstring for the formats)."""
    with open(path, "rb") as handle:
        head = handle.read(512)
    kind = kind_of(path, head)
    if kind == "feed":
        yield from read_feed(path)
    elif kind == "jsonl":
        yield from read_jsonl(path)
    else:
        yield read_single(path)


def read_single(path: Path) -> Document:
    """A text or HTML file as one document (its date from the page metadata, for HTML)."""
    size = path.stat().st_size
    if size > MAX_BYTES:
        msg = f"{path}: the file is {size:,} bytes; the limit is {MAX_BYTES:,}. Split it into articles."
        raise InputError(msg)
    data = path.read_bytes()
    article = read_text_bytes(data, str(path))
    date = None
    if article.format == "html":
        date = date_from_html(decode_text(data, str(path)).text)
    return Document(
        text=article.text,
        source=str(path),
        title=article.title,
        where=str(path),
        date=date,
        warnings=article.warnings,
    )


# --- JSONL ----------------------------------------------------------------------------------------


def read_jsonl(path: Path) -> Iterator[Document | Problem]:
    """One document per line; a line that is not usable is a :class:`Problem` naming ``file:line``."""
    with open(path, "rb") as handle:
        for number, raw in enumerate(handle, start=1):
            where = f"{path}:{number}"
            if number == 1:
                raw = raw.removeprefix(b"\xef\xbb\xbf")
            if not raw.strip():
                continue
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                yield Problem(where, f"not UTF-8 (byte {exc.start}); expected one JSON object per line")
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                yield Problem(where, f"not JSON ({exc.msg} at column {exc.colno}); the other lines were read")
                continue
            yield _jsonl_document(record, where)


def _jsonl_document(record: Any, where: str) -> Document | Problem:
    if not isinstance(record, dict):
        return Problem(where, f'expected a JSON object with a "text" string, got {type(record).__name__}')
    text = record.get("text")
    if not isinstance(text, str) or not text.strip():
        got = (
            "an empty string"
            if isinstance(text, str)
            else type(text).__name__
            if "text" in record
            else "no text"
        )
        return Problem(where, f'expected a non-empty "text" string, got {got}')
    warnings: list[str] = []
    date = None
    if record.get("date") not in (None, ""):
        date = parse_date_value(str(record["date"]), source="jsonl")
        if date is None:
            warnings.append(f"date {record['date']!r} not understood; the date is taken from the text")
    source = str(record.get("source") or where)
    title = str(record.get("title") or _first_line(text))
    return Document(text=text, source=source, title=title, where=where, date=date, warnings=tuple(warnings))


def _first_line(text: str) -> str:
    return next((line.strip()[:300] for line in text.splitlines() if line.strip()), "")


# --- feeds ----------------------------------------------------------------------------------------


def read_feed(path: Path) -> Iterator[Document | Problem]:
    """Each entry of an RSS/Atom feed, streamed: the memory of one entry, whatever the feed's size."""
    from lxml import etree

    number = 0
    wrapper: tuple[str, str] | None = None
    try:
        events = etree.iterparse(
            str(path), events=("start", "end"), resolve_entities=False, no_network=True, huge_tree=True
        )
        for event, elem in events:
            if event == "start":
                if wrapper is None:
                    wrapper = _wrapper(elem.tag)
                continue
            if elem.tag not in _ENTRY_TAGS:
                continue
            number += 1
            yield _feed_document(etree.tostring(elem, encoding="unicode"), wrapper, path, number)
            elem.clear()
            while elem.getprevious() is not None:
                del elem.getparent()[0]
    except etree.XMLSyntaxError as exc:
        line = getattr(exc, "lineno", None)
        at = f" at line {line}" if line else ""
        kept = f"; the {number} entries before it were read" if number else ""
        yield Problem(str(path), f"not a well-formed feed{at} ({exc.msg}){kept}")
        return
    if wrapper is None or not number:
        yield Problem(str(path), "no RSS items or Atom entries in the file; expected an RSS or Atom feed")


def _wrapper(root: str) -> tuple[str, str]:
    """The opening and closing tags that make one entry a feed :mod:`feedparser` reads again."""
    if root.startswith(_ATOM):
        return '<feed xmlns="http://www.w3.org/2005/Atom">', "</feed>"
    if root == f"{{{_RDF}}}RDF":
        return f'<rdf:RDF xmlns:rdf="{_RDF}" xmlns="http://purl.org/rss/1.0/">', "</rdf:RDF>"
    return '<rss version="2.0"><channel>', "</channel></rss>"


def _feed_document(
    entry_xml: str, wrapper: tuple[str, str] | None, path: Path, number: int
) -> Document | Problem:
    import feedparser

    where = f"{path} entry {number}"
    head, tail = wrapper or _wrapper("")
    parsed = feedparser.parse(head + entry_xml + tail)
    if not parsed.entries:
        return Problem(where, "the entry could not be read")
    entry = parsed.entries[0]
    title = str(entry.get("title") or "").strip()
    bodies = [c.get("value", "") for c in entry.get("content", [])] or [entry.get("summary", "")]
    body = max(bodies, key=len) if bodies else ""
    if "<" in body:
        body, _ = html_to_text(body, where)
    body = body.strip()
    if body.startswith(title):
        body = body[len(title) :].lstrip()
    text = f"{title}\n\n{body}".strip() if title else body
    if not text:
        return Problem(where, "the entry has no title or text")
    date = None
    for key in ("published", "updated", "created"):
        raw = entry.get(key)
        date = parse_date_value(raw, source="feed") if raw else None
        if date is None and entry.get(f"{key}_parsed"):
            date = parse_date_value(entry[f"{key}_parsed"], source="feed")
        if date is not None:
            break
    source = str(entry.get("link") or entry.get("id") or where)
    return Document(text=text, source=source, title=title or _first_line(text), where=where, date=date)
