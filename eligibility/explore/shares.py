"""Shares and how far to trust them: the Wilson 95% interval, and a flag when the base is small."""

from __future__ import annotations

import math

import polars as pl

Z_95 = 1.959963984540054
SMALL_BASE = 20


def wilson_interval(successes: int, trials: int, *, z: float = Z_95) -> tuple[float, float] | None:
    """The Wilson score interval of ``successes`` out of ``trials`` (None when there are no trials)."""
    if trials <= 0:
        return None
    p = successes / trials
    denominator = 1 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denominator
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def with_intervals(frame: pl.DataFrame, *, count: str, base: str, suffix: str = "") -> pl.DataFrame:
    """``frame`` plus ci_low/ci_high (Wilson 95%, as fractions) and small_base (base under 20 trials).

    The same vectorised formula as ``wilson_interval``; a row with no base gets nulls.
    """
    n = pl.col(base).cast(pl.Float64)
    p = pl.col(count).cast(pl.Float64) / n
    z2 = Z_95 * Z_95
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = Z_95 * ((p * (1 - p) / n + z2 / (4 * n * n)).sqrt()) / (1 + z2 / n)
    valid = n > 0
    return frame.with_columns(
        pl.when(valid).then((centre - half).clip(0.0, 1.0)).alias(f"ci_low{suffix}"),
        pl.when(valid).then((centre + half).clip(0.0, 1.0)).alias(f"ci_high{suffix}"),
        (pl.col(base) < SMALL_BASE).alias(f"small_base{suffix}"),
    )


def share_label(count: int, base: int) -> str:
    """How a share reads on a chart: "61% (50)", with "n<20" when the base is small."""
    if base <= 0:
        return "–"
    return f"{count / base:.0%} ({count:,})" + (f" n={base}<{SMALL_BASE}" if base < SMALL_BASE else "")
