"""End to end in headless Chromium against `streamlit run`: the theme dropdown and a bar click,
links that carry or repair filters, the sorted trials CSV, the cohort comparison, the trends
and thresholds pages and their CSVs (helpers in tests/browser.py)."""

from __future__ import annotations

from tests.browser import (
    PEDIATRIC,
    SCREENSHOTS,
    choose,
    click_top_theme_bar,
    download,
    metric,
    open_page,
    rerun,
    select_option,
    settled,
    wait_idle,
)
from tests.conftest import sql


def test_theme_dropdown_and_bar_click_agree(server, browser) -> None:
    """Click a bar, choose another theme in the dropdown, click the same bar again: the list follows the click."""
    url, db = server
    page = open_page(browser, f"{url}/themes?preset=Pediatric+B-ALL")
    page.get_by_text("Share of trials excluding on each theme").wait_for(timeout=60_000)
    wait_idle(page)
    top_label, top_criteria = sql(
        db,
        "select th.label, count(distinct t.criterion_id) from criterion_themes t join studies s using (nct_id) "
        f"join themes th on th.theme = t.theme where t.section = 'exclusion' and {PEDIATRIC} "
        "group by all order by count(distinct t.nct_id) desc, min(th.position) limit 1",
    )[0]
    listing = f"{top_label}: {top_criteria:,} exclusion criteria"
    click_top_theme_bar(page)
    page.get_by_text(listing).wait_for(timeout=30_000)
    wait_idle(page)
    dropdown = page.get_by_test_id("stMain").get_by_test_id("stSelectbox").filter(has_text="Theme").first
    select_option(page, dropdown, "Renal function")
    page.get_by_text("Renal function: ").first.wait_for(timeout=30_000)
    assert "theme=Renal" in page.url
    click_top_theme_bar(page)
    page.get_by_text(listing).wait_for(timeout=30_000)
    assert "theme=Renal" not in page.url, "the dropdown (and the URL) follow the click"
    shown = dropdown.locator("input").first.input_value() or dropdown.inner_text()
    assert top_label in shown, shown


def test_bad_links_are_repaired_not_crashed(server, browser) -> None:
    url, db = server
    page = open_page(browser, f"{url}/?age=50&age=20&sex=bar")
    page.get_by_text("age range was reversed").wait_for(timeout=60_000)
    wait_idle(page)
    assert page.get_by_text("FilterError").count() == 0 and page.get_by_test_id("stException").count() == 0
    expected = sql(
        db,
        "select count(*) from studies where coalesce(minimum_age_years, 0) <= 50 and coalesce(maximum_age_years, 'infinity'::double) >= 20",
    )[0][0]
    assert metric(page, "Trials") == f"{expected:,}"
    settled(page)
    page.screenshot(path=str(SCREENSHOTS / "repaired-link.png"), full_page=True)
    page = open_page(browser, f"{url}/?condition=no+such+condition+anywhere")
    page.get_by_text("No trial matches these filters").wait_for(timeout=60_000)
    wait_idle(page)
    assert page.get_by_test_id("stVegaLiteChart").count() == 0
    page.screenshot(path=str(SCREENSHOTS / "empty.png"), full_page=True)


def test_trials_csv_follows_the_sort_on_screen(server, browser) -> None:
    url, db = server
    page = open_page(browser, f"{url}/trials?preset=All+B-ALL&sort=Maximum+age&desc=true&rows=50")
    page.get_by_text("sorted by Maximum age (descending)").wait_for(timeout=60_000)
    settled(page)
    page.screenshot(path=str(SCREENSHOTS / "trials-sorted.png"), full_page=True)
    rows = download(page, "Download trials")
    expected = [
        r[0] for r in sql(db, "select nct_id from studies where is_b_all order by maximum_age_years desc nulls last, nct_id")
    ]
    assert [r["nct_id"] for r in rows] == expected
    assert {r["sex"] for r in rows} <= {"ALL", "FEMALE", "MALE", ""}, "the CSV keeps the registry's codes"


def test_cohort_comparison_renders(server, browser) -> None:
    url, _ = server
    page = open_page(browser, f"{url}/themes")
    page.get_by_text("sidebar filters do not apply here").wait_for(timeout=60_000)
    wait_idle(page)
    page.get_by_text("Cohort comparison", exact=True).scroll_into_view_if_needed()
    settled(page)
    page.screenshot(path=str(SCREENSHOTS / "themes-default.png"), full_page=True)


def test_status_codes_stay_in_the_url_across_pages(server, browser) -> None:
    url, db = server
    page = open_page(browser, f"{url}/?status=ACTIVE_NOT_RECRUITING")
    expected = sql(db, "select count(*) from studies where overall_status = 'ACTIVE_NOT_RECRUITING'")[0][0]
    page.get_by_test_id("stMetricValue").first.filter(has_text=f"{expected:,}").wait_for(timeout=60_000)
    assert page.get_by_test_id("stSidebar").get_by_text("Active, not recruiting").count() >= 1
    page.get_by_test_id("stSidebarNav").get_by_text("Trials").click()
    page.get_by_text(f"{expected:,} trials").first.wait_for(timeout=30_000)
    wait_idle(page)
    assert "status=ACTIVE_NOT_RECRUITING" in page.url


def test_trends_page_with_a_preset_and_its_csvs(server, browser) -> None:
    url, db = server
    SCREENSHOTS.mkdir(exist_ok=True)
    page = open_page(browser, url)
    choose(page, "Preset", "Pediatric B-ALL")
    page.get_by_test_id("stSidebarNav").get_by_text("Trends").click()
    page.get_by_text("Age access by start year", exact=True).wait_for(timeout=60_000)
    wait_idle(page)
    assert "preset=Pediatric" in page.url
    assert page.get_by_test_id("stVegaLiteChart").count() == 4
    settled(page)
    page.screenshot(path=str(SCREENSHOTS / "trends.png"), full_page=True)

    years = download(page, "Download trials per start year")
    direct = sql(
        db,
        f"""select year(start_date), count(*), sum(case when n_exclusion > 0 then 1 else 0 end) from studies
            where {PEDIATRIC} group by 1 order by 1 nulls last""",
    )
    assert [(r["start_year"], r["trials"], r["trials_with_exclusions"]) for r in years] == [
        ("" if y is None else str(y), str(n), str(e)) for y, n, e in direct
    ]
    assert {r["start_year"] for r in years if r["thin"] == "true"} == {str(y) for y, n, _ in direct if y and n < 20}

    compared = download(page, "Download before and after")
    base = f"{PEDIATRIC} and n_exclusion > 0"
    before = sql(db, f"select count(*) from studies where {base} and start_date < date '2017-10-01'")[0][0]
    after = sql(db, f"select count(*) from studies where {base} and start_date >= date '2017-10-02'")[0][0]
    assert {(r["before_base"], r["after_base"]) for r in compared} == {(str(before), str(after))}
    cns = next(r for r in compared if r["theme"] == "cns_neurologic")
    cns_after = sql(
        db,
        f"""select count(distinct s.nct_id) from studies s join criterion_themes t using (nct_id)
            where t.section = 'exclusion' and t.theme = 'cns_neurologic' and s.start_date >= date '2017-10-02'
            and {PEDIATRIC.replace("is_b_all", "s.is_b_all").replace("minimum_age_years", "s.minimum_age_years")}""",
    )[0][0]
    assert cns["after_trials"] == str(cns_after)


def test_thresholds_bar_click_lists_the_criteria_and_downloads_them(server, browser) -> None:
    from eligibility.explore.thresholds import format_value, trials

    url, db = server
    SCREENSHOTS.mkdir(exist_ok=True)
    page = open_page(browser, f"{url}/thresholds")
    choose(page, "Preset", "Pediatric B-ALL")
    assert "preset=Pediatric" in page.url
    main = page.get_by_test_id("stMain")
    select_option(page, main.get_by_test_id("stSelectbox").filter(has_text="Measure").first, "Bilirubin")
    assert "measure=Bilirubin" in page.url
    # The longest bar of the maximum bilirubin in xULN: the most common strictest value.
    value, n_trials = sql(
        db,
        "select value, count(*) from (select t.nct_id, min(t.value) as value from criterion_thresholds t "
        "join studies s using (nct_id) where t.measure = 'bilirubin' and t.bound = 'max' and t.unit = 'xULN' "
        f"and {PEDIATRIC} group by t.nct_id) group by value order by count(*) desc, value limit 1",
    )[0]
    chart = main.get_by_test_id("stVegaLiteChart").filter(has_text="Maximum bilirubin (xULN)").first
    chart.scroll_into_view_if_needed()
    settled(page)
    with rerun(page):
        chart.locator(f"path[role='graphics-symbol'][aria-label*='value_label: {format_value(value, 'xULN')};']").first.click()
    page.get_by_text(f"{trials(n_trials)} at this strictest value").wait_for(timeout=30_000)
    expected = sql(
        db,
        "select t.nct_id, c.ordinal from criterion_thresholds t join criteria c using (criterion_id) "
        "where t.measure = 'bilirubin' and t.bound = 'max' and t.unit = 'xULN' and t.nct_id in ("
        "select t.nct_id from criterion_thresholds t join studies s using (nct_id) where t.measure = 'bilirubin' "
        f"and t.bound = 'max' and t.unit = 'xULN' and {PEDIATRIC} group by t.nct_id having min(t.value) = $v)",
        {"v": value},
    )
    listed = main.locator("tr", has=page.locator("mark"))
    assert listed.count() == len(expected)
    settled(page)
    page.screenshot(path=str(SCREENSHOTS / "thresholds.png"), full_page=True)

    rows = download(page, f"Download bilirubin max xULN {value:g} criteria")
    assert sorted((r["nct_id"], int(r["ordinal"])) for r in rows) == sorted(expected)
    assert all(r["unit"] == "xULN" for r in rows)
    strictest: dict[str, float] = {}
    for r in rows:
        strictest[r["nct_id"]] = min(float(r["value"]), strictest.get(r["nct_id"], float("inf")))
    assert set(strictest.values()) == {value}
    assert all(r["span"].lower() in r["text"].lower().lstrip("'") for r in rows)
