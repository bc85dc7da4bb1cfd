"""Exclusion themes: what the filtered trials exclude, the criteria behind each bar,
a side-by-side cohort comparison and the co-occurrence of themes."""

from __future__ import annotations

import altair as alt
import polars as pl
import streamlit as st

from eligibility.explore.compare import compare_theme_shares, comparison_long
from eligibility.ui.render import bordered, download_csv, highlight, md, trial_link
from eligibility.ui.sidebar import cohort_controls, current_filters
from eligibility.ui.state import query, theme_labels

CRITERIA_SHOWN = 300

filters = current_filters()
labels = theme_labels()
st.title("Exclusion themes")

distribution = query("theme_distribution", filters)
base = int(distribution["trials_with_exclusions"][0]) if len(distribution) else 0
st.caption(
    f"Trials matching: {md(filters.describe())}. Share = trials with at least one exclusion criterion in the theme, "
    f"out of the {base:,} matching trials that list exclusion criteria. A criterion can have several themes."
)

with bordered("Share of trials excluding on each theme"):
    pick = alt.selection_point(name="pick", fields=["theme"], on="click", clear="dblclick")
    chart_data = distribution.with_columns((pl.col("share") * 100).round(1).alias("percent"))
    bars = (
        alt.Chart(chart_data)
        .mark_bar()
        .encode(
            y=alt.Y(
                "label:N",
                title=None,
                sort=alt.EncodingSortField(field="trials", order="descending"),
                axis=alt.Axis(labelLimit=260),
            ),
            x=alt.X("percent:Q", title="% of trials with exclusion criteria", scale=alt.Scale(domain=[0, 100])),
            color=alt.condition(pick, alt.value("#1f77b4"), alt.value("#c7d6ea")),
            tooltip=[
                alt.Tooltip("label:N", title="Theme"),
                alt.Tooltip("trials:Q", title="Trials", format=","),
                alt.Tooltip("percent:Q", title="% of trials", format=".1f"),
            ],
        )
        .add_params(pick)
    )
    text = bars.mark_text(align="left", dx=3, color="#333").encode(text=alt.Text("trials:Q", format=","), color=alt.value("#333"))
    event = st.altair_chart((bars + text).properties(height=alt.Step(22)), width="stretch", on_select="rerun", key="theme_chart")
    st.caption("Click a bar to list its criteria below (double-click to clear).")
    download_csv(distribution, what="theme distribution", filters=filters, key="dl_distribution")

clicked = [p.get("theme") for p in (event.selection.get("pick") or [])] if event else []
if clicked and clicked[0] != st.session_state.get("_last_clicked_theme"):
    st.session_state["_last_clicked_theme"] = clicked[0]
    st.session_state["theme"] = clicked[0]

with bordered("Criteria behind a theme"):
    theme = st.selectbox("Theme", list(labels), format_func=labels.get, key="theme", bind="query-params")
    count = query("theme_criteria_count", filters, theme=theme, exclusion_kind="any").row(0, named=True)
    n_criteria = count["criteria"]
    criteria = query("theme_criteria", filters, theme=theme, exclusion_kind="any", limit=CRITERIA_SHOWN)
    st.markdown(
        f"**{labels[theme]}**: {n_criteria:,} exclusion criteria in {count['trials']:,} trials"
        + (f" (showing the first {CRITERIA_SHOWN})" if n_criteria > CRITERIA_SHOWN else "")
        + ". The highlighted words are the cue that gave the theme."
    )
    rows = "".join(
        f"<tr><td style='white-space:nowrap;vertical-align:top'>{trial_link(r['nct_id'])}</td>"
        f"<td>{highlight(r['text'], r['cue'])}</td></tr>"
        for r in criteria.iter_rows(named=True)
    )
    st.html(
        "<div style='max-height:420px;overflow:auto'><table style='width:100%;border-collapse:collapse;font-size:.9em'>"
        "<thead><tr><th style='text-align:left'>Trial</th><th style='text-align:left'>Exclusion criterion</th></tr></thead>"
        f"<tbody>{rows}</tbody></table></div>"
    )
    download_csv(
        lambda: query("theme_criteria", filters, theme=theme, exclusion_kind="any", limit=10_000_000),
        what=f"{theme} criteria",
        filters=filters,
        key="dl_theme_criteria",
        rows=n_criteria,
    )

with bordered("Cohort comparison"):
    st.caption(
        "Two filter sets side by side: the share of each cohort's trials (with exclusion criteria) that exclude on each theme."
    )
    left, right = st.columns(2)
    with left:
        cohort_a = cohort_controls("a", title="Cohort A", preset="pediatric-b-all", age=(0, 100))
    with right:
        cohort_b = cohort_controls("b", title="Cohort B", preset="b-all", age=(18, 100))
    comparison = compare_theme_shares(query("theme_distribution", cohort_a), query("theme_distribution", cohort_b))
    name_a, name_b = f"A: {cohort_a.describe()}", f"B: {cohort_b.describe()}"
    st.markdown(
        f"**A**: {md(cohort_a.describe())} ({int(comparison['base_a'][0]):,} trials) · **B**: {md(cohort_b.describe())} ({int(comparison['base_b'][0]):,} trials)"
    )
    long = comparison_long(comparison, name_a=name_a, name_b=name_b)
    order = comparison["label"].to_list()
    grouped = (
        alt.Chart(long)
        .mark_bar()
        .encode(
            y=alt.Y("label:N", title=None, sort=order, axis=alt.Axis(labelLimit=260)),
            yOffset=alt.YOffset("cohort:N"),
            x=alt.X("percent:Q", title="% of cohort's trials", scale=alt.Scale(domain=[0, 100])),
            color=alt.Color("cohort:N", title=None, legend=alt.Legend(orient="top", labelLimit=400)),
            tooltip=[
                alt.Tooltip("label:N", title="Theme"),
                alt.Tooltip("cohort:N", title="Cohort"),
                alt.Tooltip("percent:Q", title="%", format=".1f"),
                alt.Tooltip("trials:Q", title="Trials", format=","),
            ],
        )
        .properties(height=alt.Step(12))
    )
    diff = (
        alt.Chart(comparison)
        .mark_bar()
        .encode(
            y=alt.Y("label:N", title=None, sort=order, axis=alt.Axis(labels=False, ticks=False)),
            x=alt.X("difference_pp:Q", title="A − B (percentage points)"),
            color=alt.condition("datum.difference_pp >= 0", alt.value("#4c78a8"), alt.value("#f58518")),
            tooltip=[alt.Tooltip("label:N", title="Theme"), alt.Tooltip("difference_pp:Q", title="A − B (pp)", format="+.1f")],
        )
        .properties(width=160, height=alt.Step(24))
    )
    st.altair_chart(alt.hconcat(grouped, diff).resolve_scale(y="shared"), width="stretch")
    download_csv(comparison, what="cohort comparison", filters=cohort_a, key="dl_comparison")

with bordered("Theme co-occurrence"):
    st.caption("How many matching trials exclude on both themes (the diagonal: on that theme at all).")
    pairs = query("theme_cooccurrence", filters)
    pairs_l = pairs.with_columns(
        pl.col("theme_a").replace_strict(labels, default=pl.col("theme_a")).alias("label_a"),
        pl.col("theme_b").replace_strict(labels, default=pl.col("theme_b")).alias("label_b"),
    )
    order = [labels[t] for t in labels]
    heat = (
        alt.Chart(pairs_l)
        .mark_rect()
        .encode(
            x=alt.X("label_a:N", title=None, sort=order, axis=alt.Axis(labelAngle=-45, labelLimit=260, labelOverlap=False)),
            y=alt.Y("label_b:N", title=None, sort=order, axis=alt.Axis(labelLimit=260, labelOverlap=False)),
            color=alt.Color("trials:Q", title="Trials", scale=alt.Scale(scheme="blues")),
            tooltip=[
                alt.Tooltip("label_a:N", title="Theme"),
                alt.Tooltip("label_b:N", title="and theme"),
                alt.Tooltip("trials:Q", title="Trials", format=","),
            ],
        )
        .properties(height=alt.Step(24))
    )
    st.altair_chart(heat, width="stretch")
    download_csv(pairs, what="theme co-occurrence", filters=filters, key="dl_cooccurrence")
