"""Registry-scale benchmark: ingest, every page's queries, CSV export, and the same pages on
SQLite (embedded, same algorithms) and PostgreSQL (a throwaway local cluster, same tables and
SQL), then what a user waits for in Chromium; printed as tables (and saved as JSON).

    python bench/generate_corpus.py                 # bench/out/registry-550000.zip
    python bench/benchmark.py --ingest-only --db bench/out/r.duckdb
    python bench/benchmark.py --skip-ingest --db bench/out/r.duckdb

Not part of the test suite: timings are printed, never asserted.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import browser_benchmark  # noqa: E402
import duckdb  # noqa: E402
import pg_baseline  # noqa: E402
import sqlite_baseline  # noqa: E402
from proc_tree import rss_bytes, tree_stats  # noqa: E402

from eligibility.explore.export import to_csv_bytes  # noqa: E402
from eligibility.explore.filters import Filters  # noqa: E402
from eligibility.explore.queries import cache_search, catalog_cursor, connect, run  # noqa: E402
from eligibility.explore.trends import RULE_DATE, THIN_YEAR  # noqa: E402


def _tree_rss_bytes(root: int) -> int:
    """Resident memory of a process and all its descendants, from /proc."""
    return sum(rss_bytes(fields) for fields in tree_stats(root).values())


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
    """Varied filters as researchers use them: presets, age ranges, sexes, volunteers; every other one searches."""
    rng = random.Random(seed)
    ages = [(None, None), (0.0, 17.0), (15.0, 39.0), (18.0, 64.0), (65.0, None), (0.0, 1.0)]
    out = []
    for i in range(count):
        low, high = ages[i % len(ages)]
        filters = Filters(
            min_age=low,
            max_age=high,
            age_mode=rng.choice(["overlaps", "overlaps", "covers"]),
            sex=rng.choice(["any", "any", "female", "male", "female_only"]),
            healthy_volunteers=rng.choice(["any", "any", "yes", "no"]),
            preset=["none", "pediatric-b-all", "aya-b-all", "b-all", "none"][i % 5],
        )
        if i % 2:  # a search, as researchers run one: on all trials or on a preset, no other filter
            filters = Filters(search=SEARCHES[(i // 2) % len(SEARCHES)], preset=filters.preset)
        out.append(filters)
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
# A page with a search first finds the studies that match it, once per string (on DuckDB the runner's
# `cache_search`, through the word index; on SQLite and PostgreSQL a scan into a temporary table); every query
# of the page then joins to them. That statement is timed as a row of its own on every engine.
SEARCH_ROW = "criteria search, once per page"
TRIALS_PAGE_ROWS = 25  # pages/trials.py PAGE_SIZES[0]: the rows the Trials page fetches (paged on the server)
DETAIL_PICKER_ROWS = 5_000  # pages/detail.py: the trials the picker lists
THEME_CRITERIA_SHOWN = 300  # pages/themes.py CRITERIA_SHOWN
THEME = "infection"
THRESHOLD_CRITERIA_SHOWN = 300  # pages/thresholds.py CRITERIA_SHOWN
THRESHOLD_BAR = {"measure": "lvef", "bound": "min", "unit": "%", "value": 50.0}  # a bar the Thresholds page lists

# Each page's queries, in the order the page runs them (the sidebar's filter options
# on the first page of a session): (query, extra parameters, whether the filters apply).
PAGES: dict[str, list[tuple[str, dict[str, Any], bool]]] = {
    "Overview (first render)": [
        ("filter_options", {}, False),
        ("headline_counts", {}, True),
        ("age_eligibility_curve", {}, True),
        ("breakdowns", {}, True),
    ],
    "Trials": [("trials_table", {"limit": TRIALS_PAGE_ROWS, "offset": 0}, True), ("headline_counts", {}, True)],
    "Themes": [
        ("theme_distribution", {}, True),
        ("theme_criteria_count", {"theme": THEME, "exclusion_kind": "any"}, True),
        ("theme_criteria", {"theme": THEME, "exclusion_kind": "any", "limit": THEME_CRITERIA_SHOWN}, True),
        ("theme_cooccurrence", {}, True),
    ],
    "Trial detail": [
        ("trial_picker", {"limit": DETAIL_PICKER_ROWS}, True),
        ("headline_counts", {}, True),
        ("trial_detail", {}, False),
        ("trial_criteria", {}, False),
        ("trial_sources", {}, False),
    ],
}

# Pages whose queries have no SQLite translation in sqlite_baseline.py: timed on DuckDB only.
DUCKDB_ONLY_PAGES: dict[str, list[tuple[str, dict[str, Any], bool]]] = {
    "Trends": [
        ("trend_year_counts", {"thin_below": THIN_YEAR}, True),
        ("trend_theme_shares", {"thin_below": THIN_YEAR}, True),
        ("trend_before_after", {"cutoff": RULE_DATE.isoformat(), "gap_years": 0}, True),
        ("trend_age_access", {"thin_below": THIN_YEAR}, True),
    ],
    "Thresholds": [
        ("threshold_coverage", {}, True),
        ("threshold_distribution", {}, True),
        ("threshold_criteria", {**THRESHOLD_BAR, "limit": THRESHOLD_CRITERIA_SHOWN}, True),
    ],
}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def timed(fn: Callable[[], Any]) -> float:
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000


def _page_params(name: str, extra: dict[str, Any], filtered: bool, filters: Filters, nct_id: str) -> dict[str, Any]:
    if name.startswith("trial_") and not filtered:
        return {"nct_id": nct_id}
    return {**(filters.params() if filtered else {}), **extra}


@dataclass
class Engine:
    """How one engine runs a page: ``start`` a session, ``prepare`` it for the filters (timed with the page,
    e.g. the one scan of a search), ``ask`` each query, ``finish`` the session."""

    ids: list[str]  # trials for the detail page
    start: Callable[[], Any]
    prepare: Callable[[Any, Filters], Any]
    ask: Callable[[Any, str, dict[str, Any]], Any]
    finish: Callable[[Any], None] = lambda session: None
    pages: dict[str, list[tuple[str, dict[str, Any], bool]]] = field(default_factory=lambda: PAGES)
    server_cpu: Callable[[], float] | None = None  # a server's CPU seconds so far (PostgreSQL)


Times = dict[str, list[float]]


def measure_pages(runs: int, engines: dict[str, Engine]) -> dict[str, tuple[Times, Times, Times, Times]]:
    """Each page's full set of queries per filter set, on a fresh session (a new search is scanned again).

    The engines take turns page by page (the first engine changes with each filter set), so a
    change in the machine's load falls on all of them alike. Returns, per engine, the page times
    and, from the same runs, each query's own times and each page's CPU time: this process's
    (every thread) plus the server's, if any (ms), and each query's CPU time in this process (ms; for an
    engine with a server, only the client's share).
    """
    out: dict[str, tuple[Times, Times, Times, Times]] = {name: ({}, {}, {}, {}) for name in engines}
    names = list(engines)
    every_page = list(dict.fromkeys(page for engine in engines.values() for page in engine.pages))
    for i, filters in enumerate(scenarios(runs)):
        order = names[i % len(names) :] + names[: i % len(names)]
        for page in every_page:
            for engine_name in order:
                engine = engines[engine_name]
                if page not in engine.pages:
                    continue
                pages, queries, cpu, query_cpu = out[engine_name]
                session = None
                total = 0.0
                server_before = engine.server_cpu() if engine.server_cpu else 0.0
                cpu_before = time.process_time()
                try:
                    session = engine.start()
                    total = timed(lambda e=engine, s=session, f=filters: e.prepare(s, f))
                    if filters.search:
                        # the page's one search, a statement of its own that every query then joins to
                        queries.setdefault(SEARCH_ROW, []).append(total)
                    for name, extra, filtered in engine.pages[page]:
                        params = _page_params(name, extra, filtered, filters, engine.ids[i % len(engine.ids)])
                        query_cpu_before = time.process_time()
                        took = timed(lambda e=engine, s=session, n=name, p=params: e.ask(s, n, p))
                        key = name + (" (searching)" if filtered and filters.search else "")
                        queries.setdefault(key, []).append(took)
                        query_cpu.setdefault(key, []).append((time.process_time() - query_cpu_before) * 1000)
                        total += took
                finally:
                    if session is not None:
                        engine.finish(session)
                used = time.process_time() - cpu_before
                used += (engine.server_cpu() - server_before) if engine.server_cpu else 0.0
                for name in (page, page + (", searching" if filters.search else ", no search")):
                    pages.setdefault(name, []).append(total)
                    cpu.setdefault(name, []).append(used * 1000)
    return out


def _search_first(con: duckdb.DuckDBPyConnection, search: str | None) -> None:
    """What the runner does before a page's first query when the filters hold a search it has not kept."""
    if search:
        with catalog_cursor(con) as cursor:
            cache_search(cursor, search)


def duckdb_engine(stack: contextlib.ExitStack, db: Path) -> Engine:
    """DuckDB through the dashboard's own runner, on one connection, as the app keeps one per database."""
    con = connect(db)
    stack.callback(con.close)
    ids = [r[0] for r in con.execute("select nct_id from studies using sample 200 rows").fetchall()]

    def fresh_session() -> duckdb.DuckDBPyConnection:
        # forget the searches already scanned, so a page's search costs what a new one does
        con.execute("delete from memory.main.searches")
        con.execute("delete from memory.main.search_hits")
        return con

    return Engine(
        ids,
        start=fresh_session,
        prepare=lambda con, filters: _search_first(con, filters.search),
        ask=lambda con, name, params: run(con, name, **params),
        pages=PAGES | DUCKDB_ONLY_PAGES,
    )


def measure_export(db: Path, runs: int) -> Times:
    """The CSV download of 100,000 trials, on DuckDB."""
    con = connect(db)
    export: Times = {}
    for i in range(max(3, runs // 4)):
        p = Filters(preset="none", min_age=[None, 18.0, 0.0][i % 3], max_age=None).params()
        export.setdefault("CSV export of 100,000 trials", []).append(
            timed(lambda p=p: to_csv_bytes(run(con, "trials_table", **p, limit=100_000, offset=0)))
        )
    con.close()
    return export


def sqlite_engine(stack: contextlib.ExitStack, db: Path, results: dict[str, Any]) -> Engine:
    lite_path = db.with_suffix(".sqlite")
    started = time.perf_counter()
    # the same database gives the same tables: built once, reused until the database is built again
    if not lite_path.exists() or lite_path.stat().st_mtime < db.stat().st_mtime:
        sqlite_baseline.build(db, lite_path)
    results["sqlite_build_s"] = time.perf_counter() - started
    lite = sqlite3.connect(lite_path)
    stack.callback(lite.close)
    ids = [r[0] for r in lite.execute("select nct_id from studies order by random() limit 200").fetchall()]
    return Engine(
        ids,
        start=lambda: lite,
        prepare=lambda con, filters: sqlite_baseline.start_page(con, filters.params()["search"]),
        ask=lambda con, name, params: sqlite_baseline.run(con, name, params),
    )


def _answers_differ(duck: Any, pg_rows: list[tuple[Any, ...]]) -> str | None:
    """Whether PostgreSQL's rows differ from DuckDB's frame: in number, or (for short answers) in value."""
    if duck.height != len(pg_rows):
        return f"{duck.height} rows on DuckDB, {len(pg_rows)} on PostgreSQL"
    if duck.height <= 200:
        for ours, theirs in zip(duck.rows(), pg_rows, strict=True):
            for a, b in zip(ours, theirs, strict=True):
                same = a == b or (isinstance(a, float) and b is not None and abs(a - float(b)) < 1e-9)
                if not same and not (isinstance(a, list) and list(b or []) == a):
                    return f"{ours} on DuckDB, {theirs} on PostgreSQL"
    return None


def check_pg(db: Path, pg: Any, ids: list[str], filter_sets: int = 4) -> tuple[int, list[str]]:
    """Every page's queries on the first filter sets, on both engines: how many were compared, and the differences."""
    con = connect(db)
    out = []
    compared = 0
    try:
        for i, filters in enumerate(scenarios(filter_sets)):
            pg_baseline.start_page(pg, filters.params()["search"])
            for steps in PAGES.values():
                for name, extra, filtered in steps:
                    params = _page_params(name, extra, filtered, filters, ids[i % len(ids)])
                    problem = _answers_differ(run(con, name, **params), pg_baseline.run(pg, name, params))
                    compared += 1
                    if problem:
                        out.append(f"{name} ({filters.describe() or 'no filter'}): {problem}")
    finally:
        con.close()
    return compared, out


def pg_engine(stack: contextlib.ExitStack, db: Path, results: dict[str, Any]) -> Engine | None:
    """A throwaway PostgreSQL cluster holding the same tables, its answers checked (None when it cannot run)."""
    why = pg_baseline.unavailable()
    if why:
        print(f"\n{why}", flush=True)
        return None
    server = stack.enter_context(pg_baseline.cluster())
    started = time.perf_counter()
    pg_baseline.load(db, server.conninfo)
    results["postgres_load_s"] = load_s = time.perf_counter() - started
    print(f"\nPostgreSQL: tables copied, indexed and analysed in {load_s:.1f} s", flush=True)
    pg = stack.enter_context(pg_baseline.session(server.conninfo))
    ids = [r[0] for r in pg.execute("select nct_id from studies order by random() limit 200").fetchall()]
    compared, differences = check_pg(db, pg, ids)
    results["postgres_differences"] = differences
    print(f"PostgreSQL's answers compared with DuckDB's: {compared} queries (4 filter sets), {len(differences)} differ")
    for line in differences:
        print(f"  {line}")
    return Engine(
        ids,
        start=lambda: pg,
        prepare=lambda con, filters: pg_baseline.start_page(con, filters.params()["search"]),
        ask=lambda con, name, params: pg_baseline.run(con, name, params),
        server_cpu=server.cpu_seconds,
    )


def table(duck: dict[str, list[float]], others: dict[str, dict[str, list[float]]]) -> list[dict[str, Any]]:
    """Print p50/p95 per row, then each other engine's p50/p95 and its ratio of medians to DuckDB's; return the rows."""
    head = f"{'':44} {'p50':>8} {'p95':>8}"
    for engine in others:
        head += f" {engine + ' p50':>15} {engine + ' p95':>15} {engine + '/DuckDB':>17}"
    print(head)
    rows = []
    for name, values in duck.items():
        p50, p95 = statistics.median(values), percentile(values, 0.95)
        row: dict[str, Any] = {"name": name, "p50_ms": p50, "p95_ms": p95, "n": len(values)}
        line = f"{name:44} {p50:8.1f} {p95:8.1f}"
        for engine, times in others.items():
            other = times.get(name)
            if not other:
                line += f" {'':15} {'':15} {'':17}"
                continue
            op50, op95 = statistics.median(other), percentile(other, 0.95)
            row |= {f"{engine.lower()}_p50_ms": op50, f"{engine.lower()}_p95_ms": op95}
            line += f" {op50:15.1f} {op95:15.1f} {op50 / p50:16.1f}x"
        rows.append(row)
        print(line, flush=True)
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=ROOT / "bench" / "out" / "registry-550000.zip")
    parser.add_argument("--db", type=Path, default=ROOT / "bench" / "out" / "registry.duckdb")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--runs", type=int, default=24, help="filter sets per page, the same on every engine (at least 20)")
    parser.add_argument("--skip-ingest", action="store_true", help="reuse the database at --db")
    parser.add_argument("--ingest-only", action="store_true", help="measure the ingest and stop")
    parser.add_argument("--no-sqlite", action="store_true", help="skip the SQLite baseline (it is slow)")
    parser.add_argument("--no-postgres", action="store_true", help="skip the PostgreSQL baseline")
    parser.add_argument("--no-browser", action="store_true", help="skip the browser benchmark (Chromium)")
    parser.add_argument("--servers", type=int, default=3, help="fresh servers for the browser benchmark (median)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "results.json")
    args = parser.parse_args()

    results: dict[str, Any] = {"machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]}}
    print(f"load average at start: {os.getloadavg()[0]:.1f} (1 min), {os.getloadavg()[1]:.1f} (5 min)", flush=True)
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
    with contextlib.ExitStack() as stack:
        engines = {"DuckDB": duckdb_engine(stack, args.db)}
        if not args.no_sqlite:
            engines["SQLite"] = sqlite_engine(stack, args.db, results)
        if not args.no_postgres and (pg := pg_engine(stack, args.db, results)):
            engines["PostgreSQL"] = pg
        print(f"load average before the pages: {os.getloadavg()[0]:.1f} (1 min)", flush=True)
        measured = measure_pages(args.runs, engines)
    pages, queries, cpu, query_cpu = measured.pop("DuckDB")
    export = measure_export(args.db, args.runs)
    print(f"\n## DuckDB alone (ms; {args.runs} filter sets)")
    table({**pages, **queries, **export}, {})
    print(f"\n## Pages: each page's queries as it runs them (server-side, ms; {args.runs} filter sets, fresh session each)")
    results["pages"] = table(pages, {engine: times[0] for engine, times in measured.items()})
    print(
        "\n## Pages in CPU time, from the same runs (ms: this process's threads, plus the PostgreSQL server's processes;"
        " a load-independent cost)"
    )
    results["pages_cpu"] = table(cpu, {engine: times[2] for engine, times in measured.items()})
    print("\n## Queries, from the same runs (ms; '(searching)' = the filters include a criteria search)")
    results["queries"] = table({**queries, **export}, {engine: times[1] for engine, times in measured.items()})
    print("\n## DuckDB queries in CPU time, from the same runs (ms: this process's threads; a load-independent cost)")
    results["queries_cpu"] = table(query_cpu, {})
    if not args.no_browser:
        results["browser_s"] = browser = browser_benchmark.measure(args.db, args.servers)
        browser_benchmark.report(browser)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2, default=str))
    print(f"load average at end: {os.getloadavg()[0]:.1f} (1 min), {os.getloadavg()[1]:.1f} (5 min)")
    print(f"results: {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
