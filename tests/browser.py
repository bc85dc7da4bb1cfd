"""Helpers for the end-to-end browser tests: a `streamlit run` server and headless Chromium pages.

The `server` and `browser` fixtures (tests/conftest.py) start one of each per test module,
so the browser test files can run side by side on separate pytest-xdist workers.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from playwright.sync_api import Error as PlaywrightError

from tests.conftest import ROOT

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = ROOT / "tests" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PEDIATRIC = "is_b_all and coalesce(minimum_age_years, 0) < 18"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serve(db: Path) -> Iterator[str]:
    port = _free_port()
    env = {**os.environ, "ELIGIBILITY_DB": str(db)}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(ROOT / "app.py"),
            "--server.headless",
            "true",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--browser.gatherUsageStats",
            "false",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                break
        except OSError:
            time.sleep(0.3)
    else:
        proc.kill()
        raise RuntimeError("streamlit did not start: " + (proc.stdout.read().decode() if proc.stdout else ""))
    try:
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def open_page(browser, url: str):
    page = browser.new_page(viewport={"width": 1500, "height": 2200}, accept_downloads=True)
    page.goto(url)
    page.get_by_test_id("stSidebar").get_by_text("Preset").wait_for(timeout=60_000)
    return page


def wait_idle(page) -> None:
    # Streamlit shows a "running" status widget while the script runs.
    page.wait_for_timeout(300)
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000)


# Every chart on view has drawn its marks (one in a closed expander never does). Tables are not
# waited for: a short one at the foot of a page may never draw its grid in a headless browser.
_DRAWN = """() => [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')]
    .every(e => !e.getClientRects().length || e.querySelector('.vega-embed svg, .vega-embed canvas'))"""


def settled(page) -> None:
    """Wait until the script run is over and the page has drawn its charts (e.g. before a screenshot)."""
    wait_idle(page)
    page.wait_for_function(_DRAWN, timeout=60_000)


def choose(page, label: str, option: str) -> None:
    box = page.get_by_test_id("stSidebar").get_by_test_id("stSelectbox").filter(has_text=label).first
    box.click()
    page.get_by_role("option", name=option, exact=True).click()
    wait_idle(page)


def metric(page, label: str) -> str:
    return page.get_by_test_id("stMetric").filter(has_text=label).first.get_by_test_id("stMetricValue").inner_text()


def download(page, button_text: str) -> list[dict[str, str]]:
    with page.expect_download(timeout=60_000) as info:
        page.get_by_role("button", name=button_text).first.click()
    data = Path(info.value.path()).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf"), "CSV starts with a UTF-8 byte-order mark for Excel"
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def click_top_theme_bar(page) -> None:
    # Choosing a theme redraws the chart as a new element: scroll to it once it has settled.
    chart = page.get_by_test_id("stVegaLiteChart").first
    for _ in range(20):
        try:
            chart.scroll_into_view_if_needed(timeout=2_000)
            break
        except PlaywrightError:
            page.wait_for_timeout(500)
    page.wait_for_timeout(1000)
    box = chart.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] * 0.45, box["y"] + 11)
    wait_idle(page)
