"""AppTest: every page runs, every filter and preset gives the numbers direct SQL gives."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT, sql

PAGES = ["pages/overview.py", "pages/trials.py", "pages/themes.py", "pages/detail.py", "pages/data.py"]


@pytest.fixture
def app(demo_db, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[AppTest, Path]]:
    db, _ = demo_db
    monkeypatch.setenv("ELIGIBILITY_DB", str(db))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    yield at, db


def trials_metric(at: AppTest) -> int:
    metric = next(m for m in at.metric if m.label == "Trials")
    return int(metric.value.replace(",", ""))


def count(db: Path, where: str, params: dict | None = None) -> int:
    return sql(db, f"select count(*) from studies where {where}", params)[0][0]


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_without_error(app, page: str) -> None:
    at, _ = app
    at.run()
    if page != PAGES[0]:
        at.switch_page(page).run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.title[0].value


def test_unfiltered_overview_counts_every_study(app) -> None:
    at, db = app
    at.run()
    assert trials_metric(at) == count(db, "true")
    exclusion_items = sql(db, "select count(*) from criteria where section = 'exclusion'")[0][0]
    assert next(m for m in at.metric if m.label == "Exclusion criteria").value == f"{exclusion_items:,}"


INF = "'infinity'::double"
SCENARIOS = [
    ("selectbox", "preset", "pediatric-b-all", "is_b_all and coalesce(minimum_age_years, 0) < 18"),
    (
        "selectbox",
        "preset",
        "aya-b-all",
        f"is_b_all and coalesce(minimum_age_years, 0) <= 39 and coalesce(maximum_age_years, {INF}) >= 15",
    ),
    ("selectbox", "preset", "b-all", "is_b_all"),
    ("slider", "age", (0, 17), f"coalesce(minimum_age_years, 0) <= 17 and coalesce(maximum_age_years, {INF}) >= 0"),
    ("slider", "age", (15, 39), f"coalesce(minimum_age_years, 0) <= 39 and coalesce(maximum_age_years, {INF}) >= 15"),
    ("slider", "age", (70, 100), f"coalesce(maximum_age_years, {INF}) >= 70"),
    ("selectbox", "sex", "female", "sex in ('ALL', 'FEMALE')"),
    ("selectbox", "sex", "male", "sex in ('ALL', 'MALE')"),
    ("selectbox", "sex", "female_only", "sex = 'FEMALE'"),
    ("selectbox", "sex", "male_only", "sex = 'MALE'"),
    ("radio", "hv", "yes", "healthy_volunteers"),
    ("radio", "hv", "no", "not healthy_volunteers"),
    (
        "text_input",
        "condition",
        "Leukemia",
        "lower(concat_ws(' ', array_to_string(conditions, ' '), array_to_string(keywords, ' '), title, official_title)) like '%leukemia%'",
    ),
    (
        "text_input",
        "search",
        "Hepatitis B",
        "exists (select 1 from criteria c where c.nct_id = studies.nct_id and lower(c.text) like '%hepatitis b%')",
    ),
    ("multiselect", "phase", ["PHASE2"], "list_contains(phases, 'PHASE2')"),
    ("multiselect", "status", ["RECRUITING"], "overall_status = 'RECRUITING'"),
    ("multiselect", "type", ["OBSERVATIONAL"], "study_type = 'OBSERVATIONAL'"),
]


@pytest.mark.parametrize(("widget", "key", "value", "where"), SCENARIOS, ids=[f"{s[1]}={s[2]}" for s in SCENARIOS])
def test_each_filter_matches_direct_sql(app, widget: str, key: str, value: object, where: str) -> None:
    at, db = app
    at.run()
    getattr(at, widget)(key=key).set_value(value).run()
    assert not at.exception
    expected = count(db, where)
    assert 0 < expected < count(db, "true"), "the scenario must actually filter"
    assert trials_metric(at) == expected


def test_covers_mode_needs_the_whole_range(app) -> None:
    at, db = app
    at.run()
    at.slider(key="age").set_value((5, 30)).run()
    at.radio(key="age_mode").set_value("covers").run()
    assert trials_metric(at) == count(db, f"coalesce(minimum_age_years, 0) <= 5 and coalesce(maximum_age_years, {INF}) >= 30")


def test_filters_combine_and_carry_over_to_other_pages(app) -> None:
    at, db = app
    at.run()
    at.selectbox(key="preset").set_value("pediatric-b-all").run()
    at.selectbox(key="sex").set_value("female").run()
    expected = count(db, "is_b_all and coalesce(minimum_age_years, 0) < 18 and sex in ('ALL', 'FEMALE')")
    assert trials_metric(at) == expected
    at.switch_page("pages/trials.py").run()
    assert at.markdown[0].value.startswith(f"**{expected:,} trials**")
    assert len(at.dataframe[0].value) == expected


def test_a_shared_url_restores_the_view(demo_db, monkeypatch: pytest.MonkeyPatch) -> None:
    db, _ = demo_db
    monkeypatch.setenv("ELIGIBILITY_DB", str(db))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.query_params["preset"] = "AYA B-ALL"
    at.query_params["age"] = ["18", "100"]
    at.run()
    assert at.selectbox(key="preset").value == "aya-b-all"
    assert at.slider(key="age").value == (18, 100)
    assert trials_metric(at) == count(
        db,
        f"is_b_all and coalesce(minimum_age_years, 0) <= 39 and coalesce(maximum_age_years, {INF}) >= 15 and coalesce(maximum_age_years, {INF}) >= 18",
    )


def test_themes_page_lists_the_criteria_behind_a_theme(app) -> None:
    at, db = app
    at.run()
    at.selectbox(key="preset").set_value("pediatric-b-all").run()
    at.switch_page("pages/themes.py").run()
    at.selectbox(key="theme").set_value("cns_neurologic").run()
    assert not at.exception
    expected_trials, expected_criteria = sql(
        db,
        "select count(distinct t.nct_id), count(distinct t.criterion_id) from criterion_themes t join studies s using (nct_id) "
        "where t.theme = 'cns_neurologic' and t.section = 'exclusion' and s.is_b_all and coalesce(s.minimum_age_years, 0) < 18",
    )[0]
    summary = next(m.value for m in at.markdown if m.value.startswith("**CNS"))
    assert f"{expected_criteria:,} exclusion criteria in {expected_trials:,} trials" in summary
    listing = at.get("html")[0].proto.body
    assert listing.count("<mark>") == min(expected_criteria, 300)


def test_detail_page_shows_the_reference_study(app) -> None:
    at, _ = app
    at.run()
    at.switch_page("pages/detail.py").run()
    at.text_input(key="nct").set_value("NCT06389305").run()
    assert not at.exception
    headers = [s.value for s in at.subheader]
    assert "Inclusion criteria (7)" in headers and "Exclusion criteria (16)" in headers
    bodies = "".join(h.proto.body for h in at.get("html"))
    # Shown unescaped from the markdown (\>) and HTML-escaped for display; the cue is marked.
    assert "Leukemic cells in the cerebrospinal fluid &gt;20 cells/μL;" in re.sub(r"</?mark>", "", bodies)
    assert "<mark>" in bodies


def test_detail_page_rejects_a_malformed_nct_id(app) -> None:
    at, _ = app
    at.run()
    at.switch_page("pages/detail.py").run()
    at.text_input(key="nct").set_value("NCT1<b>x").run()
    assert not at.exception
    assert at.error and "not an NCT ID" in at.error[0].value


def test_data_page_reports_what_was_loaded(app) -> None:
    at, db = app
    at.run()
    at.switch_page("pages/data.py").run()
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Studies"] == f"{count(db, 'true'):,}"
    rejected = sql(db, "select count(*) from ingest_issues where kind = 'rejected'")[0][0]
    assert metrics["Rejected records"] == f"{rejected:,}"
    assert len(at.dataframe[1].value) == rejected


def test_demo_ingest_summary_adds_up(demo_db) -> None:
    db, summary = demo_db
    assert summary.studies_loaded > 7000
    assert summary.records_read == summary.studies_loaded + summary.duplicates_merged + summary.rejected
    assert os.path.getsize(db) > 0


def test_uploaded_files_are_added_and_refusals_explained(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import io
    import zipfile

    from eligibility.build.ingest import ingest
    from tests.conftest import INGEST_FIXTURES

    db = tmp_path / "eligibility.duckdb"
    ingest([INGEST_FIXTURES / "v2_array.json"], db)
    monkeypatch.setenv("ELIGIBILITY_DB", str(db))
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("zeros.json", b"0" * (80 * 1024 * 1024))  # 80 MB of zeros, compressed to ~80 kB
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    at.switch_page("pages/data.py").run()
    at.file_uploader(key="uploads").set_value(
        [
            ("NCT06389305.txt", (INGEST_FIXTURES / "text" / "NCT06389305.txt").read_bytes(), "text/plain"),
            ("../../evil name.zip", bomb.getvalue(), "application/zip"),
        ]
    )
    at.button(key="FormSubmitter:upload_form-Add to the database").click().run()
    assert not at.exception
    assert not at.error, [e.value for e in at.error]
    assert sql(db, "select count(*) from studies") == [(4,)], [c.value for c in at.code]
    assert sql(db, "select source_format from studies where nct_id = 'NCT06389305'") == [("eligibility-text",)]
    (reason,) = sql(db, "select reason from ingest_issues where kind = 'rejected'")[0]
    assert "exceeds" in reason
    summary = "".join(c.value for c in at.code)
    assert "studies loaded:    4" in summary and "rejected x1" in summary
    saved = sorted(p.name for p in (tmp_path / "uploads").rglob("*") if p.is_file())
    assert saved == ["NCT06389305.txt", "evil_name.zip"]  # names made safe, kept beside the database


def test_trends_page_counts_follow_the_preset_and_the_cut_off(app) -> None:
    at, db = app
    at.run()
    at.switch_page("pages/trends.py").run()
    at.selectbox(key="preset").set_value("pediatric-b-all").run()
    assert not at.exception, [e.message for e in at.exception]
    where = "is_b_all and coalesce(minimum_age_years, 0) < 18 and n_exclusion > 0"
    before = count(db, f"{where} and start_date < date '2017-10-01'")
    after = count(db, f"{where} and start_date >= date '2017-10-02'")
    assert f"**{before:,}** trials started before 02 Oct 2017 and **{after:,}**" in at.markdown[0].value
    undated = count(db, "is_b_all and coalesce(minimum_age_years, 0) < 18 and start_date is null")
    assert at.info[0].value.startswith(f"{undated:,} matching trials have no start date")
    at.checkbox(key="gap").check().run()
    later = count(db, f"{where} and start_date >= date '2018-10-02'")
    assert f"**{before:,}** trials started before 02 Oct 2017 and **{later:,}** on or after 02 Oct 2018" in at.markdown[0].value
    at.number_input(key="start_year_min").set_value(2000).run()
    since = count(db, f"{where} and start_date >= date '2000-01-01' and start_date < date '2017-10-01'")
    assert f"**{since:,}** trials started before 02 Oct 2017" in at.markdown[0].value
    assert not at.info  # trials without a start date are filtered out
