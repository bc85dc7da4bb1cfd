"""End to end in headless Chromium against `streamlit run`: preset, themes page, a bar click,
CSV downloads checked row by row, and a screenshot of every page (tests/screenshots/)."""

from __future__ import annotations

import csv
import io
import json
import shutil
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Error as PlaywrightError

from tests.browser import CHROMIUM, chromium, themes_top_bar, wait_idle
from tests.browser import serve as _serve
from tests.conftest import ROOT, sql

SCREENSHOTS = ROOT / "tests" / "screenshots"
PEDIATRIC = "is_b_all and coalesce(minimum_age_years, 0) < 18"


@pytest.fixture(scope="module")
def server(demo_db) -> Iterator[tuple[str, Path]]:
    db, _ = demo_db
    with _serve(db) as url:
        yield url, db


@pytest.fixture(scope="module")
def browser():
    assert shutil.which("chromium") or Path(CHROMIUM).exists(), "Chromium is required: apt-get install -y chromium"
    with chromium() as b:
        yield b


def _open(browser, url: str):
    page = browser.new_page(viewport={"width": 1500, "height": 2200}, accept_downloads=True)
    page.goto(url)
    page.get_by_test_id("stSidebar").get_by_text("Preset").wait_for(timeout=60_000)
    return page


def _choose(page, label: str, option: str) -> None:
    box = page.get_by_test_id("stSidebar").get_by_test_id("stSelectbox").filter(has_text=label).first
    box.click()
    page.get_by_role("option", name=option, exact=True).click()
    wait_idle(page)


def _metric(page, label: str) -> str:
    return page.get_by_test_id("stMetric").filter(has_text=label).first.get_by_test_id("stMetricValue").inner_text()


def _download(page, button_text: str) -> list[dict[str, str]]:
    with page.expect_download(timeout=60_000) as info:
        page.get_by_role("button", name=button_text).first.click()
    data = Path(info.value.path()).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf"), "CSV starts with a UTF-8 byte-order mark for Excel"
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def test_pediatric_b_all_preset_themes_bar_click_and_downloads(server, browser) -> None:
    url, db = server
    SCREENSHOTS.mkdir(exist_ok=True)
    page = _open(browser, url)
    _choose(page, "Preset", "Pediatric B-ALL")
    expected_trials = sql(db, f"select count(*) from studies where {PEDIATRIC}")[0][0]
    page.get_by_test_id("stMetricValue").first.filter(has_text=f"{expected_trials:,}").wait_for(timeout=30_000)
    assert _metric(page, "Trials") == f"{expected_trials:,}"
    assert "preset=Pediatric" in page.url
    page.wait_for_timeout(1500)
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
    _choose_main = page.get_by_test_id("stMain").get_by_test_id("stSelectbox").filter(has_text="Theme").first
    _choose_main.click()
    page.get_by_role("option", name="Demographic", exact=True).click()
    wait_idle(page)
    themes_top_bar(page)
    page.get_by_text(f"{top_label}: {top_criteria:,} exclusion criteria").wait_for(timeout=30_000)
    page.wait_for_timeout(1000)
    page.screenshot(path=str(SCREENSHOTS / "themes.png"), full_page=True)

    rows = _download(page, f"Download {top_theme} criteria")
    assert len(rows) == top_criteria
    assert {r["nct_id"] for r in rows} <= {r[0] for r in sql(db, f"select nct_id from studies where {PEDIATRIC}")}
    assert all(r["cue"].lower() in r["text"].lower().lstrip("'") for r in rows)

    page.get_by_test_id("stSidebarNav").get_by_text("Trials").click()
    page.get_by_text("trials** match").or_(page.get_by_text(f"{expected_trials:,} trials")).first.wait_for(timeout=30_000)
    wait_idle(page)
    page.wait_for_timeout(1500)
    page.screenshot(path=str(SCREENSHOTS / "trials.png"), full_page=True)
    trials = _download(page, "Download trials")
    assert len(trials) == expected_trials
    assert {r["nct_id"] for r in trials} == {r[0] for r in sql(db, f"select nct_id from studies where {PEDIATRIC}")}
    assert "NCT06389305" in {r["nct_id"] for r in trials}


def test_detail_and_data_pages_render(server, browser) -> None:
    url, _ = server
    SCREENSHOTS.mkdir(exist_ok=True)
    page = _open(browser, f"{url}/detail?nct=NCT06389305")
    page.get_by_text("Exclusion criteria (16)").wait_for(timeout=60_000)
    page.wait_for_timeout(1000)
    page.screenshot(path=str(SCREENSHOTS / "detail.png"), full_page=True)
    criterion = page.locator("li", has_text="Leukemic cells in the cerebrospinal fluid >20 cells/μL;")
    criterion.first.wait_for(timeout=60_000)
    assert criterion.count() == 1
    page = _open(browser, f"{url}/data")
    page.get_by_text("Rejected records and warnings").wait_for(timeout=60_000)
    page.wait_for_timeout(1500)
    page.screenshot(path=str(SCREENSHOTS / "data.png"), full_page=True)


HOSTILE_TITLE = "<img src=x onerror=alert('title')> **bold** [link](javascript:alert(2))"
HOSTILE_INCLUSION = "Age 18 or older <script>alert('xss')</script>"
HOSTILE_EXCLUSION = "Active infection [click](javascript:alert(1)) ![img](http://127.0.0.1:9/x.png) <img src=x onerror=alert(3)>"


def test_text_from_records_is_shown_as_text_on_every_page(browser, tmp_path: Path) -> None:
    from eligibility.build.ingest import ingest
    from tests.conftest import INGEST_FIXTURES

    study = json.loads((INGEST_FIXTURES / "v2_array.json").read_text())[0]
    study["protocolSection"]["identificationModule"]["briefTitle"] = HOSTILE_TITLE
    study["protocolSection"]["conditionsModule"]["conditions"] = ["Acute Lymphoblastic Leukemia <b>x</b>"]
    study["protocolSection"]["eligibilityModule"]["eligibilityCriteria"] = (
        f'Inclusion Criteria:\n\n* {HOSTILE_INCLUSION}\n\nExclusion Criteria:\n\n* {HOSTILE_EXCLUSION}\n* Pregnant <b>or</b> nursing & "quoted"'
    )
    (tmp_path / "hostile.json").write_text(json.dumps([study]))
    db = tmp_path / "hostile.duckdb"
    ingest([tmp_path / "hostile.json"], db)
    nct = study["protocolSection"]["identificationModule"]["nctId"]
    dialogs: list[str] = []
    with _serve(db) as url:
        for path, ready in [
            (f"/detail?nct={nct}", "Exclusion criteria (2)"),
            ("/themes?theme=Infection", "Criteria behind a theme"),
            ("/trials", "Trials"),
            ("/", "Age-eligibility curve"),
        ]:
            page = _open(browser, url + path)
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            page.get_by_text(ready).first.wait_for(timeout=60_000)
            wait_idle(page)
            page.wait_for_timeout(1000)
            assert page.locator("img[src='x']").count() == 0
            assert page.locator("img[src='http://127.0.0.1:9/x.png']").count() == 0
            assert page.locator("a[href^='javascript']").count() == 0
            assert page.locator("script", has_text="alert('xss')").count() == 0
            if path.startswith("/detail"):
                page.screenshot(path=str(SCREENSHOTS / "hostile-detail.png"), full_page=True)
                assert page.locator("li", has_text=HOSTILE_INCLUSION).count() == 1
                assert (
                    page.locator(
                        "li",
                        has_text="[click](javascript:alert(1)) ![img](http://127.0.0.1:9/x.png) <img src=x onerror=alert(3)>",
                    ).count()
                    == 1
                )
                # md() puts an invisible word joiner after each ':' so that nothing becomes a link or an icon.
                assert HOSTILE_TITLE in page.get_by_test_id("stMain").inner_text().replace("\u2060", "")
            if path.startswith("/themes"):
                assert page.locator("td", has_text="[click](javascript:alert(1))").count() == 1
    assert dialogs == []


# Text that markdown would turn into a link, a formula, an icon or a coloured span.
TYPED = "www.example.com http://evil.example/login someone@example.com $x^2$ costs $5 :red[alert] :smile: :material/home:"


def test_typed_filter_text_is_shown_as_typed(server, browser) -> None:
    """A condition from a shared URL appears exactly as typed: no link, formula, icon or stray backslash."""
    url, _ = server
    page = _open(browser, f"{url}/?{urllib.parse.urlencode({'condition': TYPED})}")
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


def test_theme_dropdown_and_bar_click_agree(server, browser) -> None:
    """Click a bar, choose another theme in the dropdown, click the same bar again: the list follows the click."""
    url, db = server
    page = _open(browser, f"{url}/themes?preset=Pediatric+B-ALL")
    page.get_by_text("Share of trials excluding on each theme").wait_for(timeout=60_000)
    wait_idle(page)
    top_label, top_criteria = sql(
        db,
        "select th.label, count(distinct t.criterion_id) from criterion_themes t join studies s using (nct_id) "
        f"join themes th on th.theme = t.theme where t.section = 'exclusion' and {PEDIATRIC} "
        "group by all order by count(distinct t.nct_id) desc, min(th.position) limit 1",
    )[0]
    listing = f"{top_label}: {top_criteria:,} exclusion criteria"
    themes_top_bar(page)
    page.get_by_text(listing).wait_for(timeout=30_000)
    wait_idle(page)
    dropdown = page.get_by_test_id("stMain").get_by_test_id("stSelectbox").filter(has_text="Theme").first
    option = page.get_by_role("option", name="Renal function", exact=True)
    for _ in range(5):  # a click that lands while the page is still redrawing does not open the list
        dropdown.click()
        try:
            option.wait_for(timeout=5_000)
            break
        except PlaywrightError:
            page.wait_for_timeout(500)
    option.click()
    wait_idle(page)
    page.get_by_text("Renal function: ").first.wait_for(timeout=30_000)
    assert "theme=Renal" in page.url
    themes_top_bar(page)
    page.get_by_text(listing).wait_for(timeout=30_000)
    assert "theme=Renal" not in page.url, "the dropdown (and the URL) follow the click"
    shown = dropdown.locator("input").first.input_value() or dropdown.inner_text()
    assert top_label in shown, shown


def test_a_long_paste_is_cut_to_200_characters_with_a_message(server, browser) -> None:
    url, _ = server
    page = _open(browser, url)
    box = page.get_by_test_id("stSidebar").get_by_label("Condition, keyword or title contains")
    box.fill("leukemia " * 30)
    box.press("Enter")
    wait_idle(page)
    page.get_by_text("kept the first 200").wait_for(timeout=30_000)
    assert box.input_value() == ("leukemia " * 30)[:200]


def test_bad_links_are_repaired_not_crashed(server, browser) -> None:
    url, db = server
    page = _open(browser, f"{url}/?age=50&age=20&sex=bar")
    page.get_by_text("age range was reversed").wait_for(timeout=60_000)
    wait_idle(page)
    assert page.get_by_text("FilterError").count() == 0 and page.get_by_test_id("stException").count() == 0
    expected = sql(
        db,
        "select count(*) from studies where coalesce(minimum_age_years, 0) <= 50 and coalesce(maximum_age_years, 'infinity'::double) >= 20",
    )[0][0]
    assert _metric(page, "Trials") == f"{expected:,}"
    page.wait_for_timeout(1000)
    page.screenshot(path=str(SCREENSHOTS / "repaired-link.png"), full_page=True)
    page = _open(browser, f"{url}/?condition=no+such+condition+anywhere")
    page.get_by_text("No trial matches these filters").wait_for(timeout=60_000)
    wait_idle(page)
    assert page.get_by_test_id("stVegaLiteChart").count() == 0
    page.screenshot(path=str(SCREENSHOTS / "empty.png"), full_page=True)


def test_trials_csv_follows_the_sort_on_screen(server, browser) -> None:
    url, db = server
    page = _open(browser, f"{url}/trials?preset=All+B-ALL&sort=Maximum+age&desc=true&rows=50")
    page.get_by_text("sorted by Maximum age (descending)").wait_for(timeout=60_000)
    wait_idle(page)
    page.wait_for_timeout(1500)
    page.screenshot(path=str(SCREENSHOTS / "trials-sorted.png"), full_page=True)
    rows = _download(page, "Download trials")
    expected = [
        r[0] for r in sql(db, "select nct_id from studies where is_b_all order by maximum_age_years desc nulls last, nct_id")
    ]
    assert [r["nct_id"] for r in rows] == expected
    assert {r["sex"] for r in rows} <= {"ALL", "FEMALE", "MALE", ""}, "the CSV keeps the registry's codes"


def test_cohort_comparison_renders(server, browser) -> None:
    url, _ = server
    page = _open(browser, f"{url}/themes")
    page.get_by_text("sidebar filters do not apply here").wait_for(timeout=60_000)
    wait_idle(page)
    page.get_by_text("Cohort comparison", exact=True).scroll_into_view_if_needed()
    page.wait_for_timeout(2000)
    page.screenshot(path=str(SCREENSHOTS / "themes-default.png"), full_page=True)


def test_status_codes_stay_in_the_url_across_pages(server, browser) -> None:
    url, db = server
    page = _open(browser, f"{url}/?status=ACTIVE_NOT_RECRUITING")
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
    page = _open(browser, url)
    _choose(page, "Preset", "Pediatric B-ALL")
    page.get_by_test_id("stSidebarNav").get_by_text("Trends").click()
    page.get_by_text("Age access by start year", exact=True).wait_for(timeout=60_000)
    wait_idle(page)
    assert "preset=Pediatric" in page.url
    assert page.get_by_test_id("stVegaLiteChart").count() == 4
    page.wait_for_timeout(1500)
    page.screenshot(path=str(SCREENSHOTS / "trends.png"), full_page=True)

    years = _download(page, "Download trials per start year")
    direct = sql(
        db,
        f"""select year(start_date), count(*), sum(case when n_exclusion > 0 then 1 else 0 end) from studies
            where {PEDIATRIC} group by 1 order by 1 nulls last""",
    )
    assert [(r["start_year"], r["trials"], r["trials_with_exclusions"]) for r in years] == [
        ("" if y is None else str(y), str(n), str(e)) for y, n, e in direct
    ]
    assert {r["start_year"] for r in years if r["thin"] == "true"} == {str(y) for y, n, _ in direct if y and n < 20}

    compared = _download(page, "Download before and after")
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
    page = _open(browser, f"{url}/thresholds")
    _choose(page, "Preset", "Pediatric B-ALL")
    assert "preset=Pediatric" in page.url
    main = page.get_by_test_id("stMain")
    main.get_by_test_id("stSelectbox").filter(has_text="Measure").first.click()
    page.get_by_role("option", name="Bilirubin", exact=True).click()
    wait_idle(page)
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
    page.wait_for_timeout(1000)
    chart.locator(f"path[role='graphics-symbol'][aria-label*='value_label: {format_value(value, 'xULN')};']").first.click()
    wait_idle(page)
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
    page.wait_for_timeout(1000)
    page.screenshot(path=str(SCREENSHOTS / "thresholds.png"), full_page=True)

    rows = _download(page, f"Download bilirubin max xULN {value:g} criteria")
    assert sorted((r["nct_id"], int(r["ordinal"])) for r in rows) == sorted(expected)
    assert all(r["unit"] == "xULN" for r in rows)
    strictest: dict[str, float] = {}
    for r in rows:
        strictest[r["nct_id"]] = min(float(r["value"]), strictest.get(r["nct_id"], float("inf")))
    assert set(strictest.values()) == {value}
    assert all(r["span"].lower() in r["text"].lower().lstrip("'") for r in rows)
