"""Building the database from the dashboard: the first run on the demo data, and uploads.

Both run ingest (which writes beside the live database and swaps atomically)
inside one progress block; the dashboard keeps answering from the old file
until the new one is complete.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import streamlit as st

from eligibility.build.ingest import IngestSummary, ingest
from eligibility.build.sources import ZipLimits
from eligibility.paths import DEMO_DATA, database_path
from eligibility.ui.state import query

MAX_UPLOAD_BYTES = 200 * 1024 * 1024
# Uploads come from outside: tighter zip limits than for files the user already holds.
UPLOAD_ZIP_LIMITS = ZipLimits(max_entry_bytes=64 * 1024 * 1024, max_ratio=100.0, max_total_bytes=2 * 1024**3, max_depth=2)


def uploads_path() -> Path:
    """Uploaded files are kept beside the database they were added to."""
    return database_path().parent / "uploads"


def _ingest_with_status(label: str, inputs: list[Path], **options: Any) -> IngestSummary:
    """Run ingest inside a status block that shows which file is being read."""
    with st.status(label, expanded=True) as status:
        line = st.empty()

        def on_progress(files: int, name: str) -> None:
            line.write(f"{files:,} files read… ({Path(name.split('!')[0]).name})")

        summary = ingest(inputs, database_path(), on_progress=on_progress, **options)
        status.update(
            label=f"Database built: {summary.studies_loaded:,} studies in {summary.elapsed_s:.0f} s "
            f"({summary.rejected:,} records rejected)",
            state="complete",
            expanded=False,
        )
    return summary


def ensure_database() -> Path:
    """Build the database from the demo data on first run."""
    path = database_path()
    if not path.exists():
        _ingest_with_status("First run: building the database from the built-in demo data…", [DEMO_DATA])
    return path


def _safe_name(name: str) -> str:
    base = re.sub(r"[^A-Za-z0-9._-]+", "_", Path(name).name).lstrip(".")
    return base[:120] or "upload"


def add_uploads(files: list[Any]) -> None:
    """Save uploaded files, then rebuild the database from the previous inputs plus the uploads."""
    refused = [f for f in files if f.size > MAX_UPLOAD_BYTES]
    for f in refused:
        st.error(f"{f.name}: {f.size:,} bytes is over the {MAX_UPLOAD_BYTES // 2**20} MB upload limit; not added.")
    accepted = [f for f in files if f.size <= MAX_UPLOAD_BYTES]
    if not accepted:
        return
    upload_dir = uploads_path()
    target = upload_dir / datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    target.mkdir(parents=True, exist_ok=True)
    for f in accepted:
        (target / _safe_name(f.name)).write_bytes(f.getvalue())
    previous = json.loads(query("ingest_summary")["inputs"][0])
    inputs = [Path(p) for p in previous if Path(p).exists() and not Path(p).resolve().is_relative_to(upload_dir.resolve())]
    inputs.append(upload_dir)
    summary = _ingest_with_status("Rebuilding the database with your files…", inputs, limits=UPLOAD_ZIP_LIMITS)
    st.code("\n".join(summary.lines()), language=None)
    st.cache_data.clear()
