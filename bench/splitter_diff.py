"""Compare two versions of the criteria splitter on every v2 JSON and classic XML study in data/demo.

    python bench/splitter_diff.py                       # old = the splitter at ecc14cf
    python bench/splitter_diff.py --old HEAD~1 --show 40 --seed 3

The old version is read with ``git show REV:eligibility/build/criteria.py`` into a
temporary module; the new one is the working tree's. Prints how many studies'
item counts per section changed, then a sample of the changed studies, old and
new items side by side, to be read by eye.
"""

from __future__ import annotations

import argparse
import difflib
import importlib.util
import random
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from eligibility.build import criteria  # noqa: E402
from eligibility.build.readers import read_source  # noqa: E402
from eligibility.build.records import StudyRecord  # noqa: E402
from eligibility.build.sources import Source, iter_sources  # noqa: E402

DEMO_FORMATS = (ROOT / "data" / "demo" / "ctgov-v2", ROOT / "data" / "demo" / "ctgov-classic-xml")


MOVES = ("more items", "fewer items", "same total, other sections")
SAME_COUNTS = "same counts, other texts or nesting"


def old_splitter(rev: str) -> ModuleType:
    source = subprocess.run(
        ["git", "show", f"{rev}:eligibility/build/criteria.py"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    path = Path(tempfile.mkdtemp()) / "criteria_old.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("criteria_old", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["criteria_old"] = module  # dataclasses look their module up while building
    spec.loader.exec_module(module)
    return module


def demo_criteria() -> dict[str, str]:
    """NCT ID -> criteria text of every v2 and XML study in data/demo (the last one read wins)."""
    out: dict[str, str] = {}
    for source in iter_sources(DEMO_FORMATS):
        if not isinstance(source, Source):
            continue
        for record in read_source(source):
            if isinstance(record, StudyRecord) and record.criteria_text:
                out[record.nct_id] = record.criteria_text
    return out


def section_counts(items: list) -> tuple[int, int, int]:
    c = Counter(item.section for item in items)
    return c["inclusion"], c["exclusion"], c["unspecified"]


def lines(items: list) -> list[str]:
    return [f"{item.section[:3]} {'  ' * item.depth}{item.text[:110]}" for item in items]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--old", default="ecc14cf", help="git revision of the old splitter")
    parser.add_argument("--show", type=int, default=0, help="print this many changed studies in full")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--nct", nargs="*", default=[], help="print these studies in full")
    parser.add_argument("--only", choices=(*MOVES, SAME_COUNTS), help="sample only studies with this kind of change")
    args = parser.parse_args()

    old = old_splitter(args.old)
    texts = demo_criteria()
    changed: dict[str, str] = {}
    for nct_id, text in texts.items():
        before, after = old.split_criteria(text), criteria.split_criteria(text)
        if section_counts(before) != section_counts(after):
            b, a = section_counts(before), section_counts(after)
            changed[nct_id] = MOVES[0] if sum(a) > sum(b) else MOVES[1] if sum(a) < sum(b) else MOVES[2]
        elif [(i.text, i.depth) for i in before] != [(i.text, i.depth) for i in after]:
            changed[nct_id] = SAME_COUNTS
    kinds = Counter(changed.values())
    print(f"studies with criteria:               {len(texts):,}")
    print(f"item counts per section changed:     {len(changed) - kinds[SAME_COUNTS]:,}")
    for what in MOVES:
        print(f"  {what:<34} {kinds[what]:,}")
    print(f"{SAME_COUNTS}: {kinds[SAME_COUNTS]:,}")
    # By default the sample is drawn from the studies whose counts changed.
    pool = sorted(n for n, move in changed.items() if move == args.only or (args.only is None and move != SAME_COUNTS))
    sample = random.Random(args.seed).sample(pool, min(args.show, len(pool))) + args.nct
    for nct_id in sample:
        before, after = old.split_criteria(texts[nct_id]), criteria.split_criteria(texts[nct_id])
        print(f"\n=== {nct_id}: (inc, exc, unspec) {section_counts(before)} -> {section_counts(after)}")
        diff = difflib.unified_diff(lines(before), lines(after), "old", "new", n=1, lineterm="")
        print("\n".join("    " + line for line in diff))


if __name__ == "__main__":
    main()
