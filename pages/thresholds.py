"""Thresholds: the organ-function, performance-status, life-expectancy and age limits the
filtered trials state, per measure; the criteria behind each bar, and a cohort comparison."""

from __future__ import annotations

import html

import polars as pl
import streamlit as st

from eligibility.explore import thresholds as th
from eligibility.ui.charts import alt, show_chart
from eligibility.ui.render import bordered, download_csv, highlight, md, trial_link
from eligibility.ui.sidebar import cohort_controls, current_filters
from eligibility.ui.state import query

CRITERIA_SHOWN = 300
TRIALS_NAMED = 5
BLUE, SKY, ORANGE = "#0072B2", "#56B4E9", "#E69F00"

filters = current_filters()
st.title("Thresholds")
coverage = th.coverage_table(query("threshold_coverage", filters))
distribution = query("threshold_distribution", filters)
if coverage.is_empty():
    st.info("This database holds no threshold facts: no criterion states a limit on any measure.")
    st.stop()
matching = int(coverage["matching_studies"][0])
st.caption(
    f"Trials matching: {md(filters.describe())} ({matching:,} trials). A threshold is the eligible bound a criterion "
    "puts on a measure (exclusions turned around: 'exclude bilirubin > 1.5 × ULN' is a maximum of 1.5 xULN). "
    "A trial counts once per measure, bound and unit, at its strictest value. Units are never converted into each "
    "other: mg/dL and xULN limits are shown apart."
)
if matching == 0:
    st.info("No trials match the filters.")
    st.stop()


def _clicked(event: object, chart_key: str, field: str) -> str | None:
    """The value of ``field`` of a bar clicked in this run (None if the click is not new)."""
    points = (event.selection.get("pick") or []) if event else []  # type: ignore[attr-defined]
    value = points[0].get(field) if points else None
    last = f"_last_{chart_key}"
    if value is not None and value != st.session_state.get(last):
        st.session_state[last] = value
        return value
    return None


with bordered("How often each measure is stated"):
    pick = alt.selection_point(name="pick", fields=["measure"], on="click", clear="dblclick")
    chart = (
        alt.Chart(coverage)
        .mark_bar()
        .encode(
            y=alt.Y(
                "label:N",
                title=None,
                sort=alt.EncodingSortField(field="trials", op="max", order="descending"),
                axis=alt.Axis(labelLimit=260),
            ),
            x=alt.X("percent:Q", title="% of matching trials stating the measure", scale=alt.Scale(domain=[0, 100])),
            color=alt.condition(pick, alt.value(BLUE), alt.value(SKY)),
            tooltip=[
                alt.Tooltip("label:N", title="Measure"),
                alt.Tooltip("trials:Q", title="Trials stating it", format=","),
                alt.Tooltip("percent:Q", title="% of matching trials", format=".1f"),
            ],
        )
        .add_params(pick)
    )
    text = chart.mark_text(align="left", dx=3).encode(text=alt.Text("trials:Q", format=","), color=alt.value("#000000"))
    event = show_chart(
        (chart + text).properties(height=alt.Step(22)), width="stretch", on_select="rerun", key="th_coverage_chart"
    )
    st.caption("Any bound, unit or section counts. Click a bar to show that measure below (double-click to clear).")
    download_csv(coverage.drop("label"), what="threshold coverage", filters=filters, key="dl_th_coverage")

measures = coverage["measure"].to_list()
if (chosen := _clicked(event, "th_coverage_chart", "measure")) in measures:
    st.session_state["measure"] = chosen

with bordered("Distribution of the limit"):
    measure = st.selectbox("Measure", measures, format_func=th.measure_label, key="measure", bind="query-params")
    bars = th.measure_bars(distribution, measure)
    stating, _ = th.stating(coverage, measure)
    label = th.measure_label(measure)
    if bars.is_empty():
        st.info(f"None of the {matching:,} matching trials states a limit on {label}.")
    else:
        st.markdown(
            f"**{label}**: stated by {stating:,} of the {matching:,} matching trials ({stating / matching:.0%}). "
            "Each chart is one bound in one unit, the strictest value at the top; a bar counts the trials whose "
            "strictest value it is."
        )
    picked: str | None = None
    for series in th.series_order(bars):
        rows = bars.filter(pl.col("series") == series)
        chart_key = f"th_bars_{measure}_{rows['bound'][0]}_{rows['unit'][0]}"
        pick = alt.selection_point(name="pick", fields=["bar"], on="click", clear="dblclick")
        chart = (
            alt.Chart(rows, title=f"{series}: {th.trials(int(rows['trials_stating'][0]))}")
            .mark_bar()
            .encode(
                y=alt.Y(
                    "value_label:N",
                    title=None,
                    sort=alt.EncodingSortField(field="rank", op="min", order="ascending"),
                    axis=alt.Axis(labelLimit=260),
                ),
                x=alt.X("trials:Q", title="Trials (at their strictest value)", axis=alt.Axis(format="d", tickMinStep=1)),
                color=alt.condition(pick, alt.value(BLUE), alt.value(SKY)),
                tooltip=[
                    alt.Tooltip("value_label:N", title=series),
                    alt.Tooltip("trials:Q", title="Trials", format=","),
                    alt.Tooltip("percent:Q", title="% of trials stating it", format=".1f"),
                ],
            )
            .add_params(pick)
        )
        text = chart.mark_text(align="left", dx=3).encode(text=alt.Text("trials:Q", format=","), color=alt.value("#000000"))
        event = show_chart((chart + text).properties(height=alt.Step(20)), width="stretch", on_select="rerun", key=chart_key)
        picked = _clicked(event, chart_key, "bar") or picked
        if th.unusual_direction(measure, rows["bound"][0]):
            st.caption(
                f"An unusual direction for {label}: these criteria state a {rows['series'][0].split()[0].lower()} "
                "(a trial for people with this abnormality, or an extraction error): read the criteria behind the bars."
            )
        download_csv(
            rows.drop("bar", "rank"),
            what=f"{th.series_slug(measure, rows['bound'][0], rows['unit'][0])} distribution",
            filters=filters,
            key=f"dl_{chart_key}",
        )
    if not bars.is_empty():
        st.caption("Click a bar to list its trials and criteria below (double-click to clear).")

if picked in bars["bar"].to_list():
    st.session_state["th_bar"] = picked


def _trial_ids(bound: str, unit: str, value: float) -> list[str]:
    """The trials whose strictest limit of this bound and unit is ``value``, in NCT ID order."""
    return query("threshold_trials", filters, measure=measure, bound=bound, unit=unit, value=value)["nct_id"].to_list()


def _links(ids: list[str]) -> str:
    more = f" and {len(ids) - TRIALS_NAMED:,} more" if len(ids) > TRIALS_NAMED else ""
    return ", ".join(trial_link(i) for i in ids[:TRIALS_NAMED]) + more


if not bars.is_empty():
    with bordered("Trials and criteria behind a bar"):
        labels = th.bar_labels(bars)
        bar = st.selectbox(
            "Bar",
            list(labels),
            format_func=labels.get,
            index=None,
            key="th_bar",
            bind="query-params",
            placeholder="Click a bar above or choose one…",
        )
        if bar is None:
            st.info("Click a bar above, or choose one here, to list the trials and criteria behind it.")
        else:
            bound, unit, value = th.parse_bar(bar)
            row = bars.filter(pl.col("bar") == bar).row(0, named=True)
            criteria = query(
                "threshold_criteria", filters, measure=measure, bound=bound, unit=unit, value=value, limit=CRITERIA_SHOWN
            )
            st.markdown(
                f"**{labels[bar]}**: {th.trials(row['trials'])} at this strictest value"
                + (f" (showing the first {CRITERIA_SHOWN} criteria)" if len(criteria) >= CRITERIA_SHOWN else "")
                + ". The highlighted words are the text the value was read from."
            )
            rows_html = "".join(
                f"<tr><td style='white-space:nowrap;vertical-align:top'>{trial_link(r['nct_id'])}</td>"
                f"<td style='vertical-align:top'>{r['section']}</td>"
                f"<td style='vertical-align:top;white-space:nowrap'>{th.format_value(r['value'], r['unit'])}</td>"
                f"<td>{highlight(r['text'], r['span'])}</td></tr>"
                for r in criteria.iter_rows(named=True)
            )
            st.html(
                "<div style='max-height:420px;overflow:auto'><table style='width:100%;border-collapse:collapse;font-size:.9em'>"
                "<thead><tr><th style='text-align:left'>Trial</th><th style='text-align:left'>Section</th>"
                "<th style='text-align:left'>Value</th><th style='text-align:left'>Criterion</th></tr></thead>"
                f"<tbody>{rows_html}</tbody></table></div>"
            )
            download_csv(
                lambda: query(
                    "threshold_criteria", filters, measure=measure, bound=bound, unit=unit, value=value, limit=10_000_000
                ),
                what=f"{th.series_slug(measure, bound, unit)} {value:g} criteria",
                filters=filters,
                key="dl_th_criteria",
            )

    with bordered("Strictest and most lenient trials"):
        ends = th.extremes(bars)
        ends = ends.with_columns(
            pl.Series(
                "strictest_nct_ids", [_trial_ids(r["bound"], r["unit"], r["strictest"]) for r in ends.iter_rows(named=True)]
            ),
            pl.Series(
                "most_lenient_nct_ids", [_trial_ids(r["bound"], r["unit"], r["most_lenient"]) for r in ends.iter_rows(named=True)]
            ),
        )
        cell = "style='text-align:left;vertical-align:top;padding:.2em .6em'"
        rows_html = "".join(
            f"<tr><td {cell}>{html.escape(r['series'])}</td><td {cell}>{r['trials_stating']:,}</td>"
            f"<td {cell}><b>{r['strictest_label']}</b> ({r['strictest_trials']:,}): {_links(r['strictest_nct_ids'])}</td>"
            f"<td {cell}><b>{r['most_lenient_label']}</b> ({r['most_lenient_trials']:,}): {_links(r['most_lenient_nct_ids'])}</td></tr>"
            for r in ends.iter_rows(named=True)
        )
        st.html(
            f"<table style='width:100%;border-collapse:collapse;font-size:.9em'><thead><tr><th {cell}>Limit</th>"
            f"<th {cell}>Trials</th><th {cell}>Strictest (trials)</th><th {cell}>Most lenient (trials)</th></tr></thead>"
            f"<tbody>{rows_html}</tbody></table>"
        )
        download_csv(
            ends.with_columns(pl.col("strictest_nct_ids", "most_lenient_nct_ids").list.join("; ")),
            what=f"{measure} strictest and most lenient",
            filters=filters,
            key="dl_th_extremes",
        )

with bordered(f"Cohort comparison: {label}"):
    st.caption(
        "Two filter sets side by side: for each limit, the share of each cohort's trials stating it that set each "
        "strictest value."
    )
    left, right = st.columns(2)
    with left:
        cohort_a = cohort_controls("ta", title="Cohort A", preset="pediatric-b-all", age=(0, 100))
    with right:
        cohort_b = cohort_controls("tb", title="Cohort B", preset="b-all", age=(18, 100))
    lines = []
    for name, colour_name, cohort in (("A", "orange", cohort_a), ("B", "blue", cohort_b)):
        n_stating, n_matching = th.stating(query("threshold_coverage", cohort), measure)
        share = f" ({n_stating / n_matching:.0%})" if n_matching else ""
        lines.append(
            f"**{name}** ({colour_name} bars): {md(cohort.describe())}: {n_stating:,} of {n_matching:,} trials state it{share}"
        )
    st.markdown("  \n".join(lines))
    comparison = th.compare_bars(
        th.measure_bars(query("threshold_distribution", cohort_a), measure),
        th.measure_bars(query("threshold_distribution", cohort_b), measure),
        name_a=cohort_a.describe(),
        name_b=cohort_b.describe(),
    )
    if comparison.is_empty():
        st.info(f"Neither cohort has a trial that states a limit on {label}.")
    for series in th.series_order(comparison):
        rows = comparison.filter(pl.col("series") == series).with_columns(
            (
                pl.col("cohort")
                + " "
                + pl.col("percent").round(0).cast(pl.Int64).cast(pl.String)
                + "% ("
                + pl.col("trials").cast(pl.String)
                + ")"
            ).alias("text")
        )
        stated = rows.group_by("cohort").agg(pl.col("trials_stating").first()).sort("cohort")["trials_stating"].to_list()
        grouped = alt.Chart(rows, title=f"{series}: A {th.trials(stated[0])}, B {th.trials(stated[-1])}").encode(
            y=alt.Y(
                "value_label:N",
                title=None,
                sort=alt.EncodingSortField(field="rank", op="min", order="ascending"),
                axis=alt.Axis(labelLimit=260),
            ),
            yOffset=alt.YOffset("cohort:N"),
            x=alt.X("percent:Q", title="% of the cohort's trials stating this limit", scale=alt.Scale(domain=[0, 100])),
            tooltip=[
                alt.Tooltip("value_label:N", title=series),
                alt.Tooltip("cohort_filters:N", title="Cohort"),
                alt.Tooltip("trials:Q", title="Trials", format=","),
                alt.Tooltip("percent:Q", title="%", format=".1f"),
            ],
        )
        colour = alt.Color("cohort:N", scale=alt.Scale(domain=["A", "B"], range=[ORANGE, BLUE]), legend=None)
        show_chart(
            (
                grouped.mark_bar().encode(color=colour)
                + grouped.mark_text(align="left", dx=3, fontSize=10).encode(text="text:N", color=alt.value("#000000"))
            ).properties(height=alt.Step(12)),
            width="stretch",
        )
    if not comparison.is_empty():
        download_csv(comparison, what=f"{measure} cohort comparison", filters=cohort_a, key="dl_th_comparison")
