"""The normalised study record every reader produces, and the problems ingest reports."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

NCT_ID_RE = re.compile(r"^NCT\d{8}$")
NCT_ID_FORMAT = "NCT + 8 digits"
STUDY_URL = "https://clinicaltrials.gov/study/"


def study_url(nct_id: str) -> str:
    """The study's page on ClinicalTrials.gov (the database's ``studies.url`` holds the same)."""
    return STUDY_URL + nct_id


@dataclass(slots=True)
class StudyRecord:
    """One study as read from one source record, before merging by NCT ID.

    Everything after the readers works on this record only; nothing downstream
    knows which format it came from except through ``source_format``.
    """

    nct_id: str
    source_file: str
    source_record: str
    source_format: str  # "ctgov-v2-json" | "ctgov-classic-xml" | "eligibility-text"
    title: str | None = None
    official_title: str | None = None
    conditions: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    phases: list[str] = field(default_factory=list)
    overall_status: str | None = None
    study_type: str | None = None
    last_update: str | None = None  # ISO date (YYYY-MM-DD), the record's last-update date
    criteria_text: str | None = None
    sex_raw: str | None = None
    healthy_volunteers_raw: str | bool | None = None
    minimum_age_raw: str | None = None
    maximum_age_raw: str | None = None
    std_ages_raw: list[str] | None = None
    # Time and design fields (v2 JSON and classic XML; the text export has none): as written.
    start_date_raw: str | None = None
    first_posted_raw: str | None = None
    primary_completion_raw: str | None = None
    sponsor_class_raw: str | None = None
    enrollment_raw: object = None
    countries: list[str] = field(default_factory=list)
    primary_purpose_raw: str | None = None
    truncated: bool = False


@dataclass(frozen=True, slots=True)
class Problem:
    """A rejected record or a data-quality warning: where it was and why."""

    kind: str  # "rejected" | "warning"
    file: str
    record: str
    reason: str
    nct_id: str | None = None
