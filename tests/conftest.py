from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from eligibility.ingest import IngestSummary, ingest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
INGEST_FIXTURES = FIXTURES / "ingest"
DEMO = ROOT / "data" / "demo"


@pytest.fixture(scope="session")
def fixture_db(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, IngestSummary]:
    """A database built from the small real fixtures in tests/fixtures/ingest."""
    path = tmp_path_factory.mktemp("fixture-db") / "fixtures.duckdb"
    summary = ingest([INGEST_FIXTURES], path)
    return path, summary


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, IngestSummary]:
    """The whole built-in demo dataset, ingested once per test session."""
    path = tmp_path_factory.mktemp("demo-db") / "demo.duckdb"
    summary = ingest([DEMO], path)
    return path, summary


def sql(db: Path, query: str, params: dict | None = None) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(query, params or {}).fetchall()
    finally:
        con.close()
