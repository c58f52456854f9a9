"""Articles page: paste text or upload files (kept in the workspace store), see how each was read."""

from __future__ import annotations

import logging

import pandas as pd
import streamlit as st

from dashboard import inputs, loaders, state, workspace
from geo.errors import InputError, ZoneAtlasError
from geo.render import article

log = logging.getLogger("dashboard")


def _store(record: inputs.ArticleRecord, errors: list[str]) -> None:
    """Keep the article in the workspace store (it survives reloads and restarts)."""
    try:
        workspace.save(record)
    except ZoneAtlasError as exc:
        errors.append(f"{record.source}: shown in this session only, not kept in the workspace: {exc}")


def _take_uploads(widget_key: str) -> None:
    files = st.session_state.get(widget_key) or []
    errors: list[str] = []
    added = None
    for upload in files:
        try:
            record = inputs.from_upload(upload.name, upload.getvalue())
        except InputError as exc:
            errors.append(str(exc))
            continue
        except Exception:  # a reader failing on odd input: tell the analyst, log the details
            log.exception("reading upload %r failed", upload.name)
            errors.append(f"{upload.name}: the file could not be read as an article.")
            continue
        added = inputs.add(st.session_state[state.ARTICLES], record)
        _store(record, errors)
    if added is not None:
        st.session_state[state.CURRENT] = added
    st.session_state[state.INPUT_ERRORS] = errors
    st.session_state[state.UPLOAD_NONCE] += 1  # a fresh, empty uploader next time


def _take_paste() -> None:
    text = st.session_state.get(state.PASTE_TEXT) or ""
    count = sum(
        r.format == "text" and r.source.startswith("Pasted text")
        for r in st.session_state[state.ARTICLES].values()
    )
    name = (st.session_state.get(state.PASTE_NAME) or "").strip() or f"Pasted text {count + 1}"
    try:
        record = inputs.from_text(text, name)
    except InputError as exc:
        st.session_state[state.INPUT_ERRORS] = [str(exc)]
        return
    st.session_state[state.CURRENT] = inputs.add(st.session_state[state.ARTICLES], record)
    errors: list[str] = []
    _store(record, errors)
    st.session_state[state.INPUT_ERRORS] = errors
    st.session_state[state.PASTE_TEXT] = ""
    st.session_state[state.PASTE_NAME] = ""


def _remove_current() -> None:
    articles = st.session_state[state.ARTICLES]
    if len(articles) > 1:
        articles.pop(st.session_state[state.CURRENT], None)
        st.session_state[state.CURRENT] = next(iter(articles))


st.markdown("#### Articles")
upload_column, paste_column = st.columns(2)
with upload_column:
    widget_key = f"{state.UPLOADS}-{st.session_state[state.UPLOAD_NONCE]}"
    st.file_uploader(
        f"Upload articles ({', '.join('.' + t for t in inputs.UPLOAD_TYPES)}; several at once; "
        f"up to {inputs.MAX_UPLOAD_BYTES / 1e6:g} MB each)",
        type=list(inputs.UPLOAD_TYPES),
        accept_multiple_files=True,
        key=widget_key,
        max_upload_size=inputs.UPLOAD_BOX_MB,
        on_change=_take_uploads,
        args=(widget_key,),
    )
with paste_column, st.form(state.PASTE_FORM, clear_on_submit=False, border=False):
    st.text_input("Name (optional)", key=state.PASTE_NAME, placeholder="Pasted text")
    st.text_area(
        "Or paste an article",
        key=state.PASTE_TEXT,
        height=140,
        max_chars=inputs.MAX_CHARS,
        placeholder="Arabic, Kurdish or English news text",
    )
    st.form_submit_button("Add pasted text", on_click=_take_paste)

for message in st.session_state[state.INPUT_ERRORS]:
    st.error(message)
st.session_state[state.INPUT_ERRORS] = []

articles: dict[str, inputs.ArticleRecord] = st.session_state[state.ARTICLES]
st.dataframe(
    pd.DataFrame(
        [
            {
                "current": key == st.session_state[state.CURRENT],
                "source": r.source,
                "title": r.title,
                "language": inputs.language_name(r.lang),
                "format": r.format,
                "encoding": r.encoding,
                "characters": len(r.text),
            }
            for key, r in articles.items()
        ]
    ),
    hide_index=True,
    width="stretch",
    column_config={"current": st.column_config.CheckboxColumn("Shown", width="small")},
)
st.caption(
    "The articles opened in this session. Every upload and pasted text is kept in the workspace "
    f"({workspace.folder()}): choose any stored article with the picker in the sidebar."
)
st.button("Close the shown article", on_click=_remove_current, disabled=len(articles) < 2)

record = articles[st.session_state[state.CURRENT]]
analysis = loaders.analysis_for(record.text, record.source, state.settings())
st.markdown("##### The text as read")
st.caption(
    f"{len(analysis.places)} places, {len(analysis.zones)} zones. Offsets in every export refer to this text."
)
with st.container(height=420, border=True):
    st.html(article.article_html(analysis, styles=loaders.zone_styles()))
