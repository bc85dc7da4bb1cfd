"""ClinicalTrials.gov API v2 JSON: arrays, API pages, single studies, JSON Lines."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from eligibility.normalise import valid_nct_id
from eligibility.records import Problem, StudyRecord

FORMAT = "ctgov-v2-json"
V1_MESSAGE = "unsupported format: ClinicalTrials.gov API v1 (classic API, retired in 2024); download the studies again as v2 JSON"


def _module(study: dict[str, Any], name: str) -> dict[str, Any]:
    protocol = study.get("protocolSection")
    module = protocol.get(name) if isinstance(protocol, dict) else None
    return module if isinstance(module, dict) else {}


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _text_list(value: Any) -> list[str]:
    return [v.strip() for v in value if isinstance(v, str) and v.strip()] if isinstance(value, list) else []


def _is_v1(obj: Any) -> bool:
    return isinstance(obj, dict) and (
        any(k in obj for k in ("FullStudiesResponse", "StudyFieldsResponse", "FullStudy"))
        or (isinstance(obj.get("Study"), dict) and "ProtocolSection" in obj["Study"])
        or "ProtocolSection" in obj
    )


def study_to_record(study: Any, *, file: str, record: str) -> StudyRecord | Problem:
    if _is_v1(study):
        return Problem("rejected", file, record, V1_MESSAGE)
    if not isinstance(study, dict):
        return Problem("rejected", file, record, f"a study must be a JSON object, found {type(study).__name__}")
    if not isinstance(study.get("protocolSection"), dict):
        return Problem("rejected", file, record, "no protocolSection: not a ClinicalTrials.gov v2 study")
    ident = _module(study, "identificationModule")
    nct_id = ident.get("nctId")
    if not valid_nct_id(nct_id):
        return Problem("rejected", file, record, f"missing or malformed NCT ID {nct_id!r} (expected NCT + 8 digits)")
    elig = _module(study, "eligibilityModule")
    status = _module(study, "statusModule")
    conditions = _module(study, "conditionsModule")
    design = _module(study, "designModule")
    last_update = status.get("lastUpdatePostDateStruct")
    criteria = elig.get("eligibilityCriteria")
    return StudyRecord(
        nct_id=nct_id,
        source_file=file,
        source_record=nct_id if record == "(study)" else f"{record} {nct_id}",
        source_format=FORMAT,
        title=_text(ident.get("briefTitle")),
        official_title=_text(ident.get("officialTitle")),
        conditions=_text_list(conditions.get("conditions")),
        keywords=_text_list(conditions.get("keywords")),
        phases=_text_list(design.get("phases")),
        overall_status=_text(status.get("overallStatus")),
        study_type=_text(design.get("studyType")),
        last_update=(last_update.get("date") if isinstance(last_update, dict) else None)
        or _text(status.get("lastUpdateSubmitDate")),
        criteria_text=criteria if isinstance(criteria, str) else None,
        sex_raw=elig.get("sex"),
        healthy_volunteers_raw=elig.get("healthyVolunteers"),
        minimum_age_raw=elig.get("minimumAge"),
        maximum_age_raw=elig.get("maximumAge"),
        std_ages_raw=elig.get("stdAges"),
    )


def _studies(file: str, text: str) -> Iterator[tuple[str, Any] | Problem]:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as whole_error:
        lines = [line for line in text.splitlines() if line.strip()]
        if len(lines) < 2:
            yield Problem(
                "rejected",
                file,
                "(file)",
                f"invalid JSON: {whole_error.msg} at line {whole_error.lineno} column {whole_error.colno}",
            )
            return
        # JSON Lines: one study per line; a bad line costs only itself.
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                yield f"line {number}", json.loads(line)
            except json.JSONDecodeError as exc:
                yield Problem("rejected", file, f"line {number}", f"invalid JSON: {exc.msg} at column {exc.colno}")
        return
    if isinstance(document, list):
        for index, study in enumerate(document):
            yield f"[{index}]", study
    elif isinstance(document, dict) and isinstance(document.get("studies"), list):
        for index, study in enumerate(document["studies"]):
            yield f"studies[{index}]", study
    elif _is_v1(document):
        yield Problem("rejected", file, "(file)", V1_MESSAGE)
    elif isinstance(document, dict):
        yield "", document
    else:
        yield Problem(
            "rejected", file, "(file)", f"JSON {type(document).__name__} is not a study, a list of studies or an API page"
        )


def read(file: str, text: str) -> Iterator[StudyRecord | Problem]:
    for item in _studies(file, text):
        if isinstance(item, Problem):
            yield item
        else:
            record, study = item
            yield study_to_record(study, file=file, record=record or "(study)")
