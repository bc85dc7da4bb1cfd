"""Registry-scale benchmark: ingest, every dashboard query, CSV export, app cold start,
and the same questions on SQLite, printed as tables (and saved as JSON).

    python bench/generate_corpus.py                 # bench/out/registry-550000.zip
    python bench/benchmark.py --corpus bench/out/registry-550000.zip

Not part of the test suite: timings are printed, never asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import sqlite_baseline  # noqa: E402

from eligibility.explore.export import to_csv_bytes  # noqa: E402
from eligibility.explore.filters import Filters  # noqa: E402
from eligibility.explore.queries import connect, run  # noqa: E402


def _tree_rss_bytes(root: int) -> int:
    """Resident memory of a process and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid = int(entry.name)
        children.setdefault(int(fields[1]), []).append(pid)
        rss[pid] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack.extend(children.get(pid, []))
    return total


def measure_ingest(corpus: Path, db: Path, workers: int) -> dict[str, Any]:
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "eligibility", "ingest", str(corpus), "--db", str(db), "--quiet", "--workers", str(workers)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    peak = 0
    while proc.poll() is None:
        peak = max(peak, _tree_rss_bytes(proc.pid))
        time.sleep(0.2)
    wall = time.perf_counter() - started
    out = proc.stdout.read() if proc.stdout else ""
    if proc.returncode != 0:
        raise RuntimeError(f"ingest failed ({proc.returncode}):\n{out}")
    studies = int(next(line for line in out.splitlines() if line.startswith("studies loaded")).split(":")[1].replace(",", ""))
    return {
        "wall_s": wall,
        "studies": studies,
        "studies_per_s": studies / wall,
        "peak_rss_gib": peak / 2**30,
        "db_gib": db.stat().st_size / 2**30,
        "summary": out,
    }


def scenarios(count: int, seed: int = 0) -> list[Filters]:
    """Varied filters as researchers use them: presets, age ranges, sexes, volunteers, searches."""
    rng = random.Random(seed)
    ages = [(None, None), (0.0, 17.0), (15.0, 39.0), (18.0, 64.0), (65.0, None), (0.0, 1.0)]
    out = []
    for i in range(count):
        low, high = ages[i % len(ages)]
        out.append(
            Filters(
                min_age=low,
                max_age=high,
                age_mode=rng.choice(["overlaps", "overlaps", "covers"]),
                sex=rng.choice(["any", "any", "female", "male", "female_only"]),
                healthy_volunteers=rng.choice(["any", "any", "yes", "no"]),
                preset=["none", "pediatric-b-all", "aya-b-all", "b-all", "none"][i % 5],
            )
        )
    return out


SEARCHES = [
    "hepatitis b",
    "pregnan",
    "brain metast",
    "creatinine clearance",
    "hiv",
    "qtc",
    "informed consent",
    "≥ 18",
    "cns",
    "50%",
]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def timed(fn: Callable[[], Any]) -> float:
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000


def measure_queries(db: Path, runs: int) -> dict[str, list[float]]:
    con = connect(db)
    filters = scenarios(runs)
    ids = [r[0] for r in con.execute("select nct_id from studies using sample 200 rows").fetchall()]
    times: dict[str, list[float]] = {}

    def add(name: str, fn: Callable[[], Any]) -> None:
        times.setdefault(name, []).append(timed(fn))

    for i, f in enumerate(filters):
        p = f.params()
        add("headline counts", lambda p=p: run(con, "headline_counts", **p))
        add("trials table, first page", lambda p=p: run(con, "trials_table", **p, limit=100))
        add("theme distribution", lambda p=p: run(con, "theme_distribution", **p))
        other = filters[(i + 7) % len(filters)].params()
        add(
            "cohort comparison (2 cohorts)",
            lambda p=p, o=other: (run(con, "theme_distribution", **p), run(con, "theme_distribution", **o)),
        )
        add("age-eligibility curve", lambda p=p: run(con, "age_eligibility_curve", **p))
        add("breakdowns", lambda p=p: run(con, "breakdowns", **p))
        add("theme co-occurrence", lambda p=p: run(con, "theme_cooccurrence", **p))
        add("criteria behind a theme", lambda p=p: run(con, "theme_criteria", **p, theme="infection", limit=300))
        s = Filters(search=SEARCHES[i % len(SEARCHES)], preset=f.preset).params()
        add("criteria text search", lambda s=s: run(con, "headline_counts", **s))
        nct = ids[i % len(ids)]
        add(
            "trial detail page",
            lambda n=nct: (
                run(con, "trial_detail", nct_id=n),
                run(con, "trial_criteria", nct_id=n),
                run(con, "trial_sources", nct_id=n),
            ),
        )
    for i in range(max(3, runs // 4)):
        p = Filters(preset="none", min_age=[None, 18.0, 0.0][i % 3], max_age=None).params()
        add("CSV export of 100,000 trials", lambda p=p: to_csv_bytes(run(con, "trials_table", **p, limit=100_000)))
    con.close()
    return times


def measure_sqlite(db: Path, runs: int) -> tuple[dict[str, list[float]], float]:
    lite_path = db.with_suffix(".sqlite")
    started = time.perf_counter()
    if not lite_path.exists():  # the same corpus gives the same tables: built once, reused
        sqlite_baseline.build(db, lite_path)
    build_s = time.perf_counter() - started
    lite = sqlite3.connect(lite_path)
    ids = [r[0] for r in lite.execute("select nct_id from studies order by random() limit 200").fetchall()]
    times: dict[str, list[float]] = {}
    names = {
        "headline counts": "headline_counts",
        "trials table, first page": "trials_first_page",
        "theme distribution": "theme_distribution",
        "age-eligibility curve": "age_eligibility_curve",
    }
    for i, f in enumerate(scenarios(runs)):
        p = {**f.params(), "limit": 100}
        for label, name in names.items():
            times.setdefault(label, []).append(timed(lambda n=name, p=p: sqlite_baseline.run(lite, n, p)))
        s = {**Filters(search=SEARCHES[i % len(SEARCHES)], preset=f.preset).params()}
        times.setdefault("criteria text search", []).append(timed(lambda s=s: sqlite_baseline.run(lite, "headline_counts", s)))
        nct = {"nct_id": ids[i % len(ids)]}
        times.setdefault("trial detail page", []).append(
            timed(lambda n=nct: (sqlite_baseline.run(lite, "trial_detail", n), sqlite_baseline.run(lite, "trial_criteria", n)))
        )
    lite.close()
    return times, build_s


def measure_cold_start(db: Path) -> float:
    """Seconds from `streamlit run` to the Overview's numbers in a headless Chromium."""
    from playwright.sync_api import sync_playwright

    port = 8765
    env = {**os.environ, "ELIGIBILITY_DB": str(db)}
    started = time.perf_counter()
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
            "--browser.gatherUsageStats",
            "false",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path="/usr/bin/chromium",
                args=[
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                ],
            )
            page = browser.new_page()
            while True:
                try:
                    page.goto(f"http://127.0.0.1:{port}/", timeout=2000)
                    break
                except Exception:  # server not listening yet
                    time.sleep(0.05)
            page.get_by_test_id("stMetricValue").first.wait_for(timeout=120_000)
            elapsed = time.perf_counter() - started
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=ROOT / "bench" / "out" / "registry-550000.zip")
    parser.add_argument("--db", type=Path, default=ROOT / "bench" / "out" / "registry.duckdb")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--runs", type=int, default=24, help="filter sets per query (at least 20)")
    parser.add_argument("--skip-ingest", action="store_true", help="reuse the database at --db")
    parser.add_argument("--ingest-only", action="store_true", help="measure the ingest and stop")
    parser.add_argument("--sqlite-runs", type=int, default=6, help="filter sets per query on SQLite (0 = skip; it is slow)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "results.json")
    args = parser.parse_args()

    results: dict[str, Any] = {"machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]}}
    if not args.skip_ingest:
        ingest = measure_ingest(args.corpus, args.db, args.workers)
        results["ingest"] = ingest
        print(f"## Ingest ({args.corpus.name}, {args.workers} workers)")
        print(
            f"studies: {ingest['studies']:,}  wall: {ingest['wall_s']:.1f} s  rate: {ingest['studies_per_s']:,.0f} studies/s  "
            f"peak RSS: {ingest['peak_rss_gib']:.2f} GiB  database: {ingest['db_gib']:.2f} GiB"
        )
        print(ingest["summary"], flush=True)
        if args.ingest_only:
            return 0
    duck = measure_queries(args.db, args.runs)
    for name, values in duck.items():
        print(f"  duckdb {name:32} p50 {statistics.median(values):8.1f} ms  p95 {percentile(values, 0.95):8.1f} ms", flush=True)
    lite, build_s = ({}, 0.0) if args.sqlite_runs == 0 else measure_sqlite(args.db, args.sqlite_runs)
    print(f"\n## Queries (server-side, ms; DuckDB {args.runs} filter sets each, SQLite {args.sqlite_runs})")
    print(f"{'query':32} {'p50':>8} {'p95':>8} {'SQLite p50':>11} {'SQLite p95':>11} {'ratio p50':>10}")
    rows = []
    for name, values in duck.items():
        p50, p95 = statistics.median(values), percentile(values, 0.95)
        lp50 = statistics.median(lite[name]) if name in lite else None
        lp95 = percentile(lite[name], 0.95) if name in lite else None
        ratio = (lp50 / p50) if lp50 else None
        rows.append(
            {
                "query": name,
                "p50_ms": p50,
                "p95_ms": p95,
                "sqlite_p50_ms": lp50,
                "sqlite_p95_ms": lp95,
                "ratio": ratio,
                "n": len(values),
            }
        )
        print(
            f"{name:32} {p50:8.1f} {p95:8.1f} {lp50 if lp50 is not None else float('nan'):11.1f} "
            f"{lp95 if lp95 is not None else float('nan'):11.1f} {ratio if ratio else float('nan'):9.1f}x"
        )
    results["queries"] = rows
    results["sqlite_build_s"] = build_s
    cold = measure_cold_start(args.db)
    results["cold_start_s"] = cold
    print(f"\napp cold start to first rendered page: {cold:.2f} s")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2, default=str))
    print(f"results: {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
