"""Options several subcommands share, declared once."""

from __future__ import annotations

import argparse

from geo import config


def add_belt_options(p: argparse.ArgumentParser) -> None:
    """``--belt-km`` and ``--belt-side``: what the text leaves open about the security-vacuum belt."""
    p.add_argument(
        "--belt-km",
        type=float,
        default=config.belt_km(),
        metavar="KM",
        help="width of the security-vacuum belt in km (default 20, or $ZONE_ATLAS_BELT_KM)",
    )
    p.add_argument(
        "--belt-side",
        choices=["federal", "both"],
        default="federal",
        help="side of the Kurdistan Region line the belt covers (default federal)",
    )
