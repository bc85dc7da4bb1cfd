from __future__ import annotations

import os

# One polars thread per test process, set before anything imports polars (and passed on to the
# servers and commands the tests start): pytest-xdist already runs one test process per core, so
# polars' own threads only add their overhead, most of all on the many small frames of the tests.
# The ingest's worker processes do the same (eligibility.build.ingest._init_worker); classifying
# in parts on several threads keeps its own test (test_theme_routing.py).
os.environ.setdefault("POLARS_MAX_THREADS", "1")
# Every chart the tests draw is checked against the Vega-Lite schema, in this process and in the
# servers the browser tests start (the dashboard itself skips the check: eligibility/ui/charts.py).
os.environ["ELIGIBILITY_VALIDATE_CHARTS"] = "1"

import fcntl
import pickle
import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from eligibility.build.ingest import IngestSummary, ingest
from eligibility.explore.queries import store_unfiltered_views
from tests import explained

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
INGEST_FIXTURES = FIXTURES / "ingest"
DEMO = ROOT / "data" / "demo"


# Test files that take longest, started first so that pytest-xdist (--dist loadfile
# --no-loadscope-reorder, see scripts/run_tests.sh) ends with short files on every
# worker. A browser file first: its worker builds the shared demo database while the
# other starts on test_hostile.py, which needs none. Every other file follows in its usual order.
SLOW_FILES_FIRST = (
    "test_e2e.py",
    "test_hostile.py",
    "test_e2e_pages.py",
    "test_e2e_record_text.py",
    "test_themes.py",
    "test_app.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        name = item.path.name
        return SLOW_FILES_FIRST.index(name) if name in SLOW_FILES_FIRST else len(SLOW_FILES_FIRST)

    items.sort(key=rank)  # stable: the tests of a file keep their order
    # The criteria the theme tests name, classified in one batch on first use (tests/explained.py).
    explained.register(
        text
        for item in items
        if item.path.name.startswith(("test_themes", "test_conditional"))
        and isinstance(text := getattr(getattr(item, "callspec", None), "params", {}).get("text"), str)
    )


@pytest.fixture(scope="session")
def fixture_db(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, IngestSummary]:
    """A database built from the small real fixtures in tests/fixtures/ingest."""
    path = tmp_path_factory.mktemp("fixture-db") / "fixtures.duckdb"
    summary = ingest([INGEST_FIXTURES], path, on_publish=store_unfiltered_views)
    return path, summary


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> tuple[Path, IngestSummary]:
    """The whole built-in demo dataset, ingested once per test run.

    Under pytest-xdist the workers share one build: the first to need it builds it in
    the run's common temporary folder while holding a file lock, the others wait for
    the lock and read the same file (every test opens it read-only). Without workers
    (no -n, or -p no:xdist) the run builds it once in its own temporary folder.
    """
    if not hasattr(request.config, "workerinput"):
        path = tmp_path_factory.mktemp("demo-db") / "demo.duckdb"
        return path, ingest([DEMO], path, keep_staged=_staged(path), on_publish=store_unfiltered_views)
    shared = tmp_path_factory.getbasetemp().parent / "demo-db"
    shared.mkdir(exist_ok=True)
    path, saved = shared / "demo.duckdb", shared / "summary.pickle"
    with (shared / "lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if saved.exists():
            summary = pickle.loads(saved.read_bytes())
        else:
            summary = ingest([DEMO], path, keep_staged=_staged(path), on_publish=store_unfiltered_views)
            saved.write_bytes(pickle.dumps(summary))
    return path, summary


def _staged(demo: Path) -> Path:
    return demo.with_name("demo-staged.duckdb")


@pytest.fixture(scope="session")
def demo_staged(demo_db) -> Path:
    """The demo build's staged rows (ingest's keep_staged), to publish again with publish_staged."""
    return _staged(demo_db[0])


@pytest.fixture(scope="session")
def server(demo_db) -> Iterator[tuple[str, Path]]:
    """`streamlit run` on the demo database for the browser tests, one server per test process.

    The browser test files that use it (test_e2e.py, test_e2e_pages.py) share it when they
    run on the same pytest-xdist worker, and start one each when they run side by side.
    """
    from tests.browser import serve

    db, _ = demo_db
    with serve(db) as url:
        yield url, db


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium for the browser tests, one per test module, as one browser context.

    The module's pages (tests.browser.open_page) share the context's HTTP cache, so the app's
    JavaScript, which the server marks immutable, is fetched and compiled once per module
    rather than once per page; every page is still a new tab with its own Streamlit session.
    """
    from tests.browser import CHROMIUM, chromium, new_context

    assert shutil.which("chromium") or Path(CHROMIUM).exists(), "Chromium is required: apt-get install -y chromium"
    with chromium() as b:
        context = new_context(b)
        yield context
        context.close()


def sql(db: Path | duckdb.DuckDBPyConnection, query: str, params: dict | None = None) -> list[tuple]:
    """Ask the database file directly (its current contents, never a cached instance).

    ``db`` may also be a connection from ``eligibility.explore.queries.connect``, for a test
    that asks one unchanging file many questions: each new DuckDB instance costs ~30-50 ms CPU.
    """
    from eligibility.explore.queries import connect

    if isinstance(db, duckdb.DuckDBPyConnection):
        return db.execute(query, params or {}).fetchall()
    con = connect(db)
    try:
        return con.execute(query, params or {}).fetchall()
    finally:
        con.close()


@pytest.fixture(autouse=True)
def app_runs_like_a_served_app(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make AppTest run dashboard.py the way a running server does.

    AppTest forgets before every run that dashboard.py uses st.navigation, so it treats
    `pages/` as a legacy multipage folder and runs the page file alone; a server
    does that at most once per process (eligibility.ui.sidebar.current_filters
    redoes that run through dashboard.py).

    Each new AppTest also scans every installed package's metadata for Streamlit
    components (~0.3 s CPU); a server scans once when it starts, and so does a test
    process here (the installed packages do not change during a test run).

    And each AppTest run compiles dashboard.py and the page again (with Streamlit's "magic"
    rewrite of the syntax tree), in a script cache of its own; a server compiles a
    script once and again only when the file changes, and so does a test process here
    (keyed by the file's path, size and modification time).
    """
    from streamlit.components.v2 import manifest_scanner
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.runtime.scriptrunner.script_cache import ScriptCache

    original = PagesManager.__init__

    def init(self: PagesManager, *args: object, **kwargs: object) -> None:
        original(self, *args, **kwargs)  # type: ignore[arg-type]
        PagesManager.uses_pages_directory = False

    monkeypatch.setattr(PagesManager, "__init__", init)
    scan = manifest_scanner.scan_component_manifests

    def scan_once(max_workers: int | None = None) -> list:
        if "manifests" not in _SCANNED:
            _SCANNED["manifests"] = scan(max_workers)
        return list(_SCANNED["manifests"])

    monkeypatch.setattr(manifest_scanner, "scan_component_manifests", scan_once)
    compile_script = ScriptCache.get_bytecode

    def compile_once(self: ScriptCache, script_path: str) -> object:
        from streamlit import config

        stat = os.stat(script_path)
        key = (os.path.abspath(script_path), stat.st_size, stat.st_mtime_ns, config.get_option("runner.magicEnabled"))
        if key not in _COMPILED:
            _COMPILED[key] = compile_script(self, script_path)
        return _COMPILED[key]

    monkeypatch.setattr(ScriptCache, "get_bytecode", compile_once)


_SCANNED: dict[str, list] = {}  # Streamlit's component scan, once per test process
_COMPILED: dict[tuple, object] = {}  # dashboard.py's and the pages' bytecode, once per test process and file version
