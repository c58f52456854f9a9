"""A small dated corpus with a planted surge, for the period briefing and the Corpus timeline.

Nine quiet weeks (2024-01-01 to 2024-03-03: one attack a week, in Kirkuk, Nineveh or Anbar, and a
joint operations room in Kirkuk), then the week of 2024-03-04 with five attacks in Diyala, two of
them reported in Arabic, and one article without a date. Every text is written for these tests.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

#: The governorate and week of the planted surge.
SURGE_GOVERNORATE = ("IQG10", "Diyala")
SURGE_WEEK = dt.date(2024, 3, 4)
#: Arabic sentences of the surge week (quoted in the briefing, in logical order).
ARABIC_QUOTES = (
    "هاجم مسلحون من داعش نقطة تفتيش في قضاء المقدادية بمحافظة ديالى مما أسفر عن مقتل ثلاثة جنود وإصابة اثنين.",
    "انفجرت عبوة ناسفة على دورية للجيش في بعقوبة مما أسفر عن مقتل جنديين وإصابة أربعة آخرين.",
)
QUIET = (
    "An IED exploded near a patrol in Kirkuk, wounding one soldier.",
    "ISIS gunmen attacked a checkpoint in Mosul, killing one policeman.",
    "A rocket attack hit a base near Ramadi in Anbar, wounding two soldiers.",
    "Gunmen attacked a police post in Hawija district of Kirkuk, wounding one policeman.",
    "An IED struck a vehicle near Tal Afar in Nineveh, killing one civilian.",
    "Mortar shells fell on a village near Fallujah in Anbar, wounding three farmers.",
    "ISIS fighters attacked a Peshmerga position near Makhmour, killing one fighter.",
    "A roadside bomb exploded near Daquq in Kirkuk, wounding two soldiers.",
    "Gunmen shot dead a village headman near Sinjar in Nineveh.",
)


def articles() -> list[dict[str, str]]:
    """The corpus as JSONL records (text, date, source, title)."""
    start = dt.date(2024, 1, 1)
    out = []
    for week in range(9):
        day = start + dt.timedelta(days=7 * week + 2)
        text = QUIET[week % len(QUIET)]
        out.append(
            {"text": f"{text}\n", "date": day.isoformat(), "source": f"quiet-{week}.txt", "title": text[:48]}
        )
    out.append(
        {
            "text": "A joint operations room was formed in Kirkuk to coordinate the army and the Peshmerga.\n",
            "date": "2024-01-17",
            "source": "room.txt",
            "title": "Joint operations room in Kirkuk",
        }
    )
    surge = [
        ARABIC_QUOTES[0],
        ARABIC_QUOTES[1],
        "ISIS gunmen attacked a village in Khanaqin district of Diyala, killing two shepherds.",
        "An IED exploded near an army patrol in Baqubah in Diyala, killing one soldier and wounding three.",
        "Gunmen ambushed a police convoy near Al-Muqdadiya in Diyala, killing four policemen.",
    ]
    for i, text in enumerate(surge):
        day = SURGE_WEEK + dt.timedelta(days=i)
        out.append(
            {
                "text": f"{text}\n",
                "date": day.isoformat(),
                "source": f"diyala-{i}.txt",
                "title": f"Diyala {i}",
            }
        )
    out.append(
        {
            "text": "An IED exploded near a market in Tikrit, wounding three civilians.\n",
            "source": "undated.txt",
            "title": "Undated blast in Tikrit",
        }
    )
    return out


def write_feed(folder: Path) -> Path:
    """The corpus as ``articles.jsonl`` in ``folder``."""
    path = folder / "articles.jsonl"
    path.write_text("\n".join(json.dumps(a, ensure_ascii=False) for a in articles()), encoding="utf-8")
    return path
