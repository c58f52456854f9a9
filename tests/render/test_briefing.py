"""The analyst briefing: quotes, HTML, and the PDF read back with poppler (pdftotext, pdftoppm)."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from pathlib import Path

import export_samples
import numpy as np
import pytest
from export_samples import STYLES, empty_analysis, hand_analysis
from PIL import Image

from geo.errors import ExportError
from geo.model import Analysis, Mention, Place, Span
from geo.render import briefing, briefingtext, mapview, staticmap

ATTRIBUTION = "Boundaries: OCHA / Central Statistics Office Iraq, COD-AB 2019-06-03"
PREPARED = dt.datetime(2024, 5, 7, 9, 30, tzinfo=dt.UTC)
#: Bidi controls poppler writes around right-to-left runs (not part of the text).
_BIDI = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")

needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is not installed")

seed_analysis = export_samples.seed_analysis  # the seed article through the pipeline (fixture)


def _pdftotext(path: Path) -> str:
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
    )
    return _BIDI.sub("", out.stdout)


@pytest.fixture(scope="module")
def static_map(tmp_path_factory: pytest.TempPathFactory) -> mapview.SnapshotResult:
    """A map snapshot made without the browser (the briefing tests are about the document)."""
    folder = tmp_path_factory.mktemp("map")
    return staticmap.static_png(hand_analysis(), folder / "map.png", width=1100, height=720, styles=STYLES)


# --- quotes --------------------------------------------------------------------------------------


def test_excerpt_keeps_a_short_sentence_whole() -> None:
    text = "وصعد تنظيم داعش من هجماته في ديالى."
    start = text.index("ديالى")
    lo, hi, segments = briefing.excerpt(text, 0, len(text), [(start, start + 5, "place")])
    assert (lo, hi) == (0, len(text))
    assert [s.kind for s in segments] == ["text", "place", "text"]
    assert "".join(s.text for s in segments) == text


def test_excerpt_trims_a_long_sentence_around_the_mention() -> None:
    filler = " ".join(["كلمة"] * 400)
    text = f"{filler} هجمات في كركوك اليوم {filler}."
    start = text.index("كركوك")
    lo, hi, segments = briefing.excerpt(text, 0, len(text), [(start, start + 5, "place")], max_chars=200)
    shown = "".join(s.text for s in segments)
    assert segments[0].text == "… " and segments[-1].text == " …"
    assert "كركوك" in shown and lo < start < hi
    assert hi - lo <= 200
    assert text[lo - 1] == " " and text[hi] == " "  # whole words only


def test_key_quotes_mark_places_and_triggers_with_english_gloss() -> None:
    analysis = hand_analysis()
    quotes = briefing.key_quotes(analysis, styles=STYLES)
    assert len(quotes) == 2
    first = quotes[0]
    assert first.dir == "rtl" and first.lang == "ar"
    assert [s.text for s in first.segments if s.kind == "place"] == ["ديالى", "كركوك"]
    assert [s.text for s in first.segments if s.kind == "trigger"] == ["غرف العمليات"]
    assert first.gloss == "Places: Diyala, Kirkuk · Sets off: Joint operations room"
    assert first.text == analysis.text[first.start : first.end]


def test_very_long_article_gets_trimmed_quotes_and_a_cap() -> None:
    filler = " ".join(["نص"] * 300)
    text = "\n".join(f"{filler} الهجوم رقم {i} في ديالى {filler}" for i in range(20))  # 20 distinct sentences
    mentions = []
    pos = 0
    for _ in range(20):
        start = text.index("ديالى", pos)
        line_start = text.rfind("\n", 0, start) + 1
        line_end = text.find("\n", start)
        line_end = len(text) if line_end < 0 else line_end
        mentions.append(
            Mention(start, start + 5, "ديالى", Span(line_start, line_end, text[line_start:line_end]))
        )
        pos = start + 5
    place = Place(
        id="IQG10",
        name="Diyala",
        name_ar="ديالى",
        kind="governorate",
        country="IQ",
        lat=33.9,
        lon=45.0,
        confidence=0.9,
        mentions=mentions,
        pcode="IQG10",
    )
    analysis = Analysis(source="long.txt", text=text, lang="ar", places=[place])
    quotes = briefing.key_quotes(analysis, styles=STYLES)
    assert len(quotes) == briefing.MAX_QUOTES
    for quote in quotes:
        assert len(quote.text) <= briefing.QUOTE_MAX_CHARS + 4
        assert "ديالى" in quote.text


# --- HTML ----------------------------------------------------------------------------------------


def test_briefing_html_is_self_contained_and_complete(static_map: mapview.SnapshotResult) -> None:
    page = briefing.briefing_html(
        hand_analysis(),
        title="غرف العمليات في ديالى",
        map_png=static_map.path.read_bytes(),
        map_note=static_map.note,
        map_fallback=True,
        styles=STYLES,
        prepared=PREPARED,
    )
    assert "data:image/png;base64," in page
    assert not re.search(r"""(?:src|href)=["']https?:""", page)
    for text in (
        "غرف العمليات في ديالى",
        "samples/hand-made.txt",
        "2024-05-07 09:30 UTC",
        "Joint operations room",
        "17,800",
        "ديالى",
        "Kirkuk",
        ATTRIBUTION,
        "CC BY 3.0 IGO",
        "Static rendering (fallback",
    ):
        assert text in page, text
    assert 'dir="rtl" lang="ar"' in page


def test_write_briefing_html(tmp_path: Path, static_map: mapview.SnapshotResult) -> None:
    result = briefing.write_briefing(
        hand_analysis(), tmp_path / "b.html", fmt="html", snapshot=static_map, styles=STYLES
    )
    assert result.format == "html" and result.map_renderer == "static"
    assert "<html" in result.path.read_text(encoding="utf-8")


def test_bad_format_and_folder_are_errors(tmp_path: Path, static_map: mapview.SnapshotResult) -> None:
    with pytest.raises(ExportError, match="format"):
        briefing.write_briefing(hand_analysis(), tmp_path / "b.docx", fmt="docx", snapshot=static_map)
    with pytest.raises(ExportError, match="does not exist"):
        briefing.write_briefing(hand_analysis(), tmp_path / "no" / "b.pdf", snapshot=static_map)


# --- PDF -----------------------------------------------------------------------------------------


@needs_poppler
def test_pdf_has_arabic_in_logical_order_and_the_attribution(
    tmp_path: Path, static_map: mapview.SnapshotResult
) -> None:
    result = briefing.write_briefing(
        hand_analysis(),
        tmp_path / "b.pdf",
        snapshot=static_map,
        styles=STYLES,
        title="غرف العمليات المشتركة في ديالى",
        prepared=PREPARED,
    )
    assert result.path.read_bytes().startswith(b"%PDF")
    text = _pdftotext(result.path)
    for name in ("ديالى", "كركوك"):
        assert name in text, name  # shaped glyphs map back to the letters, first letter first
        assert name[::-1] not in text
    assert "غرف العمليات المشتركة في ديالى" in text
    assert "Diyala" in text and "Kirkuk" in text and "Joint operations room" in text
    assert ATTRIBUTION in text
    assert "CC BY 3.0 IGO" in text
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.pdf"]


@needs_poppler
def test_pdf_first_page_renders(tmp_path: Path, static_map: mapview.SnapshotResult) -> None:
    result = briefing.write_briefing(hand_analysis(), tmp_path / "b.pdf", snapshot=static_map, styles=STYLES)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(result.path), str(tmp_path / "page")],
        check=True,
    )
    page = np.asarray(Image.open(next(tmp_path.glob("page*.png"))).convert("L"), dtype=np.int16)
    assert page.shape[0] > page.shape[1]  # A4 portrait
    assert page.std() > 20
    assert (page < 128).mean() > 0.01  # text and map, not an empty page


@needs_poppler
def test_pdf_of_an_article_without_places_says_so(tmp_path: Path, static_map: mapview.SnapshotResult) -> None:
    result = briefing.write_briefing(empty_analysis(), tmp_path / "e.pdf", snapshot=static_map, styles=STYLES)
    text = _pdftotext(result.path)
    assert "No places were found in this article" in text
    assert ATTRIBUTION in text


@needs_poppler
@pytest.mark.browser
def test_seed_briefing_pdf(browser: object, seed_analysis: Analysis, tmp_path: Path) -> None:
    result = briefing.write_briefing(seed_analysis, tmp_path / "seed.pdf", timeout_s=60)
    assert result.map_renderer == "chromium", result.note
    text = _pdftotext(result.path)
    for place in seed_analysis.places:
        assert place.name_ar in text, place.name_ar
        assert place.name in text, place.name
    assert ATTRIBUTION in text


# --- the bottom line, the datasets used, each quote once ---------------------------------------------


def _with_geonames_town(analysis: Analysis) -> Analysis:
    """``analysis`` plus Baghdad read from GeoNames, named in a sentence the zone's sentence overlaps."""
    text = analysis.text
    start = text.index("نينوى")
    sentence = Span(text.rfind("\n", 0, start) + 1, len(text) + 0, text[text.rfind("\n", 0, start) + 1 :])
    wider = Span(sentence.start, sentence.end, sentence.text)
    analysis.places.append(
        Place(
            id="gn:98182",
            name="Baghdad",
            name_ar="بغداد",
            kind="city",
            country="IQ",
            lat=33.34,
            lon=44.40,
            confidence=0.9,
            mentions=[Mention(start, start + 5, "نينوى", wider)],
            governorate="Baghdad",
            dataset="geonames",
        )
    )
    belt = analysis.zones[1]
    belt.sentence = Span(belt.sentence.start, belt.sentence.end - 1, belt.sentence.text[:-1])  # one short
    return analysis


def test_bottom_line_says_what_where_when_and_what_to_check() -> None:
    lines = briefingtext.bottom_line(hand_analysis(), STYLES, published="2024-05-03")
    assert 3 <= len(lines) <= 5
    text = " ".join(lines)
    assert lines[0].startswith("The article describes a joint operations room (Diyala) and a security")
    assert "Diyala" in lines[1] and "Kirkuk" in lines[1]
    assert "The article is dated 2024-05-03." in lines
    assert "governorate" in text
    undated = " ".join(briefingtext.bottom_line(hand_analysis(), STYLES))
    assert "gives no full date" in undated
    assert briefingtext.bottom_line(empty_analysis(), STYLES)[0].startswith("No places were found")


def test_dates_and_notes_for_readers() -> None:
    assert briefingtext.as_date(dt.datetime(2024, 5, 3, 7, 0)) == "2024-05-03"
    assert briefingtext.as_date("2024-05-03T07:00:00Z") == "2024-05-03"
    assert briefingtext.as_date("early May 2024") == "early May 2024"
    assert briefingtext.as_date(None) == ""
    note = "6 mentions of 'هجمات' (Attacks) name no place (at 657, 951, 1060 and 1 more); no zone drawn"
    assert briefingtext.reader_note(note) == "6 mentions of 'هجمات' (Attacks) name no place; no zone drawn"
    assert (
        briefingtext.reader_note("no zone for Baghdad; 1 mention at 2448") == "no zone for Baghdad; 1 mention"
    )


def test_used_datasets_follow_the_places_and_zones() -> None:
    known = ["cod_ab_iraq", "cod_ab_syria", "geonames_cities", "iom_dtm", "natural_earth_admin0_10m"]
    analysis = _with_geonames_town(hand_analysis())
    analysis.zones[1].dataset = "cod_ab_iraq@2019-06-03; cod_ab_syria@2020-12-17"
    used = briefingtext.used_datasets(analysis, known, countries_drawn=True)
    assert used == {"cod_ab_iraq", "cod_ab_syria", "geonames_cities", "natural_earth_admin0_10m"}
    assert "geonames_cities" not in briefingtext.used_datasets(hand_analysis(), known)


def test_overlapping_sentences_are_quoted_once() -> None:
    analysis = _with_geonames_town(hand_analysis())
    quotes = briefing.key_quotes(analysis, styles=STYLES)
    belt_quotes = [q for q in quotes if "الفراغات" in q.text]
    assert len(belt_quotes) == 1 and len(quotes) == 2
    assert "Baghdad" in belt_quotes[0].gloss and "Security vacuum belt" in belt_quotes[0].gloss


@needs_poppler
def test_pdf_puts_the_bottom_line_and_dates_first_and_credits_what_it_used(
    tmp_path: Path, static_map: mapview.SnapshotResult
) -> None:
    analysis = _with_geonames_town(hand_analysis())
    analysis.notes = ["2 mentions of 'هجمات' (Attacks) name no place (at 13, 122); no zone drawn"]
    result = briefing.write_briefing(
        analysis,
        tmp_path / "b.pdf",
        snapshot=static_map,
        styles=STYLES,
        prepared=PREPARED,
        published=dt.date(2024, 5, 3),
        title="غرف العمليات في ديالى",
    )
    text = _pdftotext(result.path)
    flat = " ".join(text.split())
    assert "Article date: 2024-05-03" in flat and "Prepared: 2024-05-07 09:30 UTC" in flat
    assert flat.index("Bottom line") < flat.index("Zones") < flat.index("Key quotes")
    assert "The article is dated 2024-05-03." in flat and "joint operations room (Diyala)" in flat
    assert flat.count("غرف العمليات في ديالى") == 1  # the title once: the map has none of its own
    for quote in briefing.key_quotes(analysis, styles=STYLES):
        assert flat.count(" ".join(quote.text.split())[:25]) == 1, quote.text[:25]
    assert "characters" not in flat and "(at 13" not in flat
    geonames = flat[flat.index("GeoNames cities15000") :]
    assert "used here: yes" in geonames[: geonames.index("IOM DTM")]  # the GeoNames town was used
    assert "IOM DTM" in flat[flat.index("Used here: no") :]  # no IOM place: listed among the unused
    assert "Towns: GeoNames (geonames.org), CC BY 4.0" in flat


def _quote(text: str, start: int, end: int) -> briefing.Quote:
    return briefing.Quote(
        start, end, (briefing.Segment("text", text[start:end]),), "Places: Diyala", "rtl", "ar"
    )


def test_distinct_quotes_keep_the_longer_of_overlapping_spans() -> None:
    text = " ".join(f"كلمة{i}" for i in range(300))[:1400]  # no stretch of it repeats
    short, longer, other = _quote(text, 1112, 1318), _quote(text, 1112, 1319), _quote(text, 200, 300)
    kept = briefing.distinct_quotes([short, other, longer])
    assert [(q.start, q.end) for q in kept] == [(200, 300), (1112, 1319)]
    assert briefing.distinct_quotes([longer, short]) == [longer]


def test_distinct_quotes_fold_repeated_text_at_other_offsets() -> None:
    sentence = "وصعد تنظيم داعش من هجماته في ديالى."
    text = f"{sentence}\nنص آخر.\n{sentence}\n"
    second = text.index(sentence, 1)
    trimmed = briefing.Quote(
        second,
        second + len(sentence) - 1,
        (briefing.Segment("text", "… "), briefing.Segment("text", sentence[5:-1])),
        "Places: Diyala",
        "rtl",
        "ar",
    )
    kept = briefing.distinct_quotes([trimmed, _quote(text, 0, len(sentence))])
    assert [q.start for q in kept] == [0]


def test_key_quotes_skip_the_headline_byline_caption_and_tags_and_repeat_nothing() -> None:
    headline = "تصاعد الهجمات في ديالى وكركوك"
    first, second = export_samples.TEXT.split("\n")
    text = "\n".join([headline, "ديالى – كوردستان 24", first, second, "صورة أرشيفية لقوات في ديالى", first])
    text += "\n#ديالى #كركوك"
    analysis = hand_analysis(text=text)
    quotes = briefing.key_quotes(analysis, styles=STYLES, title=headline)
    assert [q.text for q in quotes] == [first, second]
    assert "Sets off: Joint operations room" in quotes[0].gloss
    untitled = briefing.key_quotes(analysis, styles=STYLES)
    assert [q.text for q in untitled] == [headline, first, second]


def test_article_date_comes_from_the_caller_the_dateline_or_the_events() -> None:
    analysis = hand_analysis()
    assert briefingtext.article_date(analysis) == ""
    assert briefingtext.article_date(analysis, dt.date(2024, 5, 3)) == "2024-05-03"
    dated = hand_analysis(text="كركوك، 6 آذار 2021\n" + export_samples.TEXT)
    assert briefingtext.article_date(dated) == "2021-03-06"


@needs_poppler
def test_pdf_quotes_a_repeated_paragraph_once(tmp_path: Path, static_map: mapview.SnapshotResult) -> None:
    first, second = export_samples.TEXT.split("\n")
    analysis = hand_analysis(text="\n".join([first, second, first]))
    result = briefing.write_briefing(analysis, tmp_path / "r.pdf", snapshot=static_map, styles=STYLES)
    flat = " ".join(_pdftotext(result.path).split())
    quotes = flat[flat.index("Key quotes") :]
    assert quotes.count(first[:20]) == 1 and quotes.count(second[:20]) == 1
