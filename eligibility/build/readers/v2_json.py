"""ClinicalTrials.gov API v2 JSON: arrays, API pages, single studies, JSON Lines.

Hostile or damaged JSON costs the records it breaks, never the ingest: nesting too
deep for Python's parser, numbers too long to convert and a download cut off
mid-way become rejections, and the studies read before the damage are kept.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from eligibility.build.normalise import bad_nct_id, shown, valid_nct_id
from eligibility.build.records import Problem, StudyRecord

FORMAT = "ctgov-v2-json"
V1_MESSAGE = "unsupported format: ClinicalTrials.gov API v1 (classic API, retired in 2024); download the studies again as v2 JSON"
# Python refuses to convert integers longer than 4,300 digits (quadratic time, CVE-2020-10735) and
# raises ValueError mid-parse; a number that long is junk, so from well below the limit it becomes a
# float (inf) and the file stays readable.
_MAX_INT_DIGITS = 4000
_WHITESPACE = re.compile(r"[ \t\n\r]*")
# A study object as the API writes it, and the opening of an API page.
_STUDY_START = re.compile(r'\{\s*"protocolSection"\s*:')
_API_PAGE_START = re.compile(r'\{\s*"studies"\s*:\s*\[')
_SURROGATE = re.compile("[\ud800-\udfff]")
_JSON_KINDS = {dict: "an object", list: "a list", str: "text", bool: "true/false", int: "a number", float: "a number"}


def _parse_int(digits: str) -> int | float:
    return int(digits) if len(digits) <= _MAX_INT_DIGITS else float(digits)


# strict=False accepts raw control characters (tabs, NULs) inside strings, as hand-edited files have;
# they are kept as literal text.
_DECODER = json.JSONDecoder(parse_int=_parse_int, strict=False)
# What a hostile document can raise while being decoded: JSONDecodeError is a ValueError, and
# nesting deeper than the interpreter's recursion limit raises RecursionError.
_DECODE_ERRORS = (ValueError, RecursionError)


def _decode_error(exc: Exception, *, with_line: bool = True) -> str:
    if isinstance(exc, RecursionError):
        return "invalid JSON: nested too deeply to read"
    if isinstance(exc, json.JSONDecodeError):
        return f"invalid JSON: {exc.msg} at {f'line {exc.lineno} ' if with_line else ''}column {exc.colno}"
    return f"invalid JSON: {exc}"


def _kind(value: Any) -> str:
    return "null" if value is None else _JSON_KINDS.get(type(value), type(value).__name__)


def _clean(value: str) -> str:
    """Lone UTF-16 surrogates (escapes such as \\ud800) cannot be stored as UTF-8; they become U+FFFD."""
    return _SURROGATE.sub("\ufffd", value)


def _is_v1(obj: Any) -> bool:
    return isinstance(obj, dict) and (
        any(k in obj for k in ("FullStudiesResponse", "StudyFieldsResponse", "FullStudy"))
        or (isinstance(obj.get("Study"), dict) and "ProtocolSection" in obj["Study"])
        or "ProtocolSection" in obj
    )


class _Fields:
    """Typed reads of one study's fields: a field of the wrong type is noted and left unknown."""

    def __init__(self, protocol: dict[str, Any]) -> None:
        self.protocol = protocol
        self.wrong: list[str] = []

    def _note(self, where: str, value: Any, wanted: str) -> None:
        self.wrong.append(f"{where} is {_kind(value)} ({shown(value)}), not {wanted}; left unknown")

    def module(self, name: str) -> dict[str, Any]:
        return self.part(self.protocol, "protocolSection", name)

    def part(self, parent: dict[str, Any], where: str, key: str) -> dict[str, Any]:
        """An object inside ``parent`` (a module, a date struct); absent or of the wrong type: empty."""
        value = parent.get(key)
        if isinstance(value, dict):
            return value
        if value is not None:
            self._note(key if where == "protocolSection" else f"{where}.{key}", value, "an object")
        return {}

    def date(self, status: dict[str, Any], key: str) -> str | None:
        return self.text(self.part(status, "statusModule", key), f"statusModule.{key}", "date")

    def countries(self, locations: dict[str, Any]) -> list[str]:
        """The countries of the study's sites (``contactsLocationsModule.locations[].country``)."""
        value = locations.get("locations")
        if not isinstance(value, list):
            if value is not None:
                self._note("contactsLocationsModule.locations", value, "a list of sites")
            return []
        sites = [v for v in value if isinstance(v, dict)]
        if len(sites) < len(value):
            self.wrong.append(
                f"contactsLocationsModule.locations holds {len(value) - len(sites)} item(s) that are not sites; left out"
            )
        return [c for c in (self.text(site, "contactsLocationsModule.locations[]", "country") for site in sites) if c]

    def text(self, module: dict[str, Any], where: str, key: str) -> str | None:
        value = module.get(key)
        if isinstance(value, str):
            return _clean(value) if value.strip() else None
        if value is not None:
            self._note(f"{where}.{key}", value, "text")
        return None

    def texts(self, module: dict[str, Any], where: str, key: str) -> list[str]:
        value = module.get(key)
        if not isinstance(value, list):
            if value is not None:
                self._note(f"{where}.{key}", value, "a list of text")
            return []
        items = [v for v in value if isinstance(v, str)]
        if len(items) < len(value):
            self.wrong.append(f"{where}.{key} holds {len(value) - len(items)} item(s) that are not text; left out")
        return [_clean(v).strip() for v in items if v.strip()]


def study_records(study: Any, *, file: str, record: str) -> Iterator[StudyRecord | Problem]:
    """One study, or the reason it is rejected; warnings for fields of the wrong type come first."""
    if _is_v1(study):
        yield Problem("rejected", file, record, V1_MESSAGE)
        return
    if not isinstance(study, dict):
        yield Problem("rejected", file, record, f"a study must be a JSON object, found {_kind(study)}")
        return
    protocol = study.get("protocolSection")
    if not isinstance(protocol, dict):
        found = "no protocolSection" if protocol is None else f"protocolSection is {_kind(protocol)}, not an object"
        yield Problem("rejected", file, record, f"{found}: not a ClinicalTrials.gov v2 study")
        return
    fields = _Fields(protocol)
    ident = fields.module("identificationModule")
    nct_id = ident.get("nctId")
    if not valid_nct_id(nct_id):
        yield Problem("rejected", file, record, bad_nct_id(nct_id))
        return
    elig = fields.module("eligibilityModule")
    status = fields.module("statusModule")
    conditions = fields.module("conditionsModule")
    design = fields.module("designModule")
    sponsor = fields.part(fields.module("sponsorCollaboratorsModule"), "sponsorCollaboratorsModule", "leadSponsor")
    posted = status.get("lastUpdatePostDateStruct")
    last_update = (
        fields.text(posted, "statusModule.lastUpdatePostDateStruct", "date") if isinstance(posted, dict) else None
    ) or fields.text(status, "statusModule", "lastUpdateSubmitDate")
    source_record = nct_id if record == "(study)" else f"{record} {nct_id}"
    result = StudyRecord(
        nct_id=nct_id,
        source_file=file,
        source_record=source_record,
        source_format=FORMAT,
        title=fields.text(ident, "identificationModule", "briefTitle"),
        official_title=fields.text(ident, "identificationModule", "officialTitle"),
        conditions=fields.texts(conditions, "conditionsModule", "conditions"),
        keywords=fields.texts(conditions, "conditionsModule", "keywords"),
        phases=fields.texts(design, "designModule", "phases"),
        overall_status=fields.text(status, "statusModule", "overallStatus"),
        study_type=fields.text(design, "designModule", "studyType"),
        last_update=last_update,
        criteria_text=fields.text(elig, "eligibilityModule", "eligibilityCriteria"),
        sex_raw=elig.get("sex"),
        healthy_volunteers_raw=elig.get("healthyVolunteers"),
        minimum_age_raw=fields.text(elig, "eligibilityModule", "minimumAge"),
        maximum_age_raw=fields.text(elig, "eligibilityModule", "maximumAge"),
        std_ages_raw=elig.get("stdAges"),
        start_date_raw=fields.date(status, "startDateStruct"),
        first_posted_raw=fields.date(status, "studyFirstPostDateStruct"),
        primary_completion_raw=fields.date(status, "primaryCompletionDateStruct"),
        sponsor_class_raw=fields.text(sponsor, "sponsorCollaboratorsModule.leadSponsor", "class"),
        enrollment_raw=fields.part(design, "designModule", "enrollmentInfo").get("count"),
        countries=fields.countries(fields.module("contactsLocationsModule")),
        primary_purpose_raw=fields.text(
            fields.part(design, "designModule", "designInfo"), "designModule.designInfo", "primaryPurpose"
        ),
    )
    for reason in fields.wrong:
        yield Problem("warning", file, source_record, reason, nct_id)
    yield result


def _skip_space(text: str, pos: int) -> int:
    return _WHITESPACE.match(text, pos).end()  # type: ignore[union-attr]  # "*" matches everywhere


class _ByteOffsets:
    """Byte offsets in the UTF-8 file of increasing character positions, each byte counted once."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.char = 0
        self.byte = 0

    def at(self, pos: int) -> int:
        self.byte += len(self.text[self.char : pos].encode("utf-8", errors="surrogatepass"))
        self.char = pos
        return self.byte


def _resync(text: str, pos: int, budget: list[int]) -> int | None:
    """Where the next whole study object (``{"protocolSection"`` as an array element) starts, from ``pos``.

    Candidates that do not decode (a study cut by the damage) are passed over. The
    characters decoded are charged to ``budget``, so that a file made of nothing but
    nested candidates is abandoned in linear time instead of re-read for each one.
    """
    for candidate in _STUDY_START.finditer(text, pos):
        start = candidate.start()
        try:
            _, end = _DECODER.raw_decode(text, start)
        except _DECODE_ERRORS as exc:
            budget[0] -= (exc.pos if isinstance(exc, json.JSONDecodeError) else len(text)) - start
            if budget[0] < 0:
                return None
            continue
        budget[0] -= end - start
        after = _skip_space(text, end)
        # An array element is followed by a comma, the closing bracket or (when cut off) nothing.
        if after == len(text) or text[after] in ",]":
            return start
    return None


def _array_items(
    file: str, text: str, start: int, whole_error: Exception, *, label: str = ""
) -> Iterator[tuple[str, Any] | Problem]:
    """The studies of a JSON array (opening at ``start``) that does not parse as a whole.

    After damage (a cut, a corrupt byte, a missing comma) reading resumes at the next
    study object, ``{"protocolSection"`` at array depth 1, and the skipped range is
    reported with its byte offsets. Records after damage are numbered as read: the
    damaged range may have held more than one study.
    """
    pos = _skip_space(text, start + 1)
    index = 0
    damaged = False
    budget = [4 * len(text)]
    offsets = _ByteOffsets(text)
    while not text.startswith("]", pos):
        try:
            study, end = _DECODER.raw_decode(text, pos)
        except _DECODE_ERRORS as exc:
            error: Exception = exc
        else:
            yield f"{label}[{index}]", study
            index += 1
            pos = _skip_space(text, end)
            if text.startswith(",", pos):
                pos = _skip_space(text, pos + 1)
                continue
            if text.startswith("]", pos):
                break
            error = whole_error
        damaged = True
        resume = _resync(text, pos, budget)
        first, last = offsets.at(pos), offsets.at(len(text) if resume is None else resume)
        if resume is None:
            reason = f"bytes {first}-{last}: the file's studies from here on could not be read"
        else:
            reason = f"bytes {first}-{last} could not be read; reading resumed at the next study"
        yield Problem("rejected", file, f"{label}[{index}]", f"{_decode_error(error)}; {reason}")
        if resume is None:
            return
        index += 1
        pos = resume
    if not damaged:
        # The array closed, yet the whole did not parse: a trailing comma or damage after the array.
        yield Problem("rejected", file, "(file)", f"{_decode_error(whole_error)} (the {index} studies before it were read)")


def _is_json_lines(lines: list[str]) -> bool:
    """JSON Lines when some line is a whole non-empty object; a pretty-printed document never has one."""
    for line in lines:
        if line.lstrip().startswith("{"):
            try:
                value = _DECODER.decode(line)
            except _DECODE_ERRORS:
                continue
            if isinstance(value, dict) and value:
                return True
    return False


def _json_lines(file: str, lines: list[str]) -> Iterator[tuple[str, Any] | Problem]:
    """One study per line; a bad line costs only itself."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            yield f"line {number}", _DECODER.decode(line)
        except _DECODE_ERRORS as exc:
            yield Problem("rejected", file, f"line {number}", _decode_error(exc, with_line=False))


def _studies(file: str, text: str) -> Iterator[tuple[str, Any] | Problem]:
    try:
        document = _DECODER.decode(text)
    except _DECODE_ERRORS as whole_error:
        start = _skip_space(text, 0)
        if text.startswith("[", start):
            yield from _array_items(file, text, start, whole_error)
            return
        page = _API_PAGE_START.match(text, start)
        if page is not None:
            yield from _array_items(file, text, page.end() - 1, whole_error, label="studies")
            return
        # Split on newlines only: splitlines() also breaks at U+2028, U+0085 and other
        # separators that JSON allows, raw, inside strings.
        lines = text.split("\n")
        if _is_json_lines(lines):
            yield from _json_lines(file, lines)
        else:
            yield Problem("rejected", file, "(file)", _decode_error(whole_error))
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
        yield Problem("rejected", file, "(file)", f"JSON {_kind(document)} is not a study, a list of studies or an API page")


def read(file: str, text: str) -> Iterator[StudyRecord | Problem]:
    for item in _studies(file, text):
        if isinstance(item, Problem):
            yield item
        else:
            record, study = item
            yield from study_records(study, file=file, record=record or "(study)")
