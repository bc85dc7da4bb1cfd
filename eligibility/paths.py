"""Where the project's files live, anchored to the checkout (not the working directory).

The CLI and the dashboard share one default database path, so
``python -m eligibility ingest`` from any folder updates the database that
``streamlit run app.py`` serves.
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEMO_DATA = ROOT / "data" / "demo"
QUERY_DIR = ROOT / "queries"
DEFAULT_DB = ROOT / "data" / "eligibility.duckdb"


def database_path() -> Path:
    """The database to serve and build: ``$ELIGIBILITY_DB`` if set, else ``data/eligibility.duckdb``."""
    return Path(os.environ.get("ELIGIBILITY_DB", DEFAULT_DB))
