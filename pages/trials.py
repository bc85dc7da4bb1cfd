"""Trials: the filtered table, sortable, with a link to each registry page and a CSV download."""

from __future__ import annotations

import re

import streamlit as st

from eligibility.build.records import STUDY_URL
from eligibility.ui.render import download_csv, md
from eligibility.ui.sidebar import current_filters
from eligibility.ui.state import query

# The browser gets at most this many rows to sort and scroll; the download has them all.
TABLE_LIMIT = 20_000
ALL_ROWS = 10_000_000

filters = current_filters()
st.title("Trials")
trials = query("trials_table", filters, limit=TABLE_LIMIT)
counts = query("headline_counts", filters).row(0, named=True)
total = counts["trials"]
shown = f"{len(trials):,}" if len(trials) == total else f"the first {len(trials):,} by NCT ID (the download has all {total:,})"
st.markdown(f"**{total:,} trials** match: {md(filters.describe())}. Showing {shown}; click a column header to sort.")

st.dataframe(
    trials,
    hide_index=True,
    column_order=[
        "url",
        "title",
        "conditions",
        "minimum_age_raw",
        "maximum_age_raw",
        "minimum_age_years",
        "maximum_age_years",
        "sex",
        "healthy_volunteers",
        "phase",
        "overall_status",
        "n_inclusion",
        "n_exclusion",
        "exclusion_themes",
    ],
    column_config={
        "url": st.column_config.LinkColumn("NCT ID", display_text=re.escape(STUDY_URL) + r"(NCT\d+)", pinned=True),
        "title": st.column_config.TextColumn("Title", width="large"),
        "conditions": "Conditions",
        "minimum_age_raw": "Min age (as written)",
        "maximum_age_raw": "Max age (as written)",
        "minimum_age_years": st.column_config.NumberColumn("Min age (years)", format="%.2f"),
        "maximum_age_years": st.column_config.NumberColumn("Max age (years)", format="%.2f"),
        "sex": "Sex",
        "healthy_volunteers": st.column_config.CheckboxColumn("Healthy volunteers"),
        "phase": "Phase",
        "overall_status": "Status",
        "n_inclusion": st.column_config.NumberColumn("Inclusion items"),
        "n_exclusion": st.column_config.NumberColumn("Exclusion items"),
        "exclusion_themes": st.column_config.TextColumn("Exclusion themes", width="large"),
    },
    height=600,
)
download_csv(
    trials if len(trials) == total else lambda: query("trials_table", filters, limit=ALL_ROWS),
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
