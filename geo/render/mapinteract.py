"""What the map does in the page: refs it can frame, a choice between overlapping zones, compact popups.

:class:`Interactions` (one per map) defines ``window.zaFocus(ref)``, which centres the map on a
place or zone (the view of :func:`geo.render.mapframing.focus_view`) and opens its popup: the
dashboard calls it when a highlighted word of the article is clicked. A click where several zones
overlap opens a short list of them instead of the top zone's popup, and the analyst picks one
(the pick opens that zone's popup and selects it, as a click on it alone would).

:class:`RefRegistry` (one per layer group) tells the page which layer draws which ref. Popups are
small (:data:`POPUP_OPTIONS`) and pan the map only as far as they need, with a margin.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from branca.element import MacroElement
from folium.template import Template

#: Options of every place and zone popup: narrow, scrolling inside, panning in only as far as needed.
POPUP_OPTIONS: dict[str, Any] = {
    "max_width": 300,
    "min_width": 220,
    "max_height": 260,
    "auto_pan_padding": [24, 24],
    "class_name": "za-leaflet-popup",
}

POPUP_CSS = """
.za-leaflet-popup .leaflet-popup-content{margin:8px 10px;}
.za-popup{font-size:12px;line-height:1.4;}
.za-popup .za-ref{color:#777;font-size:10.5px;}
.za-popup .za-head{margin:1px 0;}
.za-popup .za-head small{color:#555;}
.za-popup table.za-facts{border-collapse:collapse;margin:3px 0 4px;}
.za-popup table.za-facts th{text-align:left;color:#555;font-weight:normal;padding:0 8px 1px 0;
  vertical-align:top;white-space:nowrap;}
.za-popup table.za-facts td{padding:0 0 1px;}
.za-popup .za-quote{margin:3px 0;padding:2px 6px;font-size:11.5px;}
.za-chooser .za-pick{display:block;width:100%;text-align:start;margin:3px 0;padding:3px 6px;cursor:pointer;
  border:1px solid #ccc;border-radius:3px;background:#fafafa;font:inherit;}
.za-chooser .za-pick:hover{background:#eef3fb;border-color:#8aa6d1;}
.za-chooser .za-sw{display:inline-block;width:10px;height:10px;margin-inline-end:6px;border:2px solid;
  vertical-align:-1px;}
.za-offline-notice{position:absolute;z-index:1000;left:50%;top:10px;transform:translateX(-50%);
  max-width:70%;background:#fff4d6;border:1px solid #d9a400;border-radius:4px;padding:5px 10px;
  font:12px/1.35 "DejaVu Sans",sans-serif;color:#5a4300;box-shadow:0 1px 3px rgba(0,0,0,.2);}
"""


@dataclass(frozen=True)
class RefEntry:
    """One ref the page can frame: the layer that draws it, the view, where its popup opens."""

    ref: str
    layer: Any  # the folium element (its JavaScript name is taken when the map renders)
    centre: tuple[float, float]
    zoom: float
    popup_at: tuple[float, float]
    zone: bool = False
    label: str = ""
    colour: str = ""


class Interactions(MacroElement):
    """``zaFocus`` and the choice between overlapping zones (see the module docstring)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }};
            var refs = window.zaRefs = window.zaRefs || {};
            var picking = false;
            // Leaflet focuses the map on a mouse press; when the map is taller than what the page shows,
            // the page then scrolls between press and release and the click lands on whatever slid
            // under the mouse. Focus it without scrolling.
            if (map.keyboard) {
                map.keyboard.disable();
                map.keyboard._onMouseDown = function () {
                    if (!this._focused) this._map._container.focus({preventScroll: true});
                };
                map.keyboard.enable();
            }
            function inRing(ll, ring) {
                var x = ll.lng, y = ll.lat, inside = false;
                for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
                    var xi = ring[i].lng, yi = ring[i].lat, xj = ring[j].lng, yj = ring[j].lat;
                    if ((yi > y) !== (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi) inside = !inside;
                }
                return inside;
            }
            function contains(layer, ll) {
                if (!layer.getBounds().contains(ll)) return false;
                var polys = layer.getLatLngs();
                if (polys.length && !Array.isArray(polys[0][0])) polys = [polys];
                return polys.some(function (rings) {
                    var holes = rings.slice(1);
                    return inRing(ll, rings[0]) && !holes.some(function (h) { return inRing(ll, h); });
                });
            }
            function zonesAt(ll) {
                var out = [];
                for (var ref in refs) {
                    var item = refs[ref];
                    var drawn = item.zone && item.shape && item.shape._map;
                    if (drawn && contains(item.shape, ll)) out.push(item);
                }
                return out;
            }
            function choose(e) {
                if (picking) return;
                var hits = zonesAt(e.latlng);
                if (hits.length < 2) return;
                e.zaChose = true;  // the list stands in for the zone's own popup
                var box = document.createElement("div"), top = null;
                box.className = "za-popup za-chooser";
                hits.forEach(function (item) { if (item.shape === e.target) top = item; });
                if (top) {  // like every popup, the list starts with the ref of what was clicked
                    var ref = document.createElement("div");
                    ref.className = "za-ref";
                    ref.textContent = top.ref + " · zone, selected";
                    box.appendChild(ref);
                }
                var head = document.createElement("b");
                head.textContent = hits.length + " zones overlap here: pick one";
                box.appendChild(head);
                hits.forEach(function (item) {
                    var button = document.createElement("button");
                    button.type = "button";
                    button.className = "za-pick";
                    button.setAttribute("data-ref", item.ref);
                    var sw = document.createElement("span");
                    sw.className = "za-sw";
                    sw.style.borderColor = item.colour || "#555";
                    button.appendChild(sw);
                    button.appendChild(document.createTextNode(item.label || item.ref));
                    L.DomEvent.on(button, "click", function (ev) {
                        L.DomEvent.stop(ev);
                        map.closePopup();
                        picking = true;
                        try { item.shape.fire("click", {latlng: e.latlng}); } finally { picking = false; }
                    });
                    box.appendChild(button);
                });
                L.popup({{ this.options|tojavascript }}).setLatLng(e.latlng).setContent(box).openOn(map);
            }
            window.zaRegister = function (ref, layer, shape, c, z, p, zone, label, colour) {
                refs[ref] = {ref: ref, layer: layer, shape: shape, c: c, z: z, p: p, zone: zone,
                             label: label, colour: colour};
                if (zone && shape && !shape._zaChooser) {
                    // the list comes first: the zone's own popup opens only when there is no list
                    shape._zaChooser = true;
                    var own = shape._openPopup;
                    if (own) shape.off("click", own, shape);
                    shape.on("click", choose);
                    if (own) shape.on("click", function (ev) { if (!ev.zaChose) own.call(shape, ev); });
                }
            };
            window.zaFocus = function (ref, open) {
                var item = refs[ref];
                if (!item || !item.layer._map) return false;
                map.closePopup();
                map.setView(item.c, item.z, {animate: false});
                var popup = item.layer.getPopup && item.layer.getPopup();
                if (popup && open !== false) {
                    var pan = popup.options.autoPan;
                    popup.options.autoPan = false;
                    item.layer.openPopup(item.p);
                    popup.options.autoPan = pan;
                }
                return true;
            };
        })();
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "Interactions"
        self.options = {k: v for k, v in POPUP_OPTIONS.items() if k != "class_name"}
        self.options["class_name"] = "za-leaflet-popup za-chooser-popup"


class RefRegistry(MacroElement):
    """Registers the refs of one layer group with the page's :class:`Interactions`."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {% for e in this.entries %}
        window.zaRegister({{ e.ref|tojson }}, {{ e.layer.get_name() }}, {{ e.shape }},
            {{ e.centre|tojson }}, {{ e.zoom|tojson }}, {{ e.popup_at|tojson }}, {{ e.zone|tojson }},
            {{ e.label|tojson }}, {{ e.colour|tojson }});
        {% endfor %}
        {% endmacro %}
        """
    )

    def __init__(self, entries: Sequence[RefEntry], shapes: Sequence[Any | None] = ()) -> None:
        super().__init__()
        self._name = "RefRegistry"
        self._entries = list(entries)
        self._shapes = list(shapes) or [None] * len(self._entries)

    @property
    def entries(self) -> list[dict[str, Any]]:
        """The entries with the JavaScript names of their layers (taken at render time)."""
        return [
            {
                "ref": e.ref,
                "layer": e.layer,
                "shape": shape.get_name() if shape is not None else "null",
                "centre": [round(e.centre[0], 5), round(e.centre[1], 5)],
                "zoom": e.zoom,
                "popup_at": [round(e.popup_at[0], 5), round(e.popup_at[1], 5)],
                "zone": e.zone,
                "label": e.label,
                "colour": e.colour,
            }
            for e, shape in zip(self._entries, self._shapes, strict=True)
        ]
