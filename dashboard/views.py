"""The Map page's building blocks: the linked map, article panel, selector and tables.

Map and article are linked both ways through one selected *ref* (``P3``, ``Z1``; see
:mod:`geo.render.highlight`): a click on a marker or zone selects it and the article panel shows and
scrolls to its sentences; choosing a row in a table or an entry in the "go to" list selects it
and centres the map on it, without rebuilding the map.
"""

from __future__ import annotations

import hashlib
import pickle
from collections.abc import Mapping
from functools import partial
from typing import Any

import folium
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from dashboard import events_view, loaders, mapscript, state
from geo.model import Analysis
from geo.render import article, highlight, mapcontrols, mapframing, tables, webassets, webmap

MAP_HEIGHT = 620
ARTICLE_HEIGHT = 520
#: What a click on the map sends back: a counter of clicks on map objects (so that clicking the
#: same marker again still counts) and the clicked object's tooltip. Nothing is sent on pan or zoom.
CLICK_OBJECTS = ["last_object_clicked_count", "last_object_clicked_tooltip"]
#: Longest quote above the article panel (popups quote less).
PANEL_QUOTE_CHARS = 600
#: Scrolls the article panel (only it, never the page) to the selected mention or trigger. ANCHOR is
#: replaced by an id made of a fixed prefix and an integer (geo.render.highlight.focus_id), never by text;
#: BOX by the panel's container key.
SCROLL_SCRIPT = """<script>(function () {
  var e = document.getElementById("ANCHOR"), box = e && e.closest(".st-key-BOX");
  if (!box || box.scrollHeight <= box.clientHeight) return;
  box.scrollTop += e.getBoundingClientRect().top - box.getBoundingClientRect().top - box.clientHeight / 4;
})();</script>"""


def render_map(
    analysis: Analysis,
    *,
    options: state.MapOptions,
    styles: Mapping[str, Mapping[str, Any]],
    bounds: list[list[float]] | None,
    unit_names: Mapping[str, str],
    selection_key: str,
) -> None:
    """Draw the map; a click on a place or zone selects it (clicks on boundaries select nothing).

    The base map (offline basemap, controls, view) is only rebuilt in the browser when the
    article or the mini-map changes. Everything a control switches travels as
    ``feature_group_to_add`` (boundary levels, OpenStreetMap, names, zones, places), so a control
    change swaps those layers in place, and panning or zooming never reruns the page. The
    boundaries' data is not in the map's script: the page loads their published files once.
    """
    m = webmap.analysis_base_map(
        basemap=None,
        admin_levels=(),
        bounds=bounds,
        styles=styles,
        layer_control=False,
        minimap=options.minimap,
        base_names=False,
    )
    webassets.localize(m, webmap.DASHBOARD_ASSET_URL)
    urls = loaders.boundary_urls()
    layers = mapscript.layers(
        ("controls", options.basemap, options.admin_levels, options.label_lang, tuple(urls.items())),
        partial(
            webmap.control_layers,
            basemap=options.basemap,
            admin_levels=options.admin_levels,
            boundary_urls=urls,
            label_lang=options.label_lang,
        ),
    )
    digest = hashlib.sha256(pickle.dumps(analysis)).hexdigest()  # styles and unit names are fixed
    layers += mapscript.layers(
        ("analysis", digest, options.zone_kinds, options.label_lang),
        partial(
            webmap.analysis_layers,
            analysis,
            styles=styles,
            zone_kinds=options.zone_kinds,
            unit_names=unit_names,
            label_lang=options.label_lang,
        ),
        start=len(layers),
    )
    view = st.session_state.get(state.VIEW)
    centre = zoom = None
    if view is not None:
        (lat, lon), zoom, nonce = view
        centre = (lat + nonce * 1e-9, lon)  # a new request to the same place still moves the map
    result = st_folium(
        m,
        key=state.MAP,
        height=MAP_HEIGHT,
        use_container_width=True,
        returned_objects=CLICK_OBJECTS,
        feature_group_to_add=layers,
        layer_control=folium.LayerControl(collapsed=True),
        center=centre,
        zoom=zoom,
        render=False,  # st_folium renders the map itself; a second full render only costs time
    )
    click = tuple((result or {}).get(name) for name in CLICK_OBJECTS)
    if click[0] and click != st.session_state.get(state.LAST_MAP_CLICK):
        st.session_state[state.LAST_MAP_CLICK] = click
        ref = highlight.parse_ref(click[1])  # every place and zone tooltip starts with its ref
        if highlight.resolve_ref(analysis, ref) is not None:
            state.select(ref, selection_key)
    legend(analysis, styles, options)
    if view is not None:  # a "go to" or a table row: open the popup of what the map was moved to
        ref = highlight.parse_ref(st.session_state.get(state.SELECTED))
        if ref is not None:
            script = FOCUS_SCRIPT.replace("REF", ref).replace("NONCE", str(int(view[2])))
            st.html(script, unsafe_allow_javascript=True)


#: Seconds after which the rest of the page is drawn if the map has not reported its first view.
REST_AFTER_S = 2.5


def map_alone_first() -> None:
    """On a session's first Map run, end the run after the map (the page's first paint).

    The browser then builds the map before anything else, instead of the controls, the article
    and the tables first. The map reports its first view as soon as it is drawn; the rerun that
    report causes is warm and draws the rest. Should no report come (a map that failed to draw),
    a timer reruns the page after :data:`REST_AFTER_S` seconds all the same.
    """
    if st.session_state[state.WARM]:
        st.session_state[state.MAP_FIRST] = False
        return
    st.session_state[state.WARM] = True
    _rest_later()  # in this run it draws nothing; its timer runs it again later
    st.session_state[state.MAP_FIRST] = True
    st.stop()


@st.fragment(run_every=REST_AFTER_S)
def _rest_later() -> None:
    if st.session_state.get(state.MAP_FIRST):  # the map never reported: draw the rest anyway
        st.session_state[state.MAP_FIRST] = False
        st.rerun(scope="app")


def legend(analysis: Analysis, styles: Mapping[str, Mapping[str, Any]], options: state.MapOptions) -> None:
    """The legend of what the map shows, as a strip under it (never over the map)."""
    kinds = [z.kind for z in analysis.zones if options.zone_kinds is None or z.kind in options.zone_kinds]
    strip = mapcontrols.legend_strip_html(
        styles, zone_kinds=kinds, place_kinds=[p.kind for p in analysis.places]
    )
    st.html(f"<style>{mapcontrols.LEGEND_STRIP_CSS}</style>{strip}")


#: Opens the popup of a place or zone the map was asked to centre on. REF is a ref checked by
#: geo.render.highlight.parse_ref (a letter and digits), NONCE the view's counter (a new request runs
#: the script again); neither is ever article text.
FOCUS_SCRIPT = """<script>(function () { /* NONCE */
  var tries = 0;
  (function go() {
    var f = document.querySelector('iframe[title="streamlit_folium.st_folium"]'), w = f && f.contentWindow;
    if (w && w.zaFocus && w.zaFocus("REF")) return;
    if (++tries < 50) setTimeout(go, 200);
  })();
})();</script>"""
#: A click on a highlighted word of the article centres the map on its place or zone and opens its
#: popup, in the browser (no rerun). Installed once per page.
TEXT_LINK_SCRIPT = """<script>(function () {
  if (window.__zaTextLinks) return;
  window.__zaTextLinks = true;
  document.addEventListener("click", function (e) {
    var el = e.target && e.target.closest && e.target.closest(".za-article [data-ref]");
    if (!el) return;
    var f = document.querySelector('iframe[title="streamlit_folium.st_folium"]'), w = f && f.contentWindow;
    if (!w || !w.zaFocus) return;
    var refs = (el.getAttribute("data-ref") || "").split(/\\s+/);
    for (var i = 0; i < refs.length; i++) if (refs[i] && w.zaFocus(refs[i])) return;
  });
})();</script>"""


def _ref_label(analysis: Analysis, ref: str | None, styles: Mapping[str, Mapping[str, Any]]) -> str:
    if ref is None:
        return "—"
    target = highlight.resolve_ref(analysis, ref)
    if target is None:
        return ref
    if ref.startswith("P"):
        return f"{ref} · {target.name} ({target.kind})"
    return f"{ref} · {target.label} [{highlight.zone_style(target.kind, styles).label}]"


def _go_to(analysis: Analysis, selection_key: str) -> None:
    ref = st.session_state.get(state.GOTO)
    state.select(ref, selection_key, centre=mapframing.focus_view(analysis, ref))


def goto_select(analysis: Analysis, styles: Mapping[str, Mapping[str, Any]], selection_key: str) -> None:
    """A list of every place and zone; choosing one selects it and centres the map on it."""
    refs = [
        None,
        *(highlight.place_ref(i) for i in range(len(analysis.places))),
        *(highlight.zone_ref(j) for j in range(len(analysis.zones))),
    ]
    current = st.session_state.get(state.SELECTED)
    st.session_state[state.GOTO] = current if current in refs else None
    st.selectbox(
        "Go to place or zone",
        refs,
        format_func=lambda r: _ref_label(analysis, r, styles),
        key=state.GOTO,
        on_change=_go_to,
        args=(analysis, selection_key),
    )


def article_panel(analysis: Analysis, styles: Mapping[str, Mapping[str, Any]], selected: str | None) -> None:
    """The sentences of the selection, then the whole article with every mention highlighted."""
    if selected is not None and highlight.resolve_ref(analysis, selected) is not None:
        st.html(
            article.selection_html(analysis, selected, max_chars=PANEL_QUOTE_CHARS)
            + f"<style>{article.ARTICLE_CSS}</style>"
        )
    st.caption("Click a highlighted word to show its place or zone on the map.")
    with st.container(height=ARTICLE_HEIGHT, border=True, key=state.ARTICLE_BOX):
        st.html(article.article_html(analysis, styles=styles, selected=selected))
    st.html(TEXT_LINK_SCRIPT, unsafe_allow_javascript=True)
    anchor = highlight.focus_id(analysis, selected)  # "za-m-<int>": never text from the article
    if anchor is not None:
        script = SCROLL_SCRIPT.replace("ANCHOR", anchor).replace("BOX", state.ARTICLE_BOX)
        st.html(script, unsafe_allow_javascript=True)
    events_view.events_table(analysis)  # the incidents the article reports


def _table_selected(analysis: Analysis, selection_key: str, table_key: str, refs: list[str]) -> None:
    rows = st.session_state[table_key]["selection"]["rows"]
    if rows:
        ref = refs[rows[0]]
        state.select(ref, selection_key, centre=mapframing.focus_view(analysis, ref))


def places_table(analysis: Analysis, selection_key: str) -> None:
    """Sortable table of places; choosing a row selects the place and centres the map on it."""
    rows = tables.place_rows(analysis)
    if not rows:
        st.info("No places to list.")
        return
    frame = pd.DataFrame(rows)[
        ["ref", "name", "name_ar", "kind", "governorate", "pcode", "mentions", "confidence", "review"]
    ]
    review = int(frame["review"].sum())
    if review:
        st.warning(
            f"{review} place(s) resolved with confidence below {highlight.REVIEW_BELOW:.2f}: check them "
            "(dashed markers on the map, ticked under Review)."
        )
    st.dataframe(
        frame,
        hide_index=True,
        width="stretch",
        key=state.PLACES_TABLE,
        on_select=partial(_table_selected, analysis, selection_key, state.PLACES_TABLE, list(frame["ref"])),
        selection_mode="single-row",
        column_config={
            "ref": st.column_config.TextColumn("Ref", width="small"),
            "name": "Name",
            "name_ar": "Arabic name",
            "kind": "Kind",
            "governorate": "Governorate",
            "pcode": "P-code",
            "mentions": st.column_config.NumberColumn("Mentions", format="%d"),
            "confidence": st.column_config.ProgressColumn(
                "Confidence", min_value=0.0, max_value=1.0, format="%.2f"
            ),
            "review": st.column_config.CheckboxColumn("Review"),
        },
    )


def zones_table(
    analysis: Analysis,
    styles: Mapping[str, Mapping[str, Any]],
    unit_names: Mapping[str, str],
    selection_key: str,
) -> None:
    """Sortable table of zones; choosing a row selects the zone and centres the map on it."""
    rows = tables.zone_rows(analysis, styles=styles, unit_names=unit_names)
    if not rows:
        st.info(
            "No zones: the article names no operations room, vacuum belt, disputed area or attack area "
            "that could be tied to a place."
        )
        return
    frame = pd.DataFrame(rows)[
        ["ref", "kind", "label", "area_km2", "districts", "covered_districts", "trigger"]
    ]
    st.dataframe(
        frame,
        hide_index=True,
        width="stretch",
        key=state.ZONES_TABLE,
        on_select=partial(_table_selected, analysis, selection_key, state.ZONES_TABLE, list(frame["ref"])),
        selection_mode="single-row",
        column_config={
            "ref": st.column_config.TextColumn("Ref", width="small"),
            "kind": "Kind",
            "label": "Zone",
            "area_km2": st.column_config.NumberColumn("Area (km²)", format="%.0f"),
            "districts": st.column_config.NumberColumn("Districts", format="%d"),
            "covered_districts": "Covered districts",
            "trigger": "Trigger words",
        },
    )
    with st.expander("Details: how each zone was built"):
        st.dataframe(
            pd.DataFrame(tables.zone_details(analysis)),
            hide_index=True,
            width="stretch",
            column_config={
                "ref": st.column_config.TextColumn("Ref", width="small"),
                "label": "Zone",
                "construction": "Construction",
                "parameters": "Parameters",
                "dataset": "Boundaries",
                "confidence": st.column_config.NumberColumn("Confidence", format="%.2f"),
                "reason": "Why here",
            },
        )
