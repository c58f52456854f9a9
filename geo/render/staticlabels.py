"""The offline basemap and the names of the static (matplotlib) map, placed without overlaps.

:func:`draw_basemap` draws the neighbouring countries, rivers, lakes and ranges of
:mod:`geo.render.basemap` under the boundaries; :func:`place_labels` writes the
:class:`~geo.render.labels.Label` list in priority order and drops every name that would overlap
one already written or leave the frame, as the web map's label engine does. Arabic names are
shaped by matplotlib (libraqm); the words of a right-to-left name are laid out right to left here.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from geo.render.labels import Label

#: Font sizes (points) and colours by role, after the web map's label styles.
ROLE_STYLE: dict[str, tuple[float, str, str, str]] = {  # size, colour, weight, style
    "place": (9.0, "#111111", "bold", "normal"),
    "room": (9.5, "#1f4e9c", "bold", "normal"),
    "zone": (9.0, "#333333", "bold", "italic"),
    "governorate": (10.0, "#5b5b5b", "bold", "normal"),
    "country": (10.0, "#8a8478", "normal", "normal"),
    "town": (8.0, "#333333", "normal", "normal"),
    "river": (8.0, "#2f6a9e", "normal", "italic"),
    "lake": (8.0, "#2f6a9e", "normal", "italic"),
    "range": (8.0, "#7b5a3a", "normal", "italic"),
    "mountain": (8.0, "#7b5a3a", "normal", "italic"),
}
ARABIC_FONT = "Noto Naskh Arabic"


def web_zoom(x0: float, x1: float, width_px: float) -> float:
    """The web map's zoom that shows ``x0``..``x1`` degrees of longitude across ``width_px`` pixels."""
    return math.log2(max(width_px, 1.0) * 360.0 / (256.0 * max(x1 - x0, 1e-6)))


def visual_text(label: Label) -> str:
    """The label's text as the static renderer must be given it (RTL words in visual order)."""
    if not label.rtl:
        return label.text
    return " ".join(reversed(label.text.split()))


def draw_basemap(ax: Any) -> None:
    """Neighbouring countries, rivers, lakes and ranges under everything else."""
    import geopandas as gpd

    from geo.render import basemap

    shapes = basemap.country_shapes()
    if shapes:
        s = basemap.COUNTRY_STYLE
        gpd.GeoSeries([g for *_rest, g in shapes], crs="EPSG:4326").plot(
            ax=ax, facecolor=s["fillColor"], edgecolor=s["color"], linewidth=0.6, zorder=0.5
        )
    for feature in basemap.physical_features():
        if feature.kind not in basemap.DRAWN_KINDS:
            continue
        geom = basemap.feature_geometry(feature)
        if geom.geom_type == "LineString":
            style = basemap.FEATURE_STYLES.get(feature.kind, basemap.FEATURE_STYLES["river"])
            xs, ys = geom.xy
            ax.plot(
                xs,
                ys,
                color=style["color"],
                lw=float(style["weight"]) * 0.8,
                ls=":" if feature.kind == "range" else "-",
                zorder=1.5,
            )
        elif geom.geom_type == "Point":
            point = basemap.POINT_STYLES.get(feature.kind, basemap.POINT_STYLES["town"])
            ax.plot(
                geom.x,
                geom.y,
                "o",
                ms=float(point["radius"]) * 1.4,
                mfc=point["fillColor"],
                mec=point["color"],
                mew=0.6,
                zorder=1.5,
            )


def place_labels(ax: Any, labels: Sequence[Label], *, zoom: float) -> list[Any]:
    """Write ``labels`` on ``ax`` in priority order, without overlaps; returns the texts kept."""
    fig = ax.figure
    renderer = fig.canvas.get_renderer()
    frame = ax.get_window_extent(renderer)
    kept: list[Any] = []
    boxes: list[Any] = []
    for label in sorted(labels, key=lambda lb: -lb.priority):
        if not label.min_zoom <= zoom <= label.max_zoom:
            continue
        size, colour, weight, style = ROLE_STYLE.get(label.role, ROLE_STYLE["place"])
        text = ax.annotate(
            visual_text(label),
            (label.lon, label.lat),
            xytext=(label.offset * 0.75, 0),
            textcoords="offset points",
            ha="left" if label.offset else "center",
            va="center",
            fontsize=size + (1.0 if label.rtl else 0.0),
            fontweight=weight,
            fontstyle=style,
            color=label.colour or colour,
            family=[ARABIC_FONT, "DejaVu Sans"] if label.rtl else ["DejaVu Sans", ARABIC_FONT],
            zorder=9,
            annotation_clip=True,
        )
        import matplotlib.patheffects as effects

        text.set_path_effects([effects.withStroke(linewidth=2.5, foreground="white")])
        box = text.get_window_extent(renderer).expanded(1.04, 1.1)
        inside = frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 and box.y1 <= frame.y1
        if not inside or any(box.overlaps(other) for other in boxes):
            text.remove()
            continue
        boxes.append(box)
        kept.append(text)
    return kept
