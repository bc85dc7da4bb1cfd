"""The query files against direct SQL written another way (the pages and `export` use these)."""

from __future__ import annotations

import pytest

from eligibility.explore.filters import Filters
from eligibility.explore.queries import connect, run
from tests.conftest import sql

FILTERS = [Filters(), Filters(preset="pediatric-b-all"), Filters(min_age=18, max_age=64, age_mode="covers", sex="female")]
WHERE = [
    "true",
    "s.is_b_all and coalesce(s.minimum_age_years, 0) < 18",
    "coalesce(s.minimum_age_years, 0) <= 18 and coalesce(s.maximum_age_years, 'infinity'::double) >= 64 and s.sex in ('ALL', 'FEMALE')",
]


@pytest.mark.parametrize(("filters", "where"), list(zip(FILTERS, WHERE, strict=True)))
def test_theme_distribution_counts_trials_per_theme(demo_db, filters: Filters, where: str) -> None:
    db, _ = demo_db
    con = connect(db)
    try:
        got = {
            r["theme"]: (r["trials"], r["trials_with_exclusions"])
            for r in run(con, "theme_distribution", **filters.params()).iter_rows(named=True)
        }
        pairs = run(con, "theme_cooccurrence", **filters.params())
    finally:
        con.close()
    direct = dict(
        sql(
            db,
            f"select t.theme, count(distinct t.nct_id) from criterion_themes t join studies s using (nct_id) where t.section = 'exclusion' and {where} group by 1",
        )
    )
    base = sql(db, f"select count(*) from studies s where s.n_exclusion > 0 and {where}")[0][0]
    assert base > 0
    assert {theme: n for theme, (n, _) in got.items() if n} == direct
    assert {b for _, b in got.values()} == {base}
    both = sql(
        db,
        f"""with tt as (select distinct t.nct_id, t.theme from criterion_themes t join studies s using (nct_id)
                        where t.section = 'exclusion' and {where})
            select a.theme, b.theme, count(*) from tt a join tt b using (nct_id) group by 1, 2""",
    )
    assert {(a, b): n for a, b, n in pairs.iter_rows()} == {(a, b): n for a, b, n in both}


def test_theme_criteria_lists_the_first_criteria_in_document_order(demo_db) -> None:
    db, _ = demo_db
    con = connect(db)
    try:
        rows = run(con, "theme_criteria", **Filters(preset="b-all").params(), theme="infection", exclusion_kind="any", limit=50)
        count = run(con, "theme_criteria_count", **Filters(preset="b-all").params(), theme="infection", exclusion_kind="any").row(
            0, named=True
        )
    finally:
        con.close()
    expected = sql(
        db,
        "select c.nct_id, c.ordinal, c.text, s.title, s.url from criterion_themes t join criteria c using (criterion_id) "
        "join studies s on s.nct_id = c.nct_id "
        "where t.theme = 'infection' and t.section = 'exclusion' and s.is_b_all order by c.nct_id, c.ordinal limit 50",
    )
    assert [(r["nct_id"], r["ordinal"], r["text"], r["title"], r["url"]) for r in rows.iter_rows(named=True)] == expected
    assert len({r[0] for r in expected}) > 5  # the rows span several trials, each with its own title
    assert all(r["cue"].lower() in r["text"].lower() for r in rows.iter_rows(named=True))
    assert (
        count["criteria"]
        == sql(
            db,
            "select count(*) from criterion_themes t join studies s using (nct_id) where t.theme = 'infection' and t.section = 'exclusion' and s.is_b_all",
        )[0][0]
    )


@pytest.mark.parametrize(("filters", "where"), list(zip(FILTERS, WHERE, strict=True)))
def test_age_curve_counts_trials_accepting_each_age(demo_db, filters: Filters, where: str) -> None:
    db, _ = demo_db
    con = connect(db)
    try:
        curve = run(con, "age_eligibility_curve", **filters.params())
    finally:
        con.close()
    direct = sql(
        db,
        f"""select a.age, count(s.nct_id) from range(0, 91) as a(age)
            left join studies s on coalesce(s.minimum_age_years, 0) <= a.age
                and coalesce(s.maximum_age_years, 'infinity'::double) >= a.age and {where}
            group by a.age order by a.age""",
    )
    assert list(curve.iter_rows()) == direct
    assert max(n for _, n in direct) > 0


@pytest.mark.parametrize(("filters", "where"), list(zip(FILTERS, WHERE, strict=True)))
def test_breakdowns_count_each_trial_once_per_value(demo_db, filters: Filters, where: str) -> None:
    db, _ = demo_db
    con = connect(db)
    try:
        got = {(d, v): n for d, v, n in run(con, "breakdowns", **filters.params()).iter_rows()}
    finally:
        con.close()
    n_trials = sql(db, f"select count(*) from studies s where {where}")[0][0]
    for dimension in ("Sex", "Healthy volunteers", "Phase", "Overall status", "Study type"):
        assert sum(n for (d, _), n in got.items() if d == dimension) == n_trials, dimension
    for group in ("CHILD", "ADULT", "OLDER_ADULT"):
        expected = sql(db, f"select count(*) from studies s where list_contains(s.std_ages, '{group}') and {where}")[0][0]
        assert got.get(("Standard age group", group), 0) == expected
    assert got.get(("Sex", "FEMALE"), 0) == sql(db, f"select count(*) from studies s where s.sex = 'FEMALE' and {where}")[0][0]
