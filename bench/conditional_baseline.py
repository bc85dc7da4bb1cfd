"""Whole or conditional: the classifier against a plain keyword list, on labelled files.

    python bench/conditional_baseline.py tests/data/conditional_holdout16.jsonl [MORE.jsonl ...]

Per file, and pooled over all of them, prints the F1 of `conditional` for a criterion
flagged conditional as soon as its text holds one keyword of the list below (qualifier
words of themes.md and their obvious relatives, with no context and no exceptions), and for
the classifier (`python -m eligibility evaluate-conditional`, text alone). The list is the
yardstick the issue names ("a plain keyword list already reaches about 0.86" on its held-out
file): how much the rules add over it on criteria they were not written from.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from eligibility.build.theme_eval import conditional_flags, flag_f1, read_conditional

KEYWORDS = re.compile(
    r"\b(?:unless|except\w*|other than|within|in the (?:last|past|previous) \d+|severe|serious|significant\w*"
    r"|uncontrol\w*|controlled|unstable|symptomatic|active|opinion|judg\w*|investigator|interfere\w*|contracept\w*"
    r"|birth control|pregnancy test|allowed|permitted|eligible|grade|class|moderate|advanced|requir\w*|recent\w*"
    r"|prior to|days?|weeks?|months?|years?|greater than|less than|more than|at least|uln)\b|[<>≤≥]|\d+\s*%",
    re.IGNORECASE,
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE.jsonl")
    args = parser.parse_args()
    pooled: tuple[list[bool], list[bool], list[bool]] = ([], [], [])
    print(f"{'file':<48} {'criteria':>8} {'keywords':>9} {'classifier':>11}")
    for path in args.files:
        gold = read_conditional(path)
        expected = [bool(item.conditional) for item in gold]
        keywords = [bool(KEYWORDS.search(item.text)) for item in gold]
        classifier = conditional_flags([replace(item, context={}) for item in gold])
        print(f"{path.name:<48} {len(gold):>8} {flag_f1(keywords, expected):>9.3f} {flag_f1(classifier, expected):>11.3f}")
        for total, part in zip(pooled, (expected, keywords, classifier), strict=True):
            total.extend(part)
    if len(args.files) > 1:
        expected, keywords, classifier = pooled
        print(
            f"{'all, pooled':<48} {len(expected):>8} {flag_f1(keywords, expected):>9.3f} {flag_f1(classifier, expected):>11.3f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
