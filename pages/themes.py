"""Exclusion themes: what the filtered trials exclude, the criteria behind each bar,
a side-by-side cohort comparison and the co-occurrence of themes."""

from __future__ import annotations

import html

import polars as pl
import streamlit as st

from eligibility.explore.compare import compare_theme_shares, comparison_long
from eligibility.explore.filters import Filters
from eligibility.explore.shares import SMALL_BASE, with_intervals
from eligibility.ui.charts import alt, show_chart
from eligibility.ui.render import (
    COHORT_COLOURS,
    OKABE_ITO,
    bordered,
    download_csv,
    highlight,
    md,
    stop_if_empty,
    trial_link,
)
from eligibility.ui.sidebar import cohort_controls, current_filters
from eligibility.ui.state import query, theme_labels

CRITERIA_SHOWN = 300
KIND_LABELS = {"share_whole": "whole exclusion", "share_conditional": "conditional only"}
EXCLUSION_KINDS = {"any": "Any", "whole": "Whole", "conditional": "Conditional"}
# The theme dropdown (key "theme", in the URL) is the one source of truth: a bar click sets it, and
# changing it redraws the chart (a new key) with that theme's bar selected.
_CHART_VERSION = "_theme_chart_version"


def _chart_key() -> str:
    return f"theme_chart_{st.session_state.get(_CHART_VERSION, 0)}"


def _first_pick(theme: str, distribution: pl.DataFrame) -> str:
    """The bar a chart shows selected when it is drawn: the theme chosen when its data last changed.

    A bar click changes the theme but keeps the chart (same key) and, with this, its spec: the
    browser has already marked the clicked bar, so the chart is not drawn again, only the list
    below. New data (another filter) draws the chart again, with the theme chosen now selected."""
    first = f"{_chart_key()}_first_pick"
    data = hash(tuple(distribution.rows()))
    if st.session_state.get(first, (None, None))[0] != data:
        st.session_state[first] = (data, theme)
    return st.session_state[first][1]


def _on_bar_click() -> None:
    picked = st.session_state[_chart_key()].selection.get("pick") or []
    if picked and picked[0].get("theme"):
        st.session_state["theme"] = picked[0]["theme"]


def _kind_tag(conditional: bool | None, qualifier: str | None) -> str:
    """A small note after a criterion: whole, or conditional and the words that make it so."""
    if conditional:
        why = f": {html.escape(qualifier)}" if qualifier else ""
        return f" <span style='color:#555;font-size:.8em;white-space:nowrap'>[conditional{why}]</span>"
    return " <span style='color:#555;font-size:.8em'>[whole]</span>"


def _on_theme_choice() -> None:
    st.session_state[_CHART_VERSION] = st.session_state.get(_CHART_VERSION, 0) + 1


filters = current_filters()
labels = theme_labels()
st.title("Exclusion themes")

distribution = query("theme_distribution", filters)
base = int(distribution["trials_with_exclusions"][0]) if len(distribution) else 0
if not base:
    st.caption(f"Trials matching: {md(filters.describe())}.")
    stop_if_empty(filters, int(query("headline_counts", filters)["trials"][0]))
    st.info("None of the matching trials lists exclusion criteria, so there are no themes to show.")
    st.stop()
st.caption(
    f"Trials matching: {md(filters.describe())}. Share = trials with at least one exclusion criterion in the theme, "
    f"out of the {base:,} matching trials that list exclusion criteria. A criterion can have several themes. "
    "The thin line on each bar is its 95% interval (Wilson)."
)
if base < SMALL_BASE:
    st.warning(f"Every share here rests on only {base} trials (fewer than {SMALL_BASE}): read them with their intervals.")


# The chart and the criteria behind its bars are one fragment: a bar click, a theme or kind choice reruns
# only them (two queries and one chart), not the sidebar, the cohort comparison and the heatmap below.
@st.fragment
def theme_chart_and_criteria(filters: Filters, labels: dict[str, str], distribution: pl.DataFrame) -> None:
    chart_box = bordered("Share of trials excluding on each theme")
    criteria_box = bordered("Criteria behind a theme")
    with criteria_box:
        theme = st.selectbox(
            "Theme", list(labels), format_func=labels.get, key="theme", bind="query-params", on_change=_on_theme_choice
        )

    with chart_box:
        pick = alt.selection_point(
            name="pick", fields=["theme"], on="click", clear=False, value=[{"theme": _first_pick(theme, distribution)}]
        )
        chart_data = with_intervals(distribution, count="trials", base="trials_with_exclusions").with_columns(
            (pl.col("share") * 100).round(1).alias("percent"),
            (pl.col("ci_low") * 100).round(1).alias("ci_low_pct"),
            (pl.col("ci_high") * 100).round(1).alias("ci_high_pct"),
            pl.format(
                "{}% ({}){}",
                (pl.col("share") * 100).round(0).cast(pl.Int64),
                pl.col("trials"),
                pl.when(pl.col("small_base")).then(pl.lit(f" n<{SMALL_BASE}")).otherwise(pl.lit("")),
            ).alias("bar_label"),
        )
        # One explicit order for every layer (a sort by field is dropped when layers disagree).
        order = chart_data.sort("trials", descending=True, maintain_order=True)["label"].to_list()
        y = alt.Y("label:N", title=None, sort=order, axis=alt.Axis(labelLimit=260))
        tooltip = [
            alt.Tooltip("label:N", title="Theme"),
            alt.Tooltip("bar_label:N", title="Share (trials)"),
            alt.Tooltip("ci_low_pct:Q", title="95% interval from (%)", format=".1f"),
            alt.Tooltip("ci_high_pct:Q", title="95% interval to (%)", format=".1f"),
        ]
        # Each bar is split: trials with at least one criterion excluding the theme wholly, and trials whose
        # criteria of the theme all let part of the group in (conditional).
        stacked = chart_data.unpivot(
            index=["theme", "label", "trials", "bar_label", "ci_low_pct", "ci_high_pct"],
            on=["share_whole", "share_conditional"],
            variable_name="kind",
            value_name="kind_share",
        ).with_columns(
            pl.col("kind").replace_strict(KIND_LABELS).alias("kind"),
            (pl.col("kind_share") * 100).round(1).alias("kind_percent"),
        )
        bars = (
            alt.Chart(stacked)
            .mark_bar()
            .encode(
                y=y,
                x=alt.X(
                    "kind_percent:Q", stack="zero", title="% of trials with exclusion criteria", scale=alt.Scale(domain=[0, 100])
                ),
                color=alt.Color(
                    "kind:N",
                    title=None,
                    sort=list(KIND_LABELS.values()),
                    scale=alt.Scale(domain=list(KIND_LABELS.values()), range=[OKABE_ITO["blue"], OKABE_ITO["sky"]]),
                    legend=alt.Legend(orient="bottom"),
                ),
                order=alt.Order("kind:N", sort="descending"),
                opacity=alt.condition(pick, alt.value(1.0), alt.value(0.4)),
                tooltip=[
                    *tooltip,
                    alt.Tooltip("kind:N", title="Exclusion"),
                    alt.Tooltip("kind_percent:Q", title="% of trials", format=".1f"),
                ],
            )
            .add_params(pick)
        )
        interval = (
            alt.Chart(chart_data).mark_rule(color="#000", strokeWidth=1.5).encode(y=y, x="ci_low_pct:Q", x2="ci_high_pct:Q")
        )
        text = (
            alt.Chart(chart_data)
            .mark_text(align="left", dx=4, color="#333")
            .encode(y=y, x=alt.X("ci_high_pct:Q"), text="bar_label:N")
        )
        show_chart(
            (bars + interval + text).properties(height=alt.Step(22)),
            width="stretch",
            on_select=_on_bar_click,
            selection_mode="pick",
            key=_chart_key(),
        )
        st.caption(
            "Click a bar to list its criteria below, or choose a theme there. Dark: at least one of the trial's criteria "
            "excludes the theme wholly; light: every one of them lets part of the group in (an exception, a time window, "
            "a severity, control or judgement qualifier)."
        )
        download_csv(
            chart_data.drop("percent", "ci_low_pct", "ci_high_pct", "bar_label"),
            what="theme distribution",
            filters=filters,
            key="dl_distribution",
        )

    with criteria_box:
        kind = (
            st.segmented_control(
                "Exclusion",
                list(EXCLUSION_KINDS),
                format_func=EXCLUSION_KINDS.get,
                default="any",
                key="kind",
                bind="query-params",
            )
            or "any"
        )
        count = query("theme_criteria_count", filters, theme=theme, exclusion_kind=kind).row(0, named=True)
        n_criteria = count["criteria"]
        criteria = query("theme_criteria", filters, theme=theme, exclusion_kind=kind, limit=CRITERIA_SHOWN)
        st.markdown(
            f"**{labels[theme]}**: {n_criteria:,} {'' if kind == 'any' else kind + ' '}exclusion criteria in {count['trials']:,} trials"
            + (f" (showing the first {CRITERIA_SHOWN})" if n_criteria > CRITERIA_SHOWN else "")
            + ". The highlighted words are the cue that gave the theme"
            + (f"; your criteria search ({md(filters.search)}) is marked in blue." if filters.search else ".")
        )
        rows = "".join(
            f"<tr><td style='white-space:nowrap;vertical-align:top'>{trial_link(r['nct_id'])}</td>"
            f"<td>{highlight(r['text'], r['cue'], filters.search)}{_kind_tag(r['exclusion_kind'] == 'conditional', r['qualifier'])}</td></tr>"
            for r in criteria.iter_rows(named=True)
        )
        st.html(
            "<div style='max-height:420px;overflow:auto'><table style='width:100%;border-collapse:collapse;font-size:.9em'>"
            "<thead><tr><th style='text-align:left'>Trial</th><th style='text-align:left'>Exclusion criterion</th></tr></thead>"
            f"<tbody>{rows}</tbody></table></div>"
        )
        download_csv(
            lambda: query("theme_criteria", filters, theme=theme, exclusion_kind=kind, limit=10_000_000),
            what=f"{theme} {'' if kind == 'any' else kind + ' '}criteria",
            filters=filters,
            key="dl_theme_criteria",
            rows=n_criteria,
        )


theme_chart_and_criteria(filters, labels, distribution)

with bordered("Cohort comparison"):
    st.caption(
        "Two filter sets side by side: the share of each cohort's trials (with exclusion criteria) that exclude on each "
        "theme. **The sidebar filters do not apply here**: each cohort is defined only by its own controls below. "
        "By default A is B-ALL trials open to under-18s and B is B-ALL trials for adults only (minimum age 18 or over), "
        "so no trial is in both."
    )
    left, right = st.columns(2)
    with left:
        cohort_a = cohort_controls("a", title="Cohort A", preset="pediatric-b-all", age=(0, 100))
    with right:
        cohort_b = cohort_controls("b", title="Cohort B", preset="b-all", age=(0, 100), age_mode="adult_only")
    comparison = compare_theme_shares(query("theme_distribution", cohort_a), query("theme_distribution", cohort_b))
    name_a, name_b = f"A: {cohort_a.describe()}", f"B: {cohort_b.describe()}"
    base_a, base_b = int(comparison["base_a"][0]), int(comparison["base_b"][0])
    st.markdown(
        f"**A**: {md(cohort_a.describe())} ({base_a:,} trials with exclusion criteria) · "
        f"**B**: {md(cohort_b.describe())} ({base_b:,} trials with exclusion criteria)"
    )
    small = [name for name, n in (("A", base_a), ("B", base_b)) if n < SMALL_BASE]
    if small:
        st.warning(
            f"Cohort {' and '.join(small)} rests on fewer than {SMALL_BASE} trials: its shares are marked n<{SMALL_BASE} "
            "and their 95% intervals are wide."
        )
    long = comparison_long(comparison, name_a=name_a, name_b=name_b)
    order = comparison["label"].to_list()
    encoding = {
        "y": alt.Y("label:N", title=None, sort=order, axis=alt.Axis(labelLimit=260)),
        "yOffset": alt.YOffset("cohort:N"),
    }
    cohort_colour = alt.Color(
        "cohort:N",
        title=None,
        scale=alt.Scale(domain=[name_a, name_b], range=list(COHORT_COLOURS)),
        legend=alt.Legend(orient="top", labelLimit=400),
    )
    grouped_bars = (
        alt.Chart(long)
        .mark_bar()
        .encode(
            **encoding,
            x=alt.X("percent:Q", title="% of cohort's trials", scale=alt.Scale(domain=[0, 100])),
            color=cohort_colour,
            tooltip=[
                alt.Tooltip("label:N", title="Theme"),
                alt.Tooltip("cohort:N", title="Cohort"),
                alt.Tooltip("bar_label:N", title="Share (trials)"),
                alt.Tooltip("ci_low:Q", title="95% interval from (%)", format=".1f"),
                alt.Tooltip("ci_high:Q", title="95% interval to (%)", format=".1f"),
            ],
        )
    )
    grouped_ci = alt.Chart(long).mark_rule(color="#000").encode(**encoding, x="ci_low:Q", x2="ci_high:Q")
    grouped_text = (
        alt.Chart(long)
        .mark_text(align="left", dx=3, fontSize=9, color="#333")
        .encode(**encoding, x="ci_high:Q", text="bar_label:N")
    )
    grouped = (grouped_bars + grouped_ci + grouped_text).properties(height=alt.Step(13))
    diff = (
        alt.Chart(comparison)
        .mark_bar()
        .encode(
            y=alt.Y("label:N", title=None, sort=order, axis=alt.Axis(labels=False, ticks=False)),
            x=alt.X("difference_pp:Q", title="A − B (pp; blue: A higher, orange: B higher)"),
            color=alt.condition("datum.difference_pp >= 0", alt.value(COHORT_COLOURS[0]), alt.value(COHORT_COLOURS[1])),
            tooltip=[alt.Tooltip("label:N", title="Theme"), alt.Tooltip("difference_pp:Q", title="A − B (pp)", format="+.1f")],
        )
        .properties(width=160, height=alt.Step(24))
    )
    show_chart(alt.hconcat(grouped, diff).resolve_scale(y="shared"), width="stretch")
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
    )
    numbers = heat.mark_text(fontSize=9).encode(
        text=alt.Text("trials:Q", format=","),
        color=alt.condition(f"datum.trials > {int(pairs['trials'].max() or 0) / 2}", alt.value("#fff"), alt.value("#000")),
        tooltip=alt.value(None),
    )
    show_chart((heat + numbers).properties(height=alt.Step(24)), width="stretch")
    download_csv(pairs, what="theme co-occurrence", filters=filters, key="dl_cooccurrence")
