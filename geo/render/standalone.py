"""A map as one self-contained HTML page: every asset inlined, with a title, legend and footer around it.

:func:`standalone_html` inlines every script, stylesheet and image the map uses, so the page opens
from disk with no internet (and raises :class:`~geo.errors.ExportError` if anything would still
load from the network). :func:`map_page` sets the map between bands (:func:`overlay_html`: title band,
legend panel with the north arrow, footer), so that nothing covers the map, as the interactive page
or as the page the PNG snapshot is taken of.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import mimetypes
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from geo.errors import DataSourceError, ExportError
from geo.model import Analysis
from geo.render import webassets
from geo.render.mapview import (
    LegendEntry,
    attribution_line,
    basemap_legend,
    hex_rgb,
    legend_entries,
    map_title,
    place_legend,
    subtitle,
)

if TYPE_CHECKING:
    import folium

    from geo.pipeline import Settings

_ASSET_PREFIX = "zone-atlas-asset:"


def _data_uri(path: Path) -> str:
    mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


def _inline_css(rel: str) -> str:
    """A stylesheet's text with its relative ``url(...)`` references turned into data URIs."""
    text = webassets.asset_text(rel)
    folder = (webassets.node_modules() / rel).parent

    def replace(match: re.Match[str]) -> str:
        ref = match.group(2)
        if ref.startswith(("data:", "#")) or "://" in ref:
            return match.group(0)
        target = (folder / ref.split("?")[0].split("#")[0]).resolve()
        if not target.is_file():
            return match.group(0)
        return f"url({_data_uri(target)})"

    return re.sub(r"url\((['\"]?)([^'\")]+)\1\)", replace, text)


def _script(text: str) -> str:
    return "<script>" + text.replace("</script", "<\\/script") + "</script>"


def standalone_html(m: folium.Map, *, extra_head: str = "", extra_body: str = "") -> str:
    """The full HTML page of ``m`` with every JS/CSS asset (and the images they use) inlined.

    ``m`` is localized in place (see :func:`geo.render.webassets.localize`). Raises
    :class:`ExportError` if the page would still load anything from the network.
    """
    try:
        webassets.localize(m, _ASSET_PREFIX)
        page = m.get_root().render()
    except DataSourceError as exc:
        msg = f"the map cannot be made standalone: {exc}"
        raise ExportError(msg) from exc
    prefix = re.escape(_ASSET_PREFIX)

    def script(match: re.Match[str]) -> str:
        return _script(webassets.asset_text(match.group(1)))

    def link(match: re.Match[str]) -> str:
        return "<style>" + _inline_css(match.group(1)) + "</style>"

    page = re.sub(rf'<script src="{prefix}/([^"]+)"></script>', script, page)
    page = re.sub(rf'<link rel="stylesheet" href="{prefix}/([^"]+)"\s*/?>', link, page)
    left = re.findall(rf"{prefix}[^\"']*", page) + re.findall(
        r"<(?:script|link)[^>]+(?:src|href)=\"(https?:[^\"]+)\"", page
    )
    if left:
        msg = f"the standalone map still links {sorted(set(left))[:3]}; cannot export it offline"
        raise ExportError(msg)
    if extra_head:
        page = page.replace("</head>", extra_head + "\n</head>", 1)
    if extra_body:
        page = page.replace("</body>", extra_body + "\n</body>", 1)
    return page


def _swatch_css(entry: LegendEntry) -> str:
    rgb = hex_rgb(entry.fill_color)
    border = "dashed" if entry.dash else "solid"
    return (
        f"background:rgba({rgb[0]},{rgb[1]},{rgb[2]},{entry.fill_opacity:.3f});"
        f"border:{max(1.0, entry.weight):.0f}px {border} {entry.color};"
    )


#: Heights and widths (CSS pixels) of the bands around the map: nothing is laid over the map.
TITLE_BAND, FOOTER_BAND, LEGEND_PANEL = 62, 26, 230

_OVERLAY_CSS = f"""
<style>
.zax-title{{position:absolute;z-index:1000;left:0;right:0;top:0;height:{TITLE_BAND}px;box-sizing:border-box;
  padding:7px 14px;background:#fff;border-bottom:1px solid #c9c9c9;overflow:hidden;
  font:14px/1.35 "DejaVu Sans","Noto Sans","Noto Naskh Arabic",sans-serif;color:#222}}
.zax-title h1{{font-size:19px;margin:0 0 2px 0;unicode-bidi:plaintext;text-align:start;white-space:nowrap;
  overflow:hidden;text-overflow:ellipsis}}
.zax-title div{{font-size:12px;color:#444;unicode-bidi:plaintext}}
.zax-legend{{position:absolute;z-index:1000;right:0;width:{LEGEND_PANEL}px;box-sizing:border-box;
  padding:10px 12px;background:#fff;border-left:1px solid #c9c9c9;overflow:hidden;
  font:12px/1.3 "DejaVu Sans",sans-serif;color:#222}}
.zax-legend b{{display:block;margin:8px 0 4px}}
.zax-legend b:first-child{{margin-top:0}}
.zax-legend .row{{display:flex;align-items:center;margin:3px 0}}
.zax-legend .sw{{display:inline-block;flex:none;width:22px;height:13px;margin-right:7px;
  box-sizing:border-box}}
.zax-legend .dot{{display:inline-block;flex:none;width:11px;height:11px;border-radius:50%;margin:0 12px 0 5px;
  border:1px solid #222;box-sizing:border-box}}
.zax-north{{margin-top:12px;width:40px;height:58px}}
.zax-footer{{position:absolute;left:0;right:0;bottom:0;height:{FOOTER_BAND}px;box-sizing:border-box;
  z-index:1000;
  background:#fff;border-top:1px solid #c9c9c9;padding:5px 10px;font:12px/1.3 "DejaVu Sans",sans-serif;
  color:#333;display:flex;justify-content:space-between;gap:16px}}
</style>
"""


def _frame_css(*, title: bool, legend: bool, footer: bool) -> str:
    """The map between the bands: below the title, left of the legend, above the footer."""
    top = TITLE_BAND if title else 0
    right = LEGEND_PANEL if legend else 0
    bottom = FOOTER_BAND if footer else 0
    return (
        "<style>.folium-map{position:absolute !important;"
        f"top:{top}px !important;left:0 !important;right:{right}px !important;bottom:{bottom}px !important;"
        "width:auto !important;height:auto !important}"
        f".zax-legend{{top:{top}px;bottom:{bottom}px}}</style>"
    )


#: Snapshot only: a still image has no use for buttons, and the footer carries the attribution.
_SNAPSHOT_CSS = """
<style>
.leaflet-control-layers,.leaflet-control-zoom,.leaflet-control-fullscreen,.leaflet-control-measure,
.leaflet-control-minimap,.za-legend{display:none !important}
.leaflet-control-attribution{display:none !important}
.leaflet-control-scale-line{font-size:12px}
</style>
"""
#: Snapshot only: the view is drawn at once, never caught half-way through a zoom animation.
_NO_ANIMATION = (
    "<script>L.Map.mergeOptions({zoomAnimation: false, fadeAnimation: false, "
    "markerZoomAnimation: false, inertia: false});</script>"
)
_NORTH_ARROW = (
    '<div class="zax-north" title="North"><svg viewBox="0 0 40 58" width="40" height="58">'
    '<text x="20" y="17" text-anchor="middle" font-family="DejaVu Sans" font-weight="bold" font-size="14">N</text>'
    '<polygon points="20,21 29,50 20,43 11,50" fill="#222"/>'
    '<polygon points="20,21 20,43 11,50" fill="#fff" stroke="#222" stroke-width="1"/></svg></div>'
)


def overlay_html(
    *,
    title: str,
    subtitle: str,
    legend: list[LegendEntry],
    attribution: str,
    date: str,
    north_arrow: bool = True,
    footer: bool = True,
    places: list[tuple[str, str]] | None = None,
    basemap_entries: list[LegendEntry] | None = None,
) -> str:
    """Title band, legend panel (with the north arrow) and footer (date, attribution) around a map.

    An empty ``title`` leaves the title band out (the briefing has its own heading); an empty
    ``legend`` adds no panel (the map brings its own); ``footer=False`` leaves the attribution to
    Leaflet's own control. ``places`` are the (kind, colour) of the place markers.
    """

    def rows(entries: list[LegendEntry]) -> str:
        return "".join(
            f'<div class="row"><span class="sw" style="{_swatch_css(e)}"></span>{html.escape(e.label)}</div>'
            for e in entries
        )

    marks = "".join(
        f'<div class="row"><span class="dot" style="background:{colour}"></span>{html.escape(kind)}</div>'
        for kind, colour in places or []
    )
    panel = "<b>Legend</b>" + rows(legend)
    panel += f"<b>Places</b>{marks}" if marks else ""
    panel += f"<b>Basemap</b>{rows(basemap_entries)}" if basemap_entries else ""
    panel += _NORTH_ARROW if north_arrow else ""
    parts = [
        (
            f'<div class="zax-title"><h1 dir="auto">{html.escape(title)}</h1>'
            f'<div dir="auto">{html.escape(subtitle)}</div></div>'
        )
        if title
        else "",
        f'<div class="zax-legend">{panel}</div>' if legend else "",
        (
            f'<div class="zax-footer"><span>{html.escape(date)}</span>'
            f'<span class="zax-attribution">{html.escape(attribution)}</span></div>'
        )
        if footer
        else "",
    ]
    return "\n".join(p for p in parts if p)


def _has_legend(m: folium.Map) -> bool:
    from geo.render.mapcontrols import Legend

    return any(isinstance(child, Legend) for child in m._children.values())


def map_page(
    analysis: Analysis,
    m: folium.Map,
    *,
    title: str | None,
    basemap: str | None,
    settings: Settings | None,
    date: dt.date,
    snapshot: bool,
    styles: dict[str, dict[str, Any]] | None,
    heading: bool = True,
) -> str:
    """The standalone page of ``m`` with its bands: for the PNG snapshot, or the interactive file.

    The snapshot has the legend in a panel beside the map and the date and credits in a footer
    below it; ``heading=False`` leaves the title band out (the briefing prints its own title).
    """
    text = map_title(analysis, title)
    side = snapshot or not _has_legend(m)
    overlay = overlay_html(
        title=text if heading else "",
        subtitle=subtitle(analysis, settings),
        legend=legend_entries(analysis, styles) if side else [],
        attribution=attribution_line(basemap),
        date=f"Map made {date.isoformat()} with Zone Atlas",
        north_arrow=snapshot,
        footer=snapshot,
        places=place_legend(analysis),
        basemap_entries=basemap_legend(),
    )
    frame = _frame_css(title=heading, legend=side, footer=snapshot)
    mode = (_SNAPSHOT_CSS + _NO_ANIMATION) if snapshot else ""
    head = f"<title>{html.escape(text)}</title>" + _OVERLAY_CSS + frame + mode
    return standalone_html(m, extra_head=head, extra_body=overlay)
