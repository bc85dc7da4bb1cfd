"""CPU seconds per ingest step, in one process, without a profiler's per-call overhead.

    python bench/ingest_steps.py /tmp/corpus.zip [--db /tmp/steps.duckdb]

Runs one ingest with ``--workers 1`` semantics (everything in this process) and
wraps each step's function in a ``time.process_time()`` timer. Nested steps are
reported on their own and subtracted from their caller ("rest of ..."). polars'
own threads count too: process time is the whole process.
"""

from __future__ import annotations

import argparse
import functools
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from eligibility.build import ingest, normalise, readers, sources, themes, thresholds

_spent: dict[str, float] = defaultdict(float)
_stack: list[str] = []


def _timed(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.process_time()
        _stack.append(name)
        try:
            return fn(*args, **kwargs)
        finally:
            _stack.pop()
            spent = time.process_time() - started
            _spent[name] += spent
            if _stack:
                _spent[_stack[-1]] -= spent

    return wrapper


def _timed_iter(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    """A generator's own time: each next() is timed, the consumer's work between is not."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        it = iter(fn(*args, **kwargs))
        step = _timed(name, functools.partial(next, it))
        while True:
            try:
                yield step()
            except StopIteration:
                return

    return wrapper


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+", type=Path)
    parser.add_argument("--db", type=Path, default=Path("/tmp/ingest-steps.duckdb"))
    args = parser.parse_args()
    started = time.process_time()
    ingest.task_items = _timed_iter("zip entries (sources.task_items)", sources.task_items)
    ingest.read_source = _timed_iter("read and map JSON/XML (readers.read_source)", readers.read_source)
    ingest.normalise_record = _timed("rest of normalise_record (ages, sex, dates, B-ALL)", normalise.normalise_record)
    normalise.split_criteria = _timed("splitter (criteria.split_criteria)", normalise.split_criteria)
    ingest._process = _timed("rest of the worker (rows to frames, search text)", ingest._process)
    thresholds.extract_frame = _timed("thresholds (thresholds.extract_frame)", thresholds.extract_frame)
    ingest._with_context = _timed("classifier context join (ingest._with_context)", ingest._with_context)
    themes.classify_frame = _timed("classifier (themes.classify_frame)", themes.classify_frame)
    ingest._Writer.flush = _timed("rest of the writer (DuckDB inserts)", ingest._Writer.flush)
    themes.themes_table = _timed("loading the theme rules and lexicon", themes.themes_table)
    summary = ingest.ingest(args.paths, args.db, workers=1)
    total = time.process_time() - started
    publish = summary.elapsed_s - summary.read_s
    print(f"{summary.records_read:,} records, {summary.criteria:,} criteria; CPU {total:.1f} s in all")
    accounted = sum(_spent.values())
    rows = sorted(_spent.items(), key=lambda kv: -kv[1])
    rows.append((f"everything else (publish ~{publish:.1f} s wall, imports, offsets)", total - accounted))
    for name, seconds in rows:
        print(f"{seconds:8.2f} s {100 * seconds / total:5.1f}%  {name}")
    print(f"per record: {1000 * total / max(summary.records_read, 1):.3f} ms CPU")
    return 0


if __name__ == "__main__":
    sys.exit(main())
