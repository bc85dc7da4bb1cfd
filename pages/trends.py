"""Trends: eligibility by start year, before and after the October 2017 recommendations to broaden it."""

from __future__ import annotations

from typing import Any

import polars as pl
import streamlit as st

from eligibility.explore.trends import RULE_DATE, THIN_YEAR, trend_table
from eligibility.ui.charts import alt, show_chart
from eligibility.ui.render import bordered, download_csv, md, show_frame
from eligibility.ui.sidebar import current_filters
from eligibility.ui.state import query, theme_labels

# The themes the 2017 recommendations address: brain metastases, HIV, organ dysfunction, prior malignancies.
RECOMMENDATION_THEMES = ["cns_neurologic", "infection", "hepatic", "renal", "other_malignancy"]
RULE_YEAR = RULE_DATE.year + (RULE_DATE.timetuple().tm_yday - 1) / 365.25  # where on a year axis the rule falls

filters = current_filters()
labels = theme_labels()
st.title("Trends")


def table(name: str, **options: Any) -> pl.DataFrame:
    return trend_table(name, lambda query_name, **params: query(query_name, filters, **params), **options)


def rule() -> alt.Chart:
    """The dashed marker at the October 2017 recommendations."""
    marker = pl.DataFrame({"x": [RULE_YEAR], "what": [f"ASCO-Friends-FDA recommendations, {RULE_DATE:%d %b %Y}"]})
    return (
        alt.Chart(marker)
        .mark_rule(color="#d62728", strokeDash=[5, 3], strokeWidth=2)
        .encode(x="x:Q", tooltip=alt.Tooltip("what:N", title="Marker"))
    )


def year_axis() -> alt.X:
    """One year axis for every chart: the filtered trials' first to last start year."""
    years = dated["start_year"]
    domain = [int(years.min()), int(years.max()) + 1] if len(years) else [RULE_DATE.year - 5, RULE_DATE.year + 5]
    return alt.X(
        "start_year:Q",
        title="Start year",
        scale=alt.Scale(domain=domain, nice=False, zero=False),
        axis=alt.Axis(format="d", tickMinStep=1),
    )


counts = table("year-counts")
undated = counts.filter(pl.col("start_year").is_null())
dated = counts.filter(pl.col("start_year").is_not_null())
st.caption(
    f"Trials matching: {md(filters.describe())}, by the year they started (actual or anticipated). "
    f"The dashed red line marks {RULE_DATE:%d %B %Y}, when ASCO, Friends of Cancer Research and the FDA recommended "
    f"broader eligibility. Years with fewer than {THIN_YEAR} trials are faded and flagged `thin`."
)
if undated.height and undated["trials"][0]:
    st.info(
        f"{undated['trials'][0]:,} matching trials have no start date and are not on this page"
        f" ({undated['from_text_export'][0]:,} of them from the plain-text eligibility export, which carries no dates)."
    )

with bordered("Trials per start year"):
    bars = (
        alt.Chart(dated)
        .mark_rect(color="#4c78a8")
        .transform_calculate(year_end="datum.start_year + 1")
        .encode(
            x=year_axis(),
            x2="year_end:Q",
            y=alt.Y("trials:Q", title="Trials"),
            opacity=alt.condition("datum.thin", alt.value(0.3), alt.value(1.0)),
            tooltip=[
                alt.Tooltip("start_year:Q", title="Start year", format="d"),
                alt.Tooltip("trials:Q", title="Trials", format=","),
                alt.Tooltip("trials_with_exclusions:Q", title="With exclusion criteria", format=","),
                alt.Tooltip("thin:N", title=f"Thin (< {THIN_YEAR})"),
            ],
        )
    )
    show_chart((bars + rule()).properties(height=220), width="stretch")
    thin = dated.filter(pl.col("thin"))["start_year"].to_list()
    if thin:
        st.caption(f"Thin years (fewer than {THIN_YEAR} trials; their shares below are unreliable): {', '.join(map(str, thin))}.")
    download_csv(counts, what="trials per start year", filters=filters, key="dl_year_counts")

with bordered("Theme shares by start year"):
    shares = table("theme-shares")
    picked = st.multiselect(
        "Themes",
        list(labels),
        default=[t for t in RECOMMENDATION_THEMES if t in labels],
        format_func=labels.get,
        key="trend_themes",
        bind="query-params",
    )
    st.caption(
        "Share of the trials that started each year and list exclusion criteria with at least one exclusion "
        "criterion in the theme. Defaults to the themes the 2017 recommendations address."
    )
    heat = (
        alt.Chart(shares.filter(pl.col("theme").is_in(picked)).with_columns((pl.col("share") * 100).alias("percent")))
        .mark_rect()
        .transform_calculate(year_end="datum.start_year + 1")
        .encode(
            x=year_axis(),
            x2="year_end:Q",
            y=alt.Y("label:N", title=None, sort=[labels[t] for t in picked], axis=alt.Axis(labelLimit=260)),
            color=alt.Color("percent:Q", title="% of trials", scale=alt.Scale(scheme="blues", domain=[0, 100])),
            opacity=alt.condition("datum.thin", alt.value(0.3), alt.value(1.0)),
            tooltip=[
                alt.Tooltip("label:N", title="Theme"),
                alt.Tooltip("start_year:Q", title="Start year", format="d"),
                alt.Tooltip("percent:Q", title="% of trials", format=".1f"),
                alt.Tooltip("trials:Q", title="Trials excluding", format=","),
                alt.Tooltip("trials_with_exclusions:Q", title="Trials with exclusion criteria", format=","),
                alt.Tooltip("thin:N", title=f"Thin (< {THIN_YEAR})"),
            ],
        )
    )
    show_chart((heat + rule()).properties(height=alt.Step(28)), width="stretch")
    download_csv(shares, what="theme shares by start year", filters=filters, key="dl_theme_shares")

with bordered("Before and after"):
    left, right = st.columns(2)
    cutoff = left.date_input("Cut-off start date", RULE_DATE, key="cutoff", bind="query-params")
    gap = right.checkbox(
        "Leave out a gap year after the cut-off",
        key="gap",
        bind="query-params",
        help="Trials that started in the year after the cut-off are set aside, as they were planned before it.",
    )
    compared = table("before-after", cutoff=cutoff, gap_years=int(gap))
    first = compared.row(0, named=True) if compared.height else None
    if first is None or not first["before_base"] or not first["after_base"]:
        st.warning("One side of the cut-off has no matching trials with exclusion criteria: nothing to compare.")
    else:
        st.markdown(
            f"**{first['before_base']:,}** trials started before {cutoff:%d %b %Y} and **{first['after_base']:,}** "
            f"on or after {first['after_from']:%d %b %Y}; {first['set_aside']:,} were set aside (in the gap, or "
            "a start known only to the month of the cut-off). Difference = after − before, in percentage points, "
            "with a 95% confidence interval by Newcombe's hybrid score method (Newcombe 1998, method 10)."
        )
        plotted = compared.filter(pl.col("difference_pp").is_not_null())
        order = plotted["label"].to_list()
        base = alt.Chart(plotted).encode(y=alt.Y("label:N", title=None, sort=order, axis=alt.Axis(labelLimit=260)))
        tooltip = [
            alt.Tooltip("label:N", title="Theme"),
            alt.Tooltip("before_trials:Q", title="Before: trials excluding", format=","),
            alt.Tooltip("share_before:Q", title="Before: share", format=".1%"),
            alt.Tooltip("after_trials:Q", title="After: trials excluding", format=","),
            alt.Tooltip("share_after:Q", title="After: share", format=".1%"),
            alt.Tooltip("difference_pp:Q", title="After − before (pp)", format="+.1f"),
            alt.Tooltip("ci_low_pp:Q", title="95% CI from", format="+.1f"),
            alt.Tooltip("ci_high_pp:Q", title="95% CI to", format="+.1f"),
        ]
        whiskers = base.mark_rule(color="#555").encode(
            x=alt.X("ci_low_pp:Q", title="After − before (percentage points, 95% CI)"), x2="ci_high_pp:Q", tooltip=tooltip
        )
        points = base.mark_point(filled=True, size=60).encode(
            x="difference_pp:Q",
            color=alt.condition("datum.difference_pp >= 0", alt.value("#4c78a8"), alt.value("#f58518")),
            tooltip=tooltip,
        )
        zero = alt.Chart(pl.DataFrame({"x": [0.0]})).mark_rule(color="#999").encode(x="x:Q")
        show_chart((zero + whiskers + points).properties(height=alt.Step(22)), width="stretch")
        show_frame(
            compared.select(
                "label", "before_trials", "before_base", "after_trials", "after_base", "difference_pp", "ci_low_pp", "ci_high_pp"
            ),
            hide_index=True,
            column_config={
                "label": "Theme",
                "before_trials": "Before: excluding",
                "before_base": "Before: trials",
                "after_trials": "After: excluding",
                "after_base": "After: trials",
                "difference_pp": st.column_config.NumberColumn("After − before (pp)", format="%+.1f"),
                "ci_low_pp": st.column_config.NumberColumn("95% CI from", format="%+.1f"),
                "ci_high_pp": st.column_config.NumberColumn("95% CI to", format="%+.1f"),
            },
        )
    download_csv(compared, what="before and after", filters=filters, key="dl_before_after")

with bordered("Age access by start year"):
    access = table("age-access")
    st.caption(
        "Under 18: the trial accepts someone under 18. 12–17 in adult trials: among trials whose maximum age is 18 or "
        f"over (or none), those accepting someone aged 12–17; from 12: those whose minimum age is 12 or below. AYA: the "
        f"age range overlaps {filters.aya_min:g}–{filters.aya_max:g}."
    )
    series = {
        "share_under_18": "Accepts under-18s",
        "share_adult_12_17": "Adult trials accepting 12–17",
        "share_adult_from_12": "Adult trials accepting from age 12",
        "share_aya": f"Overlaps AYA {filters.aya_min:g}–{filters.aya_max:g}",
    }
    long = access.unpivot(index=["start_year", "trials", "thin"], on=list(series), variable_name="series", value_name="share")
    long = long.with_columns(pl.col("series").replace_strict(series), (pl.col("share") * 100).alias("percent"))
    lines = alt.Chart(long).encode(
        x=year_axis(),
        y=alt.Y("percent:Q", title="% of trials", scale=alt.Scale(domain=[0, 100])),
        color=alt.Color("series:N", title=None, legend=alt.Legend(orient="top", labelLimit=300)),
        tooltip=[
            alt.Tooltip("series:N", title="Measure"),
            alt.Tooltip("start_year:Q", title="Start year", format="d"),
            alt.Tooltip("percent:Q", title="%", format=".1f"),
            alt.Tooltip("trials:Q", title="Trials that year", format=","),
            alt.Tooltip("thin:N", title=f"Thin (< {THIN_YEAR})"),
        ],
    )
    chart = lines.mark_line(strokeWidth=1.5) + lines.mark_point(filled=True, size=30).encode(
        opacity=alt.condition("datum.thin", alt.value(0.25), alt.value(1.0))
    )
    show_chart((chart + rule()).properties(height=280), width="stretch")
    download_csv(access, what="age access by start year", filters=filters, key="dl_age_access")
