"""AppTest of the Thresholds page, the facts and stated ages on Trial detail, and the
"age statements disagree" filter (sidebar, Data page count, export command), each
against direct SQL on the database built from the real fixtures."""

from __future__ import annotations

import csv
import io
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest

from eligibility.explore.thresholds import trials
from tests.conftest import ROOT, sql

REFERENCE = "NCT06389305"


@pytest.fixture
def app(fixture_db, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[AppTest, Path]]:
    db, _ = fixture_db
    monkeypatch.setenv("ELIGIBILITY_DB", str(db))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    yield at, db


def _thresholds(at: AppTest) -> AppTest:
    at.run()
    at.switch_page("pages/thresholds.py").run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def _charts(at: AppTest) -> list[pl.DataFrame]:
    """The data behind each Altair chart on the page, in page order."""
    frames = []
    for element in at.main:
        if getattr(element, "type", "") == "vega_lite_chart":
            for dataset in element.proto.datasets:
                frames.append(pl.from_arrow(pa.ipc.open_stream(dataset.data.data).read_all()))
    return frames


def _bars(at: AppTest) -> pl.DataFrame:
    """The bars of the chosen measure's distribution charts."""
    return pl.concat(frame for frame in _charts(at) if "bar" in frame.columns)


def _comparison(at: AppTest) -> pl.DataFrame:
    return pl.concat(frame for frame in _charts(at) if "cohort" in frame.columns)


def _html(at: AppTest) -> str:
    return "\n".join(str(h.proto.body) for h in at.get("html"))


def _strictest(db: Path, measure: str, where: str = "true") -> pl.DataFrame:
    """Direct SQL: trials per strictest value of each bound and unit of one measure."""
    rows = sql(
        db,
        "select bound, unit, value, count(*) from (select t.nct_id, t.bound, t.unit, "
        "case when t.bound = 'max' then min(t.value) else max(t.value) end as value "
        f"from criterion_thresholds t join studies s using (nct_id) where t.measure = $m and {where} group by t.nct_id, t.bound, t.unit) "
        "group by all",
        {"m": measure},
    )
    return pl.DataFrame(rows, schema=["bound", "unit", "value", "trials"], orient="row")


def _same(got: pl.DataFrame, expected: pl.DataFrame) -> bool:
    columns = ["bound", "unit", "value", "trials"]
    return got.select(columns).cast({"trials": pl.Int64}).sort(columns).equals(expected.sort(columns))


def test_coverage_chart_counts_the_trials_stating_each_measure(app) -> None:
    at, db = app
    _thresholds(at)
    assert at.title[0].value == "Thresholds"
    coverage = _charts(at)[0]
    expected = dict(sql(db, "select measure, count(distinct nct_id) from criterion_thresholds group by measure"))
    assert dict(zip(coverage["measure"], coverage["trials"], strict=True)) == expected
    total = sql(db, "select count(*) from studies")[0][0]
    assert set(coverage["matching_studies"]) == {total}


def test_measure_picker_changes_the_distribution(app) -> None:
    at, db = app
    _thresholds(at)
    most_stated = sql(
        db, "select measure from criterion_thresholds group by measure order by count(distinct nct_id) desc, measure limit 1"
    )[0][0]
    assert at.selectbox(key="measure").value == most_stated
    assert set(_bars(at)["measure"]) == {most_stated}

    at.selectbox(key="measure").set_value("creatinine").run()
    assert not at.exception
    bars = _bars(at)
    assert set(bars["measure"]) == {"creatinine"}
    # mg/dL and xULN limits are separate series, never converted into each other.
    assert {"mg/dL", "xULN"} <= set(bars["unit"])
    assert _same(bars, _strictest(db, "creatinine"))


def test_a_preset_restricts_the_distribution_to_its_trials(app) -> None:
    at, db = app
    _thresholds(at)
    at.sidebar.selectbox(key="preset").set_value("b-all").run()
    at.selectbox(key="measure").set_value("age").run()
    bars = _bars(at)
    assert _same(bars, _strictest(db, "age", "s.is_b_all"))
    stating = sql(
        db,
        "select count(distinct nct_id) from criterion_thresholds join studies using (nct_id) where measure = 'age' and is_b_all",
    )
    matching = sql(db, "select count(*) from studies where is_b_all")[0][0]
    assert any(f"stated by {stating[0][0]:,} of the {matching:,} matching trials" in m.value for m in at.markdown)


def test_a_bar_lists_its_trials_and_criteria_with_the_span_highlighted(app) -> None:
    at, db = app
    _thresholds(at)
    at.selectbox(key="measure").set_value("ecog").run()
    assert at.selectbox(key="th_bar").value is None
    at.selectbox(key="th_bar").set_value("max|points|2.0").run()
    assert not at.exception
    expected = sql(
        db,
        "select t.nct_id, c.text, t.span from criterion_thresholds t join criteria c using (criterion_id) "
        "where t.measure = 'ecog' and t.bound = 'max' and t.nct_id in (select nct_id from criterion_thresholds "
        "where measure = 'ecog' and bound = 'max' group by nct_id having min(value) = 2)",
    )
    assert expected
    page = _html(at)
    for nct_id, _, span in expected:
        assert nct_id in page
        assert f"<mark>{span}</mark>".lower() in page.lower()
    assert any(f"{trials(len({row[0] for row in expected}))} at this strictest value" in m.value for m in at.markdown)


def test_strictest_and_most_lenient_trials_are_named(app) -> None:
    at, db = app
    _thresholds(at)
    at.selectbox(key="measure").set_value("age").run()
    per_trial = (
        "select nct_id, max(value) as value from criterion_thresholds where measure = 'age' and bound = 'min' group by nct_id"
    )
    strictest = sql(db, f"select nct_id from ({per_trial}) where value = (select max(value) from ({per_trial}))")
    lenient = sql(db, f"select nct_id from ({per_trial}) where value = (select min(value) from ({per_trial}))")
    row = next(r for r in re.findall(r"<tr>.*?</tr>", _html(at), re.S) if "Minimum age stated in the text (years)" in r)
    strictest_cell, lenient_cell = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)[2:4]
    assert set(re.findall(r">(NCT\d{8})</a>", strictest_cell)) == {r[0] for r in strictest}
    assert set(re.findall(r">(NCT\d{8})</a>", lenient_cell)) == {r[0] for r in lenient}


def test_cohort_comparison_shows_each_cohorts_distribution(app) -> None:
    at, db = app
    _thresholds(at)
    at.selectbox(key="measure").set_value("age").run()
    at.selectbox(key="ta_preset").set_value("none").run()
    at.slider(key="tb_age").set_value((0, 100)).run()
    at.selectbox(key="tb_preset").set_value("b-all").run()
    comparison = _comparison(at)
    for cohort, where in (("A", "true"), ("B", "s.is_b_all")):
        side = comparison.filter((pl.col("cohort") == cohort) & (pl.col("trials") > 0))
        assert _same(side, _strictest(db, "age", where))


def test_empty_results_are_said_in_words(app) -> None:
    at, _ = app
    _thresholds(at)
    at.sidebar.text_input(key="condition").set_value("no such condition anywhere").run()
    assert not at.exception
    assert [i.value for i in at.info] == ["No trials match the filters."]
    assert _charts(at) == []


def test_detail_page_shows_each_criterions_facts_and_the_stated_ages(app) -> None:
    at, db = app
    at.run()
    at.switch_page("pages/detail.py").run()
    at.text_input(key="nct").set_value(REFERENCE).run()
    assert not at.exception
    page = _html(at)
    for chip in ("ECOG ≤ 2", "age ≥ 1 year", "age ≤ 39 years", "life expectancy ≥ 8.571 weeks (60 days)"):
        assert chip in page
    # Each chip sits in the list item of the criterion it was read from.
    item = next(li for li in re.findall(r"<li.*?</li>", page, re.S) if "ECOG ≤ 2" in li)
    assert "ECOG" in item and "0-2" in item
    text_min, text_max, disagree = sql(
        db,
        "select text_minimum_age_years, text_maximum_age_years, age_statements_disagree from study_age_statements "
        "where nct_id = $n",
        {"n": REFERENCE},
    )[0]
    assert (text_min, text_max, disagree) == (1, 39, False)
    assert any("criteria text: 1–39 years; structured record: 1–39 years (they agree)" in c.value for c in at.caption)


def test_detail_page_flags_a_study_whose_ages_disagree(app) -> None:
    at, db = app
    nct_id, text_min, text_max, record_min, record_max = sql(
        db,
        "select nct_id, text_minimum_age_years, text_maximum_age_years, minimum_age_years, maximum_age_years "
        "from study_age_statements where age_statements_disagree order by nct_id limit 1",
    )[0]
    at.run()
    at.switch_page("pages/detail.py").run()
    at.text_input(key="nct").set_value(nct_id).run()
    warning = next(w.value for w in at.warning if "Age statements disagree" in w.value)
    for value in (text_min, text_max, record_min, record_max):
        if value is not None:
            assert f"{value:.4g}" in warning


@pytest.mark.parametrize(
    ("choice", "where"),
    [("yes", "age_statements_disagree"), ("no", "not coalesce(age_statements_disagree, false)")],
)
def test_age_disagree_filter_matches_direct_sql(app, choice: str, where: str) -> None:
    at, db = app
    at.run()
    at.sidebar.radio(key="age_disagree").set_value(choice).run()
    assert not at.exception
    expected = sql(db, f"select count(*) from studies where {where}")[0][0]
    assert next(m for m in at.metric if m.label == "Trials").value == f"{expected:,}"


def test_a_shared_url_restores_the_measure_and_the_age_filter(app) -> None:
    at, db = app
    at.query_params["measure"] = "LVEF"
    at.query_params["age_disagree"] = "Only agreeing or no age in the text"
    _thresholds(at)
    assert at.selectbox(key="measure").value == "lvef"
    assert at.sidebar.radio(key="age_disagree").value == "no"
    assert _same(_bars(at), _strictest(db, "lvef", "not coalesce(s.age_statements_disagree, false)"))


def test_data_page_counts_studies_whose_ages_disagree(app) -> None:
    at, db = app
    at.run()
    at.switch_page("pages/data.py").run()
    expected = sql(db, "select count(*) from studies where age_statements_disagree")[0][0]
    assert expected > 0
    assert next(m for m in at.metric if m.label == "Age text ≠ record").value == f"{expected:,}"


def test_export_can_keep_only_studies_whose_ages_disagree(fixture_db, tmp_path: Path) -> None:
    db, _ = fixture_db
    out = tmp_path / "disagree.csv"
    command = [sys.executable, "-m", "eligibility", "export", "--db", str(db), "--what", "trials", "--out", str(out)]
    subprocess.run([*command, "--age-disagree", "yes"], cwd=ROOT, check=True, capture_output=True)
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert {r["nct_id"] for r in rows} == {r[0] for r in sql(db, "select nct_id from studies where age_statements_disagree")}


def test_comparison_shows_zero_where_only_the_other_cohort_sets_a_value(fixture_db) -> None:
    from eligibility.explore import thresholds as th
    from eligibility.explore.filters import Filters
    from eligibility.explore.queries import connect, run

    db, _ = fixture_db
    con = connect(db)
    try:
        everyone = th.measure_bars(run(con, "threshold_distribution", **Filters().params()), "age")
        b_all = th.measure_bars(run(con, "threshold_distribution", **Filters(preset="b-all").params()), "age")
    finally:
        con.close()
    comparison = th.compare_bars(everyone, b_all, name_a="all", name_b="B-ALL")
    # Every value of either cohort appears once per cohort.
    assert comparison.height == 2 * everyone.height
    only_a = comparison.join(b_all.select("series", "value"), on=["series", "value"], how="anti")
    assert only_a.height > 0
    assert set(only_a.filter(pl.col("cohort") == "B")["trials"]) == {0}
    assert set(only_a.filter(pl.col("cohort") == "B")["percent"]) == {0.0}
    # The strictest value of each series comes first: the lowest maximum, the highest minimum.
    first = comparison.filter(pl.col("rank") == 1)
    for row in first.iter_rows(named=True):
        values = comparison.filter(pl.col("series") == row["series"])["value"]
        assert row["value"] == (values.min() if row["bound"] == "max" else values.max())


def test_values_keep_their_units_as_researchers_write_them() -> None:
    from eligibility.explore.thresholds import fact_label, format_value, series_label

    assert format_value(100000.0, "/uL") == "100,000 /uL"
    assert format_value(1.5, "xULN") == "1.5 xULN"
    assert format_value(50.0, "%") == "50%"
    assert fact_label("ecog", "max", 2.0, "points") == "ECOG ≤ 2"
    # A duration the text gave in months or days is also shown that way.
    assert format_value(13.035, "weeks") == "13.04 weeks (3 months)"
    assert format_value(60 / 7, "weeks") == "8.571 weeks (60 days)"
    assert format_value(12.0, "weeks") == "12 weeks"
    assert format_value(0.5, "years") == "0.5 years (6 months)"
    assert series_label("bilirubin", "max", "mg/dL") == "Maximum bilirubin (mg/dL)"
