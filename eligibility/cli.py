"""Command line: ``python -m eligibility ingest|themes|evaluate-themes|evaluate-conditional|thresholds|evaluate-thresholds|export``."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from eligibility.paths import database_path


def _cmd_ingest(args: argparse.Namespace) -> int:
    from eligibility.build.ingest import ingest
    from eligibility.explore.queries import store_unfiltered_views

    try:
        summary = ingest(
            args.paths,
            args.db,
            progress=not args.quiet and sys.stderr.isatty(),
            workers=args.workers,
            on_publish=store_unfiltered_views,
        )
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

    context = {"heading": args.heading, "study_title": args.study_title, "study_conditions": args.study_conditions}
    return cmd_themes(args.text, **{name: value for name, value in context.items() if value})


def _cmd_evaluate(args: argparse.Namespace) -> int:
    from eligibility.build.theme_eval import cmd_evaluate

    return cmd_evaluate(args.gold, db=args.db)


def _cmd_evaluate_conditional(args: argparse.Namespace) -> int:
    from eligibility.build.theme_eval import cmd_evaluate_conditional

    return cmd_evaluate_conditional(args.gold, db=args.db)


def _cmd_thresholds(args: argparse.Namespace) -> int:
    from eligibility.build.thresholds import extract

    facts = extract(args.text, args.section)
    if not facts:
        print(f"no threshold facts ({args.section})")
    for fact in facts:
        print(f"{fact.measure} {fact.bound} {fact.value:g} {fact.unit}    [{fact.start}:{fact.end}] {fact.span!r}")
    return 0


def _cmd_evaluate_thresholds(args: argparse.Namespace) -> int:
    from eligibility.build.threshold_eval import cmd_evaluate

    return cmd_evaluate(args.gold)


def _cmd_export(args: argparse.Namespace) -> int:
    from eligibility.explore.export import to_csv_bytes
    from eligibility.explore.filters import FilterError, Filters
    from eligibility.explore.queries import connect, outdated, run

    if not args.db.exists():
        print(f"error: {args.db}: no such database (run `python -m eligibility ingest` first)", file=sys.stderr)
        return 2
    try:
        filters = Filters.from_values(vars(args))
    except FilterError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    con = connect(args.db)
    if reason := outdated(con):
        con.close()
        print(f"error: {args.db}: {reason}; rebuild it with `python -m eligibility ingest`", file=sys.stderr)
        return 2
    try:
        if args.what == "trends":
            from eligibility.explore.trends import trend_table

            frame = trend_table(
                args.table,
                lambda name, **params: run(con, name, **filters.params(), **params),
                cutoff=args.cutoff,
                gap_years=args.gap_years,
            )
        else:
            query = {
                "trials": "trials_table",
                "criteria": "criteria_matching_filters",
                "thresholds": "threshold_facts",
            }[args.what]
            frame = run(con, query, **filters.params(), limit=args.limit, offset=0)
    finally:
        con.close()
    args.out.write_bytes(to_csv_bytes(frame))
    what = f"trends {args.table}" if args.what == "trends" else args.what
    print(f"{len(frame):,} {what} rows ({filters.describe()}) written to {args.out}")
    return 0


_CONTEXT_DB_HELP = (
    "a database built by ingest: a line with nct_id but no context takes its study's title and conditions,"
    " and its heading and parent item, from there (default: none, the text alone)"
)


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

    explain = commands.add_parser(
        "themes", help="print the exclusion themes of one criterion, the cue of each, and whether it is whole or conditional"
    )
    explain.add_argument("text")
    explain.add_argument("--heading", default="", help="the heading or parent item the criterion sits under")
    explain.add_argument("--study-title", default="", help="the study's title")
    explain.add_argument("--study-conditions", default="", help="the study's conditions, separated by semicolons")
    explain.set_defaults(func=_cmd_themes)

    evaluate = commands.add_parser(
        "evaluate-themes", help="precision, recall and F1 of the theme classifier on a labelled JSONL file"
    )
    evaluate.add_argument("gold", type=Path, metavar="GOLD.jsonl")
    evaluate.add_argument("--db", type=Path, help=_CONTEXT_DB_HELP)
    evaluate.set_defaults(func=_cmd_evaluate)

    conditional = commands.add_parser(
        "evaluate-conditional", help="precision and recall of whole versus conditional on a labelled JSONL file"
    )
    conditional.add_argument("gold", type=Path, metavar="GOLD.jsonl")
    conditional.add_argument("--db", type=Path, help=_CONTEXT_DB_HELP)
    conditional.set_defaults(func=_cmd_evaluate_conditional)

    facts = commands.add_parser(
        "thresholds", help="print the threshold facts of one criterion (measure, bound, value, unit) and their spans"
    )
    facts.add_argument("text")
    facts.add_argument("--section", choices=("inclusion", "exclusion"), default="inclusion")
    facts.set_defaults(func=_cmd_thresholds)

    scored = commands.add_parser(
        "evaluate-thresholds", help="per-measure precision, recall and F1 of the threshold extractor on a labelled JSONL file"
    )
    scored.add_argument("gold", type=Path, metavar="GOLD.jsonl")
    scored.set_defaults(func=_cmd_evaluate_thresholds)

    from eligibility.explore.filters import AGE_DISAGREE, AGE_MODES, HEALTHY, PRESETS, SEXES

    export = commands.add_parser(
        "export",
        help="write the trials, criteria, threshold facts or Trends tables matching filters to CSV (the dashboard's own queries)",
    )
    export.add_argument(
        "--db",
        type=Path,
        default=database_path(),
        help="database file (default: $ELIGIBILITY_DB or data/eligibility.duckdb in the checkout)",
    )
    from eligibility.explore.trends import RULE_DATE, TABLES

    export.add_argument("--what", choices=("trials", "criteria", "thresholds", "trends"), required=True)
    export.add_argument("--table", choices=tuple(TABLES), default="theme-shares", help="with --what trends: which Trends table")
    export.add_argument(
        "--cutoff",
        type=date.fromisoformat,
        default=RULE_DATE,
        help=f"with --table before-after: the cut-off start date (default {RULE_DATE})",
    )
    export.add_argument("--gap-years", type=int, choices=(0, 1), default=0, help="years after the cut-off set aside")
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
    export.add_argument("--start-year-min", type=int, help="trials that started in this year or later")
    export.add_argument("--start-year-max", type=int, help="trials that started in this year or earlier")
    export.add_argument(
        "--sponsor-class", dest="sponsor_classes", action="append", default=[], help="e.g. INDUSTRY, NIH, FED (repeatable)"
    )
    export.add_argument(
        "--country", dest="countries", action="append", default=[], help="has a site in, e.g. 'United States' (repeatable)"
    )
    export.add_argument(
        "--primary-purpose", dest="primary_purposes", action="append", default=[], help="e.g. TREATMENT (repeatable)"
    )
    export.add_argument("--preset", choices=PRESETS, default="none")
    export.add_argument("--aya-min", type=float, default=15.0, help="AYA window start (default 15)")
    export.add_argument("--aya-max", type=float, default=39.0, help="AYA window end (default 39)")
    export.add_argument(
        "--age-disagree",
        choices=AGE_DISAGREE,
        default="any",
        help="yes: only studies whose criteria text states an age the structured record contradicts or lacks; no: the others",
    )
    export.add_argument("--limit", type=int, default=10_000_000, help="at most this many rows")
    export.set_defaults(func=_cmd_export)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except BrokenPipeError:
        # The reader stopped early (`evaluate-themes FILE | head`): end quietly, with no traceback, and send the
        # output still buffered nowhere, as the Python documentation on SIGPIPE advises.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
