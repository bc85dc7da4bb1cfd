"""Shares with their Wilson intervals, labels for codes, URL-value repair and the allow-listed sort."""

from __future__ import annotations

import polars as pl
import pytest

from eligibility.explore.compare import compare_theme_shares
from eligibility.explore.filters import MAX_TEXT, Filters
from eligibility.explore.labels import code_label, labelled
from eligibility.explore.queries import connect, run, sorted_sql
from eligibility.explore.shares import share_label, wilson_interval, with_intervals
from tests.conftest import sql


def test_wilson_interval_matches_a_hand_computation() -> None:
    # 3 of 10, z = 1.96: centre = (0.3 + 1.96²/20) / (1 + 1.96²/10) = 0.49208 / 1.38416 = 0.35551;
    # half = 1.96·√(0.3·0.7/10 + 1.96²/400) / 1.38416 = 1.96·√0.030604 / 1.38416 = 0.24772.
    low, high = wilson_interval(3, 10)
    assert low == pytest.approx(0.35551 - 0.24772, abs=2e-4)
    assert high == pytest.approx(0.35551 + 0.24772, abs=2e-4)
    assert wilson_interval(0, 10)[0] == 0.0 and wilson_interval(10, 10)[1] == pytest.approx(1.0)
    assert wilson_interval(0, 0) is None


def test_frame_intervals_agree_with_the_scalar_formula_and_flag_small_bases() -> None:
    frame = with_intervals(pl.DataFrame({"k": [3, 50, 0], "n": [10, 82, 0]}), count="k", base="n")
    for row in frame.iter_rows(named=True):
        expected = wilson_interval(row["k"], row["n"])
        if expected is None:
            assert row["ci_low"] is None and row["ci_high"] is None
        else:
            assert (row["ci_low"], row["ci_high"]) == pytest.approx(expected)
    assert frame["small_base"].to_list() == [True, False, True]


def test_share_labels_read_as_percent_and_count() -> None:
    assert share_label(50, 82) == "61% (50)"
    assert share_label(3, 10) == "30% (3) n=10<20"


def test_comparison_carries_intervals_for_both_cohorts() -> None:
    dist = pl.DataFrame(
        {"theme": ["infection"], "label": ["Infection"], "trials": [3], "trials_with_exclusions": [10], "share": [0.3]}
    )
    other = dist.with_columns(pl.lit(40).alias("trials"), pl.lit(80).alias("trials_with_exclusions"), pl.lit(0.5).alias("share"))
    row = compare_theme_shares(dist, other).row(0, named=True)
    assert (row["ci_low_a"], row["ci_high_a"]) == pytest.approx(wilson_interval(3, 10))
    assert row["small_base_a"] and not row["small_base_b"]
    assert row["difference_pp"] == -20.0


def test_codes_get_human_labels() -> None:
    assert [
        code_label(c) for c in ("ALL", "ACTIVE_NOT_RECRUITING", "OLDER_ADULT", "PATIENTS ONLY", "PHASE1/PHASE2", "NA", "N_A")
    ] == [
        "All",
        "Active, not recruiting",
        "Older adult",
        "Patients only",
        "Phase 1/2",
        "Not applicable",
        "Not applicable",
    ]
    frame = labelled(
        pl.DataFrame({"sex": ["MALE", None], "exclusion_themes": [["cns_neurologic"], []]}),
        ["sex", "exclusion_themes"],
        themes={"cns_neurologic": "CNS / neurologic"},
    )
    assert frame.to_dicts() == [
        {"sex": "Male", "exclusion_themes": ["CNS / neurologic"]},
        {"sex": "Not stated", "exclusion_themes": []},
    ]


def test_repair_swaps_clamps_cuts_and_drops_with_notes() -> None:
    filters, notes = Filters.repaired(
        {"min_age": 50.0, "max_age": 20.0, "sex": "bar", "phases": ["PHASE2", "'; drop"], "condition": "x" * 250, "aya_min": 200}
    )
    assert (filters.min_age, filters.max_age) == (20.0, 50.0)
    assert filters.sex == "any" and filters.phases == ("PHASE2",) and len(filters.condition) == MAX_TEXT
    assert (filters.aya_min, filters.aya_max) == (39.0, 150.0)
    assert len(notes) == 6
    assert Filters.repaired({"min_age": 5.0, "max_age": 9.0}) == (Filters(min_age=5.0, max_age=9.0), [])


def test_relaxations_name_each_filter_in_use() -> None:
    filters = Filters(condition="x", sex="male", preset="aya-b-all", aya_min=20, aya_max=30)
    names = dict(filters.relaxations())
    assert set(names) == {"the preset", "the sex filter", "the condition text"}
    assert names["the preset"] == Filters(condition="x", sex="male")


def test_sort_comes_only_from_the_allow_list(fixture_db) -> None:
    db, _ = fixture_db
    with pytest.raises(ValueError, match="cannot be sorted by"):
        sorted_sql("trials_table", "nct_id; drop table studies")
    with pytest.raises(ValueError, match="cannot be sorted"):
        sorted_sql("headline_counts", "nct_id")
    con = connect(db)
    try:
        params = {**Filters().params(), "limit": 1000, "offset": 0}
        by_age = run(con, "trials_table", sort="max_age", descending=True, **params)["nct_id"].to_list()
        page = run(con, "trials_table", sort="max_age", descending=True, **{**params, "limit": 2, "offset": 1})
    finally:
        con.close()
    expected = [r[0] for r in sql(db, "select nct_id from studies order by maximum_age_years desc nulls last, nct_id")]
    assert by_age == expected
    assert page["nct_id"].to_list() == expected[1:3]


def test_upload_outcomes_name_each_file_under_a_folder(tmp_path) -> None:
    from eligibility.build.ingest import ingest
    from tests.conftest import INGEST_FIXTURES

    folder = tmp_path / "uploads" / "batch"
    folder.mkdir(parents=True)
    (folder / "NCT06389305.txt").write_bytes((INGEST_FIXTURES / "text" / "NCT06389305.txt").read_bytes())
    (folder / "junk.txt").write_text("not a trial")
    db = tmp_path / "db.duckdb"
    ingest([INGEST_FIXTURES / "v2_array.json", tmp_path / "uploads"], db)
    con = connect(db)
    try:
        rows = {r["file"].rsplit("/", 1)[-1]: r for r in run(con, "upload_outcomes", folder=str(folder)).iter_rows(named=True)}
    finally:
        con.close()
    assert set(rows) == {"NCT06389305.txt", "junk.txt"}, "files outside the folder are not listed"
    assert (rows["NCT06389305.txt"]["records"], rows["NCT06389305.txt"]["studies"], rows["NCT06389305.txt"]["rejected"]) == (
        1,
        1,
        0,
    )
    assert (rows["junk.txt"]["studies"], rows["junk.txt"]["rejected"]) == (0, 1)
    assert rows["junk.txt"]["reason"].startswith("unsupported format")
