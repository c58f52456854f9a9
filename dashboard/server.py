"""The dashboard's server: ``streamlit run dashboard/server.py`` (what ``./atlas dashboard`` runs).

It serves the app of ``dashboard/app.py`` (which also runs on its own) as a Streamlit ``st.App``
whose start-up (:func:`dashboard.loaders.warm_at_start`) fills the caches the Map page needs
*before* the server answers: the boundaries, the gazetteer, the offline basemap and its names, the
seed article's analysis, the published map libraries and boundary files, and the workspace store
with the seed in it. The address is printed once the map can be drawn at once, so the first
visitor waits no longer than the next. A cache that cannot be filled is logged and left to the
page, which says what is wrong.
"""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dashboard.loaders import warm_at_start

app = st.App("app.py", lifespan=warm_at_start)
