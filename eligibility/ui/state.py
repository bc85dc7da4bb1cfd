"""The database the dashboard serves, and cached query results keyed on plain values.

One read-only connection per database version (a rebuilt file is a new
version); every query runs on its own cursor, so sessions in different threads
never share a statement.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import streamlit as st

from eligibility.explore.filters import Filters
from eligibility.explore.queries import connect, outdated, run
from eligibility.paths import database_path

# A shared deployment sets ELIGIBILITY_READ_ONLY=1: no upload, rebuild or removal, and short error messages.
READ_ONLY_ENV = "ELIGIBILITY_READ_ONLY"


def read_only() -> bool:
    return os.environ.get(READ_ONLY_ENV, "").strip().lower() in {"1", "true", "yes", "on"}


def _version(path: Path) -> str:
    """Changes whenever ingest swaps in a new database file."""
    stat = path.stat()
    return f"{stat.st_ino}-{stat.st_mtime_ns}"


@st.cache_resource(max_entries=4)
def _connection(path: str, version: str) -> duckdb.DuckDBPyConnection:
    return connect(path)


@st.cache_data(max_entries=512, show_spinner=False)
def _cached(path: str, version: str, name: str, params_json: str, sort: str | None, descending: bool) -> pl.DataFrame:
    return run(_connection(path, version), name, sort=sort, descending=descending, **json.loads(params_json))


def query(
    name: str, filters: Filters | None = None, *, sort: str | None = None, descending: bool = False, **params: Any
) -> pl.DataFrame:
    """Run queries/<name>.sql with the filters' parameters plus ``params`` (cached per database version),
    sorted by ``sort`` (a name from ``eligibility.explore.queries.SORTS``) where the query allows it."""
    if filters is not None:
        params = {**filters.params(), **params}
    path = database_path()
    return _cached(str(path), _version(path), name, json.dumps(params, sort_keys=True), sort, descending)


def database_outdated() -> str | None:
    """Why this version cannot read the database it serves (``eligibility.explore.queries.outdated``), or None."""
    path = database_path()
    return _outdated(str(path), _version(path))


@st.cache_data(max_entries=4, show_spinner=False)
def _outdated(path: str, version: str) -> str | None:
    return outdated(_connection(path, version))


def options(field: str) -> list[str]:
    """The values a list filter (phase, status, study type) can take in this database."""
    frame = query("filter_options")
    return frame.filter(pl.col("field") == field)["value"].to_list()


def theme_labels() -> dict[str, str]:
    frame = query("theme_labels")
    return dict(zip(frame["theme"], frame["label"], strict=True))
