"""geo.data.sources: manifest, mirror fetch, verification, atomicity and idempotency."""

from __future__ import annotations

import errno
import io
import json
import os
import shutil
import struct
import urllib.error
import urllib.request
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest

import geo.files as files_module
from geo.data import cache as cache_module
from geo.data import sources
from geo.data.archives import ZIP_MAX_BYTES_ENV, ZIP_MAX_RATIO_ENV, check_zip
from geo.data.cache import cache_subdir, read_verified, write_cached
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


def test_no_network_and_no_mirror_says_how_to_fix(tmp_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def offline(url: str, dest: Path, *, max_bytes: int) -> None:
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
    spec = sources.FileSpec(
        name="adm1.zip", url="https://example.invalid/adm1.zip", kind="vector", features=18
    )
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
        sources.verify_file(short, replace(spec, sha256=None, size=None))  # the schema check alone


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


# --- stamps hold the content's SHA-256 and are checked on use -------------------------------------


def test_stamp_catches_an_edit_that_keeps_size_and_mtime(tmp_cache: Path) -> None:
    spec = IRAQ.files[0]
    assert sources.fetch_file(IRAQ, spec, MIRROR).action == "copied"
    assert sources.fetch_file(IRAQ, spec, MIRROR).action == "cached"  # hashed once, memoised
    target = tmp_cache / "datasets" / "cod_ab_iraq" / spec.name
    before = target.stat()
    data = target.read_bytes()
    assert b"Iraq" in data
    target.write_bytes(data.replace(b"Iraq", b"Irak", 1))  # same size
    os.utime(target, ns=(before.st_atime_ns, before.st_mtime_ns))  # same mtime
    after = target.stat()
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    assert not read_verified(target, spec.sha256)
    assert sources.fetch_file(IRAQ, spec, MIRROR).action == "copied"  # fetched again, not trusted
    assert sources.sha256_of(target) == spec.sha256
    assert sources.fetch_file(IRAQ, spec, MIRROR).action == "cached"


def test_stamp_whose_file_was_edited_is_refused_by_dataset_path(tmp_cache: Path) -> None:
    spec = IRAQ.files[1]
    path = sources.dataset_path("cod_ab_iraq", spec.name)  # fetched from the mirror (ZONE_ATLAS_MIRROR)
    stamp = json.loads(Path(str(path) + sources.STAMP_SUFFIX).read_text())
    assert stamp["sha256"] == spec.sha256 and stamp["size"] == spec.size
    st = path.stat()
    with path.open("r+b") as fh:
        fh.seek(100)
        byte = fh.read(1)
        fh.seek(100)
        fh.write(bytes([byte[0] ^ 0x20]))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert sources.dataset_path("cod_ab_iraq", spec.name) == path
    assert sources.sha256_of(path) == spec.sha256  # copied again from the mirror


def test_write_cached_is_atomic_under_a_failing_rename(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ZONE_ATLAS_CACHE", str(tmp_path / "cache"))
    target = cache_subdir("layers") / "layer.bin"
    first = write_cached(target, lambda tmp: tmp.write_bytes(b"version one"))
    assert read_verified(target) and first == sources.sha256_of(target)

    def fail(src: object, dst: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    with monkeypatch.context() as patch:
        patch.setattr(os, "replace", fail)
        with pytest.raises(DataSourceError, match="disk full") as err:
            write_cached(target, lambda tmp: tmp.write_bytes(b"version two, longer"))
    assert "ZONE_ATLAS_CACHE" in str(err.value)
    assert target.read_bytes() == b"version one" and read_verified(target)
    assert sorted(p.name for p in target.parent.iterdir()) == [
        "layer.bin",
        "layer.bin" + sources.STAMP_SUFFIX,
    ]


def test_a_crash_before_the_stamp_leaves_an_untrusted_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ZONE_ATLAS_CACHE", str(tmp_path / "cache"))
    target = cache_subdir("layers") / "layer.bin"
    write_cached(target, lambda tmp: tmp.write_bytes(b"version one"))
    target.write_bytes(b"version two")  # as if the stamp of a new version was never written
    assert not read_verified(target)


# --- the cache folder: clear errors when it cannot be used ----------------------------------------


def test_cache_under_a_regular_file_says_which_folder_and_the_fix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "somefile"
    blocker.write_text("not a folder")
    monkeypatch.setenv("ZONE_ATLAS_CACHE", str(blocker / "cache"))
    with pytest.raises(DataSourceError) as err:
        sources.cache_dir()
    message = str(err.value)
    assert f"cache folder {blocker / 'cache'}" in message and f"{blocker} is a file" in message
    assert "Fix: set ZONE_ATLAS_CACHE to a writable folder" in message
    with pytest.raises(DataSourceError, match="Fix: set ZONE_ATLAS_CACHE"):
        sources.fetch(["cod_ab_iraq"], mirror=MIRROR)
    with pytest.raises(DataSourceError, match="cannot be created"):
        sources.dataset_path("cod_ab_iraq", IRAQ.files[0].name)


def test_cache_without_write_permission_is_reported(tmp_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # chmod does not stop root: the permission answer is simulated
    monkeypatch.setattr(cache_module.os, "access", lambda path, mode: False)
    with pytest.raises(DataSourceError, match="is not writable") as err:
        sources.cache_dir()
    assert str(tmp_cache) in str(err.value) and "ZONE_ATLAS_CACHE" in str(err.value)


def test_permission_denied_while_writing_gives_the_fix(
    tmp_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def denied(*args: object, **kwargs: object) -> tuple[int, str]:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(files_module.tempfile, "mkstemp", denied)
    with pytest.raises(DataSourceError) as err:
        sources.fetch_file(IRAQ, IRAQ.files[0], MIRROR)
    message = str(err.value)
    assert "cannot write to the cache folder" in message and "no permission" in message
    assert str(tmp_cache / "datasets" / "cod_ab_iraq") in message and "Fix: set ZONE_ATLAS_CACHE" in message


# --- sizes: checked before copying, and while downloading -----------------------------------------


def test_oversized_mirror_file_is_refused_before_copying(
    tmp_cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = IRAQ.files[0]
    padded = (MIRROR / IRAQ.mirror_dir / spec.name).read_bytes() + b" " * (1 << 20)
    mirror = _small_mirror(tmp_path, {spec.name: padded})
    copies: list[object] = []
    monkeypatch.setattr(sources.shutil, "copyfile", lambda src, dst: copies.append(src))
    with pytest.raises(DataSourceError) as err:
        sources.fetch_file(IRAQ, spec, mirror)
    assert f"expected {spec.size} bytes" in str(err.value) and f"found {len(padded)}" in str(err.value)
    assert copies == []  # not a byte was copied
    folder = tmp_cache / "datasets" / "cod_ab_iraq"
    assert not folder.exists() or list(folder.iterdir()) == []


class _FakeResponse(io.BytesIO):
    def __init__(self, body: bytes, length: int | None) -> None:
        super().__init__(body)
        self.headers = {} if length is None else {"Content-Length": str(length)}
        self.served = 0

    def read(self, n: int | None = -1) -> bytes:
        block = super().read(n)
        self.served += len(block)
        return block


def test_download_stops_once_more_bytes_arrive_than_expected(
    tmp_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = IRAQ.files[0]
    response = _FakeResponse(b"x" * (8 << 20), length=None)  # a server that does not say how much
    monkeypatch.setattr(urllib.request, "urlopen", lambda request, timeout: response)
    with pytest.raises(DataSourceError, match=f"more than the {spec.size} bytes expected arrived"):
        sources.fetch_file(IRAQ, spec)
    assert response.served <= spec.size + (1 << 20)  # stopped within a block of the limit
    folder = tmp_cache / "datasets" / "cod_ab_iraq"
    assert list(folder.iterdir()) == []


def test_download_announcing_too_many_bytes_is_not_read(
    tmp_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = IRAQ.files[0]
    response = _FakeResponse(b"x" * (4 << 20), length=4 << 20)
    monkeypatch.setattr(urllib.request, "urlopen", lambda request, timeout: response)
    with pytest.raises(DataSourceError, match="the server announces 4194304 bytes"):
        sources.fetch_file(IRAQ, spec)
    assert response.served == 0


# --- zip archives: bounded inflation --------------------------------------------------------------


def _zeros_zip(path: Path, size: int = 4 << 20, name: str = "zeros.dbf") -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(name, b"\0" * size)
    return path


def test_zip_bomb_is_refused_from_its_ratio(tmp_path: Path) -> None:
    bomb = _zeros_zip(tmp_path / "bomb.zip")
    with pytest.raises(
        DataSourceError, match=r"zip member 'zeros.dbf' declares 4194304 bytes .*ratio"
    ) as err:
        check_zip(bomb, "bomb.zip")
    assert "ZONE_ATLAS_ZIP_MAX_RATIO" in str(err.value)
    spec = sources.FileSpec(name="bomb.zip", url="https://example.invalid/bomb.zip", kind="vector")
    with pytest.raises(DataSourceError, match="zip bomb"):
        sources.verify_file(bomb, spec)


def test_zip_total_size_cap_from_parameter_and_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    archive = _zeros_zip(tmp_path / "big.zip", size=3 << 20)
    assert check_zip(archive, "big.zip", max_ratio=10_000) == ["zeros.dbf"]
    with pytest.raises(DataSourceError, match="over the cap of 1000000"):
        check_zip(archive, "big.zip", max_bytes=1_000_000, max_ratio=10_000)
    monkeypatch.setenv(ZIP_MAX_BYTES_ENV, "1000000")
    monkeypatch.setenv(ZIP_MAX_RATIO_ENV, "10000")
    with pytest.raises(DataSourceError, match="'zeros.dbf' brings the declared uncompressed size"):
        check_zip(archive, "big.zip")
    monkeypatch.setenv(ZIP_MAX_BYTES_ENV, "lots")
    with pytest.raises(DataSourceError, match="must be a positive number"):
        check_zip(archive, "big.zip")


def test_zip_with_a_lying_header_is_refused_while_reading(tmp_path: Path) -> None:
    archive = _zeros_zip(tmp_path / "liar.zip", size=3 << 20, name="liar.shp")
    data = bytearray(archive.read_bytes())
    # declare 1000 uncompressed bytes in the local header (offset 22) and the central directory (24)
    assert data[:4] == b"PK\x03\x04"
    struct.pack_into("<I", data, 22, 1000)
    central = data.index(b"PK\x01\x02")
    struct.pack_into("<I", data, central + 24, 1000)
    archive.write_bytes(bytes(data))
    assert zipfile.ZipFile(archive).getinfo("liar.shp").file_size == 1000  # the lie is what zip tools see
    with pytest.raises(DataSourceError, match="zip member 'liar.shp' is corrupt .*does not match its header"):
        check_zip(archive, "liar.zip")


def test_real_shapefile_zip_passes_the_caps() -> None:
    archive = MIRROR / IRAQ.mirror_dir / "irq_admbnda_adm1_cso_20190603_shp.zip"
    names = check_zip(archive, archive.name)
    assert any(n.endswith(".shp") for n in names) and any(n.endswith(".prj") for n in names)
