"""Zone Atlas dashboard entry point: ``streamlit run dashboard/app.py``.

Sets the page up, checks the server's settings and who is there (:func:`dashboard.auth.gate`:
unsafe settings are refused, the log-in form is shown until someone logs in), keeps the session
state, loads the seed article on first visit, shows the article selector (every page works on the
article chosen there) and runs the chosen page among those the user's role allows. Errors reach the
analyst as messages, never as tracebacks.
"""

from __future__ import annotations

import hashlib
import logging
import sys
import time
from pathlib import Path

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dashboard import auth, inputs, loaders, state, workspace
from geo import accounts
from geo.errors import ZoneAtlasError

log = logging.getLogger("dashboard")
timing = logging.getLogger("dashboard.timing")  # one line per rerun: page, session, server time
PAGES = (
    Path(__file__).resolve().parent / "app_pages"
)  # not "pages/": that name switches Streamlit to its legacy page discovery
#: Every page: file, title, icon, and the action (geo.accounts) the user's role must allow to see it.
PAGE_TABLE = (
    ("map.py", "Map", ":material/map:", accounts.VIEW_MAPS),
    ("corpus.py", "Corpus", ":material/public:", accounts.ADD_ARTICLES),  # the workspace on one map
    ("articles.py", "Articles", ":material/article:", accounts.ADD_ARTICLES),  # upload and paste
    ("about.py", "About and data sources", ":material/info:", accounts.VIEW_MAPS),
)


#: The first thing on every page: the product's name and what it does (no article text in it).
BRAND_HTML = """<style>
.za-brand{display:flex;align-items:baseline;gap:12px;flex-wrap:wrap;margin:-8px 0 2px 0}
.za-brand .za-name{font-size:1.55rem;font-weight:700;color:#1f2f4f;letter-spacing:.01em}
.za-brand .za-tag{color:#555;font-size:.92rem}
[data-testid="stSelectbox"] input{unicode-bidi:plaintext;text-align:start}
</style><div class="za-brand"><span class="za-name">Zone Atlas</span><span class="za-tag">Maps the places and
zones (joint operations rooms, the security-vacuum belt, disputed territories, attack areas) that Arabic,
Kurdish and English news about Iraq's security describes.</span></div>"""


def _article_selector() -> None:
    workspace.article_picker()  # every article of the workspace store, newest first


def _session_tag() -> str:
    """A short hash of this browser session's id (the server log never shows the id itself)."""
    ctx = get_script_run_ctx()
    raw = ctx.session_id if ctx is not None else "none"
    return hashlib.sha256(raw.encode()).hexdigest()[:10]


def main() -> None:
    """Run one rerun of the app and log its server time (``dashboard.timing``, INFO)."""
    started = time.perf_counter()
    where = {"page": "gate"}  # set as soon as the page is known (st.stop and reruns end a run early)
    try:
        _run(where)
    finally:
        ms = (time.perf_counter() - started) * 1000
        timing.info("rerun page=%s session=%s ms=%.1f", where["page"], _session_tag(), ms)


def _run(where: dict[str, str]) -> None:
    st.set_page_config(page_title="Zone Atlas", page_icon=":world_map:", layout="wide")
    seed = inputs.seed()
    loaders.warm_up(seed.text, seed.source)  # once per process: caches fill beside the first run
    user = auth.gate()
    if user is None:  # refused, or the log-in form is shown: nothing else is rendered
        return
    state.init()
    pages = st.navigation(
        [
            st.Page(PAGES / file, title=title, icon=icon, default=i == 0)
            for i, (file, title, icon, action) in enumerate(PAGE_TABLE)
            if auth.allowed(user, action)
        ]
    )
    where["page"] = pages.title
    auth.sidebar(user)
    st.html(BRAND_HTML)
    status = st.empty()
    if not st.session_state[state.WARM]:  # the first run of a session loads the data: say so
        status.info(
            "Preparing the map… (the first time, the boundaries, the gazetteer and the map libraries load)",
            icon=":material/hourglass_top:",
        )
    try:
        loaders.publish_assets()
        if not st.session_state[state.ARTICLES]:
            key = inputs.add(st.session_state[state.ARTICLES], seed)
            st.session_state[state.CURRENT] = key
        _article_selector()
        pages.run()
        st.session_state[state.WARM] = True
    except ZoneAtlasError as exc:
        st.error(str(exc))
    except Exception:  # the analyst sees a message; the traceback goes to the server log
        log.exception("dashboard page failed")
        st.error(
            "Something went wrong while building this page. The details are in the server log; "
            "try another article or setting, or restart the dashboard."
        )
    finally:
        status.empty()


# Streamlit runs this script as ``__main__``; a worker process started with ``spawn`` (the store's
# ingest pool) re-imports the main script as ``__mp_main__``, which must not run the app.
if __name__ == "__main__":
    main()
