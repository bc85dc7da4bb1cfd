"""Human labels for the registry's codes, for the screen; CSVs and URLs keep the codes."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

import polars as pl

_SPECIAL = {
    "ALL": "All",
    "NA": "Not applicable",
    "N_A": "Not applicable",  # classic XML writes "N/A"
    "EARLY_PHASE1": "Early phase 1",
    "ACTIVE_NOT_RECRUITING": "Active, not recruiting",
    "NOT STATED": "Not stated",
    "": "Not stated",
}
_PHASE = re.compile(r"PHASE(\d)")


def healthy_volunteers_label(accepts: bool | None) -> str:
    """The registry's healthy-volunteer flag as the Trials table and the Trial detail page both show it."""
    return "Not stated" if accepts is None else "Accepted" if accepts else "Patients only"


def healthy_volunteers_labels(column: str = "healthy_volunteers") -> pl.Expr:
    """`healthy_volunteers_label` over a boolean column, as an expression."""
    flag = pl.col(column)
    return (
        pl.when(flag)
        .then(pl.lit(healthy_volunteers_label(True)))
        .when(~flag)
        .then(pl.lit(healthy_volunteers_label(False)))
        .otherwise(pl.lit(healthy_volunteers_label(None)))
        .alias(column)
    )


def code_label(code: str | None) -> str:
    """ACTIVE_NOT_RECRUITING -> "Active, not recruiting", PHASE1/PHASE2 -> "Phase 1/2", OLDER_ADULT -> "Older adult"."""
    if code is None:
        return "Not stated"
    if code in _SPECIAL:
        return _SPECIAL[code]
    if code.startswith("PHASE"):
        return "Phase " + "/".join(_PHASE.findall(code))
    words = code.replace("_", " ").strip()
    return words[:1].upper() + words[1:].lower() if words.isupper() else words


def labelled(frame: pl.DataFrame, columns: Iterable[str], *, themes: Mapping[str, str] | None = None) -> pl.DataFrame:
    """``frame`` with the codes in ``columns`` replaced by their labels (list columns element-wise);
    a column whose name ends in "themes" is read through ``themes`` (theme id -> label)."""
    out = frame
    for column in columns:
        is_list = isinstance(out.schema[column], pl.List)
        values = out[column].explode() if is_list else out[column]
        if themes is not None and column.endswith("themes"):
            mapping = {v: themes.get(v, v) for v in values.drop_nulls().unique()}
        else:
            mapping = {v: code_label(v) for v in values.drop_nulls().unique()}
        expr = pl.element() if is_list else pl.col(column)
        replaced = expr.replace_strict(mapping, default=expr, return_dtype=pl.String)
        if not is_list and not column.endswith("themes"):
            replaced = replaced.fill_null(code_label(None))
        out = out.with_columns(pl.col(column).list.eval(replaced) if is_list else replaced.alias(column))
    return out
