"""CSV that opens safely in Excel and R, and the export command that reproduces the dashboard's queries."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

import polars as pl

from eligibility.explore.export import to_csv_bytes
from tests.conftest import ROOT, sql


def _export(db: Path, *args: str, check: bool = False) -> subprocess.CompletedProcess[str]:
    """Run ``python -m eligibility export --db DB ARGS...`` as a user would."""
    command = [sys.executable, "-m", "eligibility", "export", "--db", str(db), *args]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=check)


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
    result = _export(db, "--what", "trials", "--preset", "pediatric-b-all", "--sex", "female", "--out", str(out), check=True)
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    expected = sql(
        db,
        "select nct_id from studies where is_b_all and coalesce(minimum_age_years, 0) < 18 and sex in ('ALL', 'FEMALE') order by nct_id",
    )
    assert [r["nct_id"] for r in rows] == [e[0] for e in expected]
    assert f"{len(rows):,} trials rows" in result.stdout
    criteria = tmp_path / "c.csv"
    _export(
        db,
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
        check=True,
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
    result = _export(db, "--what", "trials", "--min-age", "40", "--max-age", "10", "--out", str(tmp_path / "x.csv"))
    assert result.returncode == 2 and "min_age" in result.stderr
