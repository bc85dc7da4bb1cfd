"""The dashboard's questions on PostgreSQL (the engine AACT users query): the server baseline.

A throwaway local cluster (Debian's ``postgresql`` package: ``initdb`` in a temporary
folder, a Unix socket only, no TCP) gets the tables the pages read, copied from the
DuckDB database with ``COPY ... FROM STDIN``, with a B-tree index on every filter
column (the same indexes ``sqlite_baseline.py`` builds) and a ``pg_trgm`` GIN index on
``studies.search_text`` for the criteria search. Each page then runs the dashboard's own
query files (``queries/*.sql``, includes expanded, sort filled by the runner), with the
smallest translation PostgreSQL needs. Every translation is in ``TRANSLATIONS`` and
``GROUP_BY_ALL`` below, one line each, and nothing else is changed:

- ``$name`` parameters become ``%(name)s`` (psycopg's client-side binding, so a ``null``
  parameter needs no declared type, as in DuckDB; values are still passed as parameters);
- ``::double`` becomes ``::float8`` and ``::varchar[]`` ``::text[]``; ``len(list)`` becomes ``cardinality(array)``;
- ``list_contains(a, x)`` becomes ``x = any(a)``; ``list_has_any(a, b)`` becomes ``a && b``;
- ``contains(text, s)`` becomes ``strpos(text, s) > 0``;
- ``semi join f on f.k = t.k where`` becomes ``where t.k in (select f.k from f) and``;
- ``group by all`` becomes the positions of the grouping columns (``GROUP_BY_ALL``);
- ``unnest(range(0, 91))`` becomes ``generate_series(0, 90)``;
- ``list(x order by y)`` becomes ``array_agg(x order by y)`` and the empty list ``[]`` ``'{}'``;
- integer ``/`` (a fraction in DuckDB, a truncated integer in PostgreSQL) casts its left side to ``float8``;
- the runner's search cache ``memory.main.search_hits`` becomes a temporary table
  ``search_hits``, filled once per page as DuckDB's runner fills it, with ``like '%text%'``
  (which ``pg_trgm`` answers from its index) in place of DuckDB's ``contains``.

The cluster's settings (``SETTINGS``) give PostgreSQL memory like an analyst's laptop
would, and turn off durability, which only the load uses.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from proc_tree import tree_stats
from sqlite_baseline import FILTER_INDEXES

from eligibility.explore.queries import connect, sorted_sql

# The tables the timed pages read, all columns, in the DuckDB database's own types.
TABLES = ["studies", "criteria", "criterion_themes", "study_theme_counts", "study_sources", "themes", "filter_options"]
INDEXES = [
    *FILTER_INDEXES,
    "create index studies_search on studies using gin (search_text gin_trgm_ops)",
    "create index criteria_nct on criteria (nct_id, ordinal)",
    "create unique index criteria_id on criteria (criterion_id)",
    "create index themes_theme on criterion_themes (theme, section, nct_id, criterion_id)",
    "create index themes_criterion on criterion_themes (criterion_id)",
    "create unique index studies_no on studies (study_no)",
    "create index themes_study on criterion_themes (study_no, criterion_id)",
    "create index theme_counts on study_theme_counts (theme, study_no)",
    "create index sources_nct on study_sources (nct_id)",
]
SETTINGS = {
    "listen_addresses": "''",
    "shared_buffers": "1GB",
    "work_mem": "64MB",
    "maintenance_work_mem": "512MB",
    "effective_cache_size": "4GB",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
}
_TYPES = {
    "VARCHAR": "text",
    "BOOLEAN": "boolean",
    "TINYINT": "smallint",
    "SMALLINT": "smallint",
    "INTEGER": "integer",
    "BIGINT": "bigint",
    "UTINYINT": "smallint",
    "USMALLINT": "integer",
    "UINTEGER": "bigint",
    "UBIGINT": "numeric",
    "HUGEINT": "numeric",
    "FLOAT": "real",
    "DOUBLE": "float8",
    "DATE": "date",
    "TIMESTAMP": "timestamp",
    "TIMESTAMP WITH TIME ZONE": "timestamptz",
}


def pg_type(duck_type: str) -> str:
    if duck_type.endswith("[]"):
        return pg_type(duck_type[:-2]) + "[]"
    if duck_type.startswith("DECIMAL"):
        return duck_type.replace("DECIMAL", "numeric")
    return _TYPES[duck_type]


def _rewrite_calls(sql: str, function: str, make: Callable[[list[str]], str]) -> str:
    """Replace every call ``function(a, b, ...)`` by ``make([a, b, ...])``, arguments split at top-level commas."""
    pattern = re.compile(rf"(?<![\w.]){function}\(")
    while match := pattern.search(sql):
        depth, args, start = 1, [], match.end()
        i = start
        while depth:
            char = sql[i]
            if char == "(":
                depth += 1
            elif char == ")":
                depth -= 1
            elif char == "," and depth == 1:
                args.append(sql[start:i].strip())
                start = i + 1
            i += 1
        args.append(sql[start : i - 1].strip())
        sql = sql[: match.start()] + make(args) + sql[i:]
    return sql


# Query name -> the grouping columns that replace each `group by all`, in order.
GROUP_BY_ALL: dict[str, list[str]] = {
    "age_eligibility_curve": ["1, 2"],
    "breakdowns": ["1, 2, 3, 4, 5"] + ["1, 2"] * 5,
    "trial_criteria": ["1, 2, 3, 4, 5, 6, 7"],
}

TRANSLATIONS: list[tuple[str, Callable[[str], str]]] = [
    ("a literal % is doubled for psycopg", lambda q: q.replace("%", "%%")),
    ("$name -> %(name)s", lambda q: re.sub(r"\$([a-z_][a-z0-9_]*)", r"%(\1)s", q)),
    ("::double -> ::float8", lambda q: re.sub(r"::double\b", "::float8", q)),
    ("::varchar[] -> ::text[] (the arrays' element type)", lambda q: q.replace("::varchar[]", "::text[]")),
    ("len(list) -> cardinality(array)", lambda q: _rewrite_calls(q, "len", lambda a: f"cardinality({a[0]})")),
    ("list_contains(a, x) -> x = any(a)", lambda q: _rewrite_calls(q, "list_contains", lambda a: f"({a[1]} = any({a[0]}))")),
    ("list_has_any(a, b) -> a && b", lambda q: _rewrite_calls(q, "list_has_any", lambda a: f"({a[0]} && {a[1]})")),
    ("contains(t, s) -> strpos(t, s) > 0", lambda q: _rewrite_calls(q, "contains", lambda a: f"(strpos({a[0]}, {a[1]}) > 0)")),
    (
        "semi join f on f.k = t.k where -> where t.k in (select f.k from f) and",
        lambda q: re.sub(
            r"semi join (\w+) as (\w+) on (\w+\.\w+) = (\w+\.\w+)\s+where",
            r"where \4 in (select \3 from \1 as \2) and",
            q,
        ),
    ),
    ("unnest(range(0, n)) -> generate_series(0, n - 1)", lambda q: re.sub(r"unnest\(range\(0, (\d+)\)\)", _series, q)),
    ("list(x order by y) -> array_agg(x order by y)", lambda q: re.sub(r"(?<![\w.])list\(", "array_agg(", q)),
    ("the empty list [] -> '{}'", lambda q: q.replace(", [])", ", '{}')")),
    ("integer a / b -> a::float8 / b", lambda q: q.replace(" / nullif(", "::float8 / nullif(")),
    ("memory.main.search_hits -> the temporary table search_hits", lambda q: q.replace("memory.main.search_hits", "search_hits")),
]


def _series(match: re.Match[str]) -> str:
    return f"generate_series(0, {int(match.group(1)) - 1})"


def translate(name: str) -> str:
    """The dashboard's query ``name`` (as the runner sends it) in PostgreSQL."""
    sql = sorted_sql(name)
    for _, rule in TRANSLATIONS:
        sql = rule(sql)
    for columns in GROUP_BY_ALL.get(name, []):
        sql = sql.replace("group by all", f"group by {columns}", 1)
    if "group by all" in sql:
        raise ValueError(f"query {name}: a `group by all` has no entry in GROUP_BY_ALL")
    return sql


def _bin(program: str) -> str | None:
    found = shutil.which(program)
    if found:
        return found
    versions = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{program}"))
    return str(versions[-1]) if versions else None


def unavailable() -> str | None:
    """Why PostgreSQL cannot run here (None when it can)."""
    if _bin("initdb") is None or _bin("pg_ctl") is None:
        return "PostgreSQL skipped: the postgresql package is not installed (apt-get install -y postgresql)"
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "PostgreSQL skipped: no driver (pip install -r bench/requirements.txt)"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "PostgreSQL skipped: initdb refuses root and there is no postgres user"
    return None


def _as_owner(command: list[str]) -> list[str]:
    """initdb refuses to run as root: as root, run the cluster as the postgres user the package creates."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@dataclass
class Cluster:
    conninfo: str
    data: Path

    def cpu_seconds(self) -> float:
        """CPU time used so far by the server: the postmaster and every backend and worker, live or ended."""
        return tree_cpu_seconds(int((self.data / "postmaster.pid").read_text().split()[0]))


def tree_cpu_seconds(root: int) -> float:
    """User and system CPU time of a process and its descendants, from /proc (an ended child's time is
    in its parent's cutime and cstime once reaped)."""
    ticks = sum(int(f) for fields in tree_stats(root).values() for f in fields[11:15])  # utime, stime, cutime, cstime
    return ticks / os.sysconf("SC_CLK_TCK")


@contextlib.contextmanager
def cluster() -> Iterator[Cluster]:
    """A fresh cluster in a temporary folder, listening on a Unix socket only; removed after."""
    folder = Path(tempfile.mkdtemp(prefix="bench-pg-"))
    data = folder / "data"
    if os.geteuid() == 0:
        owner = pwd.getpwnam("postgres")
        os.chown(folder, owner.pw_uid, owner.pw_gid)
    options = " ".join(f"-c {k}={v}" for k, v in SETTINGS.items())
    try:
        subprocess.run(
            _as_owner([str(_bin("initdb")), "-D", str(data), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C"]),
            check=True,
            capture_output=True,
        )
        subprocess.run(
            _as_owner(
                [str(_bin("pg_ctl")), "-D", str(data), "-l", str(folder / "log"), "-w", "-o", f"-k {folder} {options}", "start"]
            ),
            check=True,
            capture_output=True,
        )
        try:
            yield Cluster(f"host={folder} user=postgres dbname=postgres", data)
        finally:
            subprocess.run(_as_owner([str(_bin("pg_ctl")), "-D", str(data), "-m", "immediate", "stop"]), capture_output=True)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def load(duck_path: Path, conninfo: str, *, batch: int = 50_000) -> None:
    """Copy the tables the pages read from DuckDB, then index and analyse them."""
    import psycopg

    duck = connect(duck_path)
    try:
        with psycopg.connect(conninfo, autocommit=True) as pg:
            pg.execute("create extension if not exists pg_trgm")
            for table in TABLES:
                columns = duck.execute(f"describe {table}").fetchall()
                pg.execute(f"create table {table} ({', '.join(f'{c[0]} {pg_type(c[1])}' for c in columns)})")
                names = ", ".join(c[0] for c in columns)
                cursor = duck.execute(f"select {names} from {table}")
                with pg.cursor() as cur, cur.copy(f"copy {table} ({names}) from stdin") as copy:
                    while rows := cursor.fetchmany(batch):
                        for row in rows:
                            copy.write_row(row)
            for statement in INDEXES:
                pg.execute(statement)
            pg.execute("vacuum analyze")
    finally:
        duck.close()


def start_page(pg: Any, search: str) -> None:
    """What a page does first, as DuckDB's runner does: scan the text once for its search (if any) into search_hits."""
    pg.execute("create temporary table if not exists search_hits (search text, study_no integer)")
    pg.execute("truncate search_hits")
    if search:
        pattern = "%" + re.sub(r"([\\%_])", r"\\\1", search) + "%"
        pg.execute(
            "insert into search_hits select %(s)s, study_no from studies where search_text like %(p)s",
            {"s": search, "p": pattern},
        )
        pg.execute("analyze search_hits")


@contextlib.contextmanager
def session(conninfo: str) -> Iterator[Any]:
    """A connection that binds parameters client-side (see the module's docstring) and commits as it goes."""
    import psycopg

    with psycopg.connect(conninfo, autocommit=True, cursor_factory=psycopg.ClientCursor) as pg:
        yield pg


def run(pg: Any, name: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    sql = translate(name)
    used = {k: v for k, v in params.items() if f"%({k})s" in sql}
    return pg.execute(sql, used).fetchall()
