"""What a user waits for: each interaction timed in headless Chromium against `streamlit run`,
from the request (page load, Enter, click) to the settled page, on fresh servers.

    python bench/browser_benchmark.py --db bench/out/r50k.duckdb [--servers 3]

"Settled" means the element the interaction is for is on the page (with the value the
database gives, computed here with the dashboard's own queries) and Streamlit's running
indicator is gone. Per fresh server, in this order:

1. first Overview render: load the page, to the first number and to every chart drawn;
2. the Trials page: click it in the navigation, to the table shown;
3. a theme bar click on the Exclusion themes page (opened on the last theme, not timed):
   click the top bar, to its list of criteria shown;
4. a criteria search of one phrase (a new one for the server) on the Overview: type it and
   press Enter, to the headline number for the search shown.

Prints the median and range over the servers (seconds), and the server's CPU time for each
interaction (the `streamlit run` process and its children, from /proc in clock ticks): on a shared
machine the waits stretch with the load, the CPU time much less. Timings are printed, never asserted.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys
import time
import urllib.parse
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from proc_tree import tree_stats  # noqa: E402

from eligibility.explore.filters import Filters  # noqa: E402
from eligibility.explore.queries import connect, run  # noqa: E402
from tests.browser import (  # noqa: E402
    DRAWN_CHART,
    chromium,
    free_port,
    new_context,
    start_server,
    top_bar_point,
    wait_healthy,
    wait_idle,
)

SEARCH = "brain metast"
INTERACTIONS = {
    "first Overview render, to the first number": "Overview (first render)",
    "first Overview render, to charts settled": "Overview (first render)",
    "Trials page, to the table shown": "Trials, no search",
    "theme bar click, to the criteria list shown": "Themes, no search",
    "criteria search of one phrase, to the page settled": "Overview (first render), searching",
}


def expected(db: Path) -> dict[str, str]:
    """The texts that show each interaction is done, from the dashboard's own queries."""
    con = connect(db)
    try:
        every = Filters().params()
        themes = run(con, "theme_distribution", **every)
        top = themes.row(0, named=True)
        count = run(con, "theme_criteria_count", **every, theme=top["theme"], exclusion_kind="any").row(0, named=True)
        found = run(con, "headline_counts", **Filters(search=SEARCH).params()).row(0, named=True)
    finally:
        con.close()
    return {
        "last_theme": themes.row(-1, named=True)["label"],
        "listing": f"{top['label']}: {count['criteria']:,} exclusion criteria",
        "search_trials": f"{found['trials']:,}",
    }


def settled(page: Any, locator: Any) -> None:
    """Wait for ``locator``, then for Streamlit's running indicator to be gone."""
    locator.wait_for(timeout=120_000)
    wait_idle(page)


CPU_SUFFIX = ": server CPU"


def server_cpu_seconds(pid: int) -> float:
    """CPU seconds used so far by the server process and its children (utime, stime, cutime, cstime)."""
    ticks = sum(int(f) for fields in tree_stats(pid).values() for f in fields[11:15])
    return ticks / os.sysconf("SC_CLK_TCK")


@contextlib.contextmanager
def server(db: Path, port: int | None = None) -> Any:
    """A fresh `streamlit run` on ``db`` (on ``port``, or a free one): yields its URL and process id,
    and stops it after."""
    port = port or free_port()
    proc = start_server(db, port)
    url = f"http://127.0.0.1:{port}"
    wait_healthy(proc, url)
    try:
        yield url, proc.pid
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def one_server(
    db: Path, texts: dict[str, str], browser_factory: Any = chromium, think: float = 0.0, port: int | None = None
) -> dict[str, float]:
    """Each interaction once, on a fresh server (seconds of wait, and of the server's CPU).

    ``think`` seconds pass before each timed interaction, as a person reads the page before the next
    click (0: the next click comes as soon as the page has settled). ``browser_factory`` gives the
    browser: by default a new Chromium with an empty cache, which fetches Streamlit's JavaScript anew."""
    out: dict[str, float] = {}
    with server(db, port) as (url, pid), browser_factory() as browser:
        cpu_at = {"start": server_cpu_seconds(pid)}

        def cpu_since(name: str, mark: str = "start") -> None:
            out[name + CPU_SUFFIX] = server_cpu_seconds(pid) - cpu_at[mark]

        page = browser.new_page()
        page.set_viewport_size({"width": 1500, "height": 1200})
        started = time.perf_counter()
        page.goto(url)
        page.get_by_test_id("stMetricValue").first.wait_for(timeout=120_000)
        out["first Overview render, to the first number"] = time.perf_counter() - started
        page.locator(DRAWN_CHART).first.wait_for(timeout=120_000)
        page.wait_for_function(
            """() => [...document.querySelectorAll("[data-testid='stVegaLiteChart']")]
                   .every(c => c.querySelector('canvas, svg'))
                 && !document.querySelector('[data-testid="stStatusWidget"]')""",
            timeout=120_000,
        )
        out["first Overview render, to charts settled"] = time.perf_counter() - started
        cpu_since("first Overview render, to charts settled")

        time.sleep(think)
        cpu_at["start"] = server_cpu_seconds(pid)
        started = time.perf_counter()
        page.get_by_test_id("stSidebarNav").get_by_text("Trials").click()
        settled(page, page.get_by_test_id("stDataFrame").first)
        out["Trials page, to the table shown"] = time.perf_counter() - started
        cpu_since("Trials page, to the table shown")

        page.goto(f"{url}/themes?{urllib.parse.urlencode({'theme': texts['last_theme']})}")
        page.get_by_text("Share of trials excluding on each theme").wait_for(timeout=120_000)
        wait_idle(page)
        point = top_bar_point(page)
        time.sleep(think)
        cpu_at["start"] = server_cpu_seconds(pid)
        started = time.perf_counter()
        page.mouse.click(*point)
        settled(page, page.get_by_text(texts["listing"]).first)
        out["theme bar click, to the criteria list shown"] = time.perf_counter() - started
        cpu_since("theme bar click, to the criteria list shown")

        page.goto(url)
        page.get_by_test_id("stMetricValue").first.wait_for(timeout=120_000)
        wait_idle(page)
        box = page.get_by_test_id("stSidebar").get_by_label("Criteria contain (literal text)")
        box.fill(SEARCH)
        time.sleep(think)
        cpu_at["start"] = server_cpu_seconds(pid)
        started = time.perf_counter()
        box.press("Enter")
        settled(page, page.get_by_test_id("stMetricValue").first.filter(has_text=texts["search_trials"]))
        out["criteria search of one phrase, to the page settled"] = time.perf_counter() - started
        cpu_since("criteria search of one phrase, to the page settled")
        page.close()
    return out


def measure(db: Path, servers: int = 3, *, think: float = 0.0, cached_browser: bool = False) -> dict[str, list[float]]:
    """Each interaction's seconds, one per fresh server.

    With ``cached_browser``, every server is visited by one Chromium whose HTTP cache already holds
    Streamlit's JavaScript (an untimed visit to one more fresh server fills it first), as a returning
    user's browser has it: the servers take turns on one port, since the cache is kept per address.
    Otherwise each server gets a new browser with an empty cache."""
    texts = expected(db)
    if not cached_browser:
        runs = [one_server(db, texts, think=think) for _ in range(servers)]
    else:
        with chromium() as browser:
            context = new_context(browser)

            @contextlib.contextmanager
            def same_context() -> Any:
                yield context

            port = free_port()
            one_server(db, texts, same_context, think=0.0, port=port)  # fills the cache; not counted
            runs = [one_server(db, texts, same_context, think=think, port=port) for _ in range(servers)]
            context.close()
    return {name: [r[name] for r in runs] for name in runs[0]}


def report(times: dict[str, list[float]]) -> None:
    waits = {name: values for name, values in times.items() if not name.endswith(CPU_SUFFIX)}
    cpu = {name.removesuffix(CPU_SUFFIX): values for name, values in times.items() if name.endswith(CPU_SUFFIX)}
    servers = len(next(iter(times.values())))
    for title, rows in (("In the browser", waits), ("The server's CPU time during each interaction", cpu)):
        print(f"\n## {title} (seconds; median of {servers} fresh servers, min-max)")
        for name, values in rows.items():
            print(f"  {name:<52} {statistics.median(values):6.2f}   ({min(values):.2f}-{max(values):.2f})", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--servers", type=int, default=3)
    parser.add_argument(
        "--think", type=float, default=0.0, help="seconds to wait before each timed interaction, as a person reading the page"
    )
    parser.add_argument(
        "--cached-browser",
        action="store_true",
        help="one browser for every server, with Streamlit's JavaScript already in its cache (a returning user)",
    )
    args = parser.parse_args()
    print(f"think time {args.think:g} s; browser cache: {'warm' if args.cached_browser else 'empty (new browser per server)'}")
    report(measure(args.db, args.servers, think=args.think, cached_browser=args.cached_browser))


if __name__ == "__main__":
    main()
