"""Compare two built databases table by table: rows in one and not the other, both ways.

    python bench/compare_databases.py /tmp/before.duckdb /tmp/after.duckdb

Every table of either database is compared with ``except all`` in both
directions (duplicates count), leaving out the columns that record when and
how long an ingest ran. Prints one line per table and exits 1 if any differ.
"""

from __future__ import annotations

import argparse
import sys

import duckdb

# Columns that differ between two runs over the same input by design.
RUN_COLUMNS = {("ingest_runs", "finished_at"), ("ingest_runs", "elapsed_s")}


def _tables(con: duckdb.DuckDBPyConnection, catalog: str) -> dict[str, list[str]]:
    rows = con.execute(
        """
        select table_name, column_name from information_schema.columns
        where table_catalog = $catalog and table_schema = 'main'
        order by table_name, ordinal_position
        """,
        {"catalog": catalog},
    ).fetchall()
    tables: dict[str, list[str]] = {}
    for table, column in rows:
        tables.setdefault(table, []).append(column)
    return tables


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def compare(before: str, after: str) -> int:
    con = duckdb.connect()
    con.execute("attach $path as a (read_only)", {"path": before})
    con.execute("attach $path as b (read_only)", {"path": after})
    left, right = _tables(con, "a"), _tables(con, "b")
    differing = 0
    for table in sorted(left.keys() | right.keys()):
        if table not in left or table not in right:
            print(f"{table:28s} only in {'the first' if table in left else 'the second'} database")
            differing += 1
            continue
        if left[table] != right[table]:
            print(f"{table:28s} columns differ: {left[table]} vs {right[table]}")
            differing += 1
            continue
        columns = ", ".join(_quoted(c) for c in left[table] if (table, c) not in RUN_COLUMNS)
        name = _quoted(table)
        counts = con.execute(f"select (select count(*) from a.{name}), (select count(*) from b.{name})").fetchall()[0]
        missing = con.execute(f"select count(*) from (select {columns} from a.{name} except all select {columns} from b.{name})")
        missing = missing.fetchall()[0][0]
        extra = con.execute(f"select count(*) from (select {columns} from b.{name} except all select {columns} from a.{name})")
        extra = extra.fetchall()[0][0]
        status = "same" if missing == extra == 0 and counts[0] == counts[1] else "DIFFERENT"
        differing += status != "same"
        print(
            f"{table:28s} rows {counts[0]:>9,} / {counts[1]:>9,}   only in first {missing:>7,}   only in second {extra:>7,}   {status}"
        )
    print(f"{differing} table(s) differ")
    return 1 if differing else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before")
    parser.add_argument("after")
    args = parser.parse_args()
    return compare(args.before, args.after)


if __name__ == "__main__":
    sys.exit(main())
