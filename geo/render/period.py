"""A briefing of a period: what the workspace's articles report between two dates, as HTML or PDF.

The first page is the one a commander reads: the period, the date prepared, the filters, and the
bottom line up front (3-5 sentences computed from the events: how many attacks and their toll,
where they were most frequent and where they rose against the period before, the surges, the
zones in force), with the key figures. Then the aggregated map (governorates shaded by events,
surge governorates outlined, events by type and toll, zones in force), the weekly trend chart, the
surge list with the articles behind each surge, the zones in force (operations rooms, the
security-vacuum belt, disputed areas) with their articles, key quotes in the articles' own
language (Arabic right to left, in logical order in the PDF's text) glossed with the English place
names, and the data sources with their licences and whether this briefing used them.

Surges follow :mod:`geo.events.trends`, computed over every dated event up to the period's end, so
the period's first weeks have their baseline. :func:`write_period_briefing` renders the PDF with
WeasyPrint, as the one-article briefing does (:func:`geo.render.briefing.html_to_pdf`).

Examples
--------
>>> from geo.store import Store
>>> with Store() as store:  # doctest: +SKIP
...     write_period_briefing(store, "out/march.pdf", Period(dt.date(2024, 3, 1), dt.date(2024, 3, 31)))
"""

from __future__ import annotations

import base64
import datetime as dt
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2

from geo import files
from geo.data import boundaries, sources
from geo.errors import ExportError, ParameterError
from geo.events.kinds import EVENT_TYPES
from geo.events.trends import MIN_EVENTS
from geo.render import briefingtext, periodmap, timeline
from geo.store import Filters

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd

    from geo.store import Store

log = logging.getLogger(__name__)

TEMPLATES = Path(__file__).resolve().parent / "templates"
FORMATS = ("pdf", "html")
#: Zone kinds that are "in force" for a period (attack areas are events, already counted).
ZONES_IN_FORCE = ("operations_room", "security_vacuum", "disputed_territories")
MAX_QUOTES = 8
QUOTE_MAX_CHARS = 360
#: Articles listed behind one surge or zone before "+N more".
MAX_ARTICLES = 6
_RTL = re.compile(r"[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]")


@dataclass(frozen=True)
class Period:
    """The days ``date_from`` .. ``date_to`` (inclusive) and the filters of a period briefing."""

    date_from: dt.date
    date_to: dt.date
    lang: str | None = None
    types: tuple[str, ...] | None = None
    governorate: str | None = None

    def __post_init__(self) -> None:
        if self.date_from > self.date_to:
            msg = f"the period is empty: --from {self.date_from} is after --to {self.date_to}"
            raise ParameterError(msg)
        unknown = [t for t in self.types or () if t not in EVENT_TYPES]
        if unknown:
            msg = f"event types must be among {', '.join(EVENT_TYPES)}; got {', '.join(unknown)}"
            raise ParameterError(msg)
        if self.governorate is not None and not re.fullmatch(r"IQG\d\d", self.governorate):
            msg = f"a governorate is given by its P-code (IQG01 .. IQG18), got {self.governorate!r}"
            raise ParameterError(msg)

    @property
    def days(self) -> int:
        return (self.date_to - self.date_from).days + 1

    def title(self) -> str:
        """``"Period briefing: 4 March 2024 to 31 March 2024"``."""
        return f"Period briefing: {_long(self.date_from)} to {_long(self.date_to)}"


def _long(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


@dataclass
class PeriodData:
    """What a period briefing is built from (every frame already filtered)."""

    period: Period
    events: pd.DataFrame  # dated events of the period
    before: pd.DataFrame  # dated events of the same length of time just before
    undated: int
    surges: pd.DataFrame
    weekly: pd.DataFrame
    zones: gpd.GeoDataFrame
    articles: pd.DataFrame
    names: dict[str, str]
    datasets: set[str] = field(default_factory=set)


@lru_cache(maxsize=1)
def governorate_names() -> dict[str, str]:
    """Governorate P-code -> English name."""
    layer = boundaries.load_level(1, web=True)
    return dict(zip(layer["pcode"], layer["name_en"], strict=True))


def gather(store: Store, period: Period) -> PeriodData:
    """Read the period's events, trends, zones and articles from ``store``."""
    import pandas as pd

    names = governorate_names()
    reach = Filters(date_to=period.date_to, lang=period.lang)
    every = store.events(reach, types=list(period.types) if period.types else None)
    if period.governorate and len(every):
        every = every[every["governorate_pcode"] == period.governorate]
    dates = (
        pd.to_datetime(every["date"], errors="coerce") if len(every) else pd.Series(dtype="datetime64[ns]")
    )
    low, high = pd.Timestamp(period.date_from), pd.Timestamp(period.date_to)
    inside = (dates >= low) & (dates <= high)
    prior = (dates < low) & (dates >= low - pd.Timedelta(days=period.days))
    article_days = pd.to_datetime(every["article_date"], errors="coerce") if len(every) else dates
    undated = int((dates.isna() & (article_days >= low) & (article_days <= high)).sum()) if len(every) else 0
    events = every[inside].reset_index(drop=True)
    trends = timeline.governorate_trends(every[dates.notna()])
    surges = timeline.surge_rows(trends, every, names, date_range=(period.date_from, period.date_to))
    in_period = Filters(date_from=period.date_from, date_to=period.date_to, lang=period.lang)
    zones = store.zones(in_period)
    zones = zones[zones["kind"].isin(ZONES_IN_FORCE)] if len(zones) else zones
    if period.governorate and len(zones):
        zones = zones[[period.governorate in str(c or "") for c in zones["covers"]]]
    articles = store.articles(in_period)
    places = store.places(in_period)
    known = [d["id"] for d in sources.describe()]
    used = {boundaries.BOUNDARY_DATASET}
    for tag in list(places["dataset"].dropna().unique()) + list(zones["dataset"].dropna().unique()):
        used |= briefingtext.dataset_ids(str(tag), known)
    return PeriodData(
        period=period,
        events=events,
        before=every[prior].reset_index(drop=True),
        undated=undated,
        surges=surges,
        weekly=timeline.weekly(events),
        zones=zones,
        articles=articles,
        names=names,
        datasets=used,
    )


# --- the words -------------------------------------------------------------------------------------


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def _names(items: Sequence[str], limit: int = 4) -> str:
    items = list(dict.fromkeys(items))
    if len(items) > limit:
        return ", ".join(items[:limit]) + f" and {len(items) - limit} more"
    return ", ".join(items[:-1]) + " and " + items[-1] if len(items) > 1 else (items[0] if items else "")


def _toll(frame: pd.DataFrame) -> str:
    killed = int(frame["killed"].fillna(0).sum()) if len(frame) else 0
    wounded = int(frame["wounded"].fillna(0).sum()) if len(frame) else 0
    return f"{killed} killed and {wounded} wounded as reported"


def _what(data: PeriodData) -> str:
    ev = data.events
    n_articles = int(ev["article_id"].nunique()) if len(ev) else 0
    if not len(ev):
        return (
            f"No dated event was reported in the {_plural(len(data.articles), 'article')} of "
            f"{data.period.date_from} to {data.period.date_to}."
        )
    attacks = ev[ev["family"] == "attack"]
    arrangements = int((ev["family"] == "security_arrangement").sum())
    displacement = int((ev["family"] == "displacement").sum())
    parts = [f"{_plural(len(attacks), 'attack')} ({_toll(attacks)})"]
    if arrangements:
        parts.append(_plural(arrangements, "security arrangement"))
    if displacement:
        parts.append(_plural(displacement, "displacement"))
    return (
        f"From {data.period.date_from} to {data.period.date_to}, {n_articles} "
        f"article{'s' if n_articles != 1 else ''} reported {_plural(len(ev), 'event')}: {_names(parts)}."
    )


def _where(data: PeriodData) -> str:
    attacks = data.events[data.events["family"] == "attack"] if len(data.events) else data.events
    if not len(attacks):
        return ""
    now = attacks["governorate_pcode"].dropna().value_counts()
    if not len(now):
        return "No attack could be placed in a governorate."
    top = [f"{data.names.get(p, p)} ({n})" for p, n in now.head(3).items()]
    sentence = f"Attacks were most frequent in {_names(top)}."
    was = (
        data.before[data.before["family"] == "attack"]["governorate_pcode"].value_counts()
        if len(data.before)
        else now.iloc[:0]
    )
    rise = (now - was.reindex(now.index, fill_value=0)).sort_values(ascending=False)
    if len(rise) and rise.iloc[0] > 0:
        p = str(rise.index[0])
        sentence += (
            f" They rose most in {data.names.get(p, p)}: {int(now[p])} against {int(was.get(p, 0))} "
            f"in the {data.period.days} days before."
        )
    return sentence


def _surges(data: PeriodData) -> str:
    rule = f"a week above its trailing {8}-week mean + 2 sd, with at least 3 events"
    if not len(data.surges):
        return f"No governorate surged ({rule})."
    items = [
        f"{r.governorate} in the week of {r.start.isoformat()} ({r.count} events against a baseline of "
        f"{r.baseline:g} a week)"
        for r in data.surges.itertuples()
    ]
    return f"Surge{'s' if len(items) > 1 else ''} ({rule}): {_names(items, limit=3)}."


def _zones(data: PeriodData, styles: Mapping[str, Mapping[str, Any]]) -> str:
    if not len(data.zones):
        return "No operations room, security-vacuum belt or disputed area was described in the period."
    parts = []
    for kind in ZONES_IN_FORCE:
        rows = data.zones[data.zones["kind"] == kind]
        if not len(rows):
            continue
        one, many = briefingtext.NOUNS.get(kind, (kind, kind + "s"))
        n = int(rows["zone_id"].nunique())
        parts.append(f"{n} {many}" if n > 1 else one)
    n_articles = int(data.zones["article_id"].nunique())
    return f"Zones in force: {_names(parts)}, described in {_plural(n_articles, 'article')}."


def bottom_line(data: PeriodData, styles: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """3-5 sentences: what was reported, where attacks were and rose, surges, zones in force."""
    sentences = [_what(data), _where(data), _surges(data), _zones(data, styles)]
    if data.undated:
        sentences.append(
            f"{_plural(data.undated, 'undated event')} in the period's articles "
            f"{'is' if data.undated == 1 else 'are'} left out of the counts."
        )
    return [s for s in sentences if s][:5]


def key_figures(data: PeriodData) -> list[tuple[str, str]]:
    """The first page's table: label and value."""
    ev = data.events
    attacks = ev[ev["family"] == "attack"] if len(ev) else ev
    return [
        ("Articles in the period", str(len(data.articles))),
        ("Dated events", str(len(ev))),
        ("Attacks", str(len(attacks))),
        ("Killed (reported)", str(int(attacks["killed"].fillna(0).sum()) if len(attacks) else 0)),
        ("Wounded (reported)", str(int(attacks["wounded"].fillna(0).sum()) if len(attacks) else 0)),
        ("Governorates with events", str(int(ev["governorate_pcode"].nunique()) if len(ev) else 0)),
        ("Surges", str(len(data.surges))),
        ("Zones in force", str(int(data.zones["zone_id"].nunique()) if len(data.zones) else 0)),
        ("Undated events left out", str(data.undated)),
    ]


def _article_items(rows: Sequence[tuple[str, str, str | None]]) -> list[str]:
    items = [f"{title} ({day or 'undated'})" for _i, title, day in rows[:MAX_ARTICLES]]
    if len(rows) > MAX_ARTICLES:
        items.append(f"+{len(rows) - MAX_ARTICLES} more")
    return items


def zone_rows(data: PeriodData, styles: Mapping[str, Mapping[str, Any]]) -> list[dict[str, Any]]:
    """One row per zone in force: kind, label, governorates it reaches, the articles behind it."""
    if not len(data.zones):
        return []
    titles = dict(
        zip(data.articles["id"], data.articles["title"].fillna(data.articles["source"]), strict=True)
    )
    rows = []
    for (kind, _zone), group in data.zones.groupby(["kind", "zone_id"], sort=False):
        style = styles.get(str(kind), {})
        govs = sorted(
            {c.strip()[:5] for cs in group["covers"] for c in str(cs or "").split(",") if c.strip()}
        )
        behind = [
            (str(a), str(titles.get(a, a)), briefingtext.as_date(d) or None)
            for a, d in group[["article_id", "date"]].drop_duplicates("article_id").itertuples(index=False)
        ]
        rows.append(
            {
                "kind": str(kind),
                "kind_label": str(style.get("label") or str(kind).replace("_", " ").capitalize()),
                "color": str(style.get("color", "#555555")),
                "label": str(group["label"].iloc[0]),
                "label_ar": str(group["label_ar"].iloc[0] or ""),
                "governorates": ", ".join(data.names.get(g, g) for g in govs) or "—",
                "articles": _article_items(behind),
            }
        )
    order = {k: i for i, k in enumerate(ZONES_IN_FORCE)}
    return sorted(rows, key=lambda r: (order.get(r["kind"], len(order)), r["label"]))


def surge_items(data: PeriodData) -> list[dict[str, Any]]:
    return [
        {
            "governorate": r.governorate,
            "pcode": r.pcode,
            "week": r.week,
            "count": r.count,
            "baseline": f"{r.baseline:g}",
            # the rule in full: above mean + 2 sd, and at least MIN_EVENTS (a zero baseline is not enough)
            "threshold": f"> {r.threshold:.3g}, ≥ {MIN_EVENTS}",
            "articles": _article_items(list(r.articles)),
        }
        for r in data.surges.itertuples()
    ]


def quotes(data: PeriodData) -> list[dict[str, Any]]:
    """The events' sentences worth quoting: attacks first, the heaviest toll first, Arabic first."""
    ev = data.events
    if not len(ev):
        return []
    toll = ev["killed"].fillna(0) + ev["wounded"].fillna(0)
    ranked = ev.assign(
        _attack=(ev["family"] != "attack").astype(int),
        _toll=-toll,
        _latin=[0 if _RTL.search(str(q or "")) else 1 for q in ev["quote"]],
    ).sort_values(["_attack", "_latin", "_toll", "confidence"], ascending=[True, True, True, False])
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for row in ranked.itertuples():
        text = " ".join(str(row.quote or "").split())
        if not text or text in seen:
            continue
        seen.add(text)
        if len(text) > QUOTE_MAX_CHARS:
            text = text[:QUOTE_MAX_CHARS].rsplit(" ", 1)[0] + " …"
        rtl = bool(_RTL.search(text))
        gov = data.names.get(str(row.governorate_pcode), "") if row.governorate_pcode else ""
        where = (
            ", ".join(x for x in (str(row.place_name or ""), gov) if x and x != "None") or "place not given"
        )
        day = briefingtext.as_date(row.date)
        gloss = [
            timeline.type_label(str(row.type)),
            where,
            day or "undated",
            timeline.actor_names(row.actors),
        ]
        toll_words = timeline.toll_words(row.killed, row.wounded)
        out.append(
            {
                "text": text,
                "dir": "rtl" if rtl else "ltr",
                "lang": "ar" if rtl else "en",
                "gloss": " · ".join([*gloss, toll_words]),
                "article": str(row.title or row.article_id),
            }
        )
        if len(out) >= MAX_QUOTES:
            break
    return out


# --- the document ----------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _template() -> jinja2.Template:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env.get_template("period.html.j2")


def _uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def period_html(
    data: PeriodData,
    *,
    styles: Mapping[str, Mapping[str, Any]] | None = None,
    prepared: dt.datetime | None = None,
) -> str:
    """The period briefing as one self-contained HTML page (map and chart embedded)."""
    from geo.render.basemap import country_shapes
    from geo.render.mapview import zone_styles

    styles = zone_styles() if styles is None else styles
    prepared = prepared or dt.datetime.now(dt.UTC)
    surge_codes = list(dict.fromkeys(data.surges["pcode"])) if len(data.surges) else []
    map_png = periodmap.period_map_png(data.events, zones=data.zones, surge_pcodes=surge_codes, styles=styles)
    chart_png = periodmap.trend_chart_png(
        data.weekly, surge_weeks=list(data.surges["start"]) if len(data.surges) else []
    )
    described = sources.describe()
    used = set(data.datasets)
    if country_shapes() and boundaries.COUNTRY_DATASET in {d["id"] for d in described}:
        used.add(boundaries.COUNTRY_DATASET)
    p = data.period
    filters = [f"language: {p.lang}" if p.lang else "all languages"]
    filters.append(
        "types: " + ", ".join(timeline.type_label(t) for t in p.types) if p.types else "all event types"
    )
    if p.governorate:
        filters.append(f"governorate: {data.names.get(p.governorate, p.governorate)} ({p.governorate})")
    return _template().render(
        title=p.title(),
        prepared=prepared.strftime("%Y-%m-%d %H:%M UTC"),
        filters=" · ".join(filters),
        bottom_line=bottom_line(data, styles),
        figures=key_figures(data),
        map_uri=_uri(map_png),
        chart_uri=_uri(chart_png),
        surges=surge_items(data),
        zones=zone_rows(data, styles),
        quotes=quotes(data),
        sources=[{**d, "used": d["id"] in used} for d in described],
        attributions=[d["attribution"] for d in described if d["id"] in used],
        attribution_css=sources.get_dataset(boundaries.BOUNDARY_DATASET).attribution.replace('"', "'"),
    )


def write_period_briefing(
    store: Store,
    path: str | Path,
    period: Period,
    *,
    fmt: str | None = None,
    styles: Mapping[str, Mapping[str, Any]] | None = None,
    prepared: dt.datetime | None = None,
) -> Path:
    """Write the period briefing of ``store`` to ``path`` as PDF or HTML (by default its suffix)."""
    from geo.render.briefing import html_to_pdf

    target = Path(path)
    fmt = fmt or target.suffix.lstrip(".").lower()
    if fmt not in FORMATS:
        msg = f"the briefing is written as .pdf or .html; got {target.name!r}"
        raise ExportError(msg)
    files.check_out_dir(target.parent, error=ExportError)
    page = period_html(gather(store, period), styles=styles, prepared=prepared)
    with files.staging(target.parent, error=ExportError) as stage:
        out = stage(target.name)
        if fmt == "html":
            out.write_text(page, encoding="utf-8")
        else:
            html_to_pdf(page, out)
    log.info("period briefing written: %s", target)
    return target
