"""Import what the pages need while the server waits for its first visitor.

A new server's first page used to import polars, DuckDB, pyarrow and Altair in its own
script run (about half a second of CPU at registry scale, `bench/README.md`), after the
browser had loaded Streamlit's JavaScript and opened the websocket. `app.py` starts
these imports in a thread of their own as the server starts, so they overlap the
browser's loading instead. `dashboard.py` waits for that thread before it imports
anything itself: two threads importing the same packages at once can deadlock on
import locks, so the script never races the warm-up. Outside a server (AppTest, the
command line), nothing is started and `wait` returns at once.
"""

from __future__ import annotations

import importlib
import threading

# The modules a first visit to any page imports (each brings polars, DuckDB, pyarrow or Altair).
MODULES = (
    "eligibility.ui.state",
    "eligibility.ui.charts",
    "eligibility.ui.render",
    "eligibility.ui.sidebar",
    "eligibility.ui.rebuild",
    "eligibility.explore.compare",
    "eligibility.explore.labels",
    "eligibility.explore.shares",
    "eligibility.explore.stats",
    "eligibility.explore.thresholds",
    "eligibility.explore.trends",
)

_started = threading.Lock()
_thread: threading.Thread | None = None


def _import_all() -> None:
    # An import that fails ends the thread with its traceback in the server's log; the
    # script's own import of the same module then reports it in the page.
    for name in MODULES:
        importlib.import_module(name)


def start() -> None:
    """Start importing `MODULES` in a daemon thread (once per process)."""
    global _thread
    with _started:
        if _thread is None:
            _thread = threading.Thread(target=_import_all, name="eligibility-warmup", daemon=True)
            _thread.start()


def wait() -> None:
    """Return once the warm-up has finished (or failed), or at once if none was started."""
    if _thread is not None:
        _thread.join()
