"""Driving the app in headless Chromium: shared by the browser tests (tests/test_e2e*.py, whose
`server` fixture in tests/conftest.py starts one server per pytest-xdist worker and the `browser`
fixture one Chromium context per test module) and the browser benchmarks
(bench/browser_benchmark.py, bench/cold_start.py)."""

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
from typing import Any

from playwright.sync_api import Error as PlaywrightError

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOTS = ROOT / "tests" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PEDIATRIC = "is_b_all and coalesce(minimum_age_years, 0) < 18"
# A chart is drawn once Vega has put its canvas or SVG in the chart element.
DRAWN_CHART = "[data-testid='stVegaLiteChart'] canvas, [data-testid='stVegaLiteChart'] svg"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(db: Path, port: int, *, output: int | None = subprocess.PIPE) -> subprocess.Popen[bytes]:
    """`streamlit run app.py` on ``db``, headless, on 127.0.0.1:``port`` (not yet answering)."""
    return subprocess.Popen(
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
        env={**os.environ, "ELIGIBILITY_DB": str(db)},
        stdout=output,
        stderr=subprocess.STDOUT,
    )


def wait_healthy(proc: subprocess.Popen[bytes], url: str, timeout: float = 60, poll: float = 0.3) -> None:
    """Wait until the server answers its health check; kill it and raise if it does not in ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                return
        except OSError:
            time.sleep(poll)
    proc.kill()
    raise RuntimeError("streamlit did not start: " + (proc.stdout.read().decode() if proc.stdout else ""))


@contextlib.contextmanager
def serve(db: Path) -> Iterator[str]:
    """A running app on ``db``; yields its URL and stops it after."""
    port = free_port()
    proc = start_server(db, port)
    url = f"http://127.0.0.1:{port}"
    wait_healthy(proc, url)
    try:
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)


@contextlib.contextmanager
def chromium() -> Iterator[Any]:
    """Headless Chromium (the system's, /usr/bin/chromium) through Playwright."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


# The app's root element carries the state of Streamlit's script run ("running", "notRunning", ...)
# and of its connection to the server, as the frontend sees them.
_IDLE = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    return !!app && app.getAttribute('data-test-script-state') === 'notRunning'
        && app.getAttribute('data-test-connection-state') === 'CONNECTED';
}"""

# Counts the script runs the page has seen start (window.__streamlitRuns.started), so that a test can
# wait for the run an action of its own starts (see rerun). Installed in every context new_context
# makes, before the app's scripts. Each mutation record holds the value before its change, so a state
# that lasted less than one batch of records is counted too.
_RUN_COUNTER = """(() => {
    const runs = { started: 0 };
    window.__streamlitRuns = runs;
    let last = null;
    const seen = (state) => {
        if (state === 'running' && last !== 'running') runs.started += 1;
        last = state;
    };
    new MutationObserver((records) => {
        const app = document.querySelector('[data-testid="stApp"]');
        records.filter((r) => r.type === 'attributes' && r.target === app).slice(1).forEach((r) => seen(r.oldValue));
        if (app) seen(app.getAttribute('data-test-script-state'));
    }).observe(document, {
        subtree: true, childList: true, attributes: true, attributeOldValue: true,
        attributeFilter: ['data-test-script-state'],
    });
})();"""


def wait_idle(page: Any) -> None:
    """Wait until no script run is going on and the page is connected to the server.

    Right after an action, the run it starts may not have begun yet: wait for that run with rerun."""
    page.wait_for_function(_IDLE, timeout=60_000)


def runs_started(page: Any) -> int:
    """How many script runs the page has seen start (a page from new_context counts them)."""
    return page.evaluate("() => window.__streamlitRuns.started")


def wait_for_run(page: Any, before: int, timeout: float = 60_000) -> None:
    """Wait until a run has started since runs_started gave ``before``, and no run is going on."""
    page.wait_for_function(f"(before) => window.__streamlitRuns.started > before && ({_IDLE})()", arg=before, timeout=timeout)


@contextlib.contextmanager
def rerun(page: Any) -> Iterator[None]:
    """Around an action that makes the app run its script (a click, Enter): wait for that run to end.

    The action waits for any run going on first: a run the action asks for while another is going
    on takes over from it with no pause that the page shows, so its start could not be counted."""
    wait_idle(page)
    before = runs_started(page)
    yield
    wait_for_run(page, before)


def new_context(browser: Any) -> Any:
    """A browser context whose pages are 1500 x 2200, accept downloads and count the script runs."""
    context = browser.new_context(viewport={"width": 1500, "height": 2200}, accept_downloads=True)
    context.add_init_script(_RUN_COUNTER)
    return context


def open_page(browser, url: str):
    """A new tab on ``url``, once the app has drawn its sidebar. ``browser`` is a Chromium
    (a new context for the page) or a context from new_context (a new tab in it)."""
    page = new_context(browser).new_page() if hasattr(browser, "new_context") else browser.new_page()
    page.goto(url)
    page.get_by_test_id("stSidebar").get_by_text("Preset").wait_for(timeout=60_000)
    return page


# Every chart on view has drawn its marks (one in a closed expander never does), and no element is
# still a grey placeholder ("skeleton", shown while an element's code loads or before a run sends it:
# a page can look idle between two runs). Tables are not waited for: a short one at the foot of a
# page may never draw its grid in a headless browser.
_DRAWN = """() => [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')]
    .every(e => !e.getClientRects().length || e.querySelector('.vega-embed svg, .vega-embed canvas'))
    && ![...document.querySelectorAll('[data-testid^="stSkeleton"]')].some(e => e.getClientRects().length)"""


def settled(page) -> None:
    """Wait until the script run is over and the page has drawn its charts and elements (e.g. before a screenshot)."""
    wait_idle(page)
    page.wait_for_function(_DRAWN, timeout=60_000)
    wait_idle(page)


def select_option(page: Any, box: Any, option: str, attempts: int = 5) -> None:
    """Pick ``option`` in the Streamlit selectbox ``box`` and wait until the box shows it.

    A click that lands while the page is still redrawing after an earlier choice may not open
    the list, or may land on a list that is replaced under it (another option is then picked):
    each attempt waits out the run, and the box is read back before returning."""

    def shown() -> bool:
        return option in (box.locator("input").first.input_value() or "") or option in box.inner_text()

    for _ in range(attempts):
        wait_idle(page)
        if shown():
            return  # already chosen: choosing it again would start no run
        before = runs_started(page)  # no run is going on (wait_idle above): the choice's run will be counted
        box.click()
        item = page.get_by_role("option", name=option, exact=True)
        try:
            item.wait_for(timeout=5_000)
            item.click(timeout=5_000)
        except PlaywrightError:
            page.keyboard.press("Escape")
            continue
        # The run the choice starts; a click that chose nothing starts none: the box is read back below.
        with contextlib.suppress(PlaywrightError):
            wait_for_run(page, before, timeout=30_000)
        if shown():
            return
    raise AssertionError(f"the selectbox did not take {option!r} in {attempts} attempts")


def choose(page, label: str, option: str) -> None:
    box = page.get_by_test_id("stSidebar").get_by_test_id("stSelectbox").filter(has_text=label).first
    select_option(page, box, option)


def metric(page, label: str) -> str:
    return page.get_by_test_id("stMetric").filter(has_text=label).first.get_by_test_id("stMetricValue").inner_text()


def download(page, button_text: str) -> list[dict[str, str]]:
    with page.expect_download(timeout=60_000) as info:
        page.get_by_role("button", name=button_text).first.click()
    data = Path(info.value.path()).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf"), "CSV starts with a UTF-8 byte-order mark for Excel"
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def top_bar_point(page: Any) -> tuple[float, float]:
    """Where the top (longest) bar of the Exclusion themes chart is, once the chart has settled."""
    # Choosing a theme redraws the chart as a new element: scroll to it once it has settled.
    chart = page.get_by_test_id("stVegaLiteChart").first
    for _ in range(20):
        try:
            settled(page)  # the run is over and the chart drawn: it is not replaced any more
            chart.scroll_into_view_if_needed(timeout=2_000)
            settled(page)
            box = chart.bounding_box()  # None if the chart was replaced meanwhile: try again
            if box is not None:
                return box["x"] + box["width"] * 0.45, box["y"] + 11
        except PlaywrightError:
            continue
    raise AssertionError("the Exclusion themes chart never settled")


def click_top_theme_bar(page: Any, attempts: int = 3) -> None:
    """Click the top (longest) bar of the Exclusion themes chart and wait for the run the click starts.

    On a loaded machine a click can land before the freshly drawn chart listens for clicks (the page
    shows it drawn, but Vega has not yet attached its handlers): no run starts, and the bar is clicked
    again. A click that starts a run is never repeated."""
    for _ in range(attempts):
        point = top_bar_point(page)
        wait_idle(page)
        before = runs_started(page)
        page.mouse.click(*point)
        try:
            wait_for_run(page, before, timeout=15_000)
            return
        except PlaywrightError:
            if runs_started(page) > before:  # the run started, but is slow: wait for it as before
                wait_for_run(page, before)
                return
    raise AssertionError(f"no click on the top bar of the Exclusion themes chart started a run ({attempts} tries)")
