"""Confidence intervals for shares and for the difference between two shares.

The difference uses Newcombe's hybrid score interval (method 10 in Newcombe RG,
"Interval estimation for the difference between independent proportions:
comparison of eleven methods", Statistics in Medicine 1998;17:873-890): each
share gets a Wilson score interval without continuity correction, and the
distances from each share to its limits are combined. Unlike the simple Wald
interval it stays inside [-1, 1] and behaves at shares of 0 and 1.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

Z_95 = 1.959963984540054  # the 97.5th percentile of the standard normal


def wilson_interval(successes: int, total: int, *, z: float = Z_95) -> tuple[float, float]:
    """Wilson score interval for ``successes / total`` (total > 0)."""
    if total <= 0 or not 0 <= successes <= total:
        raise ValueError(f"need 0 <= successes <= total and total > 0; got {successes}/{total}")
    p = successes / total
    centre = 2 * total * p + z * z
    spread = z * math.sqrt(z * z + 4 * total * p * (1 - p))
    denominator = 2 * (total + z * z)
    return max(0.0, (centre - spread) / denominator), min(1.0, (centre + spread) / denominator)


@dataclass(frozen=True, slots=True)
class Difference:
    """``share_a - share_b`` with its 95% interval (all as proportions)."""

    share_a: float
    share_b: float
    difference: float
    low: float
    high: float


def newcombe_difference(x_a: int, n_a: int, x_b: int, n_b: int, *, z: float = Z_95) -> Difference:
    """Newcombe's hybrid score interval (method 10) for ``x_a/n_a - x_b/n_b``."""
    p_a, p_b = x_a / n_a, x_b / n_b
    low_a, high_a = wilson_interval(x_a, n_a, z=z)
    low_b, high_b = wilson_interval(x_b, n_b, z=z)
    difference = p_a - p_b
    return Difference(
        share_a=p_a,
        share_b=p_b,
        difference=difference,
        low=difference - math.sqrt((p_a - low_a) ** 2 + (high_b - p_b) ** 2),
        high=difference + math.sqrt((high_a - p_a) ** 2 + (p_b - low_b) ** 2),
    )
