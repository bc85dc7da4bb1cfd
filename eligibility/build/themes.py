"""Exclusion-theme classifier: tags each exclusion criterion with the themes it is about.

The taxonomy and its cue patterns live in `themes_rules.toml` so a researcher can
read and edit them; this module only loads those rules and applies them to a whole
column of criteria at once with polars regular expressions.
"""

from __future__ import annotations

import functools
import json
import re
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

import polars as pl

RULES_PATH = Path(__file__).with_name("themes_rules.toml")

# Masked phrases are replaced by this character, which no cue matches as a word,
# so a cue can neither match inside a masked phrase nor run across one.
_MASK = "\x00"


@dataclass(frozen=True)
class ThemeRule:
    """One theme of the taxonomy and the patterns that detect it."""

    id: str
    label: str
    description: str
    cues: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    unless: tuple[str, ...] = ()

    @property
    def is_fallback(self) -> bool:
        """The theme without cues (`other`) is what a criterion gets when nothing fits."""
        return not self.cues

    @property
    def cue_patterns(self) -> list[str]:
        # Group 1 is the cue itself; the delimiters around it stand in for word
        # boundaries that also work for cues beginning or ending with a symbol (Ph+).
        # A hyphen before the cue joins it to the previous word, so that "CSF" is not
        # found in "G-CSF" nor "HIV" in "anti-HIV".
        return [_ascii_words(rf"(?i)(?:^|[^\w-])({group})(?:\W|$)") for group in _cue_groups(self.cues)]

    @property
    def ignore_pattern(self) -> str:
        return _ascii_words(rf"(?i)\b(?:{'|'.join(self.ignore)})")

    @property
    def unless_pattern(self) -> str:
        return _ascii_words(rf"(?i)\b(?:{'|'.join(self.unless)})")


def _cue_groups(cues: tuple[str, ...]) -> list[str]:
    r"""Cue entries joined into as few regexes as stay fast.

    Plain word lists share one regex (one scan of the text). An entry with a bounded
    repetition such as (?:\w+\s+){0,4} keeps its own: joined with others, the regex
    engine's automaton outgrows its cache and the scan runs several times slower.
    """
    plain = [cue for cue in cues if "{" not in cue]
    repeated = [cue for cue in cues if "{" in cue]
    return (["|".join(plain)] if plain else []) + repeated


def _ascii_words(pattern: str) -> str:
    r"""Make \w and \W ASCII-only, as the rules file documents.

    Unicode word classes under case-insensitivity make the regex engine's automaton
    too large to cache, which slows classification some thirty-fold; the criteria are
    English, so letters outside ASCII never need to count as word characters. Inside
    a character class the replacement nests (`[^\w-]` -> `[^[0-9A-Za-z_]-]`), which
    Rust's regex syntax allows.
    """
    return _ESCAPED_WORD_CLASS.sub(lambda m: m[1] + _ASCII_CLASS[m[2]], pattern)


_ASCII_CLASS = {"w": "[0-9A-Za-z_]", "W": "[^0-9A-Za-z_]"}
# \w or \W preceded by an even number of backslashes (so not an escaped "\\w").
_ESCAPED_WORD_CLASS = re.compile(r"((?<!\\)(?:\\\\)*)\\([wW])")


def load_rules(path: Path | None = None) -> list[ThemeRule]:
    """Read the taxonomy from TOML, in file order, checking every pattern compiles."""
    path = path or RULES_PATH
    with path.open("rb") as handle:
        try:
            raw = tomllib.load(handle)
        except tomllib.TOMLDecodeError as exc:
            raise ValueError(f"{path}: not valid TOML: {exc}") from exc
    rules = []
    for index, entry in enumerate(raw.get("theme", []), start=1):
        try:
            rule = ThemeRule(
                id=entry["id"],
                label=entry["label"],
                description=entry["description"],
                cues=tuple(entry.get("cues", ())),
                ignore=tuple(entry.get("ignore", ())),
                unless=tuple(entry.get("unless", ())),
            )
        except KeyError as exc:
            raise ValueError(f"{path}: theme #{index} lacks the key {exc}") from exc
        _check_patterns(rule, path)
        rules.append(rule)
    fallbacks = [rule.id for rule in rules if rule.is_fallback]
    if len(fallbacks) != 1:
        raise ValueError(f"{path}: need exactly one theme without cues, found {fallbacks}")
    if len({rule.id for rule in rules}) != len(rules):
        raise ValueError(f"{path}: theme ids are not unique")
    return rules


@functools.cache
def _default_rules() -> list[ThemeRule]:
    # Reading and checking the rules compiles every pattern; explain() on one
    # criterion at a time would otherwise pay that on each call.
    return load_rules()


def _check_patterns(rule: ThemeRule, path: Path) -> None:
    # polars uses Rust's regex engine (no look-around, no back-references), so the
    # patterns are checked with it rather than with Python's `re`.
    for kind, patterns in (("cues", rule.cues), ("ignore", rule.ignore), ("unless", rule.unless)):
        for pattern in patterns:
            try:
                pl.select(pl.lit("").str.contains(_ascii_words(f"(?i)(?:{pattern})")))
            except pl.exceptions.ComputeError as exc:
                raise ValueError(f"{path}: theme {rule.id!r}, {kind} pattern {pattern!r}: {exc}") from exc


def _first_cue(text: pl.Expr, rule: ThemeRule) -> pl.Expr:
    """A cue of `rule` found in `text` (from the first cue group that matches), or null."""
    return pl.coalesce(text.str.extract(pattern, 1) for pattern in rule.cue_patterns)


def _apply_suppression(found: pl.DataFrame, rule: ThemeRule) -> pl.DataFrame:
    """Re-find the cue of `rule` with its ignored phrases masked, and drop `unless` matches."""
    if rule.ignore:
        # Only criteria that contain an ignored phrase are searched again, as the
        # search of a text known to match is the costly part.
        masked = found.with_columns(_masked=pl.col("text").str.replace_all(rule.ignore_pattern, _MASK))
        changed = pl.col("_masked") != pl.col("text")
        found = pl.concat(
            [
                masked.filter(~changed),
                masked.filter(changed).with_columns(cue=_first_cue(pl.col("_masked"), rule)),
            ]
        ).drop("_masked")
    if rule.unless:
        found = found.filter(~pl.col("text").str.contains(rule.unless_pattern))
    return found.drop_nulls("cue")


def classify_frame(items: pl.DataFrame, *, rules: list[ThemeRule] | None = None) -> pl.DataFrame:
    """One row per (criterion, theme) with the matched cue; `other` (cue "") when nothing fits.

    `items` has columns `criterion_id` and `text`. Rows come out in input order and,
    within a criterion, in taxonomy order.
    """
    rules = rules or _default_rules()
    cued = {rule.id: rule for rule in rules if not rule.is_fallback}
    fallback = next(rule for rule in rules if rule.is_fallback)
    rank = {rule.id: position for position, rule in enumerate(rules)}

    frame = items.select(
        pl.col("criterion_id").cast(pl.Int64),
        pl.col("text").fill_null(""),
    ).with_row_index("_row")
    # Every criterion is scanned once per theme on its raw text. The ignore and
    # unless rules then run only on the few criteria where a theme's cue was found,
    # which keeps masking (a full string rewrite) off most of the column.
    candidates = (
        frame.with_columns(_first_cue(pl.col("text"), rule).alias(theme) for theme, rule in cued.items())
        .unpivot(list(cued), index=["_row", "criterion_id", "text"], variable_name="theme", value_name="cue")
        .drop_nulls("cue")
    )
    parts = [
        _apply_suppression(part, cued[theme]) if cued[theme].ignore or cued[theme].unless else part
        for (theme,), part in candidates.partition_by("theme", as_dict=True).items()
    ]
    found = pl.concat(parts) if parts else candidates
    unmatched = frame.join(found, on="_row", how="anti").select(
        "_row", "criterion_id", "text", theme=pl.lit(fallback.id), cue=pl.lit("")
    )
    return (
        pl.concat([found, unmatched])
        .with_columns(_rank=pl.col("theme").replace_strict(rank, return_dtype=pl.Int32))
        .sort("_row", "_rank")
        .select("criterion_id", "theme", "cue")
    )


def themes_table(rules: list[ThemeRule] | None = None) -> pl.DataFrame:
    """The taxonomy in its own order, `other` included, for storing next to the tags."""
    rules = rules or _default_rules()
    return pl.DataFrame(
        {
            "theme": [rule.id for rule in rules],
            "label": [rule.label for rule in rules],
            "description": [rule.description for rule in rules],
        }
    )


def explain(text: str, *, rules: list[ThemeRule] | None = None) -> list[tuple[str, str]]:
    """The (theme, cue) pairs of a single criterion."""
    items = pl.DataFrame({"criterion_id": [0], "text": [text]}, schema={"criterion_id": pl.Int64, "text": pl.Utf8})
    tagged = classify_frame(items, rules=rules)
    return list(zip(tagged["theme"].to_list(), tagged["cue"].to_list(), strict=True))


def cmd_themes(text: str) -> int:
    """Print each theme of `text` with the words that triggered it."""
    rules = _default_rules()
    labels = {rule.id: rule.label for rule in rules}
    pairs = explain(text, rules=rules)
    width = max(len(theme) for theme, _ in pairs)
    for theme, cue in pairs:
        because = f'cue: "{cue}"' if cue else "no theme's cue matched"
        print(f"{theme:<{width}}  {labels[theme]}  ({because})")
    return 0


@dataclass(frozen=True)
class GoldItem:
    id: str
    text: str
    themes: frozenset[str]


class GoldFileError(ValueError):
    """A gold-standard file that cannot be read; the message names file, line and reason."""


def read_gold(path: Path, *, known_themes: set[str]) -> list[GoldItem]:
    """Read hand-labelled criteria (JSON lines with id, text, themes); blank lines are skipped."""
    items = []
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
            missing = [key for key in ("id", "text", "themes") if key not in record]
            if missing:
                raise GoldFileError(f"{where}: missing key(s) {', '.join(missing)}")
            text, themes = record["text"], record["themes"]
            if not isinstance(text, str):
                raise GoldFileError(f"{where}: 'text' must be a string")
            if not isinstance(themes, list) or not themes or not all(isinstance(t, str) for t in themes):
                raise GoldFileError(f"{where}: 'themes' must be a non-empty list of theme ids")
            unknown = sorted(set(themes) - known_themes)
            if unknown:
                raise GoldFileError(f"{where}: unknown theme(s) {', '.join(unknown)}")
            items.append(GoldItem(id=str(record["id"]), text=text, themes=frozenset(themes)))
    return items


def evaluation_table(gold: list[GoldItem], predicted: list[frozenset[str]], theme_ids: list[str]) -> pl.DataFrame:
    """Per-theme true/false positives, false negatives, precision, recall, F1 and support."""
    counts = {
        "theme": theme_ids,
        "tp": [sum(t in g.themes and t in p for g, p in zip(gold, predicted, strict=True)) for t in theme_ids],
        "fp": [sum(t not in g.themes and t in p for g, p in zip(gold, predicted, strict=True)) for t in theme_ids],
        "fn": [sum(t in g.themes and t not in p for g, p in zip(gold, predicted, strict=True)) for t in theme_ids],
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


def cmd_evaluate(gold_path: Path) -> int:
    """Score the classifier against a hand-labelled JSONL file and print the table."""
    rules = _default_rules()
    theme_ids = [rule.id for rule in rules]
    try:
        gold = read_gold(gold_path, known_themes=set(theme_ids))
    except (GoldFileError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    items = pl.DataFrame(
        {"criterion_id": range(len(gold)), "text": [item.text for item in gold]},
        schema={"criterion_id": pl.Int64, "text": pl.Utf8},
    )
    tagged = classify_frame(items, rules=rules).group_by("criterion_id").agg("theme")
    by_id = dict(zip(tagged["criterion_id"].to_list(), tagged["theme"].to_list(), strict=True))
    predicted = [frozenset(by_id[index]) for index in range(len(gold))]

    table = evaluation_table(gold, predicted, theme_ids)
    width = max(len(theme) for theme in theme_ids)
    print(f"{'theme':<{width}}  precision  recall     f1  support")
    for row in table.iter_rows(named=True):
        print(
            f"{row['theme']:<{width}}  {row['precision']:>9.3f}  {row['recall']:>6.3f}  {row['f1']:>5.3f}  {row['support']:>7d}"
        )
    micro, macro = summary_scores(table)
    print(f"micro_f1={micro:.3f} macro_f1={macro:.3f}")
    return 0
