"""geo.data.boundaries.load_countries: Natural Earth's outlines of Iraq's neighbours (the basemap's)."""

from __future__ import annotations

import shapely

from geo.data import boundaries, sources


def test_manifest_declares_natural_earth_with_its_checks() -> None:
    ds = sources.get_dataset(boundaries.COUNTRY_DATASET)
    assert ds.license == "Public domain" and not ds.required
    assert ds.attribution.startswith("Neighbouring countries: Natural Earth")
    (spec,) = ds.files
    assert spec.name.endswith(".zip") and spec.features == 250 and spec.size == 4_913_585
    assert {"ADM0_A3", "NAME_EN", "NAME_AR"} <= set(spec.columns) and len(spec.sha256 or "") == 64


def test_neighbours_have_outlines_and_arabic_names() -> None:
    gdf = boundaries.load_countries()
    assert gdf is not None and gdf.crs.to_epsg() == 4326
    assert list(gdf.columns) == ["iso3", "name_en", "name_ar", "geometry"]
    assert set(gdf["iso3"]) == set(boundaries.NEIGHBOURHOOD)
    names = dict(zip(gdf["iso3"], gdf["name_ar"], strict=True))
    assert names["IRN"] == "إيران" and names["TUR"] == "تركيا"  # read as UTF-8, not Latin-1
    assert gdf.geometry.is_valid.all()
    iran = gdf.loc[gdf["iso3"] == "IRN", "geometry"].iloc[0]
    assert iran.contains(shapely.Point(51.39, 35.69))  # Tehran
    iraq = boundaries.load_level(0).geometry.iloc[0]
    assert not iran.buffer(-0.1).intersects(iraq.buffer(-0.1))  # neighbours, not overlaps
    two = boundaries.load_countries(("IRN", "SYR"))
    assert sorted(two["name_en"]) == ["Iran", "Syria"]
    assert len(boundaries.load_countries(None)) == 250  # None keeps the world
