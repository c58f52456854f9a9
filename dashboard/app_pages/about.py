"""About page: what Zone Atlas does, the datasets and map libraries it uses, their licences."""

from __future__ import annotations

import json

import pandas as pd
import streamlit as st

from geo.data import boundaries, sources
from geo.render import webassets

st.markdown("#### About Zone Atlas")
st.markdown(
    """
Zone Atlas reads Arabic, Kurdish and English news about Iraq's security and maps what the text
describes: every **place** it names (resolved against the OCHA administrative boundaries and a
gazetteer, with a confidence) and the **zones** it speaks of: joint operations rooms, the
*security vacuum* belt between the Kurdistan Region and federal Iraq, the disputed territories and
the areas of attacks. Every zone keeps the sentence and trigger words that created it.

What the text leaves open (how wide the vacuum belt is, on which side) is a control on the Map page.
Places resolved with low confidence are marked for review. The map paints with no internet
connection: the map libraries are served by this dashboard, and the OpenStreetMap basemap is
off unless you switch it on.
"""
)

st.markdown("##### Datasets")
st.dataframe(
    pd.DataFrame(sources.describe())[["title", "publisher", "license", "attribution", "version", "landing"]],
    hide_index=True,
    width="stretch",
    column_config={"landing": st.column_config.LinkColumn("Source"), "license": "Licence"},
)
st.caption(
    f"Boundaries in use: {boundaries.dataset_version()}. Zone rules: data/zone_rules.toml; "
    "disputed districts: data/disputed_districts.toml (each entry names its sources)."
)

st.markdown("##### Map libraries (served locally)")
rows = []
try:
    root = webassets.node_modules()
    for name in json.loads((webassets.PACKAGE_DIR / "package.json").read_text())["dependencies"]:
        meta = json.loads((root / name / "package.json").read_text())
        rows.append({"library": name, "version": meta.get("version", ""), "licence": meta.get("license", "")})
except (OSError, ValueError, KeyError) as exc:
    st.warning(f"Could not read the map libraries' metadata ({exc}).")
if rows:
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
st.caption("Python: Streamlit, streamlit-folium, folium (Leaflet), GeoPandas, Shapely, pyproj.")

st.markdown("##### Running it")
st.markdown(
    """
`./atlas dashboard` starts this dashboard on <http://localhost:8501>, reachable from this machine
only. To let others on the network use it, see *Exposing the dashboard* in the README.
"""
)
