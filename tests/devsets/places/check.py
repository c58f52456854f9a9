"""Validate the places dev set (stdlib only).

Run from anywhere:  python tests/devsets/places/check.py   (exit code 0 = all gold files valid)

Checks every gold file in dev/ and frozen/: required fields, id/lang/split naming, that the article
file exists at both ``source`` (relative to the repo root) and ``article`` (relative to this folder,
the way ``geo evaluate`` resolves it), that every surface occurs literally in the text, that
``spans`` point at one of the place's surfaces, coordinate ranges, types, categories and flags,
article length, and the language mix of each split. Prints a count table at the end.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
SPLITS = {"dev": "d", "frozen": "f"}
LANGS = ("ar", "en", "ckb")
TYPES = {
    "country",
    "region",
    "governorate",
    "district",
    "subdistrict",
    "city",
    "town",
    "village",
    "river",
    "other",
}
CATEGORIES = ("admin", "small_place", "feature", "region", "abroad", "translit", "ambiguous")
FLAGS = ("vague", "adjectival", "metonymic", "boilerplate")
REQUIRED = ("surface", "surfaces", "name_en", "type", "governorate", "country", "lat", "lon", "category")
# Iraq's bounding box with a small margin (COD-AB ADM0 extent is about 29.06-37.38 N, 38.79-48.57 E).
IQ_BOX = (28.9, 37.5, 38.6, 48.8)
MIN_WORDS, MAX_WORDS = 120, 500
MIN_ARTICLES = {"dev": 44, "frozen": 22}


def words(text: str) -> int:
    return len(re.findall(r"\w+", text))


def check_place(n: int, p: dict, text: str, where: str, errors: list[str]) -> None:
    tag = f"{where} place {n} ({p.get('name_en', '?')})"
    for k in REQUIRED:
        if k not in p:
            errors.append(f"{tag}: missing field {k!r}")
    if any(k not in p for k in REQUIRED):
        return
    surfaces = p["surfaces"]
    if not isinstance(surfaces, list) or not surfaces or not all(isinstance(s, str) and s for s in surfaces):
        errors.append(f"{tag}: 'surfaces' must be a non-empty list of strings")
        return
    if len(set(surfaces)) != len(surfaces):
        errors.append(f"{tag}: duplicate entries in 'surfaces'")
    if p["surface"] not in surfaces:
        errors.append(f"{tag}: 'surface' {p['surface']!r} is not in 'surfaces'")
    for s in surfaces:
        if s not in text:
            errors.append(f"{tag}: surface {s!r} does not occur in the article")
    if p["type"] not in TYPES:
        errors.append(f"{tag}: type {p['type']!r} not in {sorted(TYPES)}")
    if p["category"] not in CATEGORIES:
        errors.append(f"{tag}: category {p['category']!r} not in {CATEGORIES}")
    if p["governorate"] is not None and not isinstance(p["governorate"], str):
        errors.append(f"{tag}: governorate must be a string or null")
    if not (isinstance(p["country"], str) and re.fullmatch(r"[A-Z]{2}", p["country"])):
        errors.append(f"{tag}: country must be an ISO 3166-1 alpha-2 code")
    lat, lon = p["lat"], p["lon"]
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (lat, lon)):
        errors.append(f"{tag}: lat/lon must be numbers")
        return
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        errors.append(f"{tag}: lat/lon out of range ({lat}, {lon})")
    in_box = IQ_BOX[0] <= lat <= IQ_BOX[1] and IQ_BOX[2] <= lon <= IQ_BOX[3]
    if p["country"] == "IQ" and p["type"] != "country" and not in_box:
        errors.append(f"{tag}: an Iraqi place outside Iraq's box ({lat}, {lon})")
    if p["country"] != "IQ" and p["category"] in ("admin", "small_place") and p["type"] != "country":
        errors.append(f"{tag}: a place abroad should have category 'abroad' (or a flag such as ambiguous)")
    for a in p.get("alt", []) or []:
        if (
            not isinstance(a, dict)
            or "lat" not in a
            or "lon" not in a
            or a.get("type", p["type"]) not in TYPES
        ):
            errors.append(f"{tag}: bad alt entry {a}")
        elif not (-90 <= a["lat"] <= 90 and -180 <= a["lon"] <= 180):
            errors.append(f"{tag}: alt lat/lon out of range {a}")
    for f in FLAGS:
        if f in p and p[f] is not True:
            errors.append(f"{tag}: flag {f!r} should be true when present")
    if "spans" in p:
        spans = p["spans"]
        if not isinstance(spans, list) or not spans:
            errors.append(f"{tag}: 'spans' must be a non-empty list")
            return
        used = set()
        for sp in spans:
            if not (
                isinstance(sp, list)
                and len(sp) == 2
                and all(isinstance(x, int) for x in sp)
                and 0 <= sp[0] < sp[1] <= len(text)
            ):
                errors.append(f"{tag}: bad span {sp}")
                continue
            piece = text[sp[0] : sp[1]]
            if piece not in surfaces:
                errors.append(f"{tag}: span {sp} reads {piece!r}, which is not one of its surfaces")
            used.add(piece)
        for s in surfaces:
            if s not in used:
                errors.append(f"{tag}: surface {s!r} is listed but no span covers it")


def check_file(path: Path, split: str, errors: list[str]) -> dict | None:
    where = f"{split}/{path.name}"
    try:
        gold = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        errors.append(f"{where}: not valid JSON ({exc})")
        return None
    for k in ("id", "lang", "source", "article", "text_note", "places"):
        if k not in gold:
            errors.append(f"{where}: missing field {k!r}")
    if any(k not in gold for k in ("id", "lang", "source", "article", "places")):
        return None
    gid, lang = gold["id"], gold["lang"]
    if path.stem != gid:
        errors.append(f"{where}: id {gid!r} does not match the file name")
    m = re.fullmatch(r"(ar|en|ckb)-([df])(\d\d)", gid)
    if not m or m.group(1) != lang or m.group(2) != SPLITS[split]:
        errors.append(f"{where}: id {gid!r} does not fit lang {lang!r} and split {split!r}")
    if lang not in LANGS:
        errors.append(f"{where}: lang {lang!r} not in {LANGS}")
    expected_source = f"tests/devsets/places/{split}/articles/{gid}.txt"
    if gold["source"] != expected_source:
        errors.append(f"{where}: source should be {expected_source!r}")
    if gold["article"] != f"{split}/articles/{gid}.txt":
        errors.append(f"{where}: article should be '{split}/articles/{gid}.txt' (relative to {HERE.name}/)")
    src = REPO / gold["source"]
    art = HERE / gold["article"]
    if not src.is_file() or not art.is_file() or src.resolve() != art.resolve():
        errors.append(f"{where}: article file missing or source/article disagree ({src})")
        return None
    text = src.read_text(encoding="utf-8")
    nw = words(text)
    if not MIN_WORDS <= nw <= MAX_WORDS:
        errors.append(f"{where}: {nw} words (expected {MIN_WORDS}-{MAX_WORDS})")
    places = gold["places"]
    if not isinstance(places, list) or not places:
        errors.append(f"{where}: 'places' must be a non-empty list")
        return None
    seen = set()
    for n, p in enumerate(places):
        check_place(n, p, text, where, errors)
        key = (p.get("name_en"), p.get("lat"), p.get("lon"))
        if key in seen:
            errors.append(f"{where}: place {key} listed twice")
        seen.add(key)
    # Two places sharing an occurrence must be told apart with spans.
    occ: dict[tuple[int, int], int] = {}
    for n, p in enumerate(places):
        spans = [tuple(s) for s in p.get("spans", [])] or [
            (i.start(), i.end()) for s in p.get("surfaces", []) for i in re.finditer(re.escape(s), text)
        ]
        for s in spans:
            for (a, b), other in occ.items():
                if other != n and a < s[1] and s[0] < b:
                    errors.append(
                        f"{where}: places {other} and {n} overlap at {text[a:b]!r} / {text[s[0] : s[1]]!r}"
                        " (add spans)"
                    )
            occ[s] = n
    gold["_words"] = nw
    return gold


def main() -> int:
    errors: list[str] = []
    table: dict[str, Counter] = {}
    for split in SPLITS:
        folder = HERE / split
        files = sorted(folder.glob("*.json"))
        if len(files) < MIN_ARTICLES[split]:
            errors.append(f"{split}: {len(files)} gold files, expected at least {MIN_ARTICLES[split]}")
        c: Counter = Counter()
        for f in files:
            gold = check_file(f, split, errors)
            if not gold:
                continue
            c[("articles", gold["lang"])] += 1
            c[("words", gold["lang"])] += gold["_words"]
            for p in gold["places"]:
                c[("places", gold["lang"])] += 1
                c[(p.get("category"), gold["lang"])] += 1
                if p.get("boilerplate"):
                    c[("boilerplate", gold["lang"])] += 1
        for txt in sorted((folder / "articles").glob("*.txt")):
            if not (folder / f"{txt.stem}.json").is_file():
                errors.append(f"{split}/articles/{txt.name}: no gold file")
        for cat in CATEGORIES:
            n = sum(c[(cat, lang)] for lang in LANGS)
            if n < 3:
                errors.append(f"{split}: category {cat!r} has only {n} places (want several)")
        table[split] = c
    rows = ("articles", "words", "places", *CATEGORIES, "boilerplate")
    for split, c in table.items():
        print(f"\n{split}")
        print(f"{'':14}" + "".join(f"{lang:>8}" for lang in (*LANGS, "all")))
        for r in rows:
            vals = [c[(r, lang)] for lang in LANGS]
            print(f"{r:14}" + "".join(f"{v:>8}" for v in (*vals, sum(vals))))
    if errors:
        print(f"\n{len(errors)} problem(s):")
        for e in errors:
            print("  " + e)
        return 1
    print("\nall gold files valid")
    return 0


if __name__ == "__main__":
    sys.exit(main())
