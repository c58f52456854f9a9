"""The actor table (``data/actors.toml``) and the actors a stretch of text names.

Each actor (``isis``, ``peshmerga``, ``iraqi_army``, ``pmf``, ``turkish_forces``, ``iranian_forces``,
``pkk``, ``tribal_forces``, ``cts``, ``federal_police``) has English, Arabic and Sorani names, each
with the source where the form is attested. Names are matched on the shared tokens
(:class:`geo.events.phrases.PhraseSet`): folded, proclitics off, the longest name winning.

Examples
--------
>>> from geo.text.tokens import tokenize
>>> toks = tokenize("هاجم عناصر من “داعش” نقطة للحشد الشعبي")
>>> [a for a, _ in load_actors().find(toks, 0, len(toks))]
['isis', 'pmf']
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from geo.events.phrases import PhraseSet
from geo.model import Span
from geo.text.normalize import fold
from geo.text.tokens import Tokens, readings
from geo.zones.tomlfile import DATA_DIR, read_toml, stat_key

__all__ = ["Actor", "ActorTable", "load_actors"]

ACTORS_PATH = DATA_DIR / "actors.toml"
_LANGS = ("en", "ar", "ckb")


@dataclass(frozen=True)
class Actor:
    """One actor: id, labels, kind, and its names as ``(name, lang, source)``."""

    id: str
    label: str
    label_ar: str
    kind: str
    names: tuple[tuple[str, str, str], ...]


@dataclass(frozen=True)
class ActorTable:
    """Every actor of the table, and the matcher over all their names."""

    actors: dict[str, Actor]
    phrases: PhraseSet

    def find(self, tokens: Tokens, first: int, last: int) -> list[tuple[str, Span]]:
        """``(actor id, span)`` for each actor name among tokens ``first`` .. ``last - 1``.

        A name that follows a source phrase ("according to the police", "بحسب مصدر في الشرطة",
        "وفقا لبيان صادر عن ...") is who reports the event, not a party to it: it is left out.
        """
        return [
            (m.value, Span(m.start, m.end, tokens.text[m.start : m.end]))
            for m in self.phrases.find(tokens, first, last)
            if not _after_source(tokens, m.first, first)
        ]


#: Words that, within :data:`SOURCE_REACH` tokens before an actor's name, make it the source.
_SOURCES = (
    "according,statement,spokesman,spokesperson,بحسب,حسب,وفقا,وفق,لبيان,بيان,مصدر,صادر,نقلا,المتحدث,بەپێی"
)
SOURCE_WORDS = frozenset(fold(w) for w in _SOURCES.split(","))
SOURCE_REACH = 3


def _after_source(tokens: Tokens, k: int, first: int) -> bool:
    return any(
        r in SOURCE_WORDS for j in range(max(first, k - SOURCE_REACH), k) for r in readings(tokens.keys[j])
    )


@lru_cache(maxsize=4)
def _load(path: Path, _key: tuple[str, int, int]) -> ActorTable:
    doc, where = read_toml(path)
    table = doc.get("actors")
    if not isinstance(table, dict) or not table:
        raise where.error("expected [actors.<id>] tables, found none", "actors")
    actors: dict[str, Actor] = {}
    pairs: list[tuple[str, str]] = []
    for actor_id, body in table.items():
        names = []
        for i, entry in enumerate(body.get("names", [])):
            ok = isinstance(entry, dict) and isinstance(entry.get("name"), str) and entry["name"].strip()
            if not ok or entry.get("lang") not in _LANGS or not str(entry.get("source", "")).strip():
                msg = (
                    f"actor {actor_id!r}, name {i + 1}: expected {{name, lang (one of "
                    f"{', '.join(_LANGS)}), source}}, found {entry!r}"
                )
                raise where.error(msg, f"actors.{actor_id}", "names")
            names.append((entry["name"], entry["lang"], entry["source"]))
            pairs.append((entry["name"], actor_id))
        if not names:
            raise where.error(f"actor {actor_id!r} has no names", f"actors.{actor_id}")
        actors[actor_id] = Actor(
            id=actor_id,
            label=str(body.get("label", actor_id)),
            label_ar=str(body.get("label_ar", "")),
            kind=str(body.get("kind", "")),
            names=tuple(names),
        )
    return ActorTable(actors=actors, phrases=PhraseSet(pairs))


def load_actors(path: Path | None = None) -> ActorTable:
    """The actor table (default ``data/actors.toml``), read again when the file changes.

    Raises
    ------
    RulesError
        When the file is missing or malformed (a name without language or source, an empty actor).
    """
    path = path or ACTORS_PATH
    return _load(path, stat_key(path))
