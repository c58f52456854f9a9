"""Validate the zone dev set's gold files (tests/devsets/zones/{dev,frozen}/*.json).

    .venv/bin/python tests/devsets/zones/check.py            # validate, exit 1 on any error
    .venv/bin/python tests/devsets/zones/check.py --table    # also print the README count tables

Checks, per gold file: the fields and their types; the id (``<lang>-zd<nn>`` in dev,
``<lang>-zf<nn>`` in frozen, plus ``seed-en`` / ``seed-ckb`` in dev) and its language; the article
file named by ``source`` exists; categories are 1-12; every zone has a known kind and modifier, at
least one anchor (except the disputed territories' standard list), real COD-AB P-codes, points
inside Iraq's bounding box (38.7-48.7 E, 29-37.5 N) unless marked ``"abroad": true``, consistent
offset fields, evidence spans inside the text, non-empty, and equal to ``evidence_text``; every
``not_zones`` text occurs in the article. Then the split-level minimums of the brief.

Standard library + geopandas only (for the COD-AB P-codes).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
KINDS = ("operations_room", "security_vacuum", "disputed_territories", "attack_area", "corridor")
MODIFIERS = (
    None,
    "north",
    "south",
    "east",
    "west",
    "northeast",
    "northwest",
    "southeast",
    "southwest",
    "around",
    "belt",
    "outskirts",
    "near",
    "centre",
    "between",
    "offset",
)
DIRS = ("N", "NE", "E", "SE", "S", "SW", "W", "NW")
LANGS = ("ar", "en", "ckb")
CATEGORIES = range(1, 13)
CATEGORY_NAMES = {
    1: "quoted group name next to the place",
    2: "list that starts late (10-25 words after the trigger)",
    3: "enumeration in a later sentence / ordinals / one in X, another in Y",
    4: "reference across sentences; trajectories (stretch from ... through ... to)",
    5: "trigger vocabulary (coordination centre, ambush, IED, strike, assassination, ...)",
    6: "modifiers (edges, periphery, outskirts, vicinity, around; between; named regions)",
    7: "locators are not zones (containing province, direction/distance offsets)",
    8: "hashtag lists; places far from their trigger in the same sentence",
    9: "disputed territories listed by the text",
    10: "outskirts of small units (district, sub-district, town)",
    11: "Sorani triggers",
    12: "no-zone article or traps (escalating demands, hotel room, home town, business, football)",
}
BBOX = (38.7, 48.7, 29.0, 37.5)  # lon min, lon max, lat min, lat max
ARTICLE_FIELDS = {"id": str, "lang": str, "source": str, "categories": list, "zones": list, "not_zones": list}
ZONE_FIELDS = {
    "kind": str,
    "anchors": list,
    "modifier": (str, type(None)),
    "offset_km": (int, float, type(None)),
    "offset_dir": (str, type(None)),
    "evidence": list,
    "note": str,
}
MIN_ARTICLES = {"dev": 30, "frozen": 16}
COD_AB_DIRS = (
    REPO / ".cache/datasets/cod_ab_iraq",
    REPO.parent / "shared" / "data" / "iraq_admin_cod_ab_2019",
)


def cod_ab_pcodes() -> dict[str, str]:
    """Every COD-AB ADM1-ADM3 P-code with its English name."""
    import geopandas as gpd

    for folder in COD_AB_DIRS:
        files = [folder / f"irq_admbnda_adm{n}_cso_20190603.geojson" for n in (1, 2, 3)]
        if all(f.exists() for f in files):
            out = {}
            for n, f in zip((1, 2, 3), files):
                gdf = gpd.read_file(f, columns=[f"ADM{n}_PCODE", f"ADM{n}_EN"], ignore_geometry=True)
                out.update(zip(gdf[f"ADM{n}_PCODE"], gdf[f"ADM{n}_EN"]))
            return out
    sys.exit("COD-AB boundaries not found (run `python -m geo fetch` first)")


def gold_files(split: str) -> list[Path]:
    return sorted((HERE / split).glob("*.json"))


def check_file(path: Path, split: str, pcodes: dict[str, str]) -> list[str]:
    err: list[str] = []
    name = path.name
    try:
        gold = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        return [f"{name}: cannot read: {exc}"]
    for key, typ in ARTICLE_FIELDS.items():
        if not isinstance(gold.get(key), typ):
            err.append(f"{name}: field {key!r} missing or not {typ.__name__}")
    if err:
        return err
    gid, lang = gold["id"], gold["lang"]
    if path.stem != gid:
        err.append(f"{name}: id {gid!r} differs from the file name")
    if lang not in LANGS:
        err.append(f"{name}: lang {lang!r} not in {LANGS}")
    tag = "zd" if split == "dev" else "zf"
    if not (re.fullmatch(rf"{lang}-{tag}\d\d", gid) or (split == "dev" and gid == f"seed-{lang}")):
        err.append(f"{name}: id {gid!r} does not follow {lang}-{tag}NN")
    want_source = f"tests/devsets/zones/{split}/articles/{gid}.txt"
    if gold["source"] != want_source:
        err.append(f"{name}: source {gold['source']!r}, expected {want_source!r}")
    article = REPO / gold["source"]
    if not article.exists():
        return err + [f"{name}: article {article} missing"]
    text = article.read_text(encoding="utf-8")
    cats = gold["categories"]
    if not cats or any(c not in CATEGORIES for c in cats):
        err.append(f"{name}: categories {cats} must be a non-empty list of 1-12")
    if not gold["zones"] and 12 not in cats:
        err.append(f"{name}: a no-zone article must carry category 12")
    for i, z in enumerate(gold["zones"]):
        where = f"{name}: zone {i} ({z.get('kind')})"
        for key, typ in ZONE_FIELDS.items():
            if key not in z or not isinstance(z[key], typ):
                err.append(f"{where}: field {key!r} missing or of the wrong type")
        if any(e.startswith(where) for e in err):
            continue
        if z["kind"] not in KINDS:
            err.append(f"{where}: kind not in {KINDS}")
        if z["modifier"] not in MODIFIERS:
            err.append(f"{where}: modifier {z['modifier']!r} not in {MODIFIERS}")
        anchors = z["anchors"]
        if not anchors and z["kind"] != "disputed_territories":
            err.append(f"{where}: no anchors (only the disputed territories' standard list may have none)")
        if z["kind"] == "corridor" and len(anchors) < 2:
            err.append(f"{where}: a corridor needs at least two anchors")
        if z["modifier"] == "between" and len(anchors) < 2:
            err.append(f"{where}: modifier 'between' needs at least two anchors")
        for a in anchors:
            if "pcode" in a:
                if a["pcode"] not in pcodes:
                    err.append(f"{where}: P-code {a['pcode']!r} not in COD-AB")
                elif "name" in a and a["name"] != pcodes[a["pcode"]]:
                    err.append(f"{where}: {a['pcode']} is {pcodes[a['pcode']]!r}, not {a['name']!r}")
            elif "lat" in a and "lon" in a:
                lat, lon = a["lat"], a["lon"]
                if not all(isinstance(v, (int, float)) for v in (lat, lon)):
                    err.append(f"{where}: lat/lon not numbers in {a}")
                elif not a.get("abroad") and not (BBOX[0] <= lon <= BBOX[1] and BBOX[2] <= lat <= BBOX[3]):
                    err.append(f"{where}: point {lat}, {lon} outside Iraq's bounding box")
                if not a.get("name"):
                    err.append(f"{where}: point without a name")
            else:
                err.append(f"{where}: anchor {a} has neither a pcode nor lat/lon")
        if z["modifier"] == "offset":
            if (
                not isinstance(z["offset_km"], (int, float))
                or z["offset_km"] <= 0
                or z["offset_dir"] not in DIRS
            ):
                err.append(f"{where}: offset zones need offset_km > 0 and offset_dir in {DIRS}")
            if len(anchors) != 1 or "lat" not in anchors[0]:
                err.append(f"{where}: an offset zone has one point anchor (the offset point)")
        elif z["offset_km"] is not None or z["offset_dir"] is not None:
            err.append(f"{where}: offset_km/offset_dir set without modifier 'offset'")
        if not z["evidence"]:
            err.append(f"{where}: no evidence")
        texts = z.get("evidence_text")
        if texts is not None and len(texts) != len(z["evidence"]):
            err.append(f"{where}: evidence_text and evidence differ in length")
        for j, span in enumerate(z["evidence"]):
            if not (isinstance(span, list) and len(span) == 2 and all(isinstance(v, int) for v in span)):
                err.append(f"{where}: evidence {span} is not [start, end]")
                continue
            s, e = span
            if not (0 <= s < e <= len(text)):
                err.append(f"{where}: evidence {span} outside the text (length {len(text)}) or empty")
            elif not text[s:e].strip():
                err.append(f"{where}: evidence {span} is blank")
            elif texts is not None and text[s:e] != texts[j]:
                err.append(f"{where}: text[{s}:{e}] = {text[s:e]!r}, evidence_text says {texts[j]!r}")
        zc = z.get("categories", [])
        if any(c not in cats for c in zc):
            err.append(f"{where}: zone categories {zc} not all in the article's {cats}")
    for nz in gold["not_zones"]:
        if not isinstance(nz, dict) or not nz.get("text") or not nz.get("why"):
            err.append(f"{name}: not_zones entry {nz} needs text and why")
        elif nz["text"] not in text:
            err.append(f"{name}: not_zones text {nz['text']!r} not in the article")
    return err


def tables(golds: dict[str, list[dict]]) -> str:
    """The README's count tables (markdown)."""
    lines = []
    splits = list(golds)
    lines.append(
        "| | "
        + " | ".join(f"{s} articles" for s in splits)
        + " | "
        + " | ".join(f"{s} zones" for s in splits)
        + " |"
    )
    lines.append("|---|" + "---:|" * (2 * len(splits)))
    for lang in LANGS:
        row = [str(sum(g["lang"] == lang for g in golds[s])) for s in splits]
        row += [str(sum(len(g["zones"]) for g in golds[s] if g["lang"] == lang)) for s in splits]
        lines.append(f"| {lang} | " + " | ".join(row) + " |")
    row = [str(len(golds[s])) for s in splits] + [str(sum(len(g["zones"]) for g in golds[s])) for s in splits]
    lines.append("| **all** | " + " | ".join(row) + " |")
    row = [str(sum(not g["zones"] for g in golds[s])) for s in splits] + ["" for _ in splits]
    lines.append("| no-zone articles | " + " | ".join(row) + " |")
    lines.append("")
    lines.append("Zones per kind (ar / en / ckb):")
    lines.append("")
    lines.append("| kind | " + " | ".join(splits) + " |")
    lines.append("|---|" + "---:|" * len(splits))
    for kind in KINDS:
        cells = []
        for s in splits:
            c = Counter(g["lang"] for g in golds[s] for z in g["zones"] if z["kind"] == kind)
            cells.append(f"{sum(c.values())} ({c['ar']} / {c['en']} / {c['ckb']})")
        lines.append(f"| {kind} | " + " | ".join(cells) + " |")
    lines.append("")
    lines.append("Articles and zones per category (articles tagged / zones tagged):")
    lines.append("")
    lines.append("| # | category | " + " | ".join(splits) + " |")
    lines.append("|---:|---|" + "---:|" * len(splits))
    for c in CATEGORIES:
        cells = []
        for s in splits:
            na = sum(c in g["categories"] for g in golds[s])
            nz = sum(c in z.get("categories", []) for g in golds[s] for z in g["zones"])
            cells.append(f"{na} / {nz}")
        lines.append(f"| {c} | {CATEGORY_NAMES[c]} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--table", action="store_true", help="print the README count tables")
    args = ap.parse_args(argv)
    pcodes = cod_ab_pcodes()
    errors: list[str] = []
    golds: dict[str, list[dict]] = {}
    seen: set[str] = set()
    for split in ("dev", "frozen"):
        golds[split] = []
        for path in gold_files(split):
            errors += check_file(path, split, pcodes)
            try:
                g = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, json.JSONDecodeError):
                continue
            if g.get("id") in seen:
                errors.append(f"{path.name}: id {g.get('id')!r} used twice")
            seen.add(g.get("id"))
            golds[split].append(g)
        txts = {p.stem for p in (HERE / split / "articles").glob("*.txt")}
        jsons = {g.get("id") for g in golds[split]}
        for orphan in sorted(txts - jsons):
            errors.append(f"{split}/articles/{orphan}.txt has no gold file")
        if len(golds[split]) < MIN_ARTICLES[split]:
            errors.append(f"{split}: {len(golds[split])} articles, at least {MIN_ARTICLES[split]} wanted")
        for c in CATEGORIES:
            if sum(c in g.get("categories", []) for g in golds[split]) < 2:
                errors.append(f"{split}: category {c} covered by fewer than 2 articles")
    dev_ids = {g.get("id") for g in golds["dev"]}
    for seed in ("seed-en", "seed-ckb"):
        if seed not in dev_ids:
            errors.append(f"dev: {seed} missing")
    for g in golds["dev"]:
        if g.get("id", "").startswith("seed-") and len(g.get("zones", [])) != 12:
            errors.append(f"{g['id']}: the seed describes 12 zones, gold has {len(g.get('zones', []))}")
    if sum(not g.get("zones") for s in golds for g in golds[s]) < 8:
        errors.append("fewer than 8 no-zone articles")
    for e in errors:
        print("ERROR", e)
    n_art = sum(len(v) for v in golds.values())
    n_zone = sum(len(g.get("zones", [])) for v in golds.values() for g in v)
    print(f"{n_art} gold files, {n_zone} zones: " + ("OK" if not errors else f"{len(errors)} error(s)"))
    if args.table:
        print()
        print(tables(golds))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
