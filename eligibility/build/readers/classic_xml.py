"""Classic ClinicalTrials.gov XML (<clinical_study>, the AllPublicXML layout).

Parsed with defusedxml: entity expansion ("billion laughs") and external
entities (XXE) are refused, so a hostile file cannot exhaust memory or read
local files.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from eligibility.build.normalise import bad_nct_id, valid_nct_id
from eligibility.build.records import Problem, StudyRecord
from eligibility.build.sources import Source

FORMAT = "ctgov-classic-xml"


def _text(node: ET.Element, path: str) -> str | None:
    found = node.find(path)
    if found is None or found.text is None:
        return None
    value = found.text.strip()
    return value or None


def _texts(node: ET.Element, path: str) -> list[str]:
    return [n.text.strip() for n in node.findall(path) if n.text and n.text.strip()]


def _criteria(node: ET.Element) -> str | None:
    found = node.find("eligibility/criteria/textblock")
    if found is None or found.text is None:
        return None
    return found.text.replace("\r\n", "\n").replace("\r", "\n")


def study_to_record(study: ET.Element, *, file: str, record: str) -> StudyRecord | Problem:
    nct_id = _text(study, "id_info/nct_id")
    if not valid_nct_id(nct_id):
        return Problem("rejected", file, record, bad_nct_id(nct_id))
    assert nct_id is not None
    return StudyRecord(
        nct_id=nct_id,
        source_file=file,
        source_record=nct_id if record == "(file)" else f"{record} {nct_id}",
        source_format=FORMAT,
        title=_text(study, "brief_title"),
        official_title=_text(study, "official_title"),
        conditions=_texts(study, "condition"),
        keywords=_texts(study, "keyword"),
        phases=_texts(study, "phase"),
        overall_status=_text(study, "overall_status"),
        study_type=_text(study, "study_type"),
        last_update=_text(study, "last_update_posted") or _text(study, "last_update_submitted"),
        criteria_text=_criteria(study),
        sex_raw=_text(study, "eligibility/gender"),
        healthy_volunteers_raw=_text(study, "eligibility/healthy_volunteers"),
        minimum_age_raw=_text(study, "eligibility/minimum_age"),
        maximum_age_raw=_text(study, "eligibility/maximum_age"),
        start_date_raw=_text(study, "start_date"),
        first_posted_raw=_text(study, "study_first_posted"),
        primary_completion_raw=_text(study, "primary_completion_date"),
        sponsor_class_raw=_text(study, "sponsors/lead_sponsor/agency_class"),
        enrollment_raw=_text(study, "enrollment"),
        countries=_texts(study, "location_countries/country"),
        primary_purpose_raw=_text(study, "study_design_info/primary_purpose"),
    )


def read(source: Source) -> Iterator[StudyRecord | Problem]:
    try:
        root = SafeET.fromstring(source.data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        yield Problem(
            "rejected",
            source.name,
            "(file)",
            f"unsafe XML refused ({type(exc).__name__}: entity declarations or external references)",
        )
        return
    except ET.ParseError as exc:
        yield Problem("rejected", source.name, "(file)", f"invalid XML: {exc}")
        return
    if root.tag == "clinical_study":
        yield study_to_record(root, file=source.name, record="(file)")
        return
    studies = list(root.iter("clinical_study"))
    if not studies:
        yield Problem("rejected", source.name, "(file)", f"unsupported XML: root <{root.tag}> holds no <clinical_study>")
        return
    for index, study in enumerate(studies):
        yield study_to_record(study, file=source.name, record=f"clinical_study[{index}]")
