from __future__ import annotations

from pathlib import Path

import pytest

from eligibility.build.ingest import IngestSummary, ingest

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
    """Ask the database file directly (its current contents, never a cached instance)."""
    from eligibility.explore.queries import connect

    con = connect(db)
    try:
        return con.execute(query, params or {}).fetchall()
    finally:
        con.close()


@pytest.fixture(autouse=True)
def app_runs_like_a_served_app(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make AppTest run app.py the way a running server does.

    AppTest forgets before every run that app.py uses st.navigation, so it treats
    `pages/` as a legacy multipage folder and runs the page file alone; a server
    does that at most once per process (eligibility.ui.dashboard.current_filters
    redoes that run through app.py).
    """
    from streamlit.runtime.pages_manager import PagesManager

    original = PagesManager.__init__

    def init(self: PagesManager, *args: object, **kwargs: object) -> None:
        original(self, *args, **kwargs)  # type: ignore[arg-type]
        PagesManager.uses_pages_directory = False

    monkeypatch.setattr(PagesManager, "__init__", init)
