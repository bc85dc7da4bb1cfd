"""Broken and hostile input never crashes ingest and never costs the good records in it or beside it.

The corpus is tests/fixtures/hostile/ (built by its generate.py from the real
fixtures, one kind of damage per file); big and bomb-like inputs are built here,
at test time, in tmp_path. Every case is ingested beside a good file, and every
good study in the damaged file itself must load as well.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl
import pytest

from eligibility.build import themes
from eligibility.build.ingest import ingest
from eligibility.cli import main
from eligibility.explore.queries import connect
from tests.conftest import FIXTURES, INGEST_FIXTURES, ROOT, sql
from tests.fixtures.hostile.generate import dumps, elig, study_b, study_c, text_document, with_eligibility, zip_bytes

HOSTILE = FIXTURES / "hostile"
GOOD_BESIDE = INGEST_FIXTURES / "v2_single_NCT00465816.json"
GOOD_BESIDE_ID = "NCT00465816"
# The real studies the corpus is made from (see generate.py).
B, C, X = "NCT05756322", "NCT03466944", "NCT06476470"
TEXT_ID, XML_ID, XML_ID_2 = "NCT06389305", "NCT00000224", "NCT00003405"
LINES_IDS = ("NCT06751550", "NCT02753764")
MB = 1024 * 1024
DEEP = "[" * 100_000 + "]" * 100_000
PASSWD = Path("/etc/passwd")
# A database file, or one connection to it for many questions (see tests/conftest.py sql).
Db = Path | duckdb.DuckDBPyConnection


@dataclass(frozen=True)
class Issue:
    """An expected row of ingest_issues: its record, key words of its reason, and where it is."""

    record: str
    words: tuple[str, ...]
    at: str = ""  # appended to the case's path: "!entry" inside a zip, "/name" inside a folder


def issue(record: str, *words: str, at: str = "") -> Issue:
    return Issue(record, words, at)


@dataclass(frozen=True)
class Case:
    name: str
    good: tuple[str, ...] = ()  # NCT IDs in the damaged input itself that must load
    rejected: tuple[Issue, ...] = ()  # every rejection the input must cause, and no other
    warned: tuple[Issue, ...] = ()  # warnings that must be there (others may be too)
    build: Callable[[Path], Path] | None = None  # builds a big or bomb-like input in tmp_path
    check: Callable[[Db], None] | None = None  # further checks on the database

    def path(self, tmp_path: Path) -> Path:
        return self.build(tmp_path) if self.build else HOSTILE / self.name


# --- inputs built at test time ------------------------------------------------------------------


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _megabyte_of(text: str) -> str:
    return (text * (MB // len(text) + 1))[:MB]


def _json_criteria_1mb(tmp_path: Path) -> Path:
    criteria = _megabyte_of(elig(study_b())["eligibilityCriteria"] + "\n")
    return _write(
        tmp_path, "json_criteria_1mb.json", dumps([with_eligibility(study_b(), eligibilityCriteria=criteria), study_c()])
    )


def _text_criteria_1mb(tmp_path: Path) -> Path:
    criteria = _megabyte_of("Exclusion Criteria: * active infection requiring systemic therapy ")
    return _write(tmp_path, "text_criteria_1mb.txt", text_document(criteria=criteria).encode())


def _json_deep_nesting(tmp_path: Path) -> Path:
    return _write(tmp_path, "json_deep_nesting.json", DEEP.encode())


def _json_deep_nesting_last(tmp_path: Path) -> Path:
    deep = b'{"protocolSection": ' + DEEP.encode() + b"}"
    return _write(tmp_path, "json_deep_nesting_last.json", dumps([study_b(), study_c()])[:-1] + b", " + deep + b"]")


def _jsonl_deep_nesting(tmp_path: Path) -> Path:
    lines = [dumps(study_b()), b'{"protocolSection": ' + DEEP.encode() + b"}", dumps(study_c())]
    return _write(tmp_path, "jsonl_deep_nesting.jsonl", b"\n".join(lines))


def _xml_deep_nesting(tmp_path: Path) -> Path:
    xml = (INGEST_FIXTURES / "xml_folder" / "NCT0000xxxx" / "NCT00000224.xml").read_text()
    deep = xml.replace("</clinical_study>", "<a>" * 100_000 + "</a>" * 100_000 + "</clinical_study>")
    return _write(tmp_path, "xml_deep_nesting.xml", deep.encode())


def _zeros_entry(archive: zipfile.ZipFile, name: str, megabytes: int) -> None:
    """Stream zeros into one deflated entry: megabytes of them compress to a few hundred bytes each."""
    with archive.open(name, "w", force_zip64=True) as entry:
        for _ in range(megabytes):
            entry.write(bytes(MB))


def _zip_bomb(tmp_path: Path) -> Path:
    path = tmp_path / "zip_bomb.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("NCT05756322.json", dumps(study_b()))
        _zeros_entry(archive, "bomb.json", 200)
        archive.writestr("NCT03466944.json", dumps(study_c()))
    return path


def _zip_bomb_nested(tmp_path: Path) -> Path:
    inner = tmp_path / "inner.zip"
    with zipfile.ZipFile(inner, "w", zipfile.ZIP_DEFLATED) as archive:
        _zeros_entry(archive, "zeros.json", 50)
    path = tmp_path / "zip_bomb_nested.zip"
    path.write_bytes(zip_bytes([("NCT05756322.json", dumps(study_b())), ("inner.zip", inner.read_bytes())]))
    return path


def _folder_special_files(tmp_path: Path) -> Path:
    folder = tmp_path / "folder_special_files"
    folder.mkdir()
    (folder / "NCT03466944.json").write_bytes(dumps(study_c()))
    (folder / "passwd.json").symlink_to(PASSWD)
    (folder / "zero.json").symlink_to("/dev/zero")
    (folder / "broken.json").symlink_to(tmp_path / "missing.json")
    os.mkfifo(folder / "pipe.json")
    return folder


# --- further checks ------------------------------------------------------------------------------


def _study(db: Db, nct_id: str, columns: str) -> tuple:
    (row,) = sql(db, f"select {columns} from studies where nct_id = $id", {"id": nct_id})
    return row


def _newest_wins(db: Db) -> None:
    assert _study(db, B, "sex, minimum_age_years, maximum_age_years, last_update::varchar") == (
        "FEMALE",
        20.0,
        40.0,
        "2024-05-01",
    )
    assert sql(db, "select source_record, kept from study_sources where nct_id = $id order by source_record", {"id": B}) == [
        ("[0] NCT05756322", True),
        ("[1] NCT05756322", False),
    ]


def _last_read_wins_a_tie(db: Db) -> None:
    assert _study(db, B, "sex, minimum_age_years, source_record") == ("FEMALE", 40.0, "[1] NCT05756322")


def _literal(*fragments: str, nct_id: str = B) -> Callable[[Db], None]:
    """The criteria text holds the fragments exactly as written; the criteria items too, up to white space."""

    def check(db: Db) -> None:
        (text,) = _study(db, nct_id, "criteria_text")
        items = " ".join(" ".join(r[0].split()) for r in sql(db, "select text from criteria where nct_id = $id", {"id": nct_id}))
        for fragment in fragments:
            assert fragment in text
            assert " ".join(fragment.split()) in items

    return check


SCRIPT, LINK = "<script>alert(1)</script>", "[x](javascript:alert(1))"


def _script_kept_as_text(db: Db) -> None:
    _literal(SCRIPT, LINK)(db)
    assert _study(db, B, "title") == ("<b onmouseover=alert(1)>bold</b> **study**",)


def _latin1_title(db: Db) -> None:
    assert _study(db, B, "title") == ("Caf\ufffd study",)


def _surrogates_replaced(db: Db) -> None:
    assert _study(db, B, "title, minimum_age_years") == ("lone \ufffd surrogate", None)
    _literal("half a pair \ufffd here")(db)


def _reasons_are_short(db: Db) -> None:
    assert all(len(r[0]) < 300 for r in sql(db, "select reason from ingest_issues"))


def _criteria_kept_whole(nct_id: str) -> Callable[[Db], None]:
    def check(db: Db) -> None:
        assert _study(db, nct_id, "length(criteria_text)") == (MB,)
        assert _study(db, nct_id, "n_inclusion + n_exclusion + n_unspecified")[0] > 100

    return check


def _wrong_types_left_unknown(db: Db) -> None:
    row = _study(db, B, "title, conditions, keywords, phases, overall_status, criteria_text, healthy_volunteers, std_ages_source")
    assert row == (None, [], ["leukemia"], [], None, None, None, "derived")


# --- the corpus ---------------------------------------------------------------------------------

UNSUPPORTED = ("unsupported format",)
NOT_AN_NCT_ID = ("malformed nct id", "expected nct + 8 digits")
ZIP_ESCAPE = ("escapes the archive",)
UNSAFE_XML = ("unsafe xml refused", "entit")
V1 = ("unsupported format", "api v1")

CASES = [
    # v2 JSON: damaged documents
    Case("json_truncated_array.json", (B,), (issue("[1]", "invalid json", "could not be read"),)),
    Case("json_truncated_api_page.json", (), (issue("studies[0]", "invalid json", "line 52", "could not be read"),)),
    Case("jsonl_truncated.jsonl", LINES_IDS, (issue("line 3", "invalid json", "unterminated string"),)),
    Case("json_invalid_last_study.json", (B, C), (issue("[2]", "invalid json", "property name"),)),
    Case("json_trailing_comma.json", (B, C), (issue("(file)", "invalid json", "2 studies before it were read"),)),
    Case(
        "jsonl_garbage_lines.jsonl",
        (B, C),
        (
            issue("line 3", "invalid json"),
            issue("line 4", "must be a json object", "a list"),
            issue("line 5", "must be a json object", "text"),
            issue("line 6", "must be a json object", "null"),
        ),
    ),
    Case("json_deep_nesting.json", (), (issue("[0]", "invalid json", "nested too deeply"),), build=_json_deep_nesting),
    Case("json_deep_nesting_last.json", (B, C), (issue("[2]", "nested too deeply"),), build=_json_deep_nesting_last),
    Case("jsonl_deep_nesting.jsonl", (B, C), (issue("line 2", "nested too deeply"),), build=_jsonl_deep_nesting),
    Case("json_nested_500_levels.json", (B, C), warned=(issue(f"[0] {B}", "sex", "not text"),), check=_reasons_are_short),
    Case("json_huge_numbers.json", (C, X), (issue("[0]", *NOT_AN_NCT_ID),), check=_reasons_are_short),
    # v2 JSON: wrong types and missing parts
    Case("json_sex_number.json", (B, C), warned=(issue(f"[0] {B}", "sex 5", "not text"),)),
    Case("json_minimum_age_list.json", (B, C), warned=(issue(f"[0] {B}", "['18 years']", "not text"),)),
    Case(
        "json_eligibility_module_list.json", (B, C), warned=(issue(f"[0] {B}", "eligibilitymodule is a list", "not an object"),)
    ),
    Case("json_nct_id_number.json", (C,), (issue("[0]", *NOT_AN_NCT_ID, "5756322"),)),
    Case("json_protocol_section_string.json", (C,), (issue("[0]", "protocolsection is text", "not an object"),)),
    Case(
        "json_wrong_field_types.json",
        (B, C),
        warned=(
            issue(f"[0] {B}", "identificationModule.briefTitle is a number"),
            issue(f"[0] {B}", "conditions is text", "not a list of text"),
            issue(f"[0] {B}", "keywords holds 1 item(s) that are not text"),
            issue(f"[0] {B}", "phases is text"),
            issue(f"[0] {B}", "overallstatus is an object"),
            issue(f"[0] {B}", "eligibilitycriteria is a number"),
            issue(f"[0] {B}", "healthy volunteers 'maybe'"),
            issue(f"[0] {B}", "stdages 'adult'"),
        ),
        check=_wrong_types_left_unknown,
    ),
    Case("json_missing_nct_id.json", (C,), (issue("[0]", *NOT_AN_NCT_ID, "none"), issue("[1]", *NOT_AN_NCT_ID, "none"))),
    Case(
        "json_malformed_nct_ids.json",
        (C,),
        tuple(
            issue(f"[{i}]", *NOT_AN_NCT_ID, bad)
            for i, bad in enumerate(("'nct123'", "'nct05756322'", "' nct05756322'", "'nct0575632x'", "''", "'nct057563220'"))
        ),
    ),
    Case(
        "json_partial_v2.json",
        (B, C),
        (issue("[1]", *NOT_AN_NCT_ID), issue("[2]", *NOT_AN_NCT_ID)),
        (issue(f"[0] {B}", "no eligibility criteria"),),
    ),
    Case(
        "json_api_page_mixed.json",
        (B, C),
        tuple(
            issue(f"studies[{i}]", "must be a json object", kind) for i, kind in enumerate(("null", "number", "text", "list"), 1)
        ),
    ),
    # v2 JSON: conflicting duplicates
    Case("json_conflict_newer_first.json", (B, C), check=_newest_wins),
    Case("json_conflict_equal_dates.json", (B,), check=_last_read_wins_a_tie),
    # v2 JSON: values
    Case(
        "json_age_spellings.json",
        (B, C, X),
        warned=(
            issue(f"[0] {B}", "'18 yrs' could not be parsed"),
            issue(f"[0] {B}", "'eighteen' could not be parsed"),
            issue(f"[1] {C}", "'-5 years' could not be parsed"),
            issue(f"[1] {C}", "'999 years' is implausible"),
        ),
    ),
    Case("json_minimum_above_maximum.json", (B, C), warned=(issue(f"[0] {B}", "'65 years' is above maximum age '18 years'"),)),
    Case("json_empty_criteria.json", (B, C), warned=(issue(f"[0] {B}", "no eligibility criteria text"),)),
    Case("json_criteria_1mb.json", (B, C), build=_json_criteria_1mb, check=_criteria_kept_whole(B)),
    Case("json_nul_and_control_chars.json", (B, C), check=_literal("adults\x00 only\x07", "\x1b[31mred\x1b[0m", "tab\x08 back")),
    Case("json_raw_control_chars.json", (B, C), check=_literal("raw\ttab and raw\x00nul")),
    Case("json_script_and_markdown.json", (B, C), check=_script_kept_as_text),
    Case("json_lone_surrogates.json", (B, C), warned=(issue(f"[0] {B}", "could not be parsed"),), check=_surrogates_replaced),
    Case(
        "jsonl_unicode_separators.jsonl", (B, C, X), check=_literal("one\u2028two\u2029three\u0085four\x1cfive\x1dsix\x1eseven")
    ),
    # encodings
    Case("json_latin1.json", (B, C), warned=(issue("(file)", "not valid utf-8"),), check=_latin1_title),
    Case("json_bom.json", (B, C)),
    # not v2: API v1 and JSON that is no study
    Case("json_v1_full_studies.json", (), (issue("(file)", *V1),)),
    Case("json_v1_study_fields.json", (), (issue("(file)", *V1),)),
    Case("json_v1_study_in_array.json", (C,), (issue("[0]", *V1),)),
    Case("json_top_level_string.json", (), (issue("(file)", *UNSUPPORTED),)),
    Case("json_top_level_number.json", (), (issue("(file)", *UNSUPPORTED),)),
    # classic XML
    Case("xml_billion_laughs.xml", (), (issue("(file)", *UNSAFE_XML),)),
    Case("xml_xxe_passwd.xml", (), (issue("(file)", *UNSAFE_XML),)),
    Case("xml_xxe_parameter_entity.xml", (), (issue("(file)", *UNSAFE_XML),)),
    # An external DTD is never fetched, so the study itself reads as usual.
    Case("xml_external_dtd.xml", (XML_ID,)),
    Case("xml_invalid.xml", (), (issue("(file)", "invalid xml", "no element found"),)),
    Case("xml_invalid_character_reference.xml", (), (issue("(file)", "invalid xml", "invalid character"),)),
    Case("xml_wrong_root.xml", (), (issue("(file)", "unsupported xml", "<rss>", "clinical_study"),)),
    Case("xml_missing_nct_id.xml", (), (issue("(file)", *NOT_AN_NCT_ID),)),
    Case("xml_several_studies.xml", (XML_ID, XML_ID_2), (issue("clinical_study[1]", *NOT_AN_NCT_ID),)),
    Case("xml_bom.xml", (XML_ID,)),
    Case("xml_deep_nesting.xml", (XML_ID,), build=_xml_deep_nesting),
    Case("xml_script_in_criteria.xml", (XML_ID,), check=_literal(SCRIPT, LINK, nct_id=XML_ID)),
    Case("html_error_page.json", (), (issue("(file)", *UNSUPPORTED),)),
    # the eligibility-module text export
    Case(
        "text_latin1.txt",
        (TEXT_ID,),
        warned=(issue("(file)", "not valid utf-8"),),
        check=_literal("Caf\ufffd au lait", nct_id=TEXT_ID),
    ),
    Case("text_bom.txt", (TEXT_ID,)),
    Case("text_utf16.txt", (TEXT_ID,)),
    Case("text_crlf.txt", (TEXT_ID,)),
    Case("text_no_nct_id.txt", ("NCT00437060", TEXT_ID), (issue("document at line 1", *NOT_AN_NCT_ID, "none"),)),
    Case(
        "text_malformed_nct_id.txt", ("NCT03364257", "NCT00437060"), (issue("document at line 1", *NOT_AN_NCT_ID, "nct0638930"),)
    ),
    Case("text_header_only.txt", (), (issue("(file)", "no eligibility-module document"),)),
    Case(
        "text_bad_values.txt",
        (TEXT_ID,),
        warned=(
            issue(f"document at line 1 {TEXT_ID}", "'eighteen' could not be parsed"),
            issue(f"document at line 1 {TEXT_ID}", "'999 years' is implausible"),
            issue(f"document at line 1 {TEXT_ID}", "sex 'unknown'"),
        ),
    ),
    Case("text_criteria_1mb.txt", (TEXT_ID,), build=_text_criteria_1mb, check=_criteria_kept_whole(TEXT_ID)),
    Case("text_nul_and_control_chars.txt", (TEXT_ID,), check=_literal("adults\x00 only\x07", "\x1b[31mred", nct_id=TEXT_ID)),
    Case("text_script_and_markdown.txt", (TEXT_ID,), check=_literal(SCRIPT, LINK, nct_id=TEXT_ID)),
    # files that hold no study at all
    Case("empty.json", (), (issue("(file)", "empty file"),)),
    Case("whitespace_only.txt", (), (issue("(file)", "empty file"),)),
    Case("bom_only.json", (), (issue("(file)", "empty file"),)),
    Case("nul_bytes_only.txt", (), (issue("(file)", "empty file"),)),
    Case("image.png", (), (issue("(file)", *UNSUPPORTED),)),
    Case("studies.csv", (), (issue("(file)", *UNSUPPORTED),)),
    Case("random_bytes.bin", (), (issue("(file)", *UNSUPPORTED),)),
    # zips
    Case("zip_bomb.zip", (B, C), (issue("bomb.json", "compression ratio", "zip bomb", at="!bomb.json"),), build=_zip_bomb),
    Case(
        "zip_bomb_nested.zip",
        (B,),
        (issue("zeros.json", "compression ratio", at="!inner.zip!zeros.json"),),
        build=_zip_bomb_nested,
    ),
    Case(
        "zip_traversal.zip",
        (C,),
        tuple(
            issue(name, *ZIP_ESCAPE, at=f"!{name}")
            for name in ("../../evil.json", "/abs/evil.json", "..\\..\\windows.json", "C:/drive.json")
        ),
    ),
    Case("zip_nested_3_levels.zip", (B, C)),
    Case("zip_nested_too_deep.zip", (B,), (issue("(archive)", "nested deeper than 3", at="!level2.zip!level3.zip!level4.zip"),)),
    Case("zip_truncated.zip", (), (issue("(archive)", "not a readable zip"),)),
    Case("zip_corrupt_inner_zip.zip", (B,), (issue("(archive)", "not a readable zip", at="!inner.zip"),)),
    Case("zip_bad_crc.zip", (B,), (issue(f"{C}.json", "could not be read", "crc", at=f"!{C}.json"),)),
    Case("zip_encrypted_entry.zip", (B,), (issue(f"{C}.json", "could not be read", "encrypted", at=f"!{C}.json"),)),
    Case("zip_unsupported_method.zip", (B,), (issue(f"{C}.json", "could not be read", "compression method", at=f"!{C}.json"),)),
    Case("zip_duplicate_names.zip", (B, C)),
    Case(
        "zip_hostile_entries.zip",
        (B, C),
        (
            issue("(file)", *UNSAFE_XML, at="!xxe.xml"),
            issue("(file)", "invalid json", at="!truncated.json"),
            issue("(file)", "empty file", at="!empty.json"),
            issue("(file)", *V1, at="!v1.json"),
        ),
    ),
    Case("zip_empty_archive.zip"),
    # a folder: a link to a local file, a device, a pipe and a dangling link beside a good study
    Case(
        "folder_special_files",
        (C,),
        (issue("(file)", *UNSUPPORTED, at="/passwd.json"), issue("(file)", "cannot read file", at="/broken.json")),
        build=_folder_special_files,
    ),
]
COMMITTED = [case for case in CASES if case.build is None]


def _matches(rows: list[tuple], path: Path, expected: Issue) -> bool:
    return any(
        file == f"{path}{expected.at}" and record == expected.record and all(w.lower() in reason.lower() for w in expected.words)
        for file, record, reason in rows
    )


def _assert_passwd_nowhere(db: Db) -> None:
    """The first line of /etc/passwd is in no cell of any table of the database file."""
    secret = PASSWD.read_text().splitlines()[0]
    for (table,) in sql(db, "select table_name from information_schema.tables where table_catalog = current_database()"):
        assert sql(db, f'select count(*) from "{table}" as t where contains(t::varchar, $secret)', {"secret": secret}) == [(0,)]


@pytest.fixture(scope="module", autouse=True)
def classify_each_batch_once() -> Iterator[None]:
    """The theme classifier runs once per distinct batch of criteria in this module.

    Most cases hold the same good studies (B, C and the study beside), so most of their ingests
    hand the classifier a batch it has already classified here, which differs only in its
    criterion ids. A criterion's rows depend on its text and context alone (test_theme_routing.py
    classifies in parts and gets the rows of classifying at once), so such a batch gets the
    earlier rows with its own ids. Every distinct batch, hostile text included, is classified.
    """
    classify = themes.classify_frame
    done: dict[tuple, tuple[list[int], pl.DataFrame]] = {}

    def once(items: pl.DataFrame, *args: object, **kwargs: object) -> pl.DataFrame:
        if args or kwargs:
            return classify(items, *args, **kwargs)  # type: ignore[arg-type]
        key = tuple(items.drop("criterion_id").rows())
        ids = items["criterion_id"].to_list()
        if key not in done:
            done[key] = (ids, classify(items))
        first_ids, rows = done[key]
        return rows.with_columns(
            pl.col("criterion_id").replace_strict(dict(zip(first_ids, ids, strict=True)), return_dtype=pl.Int64)
        )

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(themes, "classify_frame", once)
        yield


def test_the_corpus_has_at_least_40_hostile_inputs_and_every_committed_file_is_a_case() -> None:
    assert len(CASES) >= 40
    assert len({case.name for case in CASES}) == len(CASES)
    committed = {p.name for p in HOSTILE.iterdir() if p.name != "generate.py" and p.is_file()}
    assert committed == {case.name for case in COMMITTED}


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_hostile_input_costs_only_its_own_bad_records(case: Case, tmp_path: Path) -> None:
    path = case.path(tmp_path)
    db = tmp_path / "hostile.duckdb"

    summary = ingest([path, GOOD_BESIDE], db, workers=1)

    assert summary.records_read == summary.studies_loaded + summary.duplicates_merged + summary.rejected
    con = connect(db)
    try:
        assert {r[0] for r in sql(con, "select nct_id from studies")} == {*case.good, GOOD_BESIDE_ID}
        rejected = sql(con, "select file, record, reason from ingest_issues where kind = 'rejected'")
        assert summary.rejected == len(rejected) == len(case.rejected), rejected
        for expected in case.rejected:
            assert _matches(rejected, path, expected), (expected, rejected)
        warnings = sql(con, "select file, record, reason from ingest_issues where kind = 'warning'")
        for expected in case.warned:
            assert _matches(warnings, path, expected), (expected, warnings)
        _assert_passwd_nowhere(con)
        if case.check is not None:
            case.check(con)
    finally:
        con.close()


def test_zip_bomb_is_refused_without_inflating(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    archive = _zip_bomb(tmp_path)
    opened: list[str] = []
    open_entry = zipfile.ZipFile.open

    def recording_open(self: zipfile.ZipFile, name: str | zipfile.ZipInfo, *args: object, **kwargs: object) -> object:
        opened.append(name.filename if isinstance(name, zipfile.ZipInfo) else name)
        return open_entry(self, name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(zipfile.ZipFile, "open", recording_open)
    summary = ingest([archive], tmp_path / "t.duckdb", workers=1)
    assert summary.studies_loaded == 2 and summary.rejected == 1
    assert "bomb.json" not in opened and f"{B}.json" in opened


def test_the_whole_corpus_at_once_in_worker_processes(tmp_path: Path) -> None:
    paths = [HOSTILE / case.name for case in COMMITTED]
    db = tmp_path / "all.duckdb"

    summary = ingest([*paths, GOOD_BESIDE], db)

    assert summary.records_read == summary.studies_loaded + summary.duplicates_merged + summary.rejected
    loaded = {r[0] for r in sql(db, "select nct_id from studies")}
    assert {GOOD_BESIDE_ID}.union(*(case.good for case in COMMITTED)) <= loaded
    rejected = sql(db, "select file, record, reason from ingest_issues where kind = 'rejected'")
    expected = Counter((f"{HOSTILE / case.name}{i.at}", i.record) for case in COMMITTED for i in case.rejected)
    assert Counter((file, record) for file, record, _ in rejected) == expected
    _assert_passwd_nowhere(db)


def test_damaged_copies_of_every_real_format_never_crash_ingest(tmp_path: Path) -> None:
    """Cut real files at random points and flip random bytes in them: ingest finishes and adds up."""
    originals = [
        INGEST_FIXTURES / "v2_partial_NCT03453554.json",
        INGEST_FIXTURES / "v2_lines.jsonl",
        INGEST_FIXTURES / "v2_api_page.json",
        INGEST_FIXTURES / "text" / "two_documents.txt",
        INGEST_FIXTURES / "xml_folder" / "NCT0000xxxx" / "NCT00000224.xml",
        INGEST_FIXTURES / "v2_bulk.zip",
        INGEST_FIXTURES / "AllPublicXML-mini.zip",
    ]
    rng = random.Random(7)
    damaged = tmp_path / "damaged"
    damaged.mkdir()
    for original in originals:
        data = original.read_bytes()
        for n in range(20):
            copy = bytearray(data[: rng.randrange(len(data))] if n % 2 else data)
            for _ in range(rng.randint(0, 4)):
                if copy:
                    copy[rng.randrange(len(copy))] = rng.randrange(256)
            (damaged / f"{original.stem}-{n:02d}{original.suffix}").write_bytes(bytes(copy))

    db = tmp_path / "t.duckdb"

    summary = ingest([damaged, GOOD_BESIDE], db)

    assert summary.records_read == summary.studies_loaded + summary.duplicates_merged + summary.rejected
    assert GOOD_BESIDE_ID in {r[0] for r in sql(db, "select nct_id from studies")}
    # Every damaged file was read or reported (as a whole or entry by entry): none vanished without a trace.
    seen = {r[0].split("!")[0] for r in sql(db, "select file from ingest_files union select file from ingest_issues")}
    assert {str(p) for p in damaged.iterdir()} <= seen


def test_a_file_name_that_is_not_utf8_does_not_crash_ingest(tmp_path: Path) -> None:
    folder = tmp_path / "names"
    folder.mkdir()
    (folder / os.fsdecode(b"caf\xe9.json")).write_bytes(dumps(study_c()))
    summary = ingest([folder, GOOD_BESIDE], tmp_path / "t.duckdb", workers=1)
    assert summary.studies_loaded == 2
    assert any(name.endswith("caf\ufffd.json") for (name,) in sql(tmp_path / "t.duckdb", "select source_file from studies"))


def _cli_ingest(tmp_path: Path, *paths: Path) -> subprocess.CompletedProcess[str]:
    command = [
        sys.executable,
        "-m",
        "eligibility",
        "ingest",
        *map(str, paths),
        "--db",
        str(tmp_path / "cli.duckdb"),
        "--strict",
        "--quiet",
    ]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)


def test_strict_cli_fails_when_a_record_is_rejected(tmp_path: Path) -> None:
    result = _cli_ingest(tmp_path, HOSTILE / "json_malformed_nct_ids.json", GOOD_BESIDE)
    assert result.returncode == 1
    assert "--strict and 6 record(s) were rejected" in result.stderr
    assert "records rejected:  6" in result.stdout


def test_strict_cli_passes_when_there_are_only_warnings(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # In this process (the test above runs the command as its own process).
    paths = [str(HOSTILE / "json_sex_number.json"), str(GOOD_BESIDE)]
    returncode = main(["ingest", *paths, "--db", str(tmp_path / "cli.duckdb"), "--strict", "--quiet", "--workers", "1"])
    out, err = capsys.readouterr()
    assert returncode == 0, err
    assert "records rejected:  0" in out
    assert "warnings:" in out
