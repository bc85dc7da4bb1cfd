"""Rendering helpers: record and user text only ever reaches the page escaped."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any

import polars as pl
import streamlit as st

from eligibility.build.records import study_url
from eligibility.explore.export import to_csv_bytes
from eligibility.explore.filters import Filters


def md(text: str) -> str:
    """User-typed text made safe to place inside Streamlit markdown (no links, images or HTML)."""
    return re.sub(r"([\\`*_{}\[\]()<>#+\-.!|~])", r"\\\1", text)


def highlight(text: str, cue: str | None) -> str:
    """Escaped text with the first occurrence of ``cue`` wrapped in <mark>."""
    if cue:
        start = text.lower().find(cue.lower())
        if start >= 0:
            end = start + len(cue)
            return f"{html.escape(text[:start])}<mark>{html.escape(text[start:end])}</mark>{html.escape(text[end:])}"
    return html.escape(text)


def chips(themes: list[str], labels: dict[str, str]) -> str:
    return " ".join(
        f'<span style="display:inline-block;padding:0 .5em;margin:0 .2em .2em 0;border-radius:.8em;'
        f'background:#e8eef9;color:#1f3a68;font-size:.8em">{html.escape(labels.get(t, t))}</span>'
        for t in themes
    )


def trial_link(nct_id: str) -> str:
    safe = html.escape(nct_id)
    return f'<a href="{html.escape(study_url(nct_id))}" target="_blank" rel="noopener noreferrer">{safe}</a>'


def bordered(title: str) -> Any:
    box = st.container(border=True)
    box.subheader(title)
    return box


def download_csv(
    frame: pl.DataFrame | Callable[[], pl.DataFrame], *, what: str, filters: Filters, key: str, rows: int | None = None
) -> None:
    """A CSV download of exactly ``frame``; a callable is only run when the user clicks."""
    if callable(frame):
        factory = frame

        def data() -> bytes:
            return to_csv_bytes(factory())

        label = f"Download {what} (CSV" + (f", {rows:,} rows)" if rows is not None else ")")
        payload: bytes | Callable[[], bytes] = data
    else:
        payload = to_csv_bytes(frame)
        label = f"Download {what} (CSV, {len(frame):,} rows)"
    st.download_button(
        label,
        data=payload,
        file_name=f"{what.replace(' ', '-')}_{filters.slug()}.csv",
        mime="text/csv",
        key=key,
        on_click="ignore",
    )
