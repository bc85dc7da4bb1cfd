"""CSV output that opens safely and correctly in Excel and R.

Text cells that begin with a formula trigger (=, +, -, @, tab, carriage
return) get a leading apostrophe, as OWASP advises against CSV/formula
injection; files are UTF-8 with a byte-order mark so Excel shows non-ASCII
text (≥, μL) correctly.
"""

from __future__ import annotations

import polars as pl

_TRIGGER_PATTERN = r"^[=+\-@\t\r]"


def neutralise(frame: pl.DataFrame) -> pl.DataFrame:
    """Prefix formula-like text cells with an apostrophe; lists become '; '-joined text."""
    columns = []
    for name, dtype in frame.schema.items():
        column = pl.col(name)
        if dtype == pl.List(pl.Utf8):
            column = column.list.join("; ")
        elif dtype != pl.Utf8:
            columns.append(column)
            continue
        columns.append(pl.when(column.str.contains(_TRIGGER_PATTERN)).then(pl.lit("'") + column).otherwise(column).alias(name))
    return frame.select(columns)


def to_csv_bytes(frame: pl.DataFrame) -> bytes:
    return b"\xef\xbb\xbf" + neutralise(frame).write_csv().encode("utf-8")
