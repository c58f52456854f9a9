"""folium maps of the canonical boundaries (and, later, of places and zones).

Pure functions from GeoDataFrames to folium objects: the dashboard and the exports render the same
map. Maps start with no basemap tiles (they must paint offline); OpenStreetMap can be switched on.
"""

from __future__ import annotations

import folium
import geopandas as gpd
from branca.element import MacroElement
from jinja2 import Template

from geo import boundaries, sources

#: The dashboard's static route for the local Leaflet copies (see geo.webassets).
DASHBOARD_ASSET_URL = "/app/static/vendor"
IRAQ_BOUNDS = [[29.06, 38.79], [37.38, 48.63]]
OSM_TILES = "OpenStreetMap"
OSM_ATTRIBUTION = "&copy; OpenStreetMap contributors"

LEVEL_STYLES: dict[int, dict[str, object]] = {
    1: {"name": "Governorates (ADM1)", "color": "#3b3b3b", "weight": 2.0, "fillColor": "#f4f1ea", "fillOpacity": 0.55},
    2: {"name": "Districts (ADM2)", "color": "#7a7a7a", "weight": 0.9, "fillColor": "#000000", "fillOpacity": 0.0},
    3: {"name": "Sub-districts (ADM3)", "color": "#a0a0a0", "weight": 0.5, "fillColor": "#000000", "fillOpacity": 0.0, "dashArray": "2 3"},
}
LEVEL_LABELS = {1: "Governorate", 2: "District", 3: "Sub-district"}


def new_map(basemap: str | None = None, height: str | int = "100%") -> folium.Map:
    """An empty map framed on Iraq, with a scale bar and no tiles unless ``basemap="osm"``."""
    m = folium.Map(
        location=[33.2, 43.7],
        zoom_start=6,
        tiles=None,
        control_scale=True,
        prefer_canvas=False,
        height=height,
    )
    m.get_root().html.add_child(
        folium.Element("<style>.leaflet-container{background:#dde6ee;}</style>")
    )
    if basemap == "osm":
        folium.TileLayer(OSM_TILES, name="OpenStreetMap (online)", attr=OSM_ATTRIBUTION).add_to(m)
    m.fit_bounds(IRAQ_BOUNDS)
    return m


def boundary_layer(gdf: gpd.GeoDataFrame, level: int, show: bool = True) -> folium.GeoJson:
    """A styled GeoJSON layer of one admin level with a hover tooltip (English, Arabic, P-code)."""
    style = dict(LEVEL_STYLES[level])
    name = str(style.pop("name"))
    frame = gdf[["pcode", "name_en", "name_ar", "geometry"]].copy()
    frame["level_label"] = LEVEL_LABELS[level]
    tooltip = folium.GeoJsonTooltip(
        fields=["level_label", "name_en", "name_ar", "pcode"],
        aliases=["", "", "", "P-code"],
        labels=True,
        sticky=True,
    )
    return folium.GeoJson(
        frame.to_json(drop_id=True),
        name=name,
        show=show,
        style_function=lambda _f, s=style: dict(s),
        highlight_function=lambda _f: {"weight": 3, "color": "#c0392b"},
        tooltip=tooltip,
        smooth_factor=1.0,
    )


def boundaries_map(levels: tuple[int, ...] = (1, 2), basemap: str | None = None) -> folium.Map:
    """The first map: Iraq's governorates and districts (web-weight), layer control, scale bar."""
    m = new_map(basemap=basemap)
    for level in levels:
        boundary_layer(boundaries.load_level(level, web=True), level).add_to(m)
    folium.LayerControl(collapsed=False).add_to(m)
    attribution(m)
    return m


class _Attribution(MacroElement):
    """Adds a line to Leaflet's own attribution control (kept in every render of the map)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.attributionControl.addAttribution({{ this.text|tojson }});
        {% endmacro %}
        """
    )

    def __init__(self, text: str) -> None:
        super().__init__()
        self._name = "Attribution"
        self.text = text


def attribution(m: folium.Map) -> None:
    """Credit the boundary dataset in the map's attribution corner."""
    _Attribution(sources.get_dataset(boundaries.BOUNDARY_DATASET).attribution).add_to(m)
