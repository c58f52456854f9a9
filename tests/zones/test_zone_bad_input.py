"""Bad input for zone reading: triggers at the very end, nested quotes and brackets, floods of
triggers without places, and the notes that say what was not drawn and why.

The time bounds for the large inputs are checked by tests/benchmarks/bench_zone_bad_input.py.
"""

from __future__ import annotations

from geo.pipeline import unanchored_notes
from geo.zones.derivation import derive, excluded_notes
from geo.zones.rules import load_rules
from tests.zones.test_zone_triggers import gov, ids, mention_places

LABELS = {kind: rule.label for kind, rule in load_rules().kinds.items()}


def test_an_english_trigger_as_the_last_word_names_no_place_and_says_so() -> None:
    text = "Diyala held its book fair on Friday. Officials warned of attacks"
    result = derive(text, mention_places(text, [("Diyala", gov("Diyala"))]))
    assert result.zones == []
    (note,) = unanchored_notes(result.unanchored_triggers, LABELS)
    assert "'attacks'" in note and "no zone drawn" in note and str(text.index("attacks")) in note


def test_an_arabic_trigger_as_the_last_word_takes_the_place_just_before_it() -> None:
    text = "وفي ديالى، هجمات"
    result = derive(text, mention_places(text, [("ديالى", gov("Diyala"))]))
    assert ids(result.zones) == {"attack_area:IQG10"}
    assert "just before" in result.zones[0].reason


def test_nested_quote_marks_around_a_group_name_keep_the_place_attached() -> None:
    text = "تصاعدت هجمات «“\"داعش\"”» و'«الخلايا»' في ديالى وكركوك"
    places = mention_places(text, [("ديالى", gov("Diyala")), ("كركوك", gov("Kirkuk"))])
    assert ids(derive(text, places).zones) == {"attack_area:IQG10", "attack_area:IQG13"}


def test_nested_brackets_cut_the_clause_and_the_note_says_the_trigger_named_no_place() -> None:
    text = "هجمات ((([[«داعش»]]))) ثم ديالى"
    result = derive(text, mention_places(text, [("ديالى", gov("Diyala"))]))
    assert result.zones == []
    (note,) = unanchored_notes(result.unanchored_triggers, LABELS)
    assert "'هجمات'" in note and "no zone drawn" in note


def test_hundreds_of_placeless_triggers_make_one_short_note_per_kind() -> None:
    text = "Officials warned of attacks. " * 300 + "Rockets hit Kirkuk."
    result = derive(text, mention_places(text, [("Kirkuk", gov("Kirkuk"))]))
    assert ids(result.zones) == {"attack_area:IQG13"}
    (note,) = unanchored_notes(result.unanchored_triggers, LABELS)
    assert note.startswith("300 mentions of 'attacks'") and "more" in note and len(note) < 300


def test_cancelled_triggers_are_noted_with_the_word_that_cancelled_them() -> None:
    text = "ژووری ئۆپەراسیۆنی نەخۆشخانەی کەرکووک کرایەوە"
    result = derive(text, mention_places(text, [("کەرکووک", gov("Kirkuk"))]))
    assert result.zones == []
    (note,) = excluded_notes(result.excluded, LABELS)
    assert "not drawn" in note and "نەخۆشخانە" in note
