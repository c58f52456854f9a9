"""geo.render.webassets: maps link only local copies of Leaflet and its plugins."""

from __future__ import annotations

import re
from pathlib import Path

import folium
import folium.plugins
import pytest

from geo.errors import DataSourceError
from geo.render import webassets, webmap


def _links(html: str) -> list[str]:
    return re.findall(r'<(?:script|link)\b[^>]*?(?:src|href)="([^"]+)"', html)


def test_boundaries_map_links_only_local_assets() -> None:
    m = webmap.boundaries_map()
    folium.plugins.Fullscreen().add_to(m)
    folium.plugins.MeasureControl().add_to(m)
    webassets.localize(m, "/app/static/vendor")
    links = _links(m.get_root().render())
    assert links, "the map links no assets at all"
    assert all(link.startswith("/app/static/vendor/") for link in links), links
    assert any(link.endswith("leaflet/dist/leaflet.js") for link in links)
    assert any(link.endswith("Control.FullScreen.js") for link in links)


def test_every_linked_file_is_installed() -> None:
    root = webassets.node_modules()
    for rel in [*webassets.JS_FILES.values(), *webassets.CSS_FILES.values()]:
        assert (root / rel).is_file(), rel


def test_unknown_cdn_link_is_an_error() -> None:
    m = webmap.new_map()
    folium.plugins.MarkerCluster().add_to(m)
    with pytest.raises(DataSourceError, match="no local copy"):
        webassets.localize(m, "/x")


def test_publish_copies_assets_once(tmp_path: Path) -> None:
    vendor = webassets.publish(tmp_path)
    assert (vendor / webassets.JS_FILES["leaflet"]).is_file()
    assert (vendor / "leaflet/dist/images/layers.png").is_file()
    stamp = (vendor / ".stamp.json").stat().st_mtime_ns
    assert webassets.publish(tmp_path) == vendor
    assert (vendor / ".stamp.json").stat().st_mtime_ns == stamp


def test_asset_text_for_inlining() -> None:
    assert "Leaflet" in webassets.asset_text("leaflet")[:500]
    assert webassets.asset_text("/app/static/vendor/leaflet/dist/leaflet.css").startswith("/*")
    with pytest.raises(DataSourceError):
        webassets.asset_text("unknown.js")
