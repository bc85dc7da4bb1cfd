"""Readers for every input shape, merging by NCT ID, rejects, and the database the ingest writes."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import pytest

from eligibility.build.ingest import ingest
from eligibility.build.readers import detect_format, read_source
from eligibility.build.records import Problem, StudyRecord
from eligibility.build.sources import Source, iter_sources
from tests.conftest import INGEST_FIXTURES, ROOT, sql


def read_path(path: Path) -> tuple[list[StudyRecord], list[Problem]]:
    records: list[StudyRecord] = []
    problems: list[Problem] = []
    for item in iter_sources([path]):
        if isinstance(item, Problem):
            problems.append(item)
            continue
        for result in read_source(item):
            (problems if isinstance(result, Problem) else records).append(result)  # type: ignore[arg-type]
    return records, problems


def test_v2_array_download() -> None:
    records, problems = read_path(INGEST_FIXTURES / "v2_array.json")
    assert problems == []
    assert [r.nct_id for r in records] == [
        s["protocolSection"]["identificationModule"]["nctId"] for s in json.loads((INGEST_FIXTURES / "v2_array.json").read_text())
    ]
    first = records[0]
    assert first.source_format == "ctgov-v2-json"
    assert first.nct_id == "NCT01949129"
    assert first.title and first.conditions and first.criteria_text
    assert first.source_record == "[0] NCT01949129"


def test_v2_api_page_single_study_and_json_lines() -> None:
    page, _ = read_path(INGEST_FIXTURES / "v2_api_page.json")
    assert len(page) == 3 and page[0].source_record.startswith("studies[0]")
    single, _ = read_path(INGEST_FIXTURES / "v2_single_NCT00465816.json")
    assert [r.nct_id for r in single] == ["NCT00465816"]
    lines, problems = read_path(INGEST_FIXTURES / "v2_lines.jsonl")
    assert problems == [] and len(lines) == 3
    assert lines[1].source_record.startswith("line 2 ")


def test_v2_bulk_zip_has_one_study_per_entry() -> None:
    records, problems = read_path(INGEST_FIXTURES / "v2_bulk.zip")
    assert problems == []
    assert len(records) == 3
    assert records[0].source_file.endswith("v2_bulk.zip!NCT00499317.json")
    assert records[0].nct_id == "NCT00499317"


def test_partial_v2_study_is_kept() -> None:
    records, _ = read_path(INGEST_FIXTURES / "v2_partial_NCT03453554.json")
    assert [r.nct_id for r in records] == ["NCT03453554"]
    assert records[0].criteria_text is None and records[0].sex_raw is None


def test_classic_xml_file_folder_and_zip() -> None:
    records, problems = read_path(INGEST_FIXTURES / "xml_folder")
    assert problems == []
    by_id = {r.nct_id: r for r in records}
    assert set(by_id) == {"NCT00000224", "NCT00003405"}
    study = by_id["NCT00000224"]
    assert study.source_format == "ctgov-classic-xml"
    assert (study.sex_raw, study.minimum_age_raw, study.maximum_age_raw, study.healthy_volunteers_raw) == (
        "All",
        "30 Years",
        "49 Years",
        "No",
    )
    assert study.conditions == ["Opioid-Related Disorders"]
    assert study.phases == ["Phase 1"] and study.overall_status == "Completed"
    zipped, problems = read_path(INGEST_FIXTURES / "AllPublicXML-mini.zip")
    assert problems == [] and {r.nct_id for r in zipped} == {"NCT00499317", "NCT00000410"}


def test_macos_zip_twins_are_passed_over_quietly() -> None:
    records, problems = read_path(INGEST_FIXTURES / "mac_zipped.zip")
    assert problems == []
    assert sorted(r.nct_id for r in records) == ["NCT00002502", "NCT00003405"]


def test_text_export_reference_document() -> None:
    records, problems = read_path(INGEST_FIXTURES / "text" / "NCT06389305.txt")
    assert problems == []
    (study,) = records
    assert study.source_format == "eligibility-text"
    assert (study.nct_id, study.sex_raw, study.minimum_age_raw, study.maximum_age_raw) == (
        "NCT06389305",
        "ALL",
        "1 Year",
        "39 Years",
    )
    assert study.healthy_volunteers_raw == "False"
    assert study.criteria_text and study.criteria_text.startswith("Inclusion Criteria: * A patient must meet")
    assert study.title is None and study.conditions == [] and not study.truncated


def test_text_file_with_two_documents_gives_two_studies() -> None:
    records, problems = read_path(INGEST_FIXTURES / "text" / "two_documents.txt")
    assert problems == []
    assert [r.nct_id for r in records] == ["NCT03364257", "NCT00437060"]
    assert all(r.criteria_text for r in records)
    assert records[0].criteria_text != records[1].criteria_text


def test_truncated_text_document_keeps_what_is_there_and_warns() -> None:
    records, problems = read_path(INGEST_FIXTURES / "text" / "truncated_NCT00049569.txt")
    (study,) = records
    assert study.truncated
    assert study.sex_raw is None and study.minimum_age_raw is None and study.healthy_volunteers_raw is None
    assert study.criteria_text and "invasive filamentous fungal infection" in study.criteria_text
    (warning,) = problems
    assert warning.kind == "warning" and "cut off" in warning.reason and "Sex" in warning.reason
    assert "NCT00049569" in warning.record


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"\xef\xbb\xbf[{}]", "ctgov-v2-json"),
        (b'  {"studies": []}', "ctgov-v2-json"),
        (b"<?xml version='1.0'?><clinical_study/>", "ctgov-classic-xml"),
        (b"Eligibility Module\n\nNCT ID: NCT06389305\n", "eligibility-text"),
        (b"nct_id,title\nNCT1,x\n", None),
    ],
)
def test_format_is_detected_by_content_not_extension(data: bytes, expected: str | None) -> None:
    assert detect_format(data) == expected


def test_bad_records_are_rejected_with_file_record_and_reason_and_good_ones_kept(tmp_path: Path) -> None:
    good = json.loads((INGEST_FIXTURES / "v2_array.json").read_text())
    bad_id = json.loads(json.dumps(good[1]))
    bad_id["protocolSection"]["identificationModule"]["nctId"] = "NCT123"
    mixed = [good[0], bad_id, "not a study", good[2]]
    (tmp_path / "mixed.json").write_text(json.dumps(mixed))
    (tmp_path / "broken.json").write_text('[{"protocolSection": ')
    (tmp_path / "v1.json").write_text(json.dumps({"FullStudiesResponse": {"FullStudies": []}}))
    db = tmp_path / "t.duckdb"
    summary = ingest([tmp_path / "mixed.json", tmp_path / "broken.json", tmp_path / "v1.json"], db)
    assert summary.studies_loaded == 2
    assert summary.rejected == 4
    assert summary.records_read == summary.studies_loaded + summary.duplicates_merged + summary.rejected
    rejected = sql(db, "select file, record, reason from ingest_issues where kind = 'rejected' order by file, record")
    assert rejected[0][0].endswith("broken.json") and "invalid JSON" in rejected[0][2]
    assert rejected[1][0].endswith("mixed.json") and rejected[1][1] == "[1]" and "NCT123" in rejected[1][2]
    assert rejected[2][1] == "[2]" and "JSON object" in rejected[2][2]
    assert rejected[3][0].endswith("v1.json") and "API v1" in rejected[3][2]
    assert sorted(r[0] for r in sql(db, "select nct_id from studies")) == sorted(
        [good[0]["protocolSection"]["identificationModule"]["nctId"], good[2]["protocolSection"]["identificationModule"]["nctId"]]
    )


def test_fixture_ingest_summary_adds_up(fixture_db) -> None:
    db, summary = fixture_db
    assert summary.rejected == 0
    assert summary.records_read == summary.studies_loaded + summary.duplicates_merged + summary.rejected
    assert sql(db, "select count(*), count(distinct nct_id) from studies") == [(summary.studies_loaded, summary.studies_loaded)]
    assert sql(db, "select count(*) from study_sources")[0][0] == summary.studies_loaded + summary.duplicates_merged


def test_same_study_from_several_files_is_merged_most_recent_wins(fixture_db) -> None:
    db, summary = fixture_db
    assert summary.duplicates_merged == 2  # NCT00499317 and NCT00003405 each arrive twice
    # v2 record updated 2023-08-14 beats the classic XML one of 2022-06-10.
    kept = sql(db, "select source_format, last_update::varchar from studies where nct_id = 'NCT00499317'")
    assert kept == [("ctgov-v2-json", "2023-08-14")]
    sources = sql(db, "select source_format, kept from study_sources where nct_id = 'NCT00499317' order by source_format")
    assert sources == [("ctgov-classic-xml", False), ("ctgov-v2-json", True)]
    # AllPublicXML's 2021-10-14 record beats the researcher's zip of 2021-04-22, whichever is read first.
    assert sql(db, "select source_file, last_update::varchar from studies where nct_id = 'NCT00003405'") == [
        (str(INGEST_FIXTURES / "xml_folder" / "NCT0000xxxx" / "NCT00003405.xml"), "2021-10-14")
    ]


def test_normalised_columns_in_the_database(fixture_db) -> None:
    db, _ = fixture_db
    row = sql(
        db,
        "select sex, healthy_volunteers, minimum_age_years, maximum_age_years, std_ages, std_ages_source, is_b_all, n_inclusion, n_exclusion "
        "from studies where nct_id = 'NCT06389305'",
    )
    assert row == [("ALL", False, 1.0, 39.0, ["CHILD", "ADULT"], "derived", True, 7, 16)]
    xml = sql(
        db,
        "select sex, healthy_volunteers, minimum_age_years, maximum_age_years, overall_status, phase from studies where nct_id = 'NCT00000224'",
    )
    assert xml == [("ALL", False, 30.0, 49.0, "COMPLETED", "PHASE1")]
    truncated = sql(db, "select record_complete, sex, minimum_age_years from studies where nct_id = 'NCT00049569'")
    assert truncated == [(False, None, None)]


def test_criteria_rows_follow_the_document(fixture_db) -> None:
    db, _ = fixture_db
    rows = sql(db, "select section, ordinal, text from criteria where nct_id = 'NCT06389305' order by ordinal")
    assert [r[0] for r in rows] == ["inclusion"] * 7 + ["exclusion"] * 16
    assert [r[1] for r in rows] == list(range(1, 24))
    assert rows[-5][2] == "Leukemic cells in the cerebrospinal fluid >20 cells/μL;"


def test_database_schema_has_the_documented_tables(fixture_db) -> None:
    """Every table in the database is documented in the README's database section, and nothing else is."""
    db, _ = fixture_db
    tables = {r[0] for r in sql(db, "select table_name from information_schema.tables where table_catalog = 'eligibility'")}
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## The database", 1)[1].split("\n## ", 1)[0]
    documented = {name for row in re.findall(r"^\| ([^|]+) \|", section, re.MULTILINE) for name in re.findall(r"`(\w+)`", row)}
    assert tables == documented
    columns = {r[0] for r in sql(db, "select column_name from information_schema.columns where table_name = 'studies'")}
    assert {"nct_id", "sex", "healthy_volunteers", "minimum_age_years", "maximum_age_years", "std_ages"} <= columns
    criteria_columns = {r[0] for r in sql(db, "select column_name from information_schema.columns where table_name = 'criteria'")}
    assert {"nct_id", "section", "ordinal", "text", "parent_ordinal"} <= criteria_columns


def test_study_numbers_follow_nct_id_order_and_agree_across_tables(fixture_db) -> None:
    """The queries join on study_no: it must number the studies 1, 2, ... in NCT ID order, and mean the
    same study in every table that carries it."""
    db, _ = fixture_db
    assert sql(db, "select count(*) = max(study_no), min(study_no) from studies") == [(True, 1)]
    assert sql(
        db, "select count(*) from (select study_no, row_number() over (order by nct_id) as n from studies) where study_no <> n"
    ) == [(0,)]
    for table in ("criteria", "criterion_themes", "criterion_thresholds", "study_theme_counts", "study_thresholds"):
        rows, mismatched = sql(
            db,
            f"select count(*), count(*) filter (where t.study_no is distinct from s.study_no) from {table} t left join studies s using (nct_id)",
        )[0]
        assert rows > 0 and mismatched == 0, table
    # each study's measure bits are the measures of its threshold facts
    assert sql(
        db,
        """select count(*) from studies s where threshold_measure_mask <> coalesce((
               select bit_or(1::bigint << (m.position - 1)) from criterion_thresholds t
               join threshold_measures m using (measure) where t.nct_id = s.nct_id), 0)""",
    ) == [(0,)]


def test_unparseable_age_keeps_the_study_and_warns(tmp_path: Path) -> None:
    study = json.loads((INGEST_FIXTURES / "v2_array.json").read_text())[0]
    study["protocolSection"]["eligibilityModule"]["minimumAge"] = "18 Yrs"
    (tmp_path / "one.json").write_text(json.dumps(study))
    db = tmp_path / "t.duckdb"
    summary = ingest([tmp_path / "one.json"], db)
    assert summary.studies_loaded == 1 and summary.warnings >= 1
    assert sql(db, "select minimum_age_raw, minimum_age_years from studies") == [("18 Yrs", None)]
    (warning,) = sql(db, "select file, record, reason from ingest_issues where kind = 'warning' and reason like '%18 Yrs%'")
    assert warning[0].endswith("one.json") and "NCT01949129" in warning[1]


def test_failed_ingest_leaves_the_previous_database(tmp_path: Path) -> None:
    db = tmp_path / "t.duckdb"
    ingest([INGEST_FIXTURES / "v2_array.json"], db)
    before = sql(db, "select count(*) from studies")
    with pytest.raises(FileNotFoundError):
        ingest([tmp_path / "missing.json"], db)
    assert sql(db, "select count(*) from studies") == before
    assert not list(tmp_path.glob(".t.duckdb.building-*"))


def test_zip_entry_escaping_the_archive_is_rejected(tmp_path: Path) -> None:
    archive = tmp_path / "evil.zip"
    good = (INGEST_FIXTURES / "v2_single_NCT00465816.json").read_bytes()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("../../etc/evil.json", good)
        z.writestr("ok/NCT00465816.json", good)
    items = list(iter_sources([archive]))
    assert [type(i) for i in items] == [Problem, Source]
    assert "escapes" in items[0].reason  # type: ignore[union-attr]
