"""Trial detail: one study's eligibility, criteria with their themes, raw text and provenance."""

from __future__ import annotations

import html

import streamlit as st

from eligibility.build.records import NCT_ID_FORMAT, NCT_ID_RE
from eligibility.explore.labels import code_label, healthy_volunteers_label
from eligibility.explore.thresholds import age_range, facts_by_criterion
from eligibility.ui.render import bordered, chips, highlight, md, show_frame, stop_if_empty
from eligibility.ui.sidebar import current_filters
from eligibility.ui.state import query, theme_labels

SECTIONS = {
    "inclusion": "Inclusion criteria",
    "exclusion": "Exclusion criteria",
    "unspecified": "Criteria (no inclusion/exclusion headers)",
}

filters = current_filters()
labels = theme_labels()
st.title("Trial detail")

matching = query("trial_picker", filters, limit=5000)
total = query("headline_counts", filters)["trials"][0]
stop_if_empty(filters, total, stop=False)


def _pick() -> None:
    st.session_state["nct"] = st.session_state["nct_pick"].split(" ")[0]


st.selectbox(
    f"Pick one of the {total:,} matching trials"
    + (f" (the first {len(matching):,} by NCT ID are listed)" if len(matching) < total else ""),
    [f"{r['nct_id']} – {r['title'] or '(no title)'}" for r in matching.iter_rows(named=True)],
    index=None,
    key="nct_pick",
    on_change=_pick,
    placeholder="Choose a trial…",
)
nct_id = st.text_input("or type an NCT ID", key="nct", bind="query-params", max_chars=11).strip().upper()
if not nct_id:
    st.info("Choose a trial above, or type an NCT ID such as NCT06389305.")
    st.stop()
if not NCT_ID_RE.match(nct_id):
    st.error(f"{md(nct_id)} is not an NCT ID ({NCT_ID_FORMAT}).")
    st.stop()
detail = query("trial_detail", nct_id=nct_id)
if detail.is_empty():
    st.warning(f"{md(nct_id)} is not in the database.")
    st.stop()
study = detail.row(0, named=True)

st.subheader(f"{study['nct_id']}: {md(study['title'] or '(no title in this record)')}")
st.link_button("Open on ClinicalTrials.gov", study["url"], icon=":material/open_in_new:")


def _age(raw: str | None, years: float | None) -> tuple[str, str]:
    """The age as written, and what it means in years."""
    if raw is None:
        return "none", "no limit"
    return raw, f"{years:.2f} years" if years is not None else "not understood"


cols = st.columns(4)
for column, label, raw, years in (
    (cols[0], "Minimum age", study["minimum_age_raw"], study["minimum_age_years"]),
    (cols[1], "Maximum age", study["maximum_age_raw"], study["maximum_age_years"]),
):
    written, meaning = _age(raw, years)
    column.metric(label, written, meaning, delta_color="off", delta_arrow="off")
cols[2].metric("Sex", code_label(study["sex"]))
hv = study["healthy_volunteers"]
cols[3].metric("Healthy volunteers", healthy_volunteers_label(hv))
facts = [
    ("Standard age groups", ", ".join(map(code_label, study["std_ages"] or [])) + f" ({study['std_ages_source']})"),
    ("Conditions", "; ".join(study["conditions"] or []) or "—"),
    (
        "Phase / status / type",
        " / ".join(code_label(study[k]) if study[k] else "—" for k in ("phase", "overall_status", "study_type")),
    ),
    ("B-ALL study", f"yes ({study['b_all_basis']})" if study["is_b_all"] else "no"),
    ("Last update", str(study["last_update"] or "—")),
]
st.html(
    "<table style='font-size:.9em'>"
    + "".join(
        f"<tr><th style='text-align:left;padding-right:1em'>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>" for k, v in facts
    )
    + "</table>"
)
ages = query("threshold_trial_ages", nct_id=nct_id)
if not ages.is_empty() and ages["n_age_facts"][0]:
    stated = ages.row(0, named=True)
    text_age = age_range(stated["text_minimum_age_years"], stated["text_maximum_age_years"])
    record_age = age_range(stated["minimum_age_years"], stated["maximum_age_years"])
    if stated["age_statements_disagree"]:
        st.warning(
            f"Age statements disagree: the criteria text states {text_age}, the structured record {record_age} "
            "(more than one year apart, or the text states an age the record lacks). Registry searches use the record."
        )
    else:
        st.caption(f"Age in the criteria text: {text_age}; structured record: {record_age} (they agree).")
else:
    st.caption("The criteria text states no age limit.")
if not study["record_complete"]:
    st.warning(
        "This record was cut off in its source file: the criteria may be incomplete and missing fields are unknown, not absent."
    )

criteria = query("trial_criteria", nct_id=nct_id)
thresholds = facts_by_criterion(query("threshold_trial", nct_id=nct_id))
st.caption(
    "Blue chips: the criterion's themes, with the cue highlighted. Amber chips: the limits read from it, "
    "as the eligible bound (exclusions turned around)."
    + (f" Your criteria search ({md(filters.search)}) is marked in sky blue." if filters.search else "")
)
for section, title in SECTIONS.items():
    items = criteria.filter(criteria["section"] == section)
    if items.is_empty():
        continue
    with bordered(f"{title} ({len(items)})"):
        rows = []
        for item in items.iter_rows(named=True):
            cue = item["cues"][0] if item["cues"] else None
            heading = f"<div style='color:#666;font-size:.8em'>{html.escape(item['heading'])}</div>" if item["heading"] else ""
            rows.append(
                f"<li style='margin-left:{item['depth'] * 1.5}em'>{heading}{highlight(item['text'], cue, filters.search)} "
                f"{chips([t for t in item['themes'] if t != 'other'], labels)}"
                f"{chips(thresholds.get(item['criterion_id'], []), {}, kind='fact')}</li>"
            )
        st.html(f"<ol style='padding-left:1.5em'>{''.join(rows)}</ol>")

with st.expander("Raw criteria text, as in the source"):
    st.text(study["criteria_text"] or "(no criteria text)")
with st.expander("Source records"):
    st.caption(
        f"Kept: {md(study['source_file'])} — {md(study['source_record'])} ({study['source_format']}). "
        f"{study['n_source_records']} record(s) for this study were read; the most recently updated one is shown."
    )
    show_frame(query("trial_sources", nct_id=nct_id), hide_index=True)
