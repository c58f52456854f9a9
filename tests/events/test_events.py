"""Events from text: types, actors, casualties, dates, places and the traps; the gold set and scorer."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from geo.errors import RulesError
from geo.events.actors import load_actors
from geo.events.casualties import casualties_in
from geo.events.evaluate import MATCH_KM, evaluate_dir, load_gold, score_events
from geo.events.extract import extract_events
from geo.events.kinds import EVENT_TYPES, FAMILIES, family_of, load_event_rules
from geo.events.when import when_in
from geo.model import Analysis, Event, Mention, Place, Span
from geo.text.tokens import tokenize

DEVSET = Path(__file__).resolve().parents[1] / "devsets" / "events"
DAY = dt.date(2021, 5, 8)  # a Saturday

#: Places the examples name: (kind, lat, lon, governorate P-code, own P-code).
PLACES = {
    "Tarmiyah": ("town", 33.674, 44.396, "IQG08", None),
    "الطارمية": ("town", 33.674, 44.396, "IQG08", None),
    "Fallujah": ("city", 33.349, 43.784, "IQG01", None),
    "الفلوجة": ("city", 33.349, 43.784, "IQG01", None),
    "Ramadi": ("city", 33.420, 43.299, "IQG01", None),
    "الرمادي": ("city", 33.420, 43.299, "IQG01", None),
    "Kirkuk": ("city", 35.468, 44.392, "IQG13", None),
    "كركوك": ("city", 35.468, 44.392, "IQG13", None),
    "Bashir": ("village", 35.283, 44.338, "IQG13", None),
    "Hawija": ("district", 35.305, 43.763, "IQG13", "IQG13Q02"),
    "Diyala": ("governorate", 33.95, 45.121, "IQG10", "IQG10"),
    "ديالى": ("governorate", 33.95, 45.121, "IQG10", "IQG10"),
    "Sinjar": ("town", 36.321, 41.877, "IQG15", None),
    "Duhok": ("city", 36.867, 42.988, "IQG06", None),
    "Mosul": ("city", 36.335, 43.119, "IQG15", None),
    "Makhmour": ("town", 35.776, 43.58, "IQG07", None),
    "مخمور": ("town", 35.776, 43.58, "IQG07", None),
    "مەخموور": ("town", 35.776, 43.58, "IQG07", None),
}


def analysis_of(text: str, modifiers: dict[str, str] | None = None) -> Analysis:
    """An analysis of ``text`` whose places are those of :data:`PLACES` it names (every mention)."""
    modifiers = modifiers or {}
    tokens = tokenize(text)
    ends = list(tokens.sentence_ends) + [len(text)]
    places = []
    for name, (kind, lat, lon, gov, pcode) in PLACES.items():
        mentions = []
        start = text.find(name)
        while start >= 0:
            i = next(n for n, e in enumerate(ends) if e > start)
            s0 = ends[i - 1] if i else 0
            sentence = Span(s0, ends[i], text[s0 : ends[i]])
            mentions.append(Mention(start, start + len(name), name, sentence, modifier=modifiers.get(name)))
            start = text.find(name, start + 1)
        if mentions:
            places.append(
                Place(f"t:{name}", name, name, kind, "IQ", lat, lon, 0.9, mentions, pcode, None, gov)
            )
    return Analysis("test", text, "und", places)


def events_of(
    text: str, *, day: dt.date | None = DAY, modifiers: dict[str, str] | None = None
) -> list[Event]:
    return extract_events(analysis_of(text, modifiers), article_date=day)


# --- event types --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("A suicide bomber blew himself up at a checkpoint in Tarmiyah.", "suicide_bombing"),
        ("فجر انتحاري يرتدي حزاما ناسفا نفسه في الطارمية.", "suicide_bombing"),
        ("A roadside bomb struck an army patrol in Tarmiyah.", "ied"),
        ("انفجرت عبوة ناسفة على دورية للجيش في الطارمية.", "ied"),
        ("A Turkish drone strike hit a car near Sinjar.", "air_drone_strike"),
        ("قصفت طائرة مسيرة تركية موقعا في مخمور.", "air_drone_strike"),
        ("Katyusha rockets landed near Kirkuk airport.", "shelling_rocket"),
        ("سقطت قذائف هاون على قرية في مخمور.", "shelling_rocket"),
        ("ISIS militants ambushed a PMF convoy in Diyala.", "ambush"),
        ("نصب مسلحو داعش كمينا لقوة من الحشد في ديالى.", "ambush"),
        ("Gunmen assassinated a tribal sheikh in Tarmiyah.", "assassination"),
        ("اغتال مسلحون مختار قرية في الطارمية.", "assassination"),
        ("Gunmen attacked a checkpoint in Tarmiyah.", "armed_assault"),
        ("هاجم مسلحون نقطة تفتيش في الطارمية.", "armed_assault"),
        ("The army and the Peshmerga opened a joint operations room in Makhmour.", "operations_room"),
        ("تقرر تشكيل غرفة عمليات مشتركة في مخمور.", "operations_room"),
        ("Joint patrols of the army and the Peshmerga began in Makhmour.", "joint_force"),
        ("باشرت قوات مشتركة من الجيش والبيشمركة عملها في مخمور.", "joint_force"),
        ("The federal police sent reinforcements to Kirkuk.", "redeployment"),
        ("انسحبت قوات الجيش من مخمور.", "redeployment"),
        ("Hundreds of families have fled Sinjar.", "displacement"),
        ("نزحت عشرات العائلات من قرى مخمور.", "displacement"),
        ("تۆپبارانی سوپای تورکیا گوندێکی نزیک مەخموور.", "shelling_rocket"),
        ("چەکدارانی داعش هێرشیان کردە سەر بنکەیەک لە مەخموور.", "armed_assault"),
        ("سەدان خێزان لە مەخموور ئاوارە بوون.", "displacement"),
    ],
)
def test_each_event_type_is_read_in_english_arabic_and_sorani(text: str, kind: str) -> None:
    events = events_of(text)
    assert [e.type for e in events] == [kind]
    assert events[0].family == family_of(kind)
    assert events[0].place_name is not None


def test_the_most_specific_type_of_a_sentence_wins() -> None:
    (event,) = events_of("A suicide bomber detonated his explosive vest during an attack on Tarmiyah.")
    assert event.type == "suicide_bombing"


def test_a_trend_word_is_no_incident_unless_the_sentence_gives_a_toll() -> None:
    assert events_of("ISIS has stepped up its attacks in Diyala in recent weeks.") == []
    assert events_of("وصعد تنظيم داعش من هجماته في ديالى.") == []
    (event,) = events_of("Attacks in Diyala killed five people last week.")
    assert (event.type, event.killed) == ("armed_assault", 5)


def test_a_weak_word_without_toll_or_place_is_no_incident() -> None:
    assert events_of('"We heard two explosions," a witness said.') == []
    assert [e.type for e in events_of("An explosion hit a market in Tarmiyah.")] == ["ied"]


def test_unknown_event_type_is_refused() -> None:
    with pytest.raises(RulesError, match="unknown event type 'riot'"):
        family_of("riot")
    assert set(EVENT_TYPES) == {t for ts in FAMILIES.values() for t in ts}
    assert load_event_rules().labels.keys() == set(EVENT_TYPES)


# --- actors --------------------------------------------------------------------------------------


def test_the_actor_table_names_every_actor_with_sources_in_three_scripts() -> None:
    table = load_actors()
    assert set(table.actors) == {
        "isis",
        "peshmerga",
        "iraqi_army",
        "pmf",
        "turkish_forces",
        "iranian_forces",
        "pkk",
        "tribal_forces",
        "cts",
        "federal_police",
    }
    for actor in table.actors.values():
        assert all(source.strip() for _name, _lang, source in actor.names)
        assert {"en", "ar"} <= {lang for _name, lang, _source in actor.names}, actor.id
        assert "ckb" in {lang for _name, lang, _source in actor.names}, actor.id


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            'Fighters of "Islamic State" attacked the Peshmerga and the Hashd al-Shaabi',
            ["isis", "peshmerga", "pmf"],
        ),
        ("هاجم عناصر من تنظيم “داعش” قوة من الحشد الشعبي والبيشمركة", ["isis", "pmf", "peshmerga"]),
        ("چەکدارانی داعش هێرشیان کردە سەر پێشمەرگە", ["isis", "peshmerga"]),
        (
            "Counter-Terrorism Service troops and federal police hunted PKK and IRGC units",
            ["cts", "federal_police", "pkk", "iranian_forces"],
        ),
        ("قصف تركي وقصف إيراني على مواقع حزب العمال الكردستاني", ["turkish_forces", "iranian_forces", "pkk"]),
        ("tribal forces and the Iraqi army", ["tribal_forces", "iraqi_army"]),
    ],
)
def test_actor_names_and_variants_are_found(text: str, expected: list[str]) -> None:
    tokens = tokenize(text)
    assert [a for a, _ in load_actors().find(tokens, 0, len(tokens))] == expected


def test_a_capitals_only_name_needs_capitals_and_a_source_is_no_actor() -> None:
    tokens = tokenize("This is what IS fighters did; the police said so, according to the army.")
    found = [(a, s.text) for a, s in load_actors().find(tokens, 0, len(tokens))]
    assert found == [("isis", "IS"), ("federal_police", "police")]


def test_insurgents_named_in_a_security_arrangement_are_not_its_actors() -> None:
    (event,) = events_of(
        "After ISIS attacks, the Peshmerga and the Iraqi army opened an operations room in Makhmour."
    )
    assert event.actors == ["peshmerga", "iraqi_army"]


# --- casualties ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "killed", "wounded"),
    [
        ("ثلاثة قتلى بانفجار عبوة", 3, None),
        ("مقتل اثنين من عناصر الشرطة", 2, None),
        ("three killed in the blast", 3, None),
        ("12 killed and 5 injured", 12, 5),
        ("a soldier was killed and two others wounded", 1, 2),
        ("مقتل جندي وإصابة ثلاثة", 1, 3),
        ("قتل ضابط وجنديان في الكمين", 3, None),
        ("قتل ١١ مدنياً وأصيب ثمانية", 11, 8),
        ("ثلاثة عشر قتيلا", 13, None),
        ("Four members of the Popular Mobilization Forces (PMF) were killed", 4, None),
        ("سێ پێشمەرگە کوژران و دوو بریندار بوون", 3, 2),
        ("نۆ گەشتیار کوژران و ٢٣ کەسی دیکەش بریندار بوون", 9, 23),
    ],
)
def test_casualties_from_digits_and_number_words(text: str, killed: int | None, wounded: int | None) -> None:
    tokens = tokenize(text)
    actors = load_actors().find(tokens, 0, len(tokens))
    skip = frozenset(k for _, s in actors for k in range(len(tokens)) if s.start <= tokens.starts[k] < s.end)
    got = casualties_in(tokens, 0, len(tokens), skip=skip)
    assert (got.killed, got.wounded) == (killed, wounded)
    assert all(text[s.start : s.end] == s.text for s in got.spans)


@pytest.mark.parametrize(
    "text",
    [
        "The blast destroyed 4 rooms but killed nobody.",
        "Fighters killed in 2017 were remembered.",
        "قتل عناصر من الفرقة الخامسة",
        "Fighters of Brigade 20 were killed.",
        "They were killed 30 km south of the city.",
        "Six rockets were fired; nobody was killed.",
        "سقطت ستة صواريخ دون أن تسفر عن قتلى",
    ],
)
def test_numbers_that_are_not_casualties(text: str) -> None:
    tokens = tokenize(text)
    got = casualties_in(tokens, 0, len(tokens))
    assert (got.killed, got.wounded) == (None, None)


# --- dates ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "date", "source"),
    [
        ("Gunmen attacked a village yesterday.", "2021-05-07", "relative"),
        ("Gunmen attacked a village on Friday.", "2021-05-07", "relative"),
        ("هاجم مسلحون قرية مساء الاحد.", "2021-05-02", "relative"),
        ("Three attacks were reported last week.", "2021-05-01", "relative"),
        ("هاجم مسلحون القرية أمس.", "2021-05-07", "relative"),
        ("An attack on 3 May killed two.", "2021-05-03", "relative"),
        ("مساء الاحد الـ 3 من مايو/أيار الجاري", "2021-05-03", "relative"),
        ("An attack on 6 March 2021 killed two.", "2021-03-06", "text"),
        ("Gunmen attacked a village.", "2021-05-08", "article"),
    ],
)
def test_event_dates_relative_to_the_article(sentence: str, date: str, source: str) -> None:
    when = when_in(sentence, DAY, offset=10)
    assert (str(when.date), when.source) == (date, source)
    if when.phrase is not None:
        assert sentence[when.phrase.start - 10 : when.phrase.end - 10] == when.phrase.text


def test_without_an_article_date_relative_phrases_give_no_date() -> None:
    when = when_in("Gunmen attacked a village yesterday.", None)
    assert (when.date, when.source) == (None, "none")


def test_a_reported_past_event_is_historical() -> None:
    (old,) = events_of("The village was the scene of the 2014 attack on Sinjar.")
    assert old.historical
    (new,) = events_of("Gunmen attacked Sinjar on Friday, ten years after the 2014 massacre was recalled.")
    assert not new.historical  # the year is far from this sentence's trigger


# --- places --------------------------------------------------------------------------------------


def test_the_bombers_home_town_is_not_the_event_place() -> None:
    (event,) = events_of("A suicide bomber from Fallujah blew himself up in Ramadi, killing three.")
    assert (event.place_name, event.killed) == ("Ramadi", 3)
    (event,) = events_of("فجر انتحاري ينحدر من الفلوجة نفسه في الرمادي.")
    assert event.place_name == "الرمادي"


def test_the_most_specific_place_and_its_precision() -> None:
    (village,) = events_of("An IED exploded in the village of Bashir in Hawija district.")
    assert (village.place_name, village.precision) == ("Bashir", 1)
    (district,) = events_of(
        "An IED exploded in Hawija district, west of Kirkuk.", modifiers={"Kirkuk": "west"}
    )
    assert (district.place_name, district.precision, district.district_pcode) == ("Hawija", 2, "IQG13Q02")
    (near,) = events_of("An IED exploded south of Kirkuk.", modifiers={"Kirkuk": "south"})
    assert (near.place_name, near.precision, near.governorate_pcode) == ("Kirkuk", 2, "IQG13")
    (wide,) = events_of("An IED exploded in Diyala.")
    assert (wide.place_name, wide.precision, wide.governorate_pcode) == ("Diyala", 3, "IQG10")


def test_displaced_people_are_placed_where_they_fled_from() -> None:
    (event,) = events_of("Hundreds of families have fled Sinjar for camps in Duhok.")
    assert event.place_name == "Sinjar"


def test_a_security_arrangement_list_gives_one_event_per_place() -> None:
    events = events_of("The two sides agreed on operations rooms in Diyala, Kirkuk, Mosul and Makhmour.")
    assert [(e.type, e.place_name) for e in events] == [
        ("operations_room", n) for n in ("Diyala", "Kirkuk", "Mosul", "Makhmour")
    ]


def test_a_placeless_sentence_takes_the_dateline() -> None:
    (event,) = events_of("Kirkuk, May 8 - Gunmen killed two shepherds on Friday.")
    assert (event.place_name, event.killed, event.date) == ("Kirkuk", 2, "2021-05-07")
    assert "dateline" in event.reason


def test_the_headline_and_the_body_are_one_incident() -> None:
    text = "مقتل ثلاثة جنود بهجوم لداعش\nقتل ثلاثة جنود وأصيب اثنان بهجوم شنه مسلحو داعش في الطارمية أمس."
    (event,) = events_of(text)
    assert (event.place_name, event.killed, event.wounded, event.date) == ("الطارمية", 3, 2, "2021-05-07")
    assert set(event.actors) == {"isis"}


def test_every_span_of_an_event_indexes_the_article() -> None:
    text = "BAGHDAD - A roadside bomb killed 2 policemen of the federal police in Tarmiyah yesterday."
    (event,) = events_of(text)
    d = event.to_dict()
    spans = [d["sentence"], d["trigger"], d["date_phrase"], *d["actor_spans"], *d["casualty_spans"]]
    assert all(text[s["start"] : s["end"]] == s["text"] for s in spans)
    assert (d["type"], d["killed"], d["actors"], d["date"]) == ("ied", 2, ["federal_police"], "2021-05-07")
    assert 0 < d["confidence"] <= 0.95
    json.dumps(d)


def test_the_pipeline_attaches_the_events(seed_text: str) -> None:
    from geo.pipeline import analyze

    analysis = analyze(seed_text, source="article-000")
    rooms = [e for e in analysis.events if e.type == "operations_room"]
    assert len(rooms) >= 3
    assert all({"peshmerga", "iraqi_army"} <= set(e.actors) for e in rooms)
    # the seed gives no year for "مساء الاحد الـ 3 من مايو/أيار الجاري": no article date, no event date
    assert all((e.date, e.date_source) == (None, "none") for e in rooms)
    withdrawal = [e for e in analysis.events if e.type == "redeployment"]
    assert withdrawal and all(e.historical for e in withdrawal)  # the 2017 withdrawal


# --- gold set and scorer -------------------------------------------------------------------------


def test_the_gold_files_are_well_formed() -> None:
    actors = set(load_actors().actors)
    counts = {}
    for split in ("dev", "frozen"):
        gold = load_gold(DEVSET / split)
        counts[split] = len(gold)
        for g, text in gold:
            dt.date.fromisoformat(g["article_date"])
            for e in g["events"]:
                assert e["type"] in EVENT_TYPES, g["id"]
                assert set(e["actors"]) <= actors, g["id"]
                assert e["precision"] in (1, 2, 3), g["id"]
                assert -90 <= e["place"]["lat"] <= 90 and -180 <= e["place"]["lon"] <= 180
                for (a, b), said in zip(e["evidence"], e["evidence_text"], strict=True):
                    assert text[a:b] == said, (g["id"], said)
    assert counts["dev"] >= 20 and counts["frozen"] >= 10
    langs = {g["lang"] for split in ("dev", "frozen") for g, _ in load_gold(DEVSET / split)}
    assert langs == {"ar", "en", "ckb"}


def _event(kind: str, lat: float, lon: float, **kw: object) -> Event:
    return Event(
        f"{kind}:{lat}", kind, family_of(kind), Span(0, 1, "x"), Span(0, 1, "x"), lat=lat, lon=lon, **kw
    )


def test_the_scorer_matches_by_family_and_distance() -> None:
    gold = [
        {
            "type": "ied",
            "place": {"lat": 35.0, "lon": 44.0},
            "actors": ["isis"],
            "killed": 3,
            "wounded": None,
        },
        {
            "type": "operations_room",
            "place": {"lat": 36.0, "lon": 43.0},
            "actors": [],
            "killed": None,
            "wounded": None,
        },
        {
            "type": "ambush",
            "place": {"lat": 34.0, "lon": 45.0},
            "actors": [],
            "killed": None,
            "wounded": None,
            "historical": True,
        },
    ]
    near = 35.0 + (MATCH_KM - 5) / 111.0  # 20 km north
    predicted = [
        _event("armed_assault", near, 44.0, actors=["isis"], killed=3),  # same family, other type
        _event("joint_force", 36.0 + 30 / 111.0, 43.0),  # 30 km away: no match
        _event("ambush", 34.0, 45.0, historical=True),  # historical: left out
    ]
    score = score_events([(predicted, gold)])
    assert (
        score.by_family["attack"].tp,
        score.by_family["attack"].predicted,
        score.by_family["attack"].gold,
    ) == (1, 1, 1)
    assert (score.by_type["ied"].tp, score.by_type["ied"].gold, score.by_type["armed_assault"].predicted) == (
        0,
        1,
        1,
    )
    assert score.by_family["security_arrangement"].recall == 0.0
    assert (score.actor_accuracy, score.casualty_exact) == (1.0, 1.0)
    assert len(score.misses) == 1 and "operations_room" in score.misses[0]


def test_the_dev_set_scores_above_its_floor() -> None:
    score = evaluate_dir(DEVSET / "dev")
    assert score.articles >= 20
    for family in ("attack", "security_arrangement"):
        assert score.by_family[family].precision >= 0.7, score.summary()
        assert score.by_family[family].recall >= 0.7, score.summary()
    assert score.actor_accuracy >= 0.8, score.summary()
    assert score.casualty_exact >= 0.75, score.summary()


def test_a_town_event_gets_the_district_its_point_falls_in() -> None:
    import geopandas as gpd
    from shapely.geometry import box

    districts = gpd.GeoDataFrame(
        {"pcode": ["IQG13Q01", "IQG13Q03"], "adm1_pcode": ["IQG13", "IQG13"]},
        geometry=[box(44.0, 35.0, 44.5, 35.5), box(43.5, 35.0, 44.0, 35.5)],
        crs="EPSG:4326",
    )
    text = "An IED exploded in Kirkuk. Another IED exploded in Diyala."
    town, wide = extract_events(analysis_of(text), article_date=DAY, districts=districts)
    assert (town.place_name, town.district_pcode, town.governorate_pcode) == ("Kirkuk", "IQG13Q01", "IQG13")
    assert (wide.place_name, wide.precision, wide.district_pcode) == (
        "Diyala",
        3,
        None,
    )  # a centre, not a place
    (unlocated,) = extract_events(analysis_of("An IED exploded in Kirkuk."), article_date=DAY, locate=False)
    assert unlocated.district_pcode is None
