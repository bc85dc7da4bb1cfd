"""Where the time to the first numbers goes on a cold start: imports, the first queries, the first chart,
and the whole path in a headless Chromium (server start, page load, first number, first chart).

    python bench/cold_start.py --db /tmp/demo.duckdb [--runs 3]

Each run is a fresh process (and, for the browser, a fresh `streamlit run`), so nothing is cached
in memory; the operating system's file cache is warm after the first run. Timings are printed,
never asserted.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# Run in a fresh interpreter: each step's seconds, in the order the Overview needs them.
_IN_PROCESS = r"""
import json, sys, time
sys.path.insert(0, sys.argv[2])
steps = {}
def step(name, fn):
    t = time.perf_counter(); out = fn(); steps[name] = time.perf_counter() - t; return out
step("import polars", lambda: __import__("polars"))
step("import duckdb", lambda: __import__("duckdb"))
step("import altair", lambda: __import__("altair"))
step("import streamlit", lambda: __import__("streamlit"))
step("import eligibility (ui, explore, build)", lambda: [__import__(m) for m in (
    "eligibility.ui.rebuild", "eligibility.ui.sidebar", "eligibility.ui.render", "eligibility.explore.labels")])
from eligibility.explore.filters import Filters
from eligibility.explore.queries import connect, run
con = step("open the database (read-only attach)", lambda: connect(sys.argv[1]))
p = Filters().params()
step("first query: headline_counts", lambda: run(con, "headline_counts", **p))
step("query: filter_options (sidebar lists)", lambda: run(con, "filter_options"))
curve = step("query: age_eligibility_curve", lambda: run(con, "age_eligibility_curve", **p))
step("query: breakdowns", lambda: run(con, "breakdowns", **p))
import altair as alt
step("first chart: altair spec to JSON", lambda: alt.Chart(curve).mark_line().encode(x="age_years:Q", y="trials:Q").to_json())
print(json.dumps(steps))
"""


def in_process(db: Path) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-c", _IN_PROCESS, str(db), str(ROOT)], capture_output=True, text=True, check=True, cwd=ROOT
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def in_browser(db: Path, port: int) -> dict[str, float]:
    """Seconds from `streamlit run` to the server answering, and from page load to the first number and chart."""
    from tests.browser import DRAWN_CHART, chromium, start_server, wait_healthy

    started = time.perf_counter()
    proc = start_server(db, port, output=subprocess.DEVNULL)
    try:
        wait_healthy(proc, f"http://127.0.0.1:{port}", poll=0.02)
        server = time.perf_counter() - started
        with chromium() as browser:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            loaded = time.perf_counter()
            page.goto(f"http://127.0.0.1:{port}/")
            page.get_by_test_id("stMetricValue").first.wait_for(timeout=120_000)
            number = time.perf_counter() - loaded
            page.locator(DRAWN_CHART).first.wait_for(timeout=120_000)
            chart = time.perf_counter() - loaded
            # A second visit in the same server: the script and queries are warm.
            page.goto(f"http://127.0.0.1:{port}/?sex=Any")
            again = time.perf_counter()
            page.reload()
            page.get_by_test_id("stMetricValue").first.wait_for(timeout=120_000)
            warm = time.perf_counter() - again
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    return {
        "server start to health check": server,
        "page load to first number": number,
        "page load to first chart": chart,
        "warm reload to first number": warm,
        "process start to first number": server + number,
    }


def _table(title: str, runs: list[dict[str, float]]) -> None:
    print(f"\n{title} (seconds; median of {len(runs)}, min-max)")
    for name in runs[0]:
        values = [r[name] for r in runs]
        print(f"  {name:<45} {statistics.median(values):6.3f}   ({min(values):.3f}-{max(values):.3f})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--port", type=int, default=8777)
    args = parser.parse_args()
    _table("In a fresh Python process", [in_process(args.db) for _ in range(args.runs)])
    _table("In headless Chromium against a fresh `streamlit run`", [in_browser(args.db, args.port) for _ in range(args.runs)])


if __name__ == "__main__":
    main()
