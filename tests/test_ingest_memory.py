"""Ingest within a tiny memory budget: DuckDB spills to disk and the database is the same.

The demo data's publishing step (finalise.sql: the joins, sorts and aggregates over every
study and criterion) runs again on the shared demo build's staged rows under 96 MB, rather
than reading and classifying the demo data a second time; a whole ingest of the small
fixtures runs under the same budget.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from eligibility.build import ingest as ingest_module
from eligibility.build.ingest import MEMORY_ENV, ingest, memory_limit, publish_staged
from tests.conftest import INGEST_FIXTURES, sql

TABLES = ("studies", "criteria", "criterion_themes", "study_theme_counts", "filter_options")
# At 64 MB the publish sometimes ran out of memory (state DuckDB cannot spill); at 128 MB it never
# spilled, so nothing would be proven. 96 MB spills every time.
TINY = "96MB"


def test_demo_publish_spills_within_a_tiny_memory_budget(
    demo_db, demo_staged: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spill_folders: list[Path] = []
    publish = ingest_module._publish

    def publish_and_look(con: duckdb.DuckDBPyConnection, staging: Path) -> None:
        publish(con, staging)
        # DuckDB makes its spill folder (beside the building database) only when it spills.
        spill_folders.extend(p for p in tmp_path.glob(".small.duckdb.building-*.tmp") if p.is_dir())

    monkeypatch.setattr(ingest_module, "_publish", publish_and_look)
    small = tmp_path / "small.duckdb"
    publish_staged(demo_staged, small, memory=TINY)

    reference, reference_summary = demo_db
    assert sql(small, "select count(*) from studies") == [(reference_summary.studies_loaded,)]
    assert reference_summary.studies_loaded > 7000
    assert sql(small, "select count(*) from criteria") == [(reference_summary.criteria,)]
    assert spill_folders, "the build never spilled: the budget is not tiny enough to prove anything"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["small.duckdb"]
    for table in TABLES:
        assert _rows_in_one_only(small, reference, table) == 0, table


def test_a_whole_ingest_within_a_tiny_memory_budget_gives_the_same_database(fixture_db, tmp_path: Path) -> None:
    reference, reference_summary = fixture_db
    small = tmp_path / "small.duckdb"
    summary = ingest([INGEST_FIXTURES], small, memory=TINY)
    assert (summary.studies_loaded, summary.criteria) == (reference_summary.studies_loaded, reference_summary.criteria)
    for table in (*TABLES, "criterion_thresholds", "ingest_issues"):
        assert _rows_in_one_only(small, reference, table) == 0, table


def test_publishing_kept_staged_rows_again_gives_the_same_database_or_leaves_nothing(fixture_db, tmp_path: Path) -> None:
    reference, _ = fixture_db
    kept, again = tmp_path / "kept.duckdb", tmp_path / "again.duckdb"
    ingest([INGEST_FIXTURES], tmp_path / "first.duckdb", keep_staged=kept)
    publish_staged(kept, again)
    for table in (*TABLES, "criterion_thresholds"):
        assert _rows_in_one_only(again, reference, table) == 0, table

    con = duckdb.connect(str(kept))
    con.execute("drop table stage_themes")
    con.close()
    with pytest.raises(duckdb.CatalogException, match="stage_themes"):
        publish_staged(kept, tmp_path / "broken.duckdb")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["again.duckdb", "first.duckdb", "kept.duckdb"]


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
