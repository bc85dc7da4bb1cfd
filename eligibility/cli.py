"""Command line: ``python -m eligibility ingest|themes|evaluate-themes|export``."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from eligibility.paths import database_path


def _cmd_ingest(args: argparse.Namespace) -> int:
    from eligibility.build.ingest import ingest

    try:
        summary = ingest(args.paths, args.db, progress=not args.quiet and sys.stderr.isatty(), workers=args.workers)
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"database: {args.db}")
    print("\n".join(summary.lines()))
    if args.strict and summary.rejected:
        print(f"error: --strict and {summary.rejected} record(s) were rejected", file=sys.stderr)
        return 1
    return 0


def _cmd_themes(args: argparse.Namespace) -> int:
    from eligibility.build.themes import cmd_themes

    return cmd_themes(args.text)


def _cmd_evaluate(args: argparse.Namespace) -> int:
    from eligibility.build.themes import cmd_evaluate

    return cmd_evaluate(args.gold)


def _cmd_export(args: argparse.Namespace) -> int:
    from eligibility.explore.export import to_csv_bytes
    from eligibility.explore.filters import FilterError, Filters
    from eligibility.explore.queries import connect, run

    if not args.db.exists():
        print(f"error: {args.db}: no such database (run `python -m eligibility ingest` first)", file=sys.stderr)
        return 2
    try:
        filters = Filters.from_values(vars(args))
    except FilterError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    query = {"trials": "trials_table", "criteria": "criteria_matching_filters"}[args.what]
    con = connect(args.db)
    try:
        frame = run(con, query, **filters.params(), limit=args.limit, offset=0)
    finally:
        con.close()
    args.out.write_bytes(to_csv_bytes(frame))
    print(f"{len(frame):,} {args.what} rows ({filters.describe()}) written to {args.out}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m eligibility", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    ingest = commands.add_parser(
        "ingest", help="read ClinicalTrials.gov files (v2 JSON, classic XML, text export, zips, folders) into DuckDB"
    )
    ingest.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    ingest.add_argument(
        "--db",
        type=Path,
        default=database_path(),
        help="database file (default: $ELIGIBILITY_DB or data/eligibility.duckdb in the checkout)",
    )
    ingest.add_argument("--strict", action="store_true", help="exit non-zero if any record is rejected")
    ingest.add_argument("--quiet", action="store_true", help="no progress bar")
    ingest.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="parsing processes (default: one per core)")
    ingest.set_defaults(func=_cmd_ingest)

    explain = commands.add_parser("themes", help="print the exclusion themes of one criterion and the cue each came from")
    explain.add_argument("text")
    explain.set_defaults(func=_cmd_themes)

    evaluate = commands.add_parser(
        "evaluate-themes", help="precision, recall and F1 of the theme classifier on a labelled JSONL file"
    )
    evaluate.add_argument("gold", type=Path, metavar="GOLD.jsonl")
    evaluate.set_defaults(func=_cmd_evaluate)

    from eligibility.explore.filters import AGE_MODES, HEALTHY, PRESETS, SEXES

    export = commands.add_parser(
        "export", help="write the trials or criteria matching filters to CSV (the dashboard's own queries)"
    )
    export.add_argument(
        "--db",
        type=Path,
        default=database_path(),
        help="database file (default: $ELIGIBILITY_DB or data/eligibility.duckdb in the checkout)",
    )
    export.add_argument("--what", choices=("trials", "criteria"), required=True)
    export.add_argument("--out", type=Path, required=True, metavar="FILE.csv")
    export.add_argument("--min-age", type=float, help="years; with --max-age, the age range")
    export.add_argument("--max-age", type=float, help="years")
    export.add_argument("--age-mode", choices=AGE_MODES, default="overlaps")
    export.add_argument("--sex", choices=SEXES, default="any")
    export.add_argument("--healthy-volunteers", choices=HEALTHY, default="any")
    export.add_argument("--condition", default="", help="text in conditions, keywords or titles")
    export.add_argument("--search", default="", help="text in any criterion")
    export.add_argument("--phase", dest="phases", action="append", default=[], help="e.g. PHASE2 (repeatable)")
    export.add_argument("--status", dest="statuses", action="append", default=[], help="e.g. RECRUITING (repeatable)")
    export.add_argument("--study-type", dest="study_types", action="append", default=[], help="e.g. INTERVENTIONAL (repeatable)")
    export.add_argument("--preset", choices=PRESETS, default="none")
    export.add_argument("--aya-min", type=float, default=15.0, help="AYA window start (default 15)")
    export.add_argument("--aya-max", type=float, default=39.0, help="AYA window end (default 39)")
    export.add_argument("--limit", type=int, default=10_000_000, help="at most this many rows")
    export.set_defaults(func=_cmd_export)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args))
