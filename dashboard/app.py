"""Zone Atlas dashboard entry point: ``streamlit run dashboard/app.py``."""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st
from streamlit_folium import st_folium

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from geo import webassets, webmap  # noqa: E402
from geo.errors import ZoneAtlasError  # noqa: E402

STATIC_DIR = Path(__file__).resolve().parent / "static"


@st.cache_resource(show_spinner=False)
def _publish_assets() -> str:
    webassets.install()
    return str(webassets.publish(STATIC_DIR))


def main() -> None:
    st.set_page_config(page_title="Zone Atlas", page_icon=":world_map:", layout="wide")
    st.title("Zone Atlas")
    st.caption("Iraq's administrative boundaries (OCHA COD-AB). Hover a unit for its names and P-code.")
    basemap = st.sidebar.radio("Basemap", ["None (offline)", "OpenStreetMap (needs internet)"], index=0)
    try:
        _publish_assets()
        m = webmap.boundaries_map(basemap="osm" if basemap.startswith("OpenStreetMap") else None)
        webassets.localize(m, webmap.DASHBOARD_ASSET_URL)
    except ZoneAtlasError as exc:
        st.error(str(exc))
        return
    st_folium(m, height=640, use_container_width=True, returned_objects=[], key="boundaries-map")


main()
