"""An analyst's briefing of one article, as HTML and as PDF.

The briefing opens with the bottom line (what the article reports, where, when, what zones, what
to check), then the article's title, source and date and the date it was prepared, the labelled
map (its title is the briefing's own), the zones (kind, label, area, covered districts), the
places table, key quotes in the article's own language (Arabic right to left) with the English
place names, each sentence once, and the data sources with their licences and whether this
briefing used them. :func:`briefing_html` builds one self-contained HTML page (the map is
embedded); :func:`write_briefing` writes it as HTML or renders it to PDF with WeasyPrint, which
shapes Arabic with HarfBuzz and keeps the text in logical order (Debian's Noto Naskh Arabic font).

Examples
--------
>>> from geo.render import briefing
>>> result = briefing.write_briefing(analysis, "out/article-000-briefing.pdf", title=article.title)
>>> result.path.name, result.map_renderer
('article-000-briefing.pdf', 'chromium')
"""

from __future__ import annotations

import base64
import datetime as dt
import logging
import tempfile
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
from markupsafe import Markup

from geo import files
from geo.data import boundaries, sources
from geo.errors import BoundaryError, DataSourceError, ExportError
from geo.model import Analysis, Place
from geo.render import briefingtext
from geo.render.quotes import (  # noqa: F401  (the briefing's quotes, importable from here too)
    MAX_QUOTES,
    QUOTE_MAX_CHARS,
    RTL_CHARS,
    Quote,
    Segment,
    distinct_quotes,
    excerpt,
    key_quotes,
)

if TYPE_CHECKING:
    from geo.pipeline import Settings
    from geo.render.mapview import MapView, SnapshotResult

log = logging.getLogger(__name__)

TEMPLATES = Path(__file__).resolve().parent / "templates"
FORMATS = ("pdf", "html")
#: The briefing's map: CSS pixels (so the map's labels stay legible at page width) and scale.
MAP_SIZE = (1100, 720)
MAP_SCALE = 2
#: Covered districts listed per zone before "+N more".
MAX_UNITS_LISTED = 12
LANGUAGES = {
    "ar": "Arabic",
    "ckb": "Kurdish (Sorani)",
    "ku": "Kurdish",
    "kmr": "Kurdish (Kurmanji)",
    "en": "English",
    "und": "not recognised",
}


@dataclass(frozen=True)
class BriefingResult:
    """A written briefing and the map it used."""

    path: Path
    format: str
    map_renderer: str
    seconds: float
    note: str = ""


# --- tables --------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _unit_names() -> dict[str, str]:
    """ADM1-ADM3 P-code -> English name (empty when the boundaries are not available)."""
    names: dict[str, str] = {}
    for level in (1, 2, 3):
        try:
            frame = boundaries.load_level(level)
        except (BoundaryError, DataSourceError) as exc:
            log.warning("briefing lists P-codes without names: %s", exc)
            return names
        names.update(zip(frame["pcode"], frame["name_en"], strict=True))
    return names


def _units(pcodes: list[str]) -> str:
    """The districts (ADM2) a zone covers, by name, and how many sub-districts (ADM3) besides."""
    names = _unit_names()
    districts = [p for p in pcodes if len(p) != 11]  # ADM3 P-codes are IQGnnQnnNnn
    subdistricts = len(pcodes) - len(districts)
    listed = [names.get(p, p) for p in districts[:MAX_UNITS_LISTED]]
    more = len(districts) - len(listed)
    text = ", ".join(listed) + (f", +{more} more" if more > 0 else "")
    if subdistricts:
        text += f"{'; ' if text else ''}{subdistricts} sub-district{'s' if subdistricts != 1 else ''}"
    return text


def _place_names(analysis: Analysis) -> dict[str, str]:
    table: dict[str, str] = {}
    for p in analysis.places:
        table[p.id] = p.name
        if p.pcode:
            table[p.pcode] = p.name
    return table


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _zone_rows(analysis: Analysis, styles: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    names = {**_unit_names(), **_place_names(analysis)}
    rows = []
    for zone in analysis.zones:
        style = styles.get(zone.kind, {})
        color = str(style.get("color", "#555555"))
        kind_label = str(style.get("label") or zone.kind.replace("_", " ").capitalize())
        rows.append(
            {
                "kind_label": kind_label,
                "color": color,
                "fill": str(style.get("fill_color") or color),
                "label": _capitalised(briefingtext.short_zone(zone.label, kind_label) or zone.label),
                "label_ar": zone.label_ar,
                "area": f"{zone.area_km2:,.0f}",
                "covers": _units(list(zone.covers)),
                "places": ", ".join(dict.fromkeys(names.get(p, p) for p in zone.places)),
            }
        )
    return rows


def _place_rows(places: list[Place]) -> list[dict[str, Any]]:
    return [
        {
            "name": p.name,
            "name_ar": p.name_ar,
            "kind": p.kind,
            "governorate": p.governorate,
            "pcode": p.pcode,
            "confidence": f"{p.confidence:.2f}",
            "mentions": len(p.mentions),
        }
        for p in sorted(places, key=lambda p: min((m.start for m in p.mentions), default=0))
    ]


# --- the document --------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _template() -> jinja2.Template:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env.get_template("briefing.html.j2")


def _css_string(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")


def briefing_html(
    analysis: Analysis,
    *,
    title: str | None = None,
    settings: Settings | None = None,
    map_png: bytes | None = None,
    map_note: str = "",
    map_fallback: bool = False,
    styles: dict[str, dict[str, Any]] | None = None,
    prepared: dt.datetime | None = None,
    published: str | dt.date | dt.datetime | None = None,
) -> str:
    """The briefing as one self-contained HTML page (``map_png`` embedded as a data URI).

    It opens with the bottom line (:func:`geo.render.briefingtext.bottom_line`), the article's
    date (``published``, when known) and the date it was prepared.
    """
    from geo.render.basemap import country_shapes
    from geo.render.mapview import map_title, settings_line, zone_styles

    styles = zone_styles() if styles is None else styles
    prepared = prepared or dt.datetime.now(dt.UTC)
    heading = map_title(analysis, title)
    described = sources.describe()
    used = briefingtext.used_datasets(
        analysis, [d["id"] for d in described], countries_drawn=map_png is not None and bool(country_shapes())
    )
    attributions = [d["attribution"] for d in described if d["id"] in used]
    boundary_line = sources.get_dataset(boundaries.BOUNDARY_DATASET).attribution
    caption = (
        "Map: the article's places and zones, with Iraq's governorates and districts and its neighbours."
    )
    if map_fallback:
        caption += f" {map_note}"
    if map_png is None:
        caption = map_note or "No map snapshot is available for this briefing."
    date = briefingtext.article_date(analysis, published)
    notes = [n for n in (briefingtext.reader_note(n) for n in analysis.notes) if n]
    return _template().render(
        title=heading,
        title_lang="ar" if RTL_CHARS.search(heading) else "",
        source=analysis.source,
        language=LANGUAGES.get(analysis.lang, analysis.lang),
        published=date or "not given in the article",
        prepared=prepared.strftime("%Y-%m-%d %H:%M UTC"),
        settings_line=settings_line(settings),
        map_uri=("data:image/png;base64," + base64.b64encode(map_png).decode("ascii")) if map_png else "",
        map_caption=caption,
        map_fallback=map_fallback,
        bottom_line=briefingtext.bottom_line(analysis, styles, published=date),
        notes=notes,
        zones=_zone_rows(analysis, styles),
        places=_place_rows(analysis.places),
        quotes=key_quotes(analysis, styles=styles, title=title),
        sources=[{**d, "used": d["id"] in used} for d in described],
        attributions=attributions,
        attribution_css=Markup(_css_string(boundary_line)),
    )


def html_to_pdf(page: str, path: Path) -> None:
    """Render ``page`` to a PDF at ``path`` with WeasyPrint (no network: only data: URIs load)."""
    try:
        import weasyprint
        import weasyprint.urls
    except ImportError as exc:  # pragma: no cover - a declared dependency
        msg = "PDF briefings need WeasyPrint. Fix: pip install -r requirements.txt"
        raise ExportError(msg) from exc

    fetcher_class = getattr(weasyprint.urls, "URLFetcher", None)
    if fetcher_class is not None:  # WeasyPrint >= 67: a fetcher object limited to data: URIs
        fetcher: Any = fetcher_class(allowed_protocols=("data",))
    else:  # older WeasyPrint: a fetcher function

        def fetcher(url: str, *args: Any, **kwargs: Any) -> Any:
            if not url.startswith("data:"):
                msg = f"the briefing may not load {url[:80]!r}"
                raise ValueError(msg)
            return weasyprint.default_url_fetcher(url, *args, **kwargs)

    try:
        weasyprint.HTML(string=page, url_fetcher=fetcher).write_pdf(path)
    except OSError as exc:
        msg = f"could not write the PDF briefing {path.name}: {exc}"
        raise ExportError(msg) from exc


def write_briefing(
    analysis: Analysis,
    path: str | Path,
    *,
    fmt: str = "pdf",
    title: str | None = None,
    settings: Settings | None = None,
    snapshot: SnapshotResult | None = None,
    basemap: str | None = None,
    timeout_s: float | None = None,
    styles: dict[str, dict[str, Any]] | None = None,
    prepared: dt.datetime | None = None,
    view: MapView | None = None,
    published: str | dt.date | dt.datetime | None = None,
) -> BriefingResult:
    """Write the briefing of ``analysis`` to ``path`` as ``fmt`` ("pdf" or "html").

    ``snapshot`` is a PNG already made of this analysis; without one, a page-sized snapshot of the
    map (as ``view`` shows it, without a title: the briefing has its own) is rendered first
    (headless Chromium, else the static fallback). ``published`` is the article's date, when known.
    """
    from geo.render import snapshot as snap

    if fmt not in FORMATS:
        msg = f"briefing format must be one of {FORMATS}, got {fmt!r}"
        raise ExportError(msg)
    target = Path(path)
    files.check_out_dir(target.parent, error=ExportError)
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="zone-atlas-briefing-") as tmp:
        if snapshot is None:
            snapshot = snap.render_png(
                analysis,
                Path(tmp) / "map.png",
                width=MAP_SIZE[0],
                height=MAP_SIZE[1],
                scale=MAP_SCALE,
                title=title,
                basemap=basemap,
                settings=settings,
                styles=styles,
                view=view,
                heading=False,
                timeout_s=timeout_s or snap.DEFAULT_TIMEOUT_S,
            )
        page = briefing_html(
            analysis,
            title=title,
            settings=settings,
            map_png=snapshot.path.read_bytes(),
            map_note=snapshot.note,
            map_fallback=snapshot.fallback,
            styles=styles,
            prepared=prepared,
            published=published,
        )
    with files.staging(target.parent, error=ExportError) as stage:
        out = stage(target.name)
        if fmt == "html":
            out.write_text(page, encoding="utf-8")
        else:
            html_to_pdf(page, out)
    return BriefingResult(target, fmt, snapshot.renderer, time.perf_counter() - t0, snapshot.note)
