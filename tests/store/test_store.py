"""The workspace store (geo.store.store, connection, schema, records): round trip, migrations, bad stores."""

from __future__ import annotations

import errno
import json
import os
import threading
from pathlib import Path

import duckdb
import pytest
import shapely

from geo.errors import StoreError
from geo.pipeline import Settings, analyze
from geo.store import SCHEMA_VERSION, STORE_FILE, Filters, Store, article_id
from geo.store import connection as connection_module
from geo.store.connection import CONFIG, spatial_extension_path
from geo.store.schema import MIGRATIONS, current_version, migrate
from geo.text.dates import choose_date

EN = "Baghdad, Saturday 6 March 2021 - An attack in Kirkuk and Mosul killed two soldiers."
AR = "بغداد - الجمعة 3 من مايو/أيار 2024 - هجوم لداعش في قضاء مخمور وشن هجمات في ديالى."


def add(store: Store, text: str, source: str) -> str:
    analysis = analyze(text, source=source)
    key = article_id(text)
    assert store.add_article(key, analysis, title=source, date=choose_date(text), settings=Settings())
    return key


def test_round_trip_keeps_places_zones_and_offsets(tmp_path: Path) -> None:
    with Store(tmp_path / "s") as store:
        key = add(store, AR, "ar.txt")
        assert not store.add_article(
            key, analyze(AR), title="again", date=choose_date(AR), settings=Settings()
        )
        back = store.analysis(key)
    fresh = analyze(AR, source="ar.txt")
    assert [p.to_dict() for p in back.places] == [p.to_dict() for p in fresh.places]
    assert [z.id for z in back.zones] == [z.id for z in fresh.zones]
    for got, want in zip(back.zones, fresh.zones, strict=True):
        assert got.to_dict()["trigger"] == want.to_dict()["trigger"]
        assert got.params == want.params and got.places == want.places
        assert got.geometry.equals_exact(want.geometry, 1e-9)
    for place in back.places:
        for m in place.mentions:
            assert back.text[m.start : m.end] == m.text


def test_a_batch_stores_what_one_article_at_a_time_stores(tmp_path: Path) -> None:
    from store_tables import differences, tables_of

    from geo.store import NewArticle

    texts = [(EN, "en.txt"), (AR, "ar.txt"), (EN.replace("Mosul", "Sinjar"), "en2.txt")]
    with Store(tmp_path / "one") as store:
        for text, source in texts:
            add(store, text, source)
        expected = tables_of(store)
    batch = [NewArticle(article_id(t), analyze(t, source=s), s, choose_date(t)) for t, s in texts]
    with Store(tmp_path / "batch") as store:
        assert store.add_articles(batch[:1], settings=Settings()) == [True]
        # stored already, new, and the same text twice in one batch: only the first time is added
        assert store.add_articles([batch[0], batch[1], batch[2], batch[1]], settings=Settings()) == [
            False,
            True,
            True,
            False,
        ]
        assert store.add_articles([], settings=Settings()) == []
        got = tables_of(store)
    assert got == expected, differences(got, expected)


def test_articles_row_and_counts(tmp_path: Path) -> None:
    with Store(tmp_path / "s") as store:
        key = add(store, EN, "en.txt")
        row = store.article(key)
        counts = store.counts()
        table = store.articles()
    assert row["published"].isoformat() == "2021-03-06" and row["date_source"] == "text"
    assert row["language"] == "en" and row["analysed_with"].startswith("zone-atlas ")
    assert row["settings"] == {"belt_km": 20.0, "belt_side": "federal", "min_confidence": 0.0}
    assert counts["articles"] == 1 and counts["places"] >= 2 and counts["mentions"] >= counts["places"]
    assert list(table.columns) == [
        "id",
        "source",
        "title",
        "date",
        "date_source",
        "date_flag",
        "lang",
        "places",
        "zones",
        "corrected",
    ]
    assert int(table["places"][0]) == counts["places"]


def test_a_zone_polygon_is_stored_once(tmp_path: Path) -> None:
    texts = [f"Attacks in Diyala, report {n}." for n in range(3)]
    with Store(tmp_path / "s") as store:
        for n, text in enumerate(texts):
            add(store, text, f"{n}.txt")
        counts = store.counts()
        zones = store.zones()
    assert counts["zones"] == 3 and counts["shapes"] == 1
    assert set(zones["zone_id"]) == {"attack_area:IQG10"}
    assert zones.geometry.notna().all() and zones.crs.to_epsg() == 4326


def test_the_spatial_extension_is_the_packaged_file_and_nothing_autoloads(tmp_path: Path) -> None:
    path = spatial_extension_path()
    assert path.name == "spatial.duckdb_extension" and path.parent.name == f"v{duckdb.__version__}"
    assert CONFIG == {"autoinstall_known_extensions": False, "autoload_known_extensions": False}
    with Store(tmp_path / "s") as store:
        row = store.con.execute(
            "SELECT current_setting('autoinstall_known_extensions'), current_setting('autoload_known_extensions'), "
            "ST_AsText(ST_Point(44.4, 33.3))"
        ).fetchone()
        loaded = store.con.execute(
            "SELECT install_path FROM duckdb_extensions() WHERE extension_name = 'spatial'"
        ).fetchone()
    assert row == (False, False, "POINT (44.4 33.3)")
    assert loaded is not None


# --- migrations ------------------------------------------------------------------------------------


def test_migration_from_the_first_schema(tmp_path: Path) -> None:
    folder = tmp_path / "old"
    folder.mkdir()
    path = folder / STORE_FILE
    con = duckdb.connect(str(path), config=dict(CONFIG))
    con.execute(f"LOAD '{spatial_extension_path()}'")
    assert migrate(con, path, target=1) == 1
    diyala = shapely.box(44.5, 33.5, 45.5, 34.5)
    con.execute(
        "INSERT INTO articles (id, source, text, ingested_at, analysed_with) "
        "VALUES ('a1', 'old.txt', 'هجمات في ديالى', now()::TIMESTAMP, 'zone-atlas 0.0.1')"
    )
    for article in ("a1", "a1"):
        con.execute(
            "INSERT INTO zones (article_id, zone_id, kind, places, occurrences, params, covers, touches, "
            "geometry) VALUES (?, 'attack_area:IQG10', 'attack_area', '[]', '[]', '{}', '[]', '[]', "
            "ST_GeomFromWKB(?))",
            [article, shapely.to_wkb(diyala)],
        )
    con.close()
    with Store(folder) as store:
        assert current_version(store.con) == SCHEMA_VERSION == len(MIGRATIONS)
        folded, flag = store.con.execute("SELECT text_folded, date_flag FROM articles").fetchone()
        shapes = store.con.execute("SELECT count(*) FROM shapes").fetchone()
        zones = store.zones()
        columns = {r[0] for r in store.con.execute("DESCRIBE zones").fetchall()}
        versions = [
            r[0] for r in store.con.execute("SELECT version FROM schema_version ORDER BY version").fetchall()
        ]
    assert folded == " هجمات في ديالي " and flag is None  # backfilled by version 2
    assert shapes == (1,) and "geometry" not in columns and "shape_id" in columns  # version 3
    assert len(zones) == 2 and all(g.equals(diyala) for g in zones.geometry)
    assert versions == list(range(1, SCHEMA_VERSION + 1))


def test_a_store_from_a_newer_schema_is_refused_with_both_versions(tmp_path: Path) -> None:
    with Store(tmp_path / "s") as store:
        store.con.execute("INSERT INTO schema_version VALUES (?, now()::TIMESTAMP)", [SCHEMA_VERSION + 5])
    before = (tmp_path / "s" / STORE_FILE).read_bytes()
    for read_only in (False, True):
        with pytest.raises(
            StoreError, match=f"schema version {SCHEMA_VERSION + 5}.*version {SCHEMA_VERSION}"
        ):
            Store(tmp_path / "s", read_only=read_only)
    assert (tmp_path / "s" / STORE_FILE).read_bytes() == before


def test_a_read_only_open_does_not_migrate(tmp_path: Path) -> None:
    path = tmp_path / "s" / STORE_FILE
    path.parent.mkdir()
    con = duckdb.connect(str(path), config=dict(CONFIG))
    con.execute(f"LOAD '{spatial_extension_path()}'")
    migrate(con, path, target=1)
    con.close()
    with pytest.raises(StoreError, match="schema version 1.*open it once for writing"):
        Store(tmp_path / "s", read_only=True)
    with Store(tmp_path / "s") as store:
        assert current_version(store.con) == SCHEMA_VERSION


# --- bad stores ------------------------------------------------------------------------------------


@pytest.mark.parametrize("content", [os.urandom(4096), b"", b"SQLite format 3\x00" + bytes(100)])
def test_a_corrupt_store_file_is_refused_and_never_overwritten(tmp_path: Path, content: bytes) -> None:
    folder = tmp_path / "s"
    folder.mkdir()
    (folder / STORE_FILE).write_bytes(content)
    for read_only in (False, True):
        with pytest.raises(StoreError, match="left as it is"):
            Store(folder, read_only=read_only)
    assert (folder / STORE_FILE).read_bytes() == content
    assert sorted(p.name for p in folder.iterdir()) == [STORE_FILE]


def test_a_missing_store_read_only_says_how_to_make_one(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no store at .*python -m geo ingest"):
        Store(tmp_path / "none", read_only=True)
    assert not (tmp_path / "none").exists()


@pytest.mark.parametrize(("code", "words"), [(errno.EROFS, "no permission"), (errno.ENOSPC, "disk full")])
def test_a_folder_that_cannot_be_written_is_refused_before_anything_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: int, words: str
) -> None:
    def refuse(*_: object, **__: object) -> None:
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(connection_module.tempfile, "TemporaryFile", refuse)
    with pytest.raises(StoreError, match=f"{tmp_path / 's'}.*{words}.*--store DIR"):
        Store(tmp_path / "s")
    assert list((tmp_path / "s").iterdir()) == []


def test_a_really_read_only_folder(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        try:
            (folder / "probe").write_text("x")
        except PermissionError:
            pass
        else:
            (folder / "probe").unlink()
            pytest.skip("this user can write into read-only folders (root)")
        with pytest.raises(StoreError, match="cannot be written"):
            Store(folder)
        assert list(folder.iterdir()) == []
    finally:
        folder.chmod(0o755)


def test_a_failed_write_leaves_no_half_article(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from geo.store import records

    real = records.zone_rows

    def full_disk(*args: object, **kwargs: object) -> object:
        raise duckdb.IOException("IO Error: Could not write file: No space left on device")

    with Store(tmp_path / "s") as store:
        monkeypatch.setattr(records, "zone_rows", full_disk)
        with pytest.raises(StoreError, match="disk full.*rolled back"):
            add(store, AR, "ar.txt")
        monkeypatch.setattr(records, "zone_rows", real)
        assert store.counts() == dict.fromkeys(
            ("articles", "mentions", "places", "zones", "shapes", "corrections", "events"), 0
        )
        add(store, AR, "ar.txt")
        assert store.counts()["articles"] == 1


def test_a_store_held_by_another_process_is_waited_for_then_named(tmp_path: Path) -> None:
    import subprocess
    import sys

    with Store(tmp_path / "s"):
        pass
    code = (
        "import sys, time; from geo.store import Store; s = Store(sys.argv[1]); print('held', flush=True); "
        "time.sleep(30)"
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", code, str(tmp_path / "s")],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with pytest.raises(StoreError, match=f"in use by another process \\(PID {holder.pid}\\)"):
            Store(tmp_path / "s", lock_timeout=0.3)
    finally:
        holder.kill()
        holder.wait()
    with Store(tmp_path / "s", lock_timeout=5) as store:  # released when the holder is gone
        assert store.counts()["articles"] == 0


def test_two_threads_adding_at_once_both_commit(tmp_path: Path) -> None:
    texts = [f"Attacks in Diyala and Kirkuk, report {n}." for n in range(6)]
    analyses = [(article_id(t), analyze(t, source=f"{n}.txt"), t) for n, t in enumerate(texts)]
    errors: list[BaseException] = []
    with Store(tmp_path / "s") as store:

        def work(part: list[tuple[str, object, str]]) -> None:
            try:
                for key, analysis, text in part:
                    store.add_article(
                        key,
                        analysis,
                        title="t",
                        date=choose_date(text),  # type: ignore[arg-type]
                        settings=Settings(),
                    )
            except BaseException as exc:  # reported below
                errors.append(exc)

        threads = [threading.Thread(target=work, args=(analyses[i::2],)) for i in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        counts = store.counts()
    assert not errors
    assert counts["articles"] == 6 and counts["shapes"] == len(
        {z.id for _, a, _ in analyses for z in a.zones}
    )


def test_filters_by_date_language_and_folded_search(tmp_path: Path) -> None:
    with Store(tmp_path / "s") as store:
        add(store, EN, "en.txt")
        add(store, AR, "ar.txt")
        add(store, "هجوم في محافظة صلاح الدّين", "nodate.txt")

        def ids(**kw: object) -> list[str]:
            return list(store.articles(Filters(**kw))["source"])  # type: ignore[arg-type]

        assert ids() == ["en.txt", "ar.txt", "nodate.txt"]  # by date, undated last
        assert ids(lang="ar") == ["ar.txt", "nodate.txt"]
        assert ids(date_from=_d("2022-01-01")) == ["ar.txt"]
        assert ids(date_to=_d("2021-12-31")) == ["en.txt"]
        assert ids(search="kirkuk") == ["en.txt"]
        assert ids(search="مخمور") == ["ar.txt"]
        assert ids(search="ديالي") == ["ar.txt"]  # alef maqsura folded
        assert ids(search="صلاح الدين محافظه") == ["nodate.txt"]  # diacritics, teh marbuta, any order
        assert ids(search="Mosul Kirkuk") == ["en.txt"] and ids(search="Mosul Basra") == []


def _d(text: str) -> object:
    import datetime as dt

    return dt.date.fromisoformat(text)


def test_notes_and_settings_are_json(tmp_path: Path) -> None:
    with Store(tmp_path / "s") as store:
        key = add(store, "Attacks were reported.", "none.txt")
        notes = store.article(key)["notes"]
        raw = store.con.execute("SELECT settings FROM zones").fetchall()
    assert any("no places found" in n for n in notes)
    assert raw == []  # no place, no zone
    assert json.loads(json.dumps(notes)) == notes
