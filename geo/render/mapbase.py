"""What every map of Zone Atlas is built on: Iraq's frame, the boundary layers and their credit.

Also the folium elements that render fast: folium wraps every rendered script in a new branca
Element, which compiles it as a Jinja template, costly for scripts that carry coordinates. The
elements here hand their output over as plain text instead (:class:`Rendered`,
:func:`render_plain`, :class:`FastPopup`), so a map with boundaries and zones renders in a few
milliseconds; :func:`stable` gives an element a fixed id, so the same analysis always renders to
the same script.
"""

from __future__ import annotations

import hashlib
import html
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

import folium
import shapely
from branca.element import Element, MacroElement
from folium.template import Template

from geo.data import boundaries, sources
from geo.files import atomic_write_text

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
#: Decimal places of boundary coordinates on web maps (~10 m; the web-weight layers are simplified
#: far more coarsely than that, so the fifth decimal only cost bytes).
WEB_DECIMALS = 4
#: The browser-side table the published boundary scripts fill (see :func:`publish_boundaries`).
LAYER_TABLE = "zaLayers"


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
    boundaries costs almost nothing to render again. With ``url`` (a file written by
    :func:`publish_boundaries`) the data stays out of the script: the page loads the file once.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.geoJson(null, {
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
        {% if this.url %}(function (layer, ref, url) {
            var table = window.{{ this.table }} = window.{{ this.table }} || {};
            if (table[ref]) { layer.addData(table[ref]); return; }
            var s = document.createElement("script");
            s.src = url;
            s.onload = function () {
                if (!table[ref]) return;
                layer.addData(table[ref]);
                if (layer._map && layer._map.zaRestack) layer._map.zaRestack();  // under zones and places
            };
            document.head.appendChild(s);
        })({{ this.get_name() }}, {{ this.data_ref|tojson }}, {{ this.url|tojson }});
        {% else %}{{ this.get_name() }}.addData({{ this.data_json }});
        {% endif %}
        {% endmacro %}
        """
    )

    def __init__(self, level: int, *, show: bool = True, url: str | None = None) -> None:
        style = dict(LEVEL_STYLES[level])
        super().__init__(name=html.escape(str(style.pop("name"))), overlay=True, control=True, show=show)
        self._name = "BoundaryLayer"
        self.level = level
        self.style = {**style, "className": f"za-adm za-adm{level}"}
        self.label = LEVEL_LABELS[level]
        # url: the script file of :func:`publish_boundaries`, loaded once per page (and kept by the
        # browser) instead of the data travelling inside the map's script on every change
        self.table = LAYER_TABLE
        self.url = url or ""
        self.data_ref = boundary_ref(level)
        self.data_json = "" if url else boundary_geojson(level)

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
    """The web-weight layer of ``level`` as GeoJSON text safe inside ``<script>`` (WEB_DECIMALS)."""
    import numpy as np
    from jinja2.utils import htmlsafe_json_dumps

    gdf = boundaries.load_level(level, web=True)[["pcode", "name_en", "name_ar", "geometry"]]
    gdf = gdf.set_geometry(shapely.transform(gdf.geometry.values, lambda c: np.round(c, WEB_DECIMALS)))
    return str(htmlsafe_json_dumps(gdf.to_geo_dict(drop_id=True), separators=(",", ":")))


def boundary_ref(level: int) -> str:
    """The key of ``level`` in the browser-side table of published boundaries."""
    return f"adm{level}"


def boundary_script(level: int) -> str:
    """A script that puts the web-weight layer of ``level`` into the browser-side table."""
    table = f"window.{LAYER_TABLE}"
    return f'{table} = {table} || {{}};\n{table}["{boundary_ref(level)}"] = {boundary_geojson(level)};\n'


def publish_boundaries(folder: Path, levels: Iterable[int] = (1, 2, 3)) -> dict[int, str]:
    """Write the boundary scripts of ``levels`` into ``folder``; returns each level's file name.

    The names carry a digest of the content, so a browser may keep a file as long as it likes: new
    boundaries get a new name. Files already there are not written again; others of older
    content are removed.

    Examples
    --------
    >>> publish_boundaries(Path("dashboard/static/layers"))  # doctest: +SKIP
    {1: 'adm1-3f0c9a1b2c4d.js', 2: 'adm2-...', 3: 'adm3-...'}
    """
    folder.mkdir(parents=True, exist_ok=True)
    names: dict[int, str] = {}
    for level in levels:
        text = boundary_script(level)
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]
        name = f"{boundary_ref(level)}-{digest}.js"
        if not (folder / name).is_file():
            atomic_write_text(folder / name, text)
        for old in folder.glob(f"{boundary_ref(level)}-*.js"):
            if old.name != name:
                old.unlink(missing_ok=True)
        names[level] = name
    return names
