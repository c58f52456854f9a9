"""What a map export shows: the analyst's view of the map, its legend, title and credit line.

Shared by the PNG snapshot (:mod:`geo.render.snapshot`, :mod:`geo.render.staticmap`), the
standalone HTML page (:mod:`geo.render.standalone`) and the briefing: :class:`MapView` (what the
dashboard's map shows), :func:`build_map` (that map in folium), the legend lines, the heading,
subtitle and attribution, and the size limits and :class:`SnapshotResult` of a snapshot.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from geo.data import boundaries, sources
from geo.errors import ParameterError
from geo.model import Analysis

if TYPE_CHECKING:
    import folium

    from geo.pipeline import Settings

DEFAULT_SIZE = (1600, 1000)
SCALES = (1, 2)
MIN_SIDE, MAX_SIDE = 300, 6000
OSM_CREDIT = "Basemap: © OpenStreetMap contributors"


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


def check_size(width: int, height: int, scale: int) -> None:
    """Raise :class:`ParameterError` unless ``width`` x ``height`` at ``scale`` is a snapshot size."""
    for name, value in (("width", width), ("height", height)):
        if not isinstance(value, int) or not MIN_SIDE <= value <= MAX_SIDE:
            msg = (
                f"snapshot {name} must be a whole number of pixels in [{MIN_SIDE}, {MAX_SIDE}], got {value!r}"
            )
            raise ParameterError(msg)
    if scale not in SCALES:
        msg = f"snapshot scale must be one of {SCALES}, got {scale!r}"
        raise ParameterError(msg)


# --- what goes on the map ------------------------------------------------------------------------


def zone_styles() -> dict[str, dict[str, Any]]:
    """Map style of each zone kind (colour, fill, opacity, dash, label), as the map draws them."""
    from geo.zones.frames import zone_styles as styles

    return styles()


def legend_entries(analysis: Analysis, styles: dict[str, dict[str, Any]] | None = None) -> list[LegendEntry]:
    """Legend lines: the zone kinds present in ``analysis`` (in style order), then the boundaries.

    The place kinds and the basemap's lines are :func:`place_legend` and :func:`basemap_legend`.
    """
    from geo.render.mapbase import LEVEL_STYLES

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


def place_legend(analysis: Analysis) -> list[tuple[str, str]]:
    """(kind, colour) of the place kinds present in ``analysis``, in the order they first appear."""
    from geo.render.highlight import place_colour

    return [(kind, place_colour(kind)) for kind in dict.fromkeys(p.kind for p in analysis.places)]


def basemap_legend() -> list[LegendEntry]:
    """Legend lines of the offline basemap: neighbouring countries, rivers and lakes, ranges."""
    from geo.render import basemap

    entries = []
    if basemap.country_shapes():
        s = basemap.COUNTRY_STYLE
        entries.append(
            LegendEntry("Neighbouring country", str(s["color"]), str(s["fillColor"]), 1.0, float(s["weight"]))
        )
    kinds = {f.kind for f in basemap.physical_features()}
    if kinds & {"river", "lake", "marsh"}:
        s = basemap.FEATURE_STYLES["lake"]
        entries.append(LegendEntry("River, lake", str(s["color"]), str(s["fillColor"]), 0.9, 2.0))
    if "range" in kinds:
        s = basemap.FEATURE_STYLES["range"]
        entries.append(LegendEntry("Mountain range", str(s["color"]), "#ffffff", 0.0, 1.0, "1 4"))
    return entries


def attribution_line(basemap: str | None = None) -> str:
    """The credit line of every snapshot: the boundary dataset, and OpenStreetMap when shown.

    (The neighbouring countries are Natural Earth's, in the public domain: no credit is owed.)
    """
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


def subtitle(analysis: Analysis, settings: Settings | None) -> str:
    """The line under a snapshot's heading: source, how many places and zones, the zone settings."""
    parts = [f"Source: {analysis.source}", f"{len(analysis.places)} places, {len(analysis.zones)} zones"]
    line = settings_line(settings)
    if line:
        parts.append(line)
    return " · ".join(parts)


@dataclass(frozen=True)
class MapView:
    """What the analyst chose to see on the dashboard's map: basemap, admin levels, zone kinds, extent.

    ``bounds`` is ``[[south, west], [north, east]]``; None frames the article's places, as the map does.
    ``label_lang`` is the language of the map's names ("en" or "ar").
    """

    basemap: str | None = None
    admin_levels: tuple[int, ...] = (1, 2)
    zone_kinds: tuple[str, ...] | None = None
    bounds: list[list[float]] | None = None
    label_lang: str = "en"


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
        label_lang=view.label_lang,
    )
    if view.bounds is not None:
        m.fit_bounds(view.bounds, max_zoom=10)
    return m


def hex_rgb(hex_color: str) -> tuple[int, int, int]:
    """``#rrggbb`` as its red, green and blue values (0-255)."""
    value = hex_color.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)
