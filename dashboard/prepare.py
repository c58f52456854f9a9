"""Set-up for the dashboard: what its first visitor would otherwise wait for, done ahead.

Run: ``.venv/bin/python -m dashboard.prepare`` (``./atlas setup`` and ``./atlas dashboard`` do).
Publishes the map libraries and the web-weight boundary files under ``dashboard/static`` and
fills the on-disk caches the server reads when it starts (the parsed boundary layers, the
gazetteer, the offline basemap). Streamlit is not needed for it; each step only does what is
missing, so a second run returns at once.
"""

from __future__ import annotations

import logging
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
STATIC_DIR = REPO / "dashboard" / "static"

log = logging.getLogger("dashboard.prepare")


def prepare() -> dict[int, str]:
    """Publish the assets and boundary files, fill the caches; returns the boundary files by level."""
    from geo.data import boundaries
    from geo.data.gazetteer import load_gazetteer
    from geo.render import basemap, webassets
    from geo.render.mapbase import publish_boundaries

    webassets.install()
    webassets.publish(STATIC_DIR)
    for level in (0, 1, 2, 3):
        boundaries.load_level(level, web=True)
    names = publish_boundaries(STATIC_DIR / "layers")
    load_gazetteer()
    basemap.basemap_geojson()
    return names


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    sys.path.insert(0, str(REPO))
    started = time.perf_counter()
    names = prepare()
    log.info(
        "dashboard prepared in %.1f s: boundary files %s",
        time.perf_counter() - started,
        ", ".join(names.values()),
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
