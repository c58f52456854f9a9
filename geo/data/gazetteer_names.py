"""Names and the small files the gazetteer is built from: cleaning, the alias table, TOML rules.

Pure functions with no dataset access, so they are tested on literal input: :func:`clean_name`
(leading cue words and trailing qualifiers off), :func:`usable_alternate` (which GeoNames alternate
names are worth indexing), :func:`ascii_name`, :func:`read_aliases` (``data/aliases.tsv``, checked
row by row), :func:`read_toml`, :func:`lexicon_words` (the lexicon's words, never indexed as
names), :func:`region_members` (a region's P-codes listed in another data file), and the two
geometric helpers the builder needs (:func:`haversine_km`, :func:`point_of`).
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from geo.errors import RulesError
from geo.text.normalize import fold, has_arabic

DATA_DIR = Path(__file__).resolve().parents[2] / "data"
ALIASES_FILE = DATA_DIR / "aliases.tsv"
EXTRA_FILE = DATA_DIR / "places_extra.toml"
LEXICON_FILE = DATA_DIR / "geoparser_lexicon.toml"
DISPUTED_FILE = DATA_DIR / "disputed_districts.toml"


def read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise RulesError(f"{path}: cannot read the rules file ({exc}).") from exc


@dataclass(frozen=True)
class AliasRow:
    variant: str
    canonical: str
    restrict: str
    source: str
    line: int


def read_aliases(path: Path) -> list[AliasRow]:
    """Rows of the alias table; raises :class:`RulesError` on a malformed row."""
    rows: list[AliasRow] = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise RulesError(f"{path}: cannot read the alias table ({exc}).") from exc
    header_seen = False
    for n, line in enumerate(lines, start=1):
        if not line.strip() or line.startswith("#"):
            continue
        cols = line.split("\t")
        if not header_seen:
            if cols[:4] != ["variant", "canonical", "restrict", "source"]:
                raise RulesError(
                    f"{path}:{n}: expected the header 'variant canonical restrict source', got {cols}"
                )
            header_seen = True
            continue
        if len(cols) != 4 or not cols[0].strip() or not cols[1].strip() or not cols[3].strip():
            raise RulesError(
                f"{path}:{n}: expected 4 tab-separated columns (variant, canonical, restrict, source) "
                f"with variant, canonical and source filled; got {cols}"
            )
        rows.append(AliasRow(cols[0].strip(), cols[1].strip(), cols[2].strip(), cols[3].strip(), n))
    return rows


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(a)))


def point_of(geom: Any) -> tuple[float, float]:
    """(lat, lon) of a polygon: its centroid when inside, else a representative point."""
    c = geom.centroid
    if not geom.contains(c):
        c = geom.representative_point()
    return float(c.y), float(c.x)


_CUE_PREFIXES = (
    "قضاء",
    "ناحية",
    "ناحيه",
    "محافظة",
    "محافظه",
    "قرية",
    "قريه",
    "مخيم",
    "منطقة",
    "منطقه",
    "حي",
    "مدينة",
    "مدينه",
)
_LATIN_SUFFIXES = (" village", " camp", " collective", " area", " complex", " district", " city", " town")


def clean_name(name: str) -> str:
    """A name without a leading cue word or trailing qualifier (قضاء تلكيف -> تلكيف)."""
    name = " ".join(name.replace("\xa0", " ").split())
    if "(" in name:
        name = name.split("(")[0].strip()
    parts = name.split(" ", 1)
    if len(parts) == 2 and parts[0] in _CUE_PREFIXES:
        name = parts[1]
    lower = name.lower()
    for suffix in _LATIN_SUFFIXES:
        if lower.endswith(suffix) and len(name) > len(suffix) + 2:
            name = name[: -len(suffix)]
            break
    return name.strip()


def usable_alternate(name: str) -> bool:
    """Whether a GeoNames alternate name is worth indexing (one script, not a code or a
    lower-case romanisation)."""
    if len(name) < 3:
        return False
    arabic = has_arabic(name)
    latin = any("a" <= ch.lower() <= "z" for ch in name)
    if arabic and latin:
        return False
    if arabic:
        return True
    if not latin or not all(ch.isascii() or ch.isalpha() or ch in " -'’‘`ʿʾ" for ch in name):
        return False
    if name.isupper() and len(name) <= 4:
        return False
    return name[0].isupper()


def ascii_name(name: str) -> str:
    import unicodedata

    decomposed = unicodedata.normalize("NFKD", name)
    out = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return out.replace("‘", "'").replace("’", "'").replace("ʿ", "'").replace("ʾ", "'")


def lexicon_words(lexicon: dict[str, Any]) -> frozenset[str]:
    """Keys never indexed as names: the lexicon's own words (cue words, modifiers, organisation
    heads, connectors), which some alternate-name lists carry (GeoNames gives مدينة for Medina)."""
    words: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                if k != "ambiguous":
                    walk(v)
        elif isinstance(node, list):
            words.update(fold(w) for w in node if isinstance(w, str))

    walk({k: v for k, v in lexicon.items() if k != "ambiguous"})
    return frozenset(w for w in words if w)


#: Cue kinds whose one-word cue may head a place's own name ("Hay al-Tanak", "حي العسكري").
_HEAD_KINDS = ("village", "other")


def generic_heads(lexicon: dict[str, Any]) -> frozenset[str]:
    """The one-word cues (folded) of neighbourhoods, villages and areas that names begin with."""
    cues = lexicon.get("cues", {})
    return frozenset(
        fold(w) for kind in _HEAD_KINDS for w in cues.get(kind, {}).get("before", []) if " " not in w.strip()
    )


def merge_generic_heads(
    index: dict[str, set[int]], heads: frozenset[str], is_cue_entry: Callable[[int], bool]
) -> None:
    """Let a name that begins with one of ``heads`` ("hay tanak") reach the places named by the
    rest alone ("tanak") too, unless it names a curated or admin entry of its own ("کەمپی هۆل")."""
    for key in list(index):
        head, _, rest = key.partition(" ")
        held = index[key]
        if rest and head in heads and rest in index and all(map(is_cue_entry, held)):
            index[key] = held | index[rest]


#: Lexicon groups of [ambiguous] and the doubt each gives its keys (see ``Gazetteer.ambiguous``).
AMBIGUITY_GROUPS = (
    ("words", "word"),
    ("place_nouns", "strict"),
    ("strict_words", "strict"),
    ("people", "person"),
    ("iq_only", "namesake"),
)


def ambiguity_flags(ambiguous: dict[str, list[str]]) -> dict[str, str]:
    """Folded key -> doubt (``word``, ``strict``, ``person``, ``namesake``) of the lexicon's lists."""
    return {fold(word): flag for group, flag in AMBIGUITY_GROUPS for word in ambiguous.get(group, [])}


def region_members(region: dict[str, Any], rid: str) -> tuple[str, ...]:
    """P-codes of a region listed in another data file (``members_from``), filtered by
    ``members_scope`` (the ``scope`` of each ``[[unit]]``)."""
    name = region.get("members_from")
    if not name:
        return ()
    units = read_toml(DATA_DIR / name).get("unit", [])
    scopes = set(region.get("members_scope", []))
    members = tuple(u["pcode"] for u in units if "pcode" in u and (not scopes or u.get("scope") in scopes))
    if not members:
        raise RulesError(
            f"{EXTRA_FILE}: region {rid} takes its members from {name}, which lists no "
            f"[[unit]] with a pcode and a scope in {sorted(scopes)}."
        )
    return members


_LATIN_ARTICLES = (
    *("al-", "al ", "el-", "el ", "ad-", "ad ", "ar-", "as-", "ash-", "ash ", "at-", "az-", "an-"),
)


def without_article(name: str) -> str | None:
    """A Latin name without its leading Arabic article (Al Qamishli -> Qamishli), or None.

    >>> without_article("Al Qamishli"), without_article("Alqosh")
    ('Qamishli', None)
    """
    lower = name.lower()
    for art in _LATIN_ARTICLES:
        if lower.startswith(art) and len(name) - len(art) >= 4 and name[len(art)].isalpha():
            rest = name[len(art) :].strip()
            return rest[0].upper() + rest[1:] if rest else None
    return None


def dash_parts(name: str) -> tuple[str, ...]:
    """The parts of an IOM DTM name written "<area>-<place>" (Laylan-Al Abadat, القيارة-الجدعة),
    each of at least four letters and not a number."""
    if "-" not in name or name.lower().startswith(_LATIN_ARTICLES):
        return ()
    parts = [p.strip() for p in name.split("-")]
    if len(parts) != 2:
        return ()
    return tuple(p for p in parts if len(p) >= 4 and not any(ch.isdigit() for ch in p))
