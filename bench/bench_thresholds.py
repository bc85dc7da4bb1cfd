"""Threshold extraction speed: criteria per second over every criterion of the demo
database, and demo ingest time with and without extraction.

    python bench/bench_thresholds.py [--repeat 3]

Targets (issue 10): at least 50,000 criteria/s, and ingest of the demo data no more
than 15% slower with extraction. Not part of the test suite: timings are printed,
never asserted. Both ingests run in this process with one worker, so that the
"without" run can swap the extractor out; the machine's load is printed beside
the figures because other work on a shared machine slows both; extraction is
also given per CPU second, which such load disturbs less.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from eligibility.build import ingest as ingest_module  # noqa: E402
from eligibility.build.thresholds import FACT_SCHEMA, extract_frame  # noqa: E402
from eligibility.explore.queries import connect  # noqa: E402
from eligibility.paths import DEMO_DATA  # noqa: E402


def _no_facts(frame: pl.DataFrame) -> pl.DataFrame:
    return pl.DataFrame(schema=FACT_SCHEMA)


def _ingest_seconds(db: Path, *, extract: bool) -> float:
    original = ingest_module.thresholds.extract_frame
    if not extract:
        ingest_module.thresholds.extract_frame = _no_facts
    try:
        started = time.perf_counter()
        ingest_module.ingest([DEMO_DATA], db, workers=1)
        return time.perf_counter() - started
    finally:
        ingest_module.thresholds.extract_frame = original


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each measurement; the median is printed")
    args = parser.parse_args()
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "demo.duckdb"
        with_extraction: list[float] = []
        without: list[float] = []
        for _ in range(args.repeat):
            # Alternate the two so that a change in machine load hits both alike.
            with_extraction.append(_ingest_seconds(db, extract=True))
            without.append(_ingest_seconds(db, extract=False))
        _ingest_seconds(db, extract=True)
        con = connect(db)
        try:
            criteria = con.sql("select criterion_id, section, text from criteria").pl()
            published = con.execute("select count(*) from criterion_thresholds").fetchone()[0]
        finally:
            con.close()

    runs, cpu_runs = [], []
    for _ in range(args.repeat):
        started, cpu_started = time.perf_counter(), time.process_time()
        facts = extract_frame(criteria)
        runs.append(time.perf_counter() - started)
        cpu_runs.append(time.process_time() - cpu_started)
    seconds, cpu_seconds = statistics.median(runs), statistics.median(cpu_runs)
    print(f"criteria:          {criteria.height:,} (all sections; extraction reads inclusion and exclusion items)")
    print(f"facts:             {facts.height:,} ({published:,} published after duplicate studies are merged)")
    print(
        f"extraction:        {seconds:.2f} s median of {args.repeat} -> {criteria.height / seconds:,.0f} criteria/s (wall clock)"
    )
    print(f"                   {cpu_seconds:.2f} s of CPU -> {criteria.height / cpu_seconds:,.0f} criteria/s per CPU second")
    on, off = statistics.median(with_extraction), statistics.median(without)
    print(f"demo ingest:       {on:.1f} s with extraction, {off:.1f} s without (median of {args.repeat}, one worker)")
    print(f"ingest slowdown:   {100 * (on - off) / off:+.1f}%")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
