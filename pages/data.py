"""Data: what is loaded, what was rejected or warned about, and an upload box to add files."""

from __future__ import annotations

import polars as pl
import streamlit as st

from eligibility.paths import DEMO_DATA, ROOT
from eligibility.ui.rebuild import UploadOutcome, add_uploads, remove_uploads, uploaded_files, uploads_path
from eligibility.ui.render import bordered, download_csv, md, show_frame
from eligibility.ui.sidebar import current_filters
from eligibility.ui.state import READ_ONLY_ENV, query, read_only

_OUTCOME_KEY = "_upload_outcome"
_REMOVED_KEY = "_upload_removed"
# What the built-in demo data's own rejects and warnings are, by the start of their reason.
DEMO_ISSUES = {
    "missing or malformed NCT ID": (
        "library test files shipped in the demo folder (`ctgov-v2/single/study_data_*.json`): their NCT ID is the "
        "placeholder `NCT000001`, so they cannot be told apart and are left out"
    ),
    "document is cut off": (
        "documents deliberately cut off mid-text (`ignite-truncated/`), kept to show that ingest keeps what is there "
        "and leaves the missing ages, sex and healthy-volunteer status unknown"
    ),
    "no eligibility criteria text": "real registry records that carry no eligibility text at all; they are loaded, without criteria",
}

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
    show_frame(
        files,
        hide_index=True,
        column_config={
            "file": "File",
            "format": "Format",
            "files_or_entries": st.column_config.NumberColumn("Files / zip entries", format="localized"),
            "records": st.column_config.NumberColumn("Records", format="localized"),
        },
    )

with bordered("Rejected records and warnings"):
    every_issue = query("ingest_issues", kind="any", limit=100_000)
    demo_prefixes = (str(DEMO_DATA), str(DEMO_DATA.relative_to(ROOT)))
    demo_issues = every_issue.filter(
        pl.col("file").str.starts_with(demo_prefixes[0]) | pl.col("file").str.starts_with(demo_prefixes[1])
    )
    if len(demo_issues):
        lines = []
        for start, meaning in DEMO_ISSUES.items():
            found = demo_issues.filter(pl.col("reason").str.starts_with(start))
            if len(found):
                kinds = ", ".join(
                    f"{n} {kind}{'s' if kind == 'warning' and n != 1 else ''}"
                    for kind, n in found.group_by("kind").len().sort("kind").iter_rows()
                )
                lines.append(f"- **{kinds}**: {meaning}.")
        st.info(
            "Nothing is broken: the built-in demo data brings its own rejects and warnings on purpose.\n\n" + "\n".join(lines),
            icon=":material/info:",
        )
    kind = st.segmented_control("Show", ["rejected", "warning", "any"], default="rejected", key="issue_kind")
    issues = every_issue if (kind or "any") == "any" else every_issue.filter(pl.col("kind") == kind)
    show_frame(
        issues,
        hide_index=True,
        height=320,
        column_config={"kind": "Kind", "file": "File", "record": "Record", "nct_id": "NCT ID", "reason": "Reason"},
    )
    download_csv(issues, what=f"ingest {kind or 'any'} issues", filters=filters, key="dl_issues")


def _show_outcome(outcome: UploadOutcome) -> None:
    loaded = int(outcome.files.filter(pl.col("outcome") == "loaded").height)
    message = f"{loaded} of {outcome.files.height} files loaded."
    if outcome.anything_rejected:
        st.warning(message + " Some files or records were rejected: the reasons are in the table.", icon=":material/warning:")
    else:
        st.success(message, icon=":material/check_circle:")
    show_frame(
        outcome.files,
        hide_index=True,
        column_config={
            "file": "File",
            "records": "Records read",
            "studies": "Studies kept",
            "rejected": "Rejected",
            "warnings": "Warnings",
            "outcome": "Outcome",
            "reason": st.column_config.TextColumn("Reason", width="large"),
        },
    )
    if outcome.summary:
        with st.expander("Ingest summary"):
            st.code("\n".join(outcome.summary), language=None)


with bordered("Add your own files"):
    if read_only():
        st.caption(md(f"This dashboard is read-only ({READ_ONLY_ENV} is set): files cannot be added or removed here."))
    else:
        st.caption(
            "ClinicalTrials.gov v2 JSON (array, API page, single study, JSON Lines), classic XML, the eligibility-module "
            "text export, or a zip of any of these. The database is rebuilt with the current inputs plus your files; "
            "the dashboard keeps answering from the current database until the new one is complete."
        )
        if _OUTCOME_KEY in st.session_state:
            _show_outcome(st.session_state.pop(_OUTCOME_KEY))
        with st.form("upload_form", clear_on_submit=True, border=False):
            uploads = st.file_uploader("Files", accept_multiple_files=True, key="uploads")
            submitted = st.form_submit_button("Add to the database", type="primary")
        if submitted:
            if uploads:
                # Rerun once the new database is in, so every number on the page is read from it.
                st.session_state[_OUTCOME_KEY] = add_uploads(uploads)
                st.rerun()
            st.warning("Choose one or more files first.")

    if not read_only() and (added := uploaded_files()):
        st.markdown("**Files you added**")
        if _REMOVED_KEY in st.session_state:
            st.success(st.session_state.pop(_REMOVED_KEY), icon=":material/check_circle:")
        root = uploads_path()
        chosen = st.multiselect(
            "Choose files to remove",
            added,
            format_func=lambda p: (
                f"{p.name} (added {p.parent.name[:8]} {p.parent.name[9:11]}:{p.parent.name[11:13]} UTC)"
                if p.parent != root
                else p.name
            ),
            key="remove_uploads",
        )
        if st.button("Remove and rebuild", disabled=not chosen, key="remove_button"):
            summary = remove_uploads(chosen)
            st.session_state[_REMOVED_KEY] = (
                f"Removed {len(chosen)} file(s); the database now holds {summary.studies_loaded:,} studies."
            )
            del st.session_state["remove_uploads"]
            st.rerun()
