"""Every query file in queries/ against expected rows on the fixture database, or SQL written another way.

The fixture database is built from tests/fixtures/ingest (22 real studies in every input shape,
the reference study NCT06389305 among them).
"""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl

from eligibility.explore.filters import Filters
from eligibility.explore.queries import connect, run
from eligibility.paths import QUERY_DIR
from tests.conftest import INGEST_FIXTURES, sql

REFERENCE = "NCT06389305"
PEDIATRIC = Filters(preset="pediatric-b-all")


def _run(db: Path, name: str, **params: object) -> pl.DataFrame:
    con = connect(db)
    try:
        return run(con, name, **params)
    finally:
        con.close()


def test_every_query_file_is_tested() -> None:
    """A new query file needs a test that runs it (here or in another test module)."""
    tests = "".join(p.read_text(encoding="utf-8") for p in Path(__file__).parent.glob("test_*.py"))
    untested = [p.stem for p in sorted(QUERY_DIR.glob("*.sql")) if not re.search(rf"[\"']{p.stem}[\"']|{p.stem}\.sql", tests)]
    assert untested == []


def test_matching_studies_is_the_filter_every_page_shares(fixture_db) -> None:
    db, _ = fixture_db
    got = _run(db, "matching_studies", **PEDIATRIC.params())
    assert sorted(got["nct_id"]) == [
        r[0] for r in sql(db, "select nct_id from studies where is_b_all and coalesce(minimum_age_years, 0) < 18 order by 1")
    ]
    assert REFERENCE in got["nct_id"].to_list()
    assert _run(db, "matching_studies", **Filters().params()).height == sql(db, "select count(*) from studies")[0][0]


def test_headline_counts_add_up_per_trial(fixture_db) -> None:
    db, _ = fixture_db
    got = _run(db, "headline_counts", **Filters().params()).row(0, named=True)
    studies = pl.DataFrame(
        sql(db, "select n_inclusion, n_exclusion, n_unspecified, is_b_all, minimum_age_years from studies"),
        schema=["inc", "exc", "uns", "b_all", "min_age"],
        orient="row",
    )
    assert got == {
        "trials": studies.height,
        "trials_with_exclusions": studies.filter(pl.col("exc") > 0).height,
        "exclusion_items": studies["exc"].sum(),
        "criteria_items": studies["inc"].sum() + studies["exc"].sum() + studies["uns"].sum(),
        "b_all_trials": studies["b_all"].sum(),
        "accepts_children": studies.filter(pl.col("min_age").fill_null(0) < 18).height,
    }
    assert got["criteria_items"] == sql(db, "select count(*) from criteria")[0][0]


def test_database_counts_whatever_the_filters(fixture_db) -> None:
    db, summary = fixture_db
    got = _run(db, "database_counts").row(0, named=True)
    assert got == {
        "studies": summary.studies_loaded,
        "criteria": summary.criteria,
        "b_all_studies": sql(db, "select count(*) from studies where is_b_all")[0][0],
        "rejected": summary.rejected,
        "warnings": summary.warnings,
        "age_disagree_studies": sql(db, "select count(*) from studies where age_statements_disagree")[0][0],
    }


def test_filter_options_count_studies_per_value(fixture_db) -> None:
    db, _ = fixture_db
    got = {(f, v): n for f, v, n in _run(db, "filter_options").iter_rows()}
    phases = dict(sql(db, "select p, count(*) from (select unnest(phases) as p from studies) group by p"))
    assert {v: n for (f, v), n in got.items() if f == "phase"} == phases
    assert {v: n for (f, v), n in got.items() if f == "status"} == dict(
        sql(db, "select overall_status, count(*) from studies where overall_status is not null group by 1")
    )
    assert {v: n for (f, v), n in got.items() if f == "study_type"} == dict(
        sql(db, "select study_type, count(*) from studies where study_type is not null group by 1")
    )


def test_trials_table_one_row_per_trial_with_a_registry_link(fixture_db) -> None:
    db, _ = fixture_db
    got = _run(db, "trials_table", **PEDIATRIC.params(), limit=1000, offset=0)
    expected = sql(
        db,
        "select nct_id, n_inclusion, n_exclusion from studies where is_b_all and coalesce(minimum_age_years, 0) < 18 order by nct_id",
    )
    assert list(got.select("nct_id", "n_inclusion", "n_exclusion").iter_rows()) == expected
    assert all(url == f"https://clinicaltrials.gov/study/{n}" for n, url in got.select("nct_id", "url").iter_rows())
    assert _run(db, "trials_table", **Filters().params(), limit=3, offset=0).height == 3


def test_trial_picker_lists_the_first_filtered_trials_by_nct_id_with_their_titles(fixture_db) -> None:
    db, _ = fixture_db
    got = _run(db, "trial_picker", **PEDIATRIC.params(), limit=1000)
    expected = sql(db, "select nct_id, title from studies where is_b_all and coalesce(minimum_age_years, 0) < 18 order by nct_id")
    assert expected and list(got.iter_rows()) == expected
    first_two = _run(db, "trial_picker", **Filters().params(), limit=2)
    assert list(first_two.iter_rows()) == sql(db, "select nct_id, title from studies order by nct_id limit 2")


def test_criteria_matching_filters_lists_each_criterion_with_its_themes(fixture_db) -> None:
    db, _ = fixture_db
    got = _run(db, "criteria_matching_filters", **PEDIATRIC.params(), limit=100_000)
    expected = sql(
        db,
        """select c.nct_id, c.ordinal, c.section, coalesce((select string_agg(t.theme, ', ' order by t.theme)
                  from criterion_themes t where t.criterion_id = c.criterion_id), '')
           from criteria c join studies s using (nct_id)
           where s.is_b_all and coalesce(s.minimum_age_years, 0) < 18 order by c.nct_id, c.ordinal""",
    )
    assert list(got.select("nct_id", "ordinal", "section", "themes").iter_rows()) == expected
    reference = got.filter(pl.col("nct_id") == REFERENCE)
    assert reference["section"].value_counts().sort("section").rows() == [("exclusion", 16), ("inclusion", 7)]


def test_theme_criteria_count_counts_criteria_and_trials(fixture_db) -> None:
    db, _ = fixture_db
    # The query reads the per-study counts made at ingest; here the criteria are counted one by one.
    kinds = {"any": "true", "whole": "not conditional", "conditional": "conditional"}
    for theme in ("cns_neurologic", "infection", "pregnancy_lactation"):
        for kind, where in kinds.items():
            got = _run(db, "theme_criteria_count", **Filters().params(), theme=theme, exclusion_kind=kind).row(0, named=True)
            rows = sql(
                db,
                f"select nct_id from criterion_themes where section = 'exclusion' and theme = $theme and {where}",
                {"theme": theme},
            )
            assert got == {"criteria": len(rows), "trials": len({r[0] for r in rows})}, (theme, kind)
            assert got["criteria"] > 0 or kind != "any"
    pediatric = Filters(preset="pediatric-b-all").params()
    got = _run(db, "theme_criteria_count", **pediatric, theme="infection", exclusion_kind="whole").row(0, named=True)
    rows = sql(
        db,
        "select t.nct_id from criterion_themes as t join studies as s using (nct_id) where t.section = 'exclusion' "
        "and t.theme = 'infection' and not t.conditional and s.is_b_all and coalesce(s.minimum_age_years, 0) < 18",
    )
    assert got == {"criteria": len(rows), "trials": len({r[0] for r in rows})}


def test_theme_labels_in_taxonomy_order_with_other_last(fixture_db) -> None:
    db, _ = fixture_db
    got = _run(db, "theme_labels")
    assert got["theme"].to_list() == [r[0] for r in sql(db, "select theme from themes order by position")]
    assert got["theme"][-1] == "other"
    assert got.filter(pl.col("theme") == "cns_neurologic")["label"].to_list() == ["CNS / neurologic"]


def test_trial_detail_and_criteria_of_the_reference_study(fixture_db) -> None:
    db, _ = fixture_db
    detail = _run(db, "trial_detail", nct_id=REFERENCE).row(0, named=True)
    assert detail["url"] == f"https://clinicaltrials.gov/study/{REFERENCE}"
    assert (detail["n_inclusion"], detail["n_exclusion"], detail["is_b_all"]) == (7, 16, True)
    assert _run(db, "trial_detail", nct_id="NCT00000000").is_empty()
    criteria = _run(db, "trial_criteria", nct_id=REFERENCE)
    assert criteria["ordinal"].to_list() == sorted(criteria["ordinal"].to_list())
    assert criteria.height == 23
    themes = dict(
        sql(
            db,
            "select criterion_id, list(theme order by theme) from criterion_themes where nct_id = $n group by 1",
            {"n": REFERENCE},
        )
    )
    for row in criteria.iter_rows(named=True):
        assert row["themes"] == themes.get(row["criterion_id"], [])
        assert len(row["cues"]) == len(row["themes"])


def test_trial_sources_lists_the_kept_record_first(fixture_db) -> None:
    db, _ = fixture_db
    merged = sql(db, "select nct_id from study_sources group by nct_id having count(*) > 1 order by 1")
    assert merged, "the fixtures hold a study read from two files"
    for (nct_id,) in merged:
        got = _run(db, "trial_sources", nct_id=nct_id)
        assert got["kept"].to_list() == [True] + [False] * (got.height - 1)
        assert got.height == sql(db, "select count(*) from study_sources where nct_id = $n", {"n": nct_id})[0][0]


def test_ingest_files_issues_and_summary_report_the_last_ingest(fixture_db) -> None:
    db, summary = fixture_db
    files = _run(db, "ingest_files")
    assert files["records"].sum() == summary.records_read - summary.rejected
    assert not files["file"].str.contains("!").any(), "zip entries are summed per archive"
    issues = _run(db, "ingest_issues", kind="any", limit=10_000)
    assert issues.height == summary.rejected + summary.warnings
    assert _run(db, "ingest_issues", kind="rejected", limit=10_000)["kind"].unique().to_list() in ([], ["rejected"])
    assert _run(db, "ingest_issues", kind="warning", limit=1).height == min(1, summary.warnings)
    run_row = _run(db, "ingest_summary").row(0, named=True)
    assert (run_row["studies_loaded"], run_row["records_read"]) == (summary.studies_loaded, summary.records_read)


def test_the_unfiltered_views_kept_at_ingest_are_what_the_query_files_answer(fixture_db, tmp_path: Path) -> None:
    from eligibility.build.ingest import ingest
    from eligibility.explore.queries import UNFILTERED_VIEWS, run_sql

    db, _ = fixture_db
    stored = {r[0] for r in sql(db, "select query from unfiltered_views")}
    assert stored == set(UNFILTERED_VIEWS)
    con = connect(db)
    try:
        for name in UNFILTERED_VIEWS:
            kept = run(con, name, **Filters().params())
            assert kept.equals(run_sql(con, name, **Filters().params())), name
            assert kept.height > 0
        # any filter set runs the query file
        adults = Filters(age_mode="adult_only").params()
        assert run(con, "headline_counts", **adults).equals(run_sql(con, "headline_counts", **adults))
        assert run(con, "headline_counts", **adults)["trials"][0] < run(con, "headline_counts", **Filters().params())["trials"][0]
    finally:
        con.close()
    # A database built without them (an older build) answers from the query files.
    older = tmp_path / "older.duckdb"
    ingest([INGEST_FIXTURES], older)
    assert not sql(older, "select table_name from information_schema.tables where table_name = 'unfiltered_views'")
    con = connect(older)
    try:
        assert run(con, "headline_counts", **Filters().params()).equals(run_sql(con, "headline_counts", **Filters().params()))
    finally:
        con.close()


def test_search_studies_and_search_estimate_on_the_fixtures(fixture_db) -> None:
    """search_studies.sql (with search_checks.sql) against Python's own substring test of each study's
    text, and search_estimate.sql against the occurrences of the words counted in Python."""
    from collections import Counter

    from eligibility.build import SEARCH_WORD_PATTERN

    db, _ = fixture_db
    texts = dict(sql(db, "select study_no, search_text from studies"))
    occurrences = Counter(w for text in texts.values() for w in re.findall(r"[^\W_]+", text))
    for search in ["pregnan", "hepatitis b", " b ", "-cell", "(uln", "50%", "informed consent", "≥ 18"]:
        got = _run(db, "search_studies", search=search, pattern=SEARCH_WORD_PATTERN)["study_no"].to_list()
        assert sorted(got) == sorted(no for no, text in texts.items() if search in text), search
    assert _run(db, "search_estimate", search="pregnan", pattern=SEARCH_WORD_PATTERN)["rows_read"].to_list() == [
        sum(n for w, n in occurrences.items() if "pregnan" in w)
    ]
    assert _run(db, "search_estimate", search="≥", pattern=SEARCH_WORD_PATTERN)["rows_read"].to_list() == [None]
