"""Ingest: files -> readers -> normalised records -> criteria items -> themes and thresholds -> DuckDB.

The database is built in a new file beside the target and swapped in with an
atomic rename only when complete, so a crash or a kill mid-ingest leaves the
previous database untouched and a running dashboard keeps answering.
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import os
import shutil
import time
import zipfile
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from eligibility import __version__
from eligibility.build import SCHEMA_VERSION, themes, thresholds
from eligibility.build.normalise import RECORD_SCHEMA, normalise_record
from eligibility.build.readers import read_source
from eligibility.build.records import STUDY_URL, Problem
from eligibility.build.sources import DEFAULT_LIMITS, Task, ZipLimits, plan_tasks, task_items
from eligibility.paths import DEFAULT_DB

SQL_DIR = Path(__file__).parent / "sql"
BATCH_RECORDS = 5000
MEMORY_ENV = "ELIGIBILITY_INGEST_MEMORY"  # DuckDB's memory limit for ingest, e.g. "512MB"
MAX_DUCKDB_MEMORY = 2 * 2**30  # with the workers and Python, the whole build stays within 4 GiB
MASK_BITS = 63  # the bitmask columns (exclusion_theme_mask, threshold_measure_mask) are signed 64-bit integers

_CRITERIA_SCHEMA: dict[str, Any] = {
    "criterion_id": pl.Int64,
    "record_seq": pl.Int64,
    "ordinal": pl.Int32,
    "section": pl.Utf8,
    "parent_ordinal": pl.Int32,
    "depth": pl.Int32,
    "heading": pl.Utf8,
    "text": pl.Utf8,
}
_ISSUE_SCHEMA: dict[str, Any] = {k: pl.Utf8 for k in ("kind", "file", "record", "nct_id", "reason")}
# A staged record also carries its search text: its criteria one per line (the
# newline keeps a search from matching across two criteria), lower-cased by DuckDB
# as it is written (the same lower() as ever, whatever polars would make of "İ").
_STAGE_RECORD_SCHEMA: dict[str, Any] = {**RECORD_SCHEMA, "search_text": pl.Utf8}


def memory_limit() -> str:
    """DuckDB's memory limit for ingest: $ELIGIBILITY_INGEST_MEMORY, else a quarter of RAM, at most 2 GiB.

    Beyond it DuckDB spills to a temporary folder beside the database being built.
    """
    if override := os.environ.get(MEMORY_ENV, "").strip():
        return override
    physical = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return f"{max(256 * 2**20, min(physical // 4, MAX_DUCKDB_MEMORY)) // 2**20}MiB"


@dataclass(slots=True)
class IngestSummary:
    files_read: int = 0
    records_read: int = 0
    studies_loaded: int = 0
    duplicates_merged: int = 0
    rejected: int = 0
    warnings: int = 0
    criteria: int = 0
    elapsed_s: float = 0.0
    read_s: float = 0.0  # reading, parsing, splitting, classifying and staging; the rest is publishing
    reject_reasons: Counter[str] = field(default_factory=Counter)
    formats: Counter[str] = field(default_factory=Counter)

    def lines(self) -> list[str]:
        out = [
            f"files read:        {self.files_read:,}",
            f"records read:      {self.records_read:,}",
            f"studies loaded:    {self.studies_loaded:,}",
            f"duplicates merged: {self.duplicates_merged:,}",
            f"records rejected:  {self.rejected:,}",
            f"warnings:          {self.warnings:,}",
            f"criteria items:    {self.criteria:,}",
            f"elapsed:           {self.elapsed_s:.1f} s (read and classify {self.read_s:.1f} s, publish {self.elapsed_s - self.read_s:.1f} s)",
        ]
        if self.formats:
            out.append("records by format: " + ", ".join(f"{k} {v:,}" for k, v in sorted(self.formats.items())))
        for reason, count in self.reject_reasons.most_common():
            out.append(f"  rejected x{count}: {reason}")
        return out


class _Writer:
    """Offsets each chunk's local ids into global ones and writes the staging tables in batches."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self.frames: dict[str, list[pl.DataFrame]] = {"records": [], "criteria": [], "themes": [], "thresholds": []}
        self.buffered = 0
        self.issues: list[tuple[str | None, ...]] = []
        self.records = 0
        self.criteria = 0

    def add(self, chunk: _Chunk) -> None:
        if chunk.records.height:
            self.frames["records"].append(chunk.records.with_columns(pl.col("record_seq") + self.records))
            self.frames["criteria"].append(
                chunk.criteria.with_columns(pl.col("criterion_id") + self.criteria, pl.col("record_seq") + self.records)
            )
            self.frames["thresholds"].append(chunk.thresholds.with_columns(pl.col("criterion_id") + self.criteria))
            self.records += chunk.records.height
            self.criteria += chunk.criteria.height
            self.buffered += chunk.records.height
        for problem in chunk.problems:
            self.issues.append((problem.kind, problem.file, problem.record, problem.nct_id, problem.reason))
        if self.buffered >= BATCH_RECORDS:
            self.flush()

    def flush(self) -> None:
        if self.frames["criteria"]:
            # Classified here, a batch of thousands of studies at a time, rather than
            # per worker task: the classifier's regular expressions are compiled and
            # warmed once per batch, and polars spreads the batch over every core.
            criteria = pl.concat(self.frames["criteria"], how="vertical")
            records = pl.concat(self.frames["records"], how="vertical")
            self.frames["themes"] = [themes.classify_frame(_with_context(criteria, records))]
        for table, name in (
            ("stage_records", "records"),
            ("stage_criteria", "criteria"),
            ("stage_themes", "themes"),
            ("stage_thresholds", "thresholds"),
        ):
            if self.frames[name]:
                frame = pl.concat(self.frames[name], how="vertical")
                self.con.register("batch", frame)
                lowered = " replace (lower(search_text) as search_text)" if table == "stage_records" else ""
                self.con.execute(f"insert into {table} by name select *{lowered} from batch")
                self.con.unregister("batch")
            self.frames[name] = []
        if self.issues:
            issues = pl.DataFrame(self.issues, schema=_ISSUE_SCHEMA, orient="row")
            self.con.register("batch", issues)
            self.con.execute("insert into ingest_issues by name select * from batch")
            self.con.unregister("batch")
            self.issues = []
        self.buffered = 0


_open_zips: dict[str, zipfile.ZipFile] = {}


@dataclass(slots=True)
class _Chunk:
    """What one worker made of one task: staged rows as frames (ids local to the chunk) and problems."""

    records: pl.DataFrame
    criteria: pl.DataFrame
    thresholds: pl.DataFrame
    files: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    file_formats: Counter[tuple[str, str]] = field(default_factory=Counter)


def _printable(text: str | None) -> str | None:
    """File and entry names as valid UTF-8: undecodable bytes in a name become U+FFFD."""
    if text is None:
        return None
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        try:
            return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
        except UnicodeEncodeError:
            return text.encode("utf-8", "replace").decode("utf-8")


def _process(task: Task, limits: ZipLimits) -> _Chunk:
    """Read, normalise and split one task and extract its thresholds (in a worker process, or inline)."""
    files: list[str] = []
    problems: list[Problem] = []
    formats: Counter[tuple[str, str]] = Counter()
    rows: list[dict[str, Any]] = []
    criteria: list[tuple[Any, ...]] = []
    for item in task_items(task, limits=limits, open_zips=_open_zips):
        if isinstance(item, Problem):
            problems.append(item)
            continue
        files.append(item.name)
        for result in read_source(item):
            if isinstance(result, Problem):
                problems.append(result)
                continue
            formats[(_printable(item.name) or "", result.source_format)] += 1
            result.source_file = _printable(result.source_file) or ""
            result.source_record = _printable(result.source_record) or ""
            row, items = normalise_record(result, len(rows) + 1, problems)
            rows.append(row)
            for i in items:
                criteria.append(
                    (len(criteria) + 1, row["record_seq"], i.ordinal, i.section, i.parent_ordinal, i.depth, i.heading, i.text)
                )
    criteria_frame = pl.DataFrame(criteria, schema=_CRITERIA_SCHEMA, orient="row")
    facts = thresholds.extract_frame(criteria_frame.select("criterion_id", "section", "text"))
    search = criteria_frame.group_by("record_seq", maintain_order=True).agg(pl.col("text").str.join("\n").alias("search_text"))
    return _Chunk(
        records=pl.DataFrame(rows, schema=RECORD_SCHEMA).join(search, on="record_seq", how="left"),
        criteria=criteria_frame,
        thresholds=facts,
        files=[_printable(f) or "" for f in files],
        problems=[replace(p, file=_printable(p.file) or "", record=_printable(p.record) or "") for p in problems],
        file_formats=formats,
    )


def _with_context(criteria: pl.DataFrame, records: pl.DataFrame) -> pl.DataFrame:
    """Criteria with what the classifier reads around them: parent item's text, study title and conditions."""
    parents = criteria.select("record_seq", parent_ordinal="ordinal", parent_text="text")
    study = records.select("record_seq", study_title=pl.col("title"), study_conditions=pl.col("conditions").list.join("; "))
    return (
        criteria.join(parents, on=["record_seq", "parent_ordinal"], how="left")
        .join(study, on="record_seq", how="left")
        .select("criterion_id", "text", "heading", "parent_text", "study_title", "study_conditions")
    )


def _init_worker() -> None:
    # The workers already use every core between them: one polars thread each.
    os.environ["POLARS_MAX_THREADS"] = "1"


def _run_tasks(tasks: Iterator[Task], *, workers: int, limits: ZipLimits) -> Iterator[_Chunk]:
    """Chunks in input order; with several workers, at most a few tasks are in flight (bounded memory)."""
    if workers <= 1:
        try:
            for task in tasks:
                yield _process(task, limits)
        finally:
            # Archives stay open only for one ingest: a zip replaced later is read afresh.
            for archive in _open_zips.values():
                archive.close()
            _open_zips.clear()
        return
    context = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_init_worker) as pool:
        window: deque[Future[_Chunk]] = deque()
        for task in tasks:
            window.append(pool.submit(_process, task, limits))
            if len(window) >= 2 * workers:
                yield window.popleft().result()
        while window:
            yield window.popleft().result()


def _remove_abandoned_builds(db_path: Path) -> None:
    """Delete half-built files left by an ingest that was killed (its process is gone)."""
    for leftover in db_path.parent.glob(f".{db_path.name}.building-*"):
        pid = leftover.name.rsplit("-", 1)[-1].split(".")[0]
        if not pid.isdigit():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            if leftover.is_dir():  # its spill folder
                shutil.rmtree(leftover, ignore_errors=True)
            else:
                leftover.unlink(missing_ok=True)
        except PermissionError:
            continue  # another user's live process


def ingest(
    paths: Iterable[Path],
    db_path: Path = DEFAULT_DB,
    *,
    progress: bool = False,
    limits: ZipLimits = DEFAULT_LIMITS,
    workers: int = 1,
    on_progress: Callable[[int, str], None] | None = None,
    memory: str | None = None,
    keep_staged: Path | None = None,
    on_publish: Callable[[duckdb.DuckDBPyConnection], None] | None = None,
) -> IngestSummary:
    """Read every record under ``paths`` into a fresh database at ``db_path`` (atomically replaced).

    ``workers`` > 1 parses in that many worker processes (started with forkserver, so
    the caller must be an importable ``__main__``, as the CLI is). ``memory`` is
    DuckDB's limit (e.g. "96MB"; default ``memory_limit()``): the build spills to
    disk beyond it, whatever the input size. ``keep_staged`` (for tests) is a file to keep
    a copy of the staged rows in, to publish them again with ``publish_staged``. ``on_publish``
    is called with the connection to the new database once its tables are published, before it
    replaces ``db_path``: the read side adds what it keeps at ingest there
    (``eligibility.explore.queries.store_unfiltered_views``), so that the build side never imports it.
    """
    started = time.perf_counter()
    paths = [Path(p) for p in paths]
    for path in paths:
        if not path.exists():
            raise FileNotFoundError(f"{path}: no such file or folder")
    summary = IngestSummary()
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(unit=" files", desc="ingest", mininterval=0.5, leave=False)
    with _new_database(db_path, memory) as (con, staging):
        try:
            _attach_staging(con, staging)
            _create_staging(con)
            _create_themes_table(con)
            writer = _Writer(con)
            files: Counter[tuple[str, str]] = Counter()
            for chunk in _run_tasks(plan_tasks(paths, limits=limits), workers=workers, limits=limits):
                summary.files_read += len(chunk.files)
                files.update(chunk.file_formats)
                for problem in chunk.problems:
                    if problem.kind == "rejected":
                        summary.rejected += 1
                        summary.records_read += 1
                        summary.reject_reasons[problem.reason] += 1
                    else:
                        summary.warnings += 1
                summary.records_read += chunk.records.height
                for fmt, count in chunk.records["source_format"].value_counts().iter_rows():
                    summary.formats[fmt] += count
                writer.add(chunk)
                if bar is not None:
                    bar.update(len(chunk.files))
                if on_progress is not None and chunk.files:
                    on_progress(summary.files_read, chunk.files[-1])
            writer.flush()
            summary.read_s = time.perf_counter() - started
            if keep_staged is not None:
                _copy_tables(con, keep_staged, _PUBLISH_INPUTS)
            _publish(con, staging)
            if on_publish is not None:
                on_publish(con)
            summary.studies_loaded = con.execute("select count(*) from studies").fetchall()[0][0]
            summary.duplicates_merged = writer.records - summary.studies_loaded
            summary.criteria = con.execute("select count(*) from criteria").fetchall()[0][0]
            _write_metadata(con, paths, files, summary, started)
            con.execute("checkpoint")
        finally:
            if bar is not None:
                bar.close()
    summary.elapsed_s = time.perf_counter() - started
    return summary


def publish_staged(kept: Path, db_path: Path, *, memory: str | None = None) -> None:
    """Publish the staged rows that ``ingest(keep_staged=kept)`` kept again, into a fresh ``db_path``.

    A test hook: the publishing step (finalise.sql, where DuckDB joins, sorts and
    aggregates) within another memory limit, without reading and classifying the
    input again. The database has the published tables but no ingest metadata.
    """
    with _new_database(db_path, memory) as (con, staging):
        # A copy of the file as the staging file: its rows on disk, as an ingest's are when it publishes.
        shutil.copyfile(kept, staging)
        _attach_staging(con, staging)
        con.execute("create table themes as select * from stage.themes")
        con.execute("drop table stage.themes")
        _publish(con, staging)
        con.execute("checkpoint")


@contextlib.contextmanager
def _new_database(db_path: Path, memory: str | None) -> Iterator[tuple[duckdb.DuckDBPyConnection, Path]]:
    """A connection to a new database built beside ``db_path``, and its staging file.

    When the block completes, the new file replaces ``db_path`` in one rename; when it
    fails, the new file, its staging file and its spill folder are removed and ``db_path``
    is left as it was.
    """
    db_path = Path(db_path)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    _remove_abandoned_builds(db_path)
    con, building, spill, staging = _connect_building(db_path, memory)
    try:
        yield con, staging
    except BaseException:
        con.close()
        shutil.rmtree(spill, ignore_errors=True)
        _remove_database_file(staging)
        _remove_database_file(building)
        raise
    con.close()
    shutil.rmtree(spill, ignore_errors=True)
    os.replace(building, db_path)


def _connect_building(db_path: Path, memory: str | None) -> tuple[duckdb.DuckDBPyConnection, Path, Path, Path]:
    """A connection to a new database file beside ``db_path``, and its file, spill folder and staging file."""
    building = db_path.with_name(f".{db_path.name}.building-{os.getpid()}")
    building.unlink(missing_ok=True)
    spill = building.with_name(f"{building.name}.tmp")
    staging = building.with_name(f"{building.name}.stage")
    staging.unlink(missing_ok=True)
    # Bounded memory at any size: DuckDB spills its joins, sorts and aggregates to
    # disk beyond the limit, and need not keep insertion order where a query does not ask.
    con = duckdb.connect(
        str(building),
        config={
            "memory_limit": memory or memory_limit(),
            "temp_directory": str(spill),
            "preserve_insertion_order": False,
        },
    )
    return con, building, spill, staging


def _publish(con: duckdb.DuckDBPyConnection, staging: Path) -> None:
    """Make the published tables from the staged ones (finalise.sql), then delete the staging file."""
    con.execute(
        "create table constants as select $study_url as study_url, $version::integer as schema_version",
        {"study_url": STUDY_URL, "version": SCHEMA_VERSION},
    )
    # The measures a threshold can be stated for, numbered: a study's stated measures are kept as bits.
    if len(thresholds.MEASURES) > MASK_BITS:
        raise ValueError(f"{len(thresholds.MEASURES)} threshold measures; at most {MASK_BITS} fit a bitmask")
    con.execute(
        "create table threshold_measures as select i::integer as position, $measures[i] as measure "
        "from range(1, len($measures) + 1) as r(i) order by i",
        {"measures": list(thresholds.MEASURES)},
    )
    con.execute((SQL_DIR / "finalise.sql").read_text())
    con.execute("reset search_path")
    con.execute("detach stage")
    _remove_database_file(staging)


def _copy_tables(con: duckdb.DuckDBPyConnection, path: Path, tables: Iterable[str]) -> None:
    """Copy ``tables`` (staging ones from the staging file, others from the database) to a new file at ``path``."""
    _remove_database_file(path)
    con.execute("attach $path as kept", {"path": str(path)})
    try:
        for table in tables:
            source = f"stage.{table}" if table.startswith("stage_") else table
            con.execute(f"create table kept.{table} as select * from {source}")
    finally:
        con.execute("detach kept")  # checkpoints the copy: its rows are on disk


_STAGING: dict[str, dict[str, Any]] = {
    "stage_records": _STAGE_RECORD_SCHEMA,
    "stage_criteria": _CRITERIA_SCHEMA,
    "stage_themes": themes.OUTPUT_SCHEMA,
    "stage_thresholds": thresholds.FACT_SCHEMA,
    "ingest_issues": _ISSUE_SCHEMA,
}


# What finalise.sql reads besides the constants: the staged rows and the themes table.
_PUBLISH_INPUTS = ("stage_records", "stage_criteria", "stage_themes", "stage_thresholds", "themes")


def _attach_staging(con: duckdb.DuckDBPyConnection, staging: Path) -> None:
    """Stage in a file of its own, deleted after publishing, so the database keeps no dropped blocks.

    The staging catalog is on the search path: SQL names the staging tables unqualified.
    """
    con.execute("attach $path as stage", {"path": str(staging)})
    database = con.execute("select current_database()").fetchall()[0][0]
    quoted = '"' + database.replace('"', '""') + '"'
    con.execute(f"set search_path = '{quoted.replace(chr(39), chr(39) * 2)}.main,stage.main'")


def _remove_database_file(path: Path) -> None:
    path.unlink(missing_ok=True)
    Path(f"{path}.wal").unlink(missing_ok=True)


def _create_staging(con: duckdb.DuckDBPyConnection) -> None:
    """The staging tables, typed from the same schemas the workers' frames use (one definition)."""
    for table, schema in _STAGING.items():
        con.register("empty_frame", pl.DataFrame(schema=schema))
        target = f"stage.{table}" if table.startswith("stage_") else table
        con.execute(f"create table {target} as select * from empty_frame")
        con.unregister("empty_frame")


def _create_themes_table(con: duckdb.DuckDBPyConnection) -> None:
    theme_table = themes.themes_table()
    if theme_table.height > MASK_BITS:
        raise ValueError(f"{theme_table.height} themes in the rules file; at most {MASK_BITS} fit the theme bitmask")
    con.register("theme_table", theme_table)
    con.execute("create table themes as select (row_number() over ())::integer as position, * from theme_table")
    con.unregister("theme_table")


def _write_metadata(
    con: duckdb.DuckDBPyConnection,
    paths: list[Path],
    files: Counter[tuple[str, str]],
    summary: IngestSummary,
    started: float,
) -> None:
    file_table = pl.DataFrame(
        [(f, fmt, n) for (f, fmt), n in sorted(files.items())],
        schema={"file": pl.Utf8, "format": pl.Utf8, "records": pl.Int64},
        orient="row",
    )
    con.register("file_table", file_table)
    con.execute("create table ingest_files as select * from file_table")
    con.unregister("file_table")
    summary.elapsed_s = time.perf_counter() - started
    con.execute(
        """
        create table ingest_runs as select
            $finished_at::timestamp as finished_at,
            $version as version,
            $inputs as inputs,
            $files_read::bigint as files_read,
            $records_read::bigint as records_read,
            $studies_loaded::bigint as studies_loaded,
            $duplicates_merged::bigint as duplicates_merged,
            $rejected::bigint as rejected,
            $warnings::bigint as warnings,
            $elapsed_s::double as elapsed_s
        """,
        {
            "finished_at": datetime.now(UTC).replace(tzinfo=None),
            "version": __version__,
            "inputs": json.dumps([str(p.resolve()) for p in paths]),
            "files_read": summary.files_read,
            "records_read": summary.records_read,
            "studies_loaded": summary.studies_loaded,
            "duplicates_merged": summary.duplicates_merged,
            "rejected": summary.rejected,
            "warnings": summary.warnings,
            "elapsed_s": summary.elapsed_s,
        },
    )
