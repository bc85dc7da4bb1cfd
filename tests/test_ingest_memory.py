"""Ingest within a tiny memory budget: DuckDB spills to disk and the database is the same."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pytest

from eligibility.build import ingest as ingest_module
from eligibility.build.ingest import MEMORY_ENV, ingest, memory_limit
from tests.conftest import DEMO

TABLES = ("studies", "criteria", "criterion_themes", "filter_options")


def test_demo_ingest_spills_within_a_tiny_memory_budget(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spill_folders: list[Path] = []
    write_metadata = ingest_module._write_metadata

    def after_publish(*args: Any) -> None:
        # DuckDB makes its spill folder (beside the building database) only when it spills.
        spill_folders.extend(p for p in tmp_path.glob(".small.duckdb.building-*.tmp") if p.is_dir())
        write_metadata(*args)

    monkeypatch.setattr(ingest_module, "_write_metadata", after_publish)
    small = tmp_path / "small.duckdb"
    summary = ingest([DEMO], small, memory="64MB")

    # Asked for only now: under xdist another worker builds the reference meanwhile.
    reference, reference_summary = request.getfixturevalue("demo_db")
    assert summary.studies_loaded == reference_summary.studies_loaded > 7000
    assert summary.criteria == reference_summary.criteria
    assert spill_folders, "the build never spilled: the budget is not tiny enough to prove anything"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["small.duckdb"]
    for table in TABLES:
        assert _rows_in_one_only(small, reference, table) == 0, table


def _rows_in_one_only(one: Path, other: Path, table: str) -> int:
    """How many rows of ``table`` one database has and the other has not, counting duplicates (0: the same rows)."""
    columns = "* exclude (source_file)" if table == "studies" else "*"
    con = duckdb.connect()
    try:
        con.execute("attach $path as one (read_only)", {"path": str(one)})
        con.execute("attach $path as other (read_only)", {"path": str(other)})
        one_rows, other_rows = f"select {columns} from one.{table}", f"select {columns} from other.{table}"
        query = f"select count(*) from (({one_rows} except all {other_rows}) union all ({other_rows} except all {one_rows}))"
        return con.execute(query).fetchall()[0][0]
    finally:
        con.close()


def test_memory_limit_comes_from_the_machine_or_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(MEMORY_ENV, raising=False)
    derived = memory_limit()
    assert derived.endswith("MiB") and 256 <= int(derived.removesuffix("MiB")) <= 2048
    monkeypatch.setenv(MEMORY_ENV, "300MB")
    assert memory_limit() == "300MB"
