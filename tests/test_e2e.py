"""End to end in headless Chromium against `streamlit run`: preset, themes page, a bar click,
CSV downloads checked row by row, the detail and data pages, and filter text as typed.

The other browser tests are in test_e2e_pages.py (which shares this file's server when both run
on one pytest-xdist worker) and test_e2e_record_text.py (a server of its own). Screenshots go to
tests/screenshots/.
"""

from __future__ import annotations

import urllib.parse

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


def test_pediatric_b_all_preset_themes_bar_click_and_downloads(server, browser) -> None:
    url, db = server
    SCREENSHOTS.mkdir(exist_ok=True)
    page = open_page(browser, url)
    choose(page, "Preset", "Pediatric B-ALL")
    expected_trials = sql(db, f"select count(*) from studies where {PEDIATRIC}")[0][0]
    page.get_by_test_id("stMetricValue").first.filter(has_text=f"{expected_trials:,}").wait_for(timeout=30_000)
    assert metric(page, "Trials") == f"{expected_trials:,}"
    assert "preset=Pediatric" in page.url
    settled(page)
    page.screenshot(path=str(SCREENSHOTS / "overview.png"), full_page=True)

    # The themes page keeps the preset (the filters live in the URL).
    page.get_by_test_id("stSidebarNav").get_by_text("Exclusion themes").click()
    page.get_by_text("Share of trials excluding on each theme").wait_for(timeout=30_000)
    wait_idle(page)
    assert "preset=Pediatric" in page.url
    top_theme, top_label, top_criteria = sql(
        db,
        "select t.theme, th.label, count(distinct t.criterion_id) from criterion_themes t join studies s using (nct_id) "
        f"join themes th on th.theme = t.theme where t.section = 'exclusion' and {PEDIATRIC} "
        "group by all order by count(distinct t.nct_id) desc, min(th.position) limit 1",
    )[0]
    # Start from another theme, then click the longest (top) bar.
    select_option(page, page.get_by_test_id("stMain").get_by_test_id("stSelectbox").filter(has_text="Theme").first, "Demographic")
    click_top_theme_bar(page)
    page.get_by_text(f"{top_label}: {top_criteria:,} exclusion criteria").wait_for(timeout=30_000)
    settled(page)
    page.screenshot(path=str(SCREENSHOTS / "themes.png"), full_page=True)

    rows = download(page, f"Download {top_theme} criteria")
    assert len(rows) == top_criteria
    assert {r["nct_id"] for r in rows} <= {r[0] for r in sql(db, f"select nct_id from studies where {PEDIATRIC}")}
    assert all(r["cue"].lower() in r["text"].lower().lstrip("'") for r in rows)

    page.get_by_test_id("stSidebarNav").get_by_text("Trials").click()
    page.get_by_text("trials** match").or_(page.get_by_text(f"{expected_trials:,} trials")).first.wait_for(timeout=30_000)
    settled(page)
    page.screenshot(path=str(SCREENSHOTS / "trials.png"), full_page=True)
    trials = download(page, "Download trials")
    assert len(trials) == expected_trials
    assert {r["nct_id"] for r in trials} == {r[0] for r in sql(db, f"select nct_id from studies where {PEDIATRIC}")}
    assert "NCT06389305" in {r["nct_id"] for r in trials}


def test_detail_and_data_pages_render(server, browser) -> None:
    url, _ = server
    SCREENSHOTS.mkdir(exist_ok=True)
    page = open_page(browser, f"{url}/detail?nct=NCT06389305")
    page.get_by_text("Exclusion criteria (16)").wait_for(timeout=60_000)
    settled(page)
    page.screenshot(path=str(SCREENSHOTS / "detail.png"), full_page=True)
    criterion = page.locator("li", has_text="Leukemic cells in the cerebrospinal fluid >20 cells/μL;")
    criterion.first.wait_for(timeout=60_000)
    assert criterion.count() == 1
    page = open_page(browser, f"{url}/data")
    page.get_by_text("Rejected records and warnings").wait_for(timeout=60_000)
    settled(page)
    page.screenshot(path=str(SCREENSHOTS / "data.png"), full_page=True)


# Text that markdown would turn into a link, a formula, an icon or a coloured span.
TYPED = "www.example.com http://evil.example/login someone@example.com $x^2$ costs $5 :red[alert] :smile: :material/home:"


def test_typed_filter_text_is_shown_as_typed(server, browser) -> None:
    """A condition from a shared URL appears exactly as typed: no link, formula, icon or stray backslash."""
    url, _ = server
    page = open_page(browser, f"{url}/?{urllib.parse.urlencode({'condition': TYPED})}")
    wait_idle(page)
    caption = page.get_by_test_id("stMain").get_by_text("Trials matching:").first
    caption.wait_for(timeout=60_000)
    text = caption.inner_text().replace("\u2060", "")
    assert f"condition '{TYPED}'" in text
    assert "\\" not in text
    for where in (caption, page.get_by_test_id("stSidebar").get_by_text("Showing:").first):
        assert where.locator("a").count() == 0
        assert where.locator(".katex").count() == 0
        assert where.locator("[data-testid='stIconMaterial']").count() == 0


def test_a_long_paste_is_cut_to_200_characters_with_a_message(server, browser) -> None:
    url, _ = server
    page = open_page(browser, url)
    box = page.get_by_test_id("stSidebar").get_by_label("Condition, keyword or title contains")
    box.fill("leukemia " * 30)
    with rerun(page):
        box.press("Enter")
    page.get_by_text("kept the first 200").wait_for(timeout=30_000)
    assert box.input_value() == ("leukemia " * 30)[:200]
