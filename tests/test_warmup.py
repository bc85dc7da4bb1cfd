"""`streamlit run app.py`: the server's app over dashboard.py, and the imports it starts before the first visit."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from streamlit.web.server.app_discovery import discover_asgi_app

ROOT = Path(__file__).resolve().parent.parent


def test_streamlit_run_app_py_serves_the_dashboard_script() -> None:
    # What `streamlit run app.py` looks for before it starts a server: an App in app.py, to import as app:app.
    found = discover_asgi_app(ROOT / "app.py")
    assert found.is_asgi_app
    assert found.import_string == "app:app"
    # The App runs dashboard.py for every session (the navigation and sidebar the browser tests drive).
    probe = "import app; print(app.app.script_path)"
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "dashboard.py"
    assert (ROOT / out.stdout.strip()).exists()


def test_the_warm_up_imports_what_the_pages_need_and_the_script_waits_for_it() -> None:
    # A fresh process, as a server is when it starts: nothing heavy is loaded until the warm-up runs,
    # and after `wait` every module of the list (and polars, DuckDB, pyarrow, Altair with them) is.
    probe = textwrap.dedent(
        """
        import sys
        from eligibility.ui import warmup
        heavy = ("polars", "duckdb", "pyarrow", "altair")
        assert not any(name in sys.modules for name in heavy), [n for n in heavy if n in sys.modules]
        warmup.wait()  # nothing started: returns at once, as in AppTest and on the command line
        assert "altair" not in sys.modules
        warmup.start()
        warmup.start()  # once per process
        warmup.wait()
        missing = [name for name in (*warmup.MODULES, *heavy) if name not in sys.modules]
        assert not missing, missing
        import threading
        assert [t.name for t in threading.enumerate()].count("eligibility-warmup") <= 1
        print("ok")
        """
    )
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"


def test_every_module_of_ours_a_page_imports_is_loaded_by_the_warm_up() -> None:
    # The list is kept by hand: a page importing a module of ours that the warm-up leaves out would pay its
    # import (and polars, DuckDB, pyarrow or Altair behind it) on a server's first visit.
    imported = set()
    for source in [ROOT / "dashboard.py", *sorted((ROOT / "pages").glob("*.py"))]:
        for line in source.read_text(encoding="utf-8").splitlines():
            words = line.split()
            if len(words) >= 4 and words[0] == "from" and words[1].startswith("eligibility") and words[2] == "import":
                imported.add(words[1])
                imported.add(f"{words[1]}.{words[3].rstrip(',')}")  # a module of that package, or a name in it
    assert {"eligibility.ui.charts", "eligibility.explore.thresholds"} <= imported
    probe = textwrap.dedent(
        f"""
        import importlib.util
        import sys

        from eligibility.ui import warmup

        def is_module(name):
            try:
                return importlib.util.find_spec(name) is not None
            except ModuleNotFoundError:  # a name inside a module, not a module
                return False

        warmup.start()
        warmup.wait()
        loaded = set(sys.modules)  # before find_spec, which imports the parent of the name it looks up
        wanted = [name for name in {sorted(imported)!r} if is_module(name)]
        print([name for name in wanted if name not in loaded])
        """
    )
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
