"""The dashboard's download buttons (dashboard/downloads.py), run headless with Streamlit's AppTest."""

from __future__ import annotations

from pathlib import Path

import pytest

streamlit_testing = pytest.importorskip("streamlit.testing.v1")


def _app(empty: bool) -> None:
    import sys
    from pathlib import Path

    tests = Path.cwd() / "tests"
    sys.path[:0] = [str(Path.cwd()), str(tests)]
    from export_samples import empty_analysis, hand_analysis

    from dashboard.downloads import render_downloads
    from geo.pipeline import Settings

    render_downloads(empty_analysis() if empty else hand_analysis(), Settings())


def _run(empty: bool, monkeypatch: pytest.MonkeyPatch) -> object:
    monkeypatch.chdir(Path(__file__).resolve().parents[2])
    app = streamlit_testing.AppTest.from_function(_app, kwargs={"empty": empty}, default_timeout=60)
    return app.run()


def _download_labels(app: object) -> list[str]:
    return [b.proto.label for b in app.get("download_button")]  # type: ignore[attr-defined]


def test_data_downloads_are_ready_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    app = _run(False, monkeypatch)
    assert not app.exception and not app.error  # type: ignore[attr-defined]
    assert sorted(_download_labels(app)) == [
        "hand-made-places.csv",
        "hand-made-places.geojson",
        "hand-made-zones.csv",
        "hand-made-zones.geojson",
        "hand-made.gpkg",
        "hand-made.kml",
    ]
    assert app.button(key="downloads.prepare")  # type: ignore[attr-defined]


@pytest.mark.browser
def test_map_and_briefing_are_offered_once_prepared(browser: object, monkeypatch: pytest.MonkeyPatch) -> None:
    app = _run(False, monkeypatch)
    app.button(key="downloads.prepare").click().run(timeout=120)  # type: ignore[attr-defined]
    assert not app.exception and not app.error  # type: ignore[attr-defined]
    labels = _download_labels(app)
    assert {"hand-made-map.png", "hand-made-map.html", "hand-made-briefing.pdf"} <= set(labels)


def test_article_without_places_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    app = _run(True, monkeypatch)
    assert not app.exception  # type: ignore[attr-defined]
    assert any("No places were found" in c.value for c in app.caption)  # type: ignore[attr-defined]
    assert "no-places.gpkg" in _download_labels(app)
