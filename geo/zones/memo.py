"""What zone derivation keeps across calls: a bounded cache, and the readings of recent articles.

:class:`BoundedCache` is the thread-safe least-recently-used mapping behind every cache of the
zone stage (constructions and located places in :mod:`geo.zones.build`, readings here).
:func:`read_once` gives an article's triggers and reading (:func:`geo.zones.reading.read_article`),
kept for the last :data:`READINGS_SIZE` articles: both depend on the text, the places and the
rules only.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import fields
from operator import attrgetter
from typing import Any

from geo.model import Place
from geo.text.tokens import Tokens
from geo.zones.reading import ArticleReading, read_article
from geo.zones.rules import ZoneRules
from geo.zones.triggers import Trigger, _tokens, find_triggers

#: Most article readings kept across calls (a cycle through more articles than this misses on every
#: one: bench_zones walks the 76 zone dev articles), and the longest text whose reading is kept (chars).
READINGS_SIZE = 256
READINGS_MAX_CHARS = 200_000


class BoundedCache:
    """A thread-safe mapping that keeps its ``size`` most recently used entries."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._data: OrderedDict[Any, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Any) -> Any:
        with self._lock:
            found = self._data.get(key)
            if found is not None:
                self._data.move_to_end(key)
            return found

    def put(self, key: Any, value: Any) -> None:
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self.size:
                self._data.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()

    def __len__(self) -> int:
        return len(self._data)


_READINGS = BoundedCache(READINGS_SIZE)
_PLACE_FIELDS = attrgetter(*(f.name for f in fields(Place)))


def place_value(place: Place) -> tuple[Any, ...]:
    """Every field of ``place`` as a hashable tuple (lists made tuples)."""
    return tuple([tuple(v) if v.__class__ is list else v for v in _PLACE_FIELDS(place)])


def clear_readings() -> None:
    """Forget the readings kept across calls."""
    _READINGS.clear()


def read_once(
    text: str, places: list[Place], rules: ZoneRules, tokens: Tokens | None
) -> tuple[list[Trigger], ArticleReading | None]:
    """The triggers of ``text`` and its reading (None when it has no trigger).

    Both depend on the text, the places and the rules only, so they are kept for the last
    :data:`READINGS_SIZE` articles of up to :data:`READINGS_MAX_CHARS` characters, keyed by a
    digest of the text, the places' values and the rules object.
    """
    key = None
    if len(text) <= READINGS_MAX_CHARS:
        digest = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()
        key = (digest, len(text), tuple(place_value(p) for p in places), id(rules))
        held = _READINGS.get(key)
        if held is not None and held[0] is rules:
            return held[1], held[2]
    triggers = find_triggers(text, rules=rules, tokens=tokens)
    reading = None
    if triggers:
        tk = _tokens(text, tokens)
        reading = read_article(text, places, rules=rules, tokens=tk, triggers=triggers)
    if key is not None:
        _READINGS.put(key, (rules, triggers, reading))
    return triggers, reading
