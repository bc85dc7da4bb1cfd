"""End to end in headless Chromium: text from records (markup, links, scripts) is shown as text on every page.

It serves a database of its own, so it runs beside the other browser test files (helpers in tests/browser.py).
"""

from __future__ import annotations

import json
from pathlib import Path

from eligibility.build.ingest import ingest
from tests.browser import SCREENSHOTS, open_page, serve, settled
from tests.conftest import INGEST_FIXTURES

HOSTILE_TITLE = "<img src=x onerror=alert('title')> **bold** [link](javascript:alert(2))"
HOSTILE_INCLUSION = "Age 18 or older <script>alert('xss')</script>"
HOSTILE_EXCLUSION = "Active infection [click](javascript:alert(1)) ![img](http://127.0.0.1:9/x.png) <img src=x onerror=alert(3)>"


def test_text_from_records_is_shown_as_text_on_every_page(browser, tmp_path: Path) -> None:
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
    with serve(db) as url:
        for path, ready in [
            (f"/detail?nct={nct}", "Exclusion criteria (2)"),
            ("/themes?theme=Infection", "Criteria behind a theme"),
            ("/trials", "Trials"),
            ("/", "Age-eligibility curve"),
        ]:
            page = open_page(browser, url + path)
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            page.get_by_text(ready).first.wait_for(timeout=60_000)
            settled(page)
            cell = page.locator("td", has_text="[click](javascript:alert(1))")
            if path.startswith("/themes"):
                # The criteria table is drawn by the chart's fragment, which may finish after the page's first
                # run: wait for it, so that the checks below look at the hostile text.
                cell.first.wait_for(timeout=60_000)
            assert page.locator("img[src='x']").count() == 0
            assert page.locator("img[src='http://127.0.0.1:9/x.png']").count() == 0
            assert page.locator("a[href^='javascript']").count() == 0
            assert page.locator("script", has_text="alert('xss')").count() == 0
            if path.startswith("/detail"):
                # The criteria lists are the page's last elements: wait for them, as for the themes table above.
                page.locator("li", has_text=HOSTILE_INCLUSION).first.wait_for(timeout=60_000)
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
                assert cell.count() == 1
    assert dialogs == []
