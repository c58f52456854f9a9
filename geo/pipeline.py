"""One call from article text to places and zones: the pipeline the CLI, dashboard and exports share.

:func:`analyze` is the recipe: detect the language, read the text once into tokens
(:func:`geo.text.tokens.tokenize`), resolve the places on them (:func:`geo.text.resolve.geoparse`),
drop those below the analyst's confidence threshold, derive the zones, whose triggers are read from
the same tokens (:func:`geo.zones.derivation.derive`), and write down for the analyst what could
not be drawn: trigger phrases that name no place (one note per zone kind, however often the text
repeats them) and places a zone could not be built from, with the reason.

Examples
--------
>>> from geo.pipeline import Settings, analyze  # doctest: +SKIP
>>> text = open("data/samples/article-000.txt", encoding="utf-8").read()  # doctest: +SKIP
>>> analysis = analyze(text, source="article-000", settings=Settings(belt_km=30))  # doctest: +SKIP
>>> analysis.notes[1]  # doctest: +SKIP
"4 mentions of 'هجمات' (Attacks) name no place (at 951, 1711, 2113, 2504); no zone drawn"
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from geo import config
from geo.model import Analysis

if TYPE_CHECKING:
    from geo.zones.build import SkippedPlace
    from geo.zones.triggers import Trigger

#: Offsets a grouped note lists before "and N more".
NOTE_OFFSETS = 5
#: Distinct trigger phrases a grouped note quotes before "...".
NOTE_PHRASES = 3


@dataclass(frozen=True)
class Settings:
    """What the text leaves open and the analyst chooses (the dashboard's controls, the CLI's flags)."""

    belt_km: float = field(default_factory=config.belt_km)
    belt_side: str = "federal"  # "federal" or "both"
    min_confidence: float = 0.0


_SURROGATE = re.compile("[\ud800-\udfff]")


def well_formed(text: str) -> str:
    """``text`` with each lone surrogate (no character, and not encodable) replaced by U+FFFD.

    One code point for one, so every offset into the result is an offset into ``text``.

    >>> well_formed("\\u064e\\ud800x") == "\\u064e\\ufffdx"
    True
    """
    return _SURROGATE.sub("\ufffd", text)


def analyze(text: str, source: str = "pasted text", settings: Settings | None = None) -> Analysis:
    """Extract and resolve the places of ``text``, then derive the zones it describes.

    Places below ``settings.min_confidence`` are dropped before zones are derived. ``notes`` tell
    the analyst what was left out and why; ``unanchored_triggers`` lists every trigger phrase
    that names no place (the notes group them by zone kind). Any ``str`` is accepted: lone
    surrogates become U+FFFD (:func:`well_formed`), one for one, so offsets are unchanged.
    """
    from geo.events.extract import extract_events
    from geo.text.reading import detect_language
    from geo.text.resolve import geoparse
    from geo.text.tokens import tokenize
    from geo.zones.derivation import derive, excluded_notes
    from geo.zones.rules import load_rules

    settings = settings or Settings()
    text = well_formed(text)
    lang = detect_language(text)
    tokens = tokenize(text)  # read once: place extraction and the zone triggers share the words
    places = [p for p in geoparse(text, tokens=tokens) if p.confidence >= settings.min_confidence]
    notes: list[str] = []
    if lang == "und":
        notes.append("language not recognised; extraction is best effort")
    if not places:
        notes.append("no places found in the text")
    rules = load_rules()
    result = derive(
        text, places, belt_km=settings.belt_km, belt_side=settings.belt_side, rules=rules, tokens=tokens
    )
    labels = {kind: rule.label for kind, rule in rules.kinds.items()}
    notes += unanchored_notes(result.unanchored_triggers, labels)
    notes += skipped_notes(result.skipped, labels)
    notes += excluded_notes(result.excluded, labels)
    analysis = Analysis(
        source=source,
        text=text,
        lang=lang,
        places=places,
        zones=result.zones,
        notes=notes,
        unanchored_triggers=list(result.unanchored),
    )
    analysis.events = extract_events(analysis, tokens=tokens)  # incidents: date, place, type, actors
    return analysis


def unanchored_notes(triggers: Iterable[Trigger], labels: dict[str, str]) -> list[str]:
    """One note per zone kind for the trigger phrases that name no place.

    >>> from geo.model import Span
    >>> from geo.zones.triggers import Trigger
    >>> t = [Trigger("attack_area", Span(s, s + 7, "attacks"), Span(0, 9, "")) for s in (120, 560)]
    >>> unanchored_notes(t, {"attack_area": "Attacks"})
    ["2 mentions of 'attacks' (Attacks) name no place (at 120, 560); no zone drawn"]
    """
    by_kind: dict[str, list[Trigger]] = {}
    for t in sorted(triggers, key=lambda t: t.span.start):
        by_kind.setdefault(t.kind, []).append(t)
    notes = []
    for kind, group in by_kind.items():
        n = len(group)
        phrases = list(dict.fromkeys(t.span.text for t in group))
        quoted = ", ".join(repr(p) for p in phrases[:NOTE_PHRASES]) + (
            ", ..." if len(phrases) > NOTE_PHRASES else ""
        )
        verb = "names" if n == 1 else "name"
        notes.append(
            f"{_mentions(n)} of {quoted} ({labels.get(kind, kind)}) {verb} no place "
            f"(at {_offsets([t.span.start for t in group])}); no zone drawn"
        )
    return notes


def skipped_notes(skipped: Iterable[SkippedPlace], labels: dict[str, str]) -> list[str]:
    """One note per zone kind, place and reason for the places no zone could be built from.

    >>> from geo.model import Span
    >>> from geo.zones.build import SkippedPlace
    >>> s = [SkippedPlace("attack_area", Span(9, 16, "attacks"), "gn:1", "Tehran", "outside Iraq")]
    >>> skipped_notes(s, {"attack_area": "Attacks"})
    ['Attacks: no zone for Tehran (outside Iraq); 1 mention at 9']
    """
    groups: dict[tuple[str, str, str, str], set[int]] = {}
    for s in skipped:
        groups.setdefault((s.kind, s.place_id, s.name, s.reason), set()).add(s.trigger.start)
    return [
        f"{labels.get(kind, kind)}: no zone for {name} ({reason}); {_mentions(len(starts))} "
        f"at {_offsets(sorted(starts))}"
        for (kind, _place_id, name, reason), starts in groups.items()
    ]


def _mentions(n: int) -> str:
    return f"{n} mention" if n == 1 else f"{n} mentions"


def _offsets(starts: list[int]) -> str:
    shown = ", ".join(str(s) for s in starts[:NOTE_OFFSETS])
    more = len(starts) - NOTE_OFFSETS
    return shown + (f" and {more} more" if more > 0 else "")
