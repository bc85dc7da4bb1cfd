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

# Markdown punctuation, plus what Streamlit's markdown adds: $ (LaTeX) and : (emoji, icons, :color[text]).
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~$:=^&])")
# GitHub-flavoured markdown links bare "www.", "http://" and e-mail addresses, and Streamlit reads
# ":material/icon:", even when escaped; an invisible word joiner (U+2060) at the trigger stops that.
_AUTOLINK_TRIGGER = re.compile(r"(?i)(www|https?|ftp|mailto)(?=\\[.:])|(?=@)|(?<=\\:)(?=material/)")
WORD_JOINER = "\u2060"


def md(text: str) -> str:
    """User or record text made safe to place inside Streamlit markdown: shown as typed, never as a
    link, image, formula, icon or HTML."""
    escaped = _MD_SPECIAL.sub(r"\\\1", text)
    return _AUTOLINK_TRIGGER.sub(lambda m: (m.group(1) or "") + WORD_JOINER, escaped)


def highlight(text: str, cue: str | None) -> str:
    """Escaped text with the first occurrence of ``cue`` wrapped in <mark>."""
    if cue:
        start = text.lower().find(cue.lower())
        if start >= 0:
            end = start + len(cue)
            return f"{html.escape(text[:start])}<mark>{html.escape(text[start:end])}</mark>{html.escape(text[end:])}"
    return html.escape(text)


# Chip colours: themes in blue, threshold facts ("bilirubin ≤ 1.5 xULN") in amber.
_CHIP_COLOURS = {"theme": ("#e8eef9", "#1f3a68"), "fact": ("#fdf0d5", "#5c3d00")}


def chips(themes: list[str], labels: dict[str, str], *, kind: str = "theme") -> str:
    background, colour = _CHIP_COLOURS[kind]
    return " ".join(
        f'<span style="display:inline-block;padding:0 .5em;margin:0 .2em .2em 0;border-radius:.8em;'
        f'background:{background};color:{colour};font-size:.8em">{html.escape(labels.get(t, t))}</span>'
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
