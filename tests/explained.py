"""The theme classifier's rows for many criteria on their text alone, classified in one batch.

Each `explain(text)` call pays the classifier's fixed cost (one polars pipeline for one row); the
parametrised theme tests name about a thousand criteria. tests/conftest.py registers every `text`
parameter of the collected tests here, and the first lookup classifies them all with one
`explain_each` call, as ingest classifies a batch (test_theme_routing.py checks that classifying in
parts and at once give the same rows). A text that was not registered is explained on its own.
"""

from __future__ import annotations

from collections.abc import Iterable

from eligibility.build.themes import Explained, explain, explain_each

_registered: set[str] = set()
_rows: dict[str, list[Explained]] = {}


def register(texts: Iterable[str]) -> None:
    _registered.update(texts)


def explained(text: str) -> list[Explained]:
    """What `explain(text)` gives, from the batch of every registered text."""
    if text in _registered and text not in _rows:
        batch = sorted(_registered - _rows.keys())
        _rows.update(zip(batch, explain_each(batch), strict=True))
    return _rows[text] if text in _rows else explain(text)
