"""geo.render.highlight, article, popups, tables: escaped article HTML, quotes, popups and table rows."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

import pytest
from sample_analysis import STYLES, TEXT, XSS_NAME, make_analysis, make_hostile_analysis

from geo.model import Analysis, Mention, Span, Zone
from geo.render import article, highlight, popups, tables


class _Collect(HTMLParser):
    """Records tags, attributes and text of an HTML fragment."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parse(fragment: str) -> _Collect:
    parser = _Collect()
    parser.feed(fragment)
    parser.close()
    return parser


def _without_style(fragment: str) -> str:
    return re.sub(r"<style>.*?</style>", "", fragment, flags=re.DOTALL)


def test_escape_covers_html_and_template_literals() -> None:
    out = highlight.escape("<b>`${x}`</b> \\ 'q' \"d\" &")
    assert "<" not in out and ">" not in out and "`" not in out and "$" not in out and "\\" not in out
    assert "{" not in out and "'" not in out and '"' not in out
    assert html.unescape(out) == "<b>`${x}`</b> \\ 'q' \"d\" &"


def test_article_text_round_trips_exactly() -> None:
    analysis = make_analysis()
    out = article.article_html(analysis, styles=STYLES, with_css=False)
    assert "".join(_parse(out).text) == TEXT


def test_every_mention_and_trigger_is_marked() -> None:
    analysis = make_analysis()
    out = _without_style(article.article_html(analysis, styles=STYLES))
    spans = [a for tag, a in _parse(out).tags if tag == "span"]
    mention_refs = [a.get("data-ref", "") for a in spans if "za-mention" in (a.get("class") or "")]
    # Baghdad 2x, Diyala 2x, Kirkuk 1x
    assert sorted(r.split()[0] for r in mention_refs) == ["P0", "P0", "P1", "P1", "P2"]
    triggers = [a for a in spans if "za-trigger" in (a.get("class") or "")]
    assert {t["data-ref"] for t in triggers} == {"Z0 Z1", "Z2"}
    assert all("--za-t:#" in t["style"] for t in triggers)
    modifiers = [a for a in spans if "za-modifier" in (a.get("class") or "")]
    assert len(modifiers) == 1 and "--za-c:#d55e00" in modifiers[0]["style"]


def test_mention_colour_is_the_place_kind_colour() -> None:
    out = article.article_html(make_analysis(), styles=STYLES)
    assert f"--za-c:{highlight.PLACE_COLOURS['governorate']}" in out
    assert f"--za-c:{highlight.PLACE_COLOURS['city']}" in out


def test_sentence_anchors_and_selection() -> None:
    analysis = make_analysis()
    ref = "P1"  # Diyala: two sentences
    out = article.article_html(analysis, styles=STYLES, selected=ref)
    sentences = article.sentences_of(analysis, ref)
    assert len(sentences) == 2
    for s in sentences:
        assert f'id="{highlight.sentence_id(s)}"' in out
    tags = _parse(_without_style(out)).tags
    selected = [a for _, a in tags if "za-selected" in (a.get("class") or "")]
    assert len(selected) == 2 and all("P1" in a["data-ref"] for a in selected)
    focus_text = "".join(TEXT[s.start : s.end] for s in sentences)
    assert "ديالى" in focus_text and "za-focus" in out
    first = analysis.places[1].mentions[0].start
    assert highlight.focus_id(analysis, ref) == highlight.mark_id(first) == f"za-m-{first}"
    assert f'id="za-m-{first}"' in out
    trigger = analysis.zones[2].trigger.start
    assert highlight.focus_id(analysis, "Z2") == f"za-m-{trigger}"
    assert f'id="za-m-{trigger}"' in article.article_html(analysis, selected="Z2")
    assert highlight.focus_id(analysis, None) is None


def test_direction_follows_language_and_script() -> None:
    analysis = make_analysis()
    assert 'dir="rtl"' in article.article_html(analysis)
    english = Analysis(source="x", text="An attack near Kirkuk.", lang="en", places=[])
    assert 'dir="ltr"' in article.article_html(english)
    assert highlight.text_direction("هجوم في كركوك", "und") == "rtl"
    assert highlight.text_direction("attack in Kirkuk", None) == "ltr"


@pytest.mark.parametrize("selected", [None, "P0", "Z0"])
def test_hostile_text_never_becomes_markup(selected: str | None) -> None:
    analysis = make_hostile_analysis()
    out = _without_style(article.article_html(analysis, styles=STYLES, selected=selected))
    parsed = _parse(out)
    assert {tag for tag, _ in parsed.tags} <= {"div", "span"}
    for _, attrs in parsed.tags:
        assert not any(k.startswith("on") or k in ("href", "src") for k in attrs)
    assert "".join(parsed.text) == analysis.text  # every payload is shown as text
    assert "`" not in out and "$" not in out


def test_popups_and_tooltips_escape_names_and_text() -> None:
    analysis = make_hostile_analysis()
    pieces = [
        popups.place_popup_html(analysis, 0),
        popups.place_tooltip(analysis, 0),
        popups.zone_popup_html(analysis, 0, STYLES, {"<svg onload=alert(1)>": "<svg onload=alert(1)>"}),
        popups.zone_tooltip(analysis, 0, STYLES),
    ]
    for piece in pieces:
        parsed = _parse(piece)
        assert {tag for tag, _ in parsed.tags} <= {
            "div",
            "b",
            "table",
            "tr",
            "th",
            "td",
            "blockquote",
            "mark",
            "small",
        }
        assert "`" not in piece and "${" not in piece and "</script" not in piece.lower()
        for _, attrs in parsed.tags:
            assert not any(k.startswith("on") for k in attrs)
    assert XSS_NAME in html.unescape(pieces[0])  # shown as text, not dropped


def test_popup_quotes_the_sentence_with_the_mention_marked() -> None:
    analysis = make_analysis()
    popup = popups.place_popup_html(analysis, 2)  # Kirkuk, low confidence
    assert popup.count("<mark>كركوك</mark>") == 1
    assert "(review)" in popup and "IQG13" in popup
    assert highlight.parse_ref(html.unescape(re.sub(r"<[^>]+>", " ", popup))) == "P2"


def test_long_sentences_are_cut_around_the_mark() -> None:
    text = "كلمة " * 200 + "كركوك" + " كلمة" * 200
    start = text.index("كركوك")
    sentence = highlight.Span(0, len(text), text)
    quote = article.quote_html(text, sentence, [(start, start + 5)], max_chars=100)
    assert "<mark>كركوك</mark>" in quote and quote.count("…") == 2
    assert len(html.unescape(re.sub(r"<[^>]+>", "", quote))) < 120


def test_long_zone_sentences_are_cut_around_the_trigger() -> None:
    text = "ومخمور " + "كلمة " * 150 + "المتنازع عليها" + " كلمة" * 20
    trigger = text.index("المتنازع عليها")
    analysis = Analysis(
        source="x",
        text=text,
        lang="ar",
        places=[],
        zones=[
            Zone(
                "z",
                "disputed_territories",
                "Disputed",
                "",
                [],
                Span(trigger, trigger + 14, "المتنازع عليها"),
                Span(0, len(text), text),
                "unit_list",
                {},
                None,
                "test",
            ),
        ],
    )
    quote = article.selection_html(analysis, "Z0", max_chars=200)
    assert "<mark>المتنازع عليها</mark>" in quote and "ومخمور" not in quote


def test_refs_parse_and_resolve() -> None:
    analysis = make_analysis()
    assert highlight.parse_ref("P2 · place\nKirkuk") == "P2"
    assert highlight.parse_ref("  Z10 · zone") == "Z10"
    assert highlight.parse_ref("Governorate Diyala IQG10") is None
    assert highlight.parse_ref(None) is None
    assert highlight.resolve_ref(analysis, "P1").name == "Diyala"
    assert highlight.resolve_ref(analysis, "Z2").kind == "attack_area"
    assert highlight.resolve_ref(analysis, "P9") is None


def test_place_rows_flag_low_confidence() -> None:
    rows = tables.place_rows(make_analysis())
    assert [r["name"] for r in rows] == ["Baghdad", "Diyala", "Kirkuk"]
    assert [r["mentions"] for r in rows] == [2, 2, 1]
    assert [r["review"] for r in rows] == [False, False, True]
    assert rows[1]["pcode"] == "IQG10" and rows[1]["governorate"] == "Diyala"


def test_zone_rows_name_covered_districts() -> None:
    names = {"IQG10Q01": "Al-Khalis", "IQG10Q02": "Al-Muqdadiya"}
    rows = tables.zone_rows(make_analysis(), styles=STYLES, unit_names=names)
    assert rows[0]["kind"] == "Joint operations room"
    assert rows[0]["covered_districts"] == "Al-Khalis, Al-Muqdadiya" and rows[0]["districts"] == 2
    assert rows[2]["area_km2"] == 6200.0 and rows[2]["trigger"] == "الهجمات"


def test_zone_style_reads_rule_keys_and_refuses_bad_values() -> None:
    style = highlight.zone_style("security_vacuum", STYLES)
    assert (style.colour, style.fill_colour, style.dash) == ("#c0392b", "#e74c3c", "6 4")
    bad = highlight.zone_style(
        "x", {"x": {"color": "red;background:url(x)", "dash": "1;x", "fill_opacity": "?"}}
    )
    assert bad.colour.startswith("#") and ";" not in bad.colour and bad.dash == "" and bad.fill_opacity == 0.2
    assert highlight.zone_style("unknown_kind").label == "Unknown kind"


def test_spans_outside_the_text_are_ignored() -> None:
    analysis = make_analysis()
    analysis.text = analysis.text[:20]  # offsets now point past the end
    out = article.article_html(analysis, styles=STYLES, with_css=False)
    assert "".join(_parse(out).text) == analysis.text


def test_every_occurrence_of_a_merged_zone_is_marked() -> None:
    analysis = make_analysis()
    zone = analysis.zones[2]
    other = Span(0, 5, TEXT[0:5])
    zone.occurrences = [zone.trigger, other]
    out = _without_style(article.article_html(analysis, styles=STYLES))
    triggers = [a for tag, a in _parse(out).tags if tag == "span" and "za-trigger" in (a.get("class") or "")]
    assert [t["data-ref"] for t in triggers].count("Z2") == 2
    marks = [m for m in article.marks_of(analysis, STYLES) if m.role == "trigger" and m.refs == ("Z2",)]
    assert {(m.start, m.end) for m in marks} == {(zone.trigger.start, zone.trigger.end), (0, 5)}
    assert [m.sentence for m in marks if (m.start, m.end) == (0, 5)] == [None]


# --- popups in the analyst's words ------------------------------------------------------------------


def _text(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", fragment))


def test_place_popup_says_how_sure_and_why() -> None:
    analysis = make_analysis()
    popup = _text(popups.place_popup_html(analysis, 0))  # Baghdad, two mentions, "around"
    for needle in (
        "Baghdad",
        "بغداد",
        "city",
        "Governorate",
        "Confidence",
        "0.95 (high)",
        "Why",
        "Named 2 times",
        "GeoNames",
    ):
        assert needle in popup, needle
    assert "“around”" in popup  # the spatial word the text used
    kirkuk = _text(popups.place_popup_html(analysis, 2))
    assert "0.35 (low)" in kirkuk and "(review)" in kirkuk
    analysis.places[1].reason = "the governorate named with its seat"  # type: ignore[attr-defined]
    assert "the governorate named with its seat" in _text(popups.place_popup_html(analysis, 1))


def test_zone_popup_has_no_construction_parameters() -> None:
    analysis = make_analysis()
    for j in range(len(analysis.zones)):
        popup = _text(popups.zone_popup_html(analysis, j, STYLES, {"IQG10Q01": "Al-Khalis"}))
        for needle in (
            "Built as",
            "seat_and_area",
            "modified_area",
            "point_area_level",
            "ring_inner_km",
            "cod_ab_iraq@",
            "Boundaries",
        ):
            assert needle not in popup, (j, needle)
    diyala = _text(popups.zone_popup_html(analysis, 0, STYLES, {"IQG10Q01": "Al-Khalis"}))
    assert "Places" in diyala and "Diyala" in diyala and "Al-Khalis" in diyala and "17,685 km²" in diyala
    assert "Why here" not in diyala
    analysis.zones[0].reason = "the room is said to be in Diyala"  # type: ignore[attr-defined]
    analysis.zones[0].confidence = 0.8  # type: ignore[attr-defined]
    reasoned = _text(popups.zone_popup_html(analysis, 0, STYLES))
    assert (
        "Why here" in reasoned
        and "the room is said to be in Diyala" in reasoned
        and "0.80 (medium)" in reasoned
    )


def test_popup_quotes_are_trimmed() -> None:
    text = "كلمة " * 120 + "في كركوك" + " كلمة" * 120
    start = text.index("كركوك")
    sentence = Span(0, len(text), text)
    place = make_analysis().places[2]
    place.mentions = [Mention(start, start + 5, "كركوك", sentence)]
    analysis = Analysis(source="t", text=text, lang="ar", places=[place])
    quote = _text(popups.place_popup_html(analysis, 0)).split("Why")[1]
    assert "كركوك" in quote and len(quote) < popups.POPUP_QUOTE_CHARS + 120


def test_zone_details_keep_the_construction_for_the_table() -> None:
    rows = tables.zone_details(make_analysis())
    assert [r["construction"] for r in rows] == ["seat_and_area", "seat_and_area", "modified_area"]
    assert rows[2]["parameters"] == "ring_inner_km = 15; ring_outer_km = 50"
    assert rows[0]["dataset"] == "cod_ab_iraq@2019-06-03" and rows[0]["reason"] == ""
