"""Do two checkouts answer the dashboard's questions the same? Dump, then compare.

    python bench/answers_diff.py dump /tmp/before.pkl --db /tmp/old.duckdb     # from the old checkout
    python bench/answers_diff.py dump /tmp/after.pkl --db /tmp/new.duckdb      # from the new one
    python bench/answers_diff.py compare /tmp/before.pkl /tmp/after.pkl

`dump` runs the page queries below with the benchmark's 24 filter sets (half of them with a
criteria search) on one database, with this checkout's query files, and saves every answer's
rows; columns that only join tables (`study_no`) are left out, so that a change of keys or
plans can be checked against the answers before it. `compare` names the answers that differ,
and says whether they hold the same rows in another order.
"""

from __future__ import annotations

import argparse
import pickle
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmark import THRESHOLD_BAR, scenarios

from eligibility.explore.queries import connect, run

# (label, query, extra parameters)
QUESTIONS: list[tuple[str, str, dict[str, Any]]] = [
    ("headline_counts", "headline_counts", {}),
    ("trials_table", "trials_table", {"limit": 25, "offset": 0}),
    ("theme_criteria_count", "theme_criteria_count", {"theme": "infection", "exclusion_kind": "conditional"}),
    ("theme_criteria any", "theme_criteria", {"theme": "infection", "exclusion_kind": "any", "limit": 300}),
    ("theme_criteria whole", "theme_criteria", {"theme": "cns_neurologic", "exclusion_kind": "whole", "limit": 50}),
    ("threshold_coverage", "threshold_coverage", {}),
    ("threshold_distribution", "threshold_distribution", {}),
    ("threshold_trials", "threshold_trials", dict(THRESHOLD_BAR)),
    ("threshold_criteria", "threshold_criteria", {**THRESHOLD_BAR, "limit": 300}),
    ("criteria_matching_filters", "criteria_matching_filters", {"limit": 2000}),
    ("threshold_facts", "threshold_facts", {"limit": 2000}),
]
JOIN_ONLY_COLUMNS = ("study_no",)


def dump(db: Path, out: Path) -> None:
    con = connect(db)
    answers: dict[tuple[int, str], list[tuple[Any, ...]]] = {}
    try:
        for i, filters in enumerate(scenarios(24)):
            for label, name, extra in QUESTIONS:
                frame = run(con, name, **filters.params(), **extra)
                answers[(i, label)] = frame.drop([c for c in JOIN_ONLY_COLUMNS if c in frame.columns]).rows()
    finally:
        con.close()
    out.write_bytes(pickle.dumps(answers))
    print(f"{len(answers)} answers, {sum(len(rows) for rows in answers.values()):,} rows saved to {out}")


def compare(before: Path, after: Path) -> int:
    old = pickle.loads(before.read_bytes())
    new = pickle.loads(after.read_bytes())
    differ = [key for key in old if old[key] != new.get(key)]
    for i, label in differ:
        same_rows = sorted(map(repr, old[(i, label)])) == sorted(map(repr, new.get((i, label), [])))
        print(f"filter set {i}, {label}: {'the same rows in another order' if same_rows else 'different rows'}")
    print(f"{len(old)} answers compared ({sum(len(r) for r in old.values()):,} rows); {len(differ)} differ")
    return 1 if differ else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    d = sub.add_parser("dump")
    d.add_argument("out", type=Path)
    d.add_argument("--db", type=Path, required=True)
    c = sub.add_parser("compare")
    c.add_argument("before", type=Path)
    c.add_argument("after", type=Path)
    args = parser.parse_args()
    if args.command == "dump":
        dump(args.db, args.out)
        return 0
    return compare(args.before, args.after)


if __name__ == "__main__":
    raise SystemExit(main())
