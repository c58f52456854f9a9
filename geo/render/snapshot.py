"""The map as the dashboard shows it, as a PNG snapshot or a standalone HTML file.

Both start from the same folium map (:func:`geo.render.webmap.analysis_map`). :func:`standalone_html`
inlines every script, stylesheet and image the map uses, so the file opens from disk with no
internet. :func:`render_png` opens that page in headless Chromium with the network cut off and
takes a screenshot, with a title, legend, scale bar, north arrow, date and attribution line laid
over the map. When Chromium is missing, fails or hangs, :func:`static_png` draws the same layers
with matplotlib instead and says, in the image and in the result, that it is a fallback.

Examples
--------
>>> from geo import snapshot
>>> result = snapshot.render_png(analysis, "out/article-000-map.png", scale=2)
>>> result.renderer, result.width, result.height
('chromium', 3200, 2000)
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import logging
import math
import mimetypes
import re
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from geo.data import boundaries, sources
from geo.errors import DataSourceError, ExportError, ParameterError
from geo.model import Analysis
from geo.render import _browser, webassets

if TYPE_CHECKING:
    import folium

    from geo.pipeline import Settings

log = logging.getLogger(__name__)

DEFAULT_SIZE = (1600, 1000)
SCALES = (1, 2)
MIN_SIDE, MAX_SIDE = 300, 6000
DEFAULT_TIMEOUT_S = 45.0
OSM_CREDIT = "Basemap: © OpenStreetMap contributors"
_ASSET_PREFIX = "zone-atlas-asset:"
_ARABIC = re.compile(r"[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]")


@dataclass(frozen=True)
class LegendEntry:
    """One line of the legend: a swatch drawn like the layer, and its label."""

    label: str
    color: str
    fill_color: str
    fill_opacity: float
    weight: float = 2.0
    dash: str = ""


@dataclass(frozen=True)
class SnapshotResult:
    """A written PNG: where, how big (device pixels), which renderer, and why if it fell back."""

    path: Path
    renderer: str  # "chromium" or "static"
    width: int
    height: int
    seconds: float
    note: str = ""

    @property
    def fallback(self) -> bool:
        """True when the static matplotlib rendering was used instead of the browser."""
        return self.renderer != "chromium"


# --- what goes on the map ------------------------------------------------------------------------


def zone_styles() -> dict[str, dict[str, Any]]:
    """Map style of each zone kind (colour, fill, opacity, dash, label), as the map draws them."""
    from geo.zones.derivation import zone_styles as styles

    return styles()


def legend_entries(analysis: Analysis, styles: dict[str, dict[str, Any]] | None = None) -> list[LegendEntry]:
    """Legend lines: the zone kinds present in ``analysis`` (in style order), then the boundaries."""
    from geo.render.webmap import LEVEL_STYLES

    styles = zone_styles() if styles is None else styles
    present = {z.kind for z in analysis.zones}
    order = [k for k in styles if k in present] + sorted(present - set(styles))
    entries = []
    for kind in order:
        style = styles.get(kind, {})
        color = str(style.get("color", "#555555"))
        entries.append(
            LegendEntry(
                label=str(style.get("label", kind.replace("_", " ").capitalize())),
                color=color,
                fill_color=str(style.get("fill_color") or color),
                fill_opacity=float(style.get("fill_opacity", 0.2)),
                weight=float(style.get("weight", 2.0)),
                dash=str(style.get("dash", "")),
            )
        )
    for level in (1, 2):
        s = LEVEL_STYLES[level]
        entries.append(
            LegendEntry(
                label=str(s["name"]).split(" (")[0],
                color=str(s["color"]),
                fill_color=str(s["fillColor"]),
                fill_opacity=float(s["fillOpacity"]),  # type: ignore[arg-type]
                weight=float(s["weight"]),  # type: ignore[arg-type]
            )
        )
    return entries


def attribution_line(basemap: str | None = None) -> str:
    """The credit line of every snapshot: the boundary dataset, and the basemap when one is shown."""
    parts = [sources.get_dataset(boundaries.BOUNDARY_DATASET).attribution]
    if basemap == "osm":
        parts.append(OSM_CREDIT)
    return " · ".join(parts)


def map_title(analysis: Analysis, title: str | None = None) -> str:
    """The heading of a snapshot: the article's headline when known, else its source."""
    return (title or "").strip() or f"Zone Atlas: {analysis.source}"


def settings_line(settings: Settings | None) -> str:
    """The analyst's zone settings in words (empty when none were given)."""
    if settings is None:
        return ""
    side = "federal side" if settings.belt_side == "federal" else "both sides"
    line = f"Vacuum belt {settings.belt_km:g} km ({side})"
    if settings.min_confidence > 0:
        line += f" · places with confidence ≥ {settings.min_confidence:.2f}"
    return line


@dataclass(frozen=True)
class MapView:
    """What the analyst chose to see on the dashboard's map: basemap, admin levels, zone kinds, extent.

    ``bounds`` is ``[[south, west], [north, east]]``; None frames the article's places, as the map does.
    """

    basemap: str | None = None
    admin_levels: tuple[int, ...] = (1, 2)
    zone_kinds: tuple[str, ...] | None = None
    bounds: list[list[float]] | None = None


def build_map(
    analysis: Analysis,
    *,
    basemap: str | None = None,
    view: MapView | None = None,
    styles: dict[str, dict[str, Any]] | None = None,
) -> folium.Map:
    """The dashboard's map of ``analysis`` (same layers, styles and extent), as ``view`` shows it.

    ``styles`` (zone kind -> style) defaults to the rules file's, as on the dashboard.
    """
    from geo.render import webmap

    view = view or MapView(basemap=basemap)
    m = webmap.analysis_map(
        analysis,
        basemap=view.basemap,
        admin_levels=view.admin_levels or (1, 2),
        zone_kinds=view.zone_kinds,
        styles=styles,
    )
    if view.bounds is not None:
        m.fit_bounds(view.bounds, max_zoom=10)
    return m


# --- standalone HTML -----------------------------------------------------------------------------


def _data_uri(path: Path) -> str:
    mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


def _inline_css(rel: str) -> str:
    """A stylesheet's text with its relative ``url(...)`` references turned into data URIs."""
    text = webassets.asset_text(rel)
    folder = (webassets.node_modules() / rel).parent

    def replace(match: re.Match[str]) -> str:
        ref = match.group(2)
        if ref.startswith(("data:", "#")) or "://" in ref:
            return match.group(0)
        target = (folder / ref.split("?")[0].split("#")[0]).resolve()
        if not target.is_file():
            return match.group(0)
        return f"url({_data_uri(target)})"

    return re.sub(r"url\((['\"]?)([^'\")]+)\1\)", replace, text)


def _script(text: str) -> str:
    return "<script>" + text.replace("</script", "<\\/script") + "</script>"


def standalone_html(m: folium.Map, *, extra_head: str = "", extra_body: str = "") -> str:
    """The full HTML page of ``m`` with every JS/CSS asset (and the images they use) inlined.

    ``m`` is localized in place (see :func:`geo.render.webassets.localize`). Raises
    :class:`ExportError` if the page would still load anything from the network.
    """
    try:
        webassets.localize(m, _ASSET_PREFIX)
        page = m.get_root().render()
    except DataSourceError as exc:
        msg = f"the map cannot be made standalone: {exc}"
        raise ExportError(msg) from exc
    prefix = re.escape(_ASSET_PREFIX)

    def script(match: re.Match[str]) -> str:
        return _script(webassets.asset_text(match.group(1)))

    def link(match: re.Match[str]) -> str:
        return "<style>" + _inline_css(match.group(1)) + "</style>"

    page = re.sub(rf'<script src="{prefix}/([^"]+)"></script>', script, page)
    page = re.sub(rf'<link rel="stylesheet" href="{prefix}/([^"]+)"\s*/?>', link, page)
    left = re.findall(rf"{prefix}[^\"']*", page) + re.findall(
        r"<(?:script|link)[^>]+(?:src|href)=\"(https?:[^\"]+)\"", page
    )
    if left:
        msg = f"the standalone map still links {sorted(set(left))[:3]}; cannot export it offline"
        raise ExportError(msg)
    if extra_head:
        page = page.replace("</head>", extra_head + "\n</head>", 1)
    if extra_body:
        page = page.replace("</body>", extra_body + "\n</body>", 1)
    return page


def _swatch_css(entry: LegendEntry) -> str:
    rgb = _rgb(entry.fill_color)
    border = "dashed" if entry.dash else "solid"
    return (
        f"background:rgba({rgb[0]},{rgb[1]},{rgb[2]},{entry.fill_opacity:.3f});"
        f"border:{max(1.0, entry.weight):.0f}px {border} {entry.color};"
    )


_OVERLAY_CSS = """
<style>
.zax-title{position:absolute;z-index:1000;max-width:55%;background:rgba(255,255,255,.92);
  padding:8px 12px;border-radius:4px;box-shadow:0 1px 4px rgba(0,0,0,.3);
  font:14px/1.35 "DejaVu Sans","Noto Sans","Noto Naskh Arabic",sans-serif;color:#222}
.zax-title h1{font-size:19px;margin:0 0 3px 0;unicode-bidi:plaintext;text-align:start}
.zax-title div{font-size:12px;color:#444;unicode-bidi:plaintext}
.zax-legend{position:absolute;bottom:40px;right:10px;z-index:1000;background:rgba(255,255,255,.92);
  padding:8px 10px;border-radius:4px;box-shadow:0 1px 4px rgba(0,0,0,.3);
  font:12px/1.3 "DejaVu Sans",sans-serif;color:#222}
.zax-legend b{display:block;margin-bottom:4px}
.zax-legend .row{display:flex;align-items:center;margin:3px 0}
.zax-legend .sw{display:inline-block;width:22px;height:13px;margin-right:7px;box-sizing:border-box}
.zax-north{position:absolute;top:10px;right:10px;z-index:1000;width:40px;height:58px;
  background:rgba(255,255,255,.92);border-radius:4px;box-shadow:0 1px 4px rgba(0,0,0,.3)}
.zax-footer{position:absolute;left:0;right:0;bottom:0;z-index:1000;background:rgba(255,255,255,.9);
  padding:5px 10px;font:12px/1.3 "DejaVu Sans",sans-serif;color:#333;display:flex;
  justify-content:space-between;gap:16px}
</style>
"""
#: Snapshot only: a still image has no use for buttons, and the footer carries the attribution.
_SNAPSHOT_CSS = """
<style>
.zax-title{top:10px;left:10px}
.leaflet-control-layers,.leaflet-control-zoom,.leaflet-control-fullscreen,.leaflet-control-measure,
.leaflet-control-minimap-toggle-display{display:none !important}
.leaflet-control-attribution{display:none !important}
.leaflet-bottom{bottom:28px}
.leaflet-top.leaflet-right{top:72px}
.leaflet-control-scale-line{font-size:12px}
</style>
"""
#: Snapshot only: the view is drawn at once, never caught half-way through a zoom animation.
_NO_ANIMATION = (
    "<script>L.Map.mergeOptions({zoomAnimation: false, fadeAnimation: false, "
    "markerZoomAnimation: false, inertia: false});</script>"
)
#: Interactive page: the title sits at the top centre, clear of Leaflet's corner controls.
_INTERACTIVE_CSS = """
<style>
.zax-title{top:10px;left:50%;transform:translateX(-50%);text-align:center}
</style>
"""
_NORTH_ARROW = (
    '<div class="zax-north" title="North"><svg viewBox="0 0 40 58" width="40" height="58">'
    '<text x="20" y="17" text-anchor="middle" font-family="DejaVu Sans" font-weight="bold" font-size="14">N</text>'
    '<polygon points="20,21 29,50 20,43 11,50" fill="#222"/>'
    '<polygon points="20,21 20,43 11,50" fill="#fff" stroke="#222" stroke-width="1"/></svg></div>'
)


def overlay_html(
    *,
    title: str,
    subtitle: str,
    legend: list[LegendEntry],
    attribution: str,
    date: str,
    north_arrow: bool = True,
    footer: bool = True,
) -> str:
    """Title box, legend, north arrow and footer (date, attribution) laid over a Leaflet map.

    An empty ``legend`` adds no legend (the map brings its own); ``footer=False`` leaves the
    attribution to Leaflet's own control.
    """
    rows = "".join(
        f'<div class="row"><span class="sw" style="{_swatch_css(e)}"></span>{html.escape(e.label)}</div>'
        for e in legend
    )
    parts = [
        (
            f'<div class="zax-title"><h1 dir="auto">{html.escape(title)}</h1>'
            f'<div dir="auto">{html.escape(subtitle)}</div></div>'
        ),
        f'<div class="zax-legend"><b>Legend</b>{rows}</div>' if legend else "",
        _NORTH_ARROW if north_arrow else "",
        (
            f'<div class="zax-footer"><span>{html.escape(date)}</span>'
            f'<span class="zax-attribution">{html.escape(attribution)}</span></div>'
        )
        if footer
        else "",
    ]
    return "\n".join(p for p in parts if p)


def _has_legend(m: folium.Map) -> bool:
    from geo.render.webmap import Legend

    return any(isinstance(child, Legend) for child in m._children.values())


def _subtitle(analysis: Analysis, settings: Settings | None) -> str:
    parts = [f"Source: {analysis.source}", f"{len(analysis.places)} places, {len(analysis.zones)} zones"]
    line = settings_line(settings)
    if line:
        parts.append(line)
    return " · ".join(parts)


def _page(
    analysis: Analysis,
    m: folium.Map,
    *,
    title: str | None,
    basemap: str | None,
    settings: Settings | None,
    date: dt.date,
    snapshot: bool,
    styles: dict[str, dict[str, Any]] | None,
) -> str:
    heading = map_title(analysis, title)
    overlay = overlay_html(
        title=heading,
        subtitle=_subtitle(analysis, settings),
        legend=[] if _has_legend(m) else legend_entries(analysis, styles),
        attribution=attribution_line(basemap),
        date=f"Map made {date.isoformat()} with Zone Atlas",
        north_arrow=snapshot,
        footer=snapshot,
    )
    mode = (_SNAPSHOT_CSS + _NO_ANIMATION) if snapshot else _INTERACTIVE_CSS
    head = f"<title>{html.escape(heading)}</title>" + _OVERLAY_CSS + mode
    return standalone_html(m, extra_head=head, extra_body=overlay)


def write_html(
    analysis: Analysis,
    path: str | Path,
    *,
    basemap: str | None = None,
    title: str | None = None,
    settings: Settings | None = None,
    m: folium.Map | None = None,
    styles: dict[str, dict[str, Any]] | None = None,
    date: dt.date | None = None,
    view: MapView | None = None,
) -> Path:
    """Write the interactive map as one HTML file that opens from disk with no internet.

    ``m`` defaults to :func:`build_map` (of ``view`` when given); ``styles`` (zone kind -> style) to
    :func:`zone_styles`.
    """
    from geo.render.export import staging

    target = Path(path)
    basemap = view.basemap if view is not None else basemap
    page = _page(
        analysis,
        m if m is not None else build_map(analysis, basemap=basemap, view=view, styles=styles),
        title=title,
        basemap=basemap,
        settings=settings,
        date=date or dt.date.today(),
        snapshot=False,
        styles=styles,
    )
    with staging(target.parent) as stage:
        stage(target.name).write_text(page, encoding="utf-8")
    return target


# --- PNG -----------------------------------------------------------------------------------------


def _check_size(width: int, height: int, scale: int) -> None:
    for name, value in (("width", width), ("height", height)):
        if not isinstance(value, int) or not MIN_SIDE <= value <= MAX_SIDE:
            msg = (
                f"snapshot {name} must be a whole number of pixels in [{MIN_SIDE}, {MAX_SIDE}], got {value!r}"
            )
            raise ParameterError(msg)
    if scale not in SCALES:
        msg = f"snapshot scale must be one of {SCALES}, got {scale!r}"
        raise ParameterError(msg)


def render_png(
    analysis: Analysis,
    path: str | Path,
    *,
    width: int = DEFAULT_SIZE[0],
    height: int = DEFAULT_SIZE[1],
    scale: int = 1,
    title: str | None = None,
    basemap: str | None = None,
    settings: Settings | None = None,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    m: folium.Map | None = None,
    styles: dict[str, dict[str, Any]] | None = None,
    date: dt.date | None = None,
    use_browser: bool = True,
    view: MapView | None = None,
) -> SnapshotResult:
    """Write a PNG of the map (``width`` x ``height`` CSS pixels at ``scale``) to ``path``.

    Uses headless Chromium on the same page as :func:`write_html`; if that is impossible
    (no browser, a failure, no answer within ``timeout_s``) falls back to :func:`static_png`,
    and the result's ``renderer`` and ``note`` say so.
    """
    from geo.render.export import check_out_dir, staging

    _check_size(width, height, scale)
    target = Path(path)
    check_out_dir(target.parent)
    date = date or dt.date.today()
    basemap = view.basemap if view is not None else basemap
    t0 = time.perf_counter()
    reason = "the browser rendering was switched off"
    if use_browser:
        page = _page(
            analysis,
            m if m is not None else build_map(analysis, basemap=basemap, view=view, styles=styles),
            title=title,
            basemap=basemap,
            settings=settings,
            date=date,
            snapshot=True,
            styles=styles,
        )
        with tempfile.TemporaryDirectory(prefix="zone-atlas-snapshot-") as tmp:
            html_path = Path(tmp) / "map.html"
            html_path.write_text(page, encoding="utf-8")
            try:
                with staging(target.parent) as stage:
                    _browser.screenshot(
                        html_path,
                        stage(target.name),
                        width=width,
                        height=height,
                        scale=scale,
                        timeout_s=timeout_s,
                    )
                return SnapshotResult(
                    target, "chromium", width * scale, height * scale, time.perf_counter() - t0
                )
            except ExportError as exc:
                reason = str(exc)
                log.warning("PNG snapshot falls back to the static rendering: %s", reason)
    result = static_png(
        analysis,
        target,
        width=width,
        height=height,
        scale=scale,
        title=title,
        basemap=basemap,
        settings=settings,
        reason=reason,
        styles=styles,
        date=date,
        view=view,
    )
    return SnapshotResult(
        result.path, result.renderer, result.width, result.height, time.perf_counter() - t0, result.note
    )


def _rgb(hex_color: str) -> tuple[int, int, int]:
    value = hex_color.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def _nice_km(target: float) -> float:
    """The largest 1/2/5 x 10^n length not above ``target`` km."""
    if target <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(target))
    return max(m * power for m in (1, 2, 5) if m * power <= target)


def _extent(
    analysis: Analysis, aspect: float, bounds: list[list[float]] | None = None
) -> tuple[float, float, float, float]:
    """lon/lat bounds (``bounds``, else around the zones and places, else Iraq), widened to ``aspect`` (w/h)."""
    import shapely

    geoms = [z.geometry for z in analysis.zones if z.geometry is not None and not z.geometry.is_empty]
    geoms += [shapely.Point(p.lon, p.lat) for p in analysis.places]
    if bounds is not None:
        (y0, x0), (y1, x1) = bounds
    elif geoms:
        x0, y0, x1, y1 = shapely.GeometryCollection(geoms).bounds
    else:
        (y0, x0), (y1, x1) = [(29.06, 38.79), (37.38, 48.63)]
    pad_x, pad_y = max((x1 - x0) * 0.08, 0.25), max((y1 - y0) * 0.08, 0.25)
    x0, x1, y0, y1 = x0 - pad_x, x1 + pad_x, y0 - pad_y, y1 + pad_y
    k = math.cos(math.radians((y0 + y1) / 2))
    w, h = (x1 - x0) * k, y1 - y0
    if w / h < aspect:
        grow = (h * aspect / k - (x1 - x0)) / 2
        x0, x1 = x0 - grow, x1 + grow
    else:
        grow = ((x1 - x0) * k / aspect - h) / 2
        y0, y1 = y0 - grow, y1 + grow
    return x0, x1, y0, y1


def static_png(
    analysis: Analysis,
    path: str | Path,
    *,
    width: int = DEFAULT_SIZE[0],
    height: int = DEFAULT_SIZE[1],
    scale: int = 1,
    title: str | None = None,
    basemap: str | None = None,
    settings: Settings | None = None,
    reason: str = "",
    styles: dict[str, dict[str, Any]] | None = None,
    date: dt.date | None = None,
    view: MapView | None = None,
) -> SnapshotResult:
    """Draw the map's layers with matplotlib (no browser) and mark the image as a fallback.

    ``view`` limits the zone kinds and sets the extent as on the dashboard.
    """
    import geopandas as gpd
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch, Rectangle

    from geo.render.export import staging
    from geo.render.highlight import place_colour
    from geo.render.webmap import LEVEL_STYLES

    _check_size(width, height, scale)
    t0 = time.perf_counter()
    target = Path(path)
    styles = zone_styles() if styles is None else styles
    date = date or dt.date.today()
    fig = Figure(figsize=(width / 100, height / 100), dpi=100 * scale)
    FigureCanvasAgg(fig)
    fig.patch.set_facecolor("white")
    ax = fig.add_axes((0.045, 0.085, 0.93, 0.8))
    ax.set_facecolor("#dde6ee")
    box_w, box_h = 0.93 * width, 0.8 * height
    if view is not None and view.zone_kinds is not None:
        analysis = replace(analysis, zones=[z for z in analysis.zones if z.kind in set(view.zone_kinds)])
    x0, x1, y0, y1 = _extent(analysis, box_w / box_h, view.bounds if view is not None else None)
    k = math.cos(math.radians((y0 + y1) / 2))
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect(1 / k)
    for level in (1, 2):
        s = LEVEL_STYLES[level]
        layer = boundaries.load_level(level, web=True)
        layer.plot(
            ax=ax,
            facecolor=s["fillColor"] if float(s["fillOpacity"]) > 0 else "none",  # type: ignore[arg-type]
            alpha=None,
            edgecolor=s["color"],
            linewidth=float(s["weight"]) * 0.6,
            zorder=level,  # type: ignore[arg-type]
        )
    for zone in analysis.zones:
        style = styles.get(zone.kind, {})
        color = str(style.get("color", "#555555"))
        fill = _rgb(str(style.get("fill_color") or color))
        frame = gpd.GeoSeries([zone.geometry], crs="EPSG:4326")
        frame.plot(
            ax=ax,
            facecolor=(*(c / 255 for c in fill), float(style.get("fill_opacity", 0.2))),
            edgecolor=color,
            linewidth=float(style.get("weight", 2.0)) * 0.8,
            linestyle="--" if style.get("dash") else "-",
            zorder=5,
        )
    for place in analysis.places:
        ax.plot(
            place.lon, place.lat, "o", ms=7, mfc=place_colour(place.kind), mec="#222222", mew=1.0, zorder=7
        )
        ax.annotate(
            place.name,
            (place.lon, place.lat),
            xytext=(5, 4),
            textcoords="offset points",
            fontsize=9,
            zorder=8,
            color="#111111",
        )
    ax.grid(True, color="#888888", linewidth=0.3, alpha=0.6)
    ax.xaxis.set_major_formatter(lambda v, _: f"{v:.1f}°E")
    ax.yaxis.set_major_formatter(lambda v, _: f"{v:.1f}°N")
    ax.tick_params(labelsize=8)
    ax.set_xlabel("")
    ax.set_ylabel("")
    # scale bar (km along the parallel at the bottom of the frame)
    km_per_deg = 111.32 * k
    length_km = _nice_km((x1 - x0) * km_per_deg / 5)
    bx, by = x0 + (x1 - x0) * 0.03, y0 + (y1 - y0) * 0.04
    ax.add_patch(Rectangle((bx, by), length_km / km_per_deg, (y1 - y0) * 0.008, color="#222222", zorder=9))
    ax.text(bx, by + (y1 - y0) * 0.018, f"{length_km:g} km", fontsize=9, zorder=9)
    ax.annotate(
        "N",
        xy=(0.965, 0.95),
        xytext=(0.965, 0.83),
        xycoords="axes fraction",
        ha="center",
        fontsize=13,
        fontweight="bold",
        arrowprops={"arrowstyle": "-|>", "color": "#222222", "lw": 2},
    )
    handles: list[Any] = []
    for entry in legend_entries(analysis, styles):
        rgb = _rgb(entry.fill_color)
        handles.append(
            Patch(
                facecolor=(*(c / 255 for c in rgb), entry.fill_opacity),
                edgecolor=entry.color,
                linestyle="--" if entry.dash else "-",
                label=entry.label,
            )
        )
    for kind in dict.fromkeys(p.kind for p in analysis.places):
        handles.append(
            Line2D([], [], marker="o", ls="", mfc=place_colour(kind), mec="#222222", label=f"Place: {kind}")
        )
    ax.legend(
        handles=handles, loc="lower right", fontsize=9, framealpha=0.92, title="Legend", title_fontsize=9
    )
    heading = map_title(analysis, title)
    if _ARABIC.search(heading):  # matplotlib does not shape Arabic; keep the heading Latin
        heading = f"Zone Atlas: {analysis.source}"
    fig.text(0.045, 0.955, heading, fontsize=16, fontweight="bold", va="center")
    fig.text(0.045, 0.915, _subtitle(analysis, settings), fontsize=10, color="#444444", va="center")
    note = f"Static rendering (fallback, no browser): {reason}" if reason else "Static rendering (fallback)"
    fig.text(0.975, 0.955, note[:160], fontsize=9, color="#b00020", ha="right", va="center")
    fig.text(0.045, 0.03, f"Map made {date.isoformat()} with Zone Atlas", fontsize=9, color="#333333")
    fig.text(0.975, 0.03, attribution_line(basemap), fontsize=9, color="#333333", ha="right")
    with staging(target.parent) as stage:
        fig.savefig(stage(target.name), dpi=100 * scale, facecolor="white")
    return SnapshotResult(target, "static", width * scale, height * scale, time.perf_counter() - t0, note)
