"""Content-addressed zone polygons: the key a shape is stored under in the ``shapes`` table."""

from __future__ import annotations

import hashlib


def shape_key(geometry: object) -> tuple[str, bytes]:
    """``(shape_id, wkb)`` of a shapely geometry: the id is the SHA-256 of its WKB (first 32 hex digits)."""
    import shapely

    blob = shapely.to_wkb(geometry)
    return hashlib.sha256(blob).hexdigest()[:32], blob
