"""The cohort comparison: two theme distributions (``queries/theme_distribution.sql``) side by side."""

from __future__ import annotations

import polars as pl


def compare_theme_shares(dist_a: pl.DataFrame, dist_b: pl.DataFrame) -> pl.DataFrame:
    """One row per theme: each cohort's share, trials and base, and A − B in percentage points (largest first)."""

    def side(dist: pl.DataFrame, suffix: str) -> pl.DataFrame:
        return dist.select(
            "theme",
            "label",
            pl.col("share").alias(f"share_{suffix}"),
            pl.col("trials").alias(f"trials_{suffix}"),
            pl.col("trials_with_exclusions").alias(f"base_{suffix}"),
        )

    return (
        side(dist_a, "a")
        .join(side(dist_b, "b").drop("label"), on="theme")
        .with_columns(((pl.col("share_a").fill_null(0) - pl.col("share_b").fill_null(0)) * 100).round(1).alias("difference_pp"))
        .sort("difference_pp", descending=True)
    )


def comparison_long(comparison: pl.DataFrame, *, name_a: str, name_b: str) -> pl.DataFrame:
    """The comparison as one row per (theme, cohort), for a grouped bar chart."""
    return pl.concat(
        [
            comparison.select(
                "label",
                pl.lit(name).alias("cohort"),
                (pl.col(f"share_{suffix}") * 100).round(1).alias("percent"),
                pl.col(f"trials_{suffix}").alias("trials"),
            )
            for suffix, name in (("a", name_a), ("b", name_b))
        ]
    )
