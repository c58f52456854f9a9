"""Map snapshots (headless Chromium and the static fallback) and the standalone HTML map."""

from __future__ import annotations

import re
import stat
from pathlib import Path

import export_samples
import numpy as np
import pytest
from export_samples import STYLES, empty_analysis, hand_analysis
from PIL import Image

from geo.errors import ExportError, ParameterError
from geo.render import _browser, mapview, snapshot, staticmap

ZONE_COLOURS = [STYLES["operations_room"]["color"], STYLES["security_vacuum"]["color"]]

seed_analysis = export_samples.seed_analysis  # the seed article through the pipeline (fixture)


def _pixels(path: Path) -> np.ndarray:
    return np.asarray(Image.open(path).convert("RGB"), dtype=np.int16)


def _has_colour(pixels: np.ndarray, hex_color: str, *, tolerance: int = 12, at_least: int = 50) -> bool:
    target = np.array([int(hex_color[i : i + 2], 16) for i in (1, 3, 5)], dtype=np.int16)
    close = np.abs(pixels - target).max(axis=2) <= tolerance
    return int(close.sum()) >= at_least


def _centre(pixels: np.ndarray) -> np.ndarray:
    """The middle of the image, away from the title, legend and footer boxes."""
    h, w = pixels.shape[:2]
    return pixels[h // 5 : h * 4 // 5, w // 5 : w * 4 // 5]


def _check_png(path: Path, size: tuple[int, int]) -> np.ndarray:
    image = Image.open(path)
    assert image.format == "PNG"
    assert image.size == size
    pixels = _pixels(path)
    assert pixels.std() > 20  # not blank
    return pixels


@pytest.mark.browser
def test_chromium_snapshot_has_size_content_and_zone_colours(browser: object, tmp_path: Path) -> None:
    result = snapshot.render_png(hand_analysis(), tmp_path / "map.png", styles=STYLES, timeout_s=60)
    assert result.renderer == "chromium", result.note
    assert not result.fallback and result.note == ""
    assert (result.width, result.height) == (1600, 1000)
    pixels = _check_png(result.path, (1600, 1000))
    for colour in ZONE_COLOURS:  # zone outlines drawn on the map itself, not only in the legend
        assert _has_colour(_centre(pixels), colour), colour
    assert sorted(p.name for p in tmp_path.iterdir()) == ["map.png"]


@pytest.mark.browser
def test_chromium_snapshot_at_2x(browser: object, tmp_path: Path) -> None:
    result = snapshot.render_png(
        hand_analysis(), tmp_path / "map.png", width=600, height=400, scale=2, styles=STYLES, timeout_s=60
    )
    assert result.renderer == "chromium", result.note
    _check_png(result.path, (1200, 800))


def test_hung_browser_times_out_then_falls_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    hang = tmp_path / "chromium-that-hangs"
    hang.write_text("#!/bin/sh\nexec sleep 120\n")
    hang.chmod(hang.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv(_browser.CHROMIUM_ENV, str(hang))
    out = tmp_path / "out"
    out.mkdir()
    result = snapshot.render_png(
        hand_analysis(), out / "map.png", width=800, height=500, styles=STYLES, timeout_s=3
    )
    assert result.renderer == "static" and result.fallback
    assert "fallback" in result.note.lower()
    assert re.search(r"timeout|did not finish", result.note, re.IGNORECASE), result.note
    pixels = _check_png(result.path, (800, 500))
    assert _has_colour(_centre(pixels), ZONE_COLOURS[0], at_least=20)
    assert sorted(p.name for p in out.iterdir()) == ["map.png"]


def test_missing_browser_falls_back_and_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(_browser.CHROMIUM_ENV, str(tmp_path / "no-such-chromium"))
    result = snapshot.render_png(hand_analysis(), tmp_path / "map.png", width=800, height=500, styles=STYLES)
    assert result.renderer == "static"
    assert "not found" in result.note


def test_static_fallback_draws_layers_and_decorations(tmp_path: Path) -> None:
    result = staticmap.static_png(hand_analysis(), tmp_path / "map.png", styles=STYLES, reason="testing")
    assert result.renderer == "static" and "testing" in result.note
    pixels = _check_png(result.path, (1600, 1000))
    for colour in ZONE_COLOURS:
        assert _has_colour(_centre(pixels), colour), colour
    assert _has_colour(pixels, "#b00020", at_least=20)  # the red fallback notice


def test_static_fallback_of_an_article_without_places(tmp_path: Path) -> None:
    result = staticmap.static_png(
        empty_analysis(), tmp_path / "map.png", width=800, height=500, styles=STYLES
    )
    _check_png(result.path, (800, 500))


@pytest.mark.parametrize(("width", "height", "scale"), [(100, 1000, 1), (1600, 99999, 1), (1600, 1000, 3)])
def test_bad_sizes_are_refused(tmp_path: Path, width: int, height: int, scale: int) -> None:
    with pytest.raises(ParameterError):
        snapshot.render_png(hand_analysis(), tmp_path / "m.png", width=width, height=height, scale=scale)


def test_missing_output_folder_is_an_error_not_a_fallback(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="does not exist"):
        snapshot.render_png(hand_analysis(), tmp_path / "missing" / "m.png", styles=STYLES)


def test_legend_lists_present_zone_kinds_then_boundaries() -> None:
    labels = [e.label for e in mapview.legend_entries(hand_analysis(), STYLES)]
    assert labels == ["Joint operations room", "Security vacuum belt", "Governorates", "Districts"]


def test_attribution_line_credits_boundaries_and_basemap() -> None:
    assert (
        mapview.attribution_line() == "Boundaries: OCHA / Central Statistics Office Iraq, COD-AB 2019-06-03"
    )
    assert "OpenStreetMap" in mapview.attribution_line("osm")


# --- standalone HTML -----------------------------------------------------------------------------


def test_standalone_html_inlines_every_asset(tmp_path: Path) -> None:
    path = snapshot.write_html(hand_analysis(), tmp_path / "map.html", styles=STYLES)
    page = path.read_text(encoding="utf-8")
    assert not re.search(r"<script[^>]+src=", page)
    assert not re.search(r"<link[^>]+stylesheet", page)
    assert "zone-atlas-asset:" not in page
    assert "L.map(" in page and ".leaflet-container" in page
    assert "Boundaries: OCHA / Central Statistics Office Iraq, COD-AB 2019-06-03" in page
    assert sorted(p.name for p in tmp_path.iterdir()) == ["map.html"]


@pytest.mark.browser
def test_standalone_html_paints_with_the_network_cut_off(offline_page: object, tmp_path: Path) -> None:
    page_text = snapshot.write_html(hand_analysis(), tmp_path / "map.html", styles=STYLES).read_text()
    page = offline_page
    page.set_content(page_text, wait_until="load")  # type: ignore[attr-defined]
    page.wait_for_selector(".leaflet-overlay-pane path", state="attached", timeout=15000)  # type: ignore[attr-defined]
    assert page.locator(".leaflet-overlay-pane path").count() > 100  # type: ignore[attr-defined]
    assert page.locator(".leaflet-interactive").count() >= 4  # zones and place markers  # type: ignore[attr-defined]
    assert page.external_requests == []  # type: ignore[attr-defined]
    shot = tmp_path / "shot.png"
    page.screenshot(path=str(shot))  # type: ignore[attr-defined]
    pixels = _pixels(shot)
    assert pixels.std() > 20
    assert _has_colour(_centre(pixels), ZONE_COLOURS[0])


# --- the seed article ----------------------------------------------------------------------------


@pytest.mark.browser
def test_seed_article_snapshot(browser: object, seed_analysis: object, tmp_path: Path) -> None:
    from geo.zones.frames import zone_styles

    result = snapshot.render_png(seed_analysis, tmp_path / "seed.png", timeout_s=60)  # type: ignore[arg-type]
    assert result.renderer == "chromium", result.note
    pixels = _check_png(result.path, (1600, 1000))
    kinds = {z.kind for z in seed_analysis.zones}  # type: ignore[attr-defined]
    assert {"operations_room", "attack_area"} <= kinds
    styles = zone_styles()
    # the kinds drawn last stay visible; the belt and disputed areas lie under the attack areas' fill
    for kind in ("operations_room", "attack_area"):
        assert _has_colour(_centre(pixels), styles[kind]["color"], tolerance=16, at_least=30), kind
