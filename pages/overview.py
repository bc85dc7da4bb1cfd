"""Overview: headline counts, the age-eligibility curve and breakdowns for the current filters."""

from __future__ import annotations

import altair as alt
import polars as pl
import streamlit as st

from eligibility.build.b_all import DEFINITION as B_ALL_DEFINITION
from eligibility.build.b_all import PRESETS_DEFINITION
from eligibility.ui.render import bordered, download_csv, md
from eligibility.ui.sidebar import current_filters
from eligibility.ui.state import query

filters = current_filters()
st.title("Overview")
st.caption(f"Trials matching: {md(filters.describe())}")
if filters.preset != "none":
    with st.expander("How B-ALL studies are identified"):
        st.markdown(md(f"{B_ALL_DEFINITION} {PRESETS_DEFINITION}"))

counts = query("headline_counts", filters).row(0, named=True)
cols = st.columns(5)
cols[0].metric("Trials", f"{counts['trials']:,}")
cols[1].metric("With exclusion criteria", f"{counts['trials_with_exclusions']:,}")
cols[2].metric("Exclusion criteria", f"{counts['exclusion_items']:,}")
cols[3].metric("Accept under-18s", f"{counts['accepts_children']:,}")
cols[4].metric("B-ALL trials", f"{counts['b_all_trials']:,}")

with bordered("Age-eligibility curve"):
    st.caption("How many of these trials accept a participant of each age (0–90 years). Shaded: pediatric (<18) and AYA (15–39).")
    curve = query("age_eligibility_curve", filters)
    bands = pl.DataFrame({"band": ["Pediatric (<18)", "AYA (15–39)"], "start": [0, 15], "end": [18, 39]})
    band_layer = (
        alt.Chart(bands)
        .mark_rect(opacity=0.12)
        .encode(
            x=alt.X("start:Q"),
            x2="end:Q",
            color=alt.Color("band:N", title="Age band", scale=alt.Scale(range=["#e45756", "#54a24b"])),
            tooltip=[alt.Tooltip("band:N", title="Band")],
        )
    )
    line = (
        alt.Chart(curve)
        .mark_line(point=alt.OverlayMarkDef(size=12), color="#1f77b4")
        .encode(
            x=alt.X("age_years:Q", title="Age of participant (years)", scale=alt.Scale(domain=[0, 90])),
            y=alt.Y("trials:Q", title="Trials accepting this age"),
            tooltip=[alt.Tooltip("age_years:Q", title="Age"), alt.Tooltip("trials:Q", title="Trials", format=",")],
        )
    )
    st.altair_chart(band_layer + line, width="stretch")
    download_csv(curve, what="age eligibility curve", filters=filters, key="dl_curve")

breakdowns = query("breakdowns", filters)
dimensions = ["Sex", "Healthy volunteers", "Standard age group", "Phase", "Overall status", "Study type"]
for row_start in range(0, len(dimensions), 3):
    columns = st.columns(3)
    for column, dimension in zip(columns, dimensions[row_start : row_start + 3], strict=False):
        data = breakdowns.filter(pl.col("dimension") == dimension)
        with column.container(border=True):
            st.subheader(dimension)
            chart = (
                alt.Chart(data)
                .mark_bar()
                .encode(
                    y=alt.Y("value:N", title=None, sort="-x", axis=alt.Axis(labelLimit=220)),
                    x=alt.X("trials:Q", title="Trials"),
                    tooltip=[alt.Tooltip("value:N", title=dimension), alt.Tooltip("trials:Q", title="Trials", format=",")],
                )
            )
            st.altair_chart(chart, width="stretch")
download_csv(breakdowns, what="breakdowns", filters=filters, key="dl_breakdowns")
