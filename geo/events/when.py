"""When an event happened: the date a sentence gives, relative to the article's date, or the article's.

Read in this order, the first that applies:

1. an absolute date in the sentence (:func:`geo.text.dates.dates_in_text`: ``6 March 2021``,
   ``٣ أيار ٢٠٢٤``, Hijri dates) -> ``date_source="text"``;
2. a day and month without a year (``الـ 3 من مايو/أيار الجاري``, ``on 3 May``): the article's year
   (the year before when that would fall after the article) -> ``"relative"``;
3. a relative phrase: ``yesterday`` / ``أمس`` / ``دوێنێ`` (-1), ``the day before yesterday`` /
   ``أول أمس`` (-2), ``last night`` / ``ليلة أمس`` (-1), ``today`` / ``اليوم`` (0), ``last week`` /
   ``الأسبوع الماضي`` (-7), a weekday (``on Friday``, ``مساء الاحد``, ``فجر السبت``): the latest such
   day on or before the article's date -> ``"relative"``;
4. the article's date -> ``"article"``; with none, ``None`` and ``"none"``.

A year before the article's year in the sentence (``the 2014 attack``, ``في عام 2017``) or an
anniversary word marks the event **historical** (:attr:`When.historical`): it is reported, not new.

Examples
--------
>>> import datetime as dt
>>> w = when_in("هاجم مسلحون مساء الاحد قرية", dt.date(2021, 5, 7))  # a Friday
>>> (str(w.date), w.source, w.phrase.text)
('2021-05-02', 'relative', 'الاحد')
>>> when_in("It recalled the 2014 attack on Sinjar.", dt.date(2021, 5, 7)).historical
True
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from geo.model import Span
from geo.text.dates import AR_MONTHS, EN_MONTHS, dates_in_text

__all__ = ["When", "latest_year", "when_in"]

_VIEW = str.maketrans(
    {chr(0x0660 + i): str(i) for i in range(10)}
    | {chr(0x06F0 + i): str(i) for i in range(10)}
    | {"أ": "ا", "إ": "ا", "آ": "ا", "ى": "ي", "ی": "ي", "ة": "ه", "ە": "ه", "ک": "ك", "ێ": "ي"}
)

#: Relative day phrases (match view: alef forms, yeh, taa marbuta folded) and their offsets in days.
_RELATIVE: tuple[tuple[str, int], ...] = (
    (r"the day before yesterday|(?:ا|ال)ول (?:من )?امس|امس الاول|پێری", -2),
    (r"last night|overnight|ليله امس|الليله الماضيه|مساء امس|فجر امس|صباح امس|شەوی ڕابردوو", -1),
    (r"yesterday|(?<![\w])امس(?![\w])|البارحه|دويني", -1),
    (r"last week|(?:ا|ال)لاسبوع الماضي|هفتەی ڕابردوو", -7),
    (r"(?<![\w])today|(?<![\w])(?:ا|ال)ليوم(?![\w])|ئەمڕۆ|this morning|this evening", 0),
)
_WEEKDAYS = {
    "monday": 0,
    "tuesday": 1,
    "wednesday": 2,
    "thursday": 3,
    "friday": 4,
    "saturday": 5,
    "sunday": 6,
    "الاثنين": 0,
    "الثلاثاء": 1,
    "الاربعاء": 2,
    "الخميس": 3,
    "الجمعه": 4,
    "السبت": 5,
    "الاحد": 6,
    "دووشەممه": 0,
    "سێشەممه": 1,
    "چوارشەممه": 2,
    "پێنجشەممه": 3,
    "هەيني": 4,
    "شەممه": 5,
    "يەكشەممه": 6,
}
_WEEKDAY_RE = re.compile(
    r"(?<![\w])(?:[وبل]|يوم |مساء |صباح |فجر |ليله |on |last |late on |early on )?(?P<wd>"
    + "|".join(sorted((k.translate(_VIEW) for k in _WEEKDAYS), key=len, reverse=True))
    + r")(?![\w])",
    re.I,
)
_WEEKDAY_LOOKUP = {k.translate(_VIEW).lower(): v for k, v in _WEEKDAYS.items()}
_MONTHS = {k.translate(_VIEW).lower(): v for k, v in (AR_MONTHS | EN_MONTHS).items()}
_MONTH_ALT = "|".join(sorted((re.escape(k) for k in _MONTHS), key=len, reverse=True))
_DAY_MONTH = re.compile(
    rf"(?<![\w/])(?:ال(?:ـ)?\s*)?(?P<day>[0-3]?\d)\s+(?:من\s+|of\s+)?(?:شهر\s+)?(?P<month>{_MONTH_ALT})"
    rf"(?:\s*[/(]\s*(?:{_MONTH_ALT})\s*\)?)?(?![\w])(?!\s*[,،]?\s*[12]\d{{3}})",
    re.I,
)
_YEAR_RE = re.compile(r"(?<![\w/.\-])(?P<year>(?:19|20)\d{2})(?![\w/\-]|\.\d)")
#: How far from the trigger a past year makes the event historical.
HISTORY_CHARS = 50
_ANNIVERSARY = re.compile(r"anniversary|ذكرى|الذكرى|ساڵیادی", re.I)


@dataclass(frozen=True)
class When:
    """The event's date, where it came from, the phrase that gave it, and the historical flag."""

    date: dt.date | None
    source: str  # "text" | "relative" | "article" | "none"
    phrase: Span | None = None
    historical: bool = False
    reason: str = ""


def when_in(
    sentence: str,
    article_date: dt.date | None,
    *,
    offset: int = 0,
    focus: tuple[int, int] | None = None,
    reference_year: int | None = None,
) -> When:
    """The date of an event reported in ``sentence`` (which starts at ``offset`` in the article).

    Parameters
    ----------
    sentence
        The sentence (or clause) that reports the event.
    article_date
        The article's date, against which relative phrases are read.
    offset
        Where ``sentence`` starts in the article, so the phrase span indexes the article.
    focus
        ``(start, end)`` of the event's trigger in ``sentence``: a past year marks the event
        historical only within :data:`HISTORY_CHARS` characters of it (default: anywhere).
    reference_year
        The year a past year is measured against when there is no article date (the latest year
        the article names, :func:`latest_year`).
    """
    view = sentence.translate(_VIEW)
    near = view
    if focus is not None:
        near = view[max(0, focus[0] - HISTORY_CHARS) : focus[1] + HISTORY_CHARS]
    year = article_date.year if article_date is not None else reference_year
    historical, why = _historical(near, year)
    found = dates_in_text(sentence)
    if found and found[0].span is not None:
        a, b = found[0].span
        d = found[0].date
        old = year is not None and d.year < year
        return When(d, "text", Span(a + offset, b + offset, sentence[a:b]), historical or old, why)
    if article_date is None:
        return When(None, "none", None, historical, why)
    m = _DAY_MONTH.search(view)
    if m:
        month = _MONTHS[re.sub(r"\s+", " ", m.group("month")).lower()]
        day = int(m.group("day"))
        for year in (article_date.year, article_date.year - 1):
            try:
                d = dt.date(year, month, day)
            except ValueError:
                break
            if d <= article_date:
                a, b = m.span()
                return When(d, "relative", Span(a + offset, b + offset, sentence[a:b]), historical, why)
    for pattern, days in _RELATIVE:
        m = re.search(pattern, view, re.I)
        if m:
            a, b = m.span()
            d = article_date + dt.timedelta(days=days)
            return When(d, "relative", Span(a + offset, b + offset, sentence[a:b]), historical, why)
    m = _WEEKDAY_RE.search(view)
    if m:
        wd = _WEEKDAY_LOOKUP[m.group("wd").lower()]
        back = (article_date.weekday() - wd) % 7
        a, b = m.span("wd")
        d = article_date - dt.timedelta(days=back)
        return When(d, "relative", Span(a + offset, b + offset, sentence[a:b]), historical, why)
    return When(article_date, "article", None, historical, why)


def latest_year(text: str, *, today: dt.date | None = None) -> int | None:
    """The latest year (1900 to this year) ``text`` names, or ``None``.

    >>> latest_year("decided in 2020, after the 2017 withdrawal")
    2020
    """
    now = (today or dt.date.today()).year
    years = [int(m.group("year")) for m in _YEAR_RE.finditer(text.translate(_VIEW))]
    years = [y for y in years if y <= now]
    return max(years) if years else None


def _historical(view: str, year: int | None) -> tuple[bool, str]:
    if _ANNIVERSARY.search(view):
        return True, "an anniversary is recalled"
    if year is None:
        return False, ""
    for m in _YEAR_RE.finditer(view):
        named = int(m.group("year"))
        if named < year:
            return True, f"the sentence names {named}, before the article's year ({year})"
    return False, ""
