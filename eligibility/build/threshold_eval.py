"""Score the threshold extractor on a labelled JSONL file, as ``shared/thresholds.md`` defines.

A predicted fact matches a labelled one when measure, bound and unit are equal
and the values differ by at most 2% (relative); each labelled fact is matched
at most once. Precision, recall and F1 are given per measure and over all
facts (micro).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from eligibility.build.thresholds import MEASURES, extract

TOLERANCE = 0.02


@dataclass(frozen=True, slots=True)
class LabelledFact:
    measure: str
    bound: str
    value: float
    unit: str


@dataclass(frozen=True, slots=True)
class LabelledItem:
    id: str
    section: str
    text: str
    facts: tuple[LabelledFact, ...]


def read_labelled(path: Path) -> list[LabelledItem]:
    """The items of a labelled file; a malformed line raises an error naming the file and line."""
    items = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            facts = tuple(LabelledFact(f["measure"], f["bound"], float(f["value"]), f["unit"]) for f in record.get("facts", []))
            items.append(LabelledItem(str(record.get("id", number)), record["section"], record["text"], facts))
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"{path}: line {number}: not a labelled item ({exc})") from exc
    return items


def _close(a: float, b: float) -> bool:
    if a == b:
        return True
    return abs(a - b) <= TOLERANCE * max(abs(a), abs(b))


def match_counts(labelled: tuple[LabelledFact, ...], predicted: list[LabelledFact]) -> list[tuple[str, str]]:
    """(measure, outcome) per fact: 'tp', 'fp' (predicted, unmatched) or 'fn' (labelled, unmatched)."""
    remaining = list(labelled)
    outcomes = []
    for fact in predicted:
        hit = next(
            (
                g
                for g in remaining
                if (g.measure, g.bound, g.unit) == (fact.measure, fact.bound, fact.unit) and _close(g.value, fact.value)
            ),
            None,
        )
        if hit is None:
            outcomes.append((fact.measure, "fp"))
        else:
            remaining.remove(hit)
            outcomes.append((fact.measure, "tp"))
    outcomes.extend((g.measure, "fn") for g in remaining)
    return outcomes


def _scores(tp: pl.Expr, fp: pl.Expr, fn: pl.Expr) -> list[pl.Expr]:
    precision = pl.when(tp + fp > 0).then(tp / (tp + fp)).otherwise(None)
    recall = pl.when(tp + fn > 0).then(tp / (tp + fn)).otherwise(None)
    f1 = pl.when(2 * tp + fp + fn > 0).then(2 * tp / (2 * tp + fp + fn)).otherwise(None)
    return [precision.alias("precision"), recall.alias("recall"), f1.alias("f1")]


def evaluate(items: list[LabelledItem]) -> tuple[pl.DataFrame, float]:
    """Per-measure table (tp, fp, fn, precision, recall, f1, support) and the micro F1."""
    outcomes = []
    for item in items:
        predicted = [LabelledFact(f.measure, f.bound, f.value, f.unit) for f in extract(item.text, item.section)]
        outcomes.extend(match_counts(item.facts, predicted))
    frame = pl.DataFrame(outcomes, schema={"measure": pl.Utf8, "outcome": pl.Utf8}, orient="row")
    counts = (
        pl.DataFrame({"measure": list(MEASURES)})
        .join(
            frame.group_by("measure", "outcome").len().pivot("outcome", index="measure", values="len"), on="measure", how="left"
        )
        .fill_null(0)
    )
    for column in ("tp", "fp", "fn"):
        if column not in counts.columns:
            counts = counts.with_columns(pl.lit(0, dtype=pl.UInt32).alias(column))
    table = counts.select(
        "measure",
        "tp",
        "fp",
        "fn",
        *_scores(pl.col("tp"), pl.col("fp"), pl.col("fn")),
        (pl.col("tp") + pl.col("fn")).alias("support"),
    )
    tp, fp, fn = (int(table[c].sum()) for c in ("tp", "fp", "fn"))
    micro = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 0.0
    return table, micro


def cmd_evaluate(path: Path) -> int:
    """Print the per-measure table and, as the last line, ``micro_f1=0.XXX``."""
    try:
        items = read_labelled(path)
    except (OSError, ValueError) as exc:
        print(f"error: {exc}")
        return 2
    table, micro = evaluate(items)
    print(f"{len(items)} labelled items in {path}")
    print(f"{'measure':<22}{'precision':>10}{'recall':>8}{'f1':>7}{'support':>9}{'tp':>5}{'fp':>5}{'fn':>5}")
    for row in table.iter_rows(named=True):
        cells = [f"{row[c]:.3f}" if row[c] is not None else "-" for c in ("precision", "recall", "f1")]
        print(
            f"{row['measure']:<22}{cells[0]:>10}{cells[1]:>8}{cells[2]:>7}{row['support']:>9}{row['tp']:>5}{row['fp']:>5}{row['fn']:>5}"
        )
    tp, fp, fn = (int(table[c].sum()) for c in ("tp", "fp", "fn"))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    print(f"{'all (micro)':<22}{precision:>10.3f}{recall:>8.3f}{micro:>7.3f}{tp + fn:>9}{tp:>5}{fp:>5}{fn:>5}")
    print(f"micro_f1={micro:.3f}")
    return 0
