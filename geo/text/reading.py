"""Reading articles: bytes -> text, with encoding detection, HTML reduction and language guess.

:func:`read_article` reads a file; :func:`read_text_bytes` does the same for bytes already in
memory (an upload). Both return an :class:`Article` whose ``text`` is what every offset in Zone
Atlas refers to: for HTML input that is the article text extracted from the page, not the markup.
Bad input raises :class:`geo.errors.InputError` with a message a person can act on.
"""

from __future__ import annotations

import codecs
import logging
import re
from dataclasses import dataclass
from pathlib import Path

from geo import config
from geo.errors import InputError

log = logging.getLogger(__name__)

#: Largest input accepted, in bytes (a long report, not a data dump).
MAX_BYTES = config.max_article_bytes()  # ZONE_ATLAS_MAX_ARTICLE_BYTES, read at import
#: Share of control characters above which a decoded file is taken for binary data.
MAX_CONTROL_SHARE = 0.02
HTML_SUFFIXES = (".html", ".htm", ".xhtml")
_HTML_SNIFF = re.compile(rb"^\s*(?:<!doctype\s+html|<html|<head|<body|<meta|<article|<div|<p[\s>])", re.I)
_TITLE_MAX = 300


@dataclass(frozen=True)
class Article:
    """One input document as text.

    ``format`` is ``"text"`` or ``"html"``; ``encoding`` the codec the bytes were decoded with;
    ``title`` the page title (HTML) or the first non-empty line (text). ``warnings`` say what was
    repaired on the way (invalid UTF-8 bytes replaced by U+FFFD, with their byte offsets), one
    sentence each without the file name, for the CLI ("warning: FILE: ...") and the dashboard to
    show.
    """

    source: str
    text: str
    encoding: str
    format: str
    title: str
    warnings: tuple[str, ...] = ()


def read_article(path: str | Path, *, max_bytes: int = MAX_BYTES) -> Article:
    """Read one article file (UTF-8, UTF-16 or Windows-1256 text, or HTML).

    Raises :class:`InputError` for a missing, unreadable, empty, binary or oversized file.

    Examples
    --------
    >>> art = read_article("data/samples/article-000.txt")  # doctest: +SKIP
    >>> (art.encoding, art.format)  # doctest: +SKIP
    ('utf-8', 'text')
    """
    p = Path(path)
    try:
        size = p.stat().st_size
    except OSError as exc:
        raise InputError(f"{path}: cannot read the file ({exc.strerror or exc}).") from exc
    if not p.is_file():
        raise InputError(f"{path}: expected a file, found a directory or special file.")
    if size > max_bytes:
        raise InputError(
            f"{path}: the file is {size:,} bytes; the limit is {max_bytes:,}. Split it into articles."
        )
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read the file ({exc.strerror or exc}).") from exc
    return read_text_bytes(data, str(path), max_bytes=max_bytes)


def read_text_bytes(data: bytes, filename: str, *, max_bytes: int = MAX_BYTES) -> Article:
    """Decode an article held in memory (e.g. an upload); ``filename`` names it and hints HTML."""
    if len(data) > max_bytes:
        raise InputError(
            f"{filename}: {len(data):,} bytes; the limit is {max_bytes:,}. Split it into articles."
        )
    if not data:
        raise InputError(f"{filename}: the file is empty; expected article text.")
    decoded = decode_text(data, filename)
    text, encoding = decoded.text, decoded.encoding
    is_html = filename.lower().endswith(HTML_SUFFIXES) or bool(_HTML_SNIFF.match(data[:512]))
    if is_html:
        body, title = html_to_text(text, filename)
        fmt = "html"
    else:
        body, title, fmt = text, _first_line(text), "text"
    if not body.strip():
        what = "no article text" if is_html else "only whitespace"
        raise InputError(f"{filename}: the file holds {what}; expected article text.")
    return Article(
        source=filename, text=body, encoding=encoding, format=fmt, title=title, warnings=decoded.warnings
    )


@dataclass(frozen=True)
class Decoded:
    """Text decoded from bytes: the ``text``, the ``encoding`` used, and ``warnings`` about repairs."""

    text: str
    encoding: str
    warnings: tuple[str, ...] = ()


def decode_bytes(data: bytes, filename: str = "<bytes>") -> tuple[str, str]:
    """``(text, encoding)`` of ``data`` (see :func:`decode_text`); repairs are logged as warnings."""
    decoded = decode_text(data, filename)
    for warning in decoded.warnings:
        log.warning("%s: %s", filename, warning)
    return decoded.text, decoded.encoding


def decode_text(data: bytes, filename: str = "<bytes>") -> Decoded:
    """Decode ``data``: BOMs first, then strict UTF-8, UTF-16 without BOM, Windows-1256.

    UTF-8 with a few invalid bytes (less than :data:`MAX_BAD_UTF8_SHARE` of them) is decoded with
    each bad byte replaced by U+FFFD, and a warning names their byte offsets. Bytes that read as
    UTF-8 but have more bad bytes than that, or that no encoding reads, are refused with the first
    bad byte offset. Refuses binary data (NUL bytes or control characters in what should be text).

    Examples
    --------
    >>> d = decode_text(("قضاء مخمور " * 10).encode() + b"\\xff")
    >>> d.text.endswith("مخمور \\ufffd"), d.encoding
    (True, 'utf-8')
    >>> d.warnings
    ('1 invalid UTF-8 byte (of 201) replaced by U+FFFD, at byte offset 200',)
    """
    for bom, codec in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            return Decoded(_checked(_decode(data, codec, filename), codec, filename), codec)
    utf16 = _utf16_without_bom(data)
    if utf16:
        return Decoded(_checked(_decode(data, utf16, filename), utf16, filename), utf16)
    if b"\x00" in data:
        raise InputError(f"{filename}: binary data (NUL bytes); expected a text or HTML article.")
    try:
        return Decoded(_checked(data.decode("utf-8"), "utf-8", filename), "utf-8")
    except UnicodeDecodeError:
        pass
    scan = _scan_utf8(data)
    if scan.looks_utf8:  # many valid multi-byte sequences: UTF-8 with damage, not a legacy encoding
        return _lenient_utf8(scan, filename)
    try:
        guess = _guess_legacy(data, filename)
    except InputError:
        if scan.share < MAX_BAD_UTF8_SHARE:
            return _lenient_utf8(scan, filename)
        raise
    return Decoded(_checked(_decode(data, guess, filename), guess, filename), guess)


#: Share of invalid bytes up to which UTF-8 is repaired (U+FFFD and a warning) rather than refused.
MAX_BAD_UTF8_SHARE = 0.01
#: Bad byte offsets a repair warning lists before "and N more".
WARN_OFFSETS = 5
_ESCAPED = re.compile("[\udc80-\udcff]")  # a byte Python's surrogateescape could not decode
_ASCII = bytes(range(128))


@dataclass(frozen=True)
class _Utf8Scan:
    """``data`` decoded as UTF-8 with each invalid byte kept as a surrogate escape."""

    data: bytes
    escaped: str
    bad: int  # invalid bytes
    multibyte: int  # well-formed non-ASCII characters

    @property
    def share(self) -> float:
        return self.bad / len(self.data)

    @property
    def looks_utf8(self) -> bool:
        # a legacy encoding (Windows-1256 Arabic, Latin-1) reads as almost nothing but bad bytes
        return self.multibyte > 2 * self.bad

    def bad_offsets(self, limit: int) -> list[int]:
        """Byte offsets of the first ``limit`` invalid bytes."""
        offsets: list[int] = []
        chars = done = 0
        for match in _ESCAPED.finditer(self.escaped):
            done += len(self.escaped[chars : match.start()].encode("utf-8"))
            offsets.append(done)
            done, chars = done + 1, match.end()
            if len(offsets) == limit:
                break
        return offsets


def _scan_utf8(data: bytes) -> _Utf8Scan:
    escaped = data.decode("utf-8", errors="surrogateescape")
    bad = sum(1 for _ in _ESCAPED.finditer(escaped))
    ascii_bytes = len(data) - len(data.translate(None, delete=_ASCII))  # one character each
    return _Utf8Scan(data, escaped, bad, len(escaped) - ascii_bytes - bad)


def _lenient_utf8(scan: _Utf8Scan, filename: str) -> Decoded:
    """UTF-8 with its invalid bytes replaced by U+FFFD (and a warning), or refused when too many."""
    n, size = scan.bad, len(scan.data)
    offsets = scan.bad_offsets(WARN_OFFSETS)
    if scan.share >= MAX_BAD_UTF8_SHARE:
        raise InputError(
            f"{filename}: expected UTF-8 text, but {n:,} of {size:,} bytes ({scan.share:.1%}) are not "
            f"valid UTF-8, the first at byte offset {offsets[0]}; at most {MAX_BAD_UTF8_SHARE:.0%} "
            "are repaired. Fix: save the file as UTF-8 (or UTF-16, Windows-1256) and read it again."
        )
    # the escapes are not counted as control characters: the binary check is on the rest
    text = _ESCAPED.sub("\ufffd", _checked(scan.escaped, "utf-8", filename))
    shown = ", ".join(str(o) for o in offsets)
    more = f" and {n - len(offsets)} more" if n > len(offsets) else ""
    where = f"at byte offset {shown}" if n == 1 else f"at byte offsets {shown}{more}"
    noun = "byte" if n == 1 else "bytes"
    warning = f"{n} invalid UTF-8 {noun} (of {size:,}) replaced by U+FFFD, {where}"
    return Decoded(text, "utf-8", (warning,))


def _decode(data: bytes, codec: str, filename: str) -> str:
    try:
        return data.decode(codec)
    except (UnicodeDecodeError, LookupError) as exc:
        raise InputError(f"{filename}: cannot decode the bytes as {codec} ({exc}).") from exc


def _utf16_without_bom(data: bytes) -> str | None:
    sample = data[:4096]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    zeros_even, zeros_odd = even.count(0) / len(even), odd.count(0) / len(odd)
    if zeros_odd > 0.3 and zeros_even < 0.05:
        return "utf-16-le"
    if zeros_even > 0.3 and zeros_odd < 0.05:
        return "utf-16-be"
    # Arabic in UTF-16: every other byte is 0x06.
    if odd.count(6) / len(odd) > 0.3 and even.count(6) / len(even) < 0.1:
        return "utf-16-le"
    if even.count(6) / len(even) > 0.3 and odd.count(6) / len(odd) < 0.1:
        return "utf-16-be"
    return None


def _guess_legacy(data: bytes, filename: str) -> str:
    """Windows-1256 when the high bytes read as Arabic letters, else charset-normalizer's guess."""
    try:
        text = data.decode("cp1256")
    except UnicodeDecodeError:
        text = ""
    high = [ch for ch in text if ord(ch) > 127]
    if high and sum(1 for ch in high if "\u0600" <= ch <= "\u06ff") / len(high) > 0.7:
        return "cp1256"
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None or not best.encoding:
        raise InputError(
            f"{filename}: the bytes are not text in any known encoding (tried UTF-8, UTF-16, Windows-1256)."
        )
    return str(best.encoding)


def _checked(text: str, codec: str, filename: str) -> str:
    sample = text[:100_000]
    if not sample:
        return text
    controls = sum(1 for ch in sample if ch < " " and ch not in "\t\n\r\f\v") + sample.count("\ufffd")
    if "\x00" in sample or controls / len(sample) > MAX_CONTROL_SHARE:
        raise InputError(
            f"{filename}: binary data ({controls} control characters after decoding as {codec}); "
            "expected a text or HTML article."
        )
    return text


def _first_line(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return line.strip()[:_TITLE_MAX]
    return ""


def html_to_text(html: str, filename: str = "<html>") -> tuple[str, str]:
    """``(article text, title)`` of an HTML page; falls back to all visible text when the page
    has no recognisable article (malformed or tiny pages)."""
    import trafilatura

    body: str | None = None
    title = ""
    try:
        body = trafilatura.extract(html, include_comments=False, include_tables=True, favor_recall=True)
        meta = trafilatura.extract_metadata(html)
        title = (meta.title or "") if meta else ""
    except Exception as exc:  # trafilatura/lxml raise many error types on broken markup
        log.info("%s: trafilatura could not parse the page (%s); using plain visible text", filename, exc)
    if not body or not body.strip():
        body = _visible_text(html)
    if not title:
        title = _first_line(body)
    return body, title[:_TITLE_MAX]


def _visible_text(html: str) -> str:
    from html.parser import HTMLParser

    class _Text(HTMLParser):
        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.parts: list[str] = []
            self._skip = 0

        def handle_starttag(self, tag: str, attrs: object) -> None:
            if tag in ("script", "style", "noscript", "template"):
                self._skip += 1
            elif tag in ("p", "br", "div", "li", "h1", "h2", "h3", "h4", "tr", "article", "section"):
                self.parts.append("\n")

        def handle_endtag(self, tag: str) -> None:
            if tag in ("script", "style", "noscript", "template") and self._skip:
                self._skip -= 1

        def handle_data(self, data: str) -> None:
            if not self._skip:
                self.parts.append(data)

    parser = _Text()
    parser.feed(html)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).splitlines())
    return "\n".join(line for line in lines if line)


# --- language -----------------------------------------------------------------------------------

_SORANI_LETTERS = set("ەێۆڕڵ")
_PERSIAN_LETTERS = set("پچژگکی")
_EN_WORDS = frozenset(
    [
        "the",
        "of",
        "and",
        "in",
        "to",
        "a",
        "is",
        "was",
        "for",
        "on",
        "that",
        "with",
        "by",
        "as",
        "at",
        "from",
        "said",
        "were",
        "has",
        "have",
        "are",
        "it",
    ]
)
_KMR_WORDS = frozenset(["û", "li", "ji", "di", "ku", "de", "bi", "ya", "yê", "ên", "ev", "wê"])
_LATIN_WORD = re.compile(r"[^\W\d_]+")


def detect_language(text: str) -> str:
    """A best-effort language code: ``ar``, ``ckb`` (Sorani, Arabic script), ``fa``, ``en``,
    ``kmr`` (Kurmanji, Latin script), ``tr`` or ``und`` when unsure.

    >>> detect_language("هجوم لداعش في قضاء مخمور")
    'ar'
    >>> detect_language("هێرشی داعش لە کەرکووک")
    'ckb'
    >>> detect_language("An attack in Kirkuk killed two soldiers.")
    'en'
    """
    sample = text[:20_000]
    arabic = latin = sorani = persian = 0
    for ch in sample:
        if "\u0600" <= ch <= "\u06ff":
            arabic += 1
            if ch in _SORANI_LETTERS:
                sorani += 1
            elif ch in _PERSIAN_LETTERS:
                persian += 1
        elif ch.isalpha() and ch.isascii() or "\u00c0" <= ch <= "\u024f":
            latin += 1
    if arabic + latin < 3:
        return "und"
    if arabic >= latin:
        if sorani / arabic > 0.01:
            return "ckb"
        if persian / arabic > 0.02 and "ة" not in sample:
            return "fa"
        return "ar"
    words = [w.lower() for w in _LATIN_WORD.findall(sample)]
    if not words:
        return "und"
    if sum(w in _EN_WORDS for w in words) / len(words) > 0.04:
        return "en"
    if sum(w in _KMR_WORDS for w in words) / len(words) > 0.04 or any(c in sample for c in "êîû"):
        return "kmr"
    if any(c in sample for c in "ığş"):
        return "tr"
    return "und"
