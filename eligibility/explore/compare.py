"""The cohort comparison: two theme distributions (``queries/theme_distribution.sql``) side by side."""

from __future__ import annotations

import polars as pl

from eligibility.explore.shares import SMALL_BASE, with_intervals


def compare_theme_shares(dist_a: pl.DataFrame, dist_b: pl.DataFrame) -> pl.DataFrame:
    """One row per theme: each cohort's share, trials, base and Wilson 95% interval (ci_low/ci_high, with
    small_base when the base is under 20 trials), and A − B in percentage points (largest first)."""

    def side(dist: pl.DataFrame, suffix: str) -> pl.DataFrame:
        frame = dist.select(
            "theme",
            "label",
            pl.col("share").alias(f"share_{suffix}"),
            pl.col("trials").alias(f"trials_{suffix}"),
            pl.col("trials_with_exclusions").alias(f"base_{suffix}"),
        )
        return with_intervals(frame, count=f"trials_{suffix}", base=f"base_{suffix}", suffix=f"_{suffix}")

    return (
        side(dist_a, "a")
        .join(side(dist_b, "b").drop("label"), on="theme")
        .with_columns(((pl.col("share_a").fill_null(0) - pl.col("share_b").fill_null(0)) * 100).round(1).alias("difference_pp"))
        .sort("difference_pp", descending=True)
    )


def comparison_long(comparison: pl.DataFrame, *, name_a: str, name_b: str) -> pl.DataFrame:
    """The comparison as one row per (theme, cohort), for a grouped bar chart: percent, its 95% interval in
    percent, and a label such as "A 61% (50)" (with "n<20" when the cohort's base is small)."""
    return pl.concat(
        [
            comparison.select(
                "label",
                pl.lit(name).alias("cohort"),
                (pl.col(f"share_{suffix}") * 100).round(1).alias("percent"),
                (pl.col(f"ci_low_{suffix}") * 100).round(1).alias("ci_low"),
                (pl.col(f"ci_high_{suffix}") * 100).round(1).alias("ci_high"),
                pl.col(f"trials_{suffix}").alias("trials"),
                pl.col(f"base_{suffix}").alias("base"),
                pl.format(
                    "{} {}% ({}){}",
                    pl.lit(suffix.upper()),
                    (pl.col(f"share_{suffix}").fill_null(0) * 100).round(0).cast(pl.Int64),
                    pl.col(f"trials_{suffix}"),
                    pl.when(pl.col(f"small_base_{suffix}")).then(pl.lit(f" n<{SMALL_BASE}")).otherwise(pl.lit("")),
                ).alias("bar_label"),
            )
            for suffix, name in (("a", name_a), ("b", name_b))
        ]
    )
