"""The folium maps of Zone Atlas: the canonical boundaries, and an article's places and zones.

Pure functions from analyses to folium maps, assembled from the layer modules: the base, the
boundary layers and the offline basemap (:mod:`geo.render.mapbase`, :mod:`geo.render.basemap`),
the places and zones (:mod:`geo.render.maplayers`), their names (:mod:`geo.render.labels`), the
legend and controls (:mod:`geo.render.mapcontrols`), what the map does in the page
(:mod:`geo.render.mapinteract`) and the framing (:mod:`geo.render.mapframing`). The dashboard and
the exports render the same map (:func:`analysis_map`). Maps draw no tiles (they must paint
offline); OpenStreetMap can be switched on, over the offline basemap. Every text that reaches a
popup, tooltip, label, legend or layer name is escaped; every element an analysis adds gets a
stable id, so the same analysis always renders to the same script.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import folium
from branca.element import Element, MacroElement
from folium.template import Template

from geo.model import Analysis
from geo.render import highlight, labels
from geo.render.basemap import BasemapLayer, osm_layer
from geo.render.mapbase import IRAQ_BOUNDS, BoundaryLayer, attribution, stable
from geo.render.mapcontrols import LEGEND_STRIP_CSS, Legend, add_controls, legend_html
from geo.render.mapframing import analysis_bounds
from geo.render.mapinteract import POPUP_CSS, Interactions
from geo.render.maplayers import places_layer, zone_layers

#: The dashboard's static route for the local Leaflet copies (see geo.render.webassets).
DASHBOARD_ASSET_URL = "/app/static/vendor"
OSM_TILES = "OpenStreetMap"
OSM_ATTRIBUTION = "&copy; OpenStreetMap contributors"

MAP_CSS = (
    """
<style>
.leaflet-container{background:#dde6ee;font-family:"DejaVu Sans","Noto Sans Arabic",sans-serif;}
.za-quote{margin:4px 0;padding:3px 6px;border-inline-start:3px solid #999;background:#f7f7f7;white-space:pre-wrap;}
.za-quote mark{background:#ffe066;padding:0 1px;}
.za-seat{font-size:22px;line-height:22px;text-align:center;text-shadow:0 0 2px #fff,0 0 4px #fff;}
.za-legend{background:rgba(255,255,255,.94);padding:3px 8px;border-radius:4px;font-size:11px;
  line-height:1.45;box-shadow:0 1px 4px rgba(0,0,0,.3);max-width:260px;}
.za-legend .za-sw{display:inline-block;width:16px;height:11px;margin-right:6px;vertical-align:middle;}
.za-legend .za-dot{display:inline-block;width:11px;height:11px;border-radius:50%;margin-right:6px;vertical-align:middle;}
.za-legend b{display:block;margin-top:3px;}
.leaflet-control-minimap{background:#dde6ee;}
.leaflet-control-attribution{font-size:10px;}
.za-legend summary{cursor:pointer;font-weight:bold;}
.za-legend .za-grid{display:grid;grid-template-columns:auto auto;column-gap:8px;}
"""
    + POPUP_CSS
    + labels.LABEL_CSS
    + LEGEND_STRIP_CSS
    + "</style>"
)


def new_map(basemap: str | None = None, height: str | int = "100%") -> folium.Map:
    """An empty map framed on Iraq, with a scale bar and no tiles unless ``basemap="osm"``."""
    m = folium.Map(
        location=[33.2, 43.7],
        zoom_start=6,
        tiles=None,
        control_scale=True,
        prefer_canvas=False,
        height=height,
        zoom_snap=0.25,  # fractional zoom: fitting a view frames it tightly, not at the next whole level
        zoom_delta=0.5,
    )
    root: Any = m.get_root()  # a branca Figure
    root.html.add_child(folium.Element("<style>.leaflet-container{background:#dde6ee;}</style>"))
    if basemap == "osm":
        osm_layer().add_to(m)
    m.fit_bounds(IRAQ_BOUNDS)
    return m


def boundaries_map(levels: tuple[int, ...] = (1, 2), basemap: str | None = None) -> folium.Map:
    """The first map: Iraq's governorates and districts (web-weight), layer control, scale bar."""
    m = new_map(basemap=basemap)
    for level in levels:
        BoundaryLayer(level).add_to(m)
    folium.LayerControl(collapsed=False).add_to(m)
    attribution(m)
    return m


def analysis_layers(
    analysis: Analysis,
    *,
    styles: Mapping[str, Mapping[str, Any]] | None = None,
    zone_kinds: Iterable[str] | None = None,
    unit_names: Mapping[str, str] | None = None,
    label_lang: str = "en",
) -> list[folium.FeatureGroup]:
    """The zone layers (one per kind), the places layer, and the names of both, drawn on top."""
    kinds = None if zone_kinds is None else tuple(zone_kinds)
    layers = zone_layers(analysis, styles=styles, zone_kinds=kinds, unit_names=unit_names)
    names = labels.place_labels(analysis, lang=label_lang)
    names += labels.zone_labels(analysis, styles, lang=label_lang, zone_kinds=kinds)
    return [*layers, places_layer(analysis), labels.labels_group(names, key="analysis", name="Names")]


class KeptLayers(MacroElement):
    """Lets a re-sent layer that has not changed stay on the map, drawn as it is.

    On a control change the dashboard's map component takes every layer off and evaluates the
    new layers' scripts. A script of the same text as before (see ``dashboard/mapscript.py``)
    finds its layer in ``window.zaGroups`` and calls ``map.zaKeep(layer)``: its removal, held back
    until the scripts have run, is then dropped, so only the changed layers are drawn again. The
    layers are then put back in their order (broad zones under small ones, places on top), and
    again by ``map.zaRestack()`` when a layer draws late (boundaries whose file arrives after).
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function (map) {
            var remove = map.removeLayer, held = [], order = [], stack = [], fresh = false;
            // the layers in their order, again (after a layer drew late, e.g. boundaries loading)
            map.zaRestack = function () {
                stack.forEach(function (layer) { if (map.hasLayer(layer)) layer.bringToFront(); });
            };
            var settle = function () {
                var gone = held;
                held = [];
                gone.forEach(function (layer) {
                    remove.call(map, layer);
                    Object.keys(window.zaGroups || {}).forEach(function (k) {
                        if (window.zaGroups[k] === layer) delete window.zaGroups[k];
                    });
                });
                stack = order;
                if (fresh) map.zaRestack();
                order = [];
                fresh = false;
            };
            map.removeLayer = function (layer) {
                if (!layer || !layer.zaKey || !map.hasLayer(layer)) return remove.call(map, layer);
                if (!held.length) Promise.resolve().then(settle);
                held.push(layer);
                return map;
            };
            map.zaKeep = function (layer, created) {
                var i = held.indexOf(layer);
                if (i >= 0) held.splice(i, 1);
                if (created) fresh = true;
                if (!order.length && !held.length) Promise.resolve().then(settle);
                order.push(layer);
            };
        })({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )


def basemap_names(label_lang: str = "en") -> folium.FeatureGroup:
    """The names of governorates, towns, rivers and neighbouring countries, as one layer."""
    names = [*labels.governorate_labels(label_lang), *labels.basemap_labels(label_lang)]
    return stable(labels.labels_group(names, key="base", name="Basemap names"), "zabasenames")


def control_layers(
    *,
    basemap: str | None = None,
    admin_levels: Iterable[int] = (1, 2),
    boundary_urls: Mapping[int, str],
    label_lang: str = "en",
) -> list[folium.FeatureGroup]:
    """What the map controls switch, as layers for ``feature_group_to_add``.

    The boundary levels (their data from the files of
    :func:`geo.render.mapbase.publish_boundaries`, at ``boundary_urls``), the OpenStreetMap tiles
    and the names of the basemap: with them outside the base map, a change of boundaries, basemap
    or label language swaps these layers in the browser instead of building the map again.
    """
    groups = []
    for level in sorted(set(admin_levels)):
        layer = BoundaryLayer(level, url=boundary_urls[level])
        group = folium.FeatureGroup(name=layer.layer_name, show=True)
        stable(layer, f"zaadm{level}").add_to(group)
        groups.append(stable(group, f"zaadmgroup{level}"))
    if basemap == "osm":
        tiles = osm_layer()
        group = folium.FeatureGroup(name=tiles.layer_name, show=True)
        tiles.add_to(group)
        groups.append(stable(group, "zaosmgroup"))
    groups.append(basemap_names(label_lang))
    return groups


def analysis_base_map(
    *,
    basemap: str | None = None,
    admin_levels: Iterable[int] = (1, 2),
    bounds: list[list[float]] | None = None,
    styles: Mapping[str, Mapping[str, Any]] | None = None,
    layer_control: bool = True,
    minimap: bool | str = False,
    legend: str | None = None,
    label_lang: str = "en",
    base_names: bool = True,
) -> folium.Map:
    """The part of an analysis map that does not depend on the analysis' details.

    Offline basemap, boundary layers (``admin_levels``; sub-districts are left out by default),
    the names of governorates, towns, rivers and neighbouring countries (in ``label_lang``),
    controls, attribution, and a view fitted to ``bounds``. ``legend`` is the legend's HTML (None:
    no legend on the map; the dashboard shows it beside the map). The dashboard adds the analysis
    layers to it on the fly; ``layer_control=False`` leaves the layer switcher to it;
    ``base_names=False`` leaves the names of the basemap out (see :func:`control_layers`).
    """
    m = new_map()
    stable(BasemapLayer(), "zabase").add_to(m)  # under the OpenStreetMap tiles, shown when they fail
    if basemap == "osm":
        osm_layer().add_to(m)
    # Zone Atlas popups need no jQuery (see mapbase.FastPopup): one library less to load and parse.
    m.default_js = [(name, url) for name, url in m.default_js if name != "jquery"]
    root: Any = m.get_root()  # a branca Figure
    root.header.add_child(Element(MAP_CSS), name="za_css")
    stable(labels.LabelEngine(), "zalabelengine").add_to(m)
    stable(Interactions(), "zainteract").add_to(m)
    stable(KeptLayers(), "zakept").add_to(m)
    for level in sorted(set(admin_levels)):
        stable(BoundaryLayer(level), f"zaadm{level}").add_to(m)
    if base_names:
        basemap_names(label_lang).add_to(m)
    add_controls(m, minimap=minimap)
    if legend is not None:
        Legend(legend).add_to(m)
    attribution(m)
    if bounds is not None:
        m.fit_bounds(bounds, max_zoom=10)
    if layer_control:
        folium.LayerControl(collapsed=True).add_to(m)
    return m


def analysis_map(
    analysis: Analysis,
    *,
    basemap: str | None = None,
    admin_levels: Iterable[int] = (1, 2),
    zone_kinds: Iterable[str] | None = None,
    styles: Mapping[str, Mapping[str, Any]] | None = None,
    unit_names: Mapping[str, str] | None = None,
    label_lang: str = "en",
    minimap: bool | str = "collapsed",
) -> folium.Map:
    """The complete map of an analysis: basemap, boundaries, one layer per zone kind, places,
    names, a collapsed legend of the kinds on the map, layer control, fullscreen, scale bar,
    measure tool and a collapsed mini-map, fitted to what the article is about.

    The dashboard shows the same map; exports call this to get it. Links to JS/CSS still point
    at CDNs: pass the result through :func:`geo.render.webassets.localize`.

    Examples
    --------
    >>> from geo.pipeline import analyze  # doctest: +SKIP
    >>> m = analysis_map(analyze(text), label_lang="ar")  # doctest: +SKIP
    >>> m.save("map.html")  # after webassets.localize(m, base_url)  # doctest: +SKIP
    """
    styles = highlight.styles_or_rules(styles)
    kinds = None if zone_kinds is None else tuple(zone_kinds)
    present = [z.kind for z in analysis.zones if kinds is None or z.kind in kinds]
    m = analysis_base_map(
        basemap=basemap,
        admin_levels=admin_levels,
        bounds=analysis_bounds(analysis),
        styles=styles,
        layer_control=False,
        minimap=minimap,
        legend=legend_html(
            styles, zone_kinds=present, place_kinds=list(dict.fromkeys(p.kind for p in analysis.places))
        ),
        label_lang=label_lang,
    )
    layers = analysis_layers(
        analysis, styles=styles, zone_kinds=kinds, unit_names=unit_names, label_lang=label_lang
    )
    for layer in layers:
        layer.add_to(m)
    folium.LayerControl(collapsed=True).add_to(m)
    return m
