"""Overview: headline counts, the age-eligibility curve and breakdowns for the current filters."""

from __future__ import annotations

import polars as pl
import streamlit as st

from eligibility.build.b_all import DEFINITION as B_ALL_DEFINITION
from eligibility.build.b_all import PRESETS_DEFINITION
from eligibility.explore.labels import labelled
from eligibility.explore.shares import SMALL_BASE, share_label, with_intervals
from eligibility.ui.render import OKABE_ITO, bordered, download_csv, md, stop_if_empty
from eligibility.ui.sidebar import current_filters
from eligibility.ui.state import query

filters = current_filters()
st.title("Overview")
st.caption(f"Trials matching: {md(filters.describe())}")
if filters.preset != "none":
    with st.expander("How B-ALL studies are identified"):
        st.markdown(md(f"{B_ALL_DEFINITION} {PRESETS_DEFINITION}"))

counts = query("headline_counts", filters).row(0, named=True)
stop_if_empty(filters, counts["trials"])
cols = st.columns(5)
cols[0].metric("Trials", f"{counts['trials']:,}")
cols[1].metric("With exclusion criteria", f"{counts['trials_with_exclusions']:,}")
cols[2].metric("Exclusion criteria", f"{counts['exclusion_items']:,}")
cols[3].metric("Accept under-18s", f"{counts['accepts_children']:,}")
cols[4].metric("B-ALL trials", f"{counts['b_all_trials']:,}")

# Imported once the numbers are on screen: on a cold start altair takes about half a second to load.
from eligibility.ui.charts import alt, show_chart  # noqa: E402

with bordered("Age-eligibility curve"):
    st.caption(
        "How many of these trials accept a participant of each age (0–90 years). "
        "Bands: pediatric (under 18) and AYA (15–39), labelled on the chart."
    )
    curve = query("age_eligibility_curve", filters)
    top = max(int(curve["trials"].max() or 0), 1)
    bands = pl.DataFrame(
        {
            "band": ["Pediatric (<18)", "AYA (15–39)"],
            "start": [0, 15],
            "end": [18, 39],
            "y0": [0.0, 0.0],
            "y1": [top * 1.08, top * 1.0],
            "label_y": [top * 1.08, top * 1.0],
        }
    )
    band_colours = alt.Scale(domain=bands["band"].to_list(), range=[OKABE_ITO["sky"], OKABE_ITO["orange"]])
    band_layer = (
        alt.Chart(bands)
        .mark_rect(opacity=0.28)
        .encode(
            x=alt.X("start:Q"),
            x2="end:Q",
            y=alt.Y("y0:Q"),
            y2="y1:Q",
            color=alt.Color("band:N", scale=band_colours, legend=None),
            tooltip=[alt.Tooltip("band:N", title="Band")],
        )
    )
    band_labels = (
        alt.Chart(bands)
        .mark_text(align="left", baseline="bottom", dx=3, dy=-2, fontWeight="bold")
        .encode(x="start:Q", y="label_y:Q", text="band:N", color=alt.Color("band:N", scale=band_colours, legend=None))
    )
    line = (
        alt.Chart(curve)
        .mark_line(point=alt.OverlayMarkDef(size=12), color=OKABE_ITO["blue"])
        .encode(
            x=alt.X("age_years:Q", title="Age of participant (years)", scale=alt.Scale(domain=[0, 90])),
            y=alt.Y("trials:Q", title="Trials accepting this age"),
            tooltip=[alt.Tooltip("age_years:Q", title="Age"), alt.Tooltip("trials:Q", title="Trials", format=",")],
        )
    )
    show_chart(band_layer + band_labels + line, width="stretch")
    download_csv(curve, what="age eligibility curve", filters=filters, key="dl_curve")

breakdowns = query("breakdowns", filters)
total = counts["trials"]
shown = labelled(breakdowns, ["value"]).with_columns(
    pl.col("trials").map_elements(lambda n: share_label(n, total), return_dtype=pl.String).alias("bar_label")
)
if total < SMALL_BASE:
    st.warning(f"Only {total} trials match: every share below rests on fewer than {SMALL_BASE} trials.")
dimensions = ["Sex", "Healthy volunteers", "Standard age group", "Phase", "Overall status", "Study type"]
for row_start in range(0, len(dimensions), 3):
    columns = st.columns(3)
    for column, dimension in zip(columns, dimensions[row_start : row_start + 3], strict=False):
        data = shown.filter(pl.col("dimension") == dimension)
        with column.container(border=True):
            st.subheader(dimension)
            bars = (
                alt.Chart(data)
                .mark_bar(color=OKABE_ITO["blue"])
                .encode(
                    y=alt.Y("value:N", title=None, sort="-x", axis=alt.Axis(labelLimit=220)),
                    x=alt.X("trials:Q", title="Trials", scale=alt.Scale(domain=[0, total * 1.35])),
                    tooltip=[
                        alt.Tooltip("value:N", title=dimension),
                        alt.Tooltip("trials:Q", title="Trials", format=","),
                        alt.Tooltip("bar_label:N", title="Share of matching trials"),
                    ],
                )
            )
            text = bars.mark_text(align="left", dx=3, color="#333").encode(text="bar_label:N")
            show_chart(bars + text, width="stretch")
download_csv(
    with_intervals(
        breakdowns.with_columns(pl.lit(total).alias("matching_trials"), (pl.col("trials") / total).alias("share")),
        count="trials",
        base="matching_trials",
    ),
    what="breakdowns",
    filters=filters,
    key="dl_breakdowns",
)
