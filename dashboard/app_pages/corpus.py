"""Corpus page: every stored article of the filters on one map, and the table of those articles.

Places are aggregated per district or governorate in the store (a choropleth of mention counts:
polygons with counts, never one point per mention); zones are drawn per kind, more opaque the more
articles describe them. Every popup lists the articles behind the feature, with their dates and a
link that opens the article on the Map page; a click on a feature lists them under the map too,
with buttons. Choosing a row of the table opens that article.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlsplit

import folium
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from dashboard import loaders, state, workspace
from dashboard import timeline as events_over_time
from geo.data import boundaries
from geo.render import highlight, webassets, webmap
from geo.render.mapbase import FastPopup
from geo.store import Filters

MAP_HEIGHT = 560
#: Articles listed in one popup (the rest are counted).
POPUP_ARTICLES = 12
MAP_PAGE = "app_pages/map.py"
OPEN_REQUEST = "za_corpus_open"  # set by a callback: switch to the Map page on this run
CHOROPLETH = ("#fee8c8", "#fdbb84", "#fc8d59", "#e34a33", "#b30000")


def _open(article_id: str) -> None:
    st.session_state[state.CURRENT] = article_id
    st.session_state[OPEN_REQUEST] = True


def _row_chosen(ids: list[str]) -> None:
    rows = st.session_state[state.CORPUS_TABLE]["selection"]["rows"]
    if rows:
        _open(ids[rows[0]])


def _map_page_url() -> str:
    """The Map page's address (the default page: the app's root), for links out of the map's frame."""
    parts = urlsplit(str(st.context.url or ""))
    root = parts.path.rsplit("/", 1)[0] + "/"
    return f"{parts.scheme}://{parts.netloc}{root}" if parts.netloc else root


def _popup(title: str, lines: list[str], behind: list[tuple[str, str, str | None]]) -> str:
    base = highlight.escape(_map_page_url())
    items = "".join(
        f'<li dir="auto"><a href="{base}?article={highlight.escape(i)}" target="_top">'
        f"{highlight.escape(t)}</a> "
        f"<small>{highlight.escape(d or 'undated')}</small></li>"
        for i, t, d in behind[:POPUP_ARTICLES]
    )
    more = f"<p>and {len(behind) - POPUP_ARTICLES} more</p>" if len(behind) > POPUP_ARTICLES else ""
    body = "".join(f"<div>{highlight.escape(line)}</div>" for line in lines)
    head = f'<b dir="auto">{highlight.escape(title)}</b>'
    return f'<div style="max-width:320px">{head}{body}<ul>{items}</ul>{more}</div>'


def _shade(count: float, top: float) -> str:
    share = 0.0 if top <= 0 else count / top
    return CHOROPLETH[min(int(share * len(CHOROPLETH)), len(CHOROPLETH) - 1)]


def _unit_group(layer: Any, level: str) -> folium.FeatureGroup:
    group = folium.FeatureGroup(name=f"Mentions per {level}")
    top = float(layer["mentions"].max()) if len(layer) else 0.0
    for row in layer.itertuples():
        lines = [f"{int(row.mentions)} mentions · {int(row.places)} places · {int(row.articles)} articles"]
        colour = _shade(float(row.mentions), top)
        folium.GeoJson(
            row.geometry.__geo_interface__,
            style_function=lambda _f, c=colour: {
                "fillColor": c,
                "color": "#7a2e00",
                "weight": 1,
                "fillOpacity": 0.65,
            },
            tooltip=highlight.escape(
                f"{row.pcode} · {row.name_en}: {int(row.mentions)} mentions in {int(row.articles)} articles"
            ),
            popup=FastPopup(_popup(f"{row.name_en} ({row.pcode})", lines, list(row.behind)), max_width=340),
        ).add_to(group)
    return group


def _zone_groups(
    layer: Any, styles: dict[str, dict[str, Any]], kinds: list[str]
) -> list[folium.FeatureGroup]:
    groups = []
    top = float(layer["articles"].max()) if len(layer) else 0.0
    for kind in [k for k in layer["kind"].unique() if not kinds or k in kinds]:
        style = highlight.zone_style(kind, styles)
        group = folium.FeatureGroup(name=f"{style.label} (by articles)")
        for row in layer[layer["kind"] == kind].itertuples():
            opacity = 0.1 + 0.6 * (float(row.articles) / top if top else 0.0)
            span = (
                row.first_date if row.first_date == row.last_date else f"{row.first_date} to {row.last_date}"
            )
            lines = [f"{style.label} · {int(row.articles)} articles", f"dates: {span or 'undated'}"]
            folium.GeoJson(
                row.geometry.__geo_interface__,
                style_function=lambda _f, s=style, o=opacity: {
                    "fillColor": s.fill_colour,
                    "color": s.colour,
                    "weight": 1.5,
                    "fillOpacity": o,
                },
                tooltip=highlight.escape(f"{row.zone_id} · {row.label}: {int(row.articles)} articles"),
                popup=FastPopup(_popup(str(row.label), lines, list(row.behind)), max_width=340),
            ).add_to(group)
        groups.append(group)
    return groups


def _dates(frame: pd.DataFrame) -> pd.Series:
    return pd.to_datetime(frame["date"], errors="coerce").dt.date


if st.session_state.pop(OPEN_REQUEST, False):
    st.switch_page(MAP_PAGE)

styles = loaders.zone_styles()
everything = workspace.articles()
st.markdown("#### Corpus")
if everything.empty:
    st.info("The workspace is empty: upload or paste articles on the Articles page.")
    st.stop()

governorates = boundaries.load_level(1, web=True)[["pcode", "name_en"]].sort_values("name_en")
gov_names = dict(zip(governorates["pcode"], governorates["name_en"], strict=True))
languages = sorted(everything["lang"].dropna().unique())
days = _dates(everything)
dated = days.dropna()

top = st.columns([3, 2, 2, 2])
search = top[0].text_input("Search the texts", key=state.CORPUS_SEARCH, placeholder="Arabic or English words")
langs = top[1].multiselect("Language", languages, key=state.CORPUS_LANGS)
kinds = top[2].multiselect(
    "Zone kind",
    list(styles),
    format_func=lambda k: highlight.zone_style(k, styles).label,
    key=state.CORPUS_KINDS,
)
govs = top[3].multiselect(
    "Governorate", list(gov_names), format_func=gov_names.__getitem__, key=state.CORPUS_GOVERNORATES
)
low, high = (dated.min(), dated.max()) if len(dated) else (None, None)
second = st.columns([4, 2, 2])
date_range: tuple[dt.date, dt.date] | None = None
if low is not None and low < high:
    kept = st.session_state.get(state.CORPUS_DATES)
    if kept is not None and not (low <= kept[0] <= kept[1] <= high):  # the corpus grew or shrank
        start, end = max(kept[0], low), min(kept[1], high)
        st.session_state[state.CORPUS_DATES] = (start, end) if start <= end else (low, high)
    date_range = second[0].slider(
        "Dates", min_value=low, max_value=high, value=(low, high), key=state.CORPUS_DATES, format="YYYY-MM-DD"
    )
elif low is not None:
    second[0].caption(f"Every dated article is of {low.isoformat()}.")
undated = second[1].checkbox("Include undated articles", value=True, key=state.CORPUS_UNDATED)
level = second[2].radio("Count places per", list(workspace.LEVELS), horizontal=True, key=state.CORPUS_LEVEL)

matching = workspace.articles(Filters(search=search or None))
if langs:
    matching = matching[matching["lang"].isin(langs)]
if kinds:
    with_kind = workspace.zones(Filters(search=search or None))
    matching = matching[matching["id"].isin(set(with_kind.loc[with_kind["kind"].isin(kinds), "article_id"]))]
if govs:
    found = workspace.places(Filters(search=search or None))
    matching = matching[
        matching["id"].isin(set(found.loc[found["governorate_pcode"].isin(govs), "article_id"]))
    ]
events = workspace.events(Filters(ids=tuple(sorted(str(i) for i in matching["id"]))))
day = _dates(matching)
keep = day.isna() if undated else pd.Series(False, index=matching.index)
if date_range is not None:
    keep |= day.notna() & (day >= date_range[0]) & (day <= date_range[1])
else:
    keep |= day.notna()
matching = workspace.newest_first(matching[keep])
ids = [str(i) for i in matching["id"]]
filters = Filters(ids=tuple(sorted(ids)))

n_undated = int(_dates(matching).isna().sum())
st.caption(
    f"{len(matching)} of {len(everything)} articles in the workspace match"
    + (
        f"; {n_undated} of them are undated (shown as undated in the table and in the popups)"
        if n_undated
        else ""
    )
    + (
        f"; {int(days.isna().sum())} undated articles are left out"
        if not undated and days.isna().any()
        else ""
    )
    + "."
)

events_over_time.chart(events)
week = events_over_time.time_lapse(events_over_time.timeline.week_starts(events))
shown = events_over_time.in_view(events, date_range, week, undated=undated)
units = workspace.unit_layer(filters, level)
zones = workspace.zone_layer(filters)
m = webmap.analysis_base_map(basemap=None, admin_levels=(1,), bounds=None, styles=styles, layer_control=False)
webassets.localize(m, webmap.DASHBOARD_ASSET_URL)
layers = [
    _unit_group(units, level),
    *_zone_groups(zones, styles, kinds),
    events_over_time.event_group(shown, _map_page_url()),
]
centre, zoom = events_over_time.framing()
result = st_folium(
    m,
    key=state.CORPUS_MAP,
    center=centre,
    zoom=zoom,
    height=MAP_HEIGHT,
    use_container_width=True,
    returned_objects=["last_object_clicked_tooltip"],
    feature_group_to_add=layers,
    layer_control=folium.LayerControl(collapsed=True),
    render=False,
)
corrected = int(matching["corrected"].sum())
st.caption(
    f"{len(units)} {level}s mentioned · {len(zones)} zones · {len(shown)} events"
    + (f" (week of {week.isoformat()})" if week else "")
    + f" · colour: mentions per {level} · zone opacity: number of articles describing it · circles: "
    "events by type, sized by casualties"
    + (
        f" · {corrected} corrected by analysts (their corrected places and zones are shown)"
        if corrected
        else ""
    )
)

events_over_time.heat_and_surges(events, gov_names, date_range)
events_over_time.briefing_button(date_range or ((low, high) if low is not None else None), langs, govs)

clicked = str((result or {}).get("last_object_clicked_tooltip") or "")
key = clicked.split(" · ", 1)[0] if " · " in clicked else ""
behind: list[tuple[str, str, str | None]] = []
if key:
    unit_rows = units[units["pcode"] == key]
    zone_rows = zones[zones["zone_id"] == key]
    behind = (
        list(unit_rows.iloc[0]["behind"])
        if len(unit_rows)
        else (list(zone_rows.iloc[0]["behind"]) if len(zone_rows) else [])
    )
if behind:
    st.markdown(f"##### Articles behind {highlight.escape(clicked.split(':', 1)[0])}")
    for i, (article_id, title, date) in enumerate(behind):
        st.button(
            f"{title} · {date or 'undated'}",
            key=f"za_corpus_open_{i}",
            on_click=_open,
            args=(article_id,),
            icon=":material/open_in_new:",
        )

notes = workspace.corrected_notes()
table = matching.assign(
    date=[d.isoformat() if d is not None and d == d else "undated" for d in _dates(matching)],
    corrected=[notes.get(str(i), "") for i in matching["id"]],
)[["date", "title", "source", "lang", "places", "zones", "corrected", "date_source"]]
st.dataframe(
    table,
    hide_index=True,
    width="stretch",
    key=state.CORPUS_TABLE,
    on_select=lambda: _row_chosen(ids),
    selection_mode="single-row",
    column_config={
        "date": "Date",
        "title": st.column_config.TextColumn("Title", width="large"),
        "source": "Source",
        "lang": "Language",
        "places": st.column_config.NumberColumn("Places", format="%d"),
        "zones": st.column_config.NumberColumn("Zones", format="%d"),
        "corrected": "Corrections",
        "date_source": "Date from",
    },
)
st.caption("Choose a row to open the article on the Map page; sort by clicking a column header.")
