"""The corrections panel of the article view: re-resolve, drop or add a place (analysts and above).

Every correction goes to the workspace store (:meth:`geo.store.Store.re_resolve`,
:meth:`~geo.store.Store.drop_place`, :meth:`~geo.store.Store.add_place`) with who made it (the
login name, or the OS user on a login-free localhost); the store derives the article's zones
again and keeps the audit row (who, when, before, after). The map, the article view and the
Corpus page read the corrected data and say so ("corrected by X on DATE"). A viewer sees that
note and the audit trail, never the controls.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import pandas as pd
import streamlit as st

from dashboard import auth, inputs, state, workspace
from geo import accounts
from geo.errors import ZoneAtlasError
from geo.model import Candidate, Place
from geo.store import Correction, Store, search_gazetteer

log = logging.getLogger("dashboard")
ACTIONS = {
    "re-resolve": "Resolve to another place",
    "drop": "Drop a false place",
    "add": "Add a missed place",
}
FIX_ACTION = "za_fix_action"
#: Characters of context shown on each side of an occurrence of the words to add.
CONTEXT_CHARS = 30
#: Gazetteer entries offered per search.
SEARCH_LIMIT = 25


def user() -> auth.User:
    """Who is here: the logged-in account, else the local analyst (no accounts, localhost)."""
    found = st.session_state.get(auth.USER)
    return found if isinstance(found, auth.User) else auth.local_user()


def _place_label(place: Place) -> str:
    first = place.mentions[0].text if place.mentions else ""
    where = f", {place.governorate}" if place.governorate and place.governorate != place.name else ""
    return (
        f"{place.name} · {place.name_ar} ({place.kind}{where}) — “{first}”, {len(place.mentions)} mention(s)"
    )


def _entry_label(entry: Candidate) -> str:
    where = f", {entry.governorate}" if entry.governorate and entry.governorate != entry.name else ""
    return f"{entry.name} · {entry.name_ar} ({entry.kind}{where}; {entry.pcode or entry.id})"


def occurrences(text: str, words: str) -> list[tuple[int, int]]:
    """Every ``(start, end)`` at which ``words`` occurs in ``text``, in order.

    >>> occurrences("Kirkuk and Kirkuk", "Kirkuk")
    [(0, 6), (11, 17)]
    """
    words = words.strip()
    found: list[tuple[int, int]] = []
    if not words:
        return found
    start = text.find(words)
    while start >= 0:
        found.append((start, start + len(words)))
        start = text.find(words, start + 1)
    return found


def _context(text: str, span: tuple[int, int]) -> str:
    start, end = span
    before = text[max(0, start - CONTEXT_CHARS) : start].replace("\n", " ")
    after = text[end : end + CONTEXT_CHARS].replace("\n", " ")
    return f"…{before}[{text[start:end]}]{after}… (characters {start}-{end})"


def _apply(article_id: str, change: Callable[[Store], int], done: str) -> None:
    try:
        workspace.write(change)
    except ZoneAtlasError as exc:
        st.session_state[state.FIX_MESSAGE] = ("error", str(exc))
        return
    except Exception:  # a failure of the library: the analyst sees a message, the log the details
        log.exception("correction of %s failed", article_id)
        st.session_state[state.FIX_MESSAGE] = (
            "error",
            "The correction failed; the details are in the server log.",
        )
        return
    st.session_state[state.FIX_MESSAGE] = ("success", done)
    st.session_state[state.SELECTED] = None  # the list of places changed: the old ref may point elsewhere


def _entries(query: str, extra: list[Candidate]) -> list[Candidate]:
    found = [*extra, *(search_gazetteer(query, limit=SEARCH_LIMIT) if query.strip() else [])]
    seen: set[str] = set()
    return [c for c in found if not (c.id in seen or seen.add(c.id))]


def _entry_picker(entries: list[Candidate]) -> Candidate | None:
    by_id = {c.id: c for c in entries}
    if not by_id:
        st.caption("Search the gazetteer by name (Arabic or English) to choose an entry.")
        return None
    if st.session_state.get(state.FIX_ENTRY) not in by_id:
        st.session_state[state.FIX_ENTRY] = next(iter(by_id))
    chosen = st.selectbox(
        "Gazetteer entry", list(by_id), format_func=lambda i: _entry_label(by_id[i]), key=state.FIX_ENTRY
    )
    return by_id.get(chosen)


def audit_frame(history: list[Correction]) -> pd.DataFrame:
    """The audit trail as a table: when, who, what, before, after."""

    def brief(value: object) -> str:
        if isinstance(value, dict):
            return ", ".join(
                f"{k}: {v}"
                for k, v in value.items()
                if k in ("name", "pcode", "text", "date", "start", "end")
            )
        if isinstance(value, list):
            return "; ".join(brief(v) for v in value)
        return "" if value is None else str(value)

    return pd.DataFrame(
        [
            {
                "when (UTC)": f"{c.at:%Y-%m-%d %H:%M}",
                "who": c.who,
                "action": c.action,
                "before": brief(c.before),
                "after": brief(c.after),
            }
            for c in history
        ],
        columns=["when (UTC)", "who", "action", "before", "after"],
    )


def panel(record: inputs.ArticleRecord) -> None:
    """The corrections of the article shown: the audit trail, and the controls for those allowed."""
    who = user()
    try:
        history = workspace.corrections(record.key)
    except ZoneAtlasError as exc:
        st.warning(f"The workspace store cannot be read, so this article cannot be corrected: {exc}")
        return
    said = workspace.corrected_note(history)
    if said:
        st.info(f"This article's places were {said}; the map, tables and exports show the corrected data.")
    message = st.session_state.pop(state.FIX_MESSAGE, None)
    if message:
        (st.success if message[0] == "success" else st.error)(message[1])
    allowed = accounts.can(who.role, accounts.CORRECT_PLACES)
    if not allowed and not history:
        return
    with st.expander(
        f"Corrections ({len(history)})" if history else "Correct the places", expanded=bool(message)
    ):
        if history:
            st.dataframe(audit_frame(history), hide_index=True, width="stretch")
        if not allowed:
            st.caption("Only analysts and administrators can correct places.")
            return
        if not workspace.store().has_article(record.key):
            workspace.save(record)
        _controls(record, who)


def _controls(record: inputs.ArticleRecord, who: auth.User) -> None:
    stored = workspace.stored_analysis(record.key)
    action = st.radio(
        "Correction", list(ACTIONS), format_func=ACTIONS.__getitem__, key=FIX_ACTION, horizontal=True
    )
    places = {p.id: p for p in stored.places}
    if action in ("re-resolve", "drop"):
        if not places:
            st.caption("This article has no places to correct; add a missed one.")
            return
        if st.session_state.get(state.FIX_PLACE) not in places:
            st.session_state[state.FIX_PLACE] = next(iter(places))
        key = st.selectbox(
            "Place", list(places), format_func=lambda k: _place_label(places[k]), key=state.FIX_PLACE
        )
        place = places[key]
        if action == "drop":
            st.button(
                "Drop this place",
                key="za_fix_drop",
                type="primary",
                on_click=_apply,
                args=(
                    record.key,
                    lambda s: s.drop_place(record.key, key, who=who.name),
                    f"Dropped {place.name}.",
                ),
            )
            return
        query = st.text_input(
            "Search the gazetteer", key=state.FIX_QUERY, placeholder="a name in Arabic or English"
        )
        entry = _entry_picker(_entries(query, list(place.alternatives)))
        if entry is not None:
            st.button(
                "Resolve to this entry",
                key="za_fix_resolve",
                type="primary",
                on_click=_apply,
                args=(
                    record.key,
                    lambda s: s.re_resolve(record.key, key, entry.id, who=who.name),
                    f"{place.name} is now {entry.name}.",
                ),
            )
        return
    words = st.text_input(
        "The words of the missed place", key=state.FIX_WORDS, placeholder="as written in the article"
    )
    spans = occurrences(stored.text, words)
    if words.strip() and not spans:
        st.warning("These words do not occur in the article; copy them from the text as written.")
        return
    if not spans:
        return
    span = st.selectbox(
        "Occurrence", spans, format_func=lambda s: _context(stored.text, s), key=state.FIX_OCCURRENCE
    )
    query = st.text_input(
        "Search the gazetteer (empty: the words above)", key=state.FIX_ADD_QUERY, placeholder=words.strip()
    )
    entry = _entry_picker(_entries(query or words, []))
    if entry is not None and span is not None:
        start, end = span
        st.button(
            "Add this place",
            key="za_fix_add",
            type="primary",
            on_click=_apply,
            args=(
                record.key,
                lambda s: s.add_place(record.key, start, end, entry.id, who=who.name),
                f"Added {entry.name} at characters {start}-{end}.",
            ),
        )
