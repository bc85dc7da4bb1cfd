"""Atomic rebuilds under a real kill, a dashboard that keeps answering across a rebuild,
concurrent sessions, literal search and spreadsheet-safe CSV."""

from __future__ import annotations

import csv
import io
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from eligibility.build.ingest import ingest
from eligibility.explore.export import to_csv_bytes
from eligibility.explore.filters import Filters
from eligibility.explore.queries import connect, run
from tests.conftest import DEMO, INGEST_FIXTURES, ROOT, sql


def _ingest_paused_mid_write(db: Path, **popen: object) -> subprocess.Popen:
    """Start a CLI ingest of the demo data into ``db`` and stop it (SIGSTOP) once it is writing the new file.

    Stopped, it stays mid-write for as long as the test needs, on a fast machine or a slow one.
    """
    proc = subprocess.Popen(
        [sys.executable, "-m", "eligibility", "ingest", str(DEMO), "--db", str(db), "--quiet"], cwd=ROOT, **popen
    )
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
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "eligibility.duckdb"
    ingest([INGEST_FIXTURES / "v2_array.json"], db)
    monkeypatch.setenv("ELIGIBILITY_DB", str(db))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    assert next(m.value for m in at.metric if m.label == "Trials") == "3"
    proc = _ingest_paused_mid_write(db, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # While the new database is half written, every page run answers from the old one.
    for _ in range(3):
        at.run()
        assert not at.exception
        assert next(m.value for m in at.metric if m.label == "Trials") == "3"
    proc.send_signal(signal.SIGCONT)
    out, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err
    loaded = int(next(line for line in out.splitlines() if line.startswith("studies loaded")).split(":")[1].replace(",", ""))
    assert loaded > 1000
    at.run()
    assert next(m.value for m in at.metric if m.label == "Trials") == f"{loaded:,}"


SESSION_FILTERS = [
    Filters(),
    Filters(preset="pediatric-b-all"),
    Filters(preset="aya-b-all", aya_min=18, aya_max=30),
    Filters(min_age=0, max_age=17),
    Filters(min_age=65, age_mode="covers"),
    Filters(sex="female_only"),
    Filters(sex="male", healthy_volunteers="yes"),
    Filters(healthy_volunteers="no", condition="diabetes"),
    Filters(search="hepatitis"),
    Filters(phases=("PHASE3",), statuses=("COMPLETED",)),
    Filters(study_types=("OBSERVATIONAL",), min_age=18, max_age=40),
    Filters(preset="b-all", search="cns"),
]


def test_concurrent_sessions_get_correct_isolated_results(demo_db) -> None:
    db, _ = demo_db
    con = connect(db)
    queries = ["headline_counts", "theme_distribution", "age_eligibility_curve", "breakdowns"]
    expected = {(i, q): run(con, q, **f.params()) for i, f in enumerate(SESSION_FILTERS) for q in queries}
    errors: list[BaseException] = []
    mismatches: list[tuple[int, str]] = []
    barrier = threading.Barrier(len(SESSION_FILTERS))

    def session(index: int, filters: Filters) -> None:
        try:
            barrier.wait()
            for _ in range(5):
                for q in queries:
                    if not run(con, q, **filters.params()).equals(expected[(index, q)]):
                        mismatches.append((index, q))
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=session, args=(i, f)) for i, f in enumerate(SESSION_FILTERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    con.close()
    assert not errors, errors
    assert not mismatches, mismatches
    distinct = {expected[(i, "headline_counts")]["trials"][0] for i in range(len(SESSION_FILTERS))}
    assert len(distinct) >= 8, "the sessions must really ask different questions"


@pytest.mark.parametrize(
    "needle",
    ["'", '"', "%", "_", "50%", "(", "[a-z]+", ".*", "\\", "'; drop table studies; --", "' or '1'='1", "≥", "μl"],
)
def test_criteria_search_is_literal(demo_db, needle: str) -> None:
    db, _ = demo_db
    con = connect(db)
    try:
        found = set(run(con, "matching_studies", **Filters(search=needle).params())["nct_id"].to_list())
        texts = con.execute("select nct_id, lower(text) from criteria").fetchall()
    finally:
        con.close()
    expected = {nct for nct, text in texts if needle.lower() in text}
    assert found == expected
    assert sql(db, "select count(*) from studies")[0][0] > 7000  # nothing was dropped


def test_csv_neutralises_formulas_and_opens_in_excel() -> None:
    frame = pl.DataFrame(
        {
            "nct_id": ["NCT00000001", "NCT00000002", "NCT00000003", "NCT00000004", "NCT00000005", "NCT00000006", "NCT00000007"],
            "text": ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\tTab", "\rCR", "Platelets ≥ 50 × 10^9/L, 5 μL"],
            "n": [1, -2, 3, 4, 5, 6, 7],
        }
    )
    data = to_csv_bytes(frame)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert [r["text"] for r in rows] == [
        '\'=HYPERLINK("http://x")',
        "'+1+1",
        "'-2+3",
        "'@SUM(A1)",
        "'\tTab",
        "'\rCR",
        "Platelets ≥ 50 × 10^9/L, 5 μL",
    ]
    assert [r["n"] for r in rows] == ["1", "-2", "3", "4", "5", "6", "7"]  # numbers stay numbers


def test_export_command_reproduces_the_dashboard_query(demo_db, tmp_path: Path) -> None:
    db, _ = demo_db
    out = tmp_path / "ped.csv"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "eligibility",
            "export",
            "--db",
            str(db),
            "--what",
            "trials",
            "--preset",
            "pediatric-b-all",
            "--sex",
            "female",
            "--out",
            str(out),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    expected = sql(
        db,
        "select nct_id from studies where is_b_all and coalesce(minimum_age_years, 0) < 18 and sex in ('ALL', 'FEMALE') order by nct_id",
    )
    assert [r["nct_id"] for r in rows] == [e[0] for e in expected]
    assert f"{len(rows):,} trials rows" in result.stdout
    criteria = tmp_path / "c.csv"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "eligibility",
            "export",
            "--db",
            str(db),
            "--what",
            "criteria",
            "--min-age",
            "15",
            "--max-age",
            "39",
            "--healthy-volunteers",
            "no",
            "--out",
            str(criteria),
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    crow = list(csv.DictReader(io.StringIO(criteria.read_text(encoding="utf-8-sig"))))
    n = sql(
        db,
        "select count(*) from criteria c join studies s using (nct_id) where coalesce(s.minimum_age_years, 0) <= 39 "
        "and coalesce(s.maximum_age_years, 'infinity'::double) >= 15 and not s.healthy_volunteers",
    )[0][0]
    assert len(crow) == n
    assert set(crow[0]) == {"nct_id", "ordinal", "section", "parent_ordinal", "heading", "text", "themes"}


def test_export_rejects_bad_filter_values(demo_db, tmp_path: Path) -> None:
    db, _ = demo_db
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "eligibility",
            "export",
            "--db",
            str(db),
            "--what",
            "trials",
            "--min-age",
            "40",
            "--max-age",
            "10",
            "--out",
            str(tmp_path / "x.csv"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2 and "min_age" in result.stderr


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
