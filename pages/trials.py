"""Trials: the filtered table, one page at a time, sorted on the server, with a link to each registry page
and a CSV download of every matching row in the same order."""

from __future__ import annotations

import math
import re

import polars as pl
import streamlit as st

from eligibility.build.records import STUDY_URL
from eligibility.explore.labels import healthy_volunteers_labels, labelled
from eligibility.ui.render import download_csv, md, show_frame, stop_if_empty
from eligibility.ui.sidebar import current_filters
from eligibility.ui.state import query, theme_labels

ALL_ROWS = 10_000_000
PAGE_SIZES = (25, 50, 100, 250)
SORT_LABELS = {
    "nct_id": "NCT ID",
    "min_age": "Minimum age",
    "max_age": "Maximum age",
    "sex": "Sex",
    "healthy_volunteers": "Healthy volunteers",
    "n_inclusion": "Inclusion items",
    "n_exclusion": "Exclusion items",
    "n_unspecified": "Unspecified items",
    "b_all_basis": "B-ALL named in",
    "phase": "Phase",
    "status": "Status",
    "title": "Title",
}

filters = current_filters()
st.title("Trials")
counts = query("headline_counts", filters).row(0, named=True)
total = counts["trials"]
st.markdown(f"**{total:,} trials** match: {md(filters.describe())}.")
stop_if_empty(filters, total)

controls = st.columns([2, 1, 1, 1])
sort = controls[0].selectbox("Sort by", list(SORT_LABELS), format_func=SORT_LABELS.get, key="sort", bind="query-params")
descending = controls[1].toggle("Largest / last first", key="desc", bind="query-params")
page_size = controls[2].selectbox("Rows per page", PAGE_SIZES, key="rows", bind="query-params")
pages = max(1, math.ceil(total / page_size))
if st.session_state.get("page", 1) > pages:  # the filters (or page size) changed under a later page
    st.session_state["page"] = pages
page = controls[3].number_input(f"Page (of {pages:,})", 1, pages, key="page", bind="query-params")

rows = query("trials_table", filters, sort=sort, descending=descending, limit=page_size, offset=(page - 1) * page_size)
first = (page - 1) * page_size + 1
st.caption(
    f"Rows {first:,}–{first + len(rows) - 1:,} of {total:,}, sorted by {SORT_LABELS[sort]}"
    f"{' (descending)' if descending else ''}. The download has every row in this order, with the registry's codes."
)

shown = labelled(
    rows.with_columns(
        healthy_volunteers_labels(),
        pl.col("b_all_basis").str.to_titlecase().fill_null(""),
    ),
    ["sex", "phase", "overall_status", "exclusion_themes"],
    themes=theme_labels(),
)
show_frame(
    shown.with_columns(pl.col("exclusion_themes").list.join(", ")),
    hide_index=True,
    column_order=[
        "url",
        "minimum_age_years",
        "maximum_age_years",
        "sex",
        "healthy_volunteers",
        "n_inclusion",
        "n_exclusion",
        "n_unspecified",
        "b_all_basis",
        "phase",
        "overall_status",
        "title",
        "conditions",
        "exclusion_themes",
    ],
    column_config={
        "url": st.column_config.LinkColumn("NCT ID", display_text=re.escape(STUDY_URL) + r"(NCT\d+)", pinned=True),
        "minimum_age_years": st.column_config.NumberColumn("Min age", format="%.4g", help="Years; empty = no minimum"),
        "maximum_age_years": st.column_config.NumberColumn("Max age", format="%.4g", help="Years; empty = no maximum"),
        "sex": "Sex",
        "healthy_volunteers": "Healthy volunteers",
        "n_inclusion": st.column_config.NumberColumn("Inclusion items"),
        "n_exclusion": st.column_config.NumberColumn("Exclusion items"),
        "n_unspecified": st.column_config.NumberColumn(
            "Unspecified items", help="Criteria in a record without inclusion/exclusion headers"
        ),
        "b_all_basis": st.column_config.TextColumn("B-ALL named in", help="Where the record names B-ALL (empty: not B-ALL)"),
        "phase": "Phase",
        "overall_status": "Status",
        "title": st.column_config.TextColumn("Title", width="large"),
        "conditions": st.column_config.TextColumn("Conditions", width="medium"),
        "exclusion_themes": st.column_config.TextColumn("Exclusion themes", width="large"),
    },
    height=min(38 + 35 * len(shown), 900),
)
download_csv(
    lambda: query("trials_table", filters, sort=sort, descending=descending, limit=ALL_ROWS, offset=0),
    what="trials",
    filters=filters,
    key="dl_trials",
    rows=total,
)
download_csv(
    lambda: query("criteria_matching_filters", filters, limit=ALL_ROWS),
    what="criteria of these trials",
    filters=filters,
    key="dl_criteria",
    rows=counts["criteria_items"],
)
