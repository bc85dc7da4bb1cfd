"""Criteria search on a built database: the word index against a scan of the text, per string.

    python bench/search_benchmark.py --db /tmp/r550/r550k.duckdb [--repeats 3] [STRING ...]

For each search string, on fresh connections (as a new dashboard server has them; the operating
system's file cache stays warm): how the runner answers it (``index`` or ``text``,
``eligibility.explore.queries.search_plan``), how many studies match, the time of the runner's
first search of it (planning included) and of the same query again on that connection, and the
time of a plain scan of every study's text on a connection of its own. Every answer is checked
against the scan. Times are medians in milliseconds; nothing is asserted about them.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchmark import SEARCHES

from eligibility.explore.queries import cache_search, catalog_cursor, connect, search_plan

# The strings benchmark.py searches, and some that the index leaves to a scan of the text or reads
# many rows for.
STRINGS = [*SEARCHES, "hepatitis b surface antigen", "a", " e", "of the", "≥"]
SCAN = "select study_no from studies where contains(search_text, $s)"


def time_string(db: Path, search: str, repeats: int) -> tuple[str, int, float, float, float]:
    first, again, scans = [], [], []
    kind, found = "", 0
    for _ in range(repeats):
        con = connect(db)
        try:
            with catalog_cursor(con) as cursor:
                started = time.perf_counter()
                cache_search(cursor, search)
                first.append(time.perf_counter() - started)
                kind, query, params = search_plan(cursor, search)
                started = time.perf_counter()
                got = {no for (no,) in cursor.execute(query, params).fetchall()}
                again.append(time.perf_counter() - started)
        finally:
            con.close()
        con = connect(db)
        try:
            started = time.perf_counter()
            expected = {no for (no,) in con.execute(SCAN, {"s": search}).fetchall()}
            scans.append(time.perf_counter() - started)
        finally:
            con.close()
        if got != expected:
            raise SystemExit(f"{search!r}: the runner found {len(got):,} studies, a scan of the text {len(expected):,}")
        found = len(got)
    return kind, found, statistics.median(first), statistics.median(again), statistics.median(scans)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("strings", nargs="*", default=STRINGS)
    args = parser.parse_args()
    print(f"{'search':32} {'answered by':11} {'studies':>9} {'first (ms)':>10} {'again':>6} {'text scan':>9}")
    for search in args.strings:
        kind, found, first, again, scan = time_string(args.db, search, args.repeats)
        print(f"{search!r:32} {kind:11} {found:9,} {first * 1000:10.0f} {again * 1000:6.0f} {scan * 1000:9.0f}", flush=True)


if __name__ == "__main__":
    main()
