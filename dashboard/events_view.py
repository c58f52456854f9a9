"""The article view's events: one row per incident the article reports, in a compact table.

Type, date and where it came from, place and precision, actors, killed and wounded, and the
sentence it was read from. A stored article shows its stored events (dated against the article's
date); an article not stored shows the events of its analysis.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import state, workspace
from geo.errors import ZoneAtlasError
from geo.model import Analysis
from geo.render import timeline
from geo.store import Filters


def _events_of(analysis: Analysis) -> pd.DataFrame:
    key = st.session_state.get(state.CURRENT)
    if key:
        try:
            if workspace.store().has_article(str(key)):
                return workspace.events(Filters(ids=(str(key),)))
        except ZoneAtlasError:  # the store cannot be read: the analysis still has its events
            pass
    return timeline.analysis_events(analysis, article_id=str(key or analysis.source), title=analysis.source)


def events_table(analysis: Analysis) -> None:
    """The events table under the article (nothing when the article reports no incident)."""
    events = _events_of(analysis)
    if not len(events):
        st.caption("No incident (attack, security arrangement, displacement) was read in this article.")
        return
    days = pd.to_datetime(events["date"], errors="coerce")
    rows = pd.DataFrame(
        {
            "type": [timeline.type_label(str(t)) for t in events["type"]],
            "date": [d.date().isoformat() if d == d else "undated" for d in days],
            "date from": [timeline.DATE_SOURCES.get(str(s), str(s)) for s in events["date_source"]],
            "place": [str(p) if isinstance(p, str) else "—" for p in events["place_name"]],
            "precision": [
                timeline.PRECISIONS.get(timeline.count_of(p) or 0, "—") for p in events["precision"]
            ],
            "actors": [timeline.actor_names(a) for a in events["actors"]],
            "killed": [timeline.count_of(k) for k in events["killed"]],
            "wounded": [timeline.count_of(w) for w in events["wounded"]],
            "quote": [str(q or "") for q in events["quote"]],
        }
    )
    st.markdown(f"##### Events ({len(rows)})")
    st.dataframe(
        rows,
        hide_index=True,
        width="stretch",
        key="za_article_events",
        column_config={
            "killed": st.column_config.NumberColumn("Killed", format="%d"),
            "wounded": st.column_config.NumberColumn("Wounded", format="%d"),
            "quote": st.column_config.TextColumn("Quote", width="large"),
        },
    )
