"""Data: what is loaded, what was rejected or warned about, and an upload box to add files."""

from __future__ import annotations

import streamlit as st

from eligibility.ui.rebuild import add_uploads
from eligibility.ui.render import bordered, download_csv
from eligibility.ui.sidebar import current_filters
from eligibility.ui.state import query

filters = current_filters()
st.title("Data")

counts = query("database_counts").row(0, named=True)
cols = st.columns(6)
cols[0].metric("Studies", f"{counts['studies']:,}")
cols[1].metric("Criteria", f"{counts['criteria']:,}")
cols[2].metric("B-ALL studies", f"{counts['b_all_studies']:,}")
cols[3].metric("Rejected records", f"{counts['rejected']:,}")
cols[4].metric("Warnings", f"{counts['warnings']:,}")
cols[5].metric(
    "Age text ≠ record",
    f"{counts['age_disagree_studies']:,}",
    help="Studies whose criteria text states an age that the structured minimum or maximum age contradicts "
    "(by more than one year) or lacks. Filter them with 'Age in criteria text vs record' in the sidebar.",
)

run = query("ingest_summary").row(0, named=True)
st.caption(
    f"Last ingest {run['finished_at']:%Y-%m-%d %H:%M} UTC (version {run['version']}): {run['files_read']:,} files read, "
    f"{run['records_read']:,} records, {run['studies_loaded']:,} studies, {run['duplicates_merged']:,} duplicates merged, "
    f"{run['rejected']:,} rejected, in {run['elapsed_s']:.1f} s."
)

with bordered("Files and formats"):
    files = query("ingest_files")
    st.dataframe(files, hide_index=True, column_config={"files_or_entries": "Files / zip entries", "records": "Records"})

with bordered("Rejected records and warnings"):
    kind = st.segmented_control("Show", ["rejected", "warning", "any"], default="rejected", key="issue_kind")
    issues = query("ingest_issues", kind=kind or "any", limit=100_000)
    st.dataframe(issues, hide_index=True, height=320)
    download_csv(issues, what=f"ingest {kind or 'any'} issues", filters=filters, key="dl_issues")

with bordered("Add your own files"):
    st.caption(
        "ClinicalTrials.gov v2 JSON (array, API page, single study, JSON Lines), classic XML, the eligibility-module "
        "text export, or a zip of any of these. The database is rebuilt with the current inputs plus your files; "
        "the dashboard keeps answering from the current database until the new one is complete."
    )
    with st.form("upload_form", clear_on_submit=True, border=False):
        uploads = st.file_uploader("Files", accept_multiple_files=True, key="uploads")
        submitted = st.form_submit_button("Add to the database", type="primary")
    if submitted:
        if uploads:
            add_uploads(uploads)
        else:
            st.warning("Choose one or more files first.")
