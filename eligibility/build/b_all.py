"""Which studies are about B-cell acute lymphoblastic leukemia (B-ALL); ``DEFINITION`` states the rule."""

from __future__ import annotations

import re
from collections.abc import Iterable

# The rule as users read it (Overview, sidebar help, README); the code below implements it.
DEFINITION = (
    "B-ALL studies are those whose conditions, keywords or title name B-cell or precursor-B ALL, or acute "
    "lymphoblastic (lymphocytic, lymphoid) leukemia without restricting it to T-cell ALL; multi-disease trials that "
    "include ALL count. Records with no conditions and no title (the plain-text export) are judged by the diagnosis "
    "their inclusion criteria require; mentions of ALL in exclusion criteria do not count."
)
PRESETS_DEFINITION = (
    "Pediatric B-ALL: B-ALL studies accepting participants under 18. AYA B-ALL: B-ALL studies whose age range "
    "overlaps the AYA window (15–39 by default)."
)

# T-cell ALL named on its own; removed before looking for ALL that may be B-lineage.
_T_ALL = re.compile(
    r"\bT[- ]?(?:cell|lineage|lymphoblastic)?[- ]?(?:acute[- ]lymph\w*[- ]leuk\w*|lymphoblastic[- ]leuk\w*|ALL\b)"
    r"|\bT[- ]ALL\b",
    re.IGNORECASE,
)
_ALL_PHRASES = re.compile(
    r"\bacute[- ]lympho(?:blastic|cytic|id)[- ]leuk\w*"
    r"|\blymphoblastic[- ]leuk\w*"
    r"|\bleuk\w*,?[- ](?:acute,?[- ])?lympho(?:blastic|cytic|id),?[- ]acute"
    r"|\bleuk\w*,?[- ]acute[- ]lympho(?:blastic|cytic|id)"
    r"|\bprecursor[- ]B\b|\bpre[- ]?B[- ]?(?:cell[- ])?(?:ALL|acute)"
    r"|\bB[- ]?(?:cell[- ])?(?:precursor[- ])?(?:acute[- ])?lymphoblastic\b",
    re.IGNORECASE,
)
# "ALL" as an acronym only in capitals ("all patients" is not leukemia), and not
# in text written wholly in capitals, where "ALL" is just a word.
_B_ALL_ACRONYM = re.compile(r"(?<![A-Za-z])(?:B|pre-?B|BCP|B-cell|B-lineage|B-precursor)[- ]?ALL(?![A-Za-z])")
_ALL_ACRONYM = re.compile(r"(?<![A-Za-z-])ALL(?![A-Za-z])")


def _shouting(text: str) -> bool:
    return text.upper() == text and len(text.split()) > 3


def find_b_all(text: str | None) -> str | None:
    """The phrase that makes ``text`` name (B-)ALL, or None."""
    if not text:
        return None
    remaining = _T_ALL.sub(" ", text)
    match = _ALL_PHRASES.search(remaining) or _B_ALL_ACRONYM.search(remaining)
    if match is None and not _shouting(remaining):
        match = _ALL_ACRONYM.search(remaining)
    return match.group(0) if match else None


def b_all_basis(
    *,
    title: str | None,
    official_title: str | None,
    conditions: Iterable[str],
    keywords: Iterable[str],
    inclusion_texts: Iterable[str],
) -> str | None:
    """Where the study names B-ALL, e.g. "condition: Acute Lymphoblastic Leukemia", else None."""
    conditions = list(conditions)
    for label, texts in (
        ("condition", conditions),
        ("keyword", list(keywords)),
        ("title", [t for t in (title, official_title) if t]),
    ):
        for text in texts:
            found = find_b_all(text)
            if found:
                return f"{label}: {text}"
    if conditions or title or official_title:
        return None
    for text in inclusion_texts:
        found = find_b_all(text)
        if found:
            return f"inclusion criterion: …{found}…"
    return None
