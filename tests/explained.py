"""The theme classifier's rows for many criteria on their text alone, classified in one batch.

Each `explain(text)` call pays the classifier's fixed cost (one polars pipeline for one row); the
parametrised theme tests name about a thousand criteria. tests/conftest.py registers every `text`
parameter of the collected tests here, and the first lookup classifies them all in one call, as
ingest classifies a batch (test_theme_routing.py checks that classifying in parts and at once give
the same rows). A text that was not registered is explained on its own.
"""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl

from eligibility.build.themes import Explained, classify_frame, explain

_registered: set[str] = set()
_rows: dict[str, list[Explained]] = {}


def register(texts: Iterable[str]) -> None:
    _registered.update(texts)


def explained(text: str) -> list[Explained]:
    """What `explain(text)` gives, from the batch of every registered text."""
    if text in _registered and text not in _rows:
        batch = sorted(_registered - _rows.keys())
        frame = pl.DataFrame(
            {"criterion_id": range(len(batch)), "text": batch}, schema={"criterion_id": pl.Int64, "text": pl.Utf8}
        )
        by_id: dict[int, list[Explained]] = {position: [] for position in range(len(batch))}
        for row in classify_frame(frame).iter_rows(named=True):
            by_id[row.pop("criterion_id")].append(Explained(**row))
        _rows.update({batch[position]: rows for position, rows in by_id.items()})
    return _rows[text] if text in _rows else explain(text)
