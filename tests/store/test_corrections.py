"""Analyst corrections (geo.store.corrections): re-resolve, drop, add, dates, audit, re-analysis, two writers."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

import pytest

from geo.errors import InputError, ParameterError
from geo.pipeline import Settings, analyze
from geo.store import Store, article_id, search_gazetteer
from geo.store import corrections as fix
from geo.text.dates import choose_date

KIRKUK_MOSUL = "An attack in Kirkuk and Mosul killed two soldiers."
BRIDGE = "Attacks were reported near the old bridge in the north."


def add(store: Store, text: str) -> str:
    key = article_id(text)
    store.add_article(
        key, analyze(text, source="t.txt"), title="t", date=choose_date(text), settings=Settings()
    )
    return key


def state(store: Store, key: str) -> tuple[list[tuple[str, bool]], list[tuple[str, bool]]]:
    places = store.places()
    zones = store.zones()
    return (
        [(r.place_key, bool(r.corrected)) for r in places.itertuples() if r.article_id == key],
        [(r.zone_id, bool(r.corrected)) for r in zones.itertuples() if r.article_id == key],
    )


@pytest.fixture
def store(tmp_path: Path) -> Store:
    with Store(tmp_path / "s") as s:
        yield s  # type: ignore[misc]


def test_search_gazetteer_in_arabic_and_english() -> None:
    english = [c.id for c in search_gazetteer("Mosul")]
    assert english[:2] == ["IQG15Q05", "gn:99072"]  # exact names, the district before the city
    assert [c.id for c in search_gazetteer("الموصل")][:2] == ["IQG15Q05", "gn:99072"]
    assert [c.id for c in search_gazetteer("الحويجة")][:1] == [c.id for c in search_gazetteer("Hawija")][:1]
    assert "IQG15Q05" in [c.id for c in search_gazetteer("Mos", limit=50)]  # a prefix
    assert search_gazetteer("   ") == [] and search_gazetteer("xylophonebridge") == []


def test_re_resolve_recomputes_zones_and_is_audited(store: Store) -> None:
    key = add(store, KIRKUK_MOSUL)
    assert state(store, key) == (
        [("gn:94787", False), ("gn:99072", False)],
        [("attack_area:gn:94787", False), ("attack_area:gn:99072", False)],
    )
    n = store.re_resolve(key, "gn:99072", "IQG15Q05", who="ana")
    assert state(store, key) == (
        [("gn:94787", False), ("IQG15Q05", True)],
        [("attack_area:gn:94787", False), ("attack_area:IQG15Q05", True)],
    )
    [c] = store.corrections(key)
    assert (c.id, c.action, c.who) == (n, "re-resolve", "ana")
    assert c.before["place_key"] == "gn:99072" and c.before["mentions"] == [[24, 29]]
    assert c.after["place_key"] == "IQG15Q05" and c.after["kind"] == "district"
    assert abs((dt.datetime.now(dt.UTC).replace(tzinfo=None) - c.at).total_seconds()) < 120  # UTC
    place = store.analysis(key).places[1]
    assert place.confidence == 1.0 and place.alternatives[0].id == "gn:99072"  # the old reading kept
    assert bool(store.articles()["corrected"][0])


def test_drop_removes_the_place_and_its_zone(store: Store) -> None:
    key = add(store, KIRKUK_MOSUL)
    store.drop_place(key, "gn:94787", who="ana")
    assert state(store, key) == ([("gn:99072", False)], [("attack_area:gn:99072", False)])
    [c] = store.corrections(key)
    assert c.action == "drop" and c.before["name"] == "Kirkuk" and c.after is None
    assert store.counts()["mentions"] == 1


def test_add_a_missed_place_by_span(store: Store) -> None:
    key = add(store, BRIDGE)
    assert state(store, key) == ([], [])
    start = BRIDGE.index("old bridge")
    store.add_place(key, start, start + len("old bridge"), "gn:99072", who="ana")
    places, zones = state(store, key)
    assert places == [("gn:99072", True)]
    assert zones and all(z.startswith("attack_area:gn:99072") and fixed for z, fixed in zones)
    mention = store.analysis(key).places[0].mentions[0]
    assert (mention.start, mention.end, mention.text) == (start, start + 10, "old bridge")
    assert mention.sentence.text == BRIDGE
    [c] = store.corrections(key)
    assert c.before is None and c.after == {
        "place_key": "gn:99072",
        "name": "Mosul",
        "start": start,
        "end": start + 10,
        "text": "old bridge",
    }


def test_adding_over_another_place_takes_its_mention(store: Store) -> None:
    key = add(store, KIRKUK_MOSUL)
    store.add_place(key, 24, 29, "IQG15Q05")
    assert [p for p, _ in state(store, key)[0]] == ["gn:94787", "IQG15Q05"]
    assert store.corrections(key)[0].before[0]["place_key"] == "gn:99072"


def test_bad_corrections_are_refused_and_change_nothing(store: Store) -> None:
    key = add(store, KIRKUK_MOSUL)
    with pytest.raises(ParameterError, match="has no place 'gn:1'.*gn:94787, gn:99072"):
        store.drop_place(key, "gn:1")
    with pytest.raises(ParameterError, match="no gazetteer entry 'nowhere'"):
        store.re_resolve(key, "gn:99072", "nowhere")
    with pytest.raises(ParameterError, match="span 40-99 is not a stretch"):
        store.add_place(key, 40, 99, "gn:99072")
    with pytest.raises(InputError, match="no article 'abc'"):
        store.drop_place("abc", "gn:99072")
    assert store.corrections() == []
    assert state(store, key)[0] == [("gn:94787", False), ("gn:99072", False)]


def test_set_date_flags_and_audits(store: Store) -> None:
    key = add(store, "Baghdad, 6 March 2021 - An attack in Kirkuk.")
    future = dt.date.today() + dt.timedelta(days=30)
    store.set_date(key, future, who="ana")
    row = store.article(key)
    assert (row["published"], row["date_source"], row["date_flag"]) == (future, "analyst", "future")
    store.set_date(key, "1899-05-01", who="bo")
    assert store.article(key)["date_flag"] == "before-1900"
    first, second = store.corrections(key)
    assert first.before == {"date": "2021-03-06", "date_source": "text", "date_flag": None}
    assert second.before["date"] == future.isoformat() and second.who == "bo"


def test_default_who_is_the_os_user(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fix.getpass, "getuser", lambda: "analyst7")
    key = add(store, KIRKUK_MOSUL)
    store.drop_place(key, "gn:94787")
    assert store.corrections(key)[0].who == "analyst7"


def test_corrections_survive_reanalysis(store: Store) -> None:
    key = add(store, KIRKUK_MOSUL)
    bridge = add(store, BRIDGE)
    store.re_resolve(key, "gn:99072", "IQG15Q05")
    store.drop_place(key, "gn:94787")
    start = BRIDGE.index("old bridge")
    store.add_place(bridge, start, start + 10, "gn:99072")
    store.set_date(bridge, "2022-02-02")
    before = (state(store, key), state(store, bridge))
    result = store.reanalyse(key)
    assert result.replayed == 2 and result.notes == []
    store.reanalyse(bridge, settings=Settings(belt_km=30))  # other settings: a new fingerprint
    assert (state(store, key), state(store, bridge)) == before
    assert store.article(bridge)["published"] == dt.date(2022, 2, 2)
    assert store.article(bridge)["settings"]["belt_km"] == 30
    assert store.stale() == [bridge]  # analysed with other settings than the defaults
    assert len(store.corrections()) == 4  # re-analysis adds no correction


def test_a_correction_whose_place_is_gone_is_noted_on_reanalysis(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    import geo.text.resolve

    key = add(store, KIRKUK_MOSUL)
    store.drop_place(key, "gn:94787")
    real = geo.text.resolve.geoparse
    monkeypatch.setattr(
        geo.text.resolve, "geoparse", lambda text, **kw: [p for p in real(text, **kw) if p.name != "Kirkuk"]
    )  # a "newer" geoparser
    result = store.reanalyse(key)
    assert result.notes == [
        f"correction {store.corrections(key)[0].id} (drop Kirkuk): the place is no longer found"
    ]
    assert state(store, key)[0] == [("gn:99072", False)]


def test_two_writers_on_one_article_the_last_wins_and_both_are_audited(store: Store) -> None:
    key = add(store, KIRKUK_MOSUL)
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def write(entry: str, who: str) -> None:
        try:
            barrier.wait()
            store.re_resolve(key, "gn:99072", entry, who=who)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=a) for a in (("IQG15Q05", "ana"), ("gn:99071", "bo"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    first, last = store.corrections(key)
    assert {first.who, last.who} == {"ana", "bo"}
    assert last.before["place_key"] == first.after["place_key"]  # the second saw the first's result
    assert state(store, key)[0] == [("gn:94787", False), (last.after["place_key"], True)]
