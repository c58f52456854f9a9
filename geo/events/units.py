"""The administrative units of an event's place: the ADM2 district holding it, from the boundaries.

A town has a governorate P-code from the gazetteer but no district; trends per district need one.
:func:`locate_districts` gives each event placed at a town, village or district level (precision 1
or 2) the P-code of the COD-AB district (ADM2) its point falls in, and the governorate (ADM1) when
it had none. A governorate-level event (precision 3) keeps no district: its point is the
governorate's centre, not the incident's.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from geo.errors import ZoneAtlasError
from geo.model import Event

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = ["locate_districts"]

log = logging.getLogger(__name__)


def locate_districts(events: list[Event], *, districts: gpd.GeoDataFrame | None = None) -> int:
    """Fill ``district_pcode`` (and a missing ``governorate_pcode``) from the district polygons.

    Parameters
    ----------
    events
        Events, changed in place.
    districts
        ADM2 polygons in EPSG:4326 with ``pcode`` and ``adm1_pcode`` columns; default: the COD-AB
        layer (:func:`geo.data.boundaries.load_level`). When it cannot be loaded, nothing is filled
        and the reason is logged.

    Returns
    -------
    int
        How many events got a district.
    """
    import numpy as np
    import shapely

    todo = [
        e
        for e in events
        if e.district_pcode is None and e.lat is not None and e.lon is not None and e.precision in (1, 2)
    ]
    if not todo:
        return 0
    if districts is None:
        from geo.data.boundaries import load_level

        try:
            districts = load_level(2)
        except ZoneAtlasError as err:
            log.warning("event districts not located: %s", err)
            return 0
    points = shapely.points(np.array([e.lon for e in todo]), np.array([e.lat for e in todo]))
    hit_point, hit_unit = districts.sindex.query(points, predicate="within")
    pcodes = districts["pcode"].to_numpy()
    parents = districts["adm1_pcode"].to_numpy() if "adm1_pcode" in districts else pcodes
    filled = 0
    for i, j in zip(hit_point, hit_unit, strict=True):
        e = todo[i]
        if e.district_pcode is None:
            e.district_pcode = str(pcodes[j])
            e.governorate_pcode = e.governorate_pcode or str(parents[j])
            filled += 1
    return filled
