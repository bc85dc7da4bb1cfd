"""Building the database from the dashboard: the first run on the demo data, and uploads.

Both run ingest (which writes beside the live database and swaps atomically)
inside one progress block; the dashboard keeps answering from the old file
until the new one is complete. A read-only deployment (``ELIGIBILITY_READ_ONLY=1``)
refuses both.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl
import streamlit as st

from eligibility.build.sources import DEFAULT_LIMITS, ZipLimits
from eligibility.paths import DEMO_DATA, database_path
from eligibility.ui.state import READ_ONLY_ENV, database_outdated, query, read_only

if TYPE_CHECKING:
    from eligibility.build.ingest import IngestSummary

MAX_UPLOAD_BYTES = 200 * 1024 * 1024
# Uploads come from outside: tighter zip limits than for files the user already holds.
UPLOAD_ZIP_LIMITS = ZipLimits(max_entry_bytes=64 * 1024 * 1024, max_ratio=100.0, max_total_bytes=2 * 1024**3, max_depth=2)


class ReadOnlyError(PermissionError):
    """A change to the data was asked of a read-only deployment."""


def _refuse_if_read_only(what: str) -> None:
    if read_only():
        raise ReadOnlyError(f"{what} is switched off: this dashboard is read-only ({READ_ONLY_ENV} is set).")


@dataclass
class UploadOutcome:
    """What one upload did: a row per file (loaded with counts, or refused/rejected with the reason)."""

    files: pl.DataFrame
    summary: list[str] = field(default_factory=list)

    @property
    def anything_rejected(self) -> bool:
        return bool(self.files.filter(pl.col("outcome") != "loaded").height or self.files["rejected"].sum())


def uploads_path() -> Path:
    """Uploaded files are kept beside the database they were added to."""
    return database_path().parent / "uploads"


def _ingest_with_status(label: str, inputs: list[Path], *, expected_files: int = 0, **options: Any) -> IngestSummary:
    """Run ingest inside a status block that shows which file is being read (with a progress bar when the
    number of files is known); the block is removed when done."""
    # Imported here, not at the top: the readers and the classifier would add to every cold start.
    from eligibility.build.ingest import ingest
    from eligibility.explore.queries import store_unfiltered_views

    slot = st.empty()
    with slot.status(label, expanded=True):
        bar = st.progress(0.0) if expected_files else None
        line = st.empty()

        def on_progress(files: int, name: str) -> None:
            if bar is not None:
                bar.progress(min(files / expected_files, 1.0))
            line.write(f"{files:,} files read… ({Path(name.split('!')[0]).name})")

        summary = ingest(inputs, database_path(), on_progress=on_progress, on_publish=store_unfiltered_views, **options)
    slot.empty()
    return summary


def _rebuild(label: str, *, extra_files: int, limits: ZipLimits = UPLOAD_ZIP_LIMITS) -> IngestSummary:
    """Rebuild from the previous inputs (uploads read afresh from their folder), with a progress bar
    sized on the previous build's file count. Zip archives are read under the upload limits unless
    ``limits`` says otherwise."""
    upload_dir = uploads_path()
    last = query("ingest_summary").row(0, named=True)
    inputs = [
        Path(p)
        for p in json.loads(last["inputs"])
        if Path(p).exists() and not Path(p).resolve().is_relative_to(upload_dir.resolve())
    ]
    if upload_dir.exists():
        inputs.append(upload_dir)
    summary = _ingest_with_status(label, inputs, expected_files=int(last["files_read"]) + extra_files, limits=limits)
    st.cache_data.clear()
    return summary


REBUILD_WHY = (
    "The whole database is rebuilt (about 10 s for the demo data), so that it stays one consistent file; "
    "the dashboard keeps answering from the current database until the new one is complete."
)


def ensure_database() -> Path:
    """Build the database from the demo data on first run (a read-only deployment must be given one)."""
    path = database_path()
    if not path.exists():
        if read_only():
            st.error(
                "No database to show. This dashboard is read-only: its administrator builds the database with "
                "`python -m eligibility ingest`."
            )
            st.stop()
        summary = _ingest_with_status("First run: building the database from the built-in demo data…", [DEMO_DATA])
        st.toast(
            f"Database built: {summary.studies_loaded:,} studies in {summary.elapsed_s:.0f} s "
            f"({summary.rejected:,} records rejected; see the Data page).",
            icon=":material/database:",
        )
    elif reason := database_outdated():
        if read_only():
            st.error(
                f"The database cannot be shown: it was {reason}. This dashboard is read-only: its administrator "
                "rebuilds the database with `python -m eligibility ingest`."
            )
            st.stop()
        last = query("ingest_summary").row(0, named=True)
        prompt = st.empty()
        with prompt.container():
            st.warning(
                f"The database cannot be shown: it was {reason}. Rebuild it from the files it was built from "
                f"({int(last['files_read']):,} files, {int(last['studies_loaded']):,} studies; the last build took "
                f"{float(last['elapsed_s']):,.0f} s). {REBUILD_WHY}",
                icon=":material/update:",
            )
            asked = st.button("Rebuild the database", type="primary", key="rebuild_outdated")
        if not asked:
            st.stop()
        prompt.empty()
        # the inputs the database was built from, read as they were then (not under the upload limits)
        summary = _rebuild(f"The database was {reason}: rebuilding it from its inputs…", extra_files=0, limits=DEFAULT_LIMITS)
        st.toast(
            f"Database rebuilt for this version: {summary.studies_loaded:,} studies in {summary.elapsed_s:.0f} s.",
            icon=":material/database:",
        )
    return path


def _safe_name(name: str) -> str:
    base = re.sub(r"[^A-Za-z0-9._-]+", "_", Path(name).name).lstrip(".")
    return base[:120] or "upload"


def add_uploads(files: list[Any]) -> UploadOutcome:
    """Save uploaded files, then rebuild the database from the previous inputs plus the uploads.

    Returns one row per file: what was read from it, kept, rejected or warned about.
    """
    _refuse_if_read_only("Adding files")
    limit = f"over the {MAX_UPLOAD_BYTES // 2**20} MB upload limit; not added"
    refused = [
        {"file": f.name, "records": 0, "studies": 0, "rejected": 0, "warnings": 0, "outcome": "refused", "reason": limit}
        for f in files
        if f.size > MAX_UPLOAD_BYTES
    ]
    accepted = [f for f in files if f.size <= MAX_UPLOAD_BYTES]
    summary: list[str] = []
    rows: list[dict[str, Any]] = []
    if accepted:
        upload_dir = uploads_path()
        target = upload_dir / datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        target.mkdir(parents=True, exist_ok=True)
        saved = {}
        for f in accepted:
            name = _safe_name(f.name)
            (target / name).write_bytes(f.getvalue())
            saved[name] = f.name
        previous = json.loads(query("ingest_summary")["inputs"][0])
        inputs = [Path(p) for p in previous if Path(p).exists() and not Path(p).resolve().is_relative_to(upload_dir.resolve())]
        inputs.append(upload_dir)
        result = _ingest_with_status("Rebuilding the database with your files…", inputs, limits=UPLOAD_ZIP_LIMITS)
        st.cache_data.clear()
        summary = result.lines()
        outcomes = {Path(r["file"]).name: r for r in query("upload_outcomes", folder=str(target)).iter_rows(named=True)}
        for name, original in saved.items():
            row = outcomes.get(name, {"records": 0, "studies": 0, "rejected": 0, "warnings": 0, "reason": None})
            loaded = row["studies"] > 0
            rows.append(
                {
                    "file": original,
                    "records": row["records"],
                    "studies": row["studies"],
                    "rejected": row["rejected"],
                    "warnings": row["warnings"],
                    "outcome": "loaded" if loaded else "rejected",
                    "reason": row["reason"] or ("" if loaded else "no study records found in this file"),
                }
            )
    return UploadOutcome(files=pl.DataFrame(rows + refused, schema=_OUTCOME_SCHEMA), summary=summary)


def uploaded_files() -> list[Path]:
    """The files added through the dashboard, oldest upload first."""
    upload_dir = uploads_path()
    return sorted(p for p in upload_dir.rglob("*") if p.is_file()) if upload_dir.exists() else []


def remove_uploads(files: list[Path]) -> IngestSummary:
    """Delete uploaded files (only files under the upload folder) and rebuild the database without them."""
    _refuse_if_read_only("Removing files")
    upload_dir = uploads_path().resolve()
    for path in files:
        resolved = path.resolve()
        if not resolved.is_relative_to(upload_dir) or not resolved.is_file():
            raise ValueError(f"{path} is not an uploaded file")
    for path in files:
        path.unlink()
        if not any(path.parent.iterdir()):
            path.parent.rmdir()
    return _rebuild(f"Removing {len(files)} file(s)… {REBUILD_WHY}", extra_files=0)


_OUTCOME_SCHEMA = {
    "file": pl.String,
    "records": pl.Int64,
    "studies": pl.Int64,
    "rejected": pl.Int64,
    "warnings": pl.Int64,
    "outcome": pl.String,
    "reason": pl.String,
}
