"""One reading of an article: its tokens, their folded keys and offsets, computed once.

:func:`tokenize` splits the text into words with :data:`geo.text.normalize.TOKEN_RE` (letters and
digits of any script with their Arabic marks, tatweel and zero-width joiners, and inner apostrophes),
folds each to its matching key (:func:`geo.text.normalize.fold_token`, through a bounded cache that
also notes the Sorani suffix readings), classes the separators between them and finds the sentence
ends. The :class:`Tokens` it returns is what every reader of the article consumes:

* place extraction (:mod:`geo.text.extract`, then :mod:`geo.text.resolve`) reads the keys, spans,
  separator classes and sentences;
* the zone trigger finder (:mod:`geo.zones.triggers`) matches its phrases in :meth:`Tokens.fold`,
  the same token stream written out character-folded (built on first use): every token becomes
  its folded word characters and every separator non-word characters, so a word boundary of the
  folded text is a token boundary, and a phrase found there starts and ends where the
  extractor's words do.

Examples
--------
>>> tk = tokenize("هجـماتٌ على بغدادَ، and al-Anbar's towns")
>>> [tk.token(k) for k in range(len(tk))]
['هجـماتٌ', 'على', 'بغدادَ', 'and', 'al', "Anbar's", 'towns']
>>> tk.keys[0], tk.keys[5]
('هجمات', 'anbar')
>>> tk.fold()[0]
'هجمات علي بغداد، and al-anbars towns'
"""

from __future__ import annotations

import re
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import accumulate
from typing import TYPE_CHECKING

from geo.errors import InputError
from geo.model import Span
from geo.text.normalize import (
    APOSTROPHES,
    TOKEN_BODY,
    TOKEN_RE,
    TOKEN_RE_UNDERSCORE,
    fold_token,
    normalize_with_map,
    proclitic_readings,
)

if TYPE_CHECKING:
    import numpy as np

#: Texts up to this long are split in one pass into plain lists; longer ones in steps of about this
#: size into compact arrays (a 60 MB file keeps a few bytes per token, not a hundred).
STEP_CHARS = 200_000
_TOKEN_SPLIT = re.compile(f"({TOKEN_RE.pattern})")
#: The split of a text that holds an underscore (see :func:`geo.text.normalize.word_pattern`).
_TOKEN_SPLIT_UNDERSCORE = re.compile(f"({TOKEN_RE_UNDERSCORE.pattern})")
_SENTENCE_MARKS = ".!?؟…\n"
_SENTENCE_FOLLOW = frozenset(" \t\n\r\"'”»)\u00a0")
_HARD_SEP = re.compile(r"[.,،؛;:!?؟\n|/]")
_LATIN_SEP_OK = re.compile(r"^[\s\-‐‑_]*$")
#: Separators made of apostrophes only (``a''b``): they would vanish from the folded text. (ʼ ʻ ʿ ʾ
#: are letters, so never separators.)
_SEP_APOSTROPHES = "".join(ch for ch in APOSTROPHES if not TOKEN_RE.fullmatch(ch))
_APOSTROPHE_SEP = re.compile(f"(?<={TOKEN_BODY})[{_SEP_APOSTROPHES}]{{2,}}(?={TOKEN_BODY})")
#: Characters folded per step when the offset map is built (bounds the temporary arrays).
_FOLD_STEP = 1 << 20

#: Bits of a separator's class (:attr:`Tokens.gaps`).
SOFT_GAP = 1  # no punctuation that ends a phrase
JOINED = 2  # spaces and hyphens only: the tokens on each side may form one name


# --- keys and readings -----------------------------------------------------------------------------

#: Sorani suffixes (folded) taken off a Kurdish-script token: plural definite ەکان, definite
#: ەکە, locative دا, ablative ەوە, additive یش/ش, plural ان/یان, ezafe/definite ی, copula ە.
#: Two may stack (کەرکووکیشدا, سلێمانییەوە); folding drops a medial ە, so a stem whose own final
#: ە went with the suffix (گۆیژەوە -> كويز) is also read with it (كويزه).
_SORANI_SUFFIXES = ("كاني", "كان", "كه", "يش", "دا", "وه", "يان", "ان", "ي", "ش", "ه")
_SORANI_LETTERS = frozenset("ەێۆڕڵڤکیگپچژ")
_EXTRA_READINGS: dict[str, tuple[str, ...]] = {}
#: Letters only Kurdish writes (not the Persian-keyboard ک and ی that Arabic text also carries).
_KURDISH_ONLY = frozenset("ەێۆڕڵڤگپچژ")
#: Keys of Kurdish tokens that begin with ك or ف: read without an Arabic proclitic.
_NO_PROCLITIC: set[str] = set()
#: Common Sorani words whose suffix-stripped stems spell a place name (ژمارەی "number of" ->
#: Zummar, مەیدانی "square of" -> Midan, بکەین "let us do"): no stems are read from them.
SORANI_COMMON_WORDS = frozenset(
    {
        *("ژمارەی", "ژمارەیەک", "ژمارەکە", "ژمارەیان", "مەیدانی", "مەیدانەکە", "دەڵێن"),
        *("دەڵێت", "بکەین", "بکەن", "دەکەن", "دەکەین", "گوتی", "گوتیان", "بەیاری"),
    }
)


_PEOPLE = ("ییان", "ییەکان")  # a plural nisba (ئێرانییان, the Iranians) names people: no stems


class _FoldCache(dict[str, str]):
    """token -> folded key, filled on first sight; cleared when it grows past its bound."""

    limit = 300_000

    def __missing__(self, tok: str) -> str:
        if len(self) > self.limit:
            self.clear()
            _EXTRA_READINGS.clear()
            _NO_PROCLITIC.clear()
        key = fold_token(tok)
        self[tok] = key
        if key[:1] in ("ك", "ف") and _KURDISH_ONLY.intersection(tok):
            _NO_PROCLITIC.add(key)  # Sorani has no كـ/فـ proclitic: کراوە is not ك + راوه (Rawah)
        sorani = _SORANI_LETTERS.intersection(tok) or "وو" in tok  # Sorani writes a long u twice
        if sorani and tok not in SORANI_COMMON_WORDS and not tok.endswith(_PEOPLE):
            stems = sorani_stems(key)
            if stems:
                _EXTRA_READINGS[key] = stems
        return key


_FOLD = _FoldCache()


def sorani_stems(key: str) -> tuple[str, ...]:
    """The stems of a folded Kurdish-script token without one or two Sorani suffixes.

    >>> sorani_stems("كويزوه")
    ('كويز', 'كويزه', 'كويزو')
    """
    out: list[str] = []
    frontier = [key]
    for _ in range(2):
        nxt: list[str] = []
        for word in frontier:
            for sfx in _SORANI_SUFFIXES:
                if word.endswith(sfx) and len(word) - len(sfx) >= 4:
                    stem = word[: -len(sfx)]
                    for form in (stem, stem + "ه") if sfx != "ه" else (stem,):
                        if form != key and form not in out:
                            out.append(form)
                    nxt.append(stem)
        frontier = nxt
    return tuple(out)


def token_key(tok: str) -> str:
    """:func:`geo.text.normalize.fold_token` through this module's bounded cache."""
    return _FOLD[tok]


def readings(key: str) -> tuple[str, ...]:
    """The forms a folded token may stand for: itself, without Arabic proclitics, and (for
    Kurdish-script tokens) without Sorani suffixes.

    >>> readings(token_key("وبالموصل"))
    ('وبالموصل', 'بالموصل', 'الموصل')
    """
    if not key or not "\u0600" <= key[0] <= "\u06ff":
        return (key,)
    extra = _EXTRA_READINGS.get(key)
    base = _without_proclitics(key)
    return base + extra if extra else base


def _without_proclitics(key: str) -> tuple[str, ...]:
    """The key and its forms without Arabic proclitics (none for a Kurdish ك/ف-initial word)."""
    return (key,) if key in _NO_PROCLITIC else proclitic_readings(key)


def readings_before(key: str) -> tuple[str, ...]:
    """:func:`readings` of a word that stands before a name (a cue word, a modifier): without the
    Sorani stems that took off a definite suffix (ەکە, ەکان), since a definite word is not joined
    to a name after it ("گوندەکان دەڵێن", the villages say; a name takes "گوندی X").

    >>> "كوند" in readings_before(token_key("گوندەکان")), "كوند" in readings_before(token_key("گوندی"))
    (False, True)
    """
    extra = _EXTRA_READINGS.get(key) if key and "\u0600" <= key[0] <= "\u06ff" else None
    if not extra:
        return readings(key)
    kept = tuple(r for r in extra if not _DEFINITE.search(key, len(r) - 1 if r.endswith("ه") else len(r)))
    return _without_proclitics(key) + kept


_DEFINITE = re.compile("كه|كان")


class _SeparatorCache(dict[str, int]):
    """separator -> its class: :data:`SOFT_GAP` | :data:`JOINED` bits; bounded."""

    limit = 10_000

    def __missing__(self, sep: str) -> int:
        code = (0 if _HARD_SEP.search(sep) else SOFT_GAP) | (JOINED if _LATIN_SEP_OK.match(sep) else 0)
        if len(self) < self.limit:
            self[sep] = code
        return code


_SEPARATORS = _SeparatorCache()


def sentence_ends(text: str) -> list[int]:
    """Offsets just past each sentence end: a line break, or . ! ? ؟ … followed by a space,
    a closing quote or the end of the text (so 3.5 and U.S.A do not end sentences).

    >>> sentence_ends("One. Two?! 3.5 percent")
    [4, 10]
    """
    marks: list[int] = []
    for ch in _SENTENCE_MARKS:  # str.find per mark beats one regex scan over the text
        i = text.find(ch)
        while i >= 0:
            marks.append(i)
            i = text.find(ch, i + 1)
    marks.sort()
    ends: list[int] = []
    n = len(text)
    follow = _SENTENCE_FOLLOW
    for p in marks:
        e = p + 1
        if e == n or text[p] == "\n" or text[e] in follow:
            if ends and ends[-1] == p:
                ends[-1] = e  # "?!", "...", ".\n" and blank lines end one sentence
            else:
                ends.append(e)
    return ends


# --- the folded text -------------------------------------------------------------------------------


class OffsetMap:
    """Maps positions in the folded text (:meth:`Tokens.fold`) back to the original text.

    Each source character becomes zero (an Arabic mark), one or several (an NFKC ligature) folded
    characters. Only the characters that do not become exactly one are stored (their source
    position and folded length), so the map of a 20 MB text without marks is empty rather than a
    list of 20 million integers.
    """

    def __init__(self, positions: np.ndarray, lengths: np.ndarray) -> None:
        import numpy as np  # only the trigger finder folds: place extraction never loads numpy

        self.positions = positions.astype(np.int64)
        self.lengths = lengths.astype(np.int64)
        shift = np.cumsum(self.lengths - 1)
        #: where each irregular character's folded piece starts in the folded text
        self.folded_starts = self.positions + shift - (self.lengths - 1)

    def sources(self, folded_pos: np.ndarray) -> np.ndarray:
        """Positions in the source text of the characters that produced ``folded[folded_pos]``."""
        import numpy as np

        f = np.asarray(folded_pos, dtype=np.int64)
        if not len(self.positions):
            return f
        k = np.searchsorted(self.folded_starts, f, side="right") - 1
        at = np.maximum(k, 0)
        start, length, pos = self.folded_starts[at], self.lengths[at], self.positions[at]
        after = np.where(f < start + length, pos, pos + 1 + (f - start - length))
        return np.where(k < 0, f, after)


def _is_word(ch: str) -> bool:
    """Whether ``ch`` is a word character (``\\w`` of :mod:`re`)."""
    return ch.isalnum() or ch == "_"


class _PieceCache(dict[str, str]):
    """character -> what it becomes in the folded token stream; bounded.

    :func:`geo.text.normalize.normalize_with_map` folds the character; then a character of a
    word keeps only the word characters of its fold (a presentation-form ligature such as ﷺ
    stays one word), and a separator character whose fold is empty or holds word characters
    (U+200F, ™) becomes a space, so separators never vanish and never join two words.
    Apostrophes fold to nothing: inside a word they are part of it (Ta'mim).
    """

    limit = 100_000

    def __missing__(self, ch: str) -> str:
        if len(self) > self.limit:
            self.clear()
        piece = normalize_with_map(ch)[0]
        if ch == "_":  # a separator of the token stream (#صلاح_الدين)
            piece = " "
        elif TOKEN_RE.fullmatch(ch):
            piece = "".join(c for c in piece if _is_word(c))
        elif ch in APOSTROPHES:
            piece = ""
        elif not piece or any(map(_is_word, piece)):
            piece = " "
        self[ch] = piece
        return piece


_PIECES = _PieceCache()


def fold_text(text: str) -> tuple[str, OffsetMap]:
    """``text`` folded character by character for phrase matching, with the map back to ``text``.

    Each character folds as :func:`geo.text.normalize.normalize_with_map` folds it, except where
    that would move a word boundary (see :class:`_PieceCache`): the word-character runs of the
    result are exactly the tokens of :func:`tokenize`. Each distinct character is folded once and
    the text is translated in one pass, so a 20 MB article takes about a second and no
    per-character Python list is built.

    >>> fold_text("هجماتٌ\u200fفي")[0]
    'هجمات في'
    """
    import numpy as np

    source = text
    if any(ch in text for ch in _SEP_APOSTROPHES):  # a separator of apostrophes only: keep it one
        for m in _APOSTROPHE_SEP.finditer(text):
            source = f"{source[: m.start()]} {source[m.start() + 1 :]}"
    pieces = {ch: _PIECES[ch] for ch in set(source)}
    folded = source.translate({ord(ch): piece for ch, piece in pieces.items()})
    odd = {ord(ch): len(piece) for ch, piece in pieces.items() if len(piece) != 1}
    if not odd:
        return folded, OffsetMap(np.empty(0, np.int64), np.empty(0, np.int64))
    table = np.ones(max(odd) + 1, dtype=np.int64)
    for code, length in odd.items():
        table[code] = length
    positions, lengths = [], []
    for a in range(0, len(source), _FOLD_STEP):
        codes = np.frombuffer(source[a : a + _FOLD_STEP].encode("utf-32-le", "surrogatepass"), dtype="<u4")
        step = np.ones(len(codes), dtype=np.int64)
        known = codes < len(table)  # characters above the table's last entry fold to one
        step[known] = table[codes[known]]
        where = np.flatnonzero(step != 1)
        positions.append(where + a)
        lengths.append(step[where])
    return folded, OffsetMap(np.concatenate(positions), np.concatenate(lengths))


# --- tokens ----------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Tokens:
    """The tokens of one text: folded keys, offsets, the separators between them, sentences.

    ``keys[k]`` is the matching key of token ``k`` (:func:`token_key`), ``text[starts[k]:ends[k]]``
    the token itself. ``gaps[k]`` classes the separator before token ``k`` (``gaps[len(keys)]``
    the one after the last token): :data:`SOFT_GAP` and :data:`JOINED` bits. ``sentence_ends``
    holds the offsets just past each sentence (:func:`sentence_ends`). Offsets, gaps and sentence
    ends are lists for a text of up to :data:`STEP_CHARS` characters and compact arrays beyond.
    """

    text: str
    keys: list[str]
    starts: Sequence[int]
    ends: Sequence[int]
    gaps: Sequence[int]
    sentence_ends: Sequence[int]

    def __len__(self) -> int:
        return len(self.keys)

    def token(self, k: int) -> str:
        """Token ``k`` as written."""
        return self.text[self.starts[k] : self.ends[k]]

    def sep(self, k: int) -> str:
        """The separator before token ``k`` (``k == len(self)``: after the last token)."""
        a = self.ends[k - 1] if k else 0
        b = self.starts[k] if k < len(self.keys) else len(self.text)
        return self.text[a:b]

    def joined(self, a: int, b: int) -> bool:
        """Whether tokens a and a+1 .. b are separated by spaces or hyphens only."""
        gaps = self.gaps
        return all(gaps[k] & JOINED for k in range(a + 1, b + 1))

    def sentence_at(self, i: int) -> Span:
        """Sentence ``i`` (the one ending at ``sentence_ends[i]``), without the spaces around it."""
        ends = self.sentence_ends
        start = ends[i - 1] if i else 0
        raw = self.text[start : ends[i] if i < len(ends) else len(self.text)]
        body = raw.lstrip()
        start += len(raw) - len(body)
        body = body.rstrip()
        return Span(start, start + len(body), body)

    def token_at(self, pos: int) -> int | None:
        """The number of the token holding character ``pos``, or ``None`` between tokens."""
        k = bisect_right(self.starts, pos) - 1
        return k if k >= 0 and pos < self.ends[k] else None

    def fold(self) -> tuple[str, OffsetMap]:
        """The text folded as one token stream (:func:`fold_text`) and its map back; made once."""
        got: tuple[str, OffsetMap] | None = self.__dict__.get("_folded")
        if got is None:
            got = fold_text(self.text)
            self.__dict__["_folded"] = got  # frozen: the fold is a cache, not a field
        return got

    def pieces(self, size: int) -> Iterator[tuple[int, Tokens]]:
        """``(offset, tokens)`` of the text in pieces of at most about ``size`` characters.

        A piece ends at a line break where one falls in its second half (sentences are not split
        there), else at a token boundary; its tokens are these tokens, with offsets into the piece.
        """
        text, n = self.text, len(self.text)
        pos = 0
        while pos < n:
            end = min(n, pos + size)
            if end < n:
                cut = text.rfind("\n", pos + size // 2, end)
                if cut > 0:
                    end = cut + 1
                else:  # no line break: do not cut a word
                    k = self.token_at(end)
                    if k is not None and self.starts[k] < end:
                        end = self.starts[k] if self.starts[k] > pos else self.ends[k]
            yield pos, self.piece(pos, end)
            pos = end

    def piece(self, a: int, b: int) -> Tokens:
        """The tokens of ``text[a:b]`` (``a`` and ``b`` must not fall inside a token)."""
        if a == 0 and b == len(self.text):
            return self
        text = self.text
        k0, k1 = bisect_left(self.starts, a), bisect_left(self.starts, b)
        starts = [s - a for s in self.starts[k0:k1]]
        ends = [e - a for e in self.ends[k0:k1]]
        first = self.starts[k0] if k0 < k1 else b
        last = self.ends[k1 - 1] if k0 < k1 else b
        gaps = [_SEPARATORS[text[a:first]], *self.gaps[k0 + 1 : k1]]
        if k0 < k1:
            gaps.append(_SEPARATORS[text[last:b]])
        s0, s1 = bisect_right(self.sentence_ends, a), bisect_right(self.sentence_ends, b)
        ends_in = [e - a for e in self.sentence_ends[s0:s1]]
        return Tokens(text[a:b], self.keys[k0:k1], starts, ends, gaps, ends_in)


def tokenize(text: str) -> Tokens:
    """Split ``text`` into tokens once, with folded keys, offsets, separator classes and sentences.

    The split is one regex pass (offsets come from the cumulative part lengths) and each distinct
    token is folded once. A text longer than :data:`STEP_CHARS` is split in steps cut at spaces
    (tokens are never cut), into compact arrays; the tokens are the same.
    """
    if len(text) <= STEP_CHARS:
        parts = (_TOKEN_SPLIT_UNDERSCORE if "_" in text else _TOKEN_SPLIT).split(text)
        offs = list(accumulate(map(len, parts)))
        keys = list(map(_FOLD.__getitem__, parts[1::2]))
        gaps = list(map(_SEPARATORS.__getitem__, parts[0::2]))
        return Tokens(text, keys, offs[0:-1:2], offs[1::2], gaps, sentence_ends(text))
    return _tokenize_long(text)


def _tokenize_long(text: str) -> Tokens:
    split = (_TOKEN_SPLIT_UNDERSCORE if "_" in text else _TOKEN_SPLIT).split
    keys: list[str] = []
    starts, ends = array("q"), array("q")
    gaps = bytearray()
    pending = ""  # the separator that runs on from the previous step
    pos = 0
    while pos < len(text):
        end = min(len(text), pos + STEP_CHARS)
        if end < len(text):
            cut = max(text.rfind("\n", pos, end), text.rfind(" ", pos, end))
            end = cut + 1 if cut > pos else len(text)  # no space: the rest in one step
        parts = split(text[pos:end])
        if len(parts) == 1:
            pending += parts[0]
            pos = end
            continue
        offs = list(accumulate(map(len, parts)))
        keys += map(_FOLD.__getitem__, parts[1::2])
        starts.extend(o + pos for o in offs[0:-1:2])
        ends.extend(o + pos for o in offs[1::2])
        seps = parts[0::2]
        seps[0] = pending + seps[0]
        pending = seps.pop()
        gaps.extend(map(_SEPARATORS.__getitem__, seps))
        pos = end
    gaps.append(_SEPARATORS[pending])
    return Tokens(text, keys, starts, ends, gaps, array("q", sentence_ends(text)))


def tokens_of(text: str, tokens: Tokens | None = None) -> Tokens:
    """``tokens`` when they are those of ``text``, else ``tokenize(text)`` when none are given.

    Raises
    ------
    InputError
        When ``tokens`` were made from another text.
    """
    if tokens is None:
        return tokenize(text)
    if tokens.text is not text and tokens.text != text:
        msg = (
            f"the tokens given are those of another text ({len(tokens.text):,} characters, "
            f"starting {tokens.text[:30]!r}), not of this one ({len(text):,} characters, starting "
            f"{text[:30]!r}); pass tokenize(text)"
        )
        raise InputError(msg)
    return tokens


__all__ = [
    "JOINED",
    "SOFT_GAP",
    "OffsetMap",
    "Tokens",
    "fold_text",
    "readings",
    "readings_before",
    "sentence_ends",
    "token_key",
    "tokenize",
    "tokens_of",
]
