"""The zone rules file ``data/zone_rules.toml``: zone kinds, triggers, attachment, constructions
and map styles.

:func:`load_rules` reads and checks the file (see it for what each entry means) into a
:class:`ZoneRules`; every problem raises :class:`geo.errors.RulesError` naming the file and, where
it can be found, the line. The fixed lists the constructions read (governorate seats, disputed
territories) are in :mod:`geo.zones.lists`.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from geo.errors import RulesError
from geo.model import PLACE_KINDS
from geo.text.normalize import fold_token
from geo.zones.tomlfile import DATA_DIR, Where, read_toml, stat_key

RULES_PATH = DATA_DIR / "zone_rules.toml"

#: The zone kinds Zone Atlas knows, and the construction each one is built with.
KINDS: dict[str, str] = {
    "operations_room": "seat_and_area",
    "security_vacuum": "belt",
    "disputed_territories": "unit_list",
    "attack_area": "modified_area",
    "corridor": "corridor",
}
ATTACH_MODES = ("list", "clause", "none")
#: When a trigger with no place after it takes the run just before it.
#: ("fronted": only a place fronted by a locative and a comma, "In Makhmour, a joint room ...").
_BEFORE_MODES = ("never", "always", "arabic_script", "fronted", "arabic_script_or_fronted")
#: Spatial modifiers a mention may carry (the values of :data:`geo.text.extract.MODIFIER_VALUES`).
MODIFIERS = (
    "north",
    "south",
    "east",
    "west",
    "northeast",
    "northwest",
    "southeast",
    "southwest",
    "around",
    "outskirts",
    "belt",
    "near",
    "centre",
)

_KIND_KEYS_REQUIRED = (
    "label",
    "label_ar",
    "triggers_ar",
    "triggers_en",
    "attach",
    "max_lead_words",
    "place_kinds",
    "construction",
)
#: Optional keys of a kind: Sorani triggers, phrases that refer back to an earlier trigger of the
#: kind, phrases that cancel a trigger near them, and the reading's limits (see the rules file).
_KIND_KEYS_OPTIONAL = (
    "triggers_ckb",
    "refer_ar",
    "refer_en",
    "refer_ckb",
    "exclude_ar",
    "exclude_en",
    "exclude_ckb",
    "exclude_window",
    "max_gap_words",
    "min_places",
    "max_places",
    "one_zone",
    "attach_before",
    "max_before_words",
    "exclude_dated",
    "skip_after",
)
_KIND_KEYS = (*_KIND_KEYS_REQUIRED, *_KIND_KEYS_OPTIONAL, "params", "style")
_STYLE_KEYS_REQUIRED = ("color", "fill_opacity", "weight", "dash")
_STYLE_KEYS = (*_STYLE_KEYS_REQUIRED, "fill_color", "marker")
_HEX_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")

# Parameter checks per construction: name -> (check, description).
_ParamCheck = tuple[str, str]
_PARAMS: dict[str, dict[str, _ParamCheck]] = {
    "seat_and_area": {"point_area_level": ("level12", "admin level 1 or 2")},
    "belt": {
        "kurdistan_region": ("adm1_list", "a list of ADM1 P-codes"),
        "min_width_km": ("positive", "a positive number"),
        "max_width_km": ("positive", "a positive number"),
        "syria_tolerance_km": ("positive", "a positive number"),
        "iran_frontier_governorates": ("adm1_list", "a list of ADM1 P-codes"),
        "syria_frontier_governorates": ("adm1_list", "a list of ADM1 P-codes"),
        "frontier_touch_m": ("non_negative", "a number >= 0"),
        "standard_governorates": ("adm1_list", "a list of ADM1 P-codes"),
        "kurdish_side_words": ("str_list", "a list of words"),
        "federal_side_words": ("str_list", "a list of words"),
    },
    "unit_list": {
        "list": ("file", "a file name in data/"),
        "scopes": ("str_list", "a list of scope names"),
    },
    "corridor": {
        "width_km": ("positive", "a positive number"),
        "point_unit_level": ("level23", "admin level 2 or 3"),
    },
    "modified_area": {
        "point_unit_level": ("level23", "admin level 2 or 3"),
        "band_share": ("positive", "a positive number"),
        "offset_radius_km": ("positive", "a positive number"),
        "ring_inner_km": ("non_negative", "a number >= 0"),
        "ring_outer_km": ("positive", "a positive number"),
        "outskirts_inner_km": ("non_negative", "a number >= 0"),
        "outskirts_outer_km": ("positive", "a positive number"),
        "band_km": ("positive", "a positive number"),
        "near_km": ("positive", "a positive number"),
        "centre_km": ("positive", "a positive number"),
        "modifier_labels": ("modifier_labels", "a table modifier = [English, Arabic]"),
    },
}


@dataclass(frozen=True)
class KindRule:
    """How one zone kind is triggered, attached, built and drawn."""

    kind: str
    label: str
    label_ar: str
    triggers_ar: tuple[str, ...]
    triggers_en: tuple[str, ...]
    attach: str
    max_lead_words: int
    place_kinds: frozenset[str]
    construction: str
    params: dict[str, Any]
    style: dict[str, Any]
    refer_ar: tuple[str, ...] = ()
    refer_en: tuple[str, ...] = ()
    exclude_ar: tuple[str, ...] = ()
    exclude_en: tuple[str, ...] = ()
    exclude_window: int = 0
    max_gap_words: int = 0
    min_places: int = 1
    max_places: int = 64
    one_zone: bool = False
    attach_before: str = "never"
    exclude_dated: bool = False
    max_before_words: int = 8
    skip_after: frozenset[str] = frozenset()


@dataclass(frozen=True)
class ZoneRules:
    """The whole rules file, checked."""

    path: Path
    version: int
    proclitics_ar: tuple[str, ...]
    clause_breaks: frozenset[str]
    connectors: frozenset[str]
    cover_share: float
    touch_min_km2: float
    kinds: dict[str, KindRule]
    enumerators: frozenset[str] = frozenset()
    locator_links: frozenset[str] = frozenset()
    possessives: frozenset[str] = frozenset()
    quote_marks: frozenset[str] = frozenset()
    clause_words: frozenset[str] = frozenset()
    barriers: frozenset[str] = frozenset()
    facility_words: frozenset[str] = frozenset()
    venue_words: frozenset[str] = frozenset()
    locatives: frozenset[str] = frozenset()
    relative_words: frozenset[str] = frozenset()
    organisation_after: tuple[tuple[str, ...], ...] = ()
    focus_words: frozenset[str] = frozenset()
    organisation_before: tuple[tuple[str, ...], ...] = ()


def load_rules(path: str | Path | None = None) -> ZoneRules:
    """The checked zone rules (``data/zone_rules.toml`` by default), cached until the file changes.

    Raises :class:`RulesError` naming the line for a syntax error, an unknown kind, key,
    attachment mode or construction, or a parameter of the wrong type.
    """
    return _load_rules_cached(*stat_key(Path(path) if path else RULES_PATH))


@lru_cache(maxsize=8)
def _load_rules_cached(path_str: str, _mtime: int, _size: int) -> ZoneRules:
    path = Path(path_str)
    doc, where = read_toml(path)
    unknown = sorted(set(doc) - {"version", "matching", "statistics", "kinds"})
    if unknown:
        raise where.error(
            f"unknown top-level table or key {unknown[0]!r}; expected version, "
            "[matching], [statistics] and [kinds.*]",
            unknown[0],
        )
    version = doc.get("version", 1)
    if not isinstance(version, int) or version != 1:
        raise where.error(f"rules version must be 1, got {version!r}", "version")

    matching = _table(doc, "matching", where)
    proclitics = _str_list(matching.get("proclitics_ar", []), where, "matching", "proclitics_ar")
    breaks = _str_list(matching.get("clause_breaks", []), where, "matching", "clause_breaks")
    if any(len(b) != 1 for b in breaks):
        raise where.error("clause_breaks must be single characters", "matching", "clause_breaks")
    connectors = _str_list(matching.get("connectors", []), where, "matching", "connectors")
    enumerators = _str_list(matching.get("enumerators", []), where, "matching", "enumerators")
    locator_links = _str_list(matching.get("locator_links", []), where, "matching", "locator_links")
    possessives = _str_list(matching.get("possessives", []), where, "matching", "possessives")
    quotes = _str_list(matching.get("quote_marks", []), where, "matching", "quote_marks")
    clause_words = _str_list(matching.get("clause_words", []), where, "matching", "clause_words")
    barriers = _str_list(matching.get("barriers", []), where, "matching", "barriers")
    facilities = _str_list(matching.get("facility_words", []), where, "matching", "facility_words")
    venues = _str_list(matching.get("venue_words", []), where, "matching", "venue_words")
    locatives = _str_list(matching.get("locatives", []), where, "matching", "locatives")
    relatives = _str_list(matching.get("relative_words", []), where, "matching", "relative_words")
    focus = _str_list(matching.get("focus_words", []), where, "matching", "focus_words")
    org_after = _str_list(matching.get("organisation_after", []), where, "matching", "organisation_after")
    org_before = _str_list(matching.get("organisation_before", []), where, "matching", "organisation_before")
    clash = sorted(set(quotes) & set(breaks))
    if clash:
        raise where.error(
            f"{clash[0]!r} is both a quote mark and a clause break; quotes around a name do not end a clause",
            "matching",
            "quote_marks",
        )

    stats = _table(doc, "statistics", where)
    cover_share = _number(stats.get("cover_share", 0.5), where, "statistics", "cover_share")
    if not 0 < cover_share <= 1:
        raise where.error(f"cover_share must be in (0, 1], got {cover_share}", "statistics", "cover_share")
    touch_min = _number(stats.get("touch_min_km2", 1.0), where, "statistics", "touch_min_km2")
    if touch_min < 0:
        raise where.error(f"touch_min_km2 must be >= 0, got {touch_min}", "statistics", "touch_min_km2")

    kinds_doc = _table(doc, "kinds", where)
    kinds: dict[str, KindRule] = {}
    for kind, body in kinds_doc.items():
        table = f"kinds.{kind}"
        if kind not in KINDS:
            raise where.error(f"unknown zone kind {kind!r}; known kinds: {', '.join(KINDS)}", table)
        if not isinstance(body, dict):
            raise where.error(f"[{table}] must be a table", table)
        kinds[kind] = _kind_rule(kind, body, where, path)
    if not kinds:
        raise where.error("no zone kinds defined; expected [kinds.<kind>] tables", "kinds")
    return ZoneRules(
        path=path,
        version=version,
        proclitics_ar=tuple(proclitics),
        clause_breaks=frozenset(breaks),
        connectors=frozenset(connectors),
        cover_share=cover_share,
        touch_min_km2=touch_min,
        kinds=kinds,
        enumerators=frozenset(enumerators),
        locator_links=frozenset(locator_links),
        possessives=frozenset(possessives),
        quote_marks=frozenset(quotes),
        clause_words=frozenset(clause_words),
        barriers=frozenset(barriers),
        facility_words=frozenset(facilities),
        venue_words=frozenset(venues),
        locatives=frozenset(locatives),
        relative_words=frozenset(relatives),
        focus_words=frozenset(focus),
        organisation_after=tuple(tuple(o.split()) for o in org_after),
        organisation_before=tuple(tuple(o.split()) for o in org_before),
    )


def _table(doc: dict[str, Any], name: str, where: Where) -> dict[str, Any]:
    value = doc.get(name, {})
    if not isinstance(value, dict):
        raise where.error(f"{name} must be a table", name)
    return value


def _str_list(value: Any, where: Where, table: str, key: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise where.error(f"{key} must be a list of non-empty strings, got {value!r}", table, key)
    return list(value)


def _number(value: Any, where: Where, table: str, key: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise where.error(f"{key} must be a number, got {value!r}", table, key)
    return float(value)


def _kind_rule(kind: str, body: dict[str, Any], where: Where, path: Path) -> KindRule:
    table = f"kinds.{kind}"
    for key in body:
        if key not in _KIND_KEYS:
            raise where.error(
                f"unknown key {key!r} in [{table}]; expected {', '.join(_KIND_KEYS)}", table, key
            )
    for key in _KIND_KEYS_REQUIRED:
        if key not in body:
            raise where.error(f"[{table}] lacks {key!r}", table)
    for key in ("label", "label_ar"):
        if not isinstance(body[key], str) or not body[key].strip():
            raise where.error(f"{key} must be a non-empty string", table, key)
    # Sorani phrases are written in Arabic script and matched like the Arabic ones.
    triggers_ar = _str_list(body["triggers_ar"], where, table, "triggers_ar")
    triggers_ar += _str_list(body.get("triggers_ckb", []), where, table, "triggers_ckb")
    triggers_en = _str_list(body["triggers_en"], where, table, "triggers_en")
    phrases: dict[str, tuple[str, ...]] = {}
    for group in ("refer", "exclude"):
        for script, langs in (("ar", ("ar", "ckb")), ("en", ("en",))):
            found: list[str] = []
            for lang in langs:
                found += _str_list(body.get(f"{group}_{lang}", []), where, table, f"{group}_{lang}")
            phrases[f"{group}_{script}"] = tuple(found)
    limits = {}
    for key, default, low in (
        ("exclude_window", 0, 0),
        ("max_gap_words", 0, 0),
        ("min_places", 1, 1),
        ("max_places", 64, 1),
        ("max_before_words", 8, 0),
    ):
        value = body.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise where.error(f"{key} must be an integer >= {low}, got {value!r}", table, key)
        limits[key] = value
    flags = {}
    for key in ("one_zone", "exclude_dated"):
        value = body.get(key, False)
        if not isinstance(value, bool):
            raise where.error(f"{key} must be true or false, got {value!r}", table, key)
        flags[key] = value
    before = body.get("attach_before", "never")
    if before not in _BEFORE_MODES:
        raise where.error(
            f"attach_before must be one of {_BEFORE_MODES}, got {before!r}", table, "attach_before"
        )
    flags["attach_before"] = before
    if not triggers_ar and not triggers_en:
        raise where.error("a kind needs at least one trigger phrase", table, "triggers_ar")
    attach = body["attach"]
    if attach not in ATTACH_MODES:
        raise where.error(f"unknown attach mode {attach!r}; expected one of {ATTACH_MODES}", table, "attach")
    lead = body["max_lead_words"]
    if isinstance(lead, bool) or not isinstance(lead, int) or lead < 0:
        raise where.error(f"max_lead_words must be an integer >= 0, got {lead!r}", table, "max_lead_words")
    place_kinds = _str_list(body["place_kinds"], where, table, "place_kinds")
    bad = [k for k in place_kinds if k not in PLACE_KINDS]
    if bad:
        raise where.error(
            f"unknown place kind {bad[0]!r}; expected some of {PLACE_KINDS}", table, "place_kinds"
        )
    if attach != "none" and not place_kinds:
        raise where.error(f"attach = {attach!r} needs place_kinds", table, "place_kinds")
    construction = body["construction"]
    if construction != KINDS[kind]:
        known = sorted(set(KINDS.values()))
        if construction not in known:
            message = f"unknown construction {construction!r}; known constructions: {', '.join(known)}"
        else:
            message = f"kind {kind!r} is built with {KINDS[kind]!r}, not {construction!r}"
        raise where.error(message, table, "construction")
    params = _params(construction, body.get("params", {}), where, f"{table}.params", path)
    style = _style(body.get("style"), where, f"{table}.style")
    skip = frozenset(
        fold_token(w) or w for w in _str_list(body.get("skip_after", []), where, table, "skip_after")
    )
    extra: dict[str, Any] = {**phrases, **limits, **flags, "skip_after": skip}  # checked above
    return KindRule(
        kind=kind,
        label=body["label"].strip(),
        label_ar=body["label_ar"].strip(),
        triggers_ar=tuple(triggers_ar),
        triggers_en=tuple(triggers_en),
        attach=attach,
        max_lead_words=lead,
        place_kinds=frozenset(place_kinds),
        construction=construction,
        params=params,
        style=style,
        **extra,
    )


def _params(construction: str, value: Any, where: Where, table: str, path: Path) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise where.error("params must be a table", table)
    spec = _PARAMS[construction]
    for key in value:
        if key not in spec:
            raise where.error(
                f"unknown parameter {key!r} for {construction!r}; expected {', '.join(spec)}", table, key
            )
    out: dict[str, Any] = {}
    for key, (check, description) in spec.items():
        if key not in value:
            raise where.error(f"[{table}] lacks parameter {key!r} ({description})", table)
        out[key] = _check_param(check, value[key], path, where, table, key, description)
    if construction == "belt" and out["max_width_km"] <= out["min_width_km"]:
        raise where.error("max_width_km must be larger than min_width_km", table, "max_width_km")
    if construction == "modified_area":
        for inner, outer in (
            ("ring_inner_km", "ring_outer_km"),
            ("outskirts_inner_km", "outskirts_outer_km"),
        ):
            if out[inner] >= out[outer]:
                raise where.error(f"{inner} must be smaller than {outer}", table, inner)
    return out


def _check_param(
    check: str, value: Any, path: Path, where: Where, table: str, key: str, description: str
) -> Any:
    def fail() -> RulesError:
        return where.error(f"parameter {key!r} must be {description}, got {value!r}", table, key)

    is_number = not isinstance(value, bool) and isinstance(value, (int, float)) and math.isfinite(value)
    if check == "positive":
        if not is_number or value <= 0:
            raise fail()
        return float(value)
    if check == "non_negative":
        if not is_number or value < 0:
            raise fail()
        return float(value)
    if check in ("level12", "level23"):
        allowed = (1, 2) if check == "level12" else (2, 3)
        if isinstance(value, bool) or value not in allowed:
            raise fail()
        return int(value)
    if check in ("str_list", "adm1_list"):
        if not isinstance(value, list) or not value or not all(isinstance(v, str) and v for v in value):
            raise fail()
        if check == "adm1_list" and not all(re.fullmatch(r"IQG\d{2}", v) for v in value):
            raise fail()
        return tuple(value)
    if check == "file":
        if not isinstance(value, str) or not value or "/" in value or "\\" in value:
            raise fail()
        if not (path.parent / value).is_file():
            raise where.error(f"parameter {key!r} names {value!r}, which is not in {path.parent}", table, key)
        return value
    if check == "modifier_labels":
        if not isinstance(value, dict):
            raise fail()
        for mod, labels in value.items():
            if mod not in MODIFIERS:
                raise where.error(
                    f"unknown modifier {mod!r}; expected some of {MODIFIERS}", f"{table}.{key}", mod
                )
            if not (
                isinstance(labels, list) and len(labels) == 2 and all(isinstance(s, str) for s in labels)
            ):
                raise where.error(f"modifier {mod!r} needs [English, Arabic] labels", f"{table}.{key}", mod)
        return {mod: tuple(labels) for mod, labels in value.items()}
    raise AssertionError(check)  # pragma: no cover - every check above returns or raises


def _style(value: Any, where: Where, table: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise where.error(f"[{table}] is missing or not a table; every kind needs a map style", table)
    for key in value:
        if key not in _STYLE_KEYS:
            raise where.error(f"unknown style key {key!r}; expected {', '.join(_STYLE_KEYS)}", table, key)
    for key in _STYLE_KEYS_REQUIRED:
        if key not in value:
            raise where.error(f"[{table}] lacks {key!r}", table)
    for key in ("color", "fill_color"):
        if key in value and not (isinstance(value[key], str) and _HEX_COLOR.match(value[key])):
            raise where.error(f"{key} must be a colour like '#1f4e9c', got {value[key]!r}", table, key)
    opacity = value["fill_opacity"]
    if isinstance(opacity, bool) or not isinstance(opacity, (int, float)) or not 0 <= opacity <= 1:
        raise where.error(f"fill_opacity must be a number in [0, 1], got {opacity!r}", table, "fill_opacity")
    weight = value["weight"]
    if isinstance(weight, bool) or not isinstance(weight, (int, float)) or weight < 0:
        raise where.error(f"weight must be a number >= 0, got {weight!r}", table, "weight")
    dash = value["dash"]
    if not isinstance(dash, str) or not re.fullmatch(r"(\d+(\.\d+)?([ ,]+\d+(\.\d+)?)*)?", dash.strip()):
        raise where.error(
            f"dash must be '' (solid) or a dash pattern like '6 4', got {dash!r}", table, "dash"
        )
    style = dict(value)
    style.setdefault("fill_color", style["color"])
    style["fill_opacity"] = float(opacity)
    style["weight"] = float(weight)
    style["dash"] = dash.strip()
    return style
