"""A synthetic news corpus for the store benchmark: Arabic and English articles over real place names.

:func:`articles` makes ``n`` articles from templates (attacks, joint operations rooms, the security
vacuum between the Peshmerga and the federal forces, the disputed territories), each naming two to
four real Iraqi places drawn with a skewed (Zipf-like) weight, as news concentrates on a few
places, and dated over one year; about half carry the date as metadata (JSONL ``date``), the rest
only in the text's dateline. :func:`write_jsonl` writes them as ``ingest`` reads them.

:func:`fill_rows` writes rows straight into a store's tables, for corpus sizes no benchmark can
analyse (10^5 articles): the places are real gazetteer entries drawn with the same skew, 3-15
places, 1-4 mentions each and 1-5 zones per article, the zones' polygons taken from an ingested
store (so every zone has a real shape).

Run: .venv/bin/python tests/benchmarks/corpus_gen.py OUT.jsonl [--n 1000] [--seed 0]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

#: (English, Arabic) names of real places the geoparser knows, most reported first.
PLACES = [
    ("Kirkuk", "كركوك"),
    ("Mosul", "الموصل"),
    ("Baghdad", "بغداد"),
    ("Tikrit", "تكريت"),
    ("Diyala", "ديالى"),
    ("Samarra", "سامراء"),
    ("Makhmour", "مخمور"),
    ("Baqubah", "بعقوبة"),
    ("Hawija", "الحويجة"),
    ("Ramadi", "الرمادي"),
    ("Fallujah", "الفلوجة"),
    ("Sinjar", "سنجار"),
    ("Khanaqin", "خانقين"),
    ("Tuz Khurmatu", "طوز خورماتو"),
    ("Basra", "البصرة"),
    ("Najaf", "النجف"),
    ("Karbala", "كربلاء"),
    ("Erbil", "أربيل"),
    ("Sulaymaniyah", "السليمانية"),
    ("Anbar", "الأنبار"),
]
GOVERNORATES = [
    ("Kirkuk", "كركوك"),
    ("Diyala", "ديالى"),
    ("Nineveh", "نينوى"),
    ("Salah al-Din", "صلاح الدين"),
]
AR_MONTHS = [
    "كانون الثاني",
    "شباط",
    "آذار",
    "نيسان",
    "أيار",
    "حزيران",
    "تموز",
    "آب",
    "أيلول",
    "تشرين الأول",
    "تشرين الثاني",
    "كانون الأول",
]
AR_DAYS = ["الاثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت", "الأحد"]

EN_TEMPLATES = [
    "{city}, {date} - An attack by ISIS militants in {a} killed {n} soldiers, security sources said. "
    "Attacks were also reported on the outskirts of {b}.",
    "{city}, {date} - The army and the Peshmerga agreed to form a joint operations room in {a}, "
    "officials said, after attacks near {b}.",
    "{city}, {date} - The security vacuum between the Peshmerga and the federal forces in {g1} and {g2} "
    "has let ISIS cells move freely, a commander said. Attacks in {a} rose this month.",
    "{city}, {date} - Talks on the disputed territories resumed. Residents of {a} and {b} "
    "complained of attacks on their villages.",
]
AR_TEMPLATES = [
    "{city} - {date} - هجوم لداعش في {a} أسفر عن مقتل {n} جنود، وفق مصادر أمنية، كما سجلت هجمات في أطراف {b}.",
    "{city} - {date} - اتفق الجيش والبيشمركة على تشكيل غرفة عمليات مشتركة في {a} بعد هجمات قرب {b}.",
    "{city} - {date} - قال قائد عسكري إن الفراغ الأمني بين البيشمركة والقوات الاتحادية في {g1} و{g2} "
    "سمح لخلايا داعش بالتحرك، وتزايدت الهجمات في {a}.",
    "{city} - {date} - استؤنفت المحادثات بشأن المناطق المتنازع عليها، واشتكى سكان {a} و{b} من هجمات.",
]


def _weights(n: int, s: float = 1.1) -> list[float]:
    return [1 / (k + 1) ** s for k in range(n)]


def articles(n: int, *, seed: int = 0, start: dt.date = dt.date(2021, 1, 1)) -> Iterator[dict[str, Any]]:
    """``n`` JSONL records (``text``, ``source``, ``title`` and, for about half, ``date``)."""
    rng = random.Random(seed)
    weights = _weights(len(PLACES))
    for i in range(n):
        day = start + dt.timedelta(days=rng.randrange(365))
        arabic = rng.random() < 0.6
        a, b = rng.choices(PLACES, weights=weights, k=2)
        g1, g2 = rng.sample(GOVERNORATES, 2)
        city = rng.choice(["Baghdad", "Erbil", "Kirkuk"])
        if arabic:
            date = f"{AR_DAYS[day.weekday()]} {day.day} {AR_MONTHS[day.month - 1]} {day.year}"
            text = rng.choice(AR_TEMPLATES).format(
                city={"Baghdad": "بغداد", "Erbil": "أربيل", "Kirkuk": "كركوك"}[city],
                date=date,
                a=a[1],
                b=b[1],
                g1=g1[1],
                g2=g2[1],
                n=rng.randint(2, 12),
            )
        else:
            date = f"{day:%A} {day.day} {day:%B} {day.year}"
            text = rng.choice(EN_TEMPLATES).format(
                city=city, date=date, a=a[0], b=b[0], g1=g1[0], g2=g2[0], n=rng.randint(2, 12)
            )
        text += f" ({i})"  # every article distinct
        record: dict[str, Any] = {
            "text": text,
            "source": f"synthetic-{seed}-{i}",
            "title": text.split(" - ")[-1][:80],
        }
        if rng.random() < 0.5:
            record["date"] = day.isoformat()
        yield record


def write_jsonl(path: Path, n: int, *, seed: int = 0) -> Path:
    with path.open("w", encoding="utf-8") as out:
        for record in articles(n, seed=seed):
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path


def fill_rows(con: Any, n: int, *, seed: int = 0, batch: int = 20_000) -> None:
    """Write ``n`` articles with places, mentions and zones straight into the tables of ``con``.

    The store must already hold ``shapes`` (e.g. from an ingest); zones reference them.
    """
    import pandas as pd

    from geo.data.gazetteer import load_gazetteer
    from geo.store.schema import folded_text
    from geo.text.normalize import fold

    rng = random.Random(seed)
    gaz = load_gazetteer()
    iraq = [
        e for e in gaz.entries if e.country == "IQ" and e.kind in ("governorate", "district", "city", "town")
    ]
    rng.shuffle(iraq)
    weights = _weights(len(iraq), 0.9)
    shapes = [r[0] for r in con.execute("SELECT shape_id FROM shapes").fetchall()]
    kinds = ["attack_area", "operations_room", "security_vacuum", "disputed_territories"]
    texts = list(articles(500, seed=seed))
    start = dt.date(2021, 1, 1)
    for first in range(0, n, batch):
        arts, places, mentions, zones = [], [], [], []
        for i in range(first, min(n, first + batch)):
            key = f"synthetic-{seed}-{i:07d}"
            base = texts[i % len(texts)]["text"]
            arts.append(
                (
                    key,
                    f"synthetic/{i}",
                    base[:60],
                    start + dt.timedelta(days=rng.randrange(365)),
                    "jsonl",
                    None,
                    "jsonl",
                    rng.choice(["ar", "ar", "en", "ckb"]),
                    base,
                    folded_text(base, fold),
                    "zone-atlas bench",
                )
            )
            for e in {id(x): x for x in rng.choices(iraq, weights=weights, k=rng.randint(3, 15))}.values():
                places.append(
                    (
                        key,
                        e.id,
                        e.name,
                        e.name_ar,
                        e.kind,
                        e.pcode,
                        e.governorate,
                        e.governorate_pcode,
                        e.district_pcode,
                        e.country,
                        e.lat,
                        e.lon,
                        0.9,
                        e.dataset,
                    )
                )
                for m in range(rng.randint(1, 4)):
                    s = 10 + 40 * m
                    mentions.append((key, e.id, s, s + 6, e.name, None, 0, 200))
            for _ in range(rng.randint(1, 5)):
                kind = rng.choices(kinds, weights=[6, 2, 1, 1])[0]
                shape = rng.choice(shapes)
                zones.append(
                    (
                        key,
                        f"{kind}:{shape[:8]}",
                        kind,
                        kind.replace("_", " "),
                        "[]",
                        0,
                        7,
                        "attack",
                        0,
                        200,
                        "[]",
                        "modified_area",
                        "{}",
                        "{}",
                        "cod_ab_iraq",
                        1000.0,
                        "[]",
                        "[]",
                        shape,
                    )
                )
        frames = {
            "a": pd.DataFrame(
                arts,
                columns=[
                    "id",
                    "source",
                    "title",
                    "published",
                    "date_source",
                    "date_flag",
                    "date_how",
                    "language",
                    "text",
                    "text_folded",
                    "analysed_with",
                ],
            ),
            "p": pd.DataFrame(
                places,
                columns=[
                    "article_id",
                    "place_key",
                    "name",
                    "name_ar",
                    "kind",
                    "pcode",
                    "governorate",
                    "governorate_pcode",
                    "district_pcode",
                    "country",
                    "lat",
                    "lon",
                    "confidence",
                    "dataset",
                ],
            ),
            "m": pd.DataFrame(
                mentions,
                columns=[
                    "article_id",
                    "place_key",
                    "start_char",
                    "end_char",
                    "text",
                    "modifier",
                    "sentence_start",
                    "sentence_end",
                ],
            ),
            "z": pd.DataFrame(
                zones,
                columns=[
                    "article_id",
                    "zone_id",
                    "kind",
                    "label",
                    "places",
                    "trigger_start",
                    "trigger_end",
                    "trigger_text",
                    "sentence_start",
                    "sentence_end",
                    "occurrences",
                    "construction",
                    "params",
                    "settings",
                    "dataset",
                    "area_km2",
                    "covers",
                    "touches",
                    "shape_id",
                ],
            ),
        }
        for name, frame in frames.items():
            con.register(f"bench_{name}", frame)
        con.execute("BEGIN TRANSACTION")
        con.execute(
            "INSERT INTO articles (id, source, title, published, date_source, date_flag, date_how, "
            "language, text, text_folded, analysed_with, ingested_at, settings, notes) "
            "SELECT *, now()::TIMESTAMP, '{}', '[]' FROM bench_a"
        )
        con.execute("INSERT INTO places SELECT *, '[]', false, ST_Point2D(lon, lat) FROM bench_p")
        con.execute(
            "INSERT INTO mentions (article_id, place_key, start_char, end_char, text, modifier, "
            "sentence_start, sentence_end) SELECT * FROM bench_m"
        )
        con.execute(
            "INSERT INTO zones (article_id, zone_id, kind, label, places, trigger_start, trigger_end, "
            "trigger_text, sentence_start, sentence_end, occurrences, construction, params, settings, "
            "dataset, area_km2, covers, touches, shape_id) SELECT * FROM bench_z"
        )
        con.execute("COMMIT")
        for name in frames:
            con.unregister(f"bench_{name}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    print(write_jsonl(args.out, args.n, seed=args.seed))
