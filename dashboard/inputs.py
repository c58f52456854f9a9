"""Articles the analyst works on: the seed sample, pasted text and uploaded files.

Uploads are decoded by :func:`geo.text.reading.read_text_bytes` (encoding detection, HTML reduced to
its article text). Every refusal is a :class:`geo.errors.InputError` whose message the page shows
as it is.
"""

from __future__ import annotations

import math
from collections.abc import MutableMapping
from dataclasses import dataclass
from pathlib import Path

from geo.errors import InputError
from geo.text import reading as textio

REPO = Path(__file__).resolve().parent.parent
SEED_PATH = REPO / "data" / "samples" / "article-000.txt"
#: Upload types the file picker offers.
UPLOAD_TYPES = ("txt", "md", "html", "htm")
#: Largest upload accepted, in bytes (a long article, not an archive).
MAX_UPLOAD_BYTES = 2_000_000
#: Largest article accepted, in characters (about 30,000 words).
MAX_CHARS = 200_000
#: Upload size the server refuses above, in MB (``server.maxUploadSize``; larger than
#: MAX_UPLOAD_BYTES, so that our clearer message is the one usually seen).
WIDGET_MAX_MB = 5
#: The limit the upload box shows and applies in the browser, in MB: the article limit, so that
#: the box and its label say the same (an article a little over 2,000,000 bytes gets our message).
UPLOAD_BOX_MB = math.ceil(MAX_UPLOAD_BYTES / 1e6)
#: Characters of a title shown in the article selector.
LABEL_TITLE_CHARS = 110
LANGUAGE_NAMES = {
    "ar": "Arabic",
    "ckb": "Kurdish (Sorani)",
    "kmr": "Kurdish (Kurmanji)",
    "en": "English",
    "fa": "Persian",
    "tr": "Turkish",
    "und": "not recognised",
}


@dataclass(frozen=True)
class ArticleRecord:
    """One article loaded in the dashboard."""

    key: str
    source: str
    title: str
    text: str
    lang: str
    format: str
    encoding: str

    @property
    def label(self) -> str:
        """Name shown in the article selector."""
        title = " ".join(self.title.split())
        if len(title) > LABEL_TITLE_CHARS:  # cut at a word, never inside one (Arabic titles run long)
            cut = title.rfind(" ", 0, LABEL_TITLE_CHARS)
            title = title[: cut if cut > LABEL_TITLE_CHARS // 2 else LABEL_TITLE_CHARS] + "…"
        return f"{title} · {self.source}" if title and title != self.source else self.source


def language_name(code: str) -> str:
    """A readable name for a language code from :func:`geo.text.reading.detect_language`."""
    return f"{LANGUAGE_NAMES.get(code, code)} ({code})"


def _key(text: str) -> str:
    """The article's id in the workspace store (the SHA-256 of its normalised text)."""
    from geo.store.records import article_id

    return article_id(text)


def _check_text(text: str, source: str) -> str:
    if not text.strip():
        raise InputError(f"{source}: the text is empty; paste or upload an article.")
    if len(text) > MAX_CHARS:
        raise InputError(
            f"{source}: the article has {len(text):,} characters; the limit is {MAX_CHARS:,}. "
            "Split it into separate articles."
        )
    if "\x00" in text:
        raise InputError(f"{source}: the text holds binary data (NUL characters); expected article text.")
    return text


def from_text(text: str, source: str) -> ArticleRecord:
    """A pasted article. Refuses empty, binary or oversized text."""
    text = _check_text(text.replace("\r\n", "\n"), source)
    title = next((line.strip() for line in text.splitlines() if line.strip()), source)
    return ArticleRecord(
        key=_key(text),
        source=source,
        title=title[:300],
        text=text,
        lang=textio.detect_language(text),
        format="text",
        encoding="utf-8",
    )


def from_upload(name: str, data: bytes) -> ArticleRecord:
    """An uploaded .txt, .md or .html file. Refuses other types, empty, binary or oversized files."""
    suffix = Path(name).suffix.lower().lstrip(".")
    if suffix not in UPLOAD_TYPES:
        raise InputError(
            f"{name}: .{suffix or '?'} files are not articles; upload {', '.join(UPLOAD_TYPES)}."
        )
    article = textio.read_text_bytes(data, name, max_bytes=MAX_UPLOAD_BYTES)
    text = _check_text(article.text, name)
    return ArticleRecord(
        key=_key(text),
        source=name,
        title=article.title or name,
        text=text,
        lang=textio.detect_language(text),
        format=article.format,
        encoding=article.encoding,
    )


def seed() -> ArticleRecord:
    """The demo article shipped in ``data/samples``."""
    article = textio.read_article(SEED_PATH)
    text = _check_text(article.text, article.source)
    return ArticleRecord(
        key=_key(text),
        source=SEED_PATH.name,
        title=article.title,
        text=text,
        lang=textio.detect_language(text),
        format=article.format,
        encoding=article.encoding,
    )


def add(articles: MutableMapping[str, ArticleRecord], record: ArticleRecord) -> str:
    """Add ``record`` (an article with the same text is kept once); returns its key."""
    articles.setdefault(record.key, record)
    return record.key
