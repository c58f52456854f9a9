"""One call from article text to places and zones: the pipeline the CLI, dashboard and exports share."""

from __future__ import annotations

from dataclasses import dataclass

from geo.model import Analysis


@dataclass(frozen=True)
class Settings:
    """What the text leaves open and the analyst chooses (the dashboard's controls, the CLI's flags)."""

    belt_km: float = 20.0
    belt_side: str = "federal"  # "federal" or "both"
    min_confidence: float = 0.0


def analyze(text: str, source: str = "pasted text", settings: Settings | None = None) -> Analysis:
    """Extract and resolve the places of ``text``, then derive the zones it describes.

    Places below ``settings.min_confidence`` are dropped before zones are derived.
    """
    from geo.resolve import geoparse
    from geo.textio import detect_language
    from geo.zones import derive_zones

    settings = settings or Settings()
    lang = detect_language(text)
    places = [p for p in geoparse(text) if p.confidence >= settings.min_confidence]
    notes: list[str] = []
    if lang == "und":
        notes.append("language not recognised; extraction is best effort")
    if not places:
        notes.append("no places found in the text")
    zones, unanchored = derive_zones(text, places, belt_km=settings.belt_km, belt_side=settings.belt_side)
    for span in unanchored:
        notes.append(f"zone trigger {span.text!r} at {span.start}-{span.end} names no place; no zone drawn")
    return Analysis(
        source=source, text=text, lang=lang, places=places, zones=zones, notes=notes,
        unanchored_triggers=list(unanchored),
    )
