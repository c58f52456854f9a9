"""Arabic, Kurdish and English name normalisation.

Two layers:

* string normalisers for display and comparison: :func:`normalize_ar` (diacritics, tatweel,
  alef/hamza forms, alef maqsura, taa marbuta, Persian/Kurdish letters, Arabic-Indic digits),
  :func:`normalize_en` (case, Latin diacritics, apostrophes, hyphens, possessives) and
  :func:`normalize_with_map`, which also returns, for every output character, the index of the
  original character it came from;
* the matching key: :func:`tokenize` splits text into word tokens with their offsets,
  :func:`fold_token` folds one token (script-aware, no clitic stripping), and :func:`fold` turns a
  whole name into the space-joined key the gazetteer is indexed on. :func:`proclitic_readings`
  lists the forms of an Arabic token once the proclitics و ف ب ل ك (alone, combined, or fused
  with the article, as in وال، بال، لل) are taken off.

Matching keys keep the Arabic article (``الدور`` and ``دور`` stay different words) and drop the
transliterated one (``al-Anbar`` and ``Anbar`` fold alike).

Examples
--------
>>> fold("محافظة صلاح الدّين")
'محافظه صلاح الدين'
>>> fold("Ţūz Khūrmātū") == fold("Tuz Khurmatu")
True
>>> fold("Salah ad-Din") == fold("Salah al-Din") == fold("salah din")
True
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache

#: Arabic combining marks: Quranic annotations, harakat, superscript alef, Quranic small marks.
_AR_MARKS = "\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed"
_TATWEEL = "\u0640"
_ZW = "\u200c\u200d\u200e\u200f"
_AR_MARKS_RE = re.compile(f"[{_AR_MARKS}{_TATWEEL}{_ZW}]")

#: Letter folding shared by display normalisation and matching keys.
# fmt: off
_AR_LETTERS = {
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ٲ": "ا", "ٳ": "ا",  # alef forms
    "ؤ": "و", "ئ": "ي", "ى": "ي",  # hamza seats, alef maqsura
    "ة": "ه", "ۀ": "ه", "ە": "ه", "ھ": "ه", "ہ": "ه",  # taa marbuta, Kurdish/Urdu heh
    "ی": "ي", "ێ": "ي", "ې": "ي", "ۍ": "ي",  # Persian/Kurdish yeh
    "ک": "ك", "گ": "ك", "ڭ": "ك", "ڪ": "ك",  # keheh, gaf
    "ۆ": "و", "ۇ": "و", "ۉ": "و", "ۊ": "و", "ۋ": "و",  # Kurdish/Uyghur waw forms
    "ڕ": "ر", "ڵ": "ل", "پ": "ب", "چ": "ج", "ژ": "ز", "ڤ": "ف", "ڨ": "ق",
    "ء": "",  # bare hamza (كربلاء = كربلا)
}
# fmt: on
_DIGITS = {chr(0x0660 + i): str(i) for i in range(10)} | {chr(0x06F0 + i): str(i) for i in range(10)}
_AR_TABLE = str.maketrans(_AR_LETTERS | _DIGITS)

#: Apostrophe-like characters dropped from Latin names (Ta'mim, Ba`quba, Tall ‘Afar, ʿAnah).
APOSTROPHES = "'’‘`´ʼʻʿʾ"
_APOS_TABLE = str.maketrans("", "", APOSTROPHES)

#: Transliterated Arabic articles dropped from matching keys. ``al``/``el`` always; the
#: assimilated forms only when written with a hyphen (``ad-Din``), since ``as``/``at``/``an`` are
#: English words.
LATIN_ARTICLES = frozenset({"al", "el"})
LATIN_HYPHEN_ARTICLES = frozenset(
    {"al", "el", "ad", "ar", "as", "at", "an", "az", "ash", "adh", "ath", "ul", "ud", "ur", "un"}
)

#: A character a word is made of: a letter or digit of any script, an Arabic mark, tatweel or a
#: zero-width (non-)joiner (a regex character class).
TOKEN_BODY = f"[\\w{_AR_MARKS}{_TATWEEL}\u200c\u200d]"
#: One word: :data:`TOKEN_BODY` characters, and inner apostrophes (Ta'mim). One character class
#: (not an alternation) keeps the split fast. The article's tokens (:mod:`geo.text.tokens`) and the
#: gazetteer's keys (:func:`fold`) are both split with it.
TOKEN_RE = re.compile(f"{TOKEN_BODY}+(?:[{APOSTROPHES}]{TOKEN_BODY}+)*")
#: The words of a text that holds an underscore: "_" separates words there, as in a hashtag of a
#: name of two words (#صلاح_الدين, #Salah_al_Din). An alternation, so kept for those texts only.
TOKEN_RE_UNDERSCORE = re.compile(
    TOKEN_RE.pattern.replace(TOKEN_BODY, TOKEN_BODY.replace("[\\w", "(?:[^\\W_]|[", 1) + ")")
)


def word_pattern(text: str) -> re.Pattern[str]:
    """The words of ``text``: :data:`TOKEN_RE` matches, or, when the text holds an underscore,
    :data:`TOKEN_RE_UNDERSCORE` ones (#صلاح_الدين is two words).

    >>> [m.group() for m in word_pattern("#صلاح_الدين").finditer("#صلاح_الدين")]
    ['صلاح', 'الدين']
    """
    return TOKEN_RE_UNDERSCORE if "_" in text else TOKEN_RE


#: Proclitics that attach to Arabic nouns, longest first, and whether the article follows them.
# fmt: off
_PROCLITICS: tuple[tuple[str, bool], ...] = (
    ("وبال", True), ("فبال", True), ("وكال", True),
    ("ولل", True), ("فلل", True), ("وال", True), ("فال", True), ("بال", True), ("كال", True),
    ("لل", True),
    ("وب", False), ("ول", False), ("وك", False), ("فب", False), ("فل", False), ("فك", False),
    ("و", False), ("ف", False), ("ب", False), ("ل", False), ("ك", False),
)
# fmt: on
_PROCLITICS_SHORT_FIRST = tuple(sorted(_PROCLITICS, key=lambda p: len(p[0])))
_MIN_STEM = 2


def _is_arabic_script(ch: str) -> bool:
    return "\u0600" <= ch <= "\u06ff" or "\u0750" <= ch <= "\u077f" or "\ufb50" <= ch <= "\ufeff"


def has_arabic(s: str) -> bool:
    """Whether ``s`` holds at least one Arabic-script letter."""
    return any(_is_arabic_script(ch) for ch in s)


def normalize_ar(s: str) -> str:
    """Arabic/Kurdish-script text folded for comparison; length may change.

    Removes diacritics, tatweel and zero-width joiners, unifies alef/hamza forms, alef maqsura
    (ى -> ي), taa marbuta (ة -> ه), Persian/Kurdish letters (ک ی ە ێ ۆ ڕ ڵ پ چ ژ گ ڤ) and
    Arabic-Indic digits. Presentation forms are decomposed first (NFKC).

    >>> normalize_ar("إِقْلِيمُ كُوردستان")
    'اقليم كوردستان'
    """
    s = unicodedata.normalize("NFKC", s)
    s = _AR_MARKS_RE.sub("", s)
    return s.translate(_AR_TABLE)


def _strip_latin_marks(s: str) -> str:
    decomposed = unicodedata.normalize("NFKD", s)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def normalize_en(s: str) -> str:
    """Latin-script text folded for comparison: lower case, no diacritics, apostrophes or hyphens.

    Possessive ``'s`` is dropped, hyphens become spaces, whitespace is collapsed.

    >>> normalize_en("Ţūz  Khūrmātū's al-Dour")
    'tuz khurmatu al dour'
    """
    s = _strip_latin_marks(s).lower()
    s = re.sub(f"[{APOSTROPHES}]s\\b", "", s)
    s = s.translate(_APOS_TABLE)
    s = re.sub(r"[-‐‑–—_]+", " ", s)
    return " ".join(s.split())


def normalize_with_map(s: str) -> tuple[str, list[int]]:
    """Normalise ``s`` (Arabic and Latin rules together) and map each output char to its source.

    Returns ``(normalised, index)`` where ``index[i]`` is the position in ``s`` of the character
    that produced ``normalised[i]``, so a match at ``normalised[a:b]`` covers
    ``s[index[a]:index[b - 1] + 1]``. Case and diacritics are folded, Arabic marks and tatweel
    dropped; characters are never reordered.

    >>> out, idx = normalize_with_map("وكَرْكُوك")
    >>> out, idx
    ('وكركوك', [0, 1, 3, 5, 7, 8])
    """
    out: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(s):
        if _AR_MARKS_RE.match(ch):
            continue
        piece = unicodedata.normalize("NFKC", ch)
        if _is_arabic_script(ch) or any(_is_arabic_script(c) for c in piece):
            piece = piece.translate(_AR_TABLE)
        else:
            piece = _strip_latin_marks(piece).lower().translate(_APOS_TABLE)
        for c in piece:
            out.append(c)
            index.append(i)
    return "".join(out), index


# --- matching keys -------------------------------------------------------------------------------


def _latin_key(tok: str) -> str:
    """Fold one Latin token: lower case, no diacritics, and common spelling variants unified.

    ``ee``/``oo``/``ou`` -> ``i``/``u``/``u``, doubled letters collapsed, a final ``h`` after a
    vowel dropped (Baqubah = Baquba, Heet = Hit, Tooz = Tuz, Tall = Tal).
    """
    t = _strip_latin_marks(tok).lower()
    if t.endswith(("'s", "’s")):
        t = t[:-2]
    t = t.translate(_APOS_TABLE)
    t = t.replace("ee", "i").replace("oo", "u").replace("ou", "u")
    t = re.sub(r"(.)\1+", r"\1", t)
    if len(t) > 3 and t[-1] == "h" and t[-2] in "aeiou":
        t = t[:-1]
    return t


def _arabic_key(tok: str) -> str:
    """Fold one Arabic-script token (letters unified, Kurdish vowel letters mapped)."""
    t = unicodedata.normalize("NFKC", tok)
    t = _AR_MARKS_RE.sub("", t)
    if t.startswith("ئ"):  # Kurdish vowel carrier: ئاکرێ، ئەتریش
        t = "ا" + t[2:] if t[1:2] in ("ا", "ە", "ة") else "ا" + t[1:]
    # Kurdish ە (and ة misused for it) inside a word is a short vowel Arabic does not write.
    t = re.sub("[ەة](?=[^\\W\\d_])", "", t)
    t = t.translate(_AR_TABLE)
    t = t.replace("وو", "و").replace("يي", "ي")
    return t


@lru_cache(maxsize=200_000)
def fold_token(tok: str) -> str:
    """The matching key of one token (see the module docstring); script-aware, cached."""
    if not tok:
        return ""
    if has_arabic(tok):
        return _arabic_key(tok)
    return _latin_key(tok)


def tokenize(text: str) -> Iterator[tuple[int, int, str]]:
    """``(start, end, token)`` for every word of ``text``; offsets index ``text``.

    The words of a name; an article is read once by :func:`geo.text.tokens.tokenize`, which splits
    it the same way.
    """
    for m in TOKEN_RE.finditer(text):
        yield m.start(), m.end(), m.group()


def is_latin_article(key: str, next_char: str, next_key: str = "") -> bool:
    """Whether a folded Latin token is a transliterated article: ``al``/``el``, an assimilated
    form before a hyphen (``ad-Din``), or one before a word with the same first consonant
    (``Ad Dawr``, ``Ash Shaykhan``, ``As Samawah``)."""
    if key in LATIN_ARTICLES:
        return True
    if key not in LATIN_HYPHEN_ARTICLES:
        return False
    return next_char in "-‐‑" or (len(next_key) > len(key) and next_key.startswith(key[1:]))


def fold(s: str) -> str:
    """The language-agnostic matching key of a name: folded tokens joined by single spaces.

    Latin articles are dropped (``Al-Anbar`` -> ``anbar``); Arabic clitics are kept (a name is
    written without them).
    """
    toks = list(tokenize(s))
    keys: list[str] = []
    for n, (_start, end, tok) in enumerate(toks):
        key = fold_token(tok)
        latin_next = not has_arabic(tok) and n + 1 < len(toks)
        if latin_next and is_latin_article(key, s[end : end + 1], fold_token(toks[n + 1][2])):
            continue
        keys.append(key)
    return " ".join(keys)


@lru_cache(maxsize=200_000)
def proclitic_readings(key: str) -> tuple[str, ...]:
    """Forms of a folded Arabic token with its proclitics removed, the shortest prefix first.

    >>> proclitic_readings("وبالموصل")
    ('وبالموصل', 'بالموصل', 'الموصل')
    >>> proclitic_readings("لكركوك")
    ('لكركوك', 'كركوك')
    """
    if not key or not has_arabic(key[0]):
        return (key,)
    out = [key]
    for prefix, article in _PROCLITICS_SHORT_FIRST:
        if key.startswith(prefix):
            rest = key[len(prefix) :]
            if len(rest) < _MIN_STEM:
                continue
            stems = ["ال" + rest] if article else [rest]
            if prefix.endswith("لل"):
                stems.append("الل" + rest)  # لِلَّطيفية = ل + اللطيفية
            out.extend(s for s in stems if s not in out)
    return tuple(out)
