"""Casualties: the killed and wounded a sentence reports, from digits and number words.

A casualty word (``killed``, ``قتلى``, ``مقتل``, ``کوژران`` / ``wounded``, ``جرحى``, ``اصابة``,
``بریندار``) takes the nearest number within :data:`WINDOW` tokens of it in the same clause:
digits (Arabic-Indic too) or a number word in English, Arabic or Sorani (``three``, ``ثلاثة``,
``اثنين``, ``سێ``; ``ثلاثة عشر`` is 13). Each number counts once. With no number, a singular person
noun next to the word counts one (``a soldier was killed``, ``مقتل جندي``).

Numbers that are not casualties are skipped: years (1900-2100), a number followed by a unit
(``4 rooms``, ``30 km``, ``3 hours``) or preceded by a unit name (``Brigade 20``, ``الفوج 3``), and
ordinals (``الفرقة الخامسة``), which are no number words.

Examples
--------
>>> from geo.text.tokens import tokenize
>>> t = tokenize("12 killed and 5 injured in the blast that destroyed 4 rooms in 2017.")
>>> c = casualties_in(t, 0, len(t)); (c.killed, c.wounded)
(12, 5)
>>> t = tokenize("مقتل اثنين واصابة ثلاثة من عناصر الفرقة الخامسة")
>>> c = casualties_in(t, 0, len(t)); (c.killed, c.wounded)
(2, 3)
"""

from __future__ import annotations

from dataclasses import dataclass, field

from geo.model import Span
from geo.text.normalize import fold
from geo.text.tokens import SOFT_GAP, Tokens, readings

__all__ = ["Casualties", "casualties_in", "number_at"]

#: Tokens between a casualty word and its number, at most.
WINDOW = 5


def _folded(words: str) -> frozenset[str]:
    return frozenset(fold(w) for w in words.split(","))


def _numbers(rows: dict[int, str]) -> dict[str, int]:
    return {fold(w): n for n, words in rows.items() for w in words.split(",")}


# fmt: off
NUMBER_WORDS = _numbers({
    1: "one,واحد,واحدة,یەک", 2: "two,اثنين,اثنان,اثنتين,اثنتان,شخصين,دوو",
    3: "three,ثلاثة,ثلاث,سێ", 4: "four,أربعة,أربع,چوار", 5: "five,خمسة,خمس,پێنج",
    6: "six,ستة,ست,شەش", 7: "seven,سبعة,سبع,حەوت", 8: "eight,ثمانية,ثماني,ثمان,هەشت",
    9: "nine,تسعة,تسع,نۆ", 10: "ten,عشرة,عشر,دە", 11: "eleven,یازدە", 12: "twelve,دوازدە",
    13: "thirteen", 14: "fourteen", 15: "fifteen", 16: "sixteen", 17: "seventeen", 18: "eighteen",
    # Sorani سی (30) folds as سێ (3): left out
    19: "nineteen", 20: "twenty,عشرون,عشرين,بیست", 30: "thirty,ثلاثون,ثلاثين",
    40: "forty,أربعون,أربعين,چل", 50: "fifty,خمسون,خمسين,پەنجا",
})
KILLED = _folded(
    "killed,kill,kills,killing,dead,martyred,died,death,deaths,lives,"
    "مقتل,قتل,قتلى,قتيل,قتيلا,قتيلين,استشهاد,استشهد,استشهدوا,بحياة,شهيد,شهداء,شهيدا,مصرع,حتفه,حتفهم,وفاة,"
    "کوژران,کوژرا,کوژرانی,شەهید,شەهیدبوون"
)
WOUNDED = _folded(
    "wounded,wounding,injured,injuring,injuries,hurt,اصابة,إصابة,اصيب,أصيب,اصيبوا,أصيبوا,جرحى,جريح,جرح,جرحا,"
    "مصابين,مصاب,بجروح,بریندار,برینداربوون,برینداربوو,بریندارکران"
)
#: Singular person nouns: one casualty when no number stands by the casualty word.
PERSONS = _folded(
    "soldier,policeman,officer,fighter,member,civilian,man,woman,child,boy,girl,shepherd,farmer,guard,"
    "commander,person,militant,جندي,شرطي,مدني,منتسب,عنصر,مقاتل,ضابط,راعي,مزارع,طفل,امرأة,شخص,مواطن,"
    "مسؤول,قائد,آمر,عسكري,سەرباز,پێشمەرگەیەک,ئەفسەر,هاووڵاتییەک,منداڵێک"
)
#: Arabic duals of the person nouns: two casualties (جنديان, شرطيين).
DUALS = frozenset(p + end for p in PERSONS if "\u0600" <= p[0] <= "\u06ff" for end in ("ان", "ين"))
#: Words after a number that make it a measure, not people.
UNITS_AFTER = _folded(
    "km,kilometres,kilometers,kilometre,kilometer,miles,metres,meters,m,rooms,room,houses,homes,vehicles,"
    "cars,hours,hour,days,day,weeks,months,years,year,percent,%,rockets,shells,mortars,drones,bombs,"
    "كم,كيلومتر,كيلومترات,كيلو,متر,امتار,غرف,غرفة,منازل,منزل,سيارات,ساعات,ساعة,ايام,يوم,أسابيع,اشهر,"
    "أشهر,سنوات,سنة,عاما,أعوام,بالمئة,بالمائة,صواريخ,قذائف,طائرات,عبوات,مسيرات,کیلۆمەتر,کاتژمێر,ساڵ,ڕۆژ"
)
#: Words before a number that make it a name (a unit, a road, a count of something else).
UNITS_BEFORE = _folded(
    "brigade,regiment,division,battalion,route,road,highway,no,number,km,kilometre,year,since,in,"
    "لواء,اللواء,الفوج,فوج,الفرقة,فرقة,الطريق,طريق,رقم,عام,سنة,الكيلو,لیوای,ژمارە"
)
# fmt: on
_ARTICLES_ONE = frozenset({"a", "an", "one"})
_CONJUNCTIONS = frozenset({"and", "while", "و", "فيما", "بينما"})
_YEARS = range(1900, 2101)
_DIGITS = str.maketrans(
    {chr(0x0660 + i): str(i) for i in range(10)} | {chr(0x06F0 + i): str(i) for i in range(10)}
)


@dataclass
class Casualties:
    """Killed and wounded (``None``: not said), and where each figure was read."""

    killed: int | None = None
    wounded: int | None = None
    spans: list[Span] = field(default_factory=list)


def number_at(tokens: Tokens, k: int) -> tuple[int, int] | None:
    """``(value, last token)`` of the number starting at token ``k``, or ``None``.

    ``ثلاثة عشر`` (13) and ``twenty five`` (25) are read as one number; years are no number.
    """
    raw = tokens.token(k).translate(_DIGITS)
    key = tokens.keys[k]
    # only the conjunction و may stand before a number word: other proclitics make false readings
    # (Sorani کەسی "person" is not ك + سی "three"); folded keys squeeze repeats, so digits are read raw
    forms = (raw, key) + ((raw[1:], key[1:]) if key.startswith("و") and len(key) > 2 else ())
    value: int | None = None
    for r in forms:
        if r.isdigit() and r.isascii():
            value = int(r)
            break
        if r in NUMBER_WORDS:
            value = NUMBER_WORDS[r]
            break
    if value is None:
        return None
    if raw.isdigit() and value in _YEARS:
        return None
    last = k
    if k + 1 < len(tokens) and tokens.gaps[k + 1] & SOFT_GAP:
        nxt = readings(tokens.keys[k + 1])
        if value < 10 and any(r in ("عشر", "عشره") for r in nxt):
            value, last = value + 10, k + 1
        elif value in (20, 30, 40, 50) and any(NUMBER_WORDS.get(r, 10) < 10 for r in nxt):
            value, last = value + min(NUMBER_WORDS.get(r, 10) for r in nxt), k + 1
    return value, last


def _is_measure(tokens: Tokens, k: int, last: int) -> bool:
    after = readings(tokens.keys[last + 1]) if last + 1 < len(tokens) else ()
    before = readings(tokens.keys[k - 1]) if k > 0 else ()
    return any(r in UNITS_AFTER for r in after) or any(r in UNITS_BEFORE for r in before)


def _in_set(tokens: Tokens, k: int, words: frozenset[str]) -> bool:
    return any(r in words for r in readings(tokens.keys[k]))


def casualties_in(tokens: Tokens, first: int, last: int, *, skip: frozenset[int] = frozenset()) -> Casualties:
    """The killed and wounded reported among tokens ``first`` .. ``last - 1`` (one sentence).

    Tokens in ``skip`` (the words of actor names: "Four members of the Popular Mobilization
    Forces (PMF) were killed") do not count in the distance between a number and its word.
    """
    numbers: dict[int, tuple[int, int]] = {}
    k = first
    while k < last:
        got = number_at(tokens, k)
        if got is not None and got[1] < last and not _is_measure(tokens, k, got[1]):
            numbers[k] = got
            k = got[1] + 1
        else:
            k += 1
    cues = [
        (k, "killed" if _in_set(tokens, k, KILLED) else "wounded")
        for k in range(first, last)
        if _in_set(tokens, k, KILLED) or _in_set(tokens, k, WOUNDED)
    ]
    # nearest pairs first, each number and each cue once
    pairs = sorted(
        (_distance(tokens, k, n, numbers[n][1], skip), k, n, what)
        for k, what in cues
        for n in numbers
        if _distance(tokens, k, n, numbers[n][1], skip) <= WINDOW + 1
        and _same_clause(tokens, min(k, n), max(k, n))
    )
    result = Casualties()
    used_numbers: set[int] = set()
    used_cues: set[int] = set()
    done: set[str] = set()
    for _d, k, n, what in pairs:
        if k in used_cues or n in used_numbers or what in done:
            continue
        used_cues.add(k)
        used_numbers.add(n)
        done.add(what)
        setattr(result, what, numbers[n][0])
        a, b = sorted((k, numbers[n][1]))
        result.spans.append(_span(tokens, a, b))
    for k, what in cues:
        if what in done or k in used_cues:
            continue
        got = _persons(tokens, k, first, last, {c for c, _ in cues})
        if got is not None:
            count, edge = got
            done.add(what)
            setattr(result, what, count)
            result.spans.append(_span(tokens, min(k, edge), max(k, edge)))
    return result


def _distance(tokens: Tokens, cue: int, n: int, n_last: int, skip: frozenset[int] = frozenset()) -> float:
    """How far the number at ``n`` .. ``n_last`` is from the casualty word at ``cue``.

    Tokens in ``skip`` do not count. A number after the word across a conjunction (``killed and
    two others wounded``, ``قتلى وخمسة``) belongs to the next conjunct: it is taken as farther.
    """
    if cue > n_last:
        return 1 + sum(1 for x in range(n_last + 1, cue) if x not in skip)
    between = [x for x in range(cue + 1, n) if x not in skip]
    conj = any(tokens.keys[x] in _CONJUNCTIONS for x in between) or (
        tokens.keys[n].startswith("و") and len(readings(tokens.keys[n])) > 1
    )
    return 1 + len(between) + (1.5 if conj else 0.0)


def _persons(tokens: Tokens, k: int, first: int, last: int, cues: set[int]) -> tuple[int, int] | None:
    """``(count, last token)`` of the person nouns that make the casualty word at ``k`` count.

    Arabic and Sorani name them after the word: ``مقتل جندي`` (1), ``قتل ضابط برتبة نقيب وجنديان``
    (1 + 2); English before it, after "a", "an" or "one": ``a soldier was killed`` (1).
    """
    count, edge = 0, k
    for j in range(k + 1, min(last, k + 7)):
        if j in cues or number_at(tokens, j) is not None:
            break
        if _in_set(tokens, j, PERSONS):
            count, edge = count + 1, j
        elif _in_set(tokens, j, DUALS):
            count, edge = count + 2, j
    if count:
        return count, edge
    for j in range(max(first, k - WINDOW), k):
        if _in_set(tokens, j, PERSONS) and j > first and tokens.keys[j - 1] in _ARTICLES_ONE:
            return 1, j - 1
    return None


def _same_clause(tokens: Tokens, a: int, b: int) -> bool:
    """No sentence-like break (. ; : ?) between tokens ``a`` and ``b``; commas are allowed."""
    for x in range(a + 1, b + 1):
        sep = tokens.sep(x)
        if any(ch in sep for ch in ".;:?!؛؟\n"):
            return False
    return True


def _span(tokens: Tokens, a: int, b: int) -> Span:
    s, e = tokens.starts[a], tokens.ends[b]
    return Span(s, e, tokens.text[s:e])
