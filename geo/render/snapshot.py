"""The map as the dashboard shows it, as a PNG snapshot or a standalone HTML file.

Both start from the same folium map (:func:`geo.render.mapview.build_map`) on the same page
(:func:`geo.render.standalone.map_page`), which inlines every script, stylesheet and image the map
uses, so the file opens from disk with no internet. :func:`render_png` opens that page in headless
Chromium with the network cut off and takes a screenshot, with a title, legend, scale bar, north
arrow, date and attribution line laid over the map. When Chromium is missing, fails or hangs,
:func:`geo.render.staticmap.static_png` draws the same layers with matplotlib instead and says, in
the image and in the result, that it is a fallback. :func:`write_html` writes the interactive page.

Examples
--------
>>> from geo.render import snapshot
>>> result = snapshot.render_png(analysis, "out/article-000-map.png", scale=2)
>>> result.renderer, result.width, result.height
('chromium', 3200, 2000)
"""

from __future__ import annotations

import datetime as dt
import logging
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from geo import files
from geo.errors import ExportError
from geo.model import Analysis
from geo.render import _browser
from geo.render.mapview import DEFAULT_SIZE, SnapshotResult, build_map, check_size
from geo.render.standalone import map_page
from geo.render.staticmap import static_png

if TYPE_CHECKING:
    import folium

    from geo.pipeline import Settings
    from geo.render.mapview import MapView

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT_S = 45.0


def write_html(
    analysis: Analysis,
    path: str | Path,
    *,
    basemap: str | None = None,
    title: str | None = None,
    settings: Settings | None = None,
    m: folium.Map | None = None,
    styles: dict[str, dict[str, Any]] | None = None,
    date: dt.date | None = None,
    view: MapView | None = None,
) -> Path:
    """Write the interactive map as one HTML file that opens from disk with no internet.

    ``m`` defaults to :func:`~geo.render.mapview.build_map` (of ``view`` when given); ``styles``
    (zone kind -> style) to :func:`~geo.render.mapview.zone_styles`.
    """
    target = Path(path)
    basemap = view.basemap if view is not None else basemap
    page = map_page(
        analysis,
        m if m is not None else build_map(analysis, basemap=basemap, view=view, styles=styles),
        title=title,
        basemap=basemap,
        settings=settings,
        date=date or dt.date.today(),
        snapshot=False,
        styles=styles,
    )
    with files.staging(target.parent, error=ExportError) as stage:
        stage(target.name).write_text(page, encoding="utf-8")
    return target


def render_png(
    analysis: Analysis,
    path: str | Path,
    *,
    width: int = DEFAULT_SIZE[0],
    height: int = DEFAULT_SIZE[1],
    scale: int = 1,
    title: str | None = None,
    basemap: str | None = None,
    settings: Settings | None = None,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    m: folium.Map | None = None,
    styles: dict[str, dict[str, Any]] | None = None,
    date: dt.date | None = None,
    use_browser: bool = True,
    view: MapView | None = None,
    heading: bool = True,
) -> SnapshotResult:
    """Write a PNG of the map (``width`` x ``height`` CSS pixels at ``scale``) to ``path``.

    The map sits between a title band (left out with ``heading=False``), a legend panel and a
    footer, so nothing covers it; its names are placed without overlaps, as on the dashboard.

    Uses headless Chromium on the same page as :func:`write_html`; if that is impossible
    (no browser, a failure, no answer within ``timeout_s``) falls back to
    :func:`~geo.render.staticmap.static_png`, and the result's ``renderer`` and ``note`` say so.
    """
    check_size(width, height, scale)
    target = Path(path)
    files.check_out_dir(target.parent, error=ExportError)
    date = date or dt.date.today()
    basemap = view.basemap if view is not None else basemap
    t0 = time.perf_counter()
    reason = "the browser rendering was switched off"
    if use_browser:
        page = map_page(
            analysis,
            m if m is not None else build_map(analysis, basemap=basemap, view=view, styles=styles),
            title=title,
            basemap=basemap,
            settings=settings,
            date=date,
            snapshot=True,
            styles=styles,
            heading=heading,
        )
        with tempfile.TemporaryDirectory(prefix="zone-atlas-snapshot-") as tmp:
            html_path = Path(tmp) / "map.html"
            html_path.write_text(page, encoding="utf-8")
            try:
                with files.staging(target.parent, error=ExportError) as stage:
                    _browser.screenshot(
                        html_path,
                        stage(target.name),
                        width=width,
                        height=height,
                        scale=scale,
                        timeout_s=timeout_s,
                    )
                return SnapshotResult(
                    target, "chromium", width * scale, height * scale, time.perf_counter() - t0
                )
            except ExportError as exc:
                reason = str(exc)
                log.warning("PNG snapshot falls back to the static rendering: %s", reason)
    result = static_png(
        analysis,
        target,
        width=width,
        height=height,
        scale=scale,
        title=title,
        basemap=basemap,
        settings=settings,
        reason=reason,
        styles=styles,
        date=date,
        view=view,
        heading=heading,
    )
    return SnapshotResult(
        result.path, result.renderer, result.width, result.height, time.perf_counter() - t0, result.note
    )
