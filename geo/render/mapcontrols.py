"""The map's legend and controls: the legend, the offline mini-map, fullscreen and measure tool.

The legend lists the zone kinds (fill, outline, dash, seat symbol) and the place kinds on the map,
as the layers of :mod:`geo.render.maplayers` draw them; its HTML is escaped. It never covers the
map's content: inside a map it is a box collapsed to one line until opened; the dashboard shows
it as a strip outside the map (:func:`legend_strip_html`) and the PNG beside it. The mini-map is
off unless asked for, and draws the governorate outlines instead of tiles, so it paints offline.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Any

import folium
import folium.plugins
from branca.element import MacroElement
from folium.elements import JSCSSMixin
from folium.template import Template

from geo.data import boundaries
from geo.render import highlight
from geo.render.maplayers import SEAT_SYMBOLS

PLACE_KINDS = ("governorate", "district", "subdistrict", "city", "town", "village", "region", "country")


class Legend(MacroElement):
    """A fixed legend box in a map corner; ``content`` is escaped HTML."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.control({position: {{ this.position|tojson }}});
        {{ this.get_name() }}.onAdd = function () {
            var div = L.DomUtil.create("div", "za-legend");
            div.innerHTML = {{ this.content|tojson }};
            L.DomEvent.disableClickPropagation(div);
            L.DomEvent.disableScrollPropagation(div);
            return div;
        };
        {{ this.get_name() }}.addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, content: str, position: str = "topright") -> None:
        super().__init__()
        self._name = "Legend"
        self.content = content
        self.position = position


def legend_html(
    styles: Mapping[str, Mapping[str, Any]] | None = None,
    *,
    zone_kinds: Iterable[str] | None = None,
    place_kinds: Sequence[str] = PLACE_KINDS,
    collapsed: bool = True,
) -> str:
    """Escaped legend HTML: zone kinds (fill, outline, dash, seat symbol) and place kinds.

    ``zone_kinds`` and ``place_kinds`` name the kinds on the map (None: every zone kind);
    ``collapsed`` shows only the "Legend" line until it is opened.
    """
    styles = highlight.styles_or_rules(styles)
    kinds = list(styles) if zone_kinds is None else [k for k in styles if k in set(zone_kinds)]
    rows = ["<details><summary>Legend</summary>" if collapsed else "<details open><summary>Legend</summary>"]
    rows += ["<b>Zones</b>"] if kinds else []
    for kind in kinds:
        s = highlight.zone_style(kind, styles)
        border = "dashed" if s.dash else "solid"
        swatch = (
            f'<span class="za-sw" style="background:{s.fill_colour};opacity:{max(s.fill_opacity, 0.35):.2f};'
            f'border:2px {border} {s.colour}"></span>'
        )
        seat = (
            f' <span style="color:{s.colour}">{SEAT_SYMBOLS.get(s.marker, SEAT_SYMBOLS[""])}</span> seat'
            if s.marker
            else ""
        )
        rows.append(f"<div>{swatch}{highlight.escape(s.label)}{seat}</div>")
    rows.append('<b>Places</b><div class="za-grid">')
    for kind in place_kinds:
        rows.append(
            f'<div><span class="za-dot" style="background:{highlight.place_colour(kind)}"></span>'
            f"{highlight.escape(kind)}</div>"
        )
    rows.append(
        '<div><span class="za-dot" style="border:2px dashed #555;background:#fff"></span>review</div>'
    )
    rows.append("</div><small>marker size: number of mentions</small></details>")
    return "".join(rows)


class OfflineMiniMap(JSCSSMixin, MacroElement):
    """leaflet-minimap showing a GeoJSON outline layer instead of tiles, so it paints offline."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }}_layer = L.geoJson({{ this.data|tojson }}, {
            style: function () { return {{ this.style|tojson }}; }, interactive: false
        });
        var {{ this.get_name() }} = new L.Control.MiniMap(
            {{ this.get_name() }}_layer, {{ this.options|tojavascript }}
        );
        {{ this._parent.get_name() }}.addControl({{ this.get_name() }});
        {% endmacro %}
        """
    )
    default_js = folium.plugins.MiniMap.default_js
    default_css = folium.plugins.MiniMap.default_css

    def __init__(
        self,
        data: dict[str, Any],
        *,
        position: str = "bottomleft",
        zoom_level_offset: int = -4,
        minimized: bool = False,
    ) -> None:
        super().__init__()
        self._name = "MiniMap"
        self.data = data
        self.style = {"color": "#555555", "weight": 0.8, "fillColor": "#f4f1ea", "fillOpacity": 1}
        self.options = {
            "position": position,
            "width": 120,
            "height": 120,
            "zoomLevelOffset": zoom_level_offset,
            "toggleDisplay": True,
            "minimized": minimized,
        }


@lru_cache(maxsize=1)
def _minimap_geojson() -> dict[str, Any]:
    """Governorate outlines, simplified further (~2 km), for the mini-map."""
    import json

    gdf = boundaries.simplify_coverage(boundaries.load_level(1, web=True), 0.02)
    return json.loads(gdf[["pcode", "geometry"]].to_json(drop_id=True))


def add_controls(m: folium.Map, *, minimap: bool | str = False) -> folium.Map:
    """Fullscreen button, measure tool and the (offline) mini-map when asked for.

    ``minimap``: False (none, the default), True (shown) or ``"collapsed"`` (a button that opens
    it). The scale bar comes with the map.
    """
    folium.plugins.Fullscreen(position="topleft").add_to(m)
    folium.plugins.MeasureControl(
        position="topleft",
        primary_length_unit="kilometers",
        secondary_length_unit=None,
        primary_area_unit="sqkilometers",
        secondary_area_unit=None,
    ).add_to(m)
    if minimap:
        OfflineMiniMap(_minimap_geojson(), minimized=minimap == "collapsed").add_to(m)
    return m


def legend_strip_html(
    styles: Mapping[str, Mapping[str, Any]] | None,
    *,
    zone_kinds: Iterable[str],
    place_kinds: Iterable[str],
) -> str:
    """The legend as one escaped strip of swatches, for a place outside the map (the dashboard)."""
    styles = highlight.styles_or_rules(styles)
    wanted = set(zone_kinds)
    items = []
    for kind in [k for k in styles if k in wanted] + sorted(wanted - set(styles)):
        s = highlight.zone_style(kind, styles)
        border = "dashed" if s.dash else "solid"
        seat = (
            f' <span style="color:{s.colour}">{SEAT_SYMBOLS.get(s.marker, SEAT_SYMBOLS[""])}</span> seat'
            if s.marker
            else ""
        )
        items.append(
            f'<span class="za-li"><span class="za-sw" style="background:{s.fill_colour};'
            f'opacity:{max(s.fill_opacity, 0.35):.2f};border:2px {border} {s.colour}"></span>'
            f"{highlight.escape(s.label)}{seat}</span>"
        )
    for kind in dict.fromkeys(place_kinds):
        items.append(
            f'<span class="za-li"><span class="za-dot" style="background:{highlight.place_colour(kind)}">'
            f"</span>{highlight.escape(kind)}</span>"
        )
    items.append('<span class="za-li"><span class="za-dot za-review"></span>to review (dashed)</span>')
    items.append('<span class="za-li za-note">marker size: mentions</span>')
    return f'<div class="za-legend-strip" aria-label="Legend"><b>Legend</b> {"".join(items)}</div>'


LEGEND_STRIP_CSS = """
.za-legend-strip{font-size:12px;line-height:1.9;color:#333;margin:2px 0 4px;}
.za-legend-strip b{margin-inline-end:6px;}
.za-legend-strip .za-li{display:inline-block;margin-inline-end:14px;white-space:nowrap;}
.za-legend-strip .za-sw{display:inline-block;width:16px;height:11px;margin-inline-end:5px;
  vertical-align:-1px;}
.za-legend-strip .za-dot{display:inline-block;width:11px;height:11px;border-radius:50%;margin-inline-end:5px;
  vertical-align:-1px;border:1px solid #222;}
.za-legend-strip .za-review{border:2px dashed #555;background:#fff;}
.za-legend-strip .za-note{color:#666;}
"""
