"""The gazetteer's two classes: :class:`Entry` (one place) and :class:`Gazetteer` (names -> entries).

They are built by :mod:`geo.data.gazetteer_build` and loaded (from the cache, or built) by
:mod:`geo.data.gazetteer`, which is where callers import them from.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from geo.model import Candidate
from geo.text.normalize import fold

#: Kinds ordered from largest to smallest, the order used when several entries share a name.
KIND_ORDER = (
    "country",
    "region",
    "governorate",
    "district",
    "city",
    "town",
    "subdistrict",
    "village",
    "other",
)


@dataclass(frozen=True, slots=True)
class Entry:
    """One place in the gazetteer.

    ``level``: 0 country, 1 governorate, 2 district, 3 sub-district, 4 populated place, 5 DTM
    location, -1 region. ``strength``: ``"strong"`` (taken on its name alone), ``"foreign"``
    (a smaller place abroad: needs its country in the article), ``"cue"`` (needs a cue word).
    ``district_pcode``/``subdistrict_pcode`` locate points inside the admin hierarchy.
    """

    id: str
    name: str
    name_ar: str
    kind: str
    country: str
    lat: float
    lon: float
    level: int
    pcode: str | None = None
    governorate: str | None = None
    governorate_pcode: str | None = None
    district_pcode: str | None = None
    subdistrict_pcode: str | None = None
    population: int = 0
    dataset: str = ""
    strength: str = "strong"
    vague: bool = False
    members: tuple[str, ...] = ()

    def contains(self, other: Entry) -> bool:
        """Whether ``other`` lies inside this entry's admin unit (or country, or region)."""
        if self.id == other.id:
            return False
        if self.kind == "country":
            return other.country == self.country
        if self.members:
            codes = (other.pcode, other.governorate_pcode, other.district_pcode, other.subdistrict_pcode)
            return any(c in self.members for c in codes if c)
        if self.pcode is None:
            return False
        return self.pcode in (other.governorate_pcode, other.district_pcode, other.subdistrict_pcode) and (
            other.pcode != self.pcode
        )

    def to_candidate(self, score: float = 0.0) -> Candidate:
        return Candidate(
            id=self.id,
            name=self.name,
            name_ar=self.name_ar,
            kind=self.kind,
            country=self.country,
            lat=self.lat,
            lon=self.lon,
            pcode=self.pcode,
            governorate=self.governorate,
            governorate_pcode=self.governorate_pcode,
            population=self.population,
            dataset=self.dataset,
            score=round(score, 4),
        )


@dataclass
class Gazetteer:
    """Names -> entries. ``index`` maps a folded name (see :func:`geo.text.normalize.fold`) to entry
    positions; ``first_tokens`` maps the first token of every indexed name to the longest name
    (in tokens) starting with it; ``ambiguous`` maps keys that are also common words
    (``"word"``), generic nouns of places and Sorani verbs
    (``"strict"``: المدينة "the city", which a modifier does not make a name: "وسط المدينة" is
    downtown; کراوە "done") or personal names (``"person"``), or whose foreign
    namesake is usually meant (``"namesake"``: only the Iraqi entries are doubtful)."""

    entries: list[Entry]
    index: dict[str, tuple[int, ...]]
    first_tokens: dict[str, int]
    ambiguous: dict[str, str]
    notes: list[str] = field(default_factory=list)
    lower_first: frozenset[str] = frozenset()
    key: str = ""
    _by_id: dict[str, int] = field(default_factory=dict, repr=False)
    _geometries: dict[str, bytes] | None = field(default=None, repr=False)
    _geometry_loader: Callable[[], dict[str, bytes]] | None = field(default=None, repr=False, compare=False)

    cue_only: frozenset[str] = field(default=frozenset(), repr=False)
    strong_first: frozenset[str] = field(default=frozenset(), repr=False)
    cue_first: frozenset[str] = field(default=frozenset(), repr=False)
    strong_keys: frozenset[str] = field(default=frozenset(), repr=False)

    #: True when the four key sets above were given (read from the cache), not to be derived.
    _derived: bool = field(default=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self._by_id:
            self._by_id = {e.id: i for i, e in enumerate(self.entries)}
        if self._derived:
            return
        self.cue_only = frozenset(
            k for k, v in self.index.items() if all(self.entries[i].strength == "cue" for i in v)
        )
        self.strong_keys = frozenset(
            k
            for k, v in self.index.items()
            if k not in self.ambiguous and all(self.entries[i].strength == "strong" for i in v)
        )
        firsts = {k: k.removeprefix("adj:").split(" ")[0] for k in self.index}
        self.strong_first = frozenset(f for k, f in firsts.items() if k not in self.cue_only)
        self.cue_first = frozenset(f for k, f in firsts.items() if k in self.cue_only) - self.strong_first

    def lookup(self, key: str) -> tuple[int, ...]:
        """Entry positions indexed under the folded name ``key``."""
        return self.index.get(key, ())

    def search(self, name: str) -> list[Entry]:
        """Entries whose name folds like ``name`` (a convenience for people and tests)."""
        return [self.entries[i] for i in self.lookup(fold(name))]

    def entry(self, entry_id: str) -> Entry:
        """The entry with id ``entry_id`` (a P-code, ``gn:<id>``, ``country:XX`` ...)."""
        try:
            return self.entries[self._by_id[entry_id]]
        except KeyError:
            raise KeyError(f"no gazetteer entry {entry_id!r}") from None

    def geometry(self, entry_id: str) -> Any:
        """The shapely polygon of an admin unit, country or region; ``None`` for points.

        The polygons are read on first use (through the loader the cache gave this gazetteer).
        """
        if self._geometries is None:
            self._geometries = self._geometry_loader() if self._geometry_loader is not None else {}
        import shapely

        wkb = self._geometries.get(entry_id)
        return None if wkb is None else shapely.from_wkb(wkb)
