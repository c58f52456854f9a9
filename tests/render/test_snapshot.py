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


# --- names on the still map ------------------------------------------------------------------------

LABEL_BOXES = """() => [...document.querySelectorAll('.za-label:not(.za-label-off) .za-lt')].map(e => {
    const r = e.getBoundingClientRect();
    return [e.textContent, r.left, r.top, r.right, r.bottom];
})"""


@pytest.mark.browser
def test_png_carries_the_names_and_the_legend_stands_beside_the_map(
    offline_page: object, tmp_path: Path
) -> None:
    """The page the PNG is taken of names the places (without overlaps); the PNG shows those names."""
    import datetime as dt

    from geo.render.standalone import LEGEND_PANEL, map_page

    analysis = hand_analysis()
    result = snapshot.render_png(analysis, tmp_path / "map.png", styles=STYLES, timeout_s=60)
    assert result.renderer == "chromium", result.note
    page_html = map_page(
        analysis,
        mapview.build_map(analysis, styles=STYLES),
        title=None,
        basemap=None,
        settings=None,
        date=dt.date.today(),
        snapshot=True,
        styles=STYLES,
    )
    page = offline_page
    page.set_viewport_size({"width": 1600, "height": 1000})  # type: ignore[attr-defined]
    page.set_content(page_html, wait_until="load")  # type: ignore[attr-defined]
    page.wait_for_function(_browser.LEAFLET_READY)  # type: ignore[attr-defined]
    boxes = page.evaluate(LABEL_BOXES)  # type: ignore[attr-defined]
    names = {b[0] for b in boxes}
    assert {"Diyala", "Kirkuk"} <= names and "Ops room Diyala" in names, names
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not (
                a[1] < b[3] - 0.5 and b[1] < a[3] - 0.5 and a[2] < b[4] - 0.5 and b[2] < a[4] - 0.5
            ), (a, b)
    legend = page.locator(".zax-legend").bounding_box()  # type: ignore[attr-defined]
    frame = page.locator(".folium-map").bounding_box()  # type: ignore[attr-defined]
    assert legend["x"] >= frame["x"] + frame["width"] - 1 and legend["width"] == LEGEND_PANEL  # beside it
    pixels = _pixels(result.path)
    for name in ("Diyala", "Kirkuk"):
        _text, x0, y0, x1, y1 = next(b for b in boxes if b[0] == name)
        crop = pixels[int(y0) : int(y1) + 1, int(x0) : int(x1) + 1]
        dark = (crop.max(axis=2) < 110).mean()  # the letters, dark on their white halo
        assert dark > 0.02 and crop.std() > 40, (name, dark, crop.std())


def test_static_fallback_names_places_without_overlaps(tmp_path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from geo.render import labels, staticlabels

    analysis = hand_analysis()
    fig = Figure(figsize=(8, 6), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(42.0, 47.0)
    ax.set_ylim(32.5, 37.0)
    names = [
        *labels.place_labels(analysis, lang="ar"),
        *labels.zone_labels(analysis, STYLES, lang="ar"),
        *labels.governorate_labels("ar"),
    ]
    kept = staticlabels.place_labels(ax, names, zoom=staticlabels.web_zoom(42.0, 47.0, 800))
    texts = [t.get_text() for t in kept]
    assert "كركوك" in texts and "ديالى" in texts
    renderer = fig.canvas.get_renderer()
    boxes = [t.get_window_extent(renderer) for t in kept]
    assert not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1 :])
    assert (
        staticlabels.visual_text(labels.Label("صلاح الدين", 0, 0, "governorate", 1, rtl=True)) == "الدين صلاح"
    )
    result = staticmap.static_png(
        analysis, tmp_path / "m.png", styles=STYLES, view=mapview.MapView(label_lang="ar")
    )
    assert result.renderer == "static"
