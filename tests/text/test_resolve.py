"""Resolution: the traps of the issue, decided by offset, and the seed article's places."""

from __future__ import annotations

from pathlib import Path

import pytest

from geo.data.gazetteer import load_gazetteer
from geo.model import Place
from geo.text.candidates import held_by_another
from geo.text.extract import find_mentions
from geo.text.lexicon import load_lexicon
from geo.text.resolve import LONG_TEXT_CHARS, candidates, choose, geoparse, link_mentions, score


@pytest.fixture(scope="module")
def gaz():  # type: ignore[no-untyped-def]
    return load_gazetteer()


def places_at(text: str) -> dict[int, Place]:
    """Resolved place by the start offset of each of its mentions."""
    out = {}
    for p in geoparse(text):
        for m in p.mentions:
            assert text[m.start : m.end] == m.text
            out[m.start] = p
    return out


def nth(text: str, word: str, n: int = 0) -> int:
    i = -1
    for _ in range(n + 1):
        i = text.index(word, i + 1)
    return i


@pytest.mark.parametrize(
    ("text", "word", "place_at", "common_at", "pcode"),
    [
        ("هجوم في قضاء بلد. وقال إن العراق بلد كبير.", "بلد", 0, 1, "IQG16Q04"),
        ("عملية في قضاء الدور شمالي سامراء. وللعشائر الدور الأكبر.", "الدور", 0, 1, "IQG16Q01"),
        ("انفجار في قضاء الخالص. وشكر الجهد الخالص للقوات.", "الخالص", 0, 1, "IQG10Q01"),
        ("مضافة في ناحية العظيم. إنه الأمر العظيم.", "العظيم", 0, 1, "IQG10Q01N01"),
        ("تسلل في صحراء الحضر جنوب غربي الموصل. والتنمية تشمل الحضر والريف.", "الحضر", 0, 1, "IQG15Q04"),
    ],
)
def test_common_words_that_are_also_places(
    text: str, word: str, place_at: int, common_at: int, pcode: str
) -> None:
    found = places_at(text)
    assert found[nth(text, word, place_at)].pcode == pcode
    assert nth(text, word, common_at) not in found


def test_hit_the_town_and_hit_the_verb() -> None:
    text = "A roadside bomb hit a patrol between Hit and Ramadi. Officers in Hit said mortars hit the base."
    found = places_at(text)
    hits = [p for start, p in found.items() if text[start : start + 3] == "Hit"]
    assert len(hits) == 2 and {p.governorate for p in hits} == {"Al-Anbar"}
    assert nth(text, "hit", 0) not in found and nth(text, "hit", 1) not in found


def test_organisation_names_do_not_yield_places() -> None:
    text = "بحث وفد من حكومة إقليم كوردستان ملف الرواتب. وأعلنت جامعة الموصل العطلة."
    assert geoparse(text) == []
    en = "A delegation of the Kurdistan Regional Government met Mosul University staff."
    assert geoparse(en) == []


def test_same_named_places_in_other_countries() -> None:
    text = "عاد الوفد من الرياض. وفي كركوك نفذت قوة عملية في ناحية الرياض التابعة لقضاء الحويجة."
    found = places_at(text)
    assert found[nth(text, "الرياض", 0)].country == "SA"
    iraqi = found[nth(text, "الرياض", 1)]
    assert iraqi.country == "IQ" and iraqi.governorate == "Kirkuk"
    en = places_at("The prime minister returned from Riyadh on Monday.")
    assert [p.country for p in en.values()] == ["SA"]
    babil = geoparse("هجمات في شمال بابل قرب الحدود مع إيران")
    assert [(p.name, p.country) for p in babil] == [("Babil", "IQ"), ("Iran", "IR")]


def test_containment_picks_the_unit_inside_the_named_governorate() -> None:
    text = "هجوم على قرية في ناحية الرياض التابعة لمحافظة كركوك"
    riyadh = places_at(text)[nth(text, "الرياض")]
    assert riyadh.country == "IQ" and riyadh.governorate_pcode == "IQG13"
    en = geoparse("Gunmen attacked a checkpoint in Balad, in Salah al-Din province.")
    assert en[0].pcode in ("IQG16Q04", None) and en[0].governorate == "Salah Al-Din"


def test_kurdish_script_and_transliterations() -> None:
    ckb = geoparse("کۆبوونەوە لە هەولێر و سلێمانی و دهۆک و کەرکووک")
    assert {p.governorate for p in ckb} == {"Erbil", "Al-Sulaymaniyah", "Duhok", "Kirkuk"}
    en = geoparse("Clashes in Shingal, Makhmur and Tooz; talks in Hawler and Slemani.")
    assert {p.governorate for p in en} == {"Ninewa", "Erbil", "Salah Al-Din", "Al-Sulaymaniyah"}


def test_seed_article(seed_text: str) -> None:
    places = geoparse(seed_text)
    by_name = {p.name: p for p in places}
    expected = {
        "Diyala": "governorate",
        "Kirkuk": None,
        "Mosul": None,
        "Makhmour": None,
        "Baghdad": None,
        "Babil": "governorate",
        "Ninewa": "governorate",
        "Salah Al-Din": "governorate",
        "Iraq": "country",
        "Kurdistan Region": "region",
        "Syria": "country",
        "Iran": "country",
    }
    for name, kind in expected.items():
        assert name in by_name, name
        if kind:
            assert by_name[name].kind == kind
    assert by_name["Babil"].mentions[0].modifier == "north"
    assert by_name["Babil"].mentions[0].modifier_span.text == "وشمال"
    assert {m.modifier for m in by_name["Baghdad"].mentions} == {None, "around"}
    assert {m.modifier for m in by_name["Salah Al-Din"].mentions} == {None, "outskirts"}
    assert by_name["Makhmour"].governorate == "Erbil"
    kurdistan = by_name["Kurdistan Region"]
    org = seed_text.index("حكومة إقليم كوردستان") + len("حكومة ")
    assert org not in {m.start for m in kurdistan.mentions}
    for p in places:
        assert 0.0 <= p.confidence <= 1.0
        for m in p.mentions:
            assert seed_text[m.start : m.end] == m.text
            assert seed_text[m.sentence.start : m.sentence.end] == m.sentence.text
            assert m.sentence.start <= m.start < m.end <= m.sentence.end
    boilerplate = [
        i
        for i, line in enumerate(seed_text.splitlines())
        if line.startswith(("May be", "No desc", "Read our"))
    ]
    assert boilerplate
    starts = {m.start for p in places for m in p.mentions}
    for line in ("May be an image", "No description available", "Read our Privacy Policy"):
        pos = seed_text.index(line)
        assert not any(pos <= s < pos + 60 for s in starts)


def test_steps_run_alone(gaz) -> None:  # type: ignore[no-untyped-def]
    text = "في ديالى وكركوك ونينوى وصلاح الدين"
    lex = load_lexicon()
    ms = find_mentions(text, gaz, lex)
    links = link_mentions(ms, lex)
    assert [link.kind for link in links].count("list") == 3
    cands = score(ms, candidates(ms, gaz, lex, links), gaz, lex, links)
    assert all(gaz.entries[cs[0].entry].kind == "governorate" for cs in cands)
    places = choose(ms, cands, gaz)
    assert [p.kind for p in places] == ["governorate"] * 4
    kirkuk = places[1]
    assert kirkuk.alternatives and kirkuk.alternatives[0].name == "Kirkuk"
    assert kirkuk.alternatives[0].kind in ("city", "district")


@pytest.mark.parametrize("text", ["", "   \n ", "لا توجد أماكن في هذا النص.", "Nothing to see here."])
def test_texts_without_places(text: str) -> None:
    assert geoparse(text) == []


def test_weak_names_have_lower_confidence() -> None:
    strong = geoparse("هجوم في كركوك")[0]
    weak = geoparse("هجوم في قضاء بلد")[0]
    assert weak.confidence < strong.confidence


def test_common_words_in_a_place_free_paragraph() -> None:
    text = (
        "وأضاف أن الشعب العراقي العظيم يستحق الأفضل، وأن الحرية والسلام والوحدة الوطنية أهم من أي شيء، "
        "وأن الدور الإقليمي للعراق يتعزز. كما تحدث عن الثورة الصناعية والمدينة الذكية والحي السكني "
        "الجديد، والخبر نشرته وكالة الأنباء، وأن الأسلحة الحديثة وصلت. وزار مقتدى الصدر عائلات الضحايا."
    )
    assert [p.name for p in geoparse(text)] == ["Iraq"]


def test_personal_names_need_a_cue_or_a_preposition() -> None:
    assert [p.name for p in geoparse("A woman named Rania was hurt.")] == []
    ranya = geoparse("اشتباكات في قضاء رانية شمالي السليمانية")
    assert ranya[0].governorate == "Al-Sulaymaniyah"


GOLD_ARTICLES = sorted((Path(__file__).parent.parent / "gold" / "articles").glob("*.txt"))


def _scores(cands):  # type: ignore[no-untyped-def]
    return [[(c.entry, c.score, c.weak, c.why) for c in cs] for cs in cands]


def test_geoparse_is_the_public_steps_run_in_order(gaz) -> None:  # type: ignore[no-untyped-def]
    lex = load_lexicon()
    for path in GOLD_ARTICLES:
        text = path.read_text(encoding="utf-8")
        ms = find_mentions(text, gaz, lex)
        links = link_mentions(ms, lex)
        with_links = score(ms, candidates(ms, gaz, lex, links), gaz, lex, links)
        alone = score(ms, candidates(ms, gaz), gaz)  # links worked out inside each step
        assert _scores(alone) == _scores(with_links), path.name
        assert choose(ms, with_links, gaz) == geoparse(text, gazetteer=gaz), path.name


def test_results_do_not_depend_on_what_was_parsed_before(gaz) -> None:  # type: ignore[no-untyped-def]
    texts = [p.read_text(encoding="utf-8") for p in GOLD_ARTICLES]
    first = [geoparse(t, gazetteer=gaz) for t in texts]
    again = [geoparse(t, gazetteer=gaz) for t in reversed(texts)][::-1]
    assert first == again and all(first)


def test_a_governorate_held_by_another_mention() -> None:
    assert not held_by_another(None, 3)
    assert not held_by_another([3], 3)
    assert held_by_another([2], 3) and held_by_another([3, 5], 3)


def test_long_texts_keep_true_offsets_and_readings(gaz) -> None:  # type: ignore[no-untyped-def]
    block = ("سطر بلا أماكن " * 40 + "\n") * 120 + "هجوم في قضاء بلد شمال بغداد\n"
    text = block * 3
    assert len(text) > 2 * LONG_TEXT_CHARS  # three pieces
    places = geoparse(text, gazetteer=gaz)
    short = geoparse(block, gazetteer=gaz)
    assert [(p.id, len(p.mentions)) for p in places] == [(p.id, 3 * len(p.mentions)) for p in short]
    for p in places:
        for m in p.mentions:
            assert text[m.start : m.end] == m.text
            assert text[m.sentence.start : m.sentence.end] == m.sentence.text
            if m.modifier_span:
                assert text[m.modifier_span.start : m.modifier_span.end] == m.modifier_span.text


@pytest.mark.parametrize(
    ("text", "word", "name"),
    [
        # a generic noun of places is a name only after its own cue word, not after a modifier
        ("الحادث وقع في وسط المدينة صباح اليوم قرب الجسر", "المدينة", None),
        ("اعتقال شبكة في أحياء المدينة الشعبية", "المدينة", None),
        ("وقع انفجار في قضاء المدينة شمال البصرة", "المدينة", "Al-Midaina"),
        # a border crossing takes the town or sub-district it stands in, not a village namesake
        ("MOSUL — Trucks crossed the Rabia border crossing into Syria on Monday.", "Rabia", "Rabia"),
        ("عبرت الشاحنات منفذ ربيعة الحدودي صباح اليوم", "ربيعة", "Rabia"),
        # a village named after a preposition, with a town of the article nearby, stands ...
        (
            "The blast hit Sulaimani on Monday. A family of five was rescued from their home in "
            "Bakrajo on the western edge of the city.",
            "Bakrajo",
            "Bakraj",  # one of the Bakrajo villages west of the city
        ),
        # ... but not with nothing near it, nor in Sorani
        ("A family of five was rescued from their home in Bakrajo on Monday.", "Bakrajo", None),
        # a definite Sorani word is no cue (گوندەکان, the villages), کـ is no Sorani proclitic
        ("دانیشتووانی گوندەکان دەڵێن کە ئاگر زۆرە.", "دەڵێن", None),
        ("ناوچەکەیان بۆردومان کراوە و گوندەکان چۆڵ بوون.", "کراوە", None),
        # an ordinal counts rooms, it names no village; a party name holds no place
        ("ستكون الغرفة الأولى في بيجي والثانية في الشرقاط", "والثانية", None),
        ("بنکەیەکی حیزبی دیموکراتی کوردستانی ئێرانی لە نزیک کۆیە", "کوردستانی", None),
        # a personal name after a preposition, its governorate named in the article
        ("وصلت التعزيزات إلى محافظة نينوى، وستكون الغرفة الثالثة في ربيعة.", "ربيعة", "Rabia"),
        # one reading per name: the sub-district the body names decides the headline's mention
        (
            "هجوم في الرشاد والرياض\nقتل راعيان في الوادي الواقع بين ناحيتي الرشاد والرياض جنوب غربي كركوك",
            "والرياض",
            "Ar Riyad",
        ),
        # a name that begins with its own generic word reaches the place named by the rest
        (
            "MOSUL — Water flooded the Mosul districts of al-Zuhur and Hay al-Tanak.",
            "Hay al-Tanak",
            "Al Tanak",
        ),
    ],
)
def test_place_nouns_crossings_and_villages_after_a_preposition(
    text: str, word: str, name: str | None
) -> None:
    got = places_at(text).get(text.index(word))
    if name is None:
        assert got is None, (got, text)
    else:
        assert got is not None and got.name.startswith(name), (got, text)


def test_a_hashtag_list_is_a_list() -> None:
    # with a Kurdistan Region town in the article, "#Saladin" between two governorates is still
    # the governorate, as it is without the hashtags
    text = (
        "A Peshmerga commander in Erbil said ISIS attacks had risen in #Kirkuk, #Saladin and #Nineveh, "
        "while Dibaga stayed calm."
    )
    saladin = places_at(text)[nth(text, "Saladin")]
    assert saladin.pcode == "IQG16"


@pytest.mark.parametrize(
    ("text", "word", "pcode"),
    [
        ("هێرش لە قەیارەدا کرا.", "قەیارەدا", "Al-Qayarra"),
        ("بۆسەیەک لە ناحیەی قەرەتوو نرایەوە.", "قەرەتوو", "IQG10Q05N05"),
        ("A roadside bomb on the outskirts of the Jisr Diyala sub-district.", "Jisr Diyala", "IQG08Q04N02"),
    ],
)
def test_sorani_and_press_spellings_of_federal_units(text: str, word: str, pcode: str) -> None:
    place = places_at(text)[nth(text, word)]
    assert pcode in (place.pcode, place.name) or place.name.endswith("Qayyarah")


def test_a_dual_cue_covers_the_list_after_it() -> None:
    text = "رصد تحركات في المنطقة المحصورة بين ناحيتي المعتصم ويثرب خلال الأسابيع الماضية."
    assert "IQG16Q04N01" in {p.pcode for p in geoparse(text)}


@pytest.mark.parametrize(
    ("text", "pcode_or_id"),
    [
        ("لە دووبزدا هێرش کرا", "gn:97001"),  # a Sorani long u written twice: its suffix is read off
        ("كمين في المنطقة الزراعية بين بلدتي بادوش والمحلبية", "wof:1293265333"),  # a dual cue
    ],
)
def test_sorani_double_waw_and_arabic_dual_cues(text: str, pcode_or_id: str) -> None:
    assert pcode_or_id in {p.pcode or p.id for p in geoparse(text)} | {p.id for p in geoparse(text)}
