"""Event types: the vocabulary of ``data/event_rules.toml`` and the triggers it finds in a sentence.

Three families: ``attack`` (suicide_bombing, ied, air_drone_strike, shelling_rocket,
assassination, ambush, armed_assault), ``security_arrangement`` (operations_room, joint_force,
redeployment) and ``displacement``. Within one sentence and family, the type listed first in the
family's ``order`` wins; a family's ``generic`` words (``attacks``, ``هجمات``) name it without an
incident (:attr:`Trigger.generic`); a type's ``weak`` words (``explosion``) need a toll or a place
(:attr:`Trigger.weak`).

Examples
--------
>>> from geo.text.tokens import tokenize
>>> toks = tokenize("A suicide bomber blew himself up at a checkpoint; an IED then exploded.")
>>> [(t.type, t.span.text) for t in load_event_rules().triggers(toks, 0, len(toks))]
[('suicide_bombing', 'suicide bomber'), ('suicide_bombing', 'blew himself up'), ('ied', 'IED')]
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from geo.errors import RulesError
from geo.events.phrases import PhraseSet
from geo.model import Span
from geo.text.tokens import Tokens
from geo.zones.tomlfile import DATA_DIR, read_toml, stat_key

__all__ = ["EVENT_TYPES", "FAMILIES", "EventRules", "Trigger", "family_of", "load_event_rules"]

RULES_PATH = DATA_DIR / "event_rules.toml"

#: Every family and its types, in priority order (the contract of ``Event.type``).
FAMILIES: dict[str, tuple[str, ...]] = {
    "attack": (
        "suicide_bombing",
        "ied",
        "air_drone_strike",
        "shelling_rocket",
        "assassination",
        "ambush",
        "armed_assault",
    ),
    "security_arrangement": ("operations_room", "joint_force", "redeployment"),
    "displacement": ("displacement",),
}
EVENT_TYPES = tuple(t for types in FAMILIES.values() for t in types)
_LANGS = ("en", "ar", "ckb")


def family_of(event_type: str) -> str:
    """The family of an event type (``"ied"`` -> ``"attack"``).

    Raises
    ------
    RulesError
        When ``event_type`` is none of :data:`EVENT_TYPES`.
    """
    for family, types in FAMILIES.items():
        if event_type in types:
            return family
    msg = f"unknown event type {event_type!r}: expected one of {', '.join(EVENT_TYPES)}"
    raise RulesError(msg)


@dataclass(frozen=True)
class Trigger:
    """A phrase that makes a sentence report an event of ``type`` (``generic``: a trend word)."""

    type: str
    family: str
    span: Span
    first: int
    last: int
    generic: bool = False
    weak: bool = False


@dataclass(frozen=True)
class EventRules:
    """The parsed ``data/event_rules.toml``: labels and the phrases of every type."""

    labels: dict[str, str]
    phrases: PhraseSet
    rank: dict[str, int]

    def triggers(self, tokens: Tokens, first: int, last: int) -> list[Trigger]:
        """The triggers among tokens ``first`` .. ``last - 1``, in text order."""
        out = []
        for m in self.phrases.find(tokens, first, last):
            generic = m.value.startswith("generic:")
            weak = m.value.startswith("weak:")
            kind = m.value.split(":", 1)[1] if generic or weak else m.value
            family = kind if generic else family_of(kind)
            out.append(
                Trigger(
                    type=kind if not generic else FAMILIES[family][-1],
                    family=family,
                    span=Span(m.start, m.end, tokens.text[m.start : m.end]),
                    first=m.first,
                    last=m.last,
                    generic=generic,
                    weak=weak,
                )
            )
        return out


@lru_cache(maxsize=4)
def _load(path: Path, _key: tuple[str, int, int]) -> EventRules:
    doc, where = read_toml(path)
    families = doc.get("families")
    if not isinstance(families, dict):
        raise where.error("expected a [families.*] table for each event family, found none", "families")
    pairs: list[tuple[str, str]] = []
    labels: dict[str, str] = {}
    for family, body in families.items():
        if family not in FAMILIES:
            msg = f"unknown event family {family!r}: expected one of {', '.join(FAMILIES)}"
            raise where.error(msg, f"families.{family}")
        for phrase in body.get("generic", []):
            pairs.append((phrase, f"generic:{family}"))
        for kind, spec in body.get("types", {}).items():
            if kind not in FAMILIES[family]:
                msg = f"unknown type {kind!r} in family {family!r}: expected one of {FAMILIES[family]}"
                raise where.error(msg, f"families.{family}.types.{kind}")
            labels[kind] = str(spec.get("label", kind))
            pairs += [(w, f"weak:{kind}") for w in spec.get("weak", [])]
            for lang in _LANGS:
                words = spec.get(lang, [])
                if not isinstance(words, list) or not all(isinstance(w, str) for w in words):
                    msg = f"expected a list of phrases for {lang!r}, found {words!r}"
                    raise where.error(msg, f"families.{family}.types.{kind}", lang)
                pairs += [(w, kind) for w in words]
    rank = {kind: i for i, kind in enumerate(EVENT_TYPES)}
    return EventRules(labels=labels, phrases=PhraseSet(pairs), rank=rank)


def load_event_rules(path: Path | None = None) -> EventRules:
    """The event vocabulary (default ``data/event_rules.toml``), read again when the file changes.

    Raises
    ------
    RulesError
        When the file is missing, malformed, or names an unknown family or type.
    """
    path = path or RULES_PATH
    return _load(path, stat_key(path))
