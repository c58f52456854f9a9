"""Names on the map: the article's places and zones, governorates, towns, rivers, ranges, countries.

Each name is a :class:`Label`: where it goes, how important it is (``priority``), from which zoom
to which zoom it is shown, and a style role (larger for governorates and operations rooms). Labels
are written in English or Arabic (``lang``); Arabic is shaped and set right to left by the browser.

On the web map the labels are ``L.marker`` icons placed by :class:`LabelEngine`, which runs in the
page after every zoom and move: labels are taken in priority order and one that would overlap a
label already shown, a map control (zoom, layers, scale bar) or, for the basemap's names, a place
marker is hidden, as is one outside its zoom range, as is a second label of the same name close by
(a town that is also an article's place); so labels never overlap. The PNG and the PDF are screenshots of that page, so they
carry the same labels; the static fallback (:mod:`geo.render.staticmap`) places them the same way.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import folium
import shapely
from branca.element import MacroElement
from folium.template import Template

from geo.model import Analysis
from geo.render import highlight
from geo.render.mapframing import zone_anchor

LANGS = {"en": "English", "ar": "العربية"}
#: Priority bands: article places first, then zones, then the basemap's names.
PRIORITY = {
    "place": 100.0,
    "room": 95.0,
    "zone": 80.0,
    "governorate": 50.0,
    "country": 45.0,
    "town": 40.0,
    "river": 35.0,
    "lake": 35.0,
    "range": 30.0,
    "mountain": 25.0,
}
#: Zoom range of each role (min, max): names that would crowd the map at a zoom are hidden there.
ZOOMS = {
    "place": (0.0, 30.0),
    "room": (0.0, 30.0),
    "zone": (0.0, 30.0),
    "governorate": (5.25, 10.0),
    "country": (0.0, 8.5),
    "town": (6.5, 30.0),
    "river": (6.0, 30.0),
    "lake": (6.5, 30.0),
    "marsh": (7.0, 30.0),
    "range": (6.5, 30.0),
    "mountain": (8.0, 30.0),
}
#: Place kinds whose markers get a label only from this zoom on.
PLACE_MIN_ZOOM = {"village": 7.0, "town": 6.0, "subdistrict": 6.0}
#: Short forms of zone kind labels on the map (the legend and popups keep the full names).
SHORT_KIND = {"Joint operations room": "Ops room"}
_PARENS = re.compile(r"\s*[(\uff08][^)\uff09]*[)\uff09]")


@dataclass(frozen=True)
class Label:
    """One name on the map at (lat, lon); ``offset`` > 0 sets it that many pixels right of a marker."""

    text: str
    lat: float
    lon: float
    role: str
    priority: float
    min_zoom: float = 0.0
    max_zoom: float = 30.0
    rtl: bool = False
    offset: int = 0
    colour: str = ""
    ref: str = ""

    def row(self) -> list[Any]:
        """The label as the compact row :class:`LabelEngine` reads."""
        return [
            round(self.lat, 5),
            round(self.lon, 5),
            self.text,
            self.role,
            round(self.priority, 3),
            self.min_zoom,
            self.max_zoom,
            1 if self.rtl else 0,
            self.offset,
            highlight.safe_colour(self.colour, "") if self.colour else "",
        ]


def pick(english: str, arabic: str, lang: str) -> tuple[str, bool]:
    """The name in ``lang`` ("ar" falls back to English when there is no Arabic) and whether it is RTL."""
    if lang == "ar" and arabic.strip():
        return arabic.strip(), True
    return english.strip(), False


def short_label(text: str) -> str:
    """A zone label fit for the map: no parentheses, no colon, short kind names."""
    text = _PARENS.sub("", text).strip()
    for long, short in SHORT_KIND.items():
        if text.startswith(long):
            text = short + text[len(long) :]
    return re.sub(r"\s*:\s*", " ", text).strip()


def place_labels(analysis: Analysis, *, lang: str = "en") -> list[Label]:
    """One label beside each located place's marker; more mentions, higher priority."""
    from geo.render.maplayers import place_radius

    out = []
    for i, p in enumerate(analysis.places):
        if not (math.isfinite(p.lat) and math.isfinite(p.lon)):
            continue
        text, rtl = pick(p.name, p.name_ar, lang)
        if not text:
            continue
        bonus = min(len(p.mentions), 9) + (0.5 if p.kind in ("governorate", "city") else 0.0)
        out.append(
            Label(
                text,
                p.lat,
                p.lon,
                "place",
                PRIORITY["place"] + bonus - i * 1e-3,
                min_zoom=PLACE_MIN_ZOOM.get(p.kind, 0.0),
                rtl=rtl,
                offset=int(place_radius(len(p.mentions))) + 3,
                ref=highlight.place_ref(i),
            )
        )
    return out


def zone_labels(
    analysis: Analysis,
    styles: Mapping[str, Mapping[str, Any]] | None = None,
    *,
    lang: str = "en",
    zone_kinds: Iterable[str] | None = None,
) -> list[Label]:
    """One label per zone: operations rooms beside their seat (larger), other zones inside them."""
    wanted = None if zone_kinds is None else set(zone_kinds)
    out = []
    for j, z in enumerate(analysis.zones):
        if wanted is not None and z.kind not in wanted:
            continue
        style = highlight.zone_style(z.kind, styles)
        text, rtl = pick(short_label(z.label), short_label(z.label_ar), lang)
        seat = z.seat if style.marker and z.seat is not None and all(map(math.isfinite, z.seat)) else None
        if seat is not None:
            where: tuple[float, float] | None = (seat[0], seat[1])
        elif z.geometry is not None and not z.geometry.is_empty:
            where = zone_anchor(z.geometry)
        else:
            where = None
        if where is None or not text:
            continue
        small = 1.0 / (1.0 + math.log10(max(z.area_km2, 1.0)))  # small zones are harder to see
        out.append(
            Label(
                text,
                where[0],
                where[1],
                "room" if seat is not None else "zone",
                PRIORITY["room" if seat is not None else "zone"] + small - j * 1e-3,
                rtl=rtl,
                offset=14 if seat is not None else 0,
                colour=style.colour,
                ref=highlight.zone_ref(j),
            )
        )
    return out


@lru_cache(maxsize=2)
def governorate_labels(lang: str = "en") -> tuple[Label, ...]:
    """Each governorate's name at the pole of inaccessibility of its outline (large, muted)."""
    from shapely.ops import polylabel

    from geo.data import boundaries

    out = []
    for row in boundaries.load_level(1, web=True).itertuples(index=False):
        largest = max(shapely.get_parts(row.geometry), key=lambda g: g.area)
        point = polylabel(largest, tolerance=0.01)
        text, rtl = pick(str(row.name_en), str(row.name_ar), lang)
        low, high = ZOOMS["governorate"]
        area_bonus = min(largest.area, 10.0) / 10.0  # large governorates keep their names first
        out.append(
            Label(text, point.y, point.x, "governorate", PRIORITY["governorate"] + area_bonus, low, high, rtl)
        )
    return tuple(out)


@lru_cache(maxsize=2)
def basemap_labels(lang: str = "en") -> tuple[Label, ...]:
    """The basemap's names: neighbouring countries, governorate seats, rivers, lakes and ranges."""
    from shapely.ops import polylabel

    from geo.render import basemap
    from geo.zones.lists import load_seats

    out: list[Label] = []
    for _iso, en, ar, geom in basemap.country_shapes():
        largest = max(shapely.get_parts(geom), key=lambda g: g.area)
        if largest.area < 0.5:  # slivers of a country at the window's edge
            continue
        point = polylabel(largest, tolerance=0.05)
        text, rtl = pick(en, ar, lang)
        low, high = ZOOMS["country"]
        out.append(
            Label(text, point.y, point.x, "country", PRIORITY["country"] + largest.area / 1e3, low, high, rtl)
        )
    for seat in load_seats().values():
        text, rtl = pick(seat.name, seat.name_ar, lang)
        low, high = ZOOMS["town"]
        out.append(Label(text, seat.lat, seat.lon, "town", PRIORITY["town"], low, high, rtl, offset=5))
    for feature in basemap.physical_features():
        if feature.kind not in basemap.DRAWN_KINDS:
            continue
        lat, lon = basemap.feature_anchor(feature)
        text, rtl = pick(feature.name_en, feature.name_ar, lang)
        role = "lake" if feature.kind == "marsh" else feature.kind
        low, high = ZOOMS[feature.kind]
        if text:
            offset = 7 if len(feature.points) == 1 else 0  # beside its dot; a line's name on the line
            out.append(Label(text, lat, lon, role, PRIORITY[role], low, high, rtl, offset=offset))
    return tuple(out)


def town_points() -> list[tuple[float, float]]:
    """(lat, lon) of the towns the basemap marks with a dot."""
    from geo.zones.lists import load_seats

    return [(s.lat, s.lon) for s in load_seats().values()]


LABEL_CSS = """
.za-label{background:none;border:none;width:0;height:0;}
.za-label .za-lt{position:absolute;left:0;top:0;white-space:nowrap;transform:translate(-50%,-50%);
  font:600 12px/1.2 "DejaVu Sans","Noto Sans","Noto Naskh Arabic",sans-serif;color:#1b1b1b;
  text-shadow:0 0 2px #fff,0 0 2px #fff,0 0 3px #fff,0 0 4px #fff,0 0 5px #fff;pointer-events:none;}
.za-label .za-lt[dir="rtl"]{font-family:"Noto Naskh Arabic","Noto Sans Arabic","DejaVu Sans",sans-serif;
  font-size:13.5px;line-height:1.35;}
.za-label-off{visibility:hidden;}
.za-label-room .za-lt{font-size:13px;font-weight:700;}
.za-label-zone .za-lt{font-style:italic;font-weight:600;}
.za-label-governorate .za-lt{font-size:14px;font-weight:700;color:#5b5b5b;letter-spacing:.05em;
  text-transform:uppercase;}
.za-label-governorate .za-lt[dir="rtl"]{font-size:15px;letter-spacing:0;}
.za-label-country .za-lt{font-size:14px;font-weight:600;color:#8a8478;letter-spacing:.14em;
  text-transform:uppercase;}
.za-label-country .za-lt[dir="rtl"]{letter-spacing:0;font-size:15px;}
.za-label-town .za-lt{font-size:11px;font-weight:400;color:#333;}
.za-label-river .za-lt,.za-label-lake .za-lt{font-size:11px;font-weight:400;font-style:italic;color:#2f6a9e;}
.za-label-range .za-lt,.za-label-mountain .za-lt{font-size:11px;font-weight:400;font-style:italic;
  color:#7b5a3a;}
"""


class LabelEngine(MacroElement):
    """The page's label placer: one per map, before any :class:`LabelLayer` (see the module docstring).

    ``window.zaLabelEngine.add(key, group, rows)`` adds labels to a layer group, replacing the
    labels an earlier call with the same ``key`` added; ``run()`` places them all again.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }}, sets = {}, timer = null;
            map.createPane("zaLabels");
            map.getPane("zaLabels").style.zIndex = 640;
            map.getPane("zaLabels").style.pointerEvents = "none";
            function all() { var out = []; for (var k in sets) out = out.concat(sets[k]); return out; }
            function hit(a, b) { return a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3]; }
            function near(a, b) { return Math.abs(a[0] - b[0]) + Math.abs(a[1] - b[1]) < 120; }
            function run() {
                timer = null;
                window.zaLabelsPending = false;
                var z = map.getZoom(), frame = map.getContainer().getBoundingClientRect();
                var items = all().filter(function (m) { return m._map && m._icon; });
                items.sort(function (a, b) { return b.za[4] - a.za[4]; });
                var blocks = [];
                map.getContainer().querySelectorAll("path.za-place, .za-seat-icon").forEach(function (el) {
                    var r = el.getBoundingClientRect();
                    if (r.width) blocks.push([r.left, r.top, r.right, r.bottom]);
                });
                var controls = [];  // zoom, layers, scale bar, attribution: no label hides under them
                map.getContainer().querySelectorAll(".leaflet-control").forEach(function (el) {
                    var r = el.getBoundingClientRect();
                    if (r.width) controls.push([r.left, r.top, r.right, r.bottom]);
                });
                var boxes = items.map(function (m) {
                    var r = m._icon.firstChild.getBoundingClientRect();
                    return [r.left - 2, r.top - 1, r.right + 2, r.bottom + 1];
                });
                var kept = [], show = items.map(function (m, i) {
                    var b = boxes[i], row = m.za;
                    if (z < row[5] || z > row[6] || b[2] - b[0] < 3) return false;
                    if (b[0] < frame.left || b[2] > frame.right) return false;  // wholly on the map
                    if (b[1] < frame.top || b[3] > frame.bottom) return false;
                    if (kept.some(function (k) { return hit(k, b); })) return false;
                    if (controls.some(function (k) { return hit(k, b); })) return false;
                    if (row[4] < 90 && blocks.some(function (k) { return hit(k, b); })) return false;
                    var name = String(row[2]).toLowerCase();  // a town named again beside its place
                    if (kept.some(function (k) { return k[4] === name && near(k, b); })) return false;
                    kept.push([b[0], b[1], b[2], b[3], name]);
                    return true;
                });
                items.forEach(function (m, i) {
                    L.DomUtil[show[i] ? "removeClass" : "addClass"](m._icon, "za-label-off");
                });
            }
            function schedule() {
                window.zaLabelsPending = true;
                if (timer === null) timer = requestAnimationFrame(run);
            }
            function add(key, group, rows) {
                (sets[key] || []).forEach(function (m) { if (m._zaGroup) m._zaGroup.removeLayer(m); });
                sets[key] = rows.map(function (row) {
                    var span = document.createElement("span");
                    span.className = "za-lt";
                    span.textContent = row[2];
                    if (row[7]) { span.dir = "rtl"; span.lang = "ar"; }
                    if (row[8]) {  // beside its marker, not centred on it
                        span.style.left = row[8] + "px";
                        span.style.transform = "translate(0,-50%)";
                    }
                    if (row[9]) span.style.color = row[9];
                    var icon = L.divIcon({className: "za-label za-label-" + row[3] + " za-label-off",
                                          html: span, iconSize: [0, 0], iconAnchor: [0, 0]});
                    var m = L.marker([row[0], row[1]], {icon: icon, interactive: false, keyboard: false,
                                                        pane: "zaLabels"});
                    m.za = row;
                    m._zaGroup = group;
                    group.addLayer(m);
                    return m;
                });
                schedule();
            }
            map.on("zoomend moveend resize layeradd overlayadd overlayremove", schedule);
            window.zaLabelEngine = {add: add, run: run, schedule: schedule};
        })();
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "LabelEngine"


class LabelLayer(MacroElement):
    """A set of labels added to its parent layer group through the page's :class:`LabelEngine`."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        window.zaLabelEngine.add({{ this.key|tojson }}, {{ this._parent.get_name() }},
            {{ this.rows|tojson }});
        {% endmacro %}
        """
    )

    def __init__(self, labels: Sequence[Label], *, key: str) -> None:
        super().__init__()
        self._name = "LabelLayer"
        self.key = key
        self.rows = [label.row() for label in labels]


def labels_group(labels: Sequence[Label], *, key: str, name: str = "Names") -> folium.FeatureGroup:
    """A layer group (in the layer switcher as ``name``) holding ``labels``."""
    group = folium.FeatureGroup(name=highlight.escape(name), show=True)
    group._id = f"zalabels{key}"
    LabelLayer(labels, key=key).add_to(group)
    return group
