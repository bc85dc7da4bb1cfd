"""Streamlit glue shared by app.py and the pages: database, cached queries,
the shared sidebar filters (bound to the URL), downloads and safe rendering.

Pages stay thin: they read ``current_filters()``, call ``query()`` and show
the result. Text from records is only ever shown escaped.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import streamlit as st

from eligibility.build.sources import ZipLimits
from eligibility.explore.export import to_csv_bytes
from eligibility.explore.filters import HEALTHY_LABELS, PRESET_LABELS, SEX_LABELS, Filters
from eligibility.explore.queries import connect, run
from eligibility.paths import DEMO_DATA, database_path

AGE_SLIDER_MAX = 100


def uploads_path() -> Path:
    """Uploaded files are kept beside the database they were added to."""
    return database_path().parent / "uploads"


def md(text: str) -> str:
    """User-typed text made safe to place inside Streamlit markdown (no links, images or HTML)."""
    return re.sub(r"([\\`*_{}\[\]()<>#+\-.!|~])", r"\\\1", text)


B_ALL_DEFINITION = (
    "**B-ALL studies** are those whose conditions, keywords or title name B-cell or precursor-B ALL, or acute "
    "lymphoblastic (lymphocytic, lymphoid) leukemia without restricting it to T-cell ALL; multi-disease trials that "
    "include ALL count. Records with no conditions and no title (the plain-text export) are judged by the diagnosis "
    "their inclusion criteria require; mentions of ALL in exclusion criteria do not count. "
    "*Pediatric B-ALL*: B-ALL studies accepting participants under 18. *AYA B-ALL*: B-ALL studies whose age range "
    "overlaps the AYA window (15–39 by default)."
)


def _version(path: Path) -> str:
    """Changes whenever ingest swaps in a new database file."""
    stat = path.stat()
    return f"{stat.st_ino}-{stat.st_mtime_ns}"


def ensure_database() -> Path:
    """Build the database from the demo data on first run."""
    path = database_path()
    if path.exists():
        return path
    from eligibility.build.ingest import ingest

    with st.status("First run: building the database from the built-in demo data…", expanded=True) as status:
        line = st.empty()

        def on_progress(files: int, name: str) -> None:
            line.write(f"{files:,} files read… ({Path(name.split('!')[0]).name})")

        summary = ingest([DEMO_DATA], path, on_progress=on_progress)
        status.update(
            label=f"Database built: {summary.studies_loaded:,} studies in {summary.elapsed_s:.0f} s",
            state="complete",
            expanded=False,
        )
    return path


@st.cache_resource(max_entries=4)
def _connection(path: str, version: str) -> duckdb.DuckDBPyConnection:
    # One read-only connection per database version; each query takes its own cursor.
    return connect(path)


def connection() -> duckdb.DuckDBPyConnection:
    path = database_path()
    return _connection(str(path), _version(path))


@st.cache_data(max_entries=512, show_spinner=False)
def _cached(path: str, version: str, name: str, params_json: str) -> pl.DataFrame:
    return run(_connection(path, version), name, **json.loads(params_json))


def query(name: str, filters: Filters | None = None, **params: Any) -> pl.DataFrame:
    """Run queries/<name>.sql with the filters' parameters plus ``params`` (cached per database version)."""
    if filters is not None:
        params = {**filters.params(), **params}
    path = database_path()
    return _cached(str(path), _version(path), name, json.dumps(params, sort_keys=True))


# --- the shared sidebar -------------------------------------------------------


def _options(field: str) -> list[str]:
    frame = query("filter_options")
    return frame.filter(pl.col("field") == field)["value"].to_list()


def _age_bounds(slider: tuple[int, int]) -> tuple[float | None, float | None]:
    """The slider's full range means no age filter; its top value means no upper limit."""
    if tuple(slider) == (0, AGE_SLIDER_MAX):
        return None, None
    return float(slider[0]), (float(slider[1]) if slider[1] < AGE_SLIDER_MAX else None)


def sidebar_filters() -> Filters:
    """Draw the shared filters (each bound to a URL parameter) and return their state."""
    sb = st.sidebar
    sb.header("Filters")
    preset = sb.selectbox(
        "Preset",
        list(PRESET_LABELS),
        format_func=PRESET_LABELS.get,
        key="preset",
        bind="query-params",
        help="B-ALL: conditions, keywords or title name B-cell/precursor-B ALL or acute lymphoblastic leukemia (not T-cell only); records without conditions or title are judged by their inclusion criteria.",
    )
    aya = (15, 39)
    if preset == "aya-b-all":
        aya = sb.slider("AYA window (years)", 0, AGE_SLIDER_MAX, (15, 39), key="aya", bind="query-params")
    age = sb.slider(
        f"Age range (years; {AGE_SLIDER_MAX} = no upper limit)",
        0,
        AGE_SLIDER_MAX,
        (0, AGE_SLIDER_MAX),
        key="age",
        bind="query-params",
    )
    age_mode = sb.radio(
        "Age match",
        ["overlaps", "covers"],
        key="age_mode",
        bind="query-params",
        horizontal=True,
        help="overlaps: the trial accepts someone aged within the range; covers: the trial accepts the whole range. Trials without a minimum or maximum are open on that side.",
    )
    sex = sb.selectbox("Sex", list(SEX_LABELS), format_func=SEX_LABELS.get, key="sex", bind="query-params")
    healthy = sb.radio("Healthy volunteers", list(HEALTHY_LABELS), format_func=HEALTHY_LABELS.get, key="hv", bind="query-params")
    condition = sb.text_input("Condition, keyword or title contains", key="condition", bind="query-params", max_chars=200)
    search = sb.text_input("Criteria contain (literal text)", key="search", bind="query-params", max_chars=200)
    phases = sb.multiselect("Phase", _options("phase"), key="phase", bind="query-params")
    statuses = sb.multiselect("Overall status", _options("status"), key="status", bind="query-params")
    types = sb.multiselect("Study type", _options("study_type"), key="type", bind="query-params")
    min_age, max_age = _age_bounds(age)
    filters = Filters(
        min_age=min_age,
        max_age=max_age,
        age_mode=age_mode,
        sex=sex,
        healthy_volunteers=healthy,
        condition=condition,
        search=search,
        phases=tuple(phases),
        statuses=tuple(statuses),
        study_types=tuple(types),
        preset=preset,
        aya_min=float(aya[0]),
        aya_max=float(aya[1]),
    )
    sb.caption(f"Showing: {md(filters.describe())}")
    return filters


_FILTERS_KEY = "_filters_this_run"


def publish_filters(filters: Filters) -> None:
    """app.py hands the sidebar's filters to the page it is about to run."""
    st.session_state[_FILTERS_KEY] = filters


def current_filters() -> Filters:
    """The filters app.py drew in this script run.

    Streamlit runs a file in ``pages/`` on its own, without app.py, while it still
    treats the folder as a legacy multipage app (the first request of a server
    process, if it is a link to a page). Such a run is redone through app.py.
    """
    filters = st.session_state.pop(_FILTERS_KEY, None)
    if filters is None:
        from streamlit.runtime.pages_manager import PagesManager

        PagesManager.uses_pages_directory = False
        st.rerun()
    return filters


# --- output helpers -----------------------------------------------------------


def download_csv(
    frame: pl.DataFrame | Callable[[], pl.DataFrame], *, what: str, filters: Filters, key: str, rows: int | None = None
) -> None:
    """A CSV download of exactly ``frame``; a callable is only run when the user clicks."""
    if callable(frame):
        factory = frame

        def data() -> bytes:
            return to_csv_bytes(factory())

        label = f"Download {what} (CSV" + (f", {rows:,} rows)" if rows is not None else ")")
    else:
        data = to_csv_bytes(frame)  # type: ignore[assignment]
        label = f"Download {what} (CSV, {len(frame):,} rows)"
    st.download_button(
        label,
        data=data,
        file_name=f"{what.replace(' ', '-')}_{filters.slug()}.csv",
        mime="text/csv",
        key=key,
        on_click="ignore",
    )


def highlight(text: str, cue: str | None) -> str:
    """Escaped text with the first occurrence of ``cue`` wrapped in <mark>."""
    if cue:
        start = text.lower().find(cue.lower())
        if start >= 0:
            end = start + len(cue)
            return f"{html.escape(text[:start])}<mark>{html.escape(text[start:end])}</mark>{html.escape(text[end:])}"
    return html.escape(text)


def chips(themes: list[str], labels: dict[str, str]) -> str:
    return " ".join(
        f'<span style="display:inline-block;padding:0 .5em;margin:0 .2em .2em 0;border-radius:.8em;'
        f'background:#e8eef9;color:#1f3a68;font-size:.8em">{html.escape(labels.get(t, t))}</span>'
        for t in themes
    )


def trial_link(nct_id: str) -> str:
    safe = html.escape(nct_id)
    return f'<a href="https://clinicaltrials.gov/study/{safe}" target="_blank" rel="noopener noreferrer">{safe}</a>'


def theme_labels() -> dict[str, str]:
    frame = query("theme_labels")
    return dict(zip(frame["theme"], frame["label"], strict=True))


def bordered(title: str) -> Any:
    box = st.container(border=True)
    box.subheader(title)
    return box


def cohort_controls(prefix: str, *, title: str, preset: str, age: tuple[int, int]) -> Filters:
    """A compact filter set for one side of the cohort comparison (bound to the URL as <prefix>_*)."""
    st.markdown(f"**{title}**")
    chosen = st.selectbox(
        "Preset",
        list(PRESET_LABELS),
        index=list(PRESET_LABELS).index(preset),
        format_func=PRESET_LABELS.get,
        key=f"{prefix}_preset",
        bind="query-params",
    )
    ages = st.slider(
        f"Age range (years; {AGE_SLIDER_MAX} = no upper limit)", 0, AGE_SLIDER_MAX, age, key=f"{prefix}_age", bind="query-params"
    )
    mode = st.radio("Age match", ["overlaps", "covers"], key=f"{prefix}_age_mode", bind="query-params", horizontal=True)
    sex = st.selectbox("Sex", list(SEX_LABELS), format_func=SEX_LABELS.get, key=f"{prefix}_sex", bind="query-params")
    healthy = st.selectbox(
        "Healthy volunteers", list(HEALTHY_LABELS), format_func=HEALTHY_LABELS.get, key=f"{prefix}_hv", bind="query-params"
    )
    condition = st.text_input(
        "Condition, keyword or title contains", key=f"{prefix}_condition", bind="query-params", max_chars=200
    )
    min_age, max_age = _age_bounds(ages)
    return Filters(
        min_age=min_age,
        max_age=max_age,
        age_mode=mode,
        sex=sex,
        healthy_volunteers=healthy,
        condition=condition,
        preset=chosen,
    )


MAX_UPLOAD_BYTES = 200 * 1024 * 1024
# Uploads come from outside: tighter zip limits than for files the user already holds.
UPLOAD_ZIP_LIMITS = ZipLimits(max_entry_bytes=64 * 1024 * 1024, max_ratio=100.0, max_total_bytes=2 * 1024**3, max_depth=2)


def _safe_name(name: str) -> str:
    base = re.sub(r"[^A-Za-z0-9._-]+", "_", Path(name).name).lstrip(".")
    return base[:120] or "upload"


def add_uploads(files: list[Any]) -> None:
    """Save uploaded files, then rebuild the database from the previous inputs plus the uploads."""
    from eligibility.build.ingest import ingest

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
    with st.status("Rebuilding the database with your files…", expanded=True) as status:
        line = st.empty()

        def on_progress(files: int, name: str) -> None:
            line.write(f"{files:,} files read… ({Path(name.split('!')[0]).name})")

        summary = ingest(inputs, database_path(), limits=UPLOAD_ZIP_LIMITS, on_progress=on_progress)
        status.update(label=f"Done: {summary.studies_loaded:,} studies ({summary.rejected:,} records rejected)", state="complete")
    st.code("\n".join(summary.lines()), language=None)
    st.cache_data.clear()
