"""Zone Atlas dashboard entry point: ``streamlit run dashboard/app.py``.

Sets the page up, keeps the session state, loads the seed article on first visit, shows the
article selector (every page works on the article chosen there) and runs the chosen page. Errors
reach the analyst as messages, never as tracebacks.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import streamlit as st

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dashboard import inputs, loaders, state
from geo.errors import ZoneAtlasError

log = logging.getLogger("dashboard")
PAGES = (
    Path(__file__).resolve().parent / "app_pages"
)  # not "pages/": that name switches Streamlit to its legacy page discovery


def _article_selector() -> None:
    articles: dict[str, inputs.ArticleRecord] = st.session_state[state.ARTICLES]
    keys = list(articles)
    if st.session_state.get(state.CURRENT) not in keys:
        st.session_state[state.CURRENT] = keys[0]
    st.sidebar.selectbox("Article", keys, format_func=lambda k: articles[k].label, key=state.CURRENT)
    record = articles[st.session_state[state.CURRENT]]
    st.sidebar.caption(
        f"Language: **{inputs.language_name(record.lang)}** · {len(record.text):,} characters · "
        f"{record.format}"
    )


def main() -> None:
    st.set_page_config(page_title="Zone Atlas", page_icon=":world_map:", layout="wide")
    state.init()
    pages = st.navigation(
        [
            st.Page(PAGES / "map.py", title="Map", icon=":material/map:", default=True),
            st.Page(PAGES / "articles.py", title="Articles", icon=":material/article:"),
            st.Page(PAGES / "about.py", title="About and data sources", icon=":material/info:"),
        ]
    )
    try:
        loaders.publish_assets()
        if not st.session_state[state.ARTICLES]:
            key = inputs.add(st.session_state[state.ARTICLES], inputs.seed())
            st.session_state[state.CURRENT] = key
        _article_selector()
        pages.run()
    except ZoneAtlasError as exc:
        st.error(str(exc))
    except Exception:  # the analyst sees a message; the traceback goes to the server log
        log.exception("dashboard page failed")
        st.error(
            "Something went wrong while building this page. The details are in the server log; "
            "try another article or setting, or restart the dashboard."
        )


main()
