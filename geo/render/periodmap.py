"""The pictures of a period briefing: the aggregated map and the weekly trend chart, as PNG bytes.

:func:`period_map_png` draws, with matplotlib and the offline basemap of the static map
(:mod:`geo.render.staticlabels`): the governorates shaded by the number of events in the period,
surge governorates outlined, the zones in force in their styles, each located event as a point
coloured by type and sized by casualties, and the governorates' names placed without overlaps.
:func:`trend_chart_png` draws the events per week stacked by type, with the surge weeks marked.
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from geo.data import boundaries, sources
from geo.render import labels, staticlabels
from geo.render.mapview import hex_rgb
from geo.render.staticmap import widen_to_aspect
from geo.render.timeline import TYPE_COLOURS, casualty_radius, type_label

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd

#: The map's size in inches and its resolution (a page-wide picture on A4).
MAP_INCHES = (10.0, 6.6)
CHART_INCHES = (10.0, 3.2)
DPI = 150
SHADES = ("#fff5eb", "#fdd0a2", "#fd8d3c", "#d94801", "#7f2704")
IRAQ = (38.79, 48.63, 29.06, 37.38)


def _png(fig: Any) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, facecolor="white")
    return buffer.getvalue()


def _shade(count: int, top: int) -> str:
    if count <= 0 or top <= 0:
        return "#f7f7f7"
    return SHADES[min(int(count / top * len(SHADES)), len(SHADES) - 1)]


def _extent(points: Sequence[tuple[float, float]]) -> tuple[float, float, float, float]:
    """lon/lat bounds around the points (at least Iraq's central part), widened to the map's aspect."""
    if points:
        xs, ys = [p[1] for p in points], [p[0] for p in points]
        x0, x1, y0, y1 = min(xs) - 0.8, max(xs) + 0.8, min(ys) - 0.8, max(ys) + 0.8
    else:
        x0, x1, y0, y1 = IRAQ
    aspect = MAP_INCHES[0] * 0.78 / (MAP_INCHES[1] * 0.9)
    return widen_to_aspect(x0, x1, y0, y1, aspect)


def period_map_png(
    events: pd.DataFrame,
    *,
    zones: gpd.GeoDataFrame | None = None,
    surge_pcodes: Sequence[str] = (),
    styles: Mapping[str, Mapping[str, Any]] | None = None,
) -> bytes:
    """The period's map (module docstring) as PNG bytes."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    styles = styles or {}
    fig = Figure(figsize=MAP_INCHES, dpi=DPI)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.01, 0.05, 0.76, 0.92))
    ax.set_facecolor("#dde6ee")
    located = events.dropna(subset=["lat", "lon"]) if len(events) else events
    points = [(float(r.lat), float(r.lon)) for r in located.itertuples()] if len(located) else []
    x0, x1, y0, y1 = _extent(points)
    k = math.cos(math.radians((y0 + y1) / 2))
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect(1 / k)
    staticlabels.draw_basemap(ax)
    govs = boundaries.load_level(1, web=True)
    counts = events["governorate_pcode"].value_counts().to_dict() if len(events) else {}
    top = max(counts.values(), default=0)
    govs.plot(
        ax=ax,
        color=[_shade(int(counts.get(p, 0)), int(top)) for p in govs["pcode"]],
        edgecolor="#6b6b6b",
        linewidth=0.7,
        zorder=1,
    )
    surging = govs[govs["pcode"].isin(list(surge_pcodes))]
    if len(surging):
        surging.boundary.plot(ax=ax, color="#000000", linewidth=2.4, zorder=6)
    handles: list[Any] = []
    if zones is not None and len(zones):
        for kind, group in zones[zones.geometry.notna()].groupby("kind"):
            style = styles.get(str(kind), {})
            colour = str(style.get("color", "#555555"))
            red, green, blue = (c / 255 for c in hex_rgb(str(style.get("fill_color") or colour)))
            fill = (red, green, blue)
            group.plot(
                ax=ax, facecolor=(*fill, 0.18), edgecolor=colour, linewidth=1.3, zorder=4, linestyle="--"
            )
            handles.append(
                Patch(facecolor=(*fill, 0.18), edgecolor=colour, label=str(style.get("label") or kind))
            )
    for row in located.itertuples() if len(located) else ():
        size = casualty_radius(row.killed, row.wounded) * 1.6
        ax.plot(
            float(row.lon),
            float(row.lat),
            "o",
            ms=size,
            mfc=TYPE_COLOURS.get(str(row.type), "#555555"),
            mec="#ffffff",
            mew=1.0,
            alpha=0.9,
            zorder=7,
        )
    names = [*labels.governorate_labels("en"), *labels.basemap_labels("en")]
    staticlabels.place_labels(ax, names, zoom=staticlabels.web_zoom(x0, x1, MAP_INCHES[0] * 0.76 * 100))
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")
    ax.set_ylabel("")
    for kind in dict.fromkeys(located["type"]) if len(located) else ():
        colour = TYPE_COLOURS.get(str(kind), "#555555")
        handles.append(Line2D([], [], marker="o", ls="", mfc=colour, mec="#1b1b1b", label=type_label(kind)))
    handles += [
        Patch(facecolor=SHADES[1], edgecolor="#6b6b6b", label="Governorate: few events"),
        Patch(facecolor=SHADES[-1], edgecolor="#6b6b6b", label=f"Governorate: most events ({top})"),
    ]
    if len(surging):
        handles.append(Patch(facecolor="none", edgecolor="#000000", linewidth=2.4, label="Surge governorate"))
    handles.append(
        Line2D([], [], marker="o", ls="", mfc="#cccccc", mec="#1b1b1b", ms=9, label="Larger: more casualties")
    )
    ax.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
        fontsize=7.5,
        frameon=False,
        title="Legend",
    )
    attribution = sources.get_dataset(boundaries.BOUNDARY_DATASET).attribution
    fig.text(0.01, 0.015, attribution, fontsize=7, color="#333333")
    return _png(fig)


def trend_chart_png(weekly: pd.DataFrame, *, surge_weeks: Sequence[Any] = ()) -> bytes:
    """Events per week stacked by type (``weekly``: :func:`geo.render.timeline.weekly`'s frame)."""
    import pandas as pd
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=CHART_INCHES, dpi=DPI)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.06, 0.2, 0.72, 0.72))
    if not len(weekly):
        ax.text(0.5, 0.5, "No dated events in this period", ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()
        return _png(fig)
    wide = weekly.pivot_table(index="week", columns="type", values="count", aggfunc="sum", fill_value=0)
    weeks = pd.date_range(wide.index.min(), wide.index.max(), freq="7D")
    wide = wide.reindex(weeks, fill_value=0)
    bottom = [0] * len(wide)
    xs = list(range(len(wide)))
    for kind in wide.columns:
        values = [int(v) for v in wide[kind]]
        ax.bar(
            xs, values, bottom=bottom, color=TYPE_COLOURS.get(str(kind), "#777777"), label=type_label(kind)
        )
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    marked = {pd.Timestamp(w).normalize() for w in surge_weeks}
    for x, week in zip(xs, wide.index, strict=True):
        if week.normalize() in marked:
            ax.annotate(
                "surge", (x, bottom[x]), xytext=(0, 3), textcoords="offset points", ha="center", fontsize=7
            )
    step = max(1, len(xs) // 10)
    ax.set_xticks(xs[::step], [w.strftime("%d %b %Y") for w in wide.index[::step]], fontsize=7, rotation=30)
    ax.set_ylabel("Events per week", fontsize=8)
    ax.tick_params(axis="y", labelsize=7)
    ax.set_ylim(0, max(bottom) * 1.2 + 1)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=7, frameon=False, title="Type")
    return _png(fig)
