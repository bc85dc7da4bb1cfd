"""Atomic rebuilds: a killed ingest leaves the old database, a dashboard keeps answering across a rebuild,
and parallel ingest gives what a single process gives."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from eligibility.build.ingest import ingest
from tests.conftest import DEMO, INGEST_FIXTURES, ROOT, sql

# The demo's v2 JSON files: 1,300 real studies, for an ingest that is killed (had it finished
# instead, the database would have other studies than before).
REBUILD_INPUT = DEMO / "ctgov-v2"


def _ingest_paused_mid_write(db: Path, source: Path = REBUILD_INPUT, **popen: object) -> subprocess.Popen:
    """Start a CLI ingest of ``source`` into ``db`` and stop it (SIGSTOP) once it is writing the new file.

    Stopped, it stays mid-write for as long as the test needs, on a fast machine or a slow one.
    """
    command = [sys.executable, "-m", "eligibility", "ingest", str(source), "--db", str(db), "--quiet"]
    proc = subprocess.Popen(command, cwd=ROOT, **popen)
    building = f".{db.name}.building-*"
    deadline = time.monotonic() + 120
    while not list(db.parent.glob(building)) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    proc.send_signal(signal.SIGSTOP)
    assert list(db.parent.glob(building)), "the ingest never started writing a new database"
    return proc


def test_killed_ingest_leaves_the_previous_database_intact(tmp_path: Path) -> None:
    db = tmp_path / "eligibility.duckdb"
    first = ingest([INGEST_FIXTURES], db)
    before = sql(db, "select count(*), min(nct_id), max(nct_id) from studies")
    proc = _ingest_paused_mid_write(db, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    assert sql(db, "select count(*), min(nct_id), max(nct_id) from studies") == before
    assert before[0][0] == first.studies_loaded
    # The next ingest clears the abandoned half-built file and succeeds.
    again = ingest([INGEST_FIXTURES / "v2_array.json"], db)
    assert sql(db, "select count(*) from studies") == [(again.studies_loaded,)]
    assert not list(tmp_path.glob(".eligibility.duckdb.building-*"))


def test_dashboard_answers_during_a_rebuild_and_serves_the_new_data_after(
    fixture_db, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "eligibility.duckdb"
    ingest([INGEST_FIXTURES / "v2_array.json"], db)
    monkeypatch.setenv("ELIGIBILITY_DB", str(db))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120).run()
    assert next(m.value for m in at.metric if m.label == "Trials") == "3"
    # The rebuild reads every small fixture (several files, so several tasks for the CLI's workers).
    proc = _ingest_paused_mid_write(db, INGEST_FIXTURES, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # While the new database is half written, every page run answers from the old one.
    for _ in range(3):
        at.run()
        assert not at.exception
        assert next(m.value for m in at.metric if m.label == "Trials") == "3"
    proc.send_signal(signal.SIGCONT)
    out, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err
    loaded = int(next(line for line in out.splitlines() if line.startswith("studies loaded")).split(":")[1].replace(",", ""))
    assert loaded == fixture_db[1].studies_loaded > 3
    at.run()
    assert next(m.value for m in at.metric if m.label == "Trials") == f"{loaded:,}"


def test_parallel_cli_ingest_equals_single_process_ingest(fixture_db, tmp_path: Path) -> None:
    single, _ = fixture_db
    parallel = tmp_path / "parallel.duckdb"
    subprocess.run(
        [sys.executable, "-m", "eligibility", "ingest", str(INGEST_FIXTURES), "--db", str(parallel), "--workers", "2", "--quiet"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    for query in (
        "select nct_id, sex, minimum_age_years, maximum_age_years, is_b_all, n_inclusion, n_exclusion, source_file from studies order by nct_id",
        "select nct_id, ordinal, section, text from criteria order by nct_id, ordinal",
        "select nct_id, theme, cue from criterion_themes order by all",
        "select kind, file, record, reason from ingest_issues order by all",
    ):
        assert sql(parallel, query) == sql(single, query), query


def _older_layout(db: Path) -> None:
    """Make ``db`` look as a build before the layout was recorded does: no `schema_version`, no study numbers."""
    import duckdb

    con = duckdb.connect(str(db))
    try:
        con.execute("alter table constants drop column schema_version")
        con.execute("drop table threshold_measures")
    finally:
        con.close()


def test_a_database_of_an_older_layout_is_rebuilt_from_its_inputs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from eligibility.build import SCHEMA_VERSION
    from eligibility.explore.queries import connect, outdated

    db = tmp_path / "eligibility.duckdb"
    built = ingest([INGEST_FIXTURES], db)
    _older_layout(db)
    con = connect(db)
    try:
        assert outdated(con) == (
            f"built by an older version of Eligibility Explorer (database layout 0; this version reads layout {SCHEMA_VERSION})"
        )
    finally:
        con.close()
    monkeypatch.setenv("ELIGIBILITY_DB", str(db))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120).run()
    # nothing is shown from it, and nothing is rebuilt until asked: a registry-sized rebuild takes minutes
    assert not at.exception and not at.metric
    (warning,) = at.warning
    assert "built by an older version" in warning.value and f"{built.studies_loaded:,} studies" in warning.value
    assert sql(db, "select count(*) from duckdb_tables() where table_name = 'threshold_measures'") == [(0,)]
    at.button(key="rebuild_outdated").click().run()
    assert not at.exception
    assert next(m.value for m in at.metric if m.label == "Trials") == f"{built.studies_loaded:,}"
    assert sql(db, "select schema_version from constants") == [(SCHEMA_VERSION,)]
    assert sql(db, "select count(*) from threshold_measures")[0][0] > 0


def test_a_read_only_dashboard_and_the_cli_refuse_a_database_of_an_older_layout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "eligibility.duckdb"
    ingest([INGEST_FIXTURES / "v2_array.json"], db)
    _older_layout(db)
    monkeypatch.setenv("ELIGIBILITY_DB", str(db))
    monkeypatch.setenv("ELIGIBILITY_READ_ONLY", "1")
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120).run()
    assert not at.metric
    assert any("built by an older version" in e.value and "python -m eligibility ingest" in e.value for e in at.error)
    assert sql(db, "select count(*) from duckdb_tables() where table_name = 'threshold_measures'") == [(0,)], "left as it was"
    done = subprocess.run(
        [sys.executable, "-m", "eligibility", "export", "--db", str(db), "--what", "trials", "--out", str(tmp_path / "out.csv")],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2
    assert f"{db}: built by an older version" in done.stderr and "python -m eligibility ingest" in done.stderr
    assert not (tmp_path / "out.csv").exists()
