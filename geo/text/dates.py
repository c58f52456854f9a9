"""Article dates: from feed or JSONL metadata, HTML metadata, or the text itself, and how each was found.

:func:`dates_in_text` finds every complete date phrase (day, month and year) in Arabic, Kurdish
(Sorani) and English text: ``الجمعة 3 من مايو/أيار 2024``, ``3 أيار 2024``, ``Saturday 6 March
2021``, ``March 6, 2021``, ``2021-03-06``, ``6/3/2021`` (day first, as the Iraqi press writes it),
Arabic-Indic digits (``٣ أيار ٢٠٢٤``) and Hijri dates (``15 رمضان 1442 هـ``, converted to the
Gregorian date with the Umm al-Qura calendar of :mod:`hijridate`). A phrase without a day or a
year (``3 من مايو الجاري``, ``March 2021``, ``the 2017 attacks``) is no date: the article's date
must be a day. :func:`parse_date_value` reads a metadata value (ISO 8601, RFC 2822, or one of the
phrases above); :func:`date_from_html` reads the page's metadata (:mod:`htmldate`).

:func:`choose_date` decides the article's date: the metadata date when there is one, else the
first date of the text, and flags it (:func:`date_flag`): ``future`` (after today),
``before-1900``, or ``conflict`` (the metadata and the text's dateline disagree). Flagged dates
are kept, never dropped: the analyst decides.

Examples
--------
>>> [(str(d.date), d.how) for d in dates_in_text("بغداد، الجمعة ٣ من مايو/أيار ٢٠٢٤ - قال")]
[('2024-05-03', "Arabic day month year 'الجمعة ٣ من مايو/أيار ٢٠٢٤' at 7-33")]
>>> str(dates_in_text("وقع الهجوم في 15 رمضان 1442 هـ")[0].date)
'2021-04-27'
>>> dates_in_text("The 2017 attacks on the fifth division: 4 rooms.")
[]
"""

from __future__ import annotations

import datetime as dt
import email.utils
import re
import time
from dataclasses import dataclass

__all__ = [
    "DATE_FLAGS",
    "DATE_SOURCES",
    "DateChoice",
    "FoundDate",
    "choose_date",
    "date_flag",
    "date_from_html",
    "date_from_text",
    "dates_in_text",
    "parse_date_value",
]

#: Where an article's date came from (``articles.date_source`` in the store).
DATE_SOURCES = ("feed", "jsonl", "html-meta", "text", "analyst", "none")
#: Flags a kept date may carry.
DATE_FLAGS = ("future", "before-1900", "conflict")
#: The text's dateline: a date this close to the start is the article's own, if any is.
DATELINE_CHARS = 300
#: Days a metadata date and the dateline may differ by (time zones) before they conflict.
CONFLICT_DAYS = 1
#: Oldest date kept without the ``before-1900`` flag.
EARLIEST = dt.date(1900, 1, 1)

# --- the match view: one character for one, so offsets stay those of the text -----------------

_VIEW = str.maketrans(
    {chr(0x0660 + i): str(i) for i in range(10)}
    | {chr(0x06F0 + i): str(i) for i in range(10)}
    | {"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ی": "ي", "ة": "ه", "ە": "ه", "ک": "ك"}
)


def _view(s: str) -> str:
    return s.translate(_VIEW)


def _alternation(names: dict[str, int]) -> str:
    """A regex alternation of month names (their match-view forms), longest first."""
    keys = sorted({_view(n) for n in names}, key=len, reverse=True)
    return "|".join(re.escape(k).replace(r"\ ", r"\s+") for k in keys)


def _month_table(rows: dict[int, str]) -> dict[str, int]:
    return {name: month for month, names in rows.items() for name in names.split(",")}


#: Gregorian months in Arabic: the transliterated (Egyptian, Gulf) and the Syriac (Levant, Iraq)
#: names, and the Sorani Kurdish ones.
AR_MONTHS = _month_table(
    {
        1: "يناير,كانون الثاني,كانوني دووەم,کانوونی دووەم",
        2: "فبراير,شباط,شوبات",
        3: "مارس,آذار,ئازار",
        4: "أبريل,إبريل,ابريل,نيسان",
        5: "مايو,أيار,ئایار",
        6: "يونيو,يونيه,حزيران,حوزەیران",
        7: "يوليو,يوليه,تموز,تەممووز",
        8: "أغسطس,اغسطس,آب,ئاب",
        9: "سبتمبر,أيلول,ئەیلوول",
        10: "أكتوبر,اكتوبر,تشرين الأول,تشرینی یەکەم",
        11: "نوفمبر,تشرين الثاني,تشرینی دووەم",
        12: "ديسمبر,كانون الأول,کانوونی یەکەم",
    }
)
#: Hijri months (the Umm al-Qura calendar).
HIJRI_MONTHS = _month_table(
    {
        1: "محرم,المحرم",
        2: "صفر",
        3: "ربيع الأول,ربيع الاول",
        4: "ربيع الآخر,ربيع الثاني",
        5: "جمادى الأولى,جمادى الاولى",
        6: "جمادى الآخرة,جمادى الثانية,جمادى الاخرة",
        7: "رجب",
        8: "شعبان",
        9: "رمضان",
        10: "شوال",
        11: "ذو القعدة,ذي القعدة",
        12: "ذو الحجة,ذي الحجة",
    }
)
EN_MONTHS = _month_table(
    {
        1: "january,jan",
        2: "february,feb",
        3: "march,mar",
        4: "april,apr",
        5: "may",
        6: "june,jun",
        7: "july,jul",
        8: "august,aug",
        9: "september,sept,sep",
        10: "october,oct",
        11: "november,nov",
        12: "december,dec",
    }
)
_AR_WEEKDAYS = {"الاثنين": 0, "الثلاثاء": 1, "الاربعاء": 2, "الخميس": 3, "الجمعه": 4, "السبت": 5, "الاحد": 6}
_EN_WEEKDAYS = {
    d: n for n, d in enumerate(["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"])
}
_MONTH_LOOKUP = {_view(k).replace(" ", ""): v for k, v in (AR_MONTHS | EN_MONTHS).items()}
_HIJRI_LOOKUP = {_view(k).replace(" ", ""): v for k, v in HIJRI_MONTHS.items()}

_AR_M = _alternation(AR_MONTHS)
_EN_M = _alternation(EN_MONTHS)
_AR_WD = "|".join(_AR_WEEKDAYS)
_EN_WD = "|".join(_EN_WEEKDAYS)
_NB = r"(?<![\w/.\-])"  # no word character (or date separator) just before
_NA = r"(?![\w/\-]|\.\d)"  # none just after
_DAY = r"(?P<day>[0-3]?\d)"
_YEAR = r"(?P<year>[12]\d{3})"

_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "Hijri day month year",
        re.compile(
            rf"{_NB}(?:(?P<wd>{_AR_WD})\s*[،,]?\s*)?(?:الـ?\s*)?{_DAY}\s+(?:من\s+)?(?P<month>{_alternation(HIJRI_MONTHS)})"
            rf"\s*[،,]?\s*(?:(?:عام|سنه|لعام)\s+)?{_YEAR}\s*(?P<era>هـ|ه(?!\w)|هجري(?:ه)?|للهجره)?{_NA}"
        ),
    ),
    (
        "Arabic day month year",
        re.compile(
            rf"{_NB}(?:(?P<wd>{_AR_WD})\s*[،,]?\s*)?(?:الـ?\s*)?{_DAY}ي?\s+(?:من\s+)?(?:شهر\s+)?(?P<month>{_AR_M})ي?"
            rf"(?:\s*[/(\-]\s*(?P<month2>{_AR_M})\s*\)?)?\s*[،,]?\s*(?:(?:عام|سنه|لعام)\s+)?{_YEAR}"
            rf"(?:\s*م(?!\w))?{_NA}"
        ),
    ),
    (
        "English day month year",
        re.compile(
            rf"{_NB}(?:(?P<wd>{_EN_WD}),?\s+(?:the\s+)?)?{_DAY}(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<month>{_EN_M})\.?"
            rf",?\s+{_YEAR}{_NA}",
            re.I,
        ),
    ),
    (
        "English month day year",
        re.compile(
            rf"{_NB}(?:(?P<wd>{_EN_WD}),?\s+)?(?P<month>{_EN_M})\.?\s+{_DAY}(?:st|nd|rd|th)?,?\s+{_YEAR}{_NA}",
            re.I,
        ),
    ),
    (
        "ISO date",
        re.compile(rf"{_NB}{_YEAR}(?P<sep>[-/.])(?P<mnum>[01]?\d)(?P=sep){_DAY}(?!(?!T\d)[\w\-/]|\.\d)"),
    ),
    (
        "numeric day/month/year",
        re.compile(rf"{_NB}{_DAY}(?P<sep>[/.\-])(?P<mnum>[01]?\d)(?P=sep){_YEAR}(?![\w\-/]|\.\d)"),
    ),
)


@dataclass(frozen=True)
class FoundDate:
    """A date and how it was found.

    ``source`` is one of :data:`DATE_SOURCES`; ``how`` says in words what was read (the phrase
    and its character offsets for a date from the text); ``span`` is ``(start, end)`` in the text.
    """

    date: dt.date
    source: str
    how: str
    span: tuple[int, int] | None = None


@dataclass(frozen=True)
class DateChoice:
    """The article's date (``None`` when nothing gave one), its source, flag and how it was found."""

    date: dt.date | None
    source: str
    flag: str | None
    how: str


def dates_in_text(text: str, *, limit: int | None = None) -> list[FoundDate]:
    """Every complete date phrase of ``text`` in text order (the first ``limit`` when given).

    Overlapping readings keep the longest phrase. A weekday that does not match the date is noted
    in ``how`` (the date is kept: the weekday is the likelier typo).
    """
    view = _view(text)
    found: list[tuple[int, int, FoundDate]] = []
    for kind, pattern in _PATTERNS:
        for m in pattern.finditer(view):
            got = _reading(kind, m, text)
            if got is not None:
                found.append((m.start(), m.end(), got))
    found.sort(key=lambda f: (f[0], -(f[1] - f[0])))
    kept: list[FoundDate] = []
    last_end = -1
    for start, end, item in found:
        if start >= last_end:
            kept.append(item)
            last_end = end
            if limit is not None and len(kept) >= limit:
                break
    return kept


def _reading(kind: str, m: re.Match[str], text: str) -> FoundDate | None:
    groups = m.groupdict()
    day, year = int(groups["day"]), int(groups["year"])
    phrase = text[m.start() : m.end()]
    note = ""
    if kind == "Hijri day month year":
        month = _HIJRI_LOOKUP[re.sub(r"\s+", "", groups["month"]).lower()]
        date = _hijri(year, month, day)
        if date is None:
            return None
        note = f" (Hijri {day}/{month}/{year} AH)"
    else:
        if groups.get("mnum"):
            month = int(groups["mnum"])
        else:
            month = _MONTH_LOOKUP[re.sub(r"\s+", "", groups["month"]).lower()]
            second = groups.get("month2")
            if second and _MONTH_LOOKUP[re.sub(r"\s+", "", second)] != month:
                note = f" (the second month name, {second!r}, disagrees; the first is taken)"
        try:
            date = dt.date(year, month, day)
        except ValueError:
            return None
        if kind == "numeric day/month/year" and day <= 12 and month <= 12 and day != month:
            note = " (read day first, as the Iraqi press writes it)"
    weekday = groups.get("wd")
    if weekday:
        expected = {**_AR_WEEKDAYS, **_EN_WEEKDAYS}.get(weekday.lower())
        if expected is not None and expected != date.weekday():
            note += f" (the weekday {weekday!r} does not match; the date is kept)"
    how = f"{kind} {phrase!r} at {m.start()}-{m.end()}{note}"
    return FoundDate(date=date, source="text", how=how, span=(m.start(), m.end()))


def _hijri(year: int, month: int, day: int) -> dt.date | None:
    from hijridate import Hijri

    try:
        g = Hijri(year, month, day).to_gregorian()
    except (ValueError, OverflowError):  # outside the Umm al-Qura table (1343-1500 AH) or no such day
        return None
    return dt.date(g.year, g.month, g.day)


def date_from_text(text: str) -> FoundDate | None:
    """The first complete date of ``text`` (the dateline when the article has one)."""
    found = dates_in_text(text, limit=1)
    return found[0] if found else None


_ISO = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})(?:[T ][\d:.]+(?P<tz>Z|[+-]\d{2}:?\d{2})?)?\s*$")


def parse_date_value(value: object, *, source: str) -> FoundDate | None:
    """A metadata date: ISO 8601, RFC 2822 (feeds), a date phrase, a ``date``/``datetime``/struct_time.

    The date is the calendar day where it was written (``2021-03-06T23:30-05:00`` is 6 March).
    Returns ``None`` for anything else (the caller says so and falls back to the text).

    >>> parse_date_value("Sat, 06 Mar 2021 23:30:00 -0500", source="feed").date
    datetime.date(2021, 3, 6)
    >>> parse_date_value("3 أيار 2024", source="jsonl").how
    "jsonl: '3 أيار 2024'"
    >>> parse_date_value("soon", source="jsonl") is None
    True
    """
    date: dt.date | None = None
    if isinstance(value, dt.datetime):
        date = value.date()
    elif isinstance(value, dt.date):
        date = value
    elif isinstance(value, time.struct_time):
        date = dt.date(value.tm_year, value.tm_mon, value.tm_mday)
    elif isinstance(value, str) and value.strip():
        date = _parse_string(value.strip())
    if date is None:
        return None
    shown = value if isinstance(value, str) else str(date)
    return FoundDate(date=date, source=source, how=f"{source}: {shown!r}")


def _parse_string(value: str) -> dt.date | None:
    m = _ISO.match(value)
    if m:
        try:
            return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            return None
    if re.search(r"\d{1,2}:\d{2}", value) and re.search(r"[A-Za-z]{3}", value):
        try:
            return email.utils.parsedate_to_datetime(value).date()
        except (TypeError, ValueError, IndexError):
            pass
    found = dates_in_text(value, limit=1)
    if found and found[0].span is not None and found[0].span[1] - found[0].span[0] >= 0.6 * len(value):
        return found[0].date
    return None


def date_from_html(html: str) -> FoundDate | None:
    """The publication date in an HTML page's metadata (``article:published_time``, JSON-LD ...).

    Read with :func:`htmldate.find_date` on the markup only (no guessing from the body text, which
    :func:`dates_in_text` does with offsets); dates outside 1800-2199 are not asked for.
    """
    import htmldate

    try:
        found = htmldate.find_date(
            html, extensive_search=False, original_date=True, min_date="1800-01-01", max_date="2199-12-31"
        )
    except Exception:  # htmldate/lxml raise many error types on broken markup
        return None
    if not found:
        return None
    try:
        date = dt.date.fromisoformat(found[:10])
    except ValueError:
        return None
    return FoundDate(date=date, source="html-meta", how=f"html-meta: {found}")


def date_flag(date: dt.date | None, *, today: dt.date | None = None) -> str | None:
    """``"future"`` after ``today`` (default: the local date), ``"before-1900"``, else ``None``.

    >>> date_flag(dt.date(1899, 12, 31)), date_flag(dt.date(2021, 3, 6), today=dt.date(2024, 1, 1))
    ('before-1900', None)
    """
    if date is None:
        return None
    if date > (today or dt.date.today()):
        return "future"
    if date < EARLIEST:
        return "before-1900"
    return None


def choose_date(text: str, metadata: FoundDate | None = None, *, today: dt.date | None = None) -> DateChoice:
    """The article's date: ``metadata`` when given, else the first date of ``text``; flagged.

    A metadata date that differs from the text's dateline (a date in its first
    :data:`DATELINE_CHARS` characters) by more than :data:`CONFLICT_DAYS` is kept and flagged
    ``conflict``; ``how`` names both.

    >>> c = choose_date("Baghdad, 6 March 2021 - ...", parse_date_value("2021-05-01", source="jsonl"))
    >>> (str(c.date), c.source, c.flag)
    ('2021-05-01', 'jsonl', 'conflict')
    """
    first = date_from_text(text[: DATELINE_CHARS + 60])
    dateline = (
        first if first is not None and first.span is not None and first.span[0] < DATELINE_CHARS else None
    )
    if metadata is None:
        chosen = dateline or date_from_text(text)
        if chosen is None:
            return DateChoice(None, "none", None, "no date in the metadata or the text")
        return DateChoice(chosen.date, "text", date_flag(chosen.date, today=today), chosen.how)
    flag = date_flag(metadata.date, today=today)
    how = metadata.how
    if dateline is not None and abs((dateline.date - metadata.date).days) > CONFLICT_DAYS:
        how += f"; the text says {dateline.date} ({dateline.how})"
        flag = flag or "conflict"
    return DateChoice(metadata.date, metadata.source, flag, how)
