"""The Trends tables, shared by the dashboard's Trends page and ``export --what trends``.

Each table is one query in ``queries/trend_*.sql``; the before/after table gets
its confidence intervals here (``stats.newcombe_difference``), so the page and
the export give the same numbers.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import polars as pl

from eligibility.explore.stats import newcombe_difference

# ASCO-Friends of Cancer Research-FDA recommendations to broaden eligibility (J Clin Oncol, 2 Oct 2017).
RULE_DATE = date(2017, 10, 2)
THIN_YEAR = 20  # a start year with fewer trials than this is drawn faded and flagged
TABLES = {
    "theme-shares": "trend_theme_shares",
    "before-after": "trend_before_after",
    "age-access": "trend_age_access",
    "year-counts": "trend_year_counts",
}

# (query name, **params) -> frame, with the filters already bound
Runner = Callable[..., pl.DataFrame]


def with_intervals(counts: pl.DataFrame) -> pl.DataFrame:
    """The before/after counts with both shares, after - before in percentage points and its 95% CI.

    Shares and intervals are null where a period has no trials.
    """
    rows = []
    for r in counts.iter_rows(named=True):
        if r["before_base"] and r["after_base"]:
            d = newcombe_difference(r["after_trials"], r["after_base"], r["before_trials"], r["before_base"])
            rows.append((d.share_b, d.share_a, 100 * d.difference, 100 * d.low, 100 * d.high))
        else:
            rows.append((None, None, None, None, None))
    names = ["share_before", "share_after", "difference_pp", "ci_low_pp", "ci_high_pp"]
    return pl.concat([counts, pl.DataFrame(rows, schema=dict.fromkeys(names, pl.Float64), orient="row")], how="horizontal")


def trend_table(table: str, run: Runner, *, cutoff: date = RULE_DATE, gap_years: int = 0) -> pl.DataFrame:
    """One of ``TABLES`` for the filters ``run`` is bound to."""
    name = TABLES[table]
    if table == "before-after":
        return with_intervals(run(name, cutoff=cutoff.isoformat(), gap_years=gap_years))
    return run(name, thin_below=THIN_YEAR)
