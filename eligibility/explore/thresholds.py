"""Reshaping for the Thresholds page and Trial detail: the rows of ``queries/threshold_*.sql``
turned into labelled series, bars, strictest and most lenient ends, and a cohort comparison.

A *series* is one measure, bound and unit ("maximum bilirubin in xULN"). Units are never
converted into each other, so mg/dL and xULN limits of one measure are separate series.
"""

from __future__ import annotations

import re

import polars as pl

from eligibility.build.thresholds import USUAL_BOUND

MEASURE_LABELS = {
    "ecog": "ECOG performance status",
    "karnofsky": "Karnofsky performance status",
    "lansky": "Lansky play-performance",
    "life_expectancy": "Life expectancy",
    "bilirubin": "Bilirubin",
    "ast_alt": "AST/ALT",
    "creatinine": "Creatinine",
    "creatinine_clearance": "Creatinine clearance / GFR",
    "lvef": "LVEF",
    "shortening_fraction": "Shortening fraction",
    "anc": "ANC",
    "platelets": "Platelets",
    "hemoglobin": "Hemoglobin",
    "age": "Age stated in the text",
}
# Short names for chips: "bilirubin ≤ 1.5 xULN".
_SHORT = {
    "ecog": "ECOG",
    "karnofsky": "Karnofsky",
    "lansky": "Lansky",
    "life_expectancy": "life expectancy",
    "ast_alt": "AST/ALT",
    "creatinine_clearance": "CrCl/GFR",
    "lvef": "LVEF",
    "shortening_fraction": "SF",
    "anc": "ANC",
}
_BOUND_WORDS = {"max": "Maximum", "min": "Minimum"}
_BOUND_SIGNS = {"max": "≤", "min": "≥"}
BAR_SEPARATOR = "|"


def measure_label(measure: str) -> str:
    return MEASURE_LABELS.get(measure, measure)


def trials(n: int) -> str:
    """ "1 trial", "1,234 trials"."""
    return f"{n:,} trial" + ("" if n == 1 else "s")


def unusual_direction(measure: str, bound: str) -> bool:
    """A minimum where the measure's usual bound is a maximum, or the reverse (a heart-failure trial's "LVEF < 40%")."""
    return USUAL_BOUND.get(measure, bound) != bound


# Durations are stored in weeks (life expectancy) or years (age); a value the text gave in another
# unit ("3 months" = 13.035 weeks) is also shown in that unit. Per stored unit: (name, units per stored unit).
_AS_WRITTEN = {
    "weeks": (("year", 1 / 52.18), ("month", 1 / 4.345), ("day", 7.0)),
    "years": (("month", 12.0), ("week", 52.18), ("day", 365.25)),
}


def _as_written(value: float, unit: str) -> str:
    """ " (3 months)" where a fractional duration is a whole number of another unit, else ""."""
    if unit not in _AS_WRITTEN or value <= 0 or abs(value - round(value)) < 1e-6:
        return ""
    for name, factor in _AS_WRITTEN[unit]:
        count = value * factor
        if round(count) >= 1 and abs(count - round(count)) <= 0.01:
            return f" ({round(count)} {name}{'' if round(count) == 1 else 's'})"
    return ""


def format_value(value: float, unit: str) -> str:
    """A value with its unit, as a researcher writes it: "1.5 xULN", "100,000 /uL", "60%",
    "13.04 weeks (3 months)"."""
    number = f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4g}"
    if unit == "%":
        return f"{number}%"
    if unit == "points":
        return number
    if number == "1" and unit in _AS_WRITTEN:
        unit = unit.removesuffix("s")
    return f"{number} {unit}{_as_written(value, unit)}"


def series_label(measure: str, bound: str, unit: str) -> str:
    """ "Maximum bilirubin (xULN)"."""
    name = measure_label(measure)
    name = name if name.isupper() or name[:2].isupper() else name[0].lower() + name[1:]
    return f"{_BOUND_WORDS.get(bound, bound)} {name} ({unit})"


def series_slug(measure: str, bound: str, unit: str) -> str:
    """ "bilirubin max mg-dL": a series named safely for a file name."""
    return f"{measure} {bound} " + re.sub(r"[^A-Za-z0-9]+", "-", unit.replace("%", "percent")).strip("-")


def fact_label(measure: str, bound: str, value: float, unit: str) -> str:
    """ "bilirubin ≤ 1.5 xULN", "age ≥ 1 years": one fact as a chip."""
    return f"{_SHORT.get(measure, measure)} {_BOUND_SIGNS.get(bound, bound)} {format_value(value, unit)}"


def bar_key(bound: str, unit: str, value: float) -> str:
    """The identity of one bar of a measure (what a click and the bar picker share)."""
    return BAR_SEPARATOR.join((bound, unit, repr(float(value))))


def parse_bar(key: str) -> tuple[str, str, float]:
    bound, unit, value = key.split(BAR_SEPARATOR)
    return bound, unit, float(value)


def coverage_table(coverage: pl.DataFrame) -> pl.DataFrame:
    """threshold_coverage.sql rows with a label and a percentage, most stated first."""
    return coverage.with_columns(
        pl.col("measure").replace_strict(MEASURE_LABELS, default=pl.col("measure")).alias("label"),
        (pl.col("share").fill_null(0) * 100).round(1).alias("percent"),
    )


def measure_bars(distribution: pl.DataFrame, measure: str) -> pl.DataFrame:
    """One measure's bars from threshold_distribution.sql: one row per series and value, each with
    its series label, value label, bar key and ``rank`` (1 = the strictest value of its series:
    the lowest maximum or the highest minimum)."""
    rows = distribution.filter(pl.col("measure") == measure)
    strictness = pl.when(pl.col("bound") == "max").then(pl.col("value")).otherwise(-pl.col("value"))
    return (
        rows.with_columns(
            pl.struct("bound", "unit")
            .map_elements(lambda s: series_label(measure, s["bound"], s["unit"]), return_dtype=pl.String)
            .alias("series"),
            pl.struct("value", "unit")
            .map_elements(lambda s: format_value(s["value"], s["unit"]), return_dtype=pl.String)
            .alias("value_label"),
            pl.struct("bound", "unit", "value")
            .map_elements(lambda s: bar_key(s["bound"], s["unit"], s["value"]), return_dtype=pl.String)
            .alias("bar"),
            (pl.col("share") * 100).round(1).alias("percent"),
            strictness.rank("ordinal").over("bound", "unit").cast(pl.UInt32).alias("rank"),
        )
        .sort("bound", "unit", "rank")
        .select(
            "measure",
            "bound",
            "unit",
            "series",
            "value",
            "value_label",
            "trials",
            "trials_stating",
            "percent",
            "rank",
            "bar",
        )
    )


def series_order(bars: pl.DataFrame) -> list[str]:
    """The series of a measure, the most stated first."""
    stating = (
        bars.group_by("series").agg(pl.col("trials_stating").first()).sort(["trials_stating", "series"], descending=[True, False])
    )
    return stating["series"].to_list()


def bar_labels(bars: pl.DataFrame) -> dict[str, str]:
    """Each bar's key and its label ("Maximum bilirubin (xULN): 1.5 xULN"), series by series as drawn."""
    return {
        row["bar"]: f"{row['series']}: {row['value_label']}"
        for series in series_order(bars)
        for row in bars.filter(pl.col("series") == series).iter_rows(named=True)
    }


def extremes(bars: pl.DataFrame) -> pl.DataFrame:
    """Per series: the strictest and the most lenient value, and how many trials set each."""
    return (
        bars.group_by("series", "bound", "unit", maintain_order=True)
        .agg(
            pl.col("trials_stating").first(),
            pl.col("value").first().alias("strictest"),
            pl.col("value_label").first().alias("strictest_label"),
            pl.col("trials").first().alias("strictest_trials"),
            pl.col("value").last().alias("most_lenient"),
            pl.col("value_label").last().alias("most_lenient_label"),
            pl.col("trials").last().alias("most_lenient_trials"),
        )
        .sort("trials_stating", descending=True, maintain_order=True)
    )


def compare_bars(bars_a: pl.DataFrame, bars_b: pl.DataFrame, *, name_a: str, name_b: str) -> pl.DataFrame:
    """Two cohorts' bars of one measure, one row per (series, value, cohort); a value only one cohort
    sets shows 0 trials for the other. ``percent`` is out of the cohort's trials stating that series."""
    keys = pl.concat([bars_a, bars_b]).select("series", "bound", "unit", "value", "value_label").unique(["series", "value"])
    strictness = pl.when(pl.col("bound") == "max").then(pl.col("value")).otherwise(-pl.col("value"))
    keys = keys.with_columns(strictness.rank("ordinal").over("series").cast(pl.UInt32).alias("rank"))
    sides = []
    for cohort, name, bars in (("A", name_a, bars_a), ("B", name_b, bars_b)):
        stating = bars.group_by("series").agg(pl.col("trials_stating").first())
        sides.append(
            keys.join(bars.select("series", "value", "trials"), on=["series", "value"], how="left")
            .join(stating, on="series", how="left")
            .with_columns(
                pl.lit(cohort).alias("cohort"),
                pl.lit(name).alias("cohort_filters"),
                pl.col("trials").fill_null(0),
                pl.col("trials_stating").fill_null(0),
            )
            .with_columns((pl.col("trials") / pl.col("trials_stating") * 100).fill_nan(0).round(1).alias("percent"))
        )
    return (
        pl.concat(sides)
        .sort("series", "rank", "cohort")
        .select(
            "series",
            "bound",
            "unit",
            "value",
            "value_label",
            "rank",
            "cohort",
            "cohort_filters",
            "trials",
            "trials_stating",
            "percent",
        )
    )


def stating(coverage: pl.DataFrame, measure: str) -> tuple[int, int]:
    """(trials stating the measure, matching trials) from threshold_coverage.sql."""
    row = coverage.filter(pl.col("measure") == measure)
    if row.is_empty():
        return 0, 0
    return int(row["trials"][0]), int(row["matching_studies"][0])


def facts_by_criterion(facts: pl.DataFrame) -> dict[int, list[str]]:
    """threshold_trial.sql rows as chip labels per criterion id."""
    labelled: dict[int, list[str]] = {}
    for row in facts.iter_rows(named=True):
        labelled.setdefault(row["criterion_id"], []).append(fact_label(row["measure"], row["bound"], row["value"], row["unit"]))
    return labelled


def age_range(minimum: float | None, maximum: float | None) -> str:
    """ "1–21 years", "18+ years", "up to 39 years", "no limit"."""
    if minimum is None and maximum is None:
        return "no limit"
    if maximum is None:
        return f"{minimum:.4g}+ years"
    if minimum is None:
        return f"up to {maximum:.4g} years"
    return f"{minimum:.4g}–{maximum:.4g} years"
