"""Fuzzy matching of Latin transliterations that no exact gazetteer key matched.

English and Kurdish Latin texts spell Iraqi names many ways (Arbil, Irbil, Erbil; Kerkuk,
Kerkûk; Khanaqeen, Khanaqin; Hawijah, Hawija; Tall Afar, Talafar; Silêmanî, Sulaimaniya). The exact
scan (:mod:`geo.text.extract`) already folds case, marks, ``ee``/``oo``/``ou`` and doubled letters
(:func:`geo.text.normalize.fold`); this module catches what is left with a coarser
:func:`phonetic_key` and, for longer keys, a :mod:`rapidfuzz` ratio over it.

The index holds only names of Iraqi places taken on their name alone (admin units, towns,
physical features and regions that are ``strong`` in the gazetteer): villages and places abroad
are never reached by a fuzzy spelling. A district known by its second word alone (Khurmato for
Tuz Khurmato) is indexed under that word when it is long and not a generic word.

Guards against near-miss words (:func:`FuzzyIndex.match`):

* the token is Latin letters only, at least :data:`MIN_TOKEN` long, and not in the guard word
  list ``data/fuzzy_guard_words.txt`` (common English words and given names that sit near place
  names);
* keys shorter than :data:`MIN_FUZZY_KEY` must match a name's key exactly; longer keys may differ
  by a ratio of at least :data:`THRESHOLD` within the same first letter;
* capitalisation is checked by the scan: a lower-case Latin token in a text that uses both cases
  starts no name, so a fuzzy name is a capitalised word or an upper-case dateline (ERBIL).

The scan asks this module only for tokens that begin nothing else (a miss of the per-token
cache), so the cost is paid once per distinct unmatched word.

Examples
--------
>>> phonetic_key("khanaqin") == phonetic_key("khanaqeen")
True
>>> phonetic_key("hawija") == phonetic_key("hawijah")
True
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from rapidfuzz import fuzz, process

from geo.data.gazetteer import Gazetteer

#: The shortest token tried.
MIN_TOKEN = 4
#: The shortest phonetic key matched at all (Read, Sunni and Hit have keys of three or four letters).
MIN_KEY = 5
#: Keys of at least this length may match another key inexactly; shorter ones need the same key.
MIN_FUZZY_KEY = 6
#: The least :func:`rapidfuzz.fuzz.ratio` (0-100) between two phonetic keys for a fuzzy match.
THRESHOLD = 86.0
#: The least ratio between the token and the name as spelled, for an inexact key match (Monitor
#: and Manathera share most of their key but little of their spelling).
SPELLING_THRESHOLD = 70.0
#: Gazetteer kinds reached by a fuzzy spelling (Iraqi, ``strong`` entries only).
FUZZY_KINDS = frozenset({"governorate", "district", "subdistrict", "city", "town", "other", "region"})
#: Kinds whose second word alone names them (Khurmato for Tuz Khurmato).
SECOND_WORD_KINDS = frozenset({"district", "subdistrict"})
_GENERIC = (
    "markaz nahiyat nahiya qadha qada river lake dam marsh mount mountain jabal jebel wadi ulya "
    "sufla ulia sifla jadida jadid kabir kabira saghir saghira gharbi sharqi shamali janubi "
    "city town camp village district province new old upper lower north south east west"
)
#: Words that never stand for a name alone, even as its second word.
GENERIC_WORDS = frozenset(_GENERIC.split())

_GUARD_FILE = Path(__file__).resolve().parents[2] / "data" / "fuzzy_guard_words.txt"
_LATIN_RE = re.compile(r"[a-z]+")
_SUFFIX_RE = re.compile(r"(?:iyah|iya|iyeh|ija|ijah|ieh|ia|iye)$")
_DIGRAPHS = (("dh", "z"), ("th", "t"), ("kh", "k"), ("gh", "g"), ("ph", "f"), ("ck", "k"), ("sch", "s"))
_LETTERS = str.maketrans({"q": "k", "c": "k", "x": "k", "v": "w"})
_VOWELS_RE = re.compile(r"[aeiouy]+")


@lru_cache(maxsize=100_000)
def phonetic_key(folded: str) -> str:
    """The coarse sound key of a folded Latin name (spaces, hyphens and articles ignored).

    A final -iya/-iyah/-ija/-ia becomes ``Y``; ``dh`` -> ``z``, ``th``/``kh``/``gh``/``ph`` -> their
    first sound, ``q``/``c`` -> ``k``; every run of vowels (``y`` too) becomes one ``a``; doubled
    letters are collapsed.

    >>> phonetic_key("sulaymaniya"), phonetic_key("silemaniya")
    ('salamanY', 'salamanY')
    >>> phonetic_key("tel afar") == phonetic_key("talafar")
    True
    """
    s = "".join(part for part in re.split(r"[\s\-]+", folded) if part not in ("al", "el"))
    s = _SUFFIX_RE.sub("Y", s) if len(s) > 5 else s
    for a, b in _DIGRAPHS:
        s = s.replace(a, b)
    s = s.translate(_LETTERS)
    s = _VOWELS_RE.sub("a", s)
    return re.sub(r"(.)\1+", r"\1", s)


def load_guard_words(path: Path = _GUARD_FILE) -> frozenset[str]:
    """The guard words (lower case, one a line, ``#`` comments) of ``path``."""
    words: set[str] = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        word = line.split("#", 1)[0].strip().lower()
        if word:
            words.add(word)
    return frozenset(words)


def _spelling(folded: str, name: str) -> float:
    """How close the token is to the name as spelled: the whole name, or its last word alone."""
    return max(fuzz.ratio(folded, name.replace(" ", "")), fuzz.ratio(folded, name.rsplit(" ", 1)[-1]))


class FuzzyIndex:
    """Phonetic keys of the Iraqi names in a gazetteer, and the match of one folded token."""

    def __init__(self, gaz: Gazetteer, guard: frozenset[str] | None = None) -> None:
        self.gaz = gaz
        self.guard = load_guard_words() if guard is None else guard
        by_key: dict[str, list[str]] = {}
        for key, found in gaz.index.items():  # names of units, whatever villages share them
            if not key.isascii() or key.startswith("adj:") or key in gaz.ambiguous:
                continue
            if not key.replace(" ", "").replace("-", "").isalpha():
                continue
            entries = [e for e in map(gaz.entries.__getitem__, found) if e.strength == "strong"]
            if not entries or not all(e.country == "IQ" and e.kind in FUZZY_KINDS for e in entries):
                continue
            by_key.setdefault(phonetic_key(key), []).append(key)
            parts = key.split(" ")
            if (
                len(parts) == 2
                and all(e.kind in SECOND_WORD_KINDS for e in entries)
                and len(parts[1]) >= 6
                and parts[1] not in GENERIC_WORDS
                and parts[0] not in GENERIC_WORDS
                and parts[1] not in gaz.index
            ):
                by_key.setdefault(phonetic_key(parts[1]), []).append(key)
        self.by_key = {k: tuple(sorted(set(v))) for k, v in by_key.items()}
        buckets: dict[str, list[str]] = {}
        for k in self.by_key:
            if len(k) >= MIN_FUZZY_KEY:
                buckets.setdefault(k[0], []).append(k)
        self.buckets = {c: sorted(ks) for c, ks in buckets.items()}

    def match(self, folded: str) -> str | None:
        """The gazetteer key a folded Latin token is a variant spelling of, or ``None``.

        Among several names under the same phonetic key, the one closest to the token's spelling
        wins.
        """
        if len(folded) < MIN_TOKEN or not _LATIN_RE.fullmatch(folded) or folded in self.guard:
            return None
        key = phonetic_key(folded)
        if len(key) < MIN_KEY:
            return None
        names = self.by_key.get(key)
        if names is None and len(key) >= MIN_FUZZY_KEY:
            found = process.extractOne(
                key, self.buckets.get(key[0], ()), scorer=fuzz.ratio, score_cutoff=THRESHOLD
            )
            if found is not None:
                names = tuple(n for n in self.by_key[found[0]] if _spelling(folded, n) >= SPELLING_THRESHOLD)
        names = tuple(n for n in names or () if not _nisba(folded, n))
        if not names:
            return None
        return max(names, key=lambda name: (_spelling(folded, name), name))


def _nisba(folded: str, name: str) -> bool:
    """``folded`` is the adjective or family name made from ``name`` with -i ("Kubaisi" of
    Kubaisa, "Tikriti" of Tikrit, "Anbari" of Anbar), not a spelling of it."""
    if not folded.endswith("i") or name.endswith(("i", "y")):
        return False
    stem = folded[:-1]
    return stem == name or phonetic_key(stem) == phonetic_key(name.rstrip("aeh"))


__all__ = [
    "MIN_FUZZY_KEY",
    "MIN_KEY",
    "MIN_TOKEN",
    "SPELLING_THRESHOLD",
    "THRESHOLD",
    "FuzzyIndex",
    "load_guard_words",
    "phonetic_key",
]
