"""The Trends tables at registry scale, without a registry-scale ingest.

The Trends queries read only ``studies`` and ``themes``, so a registry-sized
database for them is the demo studies copied N times with new NCT IDs (72 times
the 7,680 demo studies is 552,960). Prints p50/p95 per table over the same 24
filter sets ``benchmark.py`` uses; timings are printed, never asserted.

    python -m eligibility ingest data/demo --db /tmp/demo.duckdb
    python bench/trends_benchmark.py --source /tmp/demo.duckdb --copies 72
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchmark import percentile, scenarios, timed  # noqa: E402

from eligibility.explore.queries import connect, run  # noqa: E402
from eligibility.explore.trends import TABLES, trend_table  # noqa: E402


def replicate(source: Path, target: Path, copies: int) -> int:
    """``studies`` copied ``copies`` times with new NCT IDs, and ``themes``, in a new database at ``target``."""
    target.unlink(missing_ok=True)
    con = duckdb.connect(str(target))
    try:
        con.execute("attach $path as source (read_only)", {"path": str(source)})
        con.execute("create table themes as select * from source.themes")
        con.execute(
            """create table studies as
               select * replace (
                   'NCT' || lpad((i * (100000000 // $copies) + row_number() over (partition by i order by nct_id))::varchar, 8, '0')
                   as nct_id)
               from source.studies, range($copies) as copies(i)
               order by nct_id""",
            {"copies": copies},
        )
        return con.execute("select count(*) from studies").fetchone()[0]  # type: ignore[index]
    finally:
        con.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--source", type=Path, required=True, help="a database built by `python -m eligibility ingest`")
    parser.add_argument("--copies", type=int, default=72)
    parser.add_argument("--db", type=Path, default=ROOT / "bench" / "out" / "trends.duckdb")
    parser.add_argument("--runs", type=int, default=24, help="filter sets per table")
    args = parser.parse_args()
    args.db.parent.mkdir(parents=True, exist_ok=True)
    studies = replicate(args.source, args.db, args.copies)
    con = connect(args.db)
    print(f"## Trends tables, {studies:,} studies ({args.copies} copies of {args.source.name}), {args.runs} filter sets")
    for table in TABLES:  # warm-up: first reads of the file
        trend_table(table, lambda name, **k: run(con, name, **scenarios(1)[0].params(), **k))
    filter_sets = [f.params() for f in scenarios(args.runs)]
    # Interleaved, so that load from other processes falls on every table alike; the Exclusion themes
    # page's theme_distribution (same filter, same bitmask) is the yardstick.
    times: dict[str, list[float]] = {}
    for params in filter_sets:
        times.setdefault("theme_distribution (yardstick)", []).append(timed(lambda p=params: run(con, "theme_distribution", **p)))
        for table in TABLES:
            times.setdefault(f"trends: {table}", []).append(
                timed(lambda p=params, t=table: trend_table(t, lambda name, **k: run(con, name, **p, **k)))
            )
    for name, values in times.items():
        print(f"{name:32} p50 {statistics.median(values):7.1f} ms  p95 {percentile(values, 0.95):7.1f} ms")
    con.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
