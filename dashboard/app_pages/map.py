"""Map page: places and zones on the map, the article beside it, tables and downloads below.

The map is drawn first and the sidebar controls after it: the map is what the analyst waits for,
and the controls' values are in session state before the page runs. A session's first run draws
the map alone (:func:`dashboard.views.map_alone_first`); the rest comes with the next run.
"""

from __future__ import annotations

import streamlit as st

from dashboard import controls, inputs, loaders, state, views, workspace
from dashboard.corrections import panel as corrections_panel
from dashboard.downloads import render_downloads
from geo.errors import ZoneAtlasError
from geo.pipeline import Settings
from geo.render import highlight, mapframing

record: inputs.ArticleRecord = st.session_state[state.ARTICLES][st.session_state[state.CURRENT]]
styles = loaders.zone_styles()
names = loaders.unit_names()
belt_limits = loaders.belt_limits()
loaders.reference_data()
controls.prepare(styles, belt_limits)
settings = state.settings()
options = state.map_options()

try:
    with st.spinner("Reading the article…"):
        analysis = workspace.analysis_for(record, settings)  # with the stored corrections applied
        # the view frames the article's places whatever the settings, so changing them never moves it
        overview = (
            analysis
            if settings == Settings()
            else loaders.analysis_for(record.text, record.source, Settings())
        )
except ZoneAtlasError as exc:
    controls.map_controls(styles, belt_limits)  # so that the setting behind the error can be changed
    st.error(str(exc))
    st.stop()
selection_key = loaders.selection_key(record.text, settings)
state.selected(selection_key)

title = record.title.strip() or record.source
st.html(  # titles are article text
    f'<h4 dir="auto" style="margin:0;unicode-bidi:plaintext">{highlight.escape(title)}</h4>'
)
is_seed = record.source == inputs.SEED_PATH.name
seed = "The sample article · add your own under Articles · " if is_seed else ""
st.caption(
    f"{seed}{inputs.language_name(analysis.lang)} · "
    f"{len(analysis.places)} places · {len(analysis.zones)} zones · "
    f"belt {settings.belt_km:g} km ({settings.belt_side}) · "
    f"minimum confidence {settings.min_confidence:.2f} · click a place, a zone or a highlighted word"
)
if not analysis.places:
    st.warning(
        "No places were found in this article, so there is nothing to map. Check that it is about Iraq "
        "and written in Arabic, Kurdish or English, or lower the minimum confidence."
    )

bounds = mapframing.analysis_bounds(overview)
map_column, text_column = st.columns([3, 2], gap="small")
with map_column:
    views.render_map(
        analysis,
        options=options,
        styles=styles,
        bounds=bounds,
        unit_names=names,
        selection_key=selection_key,
    )
views.map_alone_first()  # a session's first run ends here: the map paints first, the rest follows
controls.map_controls(styles, belt_limits)
selected = state.selected(selection_key)
with text_column:
    views.goto_select(analysis, styles, selection_key)
    views.article_panel(analysis, styles, selected)
    corrections_panel(record)  # analysts: re-resolve, drop, add; everyone: who corrected it

# Only the open tab runs (lazy tabs): the map paints sooner, and the exports are only built when
# the analyst opens Downloads.
places_tab, zones_tab, notes_tab, downloads_tab = st.tabs(
    list(state.DETAIL_TABS), key=state.DETAILS_TAB, on_change="rerun", default=state.DETAIL_TABS[0]
)
if places_tab.open:
    with places_tab:
        views.places_table(analysis, selection_key)
if zones_tab.open:
    with zones_tab:
        views.zones_table(analysis, styles, names, selection_key)
if notes_tab.open:
    with notes_tab:
        notes = analysis.notes or ["Nothing to report."]
        st.html("<ul>" + "".join(f'<li dir="auto">{highlight.escape(n)}</li>' for n in notes) + "</ul>")
if downloads_tab.open:
    with downloads_tab:
        # --- Downloads (issue 6: dashboard/downloads.py) ------------------------------------
        render_downloads(
            analysis,
            settings,
            basemap=options.basemap,
            title=record.title,
            admin_levels=options.admin_levels,
            zone_kinds=options.zone_kinds,
            bounds=bounds,
            label_lang=options.label_lang,
        )
