"""The plain-text eligibility-module export ("Ignite"): `Key: value` lines after a fixed header.

A file may hold several documents one after another. A document cut off
before its closing lines keeps what it has; what is missing is reported and
left unknown, never filled in.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from eligibility.build.normalise import bad_nct_id, valid_nct_id
from eligibility.build.records import Problem, StudyRecord

FORMAT = "eligibility-text"
KEYS = (
    "Ignite Creation Date",
    "Ignite Modification Date",
    "NCT ID",
    "Eligibility Criteria",
    "Healthy Volunteers",
    "Sex",
    "Minimum Age",
    "Maximum Age",
    "Study",
    "Study Brief",
    "Protocol Section",
)
_LINE_RE = re.compile(r"^(" + "|".join(re.escape(k) for k in KEYS) + r"):[ \t]*(.*)$")
_HEADER = "Eligibility Module"
# The last line of a complete document; its absence means the document was cut off.
_CLOSING_KEY = "Protocol Section"


def _documents(text: str) -> Iterator[tuple[int, dict[str, str]]]:
    fields: dict[str, str] = {}
    start = 1
    last_key: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        match = _LINE_RE.match(line)
        starts_new = (line.strip() == _HEADER and "NCT ID" in fields) or (
            match is not None and match.group(1) in fields and match.group(1) != "Eligibility Criteria"
        )
        if starts_new:
            yield start, fields
            fields, start, last_key = {}, number, None
        if match is not None:
            last_key = match.group(1)
            fields[last_key] = match.group(2).strip()
        elif last_key == "Eligibility Criteria" and line.strip():
            # Criteria that kept their newlines continue until the next key.
            fields[last_key] += "\n" + line.rstrip()
    if fields:
        yield start, fields


def read(file: str, text: str) -> Iterator[StudyRecord | Problem]:
    found = False
    for line_number, fields in _documents(text):
        found = True
        record = f"document at line {line_number}"
        nct_id = fields.get("NCT ID")
        if not valid_nct_id(nct_id):
            yield Problem("rejected", file, record, bad_nct_id(nct_id))
            continue
        assert nct_id is not None
        record = f"{record} {nct_id}"
        truncated = _CLOSING_KEY not in fields
        if truncated:
            missing = [
                k for k in ("Eligibility Criteria", "Sex", "Minimum Age", "Maximum Age", "Healthy Volunteers") if k not in fields
            ]
            detail = f"; not present: {', '.join(missing)} (left unknown)" if missing else ""
            yield Problem(
                "warning",
                file,
                record,
                f"document is cut off before its closing lines; criteria may be incomplete{detail}",
                nct_id,
            )
        yield StudyRecord(
            nct_id=nct_id,
            source_file=file,
            source_record=record,
            source_format=FORMAT,
            last_update=fields.get("Ignite Modification Date") or fields.get("Ignite Creation Date"),
            criteria_text=fields.get("Eligibility Criteria") or None,
            sex_raw=fields.get("Sex") or None,
            healthy_volunteers_raw=fields.get("Healthy Volunteers") or None,
            minimum_age_raw=fields.get("Minimum Age") or None,
            maximum_age_raw=fields.get("Maximum Age") or None,
            truncated=truncated,
        )
    if not found:
        # The header alone (a document cut off right after it) would otherwise vanish without a trace.
        yield Problem(
            "rejected", file, "(file)", "no eligibility-module document: the file has no 'NCT ID:' or other field lines"
        )
