"""Physical features, villages without a cue, places abroad and long-feature stretches."""

from __future__ import annotations

from pathlib import Path

import pytest

from geo.data.gazetteer_more import keep_abroad, read_features
from geo.errors import RulesError
from geo.model import Place
from geo.text.resolve import geoparse


def test_feature_table_reads_and_every_feature_names_its_source() -> None:
    features = read_features()
    assert len(features) >= 40
    assert all(f["source"] and f["points"] for f in features)


def test_feature_without_points_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "f.toml"
    body = '[[feature]]\nid = "x"\ntype = "river"\nname = "X"\nname_ar = "س"\nnames = ["X"]\n'
    bad.write_text(body + 'points = []\nsource = "s"\n', encoding="utf-8")
    with pytest.raises(RulesError, match="points"):
        read_features(bad)


def test_river_named_like_a_governorate_is_the_river() -> None:
    places = geoparse("غرق شاب في نهر ديالى قرب بعقوبة")
    assert [p.id.split(":")[0] for p in places][:1] == ["feature"]
    assert "IQG10" not in {p.id for p in places}
    assert [p.name for p in geoparse("اشتباكات في جبل سنجار")] == ["Mount Sinjar"]


def test_tigris_stretch_follows_the_article() -> None:
    def tigris(city: str) -> Place:
        return next(p for p in geoparse(f"انتشال جثة من نهر دجلة في {city}") if p.name == "Tigris")

    mosul, baghdad = tigris("الموصل"), tigris("بغداد")
    assert mosul.lat > 36.0 and 33.0 < baghdad.lat < 33.6


def test_sorani_common_words_are_not_places() -> None:
    assert geoparse("ژمارەی کوژراوان زیادی کرد و گوتی") == []


def test_a_sorani_common_or_cue_word_keeps_its_meaning_with_a_suffix() -> None:
    # ژمارە (number) is no stem of Zummar, گوندی (village of) no village, ژیانی (life of) no Zhyan
    text = "پۆلیس داوای کرد هەر زانیارییەک بە ژمارە ١٠٤ ڕابگەیەنن، چونکە ئەوان ژیانی خەڵکی گوندی ئەحمەدئاوا دەکەنە بازرگانی."
    names = {p.name for p in geoparse(text)}
    assert not names & {"Zummar", "Kundah", "Zhyan"}, names
    assert "Zummar" in {p.name for p in geoparse("هێرش کرایە سەر ناحیەی زمار")}  # the name itself stays


def test_the_people_of_a_place_and_a_ranked_name_are_not_the_place() -> None:
    # a Sorani plural nisba names people (the Iranians, the people of Erbil), and the name after a
    # rank is a person's; the places beside them are still found
    assert geoparse("شەش کۆچبەری ئێرانییان لە ئۆتۆمبێلەکەدا بوون") == []
    assert [p.name for p in geoparse("هەولێرییەکان لە کەرکووکیش ناڕەزایی دەربڕی")] == ["Kirkuk"]
    assert [p.name for p in geoparse("قال النقيب علي الشرقي إن الهجوم وقع في كركوك")] == ["Kirkuk"]
    assert [p.name for p in geoparse("Captain Ali al-Sharqi said the attack hit Kirkuk")] == ["Kirkuk"]
    assert [p.name for p in geoparse("Capt. Ali al-Sharqi said the attack hit Kirkuk")] == ["Kirkuk"]
    assert "Nahiyat Ali ash Sharqi" in {p.name for p in geoparse("Police in Ali al-Sharqi said so.")}


def test_a_city_quarter_is_taken_after_a_preposition_near_its_city() -> None:
    # the displacement lists split Karrada into numbered blocks: several blocks side by side are a
    # quarter of the Baghdad the article names, shown without its block number
    places = geoparse("انفجرت عبوة ناسفة في الكرادة وسط بغداد صباح اليوم")
    assert [p.name for p in places] == ["Al Karada", "Baghdad"]
    assert geoparse("انفجرت عبوة ناسفة في الكرادة") == []  # no city named: nothing supports it
    # a common noun with blocks of its own stays a common noun: في البساتين, in the orchards
    assert [p.name for p in geoparse("قتل مزارع في البساتين قرب بغداد")] == ["Baghdad"]


@pytest.mark.parametrize(
    "text",
    [
        "Smugglers took the migrants from Istanbul to Greece; some reached Sweden.",
        "نقل المهربون المهاجرين من إسطنبول إلى اليونان ووصل بعضهم إلى السويد",
        "قاچاخچییەکان کۆچبەرەکانیان لە ئیستانبوڵەوە بردە یۆنان و هەندێکیان گەیشتنە سوید",
    ],
)
def test_migration_destinations_are_found_in_every_language(text: str) -> None:
    assert {"Istanbul", "Greece", "Sweden"} <= {p.name for p in geoparse(text)}


def test_capitals_abroad_are_found() -> None:
    names = {p.name for p in geoparse("Officials met in Doha and Abu Dhabi before flying to Tehran.")}
    assert {"Doha", "Abu Dhabi", "Tehran"} <= names


def test_abroad_rules() -> None:
    assert keep_abroad("QA", "PPLC", 0, 1e9) == "strong"
    assert keep_abroad("SY", "PPL", 1_500, 50.0) == "foreign"
    assert keep_abroad("SY", "PPL", 1_500, 500.0) is None
    assert keep_abroad("BR", "PPLC", 0, 1e9) is None
