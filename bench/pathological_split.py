"""Time the splitter on the pathological inputs of tests/test_criteria.py (seconds per input).

python bench/pathological_split.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from eligibility.build.criteria import split_criteria
from tests.test_criteria import load, pathological_inputs


def main() -> None:
    """Each input at 1x and 2x its size: a linear splitter takes about twice as long at 2x."""
    reference = load("NCT06389305")
    for scale in (1, 2):
        for name, text in pathological_inputs(reference, scale=scale).items():
            start = time.perf_counter()
            items = split_criteria(text)
            print(f"{name:<24} x{scale} {len(text):>10,} chars  {len(items):>7,} items  {time.perf_counter() - start:6.2f} s")


if __name__ == "__main__":
    main()
