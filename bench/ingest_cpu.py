"""CPU time of one ingest, every process of it counted (main, forkserver, workers).

On a shared machine wall time says little; CPU time of the whole process tree
does. This runs `python -m eligibility ingest` as a child while this process is
the tree's "child subreaper" (Linux): every descendant that outlives its parent
is re-parented here and reaped here, so `getrusage(RUSAGE_CHILDREN)` afterwards
holds the user and system time of the whole tree, exactly.

    python bench/ingest_cpu.py /tmp/corpus.zip --db /tmp/x.duckdb [--workers 2]

Prints wall, CPU (user+sys), studies/s by wall, studies per CPU-second, and
twice that: the rate two idle cores could give if the work spreads over both.
"""

from __future__ import annotations

import argparse
import ctypes
import os
import re
import resource
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

from proc_tree import rss_bytes, tree_stats

PR_SET_CHILD_SUBREAPER = 36


def _tree(root: int) -> tuple[dict[int, float], int]:
    """User+system seconds so far of ``root`` and each of its descendants, and their resident bytes, from /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    tree = tree_stats(root)
    cpu = {pid: (int(fields[11]) + int(fields[12])) / ticks for pid, fields in tree.items()}
    return cpu, sum(rss_bytes(fields) for fields in tree.values())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--db", required=True)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--cores", type=int, default=2, help="cores of the idle ceiling (default 2)")
    args = parser.parse_args()
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER)")
    command = [sys.executable, "-m", "eligibility", "ingest", *args.paths, "--db", args.db, "--quiet"]
    command += ["--workers", str(args.workers)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    per_process: dict[int, float] = {}
    peak_rss = 0
    with ThreadPoolExecutor(1) as reader:
        output = reader.submit(proc.communicate)
        while not output.done():
            cpu, rss = _tree(proc.pid)
            per_process.update(cpu)
            peak_rss = max(peak_rss, rss)
            time.sleep(0.2)
        out, _ = output.result()
    wall = time.perf_counter() - started
    while True:  # reap whatever the ingest left behind (forkserver, workers), so their time counts
        try:
            os.waitpid(-1, 0)
        except ChildProcessError:
            break
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        print(out)
        raise SystemExit(f"ingest failed ({proc.returncode})")
    user = after.ru_utime - before.ru_utime
    system = after.ru_stime - before.ru_stime
    match = re.search(r"records read:\s+([\d,]+)", out)
    records = int(match.group(1).replace(",", "")) if match else 0
    cpu = user + system
    print(out.rstrip())
    print(f"wall {wall:.1f} s, cpu {cpu:.1f} s (user {user:.1f}, sys {system:.1f}), workers {args.workers}")
    print(f"records/s by wall: {records / wall:,.0f}; peak resident memory of the tree {peak_rss / 2**20:,.0f} MiB")
    busiest = sorted(per_process.values(), reverse=True)
    print("CPU by process (sampled every 0.2 s, so a little short): " + ", ".join(f"{c:.1f} s" for c in busiest if c >= 0.1))
    print(
        f"records per CPU-second: {records / cpu:,.0f}; x{args.cores} cores (idle ceiling): {args.cores * records / cpu:,.0f}/s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
