"""Theme classifier throughput on the demo corpus: criteria per second, printed.

    python -m eligibility ingest data/demo --db /tmp/demo.duckdb
    python bench/bench_themes.py --db /tmp/demo.duckdb

Classifies every criterion of the database (inclusion and exclusion) in one call,
as ingest does a batch, with the same context columns (heading, parent item,
study title and conditions), and once more on text alone. The rules and the drug
lexicon are loaded before timing starts. Wall time and CPU time (all of the
process's threads, so the work done whatever else the machine runs) are both
printed; on a shared machine the CPU figures are the steadier. Not part of the test suite: timings are
printed, never asserted.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import polars as pl  # noqa: E402

from eligibility.build.themes import classify_frame, default_rules  # noqa: E402
from eligibility.explore.queries import connect  # noqa: E402

CRITERIA_WITH_CONTEXT = """
select
    c.criterion_id,
    c.text,
    coalesce(c.heading, '') as heading,
    coalesce(p.text, '') as parent_text,
    coalesce(s.title, '') as study_title,
    coalesce(array_to_string(s.conditions, '; '), '') as study_conditions
from criteria as c
join studies as s using (nct_id)
left join criteria as p on p.nct_id = c.nct_id and p.ordinal = c.parent_ordinal
order by c.criterion_id
"""


def _time(frame: pl.DataFrame, repeats: int) -> tuple[list[float], list[float]]:
    """Wall seconds and CPU seconds (every thread of the process) of each run."""
    wall, cpu = [], []
    for _ in range(repeats):
        start, start_cpu = time.perf_counter(), time.process_time()
        classify_frame(frame)
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return wall, cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", type=Path, required=True, help="a database built by `python -m eligibility ingest`")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    start = time.perf_counter()
    default_rules()
    print(f"rules and drug lexicon loaded in {time.perf_counter() - start:.2f} s")
    con = connect(args.db)
    try:
        items = con.sql(CRITERIA_WITH_CONTEXT).pl()
    finally:
        con.close()
    classify_frame(items.head(100))  # compile and warm the patterns once

    print(f"polars threads: {pl.thread_pool_size()}")
    print(
        f"{'input':<14} {'criteria':>9} {'best s':>7} {'median s':>9} {'criteria/s':>11}"
        f" {'best cpu s':>11} {'median cpu s':>13} {'criteria/cpu s':>15}"
    )
    for name, frame in (("with context", items), ("text alone", items.select("criterion_id", "text"))):
        wall, cpu = _time(frame, args.repeats)
        best, best_cpu = min(wall), min(cpu)
        print(
            f"{name:<14} {frame.height:>9,} {best:>7.2f} {statistics.median(wall):>9.2f} {frame.height / best:>11,.0f}"
            f" {best_cpu:>11.2f} {statistics.median(cpu):>13.2f} {frame.height / best_cpu:>15,.0f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
