"""Local copies of Leaflet and its plugins, so that every map paints with no internet.

folium links its JavaScript and CSS from CDNs. Zone Atlas installs the same libraries from the npm
registry (pinned in ``data/web-assets/package.json`` and its lock file) into the cache, and
:func:`localize` rewrites a map's links to those local files: URLs under a static route for the
dashboard, or ``file://`` paths / inline content for standalone exports. Links a Zone Atlas map does
not need (Bootstrap, Font Awesome, awesome-markers) are dropped; an unknown CDN link is an error,
never a silent dependency on the internet.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import branca.element
import folium

from geo.data import sources
from geo.errors import DataSourceError

PACKAGE_DIR = sources.REPO_ROOT / "data" / "web-assets"

#: folium's asset names -> file inside node_modules. Order of first appearance is kept on the page.
JS_FILES: dict[str, str] = {
    "leaflet": "leaflet/dist/leaflet.js",
    "jquery": "jquery/dist/jquery.min.js",
    "Control.Fullscreen.js": "leaflet.fullscreen/Control.FullScreen.js",
    "leaflet_measure_js": "leaflet-measure/dist/leaflet-measure.js",
    "Control_MiniMap_js": "leaflet-minimap/dist/Control.MiniMap.min.js",
}
CSS_FILES: dict[str, str] = {
    "leaflet_css": "leaflet/dist/leaflet.css",
    "Control.FullScreen.css": "leaflet.fullscreen/Control.FullScreen.css",
    "leaflet_measure_css": "leaflet-measure/dist/leaflet-measure.css",
    "Control_MiniMap_css": "leaflet-minimap/dist/Control.MiniMap.min.css",
}
#: Assets folium links by default that no Zone Atlas map uses.
DROPPED = {
    "bootstrap",
    "awesome_markers",
    "bootstrap_css",
    "glyphicons_css",
    "awesome_markers_font_css",
    "awesome_markers_css",
    "awesome_rotate_css",
}
#: Folders copied when publishing (files the CSS refers to: icons, images).
PUBLISHED_DIRS = (
    "leaflet/dist",
    "jquery/dist",
    "leaflet.fullscreen",
    "leaflet-measure/dist",
    "leaflet-minimap/dist",
)


def _lock_digest() -> str:
    digest = hashlib.sha256()
    for name in ("package.json", "package-lock.json"):
        digest.update((PACKAGE_DIR / name).read_bytes())
    return digest.hexdigest()[:16]


def install_dir() -> Path:
    """Where the pinned npm packages live in the cache."""
    return sources.cache_dir() / "web-assets" / _lock_digest()


def node_modules() -> Path:
    """The installed ``node_modules`` folder; raises with the fix when it is missing."""
    root = install_dir() / "node_modules"
    if not (root / JS_FILES["leaflet"]).is_file():
        raise DataSourceError(
            f"the map's JavaScript libraries are not installed (expected {root}). "
            "Fix: run `python -m geo assets` (the README's set-up does it for you)."
        )
    return root


def install(force: bool = False) -> Path:
    """Install the pinned packages with ``npm ci`` into the cache (no-op when present)."""
    target = install_dir()
    if not force and (target / "node_modules" / JS_FILES["leaflet"]).is_file():
        return target / "node_modules"
    npm = shutil.which("npm")
    if npm is None:
        raise DataSourceError(
            "npm is needed once, to install Leaflet and its plugins from the npm registry, and it "
            "was not found. Fix: install Node.js and npm (Debian: apt-get install npm), then rerun."
        )
    tmp = target.with_name(target.name + f".{os.getpid()}.part")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    for name in ("package.json", "package-lock.json"):
        shutil.copyfile(PACKAGE_DIR / name, tmp / name)
    proc = subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts"],
        cwd=tmp,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        shutil.rmtree(tmp, ignore_errors=True)
        raise DataSourceError(
            f"npm ci failed ({proc.returncode}) while installing the map libraries:\n"
            f"{proc.stderr.strip()[-2000:]}\nFix: check access to the npm registry, or copy a "
            f"prepared {target} from another machine."
        )
    missing = [
        p for p in [*JS_FILES.values(), *CSS_FILES.values()] if not (tmp / "node_modules" / p).is_file()
    ]
    if missing:
        shutil.rmtree(tmp, ignore_errors=True)
        raise DataSourceError(f"npm installed the map libraries without the files {missing}.")
    shutil.rmtree(target, ignore_errors=True)
    os.replace(tmp, target)
    return target / "node_modules"


def publish(static_dir: Path) -> Path:
    """Copy the needed asset folders to ``static_dir/vendor`` (for a web server's static route)."""
    root = node_modules()
    vendor = static_dir / "vendor"
    stamp = vendor / ".stamp.json"
    marker = {"digest": _lock_digest()}
    if stamp.is_file() and json.loads(stamp.read_text()) == marker:
        return vendor
    tmp = static_dir / f".vendor.{os.getpid()}.part"
    shutil.rmtree(tmp, ignore_errors=True)
    for rel in PUBLISHED_DIRS:
        shutil.copytree(root / rel, tmp / rel, ignore=shutil.ignore_patterns("*.map", "src", "*.md"))
    (tmp / ".stamp.json").write_text(json.dumps(marker))
    shutil.rmtree(vendor, ignore_errors=True)
    os.replace(tmp, vendor)
    return vendor


def _elements(root: branca.element.Element) -> Iterator[branca.element.Element]:
    yield root
    for child in getattr(root, "_children", {}).values():
        yield from _elements(child)


def localize(m: folium.Map, base_url: str) -> folium.Map:
    """Point every JS/CSS link of ``m`` (and its children) at ``base_url`` + the local file.

    ``base_url`` is e.g. ``/app/static/vendor`` (the dashboard) or a ``file://`` folder URL.
    Raises :class:`DataSourceError` for a CDN link Zone Atlas has no local copy of.
    """
    base = base_url.rstrip("/")
    for element in _elements(m):
        for attr, table in (("default_js", JS_FILES), ("default_css", CSS_FILES)):
            links = getattr(element, attr, None)
            if not links:
                continue
            local = []
            for name, url in links:
                if name in DROPPED:
                    continue
                if name not in table:
                    raise DataSourceError(
                        f"the map uses {name!r} ({url}), which has no local copy; add it to "
                        "data/web-assets/package.json and geo.render.webassets, or do not use that plugin."
                    )
                local.append((name, f"{base}/{table[name]}"))
            # an instance attribute shadows the class default for this element only
            setattr(element, attr, local)
    return m


def asset_text(url_or_name: str) -> str:
    """The text of a local asset, given its folium name or a URL/path ending in its file path."""
    root = node_modules()
    table = {**JS_FILES, **CSS_FILES}
    rel = table.get(url_or_name)
    if rel is None:
        rel = next((r for r in table.values() if url_or_name.endswith(r)), None)
    if rel is None:
        raise DataSourceError(f"no local asset matches {url_or_name!r}")
    return (root / rel).read_text(encoding="utf-8")
