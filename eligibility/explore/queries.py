"""Run the SQL files in ``queries/`` with named parameters and return polars frames.

A query file may include another with a line ``-- @include name.sql``; the
shared trial filter is written once, in ``matching_studies.sql``. Values only
ever reach DuckDB as parameters. Each call takes its own cursor, so sessions
in different threads never share a statement.

A criteria search is answered once per distinct search string and connection:
the matching studies are kept in ``search_hits`` (in the connection's private
in-memory catalog, for the last ``SEARCHES_KEPT`` strings), and every query of a
page joins to them. The studies are found through the word index ingest builds
(``search_studies.sql``); only a string with no letter or digit, or with words in
most studies, scans the text instead (``search_plan``).
"""

from __future__ import annotations

import contextlib
import functools
import io
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from eligibility.build import SCHEMA_VERSION, SEARCH_WORD_PATTERN
from eligibility.paths import QUERY_DIR

_INCLUDE_RE = re.compile(r"^[ \t]*-- @include ([a-z0-9_]+\.sql)[ \t]*$", re.MULTILINE)
_PARAM_RE = re.compile(r"\$([a-z_][a-z0-9_]*)")
# The only identifiers that vary: a query's sort column, by name. A query file that sorts on
# request says `order by {order_by}`; the runner fills it from here, never from user text.
SORTS: dict[str, dict[str, str]] = {
    "trials_table": {
        "nct_id": "nct_id",
        "min_age": "minimum_age_years",
        "max_age": "maximum_age_years",
        "sex": "sex",
        "healthy_volunteers": "healthy_volunteers",
        "n_inclusion": "n_inclusion",
        "n_exclusion": "n_exclusion",
        "n_unspecified": "n_unspecified",
        "b_all_basis": "b_all_basis",
        "phase": "phase",
        "status": "overall_status",
        "title": "title",
    },
}


@functools.cache
def load_sql(name: str) -> str:
    """The text of ``queries/<name>.sql`` with its includes expanded (read once per process)."""
    if not re.fullmatch(r"[a-z0-9_]+", name):
        raise ValueError(f"bad query name {name!r}")
    path = QUERY_DIR / f"{name}.sql"
    text = path.read_text(encoding="utf-8")
    return _INCLUDE_RE.sub(lambda m: load_sql(m.group(1).removesuffix(".sql")), text)


@functools.cache
def parameters(name: str) -> frozenset[str]:
    return frozenset(_PARAM_RE.findall(load_sql(name)))


CATALOG = "eligibility"
SEARCHES_KEPT = 32
_search_lock = threading.Lock()


def connect(db_path: Path | str) -> duckdb.DuckDBPyConnection:
    """A connection that reads the database file as it is now, and can never change it.

    The file is attached read-only to a private in-memory instance: DuckDB would
    otherwise hand back the instance already open on that path in this process,
    and so keep serving a database that ingest has since replaced.
    """
    con = duckdb.connect()
    con.execute(f"attach $path as {CATALOG} (read_only)", {"path": str(db_path)})
    con.execute(f"use {CATALOG}")
    con.execute("create table memory.main.searches (search varchar, seq bigint)")
    con.execute("create table memory.main.search_hits (search varchar, study_no integer)")
    return con


@contextlib.contextmanager
def catalog_cursor(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """A fresh cursor of ``con`` on the database's own catalog (the searches stay in ``memory``), closed after use."""
    cursor = con.cursor()
    try:
        cursor.execute(f"use {CATALOG}")
        yield cursor
    finally:
        cursor.close()


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    """The database layout ingest recorded in ``constants`` (0 for a database built before it was recorded)."""
    try:
        with catalog_cursor(con) as cursor:
            return int(cursor.execute("select schema_version from constants").fetchall()[0][0])
    except (duckdb.Error, IndexError):
        return 0


def outdated(con: duckdb.DuckDBPyConnection) -> str | None:
    """Why this version cannot read the database (built with another layout), or None when it can."""
    found = schema_version(con)
    if found == SCHEMA_VERSION:
        return None
    age = "an older" if found < SCHEMA_VERSION else "a newer"
    return f"built by {age} version of Eligibility Explorer (database layout {found}; this version reads layout {SCHEMA_VERSION})"


# Above this many rows of search_occurrences, a search scans the criteria text instead: a string
# whose words are everywhere ("a", "or") is found sooner by that scan. At 550,000 studies a new
# server read about 80 ms per million rows of a single word ("with", 1.9 million: 144 ms; "the",
# 5.4 million: 337 ms; "or", 10.3 million: 860 ms) against 450-600 ms for the scan.
SEARCH_INDEX_ROWS = 5_000_000


def search_plan(cursor: duckdb.DuckDBPyConnection, search: str) -> tuple[str, str, dict[str, str]]:
    """How ``search`` is answered, and the query (with its parameters) that returns the studies whose
    criteria contain it: ``index`` (the word index, ``search_studies.sql``) or ``text`` (a scan of
    every study's text), for a string with no letter or digit or with words too common to be worth
    reading from the index (``SEARCH_INDEX_ROWS``)."""
    params = {"search": search, "pattern": SEARCH_WORD_PATTERN}
    (rows,) = cursor.execute(load_sql("search_estimate"), params).fetchone() or (None,)
    if rows is not None and rows <= SEARCH_INDEX_ROWS:
        return "index", load_sql("search_studies"), params
    return "text", "select study_no from studies where contains(search_text, $search)", {"search": search}


def cache_search(cursor: duckdb.DuckDBPyConnection, search: str) -> None:
    """Put the studies whose criteria contain ``search`` (literally) into search_hits, once per string."""
    with _search_lock:
        if cursor.execute("select 1 from memory.main.searches where search = $s", {"s": search}).fetchall():
            return
        _, query, params = search_plan(cursor, search)
        cursor.execute(f"insert into memory.main.search_hits select $search, study_no from ({query})", params)
        cursor.execute(
            "insert into memory.main.searches select $s, coalesce(max(seq), 0) + 1 from memory.main.searches",
            {"s": search},
        )
        cursor.execute(
            "delete from memory.main.searches where seq <= (select max(seq) from memory.main.searches) - $kept",
            {"kept": SEARCHES_KEPT},
        )
        cursor.execute("delete from memory.main.search_hits where search not in (select search from memory.main.searches)")


def sorted_sql(name: str, sort: str | None = None, *, descending: bool = False) -> str:
    """The text of a query, with its ``{order_by}`` (if any) filled from ``SORTS`` (the first column by default)."""
    text = load_sql(name)
    if "{order_by}" not in text:
        if sort is not None:
            raise ValueError(f"query {name} cannot be sorted")
        return text
    columns = SORTS[name]
    if sort is not None and sort not in columns:
        raise ValueError(f"query {name} cannot be sorted by {sort!r}; choose one of {', '.join(columns)}")
    column = columns[sort or next(iter(columns))]
    return text.replace("{order_by}", f"{column} {'desc' if descending else 'asc'} nulls last")


# The views a first page load asks for with no filter set, answered once at ingest
# (``store_unfiltered_views``) and read back by ``run``: a per-database constant, like the filter
# options, instead of a cold scan of the studies table on every new server (headline counts,
# age curve and breakdowns cost about 0.5 s of CPU cold at 550,000 studies).
UNFILTERED_VIEWS = ("headline_counts", "age_eligibility_curve", "breakdowns", "theme_distribution")
UNFILTERED_TABLE = "unfiltered_views"


@functools.cache
def _unfiltered_params(name: str) -> dict[str, Any]:
    """The parameters ``name`` takes with no filter set (made once per query; never changed by callers)."""
    from eligibility.explore.filters import Filters

    wanted = parameters(name)
    return {k: v for k, v in Filters().params().items() if k in wanted}


def _to_ipc(frame: pl.DataFrame) -> bytes:
    sink = io.BytesIO()
    frame.write_ipc(sink)
    return sink.getvalue()


def store_unfiltered_views(con: duckdb.DuckDBPyConnection) -> None:
    """Answer ``UNFILTERED_VIEWS`` with no filter set and keep the answers (Arrow IPC) in the table
    ``unfiltered_views`` of the database ``con`` is building (passed to ingest as ``on_publish``)."""
    con.execute("attach ':memory:' as memory")  # the search tables the query files name (no search here)
    try:
        con.execute("create table memory.main.search_hits (search varchar, study_no integer)")
        rows = [(name, _to_ipc(con.sql(sorted_sql(name), params=_unfiltered_params(name)).pl())) for name in UNFILTERED_VIEWS]
    finally:
        con.execute("detach memory")
    con.execute(f"create table {UNFILTERED_TABLE} (query varchar, result blob)")
    con.executemany(f"insert into {UNFILTERED_TABLE} values (?, ?)", rows)


def _stored_view(cursor: duckdb.DuckDBPyConnection, name: str) -> pl.DataFrame | None:
    """The answer to ``name`` with no filter set, kept at ingest; None for a database built before the
    table existed."""
    try:
        found = cursor.execute(f"select result from {UNFILTERED_TABLE} where query = $q", {"q": name}).fetchall()
    except duckdb.CatalogException:
        return None
    return pl.read_ipc(io.BytesIO(found[0][0])) if found else None


def run(
    con: duckdb.DuckDBPyConnection, name: str, *, sort: str | None = None, descending: bool = False, **params: Any
) -> pl.DataFrame:
    """Run ``queries/<name>.sql`` on a fresh cursor with the parameters it names (sorted by ``sort``, a key of
    ``SORTS[name]``, for a query that allows it). An unfiltered view kept at ingest is read, not run."""
    wanted = parameters(name)
    missing = wanted - params.keys()
    if missing:
        raise TypeError(f"query {name} needs parameters {sorted(missing)}")
    if sort is None and name in UNFILTERED_VIEWS and {k: params[k] for k in wanted} == _unfiltered_params(name):
        with catalog_cursor(con) as cursor:
            stored = _stored_view(cursor, name)
        if stored is not None:
            return stored
    return run_sql(con, name, sort=sort, descending=descending, **params)


def run_sql(
    con: duckdb.DuckDBPyConnection, name: str, *, sort: str | None = None, descending: bool = False, **params: Any
) -> pl.DataFrame:
    """``run``, always running the query file (never an answer kept at ingest): for checks and benchmarks."""
    wanted = parameters(name)
    with catalog_cursor(con) as cursor:
        if params.get("search") and "search" in wanted:
            cache_search(cursor, params["search"])
        return cursor.sql(
            sorted_sql(name, sort, descending=descending), params={k: v for k, v in params.items() if k in wanted}
        ).pl()
