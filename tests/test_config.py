"""geo.config: defaults, environment overrides and clear errors for unreadable values."""

from __future__ import annotations

from pathlib import Path

import pytest

from geo import config
from geo.errors import ParameterError
from geo.pipeline import Settings


def test_defaults_without_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("ZONE_ATLAS_BELT_KM", "ZONE_ATLAS_REVIEW_BELOW", "ZONE_ATLAS_CACHE", "ZONE_ATLAS_MIRROR"):
        monkeypatch.delenv(name, raising=False)
    assert config.belt_km() == 20.0
    assert config.review_below() == 0.5
    assert config.cache_path() == config.REPO_ROOT / ".cache"
    assert config.mirror_path() is None
    assert config.METRIC_CRS == "EPSG:32638"


def test_environment_overrides(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ZONE_ATLAS_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("ZONE_ATLAS_STORE", raising=False)
    monkeypatch.setenv("ZONE_ATLAS_BELT_KM", "35")
    monkeypatch.setenv("ZONE_ATLAS_CACHE", str(tmp_path / "cache"))
    assert config.home_dir() == tmp_path / "home"
    assert config.store_dir() == tmp_path / "home" / "store"
    assert config.cache_path() == tmp_path / "cache"
    assert config.belt_km() == 35.0
    assert Settings().belt_km == 35.0  # the analysis default follows the setting


@pytest.mark.parametrize(("value", "words"), [("wide", "a number"), ("0", "between"), ("500", "between")])
def test_unreadable_values_name_the_variable(monkeypatch: pytest.MonkeyPatch, value: str, words: str) -> None:
    monkeypatch.setenv("ZONE_ATLAS_BELT_KM", value)
    with pytest.raises(ParameterError, match=f"ZONE_ATLAS_BELT_KM.*{words}"):
        config.belt_km()


def test_xdg_data_home_is_used_only_when_absolute(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("ZONE_ATLAS_HOME", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert config.home_dir() == tmp_path / "zone-atlas"
    monkeypatch.setenv("XDG_DATA_HOME", "relative/path")
    assert config.home_dir() == Path.home() / ".local" / "share" / "zone-atlas"
