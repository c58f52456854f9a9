"""The places and zones tables of an analysis, as plain rows (one dict per place or zone).

The dashboard shows them under the map; each row starts with its ref, so picking a row selects the
place or zone on the map and in the article.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

from geo.model import Analysis
from geo.render.highlight import REVIEW_BELOW, needs_review, place_ref, unit_list, zone_ref, zone_style


def place_rows(analysis: Analysis, *, review_below: float = REVIEW_BELOW) -> list[dict[str, Any]]:
    """One row per place: ref, names, kind, governorate, P-code, mentions, confidence, review."""
    return [
        {
            "ref": place_ref(i),
            "name": p.name,
            "name_ar": p.name_ar,
            "kind": p.kind,
            "governorate": p.governorate or "",
            "pcode": p.pcode or "",
            "mentions": len(p.mentions),
            "confidence": round(float(p.confidence), 3) if math.isfinite(p.confidence) else None,
            "review": needs_review(p, review_below),
            "lat": p.lat,
            "lon": p.lon,
        }
        for i, p in enumerate(analysis.places)
    ]


def zone_rows(
    analysis: Analysis,
    *,
    styles: Mapping[str, Mapping[str, Any]] | None = None,
    unit_names: Mapping[str, str] | None = None,
) -> list[dict[str, Any]]:
    """One row per zone: ref, kind label, label, area in km2, covered districts, trigger."""
    rows = []
    for j, z in enumerate(analysis.zones):
        districts = [c for c in z.covers if _is_district(c)] or list(z.covers)
        rows.append(
            {
                "ref": zone_ref(j),
                "kind": zone_style(z.kind, styles).label,
                "label": z.label,
                "label_ar": z.label_ar,
                "area_km2": round(float(z.area_km2), 1),
                "covered_districts": unit_list(districts, unit_names, limit=1000),
                "districts": len(districts),
                "trigger": z.trigger.text,
            }
        )
    return rows


def _is_district(pcode: str) -> bool:
    return bool(re.fullmatch(r"IQG\d{2}Q\d{2}", pcode))


def _param_text(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, (list, tuple)):
        shown = ", ".join(_param_text(v) for v in value[:6])
        return f"[{shown}{', …' if len(value) > 6 else ''}]"
    return str(value)


def zone_details(analysis: Analysis) -> list[dict[str, Any]]:
    """How each zone was built, for the "Details" of the zones table (not for the map's popups).

    One row per zone: ref, label, construction (the recipe of ``data/zone_rules.toml``), its
    parameters, the boundary dataset, and the zone reading's confidence and reason when it gives them.
    """
    rows = []
    for j, z in enumerate(analysis.zones):
        confidence = getattr(z, "confidence", None)
        rows.append(
            {
                "ref": zone_ref(j),
                "label": z.label,
                "construction": z.construction,
                "parameters": "; ".join(f"{k} = {_param_text(v)}" for k, v in z.params.items()),
                "dataset": z.dataset,
                "confidence": round(float(confidence), 3) if isinstance(confidence, (int, float)) else None,
                "reason": str(getattr(z, "reason", "") or ""),
            }
        )
    return rows
