"""AppTest: every page runs, every filter and preset gives the numbers direct SQL gives."""

from __future__ import annotations

import json
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
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
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
    assert len(at.dataframe[0].value) == min(expected, 25)  # one page of rows reaches the browser
    assert any(c.value.startswith(f"Rows 1–{min(expected, 25)} of {expected:,}") for c in at.caption)


def test_a_shared_url_restores_the_view(demo_db, monkeypatch: pytest.MonkeyPatch) -> None:
    db, _ = demo_db
    monkeypatch.setenv("ELIGIBILITY_DB", str(db))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
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


def test_a_bar_click_keeps_the_theme_chart_and_new_data_redraws_it_on_the_chosen_theme(app) -> None:
    # A bar click sets the theme (session state "theme", as _on_bar_click does) but keeps the chart's key: its spec
    # must stay the same, so that the browser does not draw it again. New data (another preset) draws it again,
    # with the theme chosen by then selected; so does a theme chosen in the dropdown (a new key).
    def chart() -> tuple[str, str]:
        element = at.get("vega_lite_chart")[0].proto
        params = json.loads(element.spec)["params"]
        return element.id, next(p["value"][0]["theme"] for p in params if p["name"] == "pick")

    at, _ = app
    at.run()
    at.selectbox(key="preset").set_value("pediatric-b-all").run()
    at.switch_page("pages/themes.py").run()
    first_id, first_pick = chart()
    assert first_pick == "prior_concomitant_therapy"
    spec = at.get("vega_lite_chart")[0].proto.spec
    at.session_state["theme"] = "infection"  # what a click on the Infection bar does
    at.run()
    assert not at.exception
    assert at.get("vega_lite_chart")[0].proto.spec == spec and chart() == (first_id, first_pick)
    assert any(m.value.startswith("**Infection") for m in at.markdown), "the list follows the click"
    at.selectbox(key="preset").set_value("b-all").run()
    assert chart()[1] == "infection", "new data: the chart is drawn again on the chosen theme"
    at.selectbox(key="theme").set_value("renal").run()
    assert chart()[1] == "renal"


@pytest.mark.parametrize(("kind", "where"), [("whole", "not t.conditional"), ("conditional", "t.conditional")])
def test_themes_page_lists_whole_or_conditional_exclusions(app, kind: str, where: str) -> None:
    at, db = app
    at.run()
    at.selectbox(key="preset").set_value("b-all").run()
    at.switch_page("pages/themes.py").run()
    at.selectbox(key="theme").set_value("infection").run()
    at.segmented_control(key="kind").set_value(kind).run()
    assert not at.exception
    expected_trials, expected_criteria = sql(
        db,
        "select count(distinct t.nct_id), count(*) from criterion_themes t join studies s using (nct_id) "
        f"where t.theme = 'infection' and t.section = 'exclusion' and s.is_b_all and {where}",
    )[0]
    assert expected_criteria > 0
    summary = next(m.value for m in at.markdown if m.value.startswith("**Infection"))
    assert f"{expected_criteria:,} {kind} exclusion criteria in {expected_trials:,} trials" in summary
    listing = at.get("html")[0].proto.body
    assert listing.count(f"[{kind}") == min(expected_criteria, 300)


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
    # The same words for the healthy-volunteer flag as the Trials table's
    assert {m.label: m.value for m in at.metric}["Healthy volunteers"] == "Patients only"


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
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120).run()
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


# --- issue 15: a researcher's first hour -------------------------------------------------------


def _open(db: Path, monkeypatch: pytest.MonkeyPatch, **params: str | list[str]) -> AppTest:
    monkeypatch.setenv("ELIGIBILITY_DB", str(db))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    for name, value in params.items():
        at.query_params[name] = value
    return at.run()


def notices(at: AppTest) -> str:
    return " ".join(w.value for w in at.warning).replace("\\", "").replace("\u2060", "")


def test_a_reversed_age_range_in_a_link_is_swapped_and_said(demo_db, monkeypatch: pytest.MonkeyPatch) -> None:
    db, _ = demo_db
    at = _open(db, monkeypatch, age=["50", "20"])
    assert not at.exception, [e.message for e in at.exception]
    assert at.slider(key="age").value == (20, 50)
    assert "age range was reversed; read as 20-50" in notices(at)
    assert trials_metric(at) == count(db, f"coalesce(minimum_age_years, 0) <= 50 and coalesce(maximum_age_years, {INF}) >= 20")


def test_a_reversed_aya_window_in_a_link_is_swapped_and_said(demo_db, monkeypatch: pytest.MonkeyPatch) -> None:
    db, _ = demo_db
    at = _open(db, monkeypatch, preset="AYA B-ALL", aya=["40", "20"])
    assert not at.exception, [e.message for e in at.exception]
    assert at.slider(key="aya").value == (20, 40)
    assert "AYA window was reversed; read as 20-40" in notices(at)
    assert trials_metric(at) == count(
        db, f"is_b_all and coalesce(minimum_age_years, 0) <= 40 and coalesce(maximum_age_years, {INF}) >= 20"
    )


def test_unknown_values_in_a_link_are_dropped_and_named(demo_db, monkeypatch: pytest.MonkeyPatch) -> None:
    db, _ = demo_db
    at = _open(db, monkeypatch, sex="bar", phase=["PHASE9", "PHASE2"])
    assert not at.exception
    said = notices(at)
    assert "sex: ignored 'bar'" in said and "phase: ignored 'PHASE9'" in said
    assert trials_metric(at) == count(db, "list_contains(phases, 'PHASE2')")


def test_a_long_paste_keeps_its_first_200_characters_and_says_so(app) -> None:
    at, _ = app
    at.run()
    pasted = "leukemia " * 30  # 270 characters
    at.text_input(key="condition").set_value(pasted).run()
    assert not at.exception
    assert at.text_input(key="condition").value == pasted[:200]
    assert "condition text was 270 characters; kept the first 200" in notices(at)


def test_reset_returns_every_filter_to_its_default(app) -> None:
    at, db = app
    at.run()
    at.selectbox(key="preset").set_value("pediatric-b-all").run()
    at.selectbox(key="sex").set_value("female").run()
    at.text_input(key="condition").set_value("leukemia").run()
    assert trials_metric(at) < count(db, "true")
    at.button(key="reset_filters").click().run()
    assert trials_metric(at) == count(db, "true")
    assert at.selectbox(key="preset").value == "none" and at.text_input(key="condition").value == ""


@pytest.mark.parametrize("page", PAGES[:4])
def test_an_empty_result_is_said_in_words_with_the_filter_that_emptied_it(app, page: str) -> None:
    at, db = app
    at.run()
    at.text_input(key="condition").set_value("no such condition anywhere").run()
    at.switch_page(page).run()
    assert not at.exception
    said = " ".join(i.value for i in at.info).replace("\\", "")
    assert "No trial matches these filters" in said
    assert f"Without the condition text, {count(db, 'true'):,} trials would match" in said
    assert not at.get("vega_lite_chart"), "no empty chart is drawn"


@pytest.mark.parametrize(
    ("mode", "where"),
    [("adult_only", "minimum_age_years >= 18"), ("pediatric_only", "maximum_age_years < 18")],
)
def test_adult_only_and_children_only_age_modes(app, mode: str, where: str) -> None:
    at, db = app
    at.run()
    at.radio(key="age_mode").set_value(mode).run()
    assert trials_metric(at) == count(db, where)


def _comparison_bases(at: AppTest) -> tuple[int, int]:
    line = next(m.value for m in at.markdown if m.value.startswith("**A**"))
    a, b = re.findall(r"\(([\d,]+) trials with exclusion criteria\)", line)
    return int(a.replace(",", "")), int(b.replace(",", ""))


def test_default_cohorts_are_pediatric_against_adult_and_share_no_trial(app) -> None:
    at, db = app
    at.run()
    at.switch_page("pages/themes.py").run()
    assert not at.exception
    pediatric = "is_b_all and n_exclusion > 0 and coalesce(minimum_age_years, 0) < 18"
    adult = "is_b_all and n_exclusion > 0 and minimum_age_years >= 18"
    assert _comparison_bases(at) == (count(db, pediatric), count(db, adult))
    assert count(db, f"({pediatric}) and ({adult})") == 0
    assert any("sidebar filters do not apply here" in c.value for c in at.caption)
    # The sidebar's filters leave the cohorts alone, as the page says.
    at.selectbox(key="sex").set_value("male_only").run()
    assert _comparison_bases(at) == (count(db, pediatric), count(db, adult))


def test_each_cohort_has_its_own_aya_window(app) -> None:
    at, db = app
    at.run()
    at.switch_page("pages/themes.py").run()
    at.selectbox(key="a_preset").set_value("aya-b-all").run()
    at.slider(key="a_aya").set_value((20, 30)).run()
    assert not at.exception
    aya = f"is_b_all and n_exclusion > 0 and coalesce(minimum_age_years, 0) <= 30 and coalesce(maximum_age_years, {INF}) >= 20"
    assert _comparison_bases(at)[0] == count(db, aya)
    for other in ("aya", "b_aya"):  # the sidebar and cohort B keep their presets, so draw no AYA window
        with pytest.raises(KeyError):
            at.slider(key=other)


def test_trials_are_paged_and_sorted_on_the_server(demo_db, monkeypatch: pytest.MonkeyPatch) -> None:
    db, _ = demo_db
    at = _open(db, monkeypatch, sort="Minimum age", desc="true", rows="25", page="2")
    at.switch_page("pages/trials.py").run()
    assert not at.exception, [e.message for e in at.exception]
    expected = [
        r[0] for r in sql(db, "select nct_id from studies order by minimum_age_years desc nulls last, nct_id limit 25 offset 25")
    ]
    shown = at.dataframe[0].value
    assert shown["nct_id"].to_list() == expected
    assert at.markdown[0].value.startswith(f"**{count(db, 'true'):,} trials**")
    # A trial with no maximum age shows an empty cell (the column's help says so), not "None".
    assert shown["maximum_age_years"].isna().any()
    assert at.dataframe[0].proto.HasField("placeholder") and at.dataframe[0].proto.placeholder == ""


def test_a_later_page_survives_narrower_filters(demo_db, monkeypatch: pytest.MonkeyPatch) -> None:
    db, _ = demo_db
    at = _open(db, monkeypatch, page="300")
    at.switch_page("pages/trials.py").run()
    assert at.number_input(key="page").value == 300
    at.selectbox(key="preset").set_value("pediatric-b-all").run()
    assert not at.exception, [e.message for e in at.exception]
    last = -(-count(db, PEDIATRIC_WHERE) // 25)
    assert at.number_input(key="page").value == last
    assert len(at.dataframe[0].value) == count(db, PEDIATRIC_WHERE) - 25 * (last - 1)


PEDIATRIC_WHERE = "is_b_all and coalesce(minimum_age_years, 0) < 18"


def test_trials_table_shows_labels_not_codes(app) -> None:
    at, _ = app
    at.run()
    at.selectbox(key="preset").set_value("b-all").run()
    at.switch_page("pages/trials.py").run()
    table = at.dataframe[0].value
    assert set(table["sex"]) <= {"All", "Female", "Male", "Not stated"}
    assert set(table["healthy_volunteers"]) <= {"Accepted", "Patients only", "Not stated"}
    assert not any("_" in s for s in table["overall_status"])
    themes = ", ".join(table["exclusion_themes"])
    assert "CNS / neurologic" in themes and "cns_neurologic" not in themes
    assert {"n_unspecified", "b_all_basis"} <= set(table.columns)


def test_status_list_shows_labels_and_keeps_codes_in_the_url(app) -> None:
    at, db = app
    at.run()
    assert "Active, not recruiting" in at.multiselect(key="status").options
    at.multiselect(key="status").set_value(["ACTIVE_NOT_RECRUITING"]).run()
    assert at.query_params["status"] == "ACTIVE_NOT_RECRUITING"  # the code, not the label
    assert trials_metric(at) == count(db, "overall_status = 'ACTIVE_NOT_RECRUITING'")
    assert "Active, not recruiting" in at.sidebar.caption[-1].value.replace("\\", "")


def test_b_all_basis_filter_drops_keyword_only_matches(app) -> None:
    at, db = app
    at.run()
    at.multiselect(key="basis").set_value(["condition", "title", "inclusion criterion"]).run()
    assert trials_metric(at) == count(db, "is_b_all and split_part(b_all_basis, ':', 1) != 'keyword'")


def test_criteria_search_is_highlighted_in_the_theme_list(app) -> None:
    from eligibility.ui.render import SEARCH_MARK

    at, _ = app
    at.run()
    at.text_input(key="search").set_value("hepatitis").run()
    at.switch_page("pages/themes.py").run()
    at.selectbox(key="theme").set_value("infection").run()
    listing = at.get("html")[0].proto.body
    assert listing.count(SEARCH_MARK) >= 1
    assert re.search(re.escape(SEARCH_MARK) + r"hepatitis</mark>", listing, re.IGNORECASE)


def test_first_run_status_box_does_not_stay(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import eligibility.ui.rebuild as rebuild
    from tests.conftest import INGEST_FIXTURES

    monkeypatch.setattr(rebuild, "DEMO_DATA", INGEST_FIXTURES)
    db = tmp_path / "first.duckdb"
    at = _open(db, monkeypatch)
    assert not at.exception, [e.message for e in at.exception]
    assert db.exists()
    assert "Database built" in at.toast[0].value
    assert not at.status, "the progress block is removed once the database is built"
    assert trials_metric(at) == sql(db, "select count(*) from studies")[0][0]


def _upload(at: AppTest, files: list[tuple[str, bytes, str]]) -> AppTest:
    at.switch_page("pages/data.py").run()
    at.file_uploader(key="uploads").set_value(files)
    return at.button(key="FormSubmitter:upload_form-Add to the database").click().run()


def test_upload_outcomes_per_file_and_fresh_numbers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from eligibility.build.ingest import ingest
    from tests.conftest import INGEST_FIXTURES

    db = tmp_path / "eligibility.duckdb"
    ingest([INGEST_FIXTURES / "v2_array.json"], db)
    at = _open(db, monkeypatch)
    at = _upload(
        at,
        [
            ("NCT06389305.txt", (INGEST_FIXTURES / "text" / "NCT06389305.txt").read_bytes(), "text/plain"),
            ("junk.txt", b"hello, this is not a trial", "text/plain"),
        ],
    )
    assert not at.exception, [e.message for e in at.exception]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Studies"] == "4" and metrics["Rejected records"] == "1", "the numbers are read after the upload"
    assert any("Some files or records were rejected" in w.value for w in at.warning)
    outcome = next(d.value for d in at.dataframe if "outcome" in d.value.columns)
    rows = {r["file"]: r for r in outcome.to_dict("records")}
    assert rows["NCT06389305.txt"]["outcome"] == "loaded" and rows["NCT06389305.txt"]["studies"] == 1
    assert rows["junk.txt"]["outcome"] == "rejected" and "unsupported format" in rows["junk.txt"]["reason"]

    # Remove the text file again: the database is rebuilt without it.
    added = at.multiselect(key="remove_uploads")
    text_file = next(p for p in added.options if "NCT06389305" in str(p))
    at.multiselect(key="remove_uploads").select(text_file).run()
    at.button(key="remove_button").click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert sql(db, "select count(*) from studies") == [(3,)]
    assert {m.label: m.value for m in at.metric}["Studies"] == "3"
    assert any("Removed 1 file(s)" in s.value for s in at.success)
    assert [p.name for p in (tmp_path / "uploads").rglob("*") if p.is_file()] == ["junk.txt"]


def test_demo_data_rejects_and_warnings_are_explained(app) -> None:
    at, db = app
    at.run()
    at.switch_page("pages/data.py").run()
    said = " ".join(i.value for i in at.info)
    rejected, warnings = sql(
        db, "select count(*) filter (where kind = 'rejected'), count(*) filter (where kind = 'warning') from ingest_issues"
    )[0]
    assert "Nothing is broken" in said
    assert f"**{rejected} rejected**" in said and "placeholder" in said
    explained = sum(int(n) for n in re.findall(r"(\d+) warning", said))
    assert explained == warnings


def test_read_only_mode_removes_uploads_and_error_details(app, monkeypatch: pytest.MonkeyPatch) -> None:
    from streamlit import config

    from eligibility.ui.rebuild import ReadOnlyError, add_uploads

    at, _ = app
    before = config.get_option("client.showErrorDetails")
    monkeypatch.setenv("ELIGIBILITY_READ_ONLY", "1")
    try:
        at.run()
        at.switch_page("pages/data.py").run()
        assert not at.exception
        assert not at.file_uploader and not at.get("form")
        assert any("is read-only" in c.value.replace("\\", "") for c in at.caption)
        assert config.get_option("client.showErrorDetails") == "none"
        with pytest.raises(ReadOnlyError):
            add_uploads([])
    finally:
        config.set_option("client.showErrorDetails", before)


def test_default_mode_keeps_uploads_and_error_details(app) -> None:
    from streamlit import config

    at, _ = app
    at.run()
    at.switch_page("pages/data.py").run()
    assert at.file_uploader
    assert config.get_option("client.showErrorDetails") != "none"


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
