"""Measuring the theme classifier on hand-labelled criteria.

`evaluate-themes` reads JSON lines with `id`, `text` and `themes` (and, when the
file has them, the context fields `heading`, `parent_text`, `study_title` and
`study_conditions`), and prints per-theme precision, recall and F1.
`evaluate-conditional` reads JSON lines with `id`, `text` and `conditional` and
prints the precision and recall of calling a criterion conditional (any of its
themes conditional).
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import polars as pl

from eligibility.build.themes import classify_frame, default_rules

CONTEXT_FIELDS = ("heading", "parent_text", "study_title", "study_conditions")


@dataclass(frozen=True)
class GoldItem:
    id: str
    text: str
    nct_id: str = ""
    themes: frozenset[str] = frozenset()
    conditional: bool | None = None
    context: dict[str, str] = field(default_factory=dict)


class GoldFileError(ValueError):
    """A labelled file that cannot be read; the message names file, line and reason."""


def _records(path: Path, required: tuple[str, ...]) -> list[tuple[str, dict[str, Any]]]:
    records = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            where = f"{path}:{number}"
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise GoldFileError(f"{where}: not valid JSON ({exc.msg})") from exc
            if not isinstance(record, dict):
                raise GoldFileError(f"{where}: expected a JSON object")
            missing = [key for key in required if key not in record]
            if missing:
                raise GoldFileError(f"{where}: missing key(s) {', '.join(missing)}")
            if not isinstance(record["text"], str):
                raise GoldFileError(f"{where}: 'text' must be a string")
            records.append((where, record))
    return records


def _context(where: str, record: dict[str, Any]) -> dict[str, str]:
    context = {}
    for name in CONTEXT_FIELDS:
        value = record.get(name)
        if isinstance(value, list):
            value = "; ".join(str(part) for part in value)
        if value is not None and not isinstance(value, str):
            raise GoldFileError(f"{where}: '{name}' must be a string or a list of strings")
        if value:
            context[name] = value
    return context


def read_gold(path: Path, *, known_themes: set[str]) -> list[GoldItem]:
    """Read hand-labelled criteria (JSON lines with id, text, themes); blank lines are skipped."""
    items = []
    for where, record in _records(path, ("id", "text", "themes")):
        themes = record["themes"]
        if not isinstance(themes, list) or not themes or not all(isinstance(t, str) for t in themes):
            raise GoldFileError(f"{where}: 'themes' must be a non-empty list of theme ids")
        unknown = sorted(set(themes) - known_themes)
        if unknown:
            raise GoldFileError(f"{where}: unknown theme(s) {', '.join(unknown)}")
        items.append(
            GoldItem(
                id=str(record["id"]),
                text=record["text"],
                nct_id=str(record.get("nct_id") or ""),
                themes=frozenset(themes),
                context=_context(where, record),
            )
        )
    return items


def read_conditional(path: Path) -> list[GoldItem]:
    """Read criteria labelled whole or conditional (JSON lines with id, text, conditional)."""
    items = []
    for where, record in _records(path, ("id", "text", "conditional")):
        if not isinstance(record["conditional"], bool):
            raise GoldFileError(f"{where}: 'conditional' must be true or false")
        items.append(
            GoldItem(
                id=str(record["id"]),
                text=record["text"],
                nct_id=str(record.get("nct_id") or ""),
                conditional=record["conditional"],
                context=_context(where, record),
            )
        )
    return items


# The study's title and conditions, and the item's heading and parent item, for a
# labelled item that names its study but not its context.
_CONTEXT_SQL = """
select
    w.position,
    s.title as study_title,
    array_to_string(s.conditions, '; ') as study_conditions,
    c.heading,
    p.text as parent_text
from items as w
join studies as s on s.nct_id = w.nct_id
left join criteria as c on c.nct_id = w.nct_id and c.section = 'exclusion' and c.text = w.text
left join criteria as p on p.nct_id = c.nct_id and p.ordinal = c.parent_ordinal
qualify row_number() over (partition by w.position order by c.ordinal) = 1
"""


def with_study_context(gold: list[GoldItem], db: Path) -> list[GoldItem]:
    """Items that name their study (`nct_id`) but carry no context get it from the database at `db`."""
    from eligibility.explore.queries import connect

    bare = [(position, item) for position, item in enumerate(gold) if item.nct_id and not item.context]
    if not bare or not db.exists():
        return gold
    items = pl.DataFrame(
        {"position": [p for p, _ in bare], "nct_id": [i.nct_id for _, i in bare], "text": [i.text for _, i in bare]}
    )
    con = connect(db)
    try:
        con.register("items", items)
        found = con.sql(_CONTEXT_SQL).pl()
    finally:
        con.close()
    filled = list(gold)
    for row in found.iter_rows(named=True):
        context = {name: row[name] for name in CONTEXT_FIELDS if row[name]}
        filled[row["position"]] = replace(gold[row["position"]], context=context)
    return filled


def classify_gold(gold: list[GoldItem]) -> pl.DataFrame:
    """The classifier's rows for labelled items, `criterion_id` being the item's position in the file."""
    frame = pl.DataFrame(
        {
            "criterion_id": range(len(gold)),
            "text": [item.text for item in gold],
            "heading": [item.context.get("heading", "") for item in gold],
            "parent_text": [item.context.get("parent_text", "") for item in gold],
            "study_title": [item.context.get("study_title", "") for item in gold],
            "study_conditions": [item.context.get("study_conditions", "") for item in gold],
        },
        schema={"criterion_id": pl.Int64, "text": pl.Utf8, **dict.fromkeys(CONTEXT_FIELDS, pl.Utf8)},
    )
    return classify_frame(frame)


def evaluation_table(gold: list[GoldItem], predicted: list[frozenset[str]], theme_ids: list[str]) -> pl.DataFrame:
    """Per-theme true/false positives, false negatives, precision, recall, F1 and support."""
    pairs = list(zip(gold, predicted, strict=True))
    counts = {
        "theme": theme_ids,
        "tp": [sum(t in g.themes and t in p for g, p in pairs) for t in theme_ids],
        "fp": [sum(t not in g.themes and t in p for g, p in pairs) for t in theme_ids],
        "fn": [sum(t in g.themes and t not in p for g, p in pairs) for t in theme_ids],
    }
    return (
        pl.DataFrame(counts)
        .with_columns(support=pl.col("tp") + pl.col("fn"))
        .with_columns(
            precision=_ratio(pl.col("tp"), pl.col("tp") + pl.col("fp")),
            recall=_ratio(pl.col("tp"), pl.col("support")),
        )
        .with_columns(f1=_ratio(2 * pl.col("precision") * pl.col("recall"), pl.col("precision") + pl.col("recall")))
    )


def _ratio(numerator: pl.Expr, denominator: pl.Expr) -> pl.Expr:
    # An undefined ratio (nothing predicted, nothing expected) scores 0, as in scikit-learn.
    return pl.when(denominator > 0).then(numerator / denominator).otherwise(0.0)


def summary_scores(table: pl.DataFrame, *, min_support: int = 5) -> tuple[float, float]:
    """Micro-F1 over every label, and macro-F1 over themes with at least `min_support` examples."""
    tp, fp, fn = (table[column].sum() for column in ("tp", "fp", "fn"))
    micro = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 0.0
    supported = table.filter(pl.col("support") >= min_support)["f1"]
    macro = supported.mean() if supported.len() else 0.0
    return float(micro), float(macro)


def print_table(table: pl.DataFrame) -> None:
    width = max(len(theme) for theme in table["theme"])
    print(f"{'theme':<{width}}  precision  recall     f1  support")
    for row in table.iter_rows(named=True):
        print(
            f"{row['theme']:<{width}}  {row['precision']:>9.3f}  {row['recall']:>6.3f}  {row['f1']:>5.3f}  {row['support']:>7d}"
        )


def cmd_evaluate(gold_path: Path, *, db: Path | None = None) -> int:
    """Score the classifier against a hand-labelled JSONL file and print the table.

    With `db`, items that name their study but carry no context take it from there.
    """
    theme_ids = [rule.id for rule in default_rules().themes]
    try:
        gold = read_gold(gold_path, known_themes=set(theme_ids))
    except (GoldFileError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if db is not None:
        gold = with_study_context(gold, db)
    tagged = classify_gold(gold).group_by("criterion_id").agg("theme")
    by_id = dict(zip(tagged["criterion_id"].to_list(), tagged["theme"].to_list(), strict=True))
    predicted = [frozenset(by_id[index]) for index in range(len(gold))]
    table = evaluation_table(gold, predicted, theme_ids)
    print_table(table)
    micro, macro = summary_scores(table)
    print(f"micro_f1={micro:.3f} macro_f1={macro:.3f}")
    return 0


def conditional_flags(gold: list[GoldItem]) -> list[bool]:
    """The classifier's verdict per labelled item: conditional when any of its themes is."""
    flags = classify_gold(gold).group_by("criterion_id").agg(pl.col("conditional").any())
    by_id = dict(zip(flags["criterion_id"].to_list(), flags["conditional"].to_list(), strict=True))
    return [bool(by_id[index]) for index in range(len(gold))]


def flag_counts(predicted: list[bool], expected: list[bool]) -> tuple[int, int, int]:
    """True positives, false positives and false negatives of a yes/no verdict."""
    pairs = list(zip(predicted, expected, strict=True))
    return sum(p and e for p, e in pairs), sum(p and not e for p, e in pairs), sum(e and not p for p, e in pairs)


def flag_f1(predicted: list[bool], expected: list[bool]) -> float:
    tp, fp, fn = flag_counts(predicted, expected)
    return 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 0.0


def cmd_evaluate_conditional(gold_path: Path, *, db: Path | None = None) -> int:
    """Score whole versus conditional against a labelled JSONL file; last line conditional_f1=... accuracy=..."""
    try:
        gold = read_conditional(gold_path)
    except (GoldFileError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if db is not None:
        gold = with_study_context(gold, db)
    predicted = conditional_flags(gold)
    expected = [bool(item.conditional) for item in gold]
    tp, fp, fn = flag_counts(predicted, expected)
    correct = sum(p == e for p, e in zip(predicted, expected, strict=True))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    print(f"criteria: {len(gold)} (conditional {sum(expected)}, whole {len(gold) - sum(expected)})")
    print(f"predicted conditional: {tp + fp} (right {tp}, wrong {fp}); missed: {fn}")
    print(f"precision={precision:.3f} recall={recall:.3f}")
    print(f"conditional_f1={flag_f1(predicted, expected):.3f} accuracy={correct / len(gold) if gold else 0.0:.3f}")
    return 0
