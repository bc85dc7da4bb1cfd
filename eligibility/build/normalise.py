"""Field normalisation shared by every reader: ages, sex, healthy volunteers, phases, status, dates.

Each function returns the normalised value and, where the input could not be
understood, a warning text; the caller attaches file and record to it.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

import polars as pl

from eligibility.build.b_all import b_all_basis
from eligibility.build.codes import PRIMARY_PURPOSES, SPONSOR_CLASSES
from eligibility.build.criteria import CriterionItem, split_criteria
from eligibility.build.records import NCT_ID_FORMAT, NCT_ID_RE, Problem, StudyRecord

# Conversion factors to years; the registry's units, any case, singular or plural.
_UNIT_YEARS: dict[str, float] = {
    "year": 1.0,
    "month": 1.0 / 12.0,
    "week": 7.0 / 365.25,
    "day": 1.0 / 365.25,
    "hour": 1.0 / (365.25 * 24.0),
    "minute": 1.0 / (365.25 * 24.0 * 60.0),
}
_AGE_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(year|month|week|day|hour|minute)s?\s*$", re.IGNORECASE)
_NO_LIMIT = {"", "n/a", "na", "none", "no limit"}
# Nobody is older than this; larger values are typos, not limits.
MAX_PLAUSIBLE_AGE_YEARS = 130.0

STD_AGE_GROUPS = ("CHILD", "ADULT", "OLDER_ADULT")
# Reasons quote the offending value; a hostile one (a megabyte "age") must not become a megabyte reason.
_SHOWN_CHARS = 80


def shown(value: object) -> str:
    """``repr(value)`` cut to a readable length, for warning and rejection reasons."""
    try:
        text = repr(value)
    except RecursionError:  # JSON nested just shallowly enough to be read can be too deep to print
        return f"<{type(value).__name__} nested too deeply to show>"
    return text if len(text) <= _SHOWN_CHARS else f"{text[: _SHOWN_CHARS - 1]}…"


def parse_age(raw: str | None) -> tuple[float | None, str | None]:
    """Return (years, warning). ``None`` years with no warning means "no limit"."""
    if raw is None:
        return None, None
    if not isinstance(raw, str):
        return None, f"age {shown(raw)} is not text"
    text = raw.strip()
    if text.lower() in _NO_LIMIT:
        return None, None
    match = _AGE_RE.match(text)
    if match is None:
        return None, f"age {shown(raw)} could not be parsed (expected a number and a unit such as '18 Years')"
    years = float(match.group(1)) * _UNIT_YEARS[match.group(2).lower()]
    if years > MAX_PLAUSIBLE_AGE_YEARS:
        return None, f"age {shown(raw)} is implausible (over {MAX_PLAUSIBLE_AGE_YEARS:.0f} years)"
    return years, None


def derive_std_ages(minimum: float | None, maximum: float | None) -> list[str]:
    """ClinicalTrials.gov's standard age groups by overlap: CHILD 0-17, ADULT 18-64, OLDER_ADULT 65+."""
    low = 0.0 if minimum is None else minimum
    high = float("inf") if maximum is None else maximum
    groups = []
    if low < 18.0:
        groups.append("CHILD")
    if low < 65.0 and high >= 18.0:
        groups.append("ADULT")
    if high >= 65.0:
        groups.append("OLDER_ADULT")
    return groups


def normalise_std_ages(raw: object) -> tuple[list[str] | None, str | None]:
    if raw is None:
        return None, None
    if not isinstance(raw, list) or not all(isinstance(v, str) for v in raw):
        return None, f"stdAges {shown(raw)} is not a list of text"
    groups = [v.strip().upper().replace(" ", "_") for v in raw]
    unknown = [g for g in groups if g not in STD_AGE_GROUPS]
    if unknown:
        return None, f"stdAges has unknown groups {shown(unknown)}"
    return [g for g in STD_AGE_GROUPS if g in groups], None


_SEX = {"all": "ALL", "both": "ALL", "female": "FEMALE", "male": "MALE"}


def normalise_sex(raw: object) -> tuple[str | None, str | None]:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None, None
    if not isinstance(raw, str):
        return None, f"sex {shown(raw)} is not text"
    value = _SEX.get(raw.strip().lower())
    if value is None:
        return None, f"sex {shown(raw)} is not one of All/Female/Male"
    return value, None


_TRUE = {"true", "yes", "accepts healthy volunteers", "y"}
_FALSE = {"false", "no", "n"}


def normalise_healthy_volunteers(raw: object) -> tuple[bool | None, str | None]:
    if raw is None:
        return None, None
    if isinstance(raw, bool):
        return raw, None
    if not isinstance(raw, str):
        return None, f"healthy volunteers {shown(raw)} is not true/false"
    text = raw.strip().lower()
    if not text:
        return None, None
    if text in _TRUE:
        return True, None
    if text in _FALSE:
        return False, None
    return None, f"healthy volunteers {shown(raw)} is not one of true/false/Yes/No"


_PHASE_RE = re.compile(r"(early\s+phase\s*1|phase\s*[0-4]|n/?a)", re.IGNORECASE)


def normalise_phases(raw: object) -> list[str]:
    """Phases in the v2 spelling (EARLY_PHASE1, PHASE1 ... PHASE4, NA) from v2 lists or XML text."""
    items = raw if isinstance(raw, list) else [raw] if isinstance(raw, str) else []
    phases: list[str] = []
    for item in items:
        if not isinstance(item, str):
            continue
        upper = item.strip().upper()
        if re.fullmatch(r"EARLY_PHASE1|PHASE[0-4]|NA", upper):
            phases.append(upper)
            continue
        for match in _PHASE_RE.findall(item):
            token = re.sub(r"\s+", "", match.upper())
            phases.append("EARLY_PHASE1" if token.startswith("EARLY") else "NA" if "N" in token else token)
    return list(dict.fromkeys(phases))


_STATUS_ALIASES = {"UNKNOWN_STATUS": "UNKNOWN", "AVAILABLE_FOR_EXPANDED_ACCESS": "AVAILABLE"}


def normalise_enum(raw: object) -> str | None:
    """'Active, not recruiting' -> 'ACTIVE_NOT_RECRUITING', as the v2 API spells its enums."""
    if not isinstance(raw, str) or not raw.strip():
        return None
    text = re.sub(r"\[.*?\]", "", raw)  # "Observational [Patient Registry]"
    token = re.sub(r"[^A-Z0-9]+", "_", text.strip().upper()).strip("_")
    return _STATUS_ALIASES.get(token, token) or None


_DATE_FORMATS = ("%Y-%m-%d", "%Y-%m", "%B %d, %Y", "%B %Y", "%b %d, %Y", "%b %Y")


def normalise_date(raw: object) -> date | None:
    """The date of the registry's spellings ('2023-10-23', '2023-10', 'June 23, 2005', '2025-12-25 @ 3:26 AM')."""
    if not isinstance(raw, str) or not raw.strip():
        return None
    text = raw.split("@")[0].strip()
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


_PARTIAL_DATE_FORMATS = (
    ("%Y-%m-%d", "day"),
    ("%Y-%m", "month"),
    ("%B %d, %Y", "day"),
    ("%B %Y", "month"),
    ("%b %d, %Y", "day"),
    ("%b %Y", "month"),
)


def normalise_partial_date(raw: object, *, what: str) -> tuple[date | None, str | None, str | None]:
    """(date, precision, warning) of a registry date written to the day or the month.

    A month-only date ('2013-04', 'February 1993') is the first of its month with
    precision 'month', so a reader can tell it from a true first of the month.
    """
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None, None, None
    if not isinstance(raw, str):
        return None, None, f"{what} {shown(raw)} is not text"
    text = raw.strip()
    for fmt, precision in _PARTIAL_DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date(), precision, None
        except ValueError:
            continue
    return None, None, f"{what} {shown(raw)} is not a date (expected e.g. '2017-10-02', '2017-10' or 'October 2017')"


_CODE_ALIASES = {"U_S_FED": "FED", "EDUCATIONAL_COUNSELING_TRAINING": "ECT"}


def normalise_code(raw: object, *, what: str, known: dict[str, str]) -> tuple[str | None, str | None]:
    """A registry code in the v2 spelling ('U.S. Fed' -> 'FED'); an unknown one is kept, with a warning."""
    if raw is not None and not isinstance(raw, str):
        return None, f"{what} {shown(raw)} is not text"
    code = normalise_enum(raw)
    if code is None:
        return None, None
    code = _CODE_ALIASES.get(code, code)[:40]
    return code, None if code in known else f"{what} {shown(raw)} is not a known code; kept as {code}"


MAX_ENROLLMENT = 10**12


def normalise_enrollment(raw: object) -> tuple[int | None, str | None]:
    """Planned or actual participants: a whole number (v2 gives a number, classic XML text)."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None, None
    if isinstance(raw, str) and raw.strip().isdigit() and len(raw.strip()) <= 13:
        raw = int(raw.strip())
    if isinstance(raw, float) and raw.is_integer() and abs(raw) <= MAX_ENROLLMENT:
        raw = int(raw)
    if isinstance(raw, bool) or not isinstance(raw, int) or not 0 <= raw <= MAX_ENROLLMENT:
        return None, f"enrollment {shown(raw)} is not a number of participants"
    return raw, None


def valid_nct_id(value: object) -> bool:
    return isinstance(value, str) and NCT_ID_RE.match(value) is not None


def bad_nct_id(value: object) -> str:
    """The rejection reason for a record whose NCT ID is missing or malformed."""
    return f"missing or malformed NCT ID {shown(value)} (expected {NCT_ID_FORMAT})"


RECORD_SCHEMA: dict[str, Any] = {
    "record_seq": pl.Int64,
    "nct_id": pl.Utf8,
    "source_file": pl.Utf8,
    "source_record": pl.Utf8,
    "source_format": pl.Utf8,
    "title": pl.Utf8,
    "official_title": pl.Utf8,
    "conditions": pl.List(pl.Utf8),
    "keywords": pl.List(pl.Utf8),
    "phases": pl.List(pl.Utf8),
    "overall_status": pl.Utf8,
    "study_type": pl.Utf8,
    "last_update": pl.Date,
    "criteria_text": pl.Utf8,
    "sex": pl.Utf8,
    "healthy_volunteers": pl.Boolean,
    "minimum_age_raw": pl.Utf8,
    "maximum_age_raw": pl.Utf8,
    "minimum_age_years": pl.Float64,
    "maximum_age_years": pl.Float64,
    "std_ages": pl.List(pl.Utf8),
    "std_ages_source": pl.Utf8,
    "record_complete": pl.Boolean,
    "b_all_basis": pl.Utf8,
    "start_date": pl.Date,
    "start_date_precision": pl.Utf8,
    "first_posted": pl.Date,
    "first_posted_precision": pl.Utf8,
    "primary_completion_date": pl.Date,
    "primary_completion_precision": pl.Utf8,
    "lead_sponsor_class": pl.Utf8,
    "enrollment": pl.Int64,
    "countries": pl.List(pl.Utf8),
    "primary_purpose": pl.Utf8,
}


def normalise_record(record: StudyRecord, seq: int, problems: list[Problem]) -> tuple[dict[str, Any], list[CriterionItem]]:
    """One record as a staged row (``RECORD_SCHEMA``) and its criteria items; warnings go to ``problems``."""

    def warn(reason: str | None) -> None:
        if reason:
            problems.append(Problem("warning", record.source_file, record.source_record, reason, record.nct_id))

    sex, reason = normalise_sex(record.sex_raw)
    warn(reason)
    healthy, reason = normalise_healthy_volunteers(record.healthy_volunteers_raw)
    warn(reason)
    min_raw, max_raw = record.minimum_age_raw, record.maximum_age_raw
    minimum, reason = parse_age(min_raw)
    warn(reason)
    maximum, reason = parse_age(max_raw)
    warn(reason)
    if minimum is not None and maximum is not None and minimum > maximum:
        warn(f"minimum age {min_raw!r} is above maximum age {max_raw!r}")
    std_ages, reason = normalise_std_ages(record.std_ages_raw)
    warn(reason)
    std_source = "record"
    if std_ages is None:
        std_ages, std_source = derive_std_ages(minimum, maximum), "derived"
    criteria_text = record.criteria_text
    if criteria_text is None:
        warn("no eligibility criteria text")
    try:
        items = split_criteria(criteria_text)
    except Exception as exc:  # a splitter bug must cost one study its items, never the ingest
        warn(f"criteria could not be split ({type(exc).__name__}: {exc}); kept as one unspecified item")
        items = [CriterionItem(1, "unspecified", criteria_text or "", None, 0, None)] if criteria_text else []
    dates: dict[str, Any] = {}
    for column, precision_column, raw, what in (
        ("start_date", "start_date_precision", record.start_date_raw, "start date"),
        ("first_posted", "first_posted_precision", record.first_posted_raw, "first-posted date"),
        ("primary_completion_date", "primary_completion_precision", record.primary_completion_raw, "primary completion date"),
    ):
        dates[column], dates[precision_column], reason = normalise_partial_date(raw, what=what)
        warn(reason)
    sponsor_class, reason = normalise_code(record.sponsor_class_raw, what="lead sponsor class", known=SPONSOR_CLASSES)
    warn(reason)
    purpose, reason = normalise_code(record.primary_purpose_raw, what="primary purpose", known=PRIMARY_PURPOSES)
    warn(reason)
    enrollment, reason = normalise_enrollment(record.enrollment_raw)
    warn(reason)
    inclusion = [i.text for i in items if i.section == "inclusion"] or [i.text for i in items if i.section == "unspecified"]
    row = {
        "record_seq": seq,
        "nct_id": record.nct_id,
        "source_file": record.source_file,
        "source_record": record.source_record,
        "source_format": record.source_format,
        "title": record.title,
        "official_title": record.official_title,
        "conditions": record.conditions,
        "keywords": record.keywords,
        "phases": normalise_phases(record.phases),
        "overall_status": normalise_enum(record.overall_status),
        "study_type": normalise_enum(record.study_type),
        "last_update": normalise_date(record.last_update),
        "criteria_text": criteria_text,
        "sex": sex,
        "healthy_volunteers": healthy,
        "minimum_age_raw": min_raw,
        "maximum_age_raw": max_raw,
        "minimum_age_years": minimum,
        "maximum_age_years": maximum,
        "std_ages": std_ages,
        "std_ages_source": std_source,
        "record_complete": not record.truncated,
        "b_all_basis": b_all_basis(
            title=record.title,
            official_title=record.official_title,
            conditions=record.conditions,
            keywords=record.keywords,
            inclusion_texts=inclusion,
        ),
        **dates,
        "lead_sponsor_class": sponsor_class,
        "enrollment": enrollment,
        "countries": sorted(set(record.countries)),
        "primary_purpose": purpose,
    }
    return row, items
