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
from eligibility.ui.state import query

# Okabe–Ito: one colour-blind-safe palette for the whole product.
OKABE_ITO = {
    "blue": "#0072B2",
    "orange": "#E69F00",
    "sky": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
    "grey": "#999999",
}
COHORT_COLOURS = (OKABE_ITO["blue"], OKABE_ITO["orange"])

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


SEARCH_MARK = "<mark style='background:#56B4E9;color:#000'>"


def highlight(text: str, cue: str | None, search: str = "") -> str:
    """Escaped text with the first occurrence of ``cue`` wrapped in <mark>, and every occurrence of the
    searched text marked in sky blue (``SEARCH_MARK``)."""
    spans: list[tuple[int, int, str]] = []
    lowered = text.lower()
    if cue and (start := lowered.find(cue.lower())) >= 0:
        spans.append((start, start + len(cue), "<mark>"))
    needle = search.strip().lower()
    if needle:
        start = lowered.find(needle)
        while start >= 0:
            end = start + len(needle)
            if not any(s < end and start < e for s, e, _ in spans):
                spans.append((start, end, SEARCH_MARK))
            start = lowered.find(needle, end)
    out, position = [], 0
    for start, end, tag in sorted(spans):
        out += [html.escape(text[position:start]), tag, html.escape(text[start:end]), "</mark>"]
        position = end
    return "".join(out) + html.escape(text[position:])


def stop_if_empty(filters: Filters, trials: int, *, stop: bool = True) -> None:
    """When no trial matches, say so, name the filters whose removal would bring trials back, and (by
    default) stop the page, so that no empty chart is drawn."""
    if trials:
        return
    hints = []
    for name, relaxed in filters.relaxations():
        n = int(query("headline_counts", relaxed)["trials"][0])
        if n:
            hints.append(f"without {name}, {n:,} trials would match")
    st.info(
        md(f"No trial matches these filters ({filters.describe()}).")
        + (" " + md("; ".join(hints).capitalize() + ".") if hints else " Try removing some filters.")
        + " The sidebar's **Reset all filters** returns every filter to its default.",
        icon=":material/filter_alt_off:",
    )
    if stop:
        st.stop()


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


def show_frame(frame: pl.DataFrame, **kwargs: Any) -> None:
    """``st.dataframe`` of a polars frame, handed over as an Arrow table.

    Streamlit sends an eager (``lazy=False``) Arrow table as it is, but takes any other frame
    through pandas, whose first import in a server process costs about 0.4 s of CPU (measured on
    the Trials page's first draw). Every frame shown here is small (the Trials page is paged on
    the server), so nothing is gained from Streamlit's lazy chunked delivery.

    A missing value shows as an empty cell, as in the CSV download and a spreadsheet (Streamlit's
    default writes "None", which reads as a value: a trial with no maximum age is not "None" years).
    """
    kwargs.setdefault("placeholder", "")
    st.dataframe(frame.to_arrow(), lazy=False, **kwargs)


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
