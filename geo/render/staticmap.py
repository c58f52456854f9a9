"""The static PNG of a map, drawn with matplotlib when the browser cannot take the snapshot.

:func:`static_png` draws the same layers as the map (boundaries, zones in their styles, places by
kind) with a scale bar, north arrow, legend, title and credit line, and says in the image and in
its :class:`~geo.render.mapview.SnapshotResult` that it is a fallback.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import time
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from geo import files
from geo.data import boundaries
from geo.errors import ExportError
from geo.model import Analysis
from geo.render import labels, staticlabels
from geo.render.mapview import (
    DEFAULT_SIZE,
    SnapshotResult,
    attribution_line,
    basemap_legend,
    check_size,
    hex_rgb,
    legend_entries,
    map_title,
    subtitle,
    zone_styles,
)

if TYPE_CHECKING:
    from geo.pipeline import Settings
    from geo.render.mapview import MapView

_ARABIC = re.compile(r"[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]")


def _nice_km(target: float) -> float:
    """The largest 1/2/5 x 10^n length not above ``target`` km."""
    if target <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(target))
    return max(m * power for m in (1, 2, 5) if m * power <= target)


def widen_to_aspect(
    x0: float, x1: float, y0: float, y1: float, aspect: float
) -> tuple[float, float, float, float]:
    """The lon/lat box widened (never narrowed) to ``aspect`` (width / height, in ground units at
    its middle latitude)."""
    k = math.cos(math.radians((y0 + y1) / 2))
    w, h = (x1 - x0) * k, y1 - y0
    if w / h < aspect:
        grow = (h * aspect / k - (x1 - x0)) / 2
        x0, x1 = x0 - grow, x1 + grow
    else:
        grow = ((x1 - x0) * k / aspect - h) / 2
        y0, y1 = y0 - grow, y1 + grow
    return x0, x1, y0, y1


def _extent(
    analysis: Analysis, aspect: float, bounds: list[list[float]] | None = None
) -> tuple[float, float, float, float]:
    """lon/lat bounds (``bounds``, else around the zones and places, else Iraq), widened to ``aspect``.

    ``aspect`` is width / height.
    """
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
    return widen_to_aspect(x0, x1, y0, y1, aspect)


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
    heading: bool = True,
) -> SnapshotResult:
    """Draw the map's layers with matplotlib (no browser) and mark the image as a fallback.

    ``view`` limits the zone kinds, sets the extent and the names' language as on the dashboard.
    The legend stands beside the map, never on it; ``heading=False`` leaves the title out.
    """
    import geopandas as gpd
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch, Rectangle

    from geo.render.highlight import place_colour
    from geo.render.mapbase import LEVEL_STYLES

    check_size(width, height, scale)
    t0 = time.perf_counter()
    target = Path(path)
    styles = zone_styles() if styles is None else styles
    date = date or dt.date.today()
    fig = Figure(figsize=(width / 100, height / 100), dpi=100 * scale)
    FigureCanvasAgg(fig)
    fig.patch.set_facecolor("white")
    ax = fig.add_axes((0.045, 0.085, 0.76, 0.8))
    ax.set_facecolor("#dde6ee")
    box_w, box_h = 0.76 * width, 0.8 * height
    if view is not None and view.zone_kinds is not None:
        analysis = replace(analysis, zones=[z for z in analysis.zones if z.kind in set(view.zone_kinds)])
    x0, x1, y0, y1 = _extent(analysis, box_w / box_h, view.bounds if view is not None else None)
    k = math.cos(math.radians((y0 + y1) / 2))
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect(1 / k)
    staticlabels.draw_basemap(ax)
    for level in (1, 2):
        s = LEVEL_STYLES[level]
        layer = boundaries.load_level(level, web=True)
        layer.plot(
            ax=ax,
            facecolor=s["fillColor"] if float(str(s["fillOpacity"])) > 0 else "none",
            alpha=None,
            edgecolor=s["color"],
            linewidth=float(str(s["weight"])) * 0.6,
            zorder=level,
        )
    for zone in analysis.zones:
        style = styles.get(zone.kind, {})
        color = str(style.get("color", "#555555"))
        fill = hex_rgb(str(style.get("fill_color") or color))
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
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    lang = view.label_lang if view is not None else "en"
    names = [
        *labels.place_labels(analysis, lang=lang),
        *labels.zone_labels(analysis, styles, lang=lang),
        *labels.governorate_labels(lang),
        *labels.basemap_labels(lang),
    ]
    staticlabels.place_labels(ax, names, zoom=staticlabels.web_zoom(x0, x1, box_w))
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
        red, green, blue = (c / 255 for c in hex_rgb(entry.fill_color))
        handles.append(
            Patch(
                facecolor=(red, green, blue, entry.fill_opacity),
                edgecolor=entry.color,
                linestyle="--" if entry.dash else "-",
                label=entry.label,
            )
        )
    for entry in basemap_legend():
        red, green, blue = (c / 255 for c in hex_rgb(entry.fill_color))
        handles.append(
            Patch(facecolor=(red, green, blue, entry.fill_opacity), edgecolor=entry.color, label=entry.label)
        )
    for kind in dict.fromkeys(p.kind for p in analysis.places):
        handles.append(
            Line2D([], [], marker="o", ls="", mfc=place_colour(kind), mec="#222222", label=f"Place: {kind}")
        )
    ax.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(1.015, 1.0),
        fontsize=9,
        frameon=False,
        title="Legend",
        title_fontsize=9,
    )
    if heading:
        text = map_title(analysis, title)
        if _ARABIC.search(text):  # the words of a long Arabic heading are not reordered here: keep it Latin
            text = f"Zone Atlas: {analysis.source}"
        fig.text(0.045, 0.955, text, fontsize=16, fontweight="bold", va="center")
        fig.text(0.045, 0.915, subtitle(analysis, settings), fontsize=10, color="#444444", va="center")
    note = f"Static rendering (fallback, no browser): {reason}" if reason else "Static rendering (fallback)"
    fig.text(0.975, 0.955, note[:160], fontsize=9, color="#b00020", ha="right", va="center")
    fig.text(0.045, 0.03, f"Map made {date.isoformat()} with Zone Atlas", fontsize=9, color="#333333")
    fig.text(0.975, 0.03, attribution_line(basemap), fontsize=9, color="#333333", ha="right")
    with files.staging(target.parent, error=ExportError) as stage:
        fig.savefig(stage(target.name), dpi=100 * scale, facecolor="white")
    return SnapshotResult(target, "static", width * scale, height * scale, time.perf_counter() - t0, note)
