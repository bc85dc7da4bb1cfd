"""Does a change to the theme classifier change its output? Save the rows once, compare after.

    python bench/themes_diff.py save /tmp/themes-before --db /tmp/demo.duckdb
    # ... change eligibility/build/themes.py ...
    python bench/themes_diff.py compare /tmp/themes-before --db /tmp/demo.duckdb

Classifies, with the rules in the working tree: every criterion of the database with
its context (as bench_themes.py builds it), the same on text alone, and the
labelled files given with --gold (by default the shared dev set and the test
sample, as `evaluate-themes` reads them). `save` writes one parquet file per input;
`compare` prints, per input, the rows (criterion_id, theme, cue, conditional,
qualifier) found only before or only after, and exits 1 when any differ.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import polars as pl  # noqa: E402

from bench.bench_themes import CRITERIA_WITH_CONTEXT  # noqa: E402
from eligibility.build.theme_eval import classify_gold, read_gold  # noqa: E402
from eligibility.build.themes import OUTPUT_SCHEMA, classify_frame, default_rules  # noqa: E402
from eligibility.explore.queries import connect  # noqa: E402

DEFAULT_GOLD = (Path("/work/shared/gold/themes_dev.jsonl"), ROOT / "tests" / "data" / "themes_sample.jsonl")


def _outputs(db: Path, gold: list[Path]) -> Iterator[tuple[str, pl.DataFrame]]:
    """(name, classifier rows) for every input, classified now."""
    con = connect(db)
    try:
        items = con.sql(CRITERIA_WITH_CONTEXT).pl()
    finally:
        con.close()
    yield "demo_context", classify_frame(items)
    yield "demo_text", classify_frame(items.select("criterion_id", "text"))
    known = {rule.id for rule in default_rules().themes}
    for path in gold:
        yield f"gold_{path.stem}", classify_gold(read_gold(path, known_themes=known))


def _differences(before: pl.DataFrame, after: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Rows only before, rows only after (as multisets would be overkill: rows are unique per criterion and theme)."""
    columns = list(OUTPUT_SCHEMA)
    return (
        before.join(after, on=columns, how="anti", nulls_equal=True),
        after.join(before, on=columns, how="anti", nulls_equal=True),
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("action", choices=["save", "compare"])
    parser.add_argument("folder", type=Path, help="where `save` writes and `compare` reads the parquet files")
    parser.add_argument("--db", type=Path, required=True, help="a database built by `python -m eligibility ingest`")
    parser.add_argument("--gold", type=Path, nargs="*", default=list(DEFAULT_GOLD), help="labelled JSONL files")
    args = parser.parse_args()

    args.folder.mkdir(parents=True, exist_ok=True)
    differing = 0
    for name, rows in _outputs(args.db, args.gold):
        path = args.folder / f"{name}.parquet"
        if args.action == "save":
            rows.write_parquet(path)
            print(f"{name}: {rows.height:,} rows saved to {path}")
            continue
        before = pl.read_parquet(path)
        only_before, only_after = _differences(before, rows)
        order_same = before.height == rows.height and before.equals(rows)
        print(
            f"{name}: {before.height:,} rows before, {rows.height:,} after; "
            f"only before {only_before.height}, only after {only_after.height}; identical incl. order: {order_same}"
        )
        for label, frame in (("only before", only_before), ("only after", only_after)):
            if not frame.is_empty():
                print(f"  {label}:\n{frame.head(20)}")
        differing += only_before.height + only_after.height + (0 if order_same else 1)
    return 1 if args.action == "compare" and differing else 0


if __name__ == "__main__":
    raise SystemExit(main())
