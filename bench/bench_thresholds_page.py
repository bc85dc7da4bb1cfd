"""Query times behind the Thresholds page and the "age statements disagree" filter, on
one database (Pediatric B-ALL filters), as p50 and p95 over repeated runs.

    python bench/bench_thresholds_page.py DB.duckdb [--repeat 20]

Not part of the test suite: timings are printed, never asserted. The machine's load
is printed beside them, since other work on a shared machine slows every query.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from eligibility.explore.filters import Filters  # noqa: E402
from eligibility.explore.queries import connect, run  # noqa: E402

PEDIATRIC = Filters(preset="pediatric-b-all")
CASES: list[tuple[str, str, Filters, dict[str, Any]]] = [
    ("coverage of every measure", "threshold_coverage", PEDIATRIC, {}),
    ("distribution of every measure", "threshold_distribution", PEDIATRIC, {}),
    (
        "criteria behind a bar (bilirubin max 1.5 xULN, 300 shown)",
        "threshold_criteria",
        PEDIATRIC,
        {"measure": "bilirubin", "bound": "max", "unit": "xULN", "value": 1.5, "limit": 300},
    ),
    ("matching studies, age statements disagree", "matching_studies", Filters(age_disagree="yes"), {}),
    ("one study's facts (Trial detail)", "threshold_trial", PEDIATRIC, {"nct_id": "NCT06389305"}),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("db", type=Path)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    con = connect(args.db)
    print(f"database {args.db}, load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    for label, name, filters, extra in CASES:
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            rows = run(con, name, **filters.params(), **extra).height
            times.append((time.perf_counter() - start) * 1000)
        times.sort()
        p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
        print(f"{label}: {rows:,} rows, p50 {statistics.median(times):.1f} ms, p95 {p95:.1f} ms")


if __name__ == "__main__":
    main()
