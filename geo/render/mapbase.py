"""What every map of Zone Atlas is built on: Iraq's frame, the boundary layers and their credit.

Also the folium elements that render fast: folium wraps every rendered script in a new branca
Element, which compiles it as a Jinja template, costly for scripts that carry coordinates. The
elements here hand their output over as plain text instead (:class:`Rendered`,
:func:`render_plain`, :class:`FastPopup`), so a map with boundaries and zones renders in a few
milliseconds; :func:`stable` gives an element a fixed id, so the same analysis always renders to
the same script.
"""

from __future__ import annotations

import html
from functools import lru_cache
from typing import Any

import folium
import shapely
from branca.element import Element, MacroElement
from folium.template import Template

from geo.data import boundaries, sources

IRAQ_BOUNDS = [[29.06, 38.79], [37.38, 48.63]]

LEVEL_STYLES: dict[int, dict[str, object]] = {
    1: {
        "name": "Governorates (ADM1)",
        "color": "#3b3b3b",
        "weight": 2.0,
        "fillColor": "#f4f1ea",
        "fillOpacity": 0.55,
    },
    2: {
        "name": "Districts (ADM2)",
        "color": "#7a7a7a",
        "weight": 0.9,
        "fillColor": "#000000",
        "fillOpacity": 0.0,
    },
    3: {
        "name": "Sub-districts (ADM3)",
        "color": "#a0a0a0",
        "weight": 0.5,
        "fillColor": "#000000",
        "fillOpacity": 0.0,
        "dashArray": "2 3",
    },
}
LEVEL_LABELS = {1: "Governorate", 2: "District", 3: "Sub-district"}


def stable(element: Any, ident: str) -> Any:
    """Give ``element`` a fixed id (its JavaScript name), so renders are reproducible."""
    element._id = ident
    return element


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


# --------------------------------------------------------------------------------------------
# Elements that render fast (see the module docstring)


class Rendered(Element):
    """Already-rendered text, kept as it is (never compiled as a template)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self._text = text

    def render(self, **kwargs: Any) -> str:
        return self._text


def render_plain(element: MacroElement, kwargs: dict[str, Any]) -> None:
    """:meth:`MacroElement.render`, with the output passed on as plain text."""
    figure: Any = element.get_root()  # a branca Figure: header, html, script
    module = element._template.module.__dict__
    for part, target in (("header", figure.header), ("html", figure.html), ("script", figure.script)):
        macro = module.get(part)
        if macro is not None:
            target.add_child(Rendered(macro(element, kwargs)), name=element.get_name())
    for child in list(element._children.values()):
        child.render(**kwargs)


class FastPopup(folium.Popup):
    """A popup that renders without compiling its content as a template, and without jQuery.

    The content travels as a JSON string literal (``<`` escaped) and is parsed by a ``<template>``
    element, so no quote, backtick or ``${`` in it can end the string early.
    """

    _template = Template(
        """
        var {{ this.get_name() }} = L.popup({{ this.options|tojavascript }});
        {% for name, element in this.html._children.items() %}
        var {{ name }} = (function () {
            var t = document.createElement("template");
            t.innerHTML = {{ element.render(**kwargs)|tojson }};
            return t.content.firstElementChild;
        })();
        {{ this.get_name() }}.setContent({{ name }});
        {% endfor %}
        {{ this._parent.get_name() }}.bindPopup({{ this.get_name() }}){% if this.show %}.openPopup(){% endif %};
        """
    )

    def render(self, **kwargs: Any) -> None:  # type: ignore[override]
        for child in self._children.values():
            child.render(**kwargs)
        root: Any = self.get_root()
        root.script.add_child(Rendered(self._template.render(this=self, kwargs=kwargs)), name=self.get_name())


class BoundaryLayer(folium.map.Layer):
    """One admin level as ``L.geoJson``: uniform style, hover outline, tooltip built as text.

    The GeoJSON is serialised once per process (:func:`boundary_geojson`), so a map with
    boundaries costs almost nothing to render again.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.geoJson({{ this.data_json }}, {
            style: function () { return {{ this.style|tojson }}; },
            onEachFeature: function (feature, layer) {
                var p = feature.properties, box = document.createElement("div");
                [{{ this.label|tojson }}, p.name_en, p.name_ar, "P-code " + p.pcode].forEach(function (t, i) {
                    var line = document.createElement(i ? "div" : "b");
                    line.textContent = t || "";
                    box.appendChild(line);
                });
                layer.bindTooltip(box, {sticky: true});
                layer.on("mouseover", function (e) { e.target.setStyle({weight: 3, color: "#c0392b"}); });
                layer.on("mouseout", function (e) { {{ this.get_name() }}.resetStyle(e.target); });
            }
        });
        {% endmacro %}
        """
    )

    def __init__(self, level: int, *, show: bool = True) -> None:
        style = dict(LEVEL_STYLES[level])
        super().__init__(name=html.escape(str(style.pop("name"))), overlay=True, control=True, show=show)
        self._name = "BoundaryLayer"
        self.level = level
        self.style = {**style, "className": f"za-adm za-adm{level}"}
        self.label = LEVEL_LABELS[level]
        self.data_json = boundary_geojson(level)

    def render(self, **kwargs: Any) -> None:  # type: ignore[override]
        if self.show:
            assert self._parent is not None, "add the layer to a map first"
            self.add_child(
                folium.map.ElementAddToElement(
                    element_name=self.get_name(), element_parent_name=self._parent.get_name()
                ),
                name=self.get_name() + "_add",
            )
        render_plain(self, kwargs)

    def _get_self_bounds(self) -> list[list[float | None]]:
        return [[IRAQ_BOUNDS[0][0], IRAQ_BOUNDS[0][1]], [IRAQ_BOUNDS[1][0], IRAQ_BOUNDS[1][1]]]


@lru_cache(maxsize=8)
def boundary_geojson(level: int) -> str:
    """The web-weight layer of ``level`` as GeoJSON text safe inside ``<script>`` (5 decimals)."""
    import numpy as np
    from jinja2.utils import htmlsafe_json_dumps

    gdf = boundaries.load_level(level, web=True)[["pcode", "name_en", "name_ar", "geometry"]]
    gdf = gdf.set_geometry(shapely.transform(gdf.geometry.values, lambda c: np.round(c, 5)))
    return str(htmlsafe_json_dumps(gdf.to_geo_dict(drop_id=True), separators=(",", ":")))
