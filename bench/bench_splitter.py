"""Criteria splitter throughput, in items per second, on multi-line and collapsed one-line text.

    python bench/bench_splitter.py                 # this working tree's splitter
    python bench/bench_splitter.py --old ecc14cf   # and the splitter at a git revision, for comparison

The texts are the criteria of every v2 JSON and classic XML study in data/demo
(multi-line, as the registry serves them), and the same texts with every run of
whitespace collapsed to one space (as in exports that lost their newlines). Each
figure is the best of ``--repeat`` passes over all texts, the versions taking turns. Then the seconds taken by
each pathological input of tests/test_criteria.py (linear time, not a hang).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from types import ModuleType

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from splitter_diff import demo_criteria, old_splitter

from eligibility.build import criteria
from tests.test_criteria import load, pathological_inputs


def seconds(module: ModuleType, texts: list[str]) -> tuple[int, float]:
    """Items and CPU seconds: on a shared machine, CPU time is far steadier than wall-clock time."""
    start = time.process_time()
    items = sum(len(module.split_criteria(text)) for text in texts)
    return items, time.process_time() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--old", help="also time the splitter at this git revision")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    multi = [text for text in demo_criteria().values() if "\n" in text.strip()]
    collapsed = [" ".join(text.split()) for text in multi]
    versions = [("working tree", criteria)]
    if args.old:
        versions.insert(0, (args.old, old_splitter(args.old)))
    print(f"{len(multi):,} texts, {sum(map(len, multi)) / 1e6:.1f} M characters")
    # Versions take turns within each pass, so that a busy machine slows both alike.
    best: dict[tuple[str, str], tuple[int, float]] = {}
    for _ in range(args.repeat):
        for name, module in versions:
            for label, texts in (("multi-line", multi), ("collapsed one-line", collapsed)):
                items, took = seconds(module, texts)
                if (name, label) not in best or took < best[name, label][1]:
                    best[name, label] = (items, took)
    for (name, label), (items, took) in best.items():
        print(f"{name:<14} {label:<20} {items:>9,} items  {items / took:>10,.0f} items/s (CPU time)")
    for label, text in pathological_inputs(load("NCT06389305")).items():
        start = time.process_time()
        criteria.split_criteria(text)
        print(f"pathological   {label:<22} {len(text):>10,} chars  {time.process_time() - start:6.2f} s CPU")


if __name__ == "__main__":
    main()
