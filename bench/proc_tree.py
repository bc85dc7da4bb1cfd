"""A process and its descendants, read from /proc: the one walk the benchmarks share."""

from __future__ import annotations

import os


def tree_stats(root: int) -> dict[int, list[str]]:
    """The /proc/<pid>/stat fields after the command name (field 3 onwards) of ``root`` and every descendant.

    Indexes into a value: 1 parent pid, 11-14 utime, stime, cutime, cstime (clock ticks),
    21 resident pages. A process that ends while it is read is left out.
    """
    children: dict[int, list[int]] = {}
    stats: dict[int, list[str]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid = int(entry.name)
        children.setdefault(int(fields[1]), []).append(pid)
        stats[pid] = fields
    tree, stack = {}, [root]
    while stack:
        pid = stack.pop()
        if pid in stats:
            tree[pid] = stats[pid]
        stack.extend(children.get(pid, []))
    return tree


def rss_bytes(fields: list[str]) -> int:
    return int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
