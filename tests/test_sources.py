"""geo.data.sources: manifest, mirror fetch, verification, atomicity and idempotency."""

from __future__ import annotations

import json
import os
import shutil
import urllib.error
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest

from geo.data import sources
from geo.errors import DataSourceError

MIRROR = Path(os.environ["ZONE_ATLAS_MIRROR"])
IRAQ = sources.get_dataset("cod_ab_iraq")


def _small_mirror(tmp_path: Path, files: dict[str, bytes] | None = None) -> Path:
    """A mirror holding the Iraq dataset (copied from the real mirror) with optional overrides."""
    mirror = tmp_path / "mirror"
    folder = mirror / IRAQ.mirror_dir
    folder.mkdir(parents=True)
    for spec in IRAQ.files:
        shutil.copyfile(MIRROR / IRAQ.mirror_dir / spec.name, folder / spec.name)
    for name, data in (files or {}).items():
        (folder / name).write_bytes(data)
    return mirror


def test_manifest_lists_every_dataset_with_licence_and_checks() -> None:
    manifest = sources.load_manifest()
    assert {"cod_ab_iraq", "cod_ab_syria", "geonames_cities", "iom_dtm"} <= set(manifest)
    assert manifest["cod_ab_iraq"].required
    for ds in manifest.values():
        assert ds.license and ds.attribution and ds.landing.startswith("https://")
        for spec in ds.files:
            assert spec.url.startswith("https://")
            assert spec.sha256 or spec.features or spec.rows, f"{spec.name} has no verification"
    counts = [f.features for f in manifest["cod_ab_iraq"].files]
    assert counts == [1, 18, 101, 294]


def test_fetch_from_mirror_then_second_fetch_does_nothing(tmp_cache: Path) -> None:
    first = sources.fetch(["cod_ab_iraq"], mirror=MIRROR)
    assert [r.action for r in first] == ["copied"] * 4
    target = tmp_cache / "datasets" / "cod_ab_iraq" / IRAQ.files[1].name
    mtime = target.stat().st_mtime_ns
    second = sources.fetch(["cod_ab_iraq"], mirror=MIRROR)
    assert [r.action for r in second] == ["cached"] * 4
    assert target.stat().st_mtime_ns == mtime
    stamp = json.loads(Path(str(target) + sources.STAMP_SUFFIX).read_text())
    assert stamp["sha256"] == IRAQ.files[1].sha256


def test_interrupted_fetch_leaves_no_partial_file_and_recovers(
    tmp_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_copy(src: object, dst: object) -> None:
        Path(str(dst)).write_bytes(b'{"type": "FeatureCollection", "features": [')  # half a file
        raise OSError("connection reset while copying")

    with monkeypatch.context() as patch:
        patch.setattr(sources.shutil, "copyfile", broken_copy)
        with pytest.raises(OSError):
            sources.fetch_file(IRAQ, IRAQ.files[1], MIRROR)
    folder = tmp_cache / "datasets" / "cod_ab_iraq"
    assert list(folder.iterdir()) == []  # neither the target nor a temp file is left
    assert sources.fetch_file(IRAQ, IRAQ.files[1], MIRROR).action == "copied"


def test_tampered_cache_file_is_fetched_again(tmp_cache: Path) -> None:
    sources.fetch(["cod_ab_iraq"], mirror=MIRROR)
    target = tmp_cache / "datasets" / "cod_ab_iraq" / IRAQ.files[0].name
    target.write_bytes(target.read_bytes()[:100])
    result = sources.fetch_file(IRAQ, IRAQ.files[0], MIRROR)
    assert result.action == "copied"
    assert sources.sha256_of(target) == IRAQ.files[0].sha256


def test_no_network_and_no_mirror_says_how_to_fix(
    tmp_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def offline(url: str, dest: Path) -> None:
        raise urllib.error.URLError("Temporary failure in name resolution")

    monkeypatch.delenv(sources.MIRROR_ENV, raising=False)
    monkeypatch.setattr(sources, "_download", offline)
    with pytest.raises(DataSourceError) as err:
        sources.fetch(["cod_ab_iraq"])
    message = str(err.value)
    assert "could not download" in message and "--mirror" in message and sources.MIRROR_ENV in message
    assert IRAQ.files[0].name in message


def test_mirror_missing_a_required_file_names_it(tmp_cache: Path, tmp_path: Path) -> None:
    mirror = _small_mirror(tmp_path)
    (mirror / IRAQ.mirror_dir / IRAQ.files[3].name).unlink()
    with pytest.raises(DataSourceError) as err:
        sources.fetch(["cod_ab_iraq"], mirror=mirror)
    assert IRAQ.files[3].name in str(err.value) and "has no file" in str(err.value)
    # the files that were there are in the cache: nothing is lost
    assert (tmp_cache / "datasets" / "cod_ab_iraq" / IRAQ.files[0].name).is_file()


def test_missing_mirror_folder_is_reported(tmp_cache: Path, tmp_path: Path) -> None:
    with pytest.raises(DataSourceError, match="does not exist"):
        sources.fetch(["cod_ab_iraq"], mirror=tmp_path / "nowhere")


def test_checksum_mismatch_is_refused(tmp_cache: Path, tmp_path: Path) -> None:
    original = (MIRROR / IRAQ.mirror_dir / IRAQ.files[0].name).read_bytes()
    mirror = _small_mirror(tmp_path, {IRAQ.files[0].name: original.replace(b"Iraq", b"Irak", 1)})
    with pytest.raises(DataSourceError, match="checksum mismatch"):
        sources.fetch(["cod_ab_iraq"], mirror=mirror)
    assert not (tmp_cache / "datasets" / "cod_ab_iraq" / IRAQ.files[0].name).exists()


def test_schema_checks_without_checksum(tmp_path: Path) -> None:
    path = MIRROR / IRAQ.mirror_dir / IRAQ.files[1].name
    ok = replace(IRAQ.files[1], sha256=None)
    assert sources.verify_file(path, ok) == IRAQ.files[1].sha256
    with pytest.raises(DataSourceError, match="expected 19 features, found 18"):
        sources.verify_file(path, replace(ok, features=19))
    with pytest.raises(DataSourceError, match="missing \\['ADM9_EN'\\]"):
        sources.verify_file(path, replace(ok, columns=("ADM1_EN", "ADM9_EN")))


def test_truncated_zip_is_reported(tmp_path: Path) -> None:
    good = MIRROR / IRAQ.mirror_dir / "irq_admbnda_adm1_cso_20190603_shp.zip"
    bad = tmp_path / "adm1.zip"
    bad.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    spec = sources.FileSpec(name="adm1.zip", url="https://example.invalid/adm1.zip", kind="vector", features=18)
    with pytest.raises(DataSourceError, match="truncated or corrupt"):
        sources.verify_file(bad, spec)


def test_zip_with_parent_paths_is_refused(tmp_path: Path) -> None:
    evil = tmp_path / "evil.zip"
    with zipfile.ZipFile(evil, "w") as zf:
        zf.writestr("../../outside.shp", b"x")
    spec = sources.FileSpec(name="evil.zip", url="https://example.invalid/evil.zip", kind="vector")
    with pytest.raises(DataSourceError, match="unsafe member path"):
        sources.verify_file(evil, spec)
    assert not (tmp_path.parent / "outside.shp").exists()


def test_table_verification_counts_rows(tmp_path: Path) -> None:
    spec = sources.get_dataset("iom_dtm").files[0]
    path = MIRROR / "gazetteers" / "iom_dtm_idp_master_list_2019" / spec.name
    assert sources.verify_file(path, replace(spec, sha256=None))
    short = tmp_path / spec.name
    short.write_text("\n".join(path.read_text(encoding="utf-8").splitlines()[:10]), encoding="utf-8")
    with pytest.raises(DataSourceError, match="expected 3166 rows, found 9"):
        sources.verify_file(short, replace(spec, sha256=None))


def test_optional_dataset_failure_does_not_stop_fetch(tmp_cache: Path, tmp_path: Path) -> None:
    mirror = _small_mirror(tmp_path)  # holds Iraq only
    results = sources.fetch(["cod_ab_iraq", "cod_ab_syria"], mirror=mirror)
    assert {r.action for r in results if r.dataset == "cod_ab_iraq"} == {"copied"}
    assert {r.action for r in results if r.dataset == "cod_ab_syria"} == {"failed"}


def test_dataset_path_and_version() -> None:
    path = sources.dataset_path("cod_ab_iraq", IRAQ.files[2].name)
    assert path.is_file() and path.name == IRAQ.files[2].name
    assert sources.dataset_version("cod_ab_iraq") == "cod_ab_iraq@2019-06-03"
    with pytest.raises(DataSourceError, match="unknown dataset"):
        sources.get_dataset("nope")
