"""Trends: the time and design fields read from both formats, the Newcombe interval, the
trend_*.sql queries against SQL written another way, the new filters and `export --what trends`."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from eligibility.build.normalise import normalise_code, normalise_enrollment, normalise_partial_date, normalise_record
from eligibility.build.readers import classic_xml, v2_json
from eligibility.build.records import Problem, StudyRecord
from eligibility.build.sources import Source
from eligibility.cli import main
from eligibility.explore.filters import FilterError, Filters
from eligibility.explore.queries import connect, run
from eligibility.explore.stats import newcombe_difference, wilson_interval
from eligibility.explore.trends import TABLES, THIN_YEAR, trend_table
from tests.conftest import DEMO, INGEST_FIXTURES, sql

FIELDS = (
    "start_date",
    "start_date_precision",
    "first_posted",
    "first_posted_precision",
    "primary_completion_date",
    "primary_completion_precision",
    "lead_sponsor_class",
    "enrollment",
    "countries",
    "primary_purpose",
)


def _rows(records: list[StudyRecord | Problem]) -> tuple[dict[str, dict[str, Any]], list[Problem]]:
    problems: list[Problem] = [r for r in records if isinstance(r, Problem)]
    rows = {}
    for record in records:
        if isinstance(record, StudyRecord):
            row, _ = normalise_record(record, 1, problems)
            rows[record.nct_id] = {k: row[k] for k in FIELDS}
    return rows, problems


def v2_rows(name: str) -> tuple[dict[str, dict[str, Any]], list[Problem]]:
    path = INGEST_FIXTURES / name
    return _rows(list(v2_json.read(name, path.read_text(encoding="utf-8"))))


def xml_rows_from_bytes(name: str, data: bytes) -> dict[str, dict[str, Any]]:
    rows, problems = _rows(list(classic_xml.read(Source(name, data))))
    assert [p.reason for p in problems if "criteria" not in p.reason] == []  # nothing about the fields read here
    return rows


# ---- readers: every field from real records, and records lacking each ----


def test_v2_reads_dates_with_precision_sponsor_enrollment_countries_and_purpose() -> None:
    rows, problems = v2_rows("v2_api_page.json")
    assert problems == []
    assert rows["NCT05932303"] == {
        "start_date": date(2023, 7, 12),
        "start_date_precision": "day",
        "first_posted": date(2023, 7, 6),
        "first_posted_precision": "day",
        "primary_completion_date": date(2023, 10, 23),
        "primary_completion_precision": "day",
        "lead_sponsor_class": "INDUSTRY",
        "enrollment": 47,
        "countries": ["Canada"],
        "primary_purpose": "TREATMENT",
    }
    # "2013-03": known to the month only, stored as the first of the month
    month = rows["NCT02960672"]
    assert (month["start_date"], month["start_date_precision"]) == (date(2013, 3, 1), "month")
    assert (month["primary_completion_date"], month["primary_completion_precision"]) == (date(2016, 10, 1), "month")
    assert month["primary_purpose"] is None  # an observational study has no primary purpose
    assert rows["NCT06476470"]["enrollment"] == 10000


def test_v2_countries_are_each_site_country_once_sorted() -> None:
    rows, _ = v2_rows("v2_array.json")
    study = json.loads((INGEST_FIXTURES / "v2_array.json").read_text())[0]
    sites = study["protocolSection"]["contactsLocationsModule"]["locations"]
    assert len(sites) > len(rows["NCT01949129"]["countries"])
    assert rows["NCT01949129"]["countries"] == sorted({s["country"] for s in sites})
    assert rows["NCT05756322"]["countries"] == ["Australia", "Taiwan"]


@pytest.mark.parametrize("name", ["v2_partial_NCT03453554.json", "v2_single_NCT00465816.json"])
def test_v2_records_without_the_fields_store_nulls(name: str) -> None:
    rows, _ = v2_rows(name)
    (row,) = rows.values()
    assert row == {**dict.fromkeys(FIELDS), "countries": []}


def test_v2_bulk_study_without_completion_date_or_sites() -> None:
    with zipfile.ZipFile(INGEST_FIXTURES / "v2_bulk.zip") as z:
        text = z.read("NCT00351065.json").decode()
    (record,) = [r for r in v2_json.read("NCT00351065.json", text) if isinstance(r, StudyRecord)]
    rows, _ = _rows([record])
    row = rows["NCT00351065"]
    assert (row["start_date"], row["start_date_precision"]) == (date(2004, 9, 1), "month")
    assert row["primary_completion_date"] is None and row["primary_completion_precision"] is None
    assert row["countries"] == []
    assert row["lead_sponsor_class"] == "INDUSTRY"


def test_v2_fields_of_the_wrong_type_are_warned_about_and_left_unknown() -> None:
    study = json.loads((INGEST_FIXTURES / "v2_array.json").read_text())[1]
    protocol = study["protocolSection"]
    protocol["statusModule"]["startDateStruct"] = "2023-07-20"
    protocol["statusModule"]["primaryCompletionDateStruct"] = {"date": "sometime in 2025"}
    protocol["designModule"]["enrollmentInfo"] = {"count": "sixty"}
    protocol["contactsLocationsModule"]["locations"] = [{"country": 7}, "Taiwan", {"country": "Australia"}]
    protocol["sponsorCollaboratorsModule"]["leadSponsor"] = {"class": ["INDUSTRY"]}
    rows, problems = _rows(list(v2_json.study_records(study, file="f.json", record="[0]")))
    row = rows[protocol["identificationModule"]["nctId"]]
    assert row["start_date"] is None and row["primary_completion_date"] is None
    assert row["enrollment"] is None and row["lead_sponsor_class"] is None
    assert row["countries"] == ["Australia"]
    assert row["first_posted"] == date(2023, 3, 6)  # the fields that were fine are kept
    reasons = " | ".join(p.reason for p in problems)
    for where in ("startDateStruct", "primary completion date", "enrollment", "locations", "leadSponsor.class"):
        assert where in reasons, where


def test_classic_xml_reads_the_same_fields() -> None:
    path = INGEST_FIXTURES / "xml_folder" / "NCT0000xxxx" / "NCT00000224.xml"
    rows = xml_rows_from_bytes(path.name, path.read_bytes())
    assert rows["NCT00000224"] == {
        "start_date": date(1993, 2, 1),  # "February 1993"
        "start_date_precision": "month",
        "first_posted": date(1999, 9, 21),  # "September 21, 1999"
        "first_posted_precision": "day",
        "primary_completion_date": None,  # the record has none
        "primary_completion_precision": None,
        "lead_sponsor_class": "NIH",
        "enrollment": 0,
        "countries": ["United States"],
        "primary_purpose": "TREATMENT",
    }


def test_classic_xml_and_v2_of_one_study_agree() -> None:
    with zipfile.ZipFile(INGEST_FIXTURES / "AllPublicXML-mini.zip") as z:
        xml = z.read("NCT0049xxxx/NCT00499317.xml")
    with zipfile.ZipFile(INGEST_FIXTURES / "v2_bulk.zip") as z:
        v2_text = z.read("NCT00499317.json").decode()
    from_xml = xml_rows_from_bytes("NCT00499317.xml", xml)
    from_v2, _ = _rows([r for r in v2_json.read("NCT00499317.json", v2_text) if isinstance(r, StudyRecord)])
    assert from_xml == from_v2
    assert from_xml["NCT00499317"]["primary_purpose"] is None  # an observational study: no <primary_purpose>
    assert from_xml["NCT00499317"]["start_date"] == date(2007, 1, 15)


def _sample_xml(entry: str) -> dict[str, Any]:
    with zipfile.ZipFile(DEMO / "ctgov-classic-xml" / "AllPublicXML-sample.zip") as z:
        (row,) = xml_rows_from_bytes(entry, z.read(entry)).values()
    return row


def test_classic_xml_records_lacking_fields_store_nulls() -> None:
    # No start date, primary completion date or enrollment in the record.
    row = _sample_xml("NCT0000xxxx/NCT00000102.xml")
    assert row["start_date"] is None and row["start_date_precision"] is None
    assert row["primary_completion_date"] is None and row["enrollment"] is None
    assert row["first_posted"] == date(1999, 11, 4) and row["lead_sponsor_class"] == "NIH"
    assert _sample_xml("NCT0000xxxx/NCT00000111.xml")["countries"] == []  # no sites at all
    lacking = _sample_xml("NCT0318xxxx/NCT03182660.xml")  # an empty <lead_sponsor> agency class
    assert lacking["lead_sponsor_class"] is None and lacking["primary_purpose"] is None
    fed = _sample_xml("NCT0000xxxx/NCT00000444.xml")  # <agency_class>U.S. Fed</agency_class>
    assert (fed["lead_sponsor_class"], fed["enrollment"], fed["start_date"]) == ("FED", 500, date(1997, 9, 1))


def test_text_export_has_none_of_the_fields(fixture_db) -> None:
    db, _ = fixture_db
    rows = sql(
        db,
        "select count(*), count(start_date), count(first_posted), count(primary_completion_date), "
        "count(lead_sponsor_class), count(enrollment), count(primary_purpose), sum(len(countries)) "
        "from studies where source_format = 'eligibility-text'",
    )
    assert rows[0][0] > 0 and rows[0][1:] == (0, 0, 0, 0, 0, 0, 0)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2017-10-02", (date(2017, 10, 2), "day", None)),
        ("2017-10", (date(2017, 10, 1), "month", None)),
        ("October 2, 2017", (date(2017, 10, 2), "day", None)),
        ("October 2017", (date(2017, 10, 1), "month", None)),
        ("", (None, None, None)),
        (None, (None, None, None)),
    ],
)
def test_partial_dates_keep_their_precision(raw: str | None, expected: tuple) -> None:
    assert normalise_partial_date(raw, what="start date") == expected


def test_codes_map_the_classic_spellings_and_bad_values_warn() -> None:
    assert normalise_code("U.S. Fed", what="x", known={"FED": ""}) == ("FED", None)
    assert normalise_code("Educational/Counseling/Training", what="x", known={"ECT": ""}) == ("ECT", None)
    assert normalise_code("Supportive Care", what="x", known={"SUPPORTIVE_CARE": ""}) == ("SUPPORTIVE_CARE", None)
    code, warning = normalise_code("Martian", what="lead sponsor class", known={"FED": ""})
    assert code == "MARTIAN" and "not a known code" in (warning or "")
    assert normalise_enrollment("501") == (501, None)
    assert normalise_enrollment(-3)[0] is None and normalise_enrollment(True)[0] is None
    assert normalise_partial_date("2017-13", what="start date")[2]


def _raw_start_dates() -> set[str]:
    """NCT IDs of the demo v2 and XML records that carry a start date, read from the files directly."""
    found: set[str] = set()

    def study_json(study: Any) -> None:
        protocol = study.get("protocolSection", {}) if isinstance(study, dict) else {}
        if (protocol.get("statusModule", {}).get("startDateStruct") or {}).get("date"):
            found.add(protocol["identificationModule"]["nctId"])

    def visit(name: str, data: bytes) -> None:
        if name.endswith(".zip"):
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                for entry in z.namelist():
                    if not entry.startswith("__MACOSX") and not entry.endswith("/"):
                        visit(entry, z.read(entry))
        elif name.endswith(".json"):
            document = json.loads(data)
            for study in document if isinstance(document, list) else document.get("studies", [document]):
                study_json(study)
        elif name.endswith(".xml"):
            root = ET.fromstring(data)
            for study in [root] if root.tag == "clinical_study" else root.iter("clinical_study"):
                if (study.findtext("start_date") or "").strip():
                    found.add(study.findtext("id_info/nct_id") or "")

    for path in sorted((DEMO / "ctgov-v2").rglob("*")) + sorted((DEMO / "ctgov-classic-xml").rglob("*")):
        if path.is_file():
            visit(path.name, path.read_bytes())
    return found


def test_start_year_is_present_for_demo_studies_whose_source_has_a_start_date(demo_db) -> None:
    db, _ = demo_db
    in_source = _raw_start_dates()
    loaded = {r[0] for r in sql(db, "select nct_id from studies")}
    with_year = {r[0] for r in sql(db, "select nct_id from studies where start_year is not null")}
    expected = in_source & loaded  # the rest were rejected (malformed NCT IDs)
    assert len(expected) > 6000
    coverage = len(expected & with_year) / len(expected)
    print(f"start year present for {len(expected & with_year):,} of {len(expected):,} ({coverage:.2%})")
    assert coverage >= 0.95


# ---- the interval ----


@pytest.mark.parametrize(
    ("counts", "published"),
    [
        # Newcombe (1998), Table II, method 10 (hybrid score, no continuity correction)
        ((56, 70, 48, 80), (0.0524, 0.3339)),
        ((9, 10, 3, 10), (0.1705, 0.8090)),
        ((5, 56, 0, 29), (-0.0381, 0.1926)),
        ((0, 10, 0, 20), (-0.1611, 0.2775)),
        ((10, 10, 0, 20), (0.6791, 1.0000)),
    ],
)
def test_newcombe_interval_matches_the_published_examples(counts: tuple[int, int, int, int], published: tuple) -> None:
    d = newcombe_difference(*counts)
    assert (round(d.low, 4), round(d.high, 4)) == published


def test_newcombe_interval_matches_a_hand_computation() -> None:
    # after 1/7, before 4/6; z = 1.959964, z^2 = 3.841459.
    # Wilson 1/7: (2*7*(1/7) + z^2 -+ z*sqrt(z^2 + 4*7*(1/7)*(6/7))) / (2*(7 + z^2))
    #           = (5.841459 -+ 1.959964*2.696299) / 21.682918 = (0.025680, 0.513128)
    # Wilson 4/6: (11.841459 -+ 1.959964*3.028992) / 19.682918 = (0.299993, 0.903229)
    # difference = 1/7 - 4/6 = -0.523810
    # low  = -0.523810 - sqrt((0.142857 - 0.025680)^2 + (0.903229 - 0.666667)^2) = -0.523810 - 0.263993 = -0.787803
    # high = -0.523810 + sqrt((0.513128 - 0.142857)^2 + (0.666667 - 0.299993)^2) = -0.523810 + 0.521106 = -0.002704
    assert wilson_interval(1, 7) == pytest.approx((0.025680, 0.513128), abs=1e-6)
    assert wilson_interval(4, 6) == pytest.approx((0.299993, 0.903229), abs=1e-6)
    d = newcombe_difference(1, 7, 4, 6)
    assert (d.difference, d.low, d.high) == pytest.approx((-0.523810, -0.787803, -0.002704), abs=1e-5)


# ---- the queries ----


def _run(db: Path, name: str, filters: Filters, **params: Any):
    con = connect(db)
    try:
        return run(con, name, **filters.params(), **params)
    finally:
        con.close()


def test_before_after_counts_on_the_fixture_database(fixture_db) -> None:
    """The fixture's dated studies with exclusion criteria: 6 started before 2 Oct 2017, 7 after."""
    db, _ = fixture_db
    frame = _run(db, "trend_before_after", Filters(), cutoff="2017-10-02", gap_years=0)
    first = frame.row(0, named=True)
    assert (first["before_base"], first["after_base"], first["set_aside"]) == (6, 7, 0)
    # A cut-off inside January 2017 sets aside NCT02753764, which started in "2017-01" (month only).
    first = _run(db, "trend_before_after", Filters(), cutoff="2017-01-15", gap_years=0).row(0, named=True)
    assert (first["before_base"], first["after_base"], first["set_aside"]) == (5, 7, 1)
    # A gap year sets aside NCT03466944, which started on 2018-03-05.
    first = _run(db, "trend_before_after", Filters(), cutoff="2017-10-02", gap_years=1).row(0, named=True)
    assert (first["before_base"], first["after_base"], first["set_aside"]) == (6, 6, 1)
    for r in trend_table("before-after", lambda n, **p: _run(db, n, Filters(), **p)).iter_rows(named=True):
        theme = r["theme"]
        before = sql(db, THEME_TRIALS + " and s.start_date < date '2017-10-01'", {"theme": theme})[0][0]
        after = sql(db, THEME_TRIALS + " and s.start_date >= date '2017-10-02'", {"theme": theme})[0][0]
        assert (r["before_trials"], r["after_trials"]) == (before, after), theme
        d = newcombe_difference(after, 7, before, 6)
        assert (r["difference_pp"], r["ci_low_pp"], r["ci_high_pp"]) == pytest.approx(
            (100 * d.difference, 100 * d.low, 100 * d.high)
        )


THEME_TRIALS = (
    "select count(distinct s.nct_id) from studies s join criterion_themes t using (nct_id) "
    "where t.section = 'exclusion' and t.theme = $theme"
)
FILTERS = [
    Filters(),
    Filters(preset="pediatric-b-all"),
    Filters(sponsor_classes=("INDUSTRY",), countries=("United States", "Canada")),
    Filters(start_year_min=1995, start_year_max=2015, primary_purposes=("TREATMENT", "SUPPORTIVE_CARE")),
]
WHERE = [
    "true",
    "s.is_b_all and coalesce(s.minimum_age_years, 0) < 18",
    "s.lead_sponsor_class = 'INDUSTRY' and (list_contains(s.countries, 'United States') or list_contains(s.countries, 'Canada'))",
    "year(s.start_date) between 1995 and 2015 and s.primary_purpose in ('TREATMENT', 'SUPPORTIVE_CARE')",
]
CASES = list(zip(FILTERS, WHERE, strict=True))


@pytest.mark.parametrize(("filters", "where"), CASES)
def test_new_filters_match_direct_sql(demo_db, filters: Filters, where: str) -> None:
    db, _ = demo_db
    got = _run(db, "trials_table", filters, limit=100_000, offset=0)["nct_id"].to_list()
    expected = [r[0] for r in sql(db, f"select s.nct_id from studies s where {where}")]
    assert len(expected) > 20
    assert sorted(got) == sorted(expected)


@pytest.mark.parametrize(("filters", "where"), CASES)
def test_theme_shares_by_year_match_counts_from_the_criteria(demo_db, filters: Filters, where: str) -> None:
    db, _ = demo_db
    frame = _run(db, "trend_theme_shares", filters, thin_below=THIN_YEAR)
    got = {
        (r["start_year"], r["theme"]): (r["trials"], r["trials_with_exclusions"], r["thin"]) for r in frame.iter_rows(named=True)
    }
    trials = dict(
        sql(
            db,
            f"""select year(s.start_date) || '/' || t.theme, count(distinct s.nct_id) from studies s
                join criterion_themes t on t.nct_id = s.nct_id and t.section = 'exclusion'
                where s.start_date is not null and {where} group by 1""",
        )
    )
    bases = dict(
        sql(
            db,
            f"select year(s.start_date), count(*) from studies s where s.n_exclusion > 0 and s.start_date is not null and {where} group by 1",
        )
    )
    assert {y for y, _ in got} == set(bases)
    for (year, theme), (n, base, thin) in got.items():
        assert n == trials.get(f"{year}/{theme}", 0), (year, theme)
        assert base == bases[year] and thin == (base < THIN_YEAR)


@pytest.mark.parametrize(("filters", "where"), CASES)
def test_age_access_and_year_counts_match_direct_sql(demo_db, filters: Filters, where: str) -> None:
    db, _ = demo_db
    access = {r["start_year"]: r for r in _run(db, "trend_age_access", filters, thin_below=THIN_YEAR).iter_rows(named=True)}
    counts = {r["start_year"]: r for r in _run(db, "trend_year_counts", filters, thin_below=THIN_YEAR).iter_rows(named=True)}
    direct = sql(
        db,
        f"""select year(s.start_date) as y, count(*),
                sum(case when s.minimum_age_years is null or s.minimum_age_years < 18 then 1 else 0 end),
                sum(case when s.maximum_age_years is null or s.maximum_age_years >= 18 then 1 else 0 end),
                sum(case when (s.maximum_age_years is null or s.maximum_age_years >= 18)
                          and (s.minimum_age_years is null or s.minimum_age_years < 18) then 1 else 0 end),
                sum(case when (s.maximum_age_years is null or s.maximum_age_years >= 18)
                          and (s.minimum_age_years is null or s.minimum_age_years <= 12) then 1 else 0 end),
                sum(case when s.minimum_age_years > 39 or s.maximum_age_years < 15 then 0 else 1 end),
                sum(case when s.n_exclusion > 0 then 1 else 0 end)
            from studies s where {where} group by y""",
    )
    assert {y for y, *_ in direct} == set(counts)
    for year, n, under_18, adult, adult_12_17, adult_12, aya, with_exclusions in direct:
        assert (counts[year]["trials"], counts[year]["trials_with_exclusions"]) == (n, with_exclusions)
        assert counts[year]["thin"] == (year is not None and n < THIN_YEAR)
        if year is None:
            continue
        r = access[year]
        assert (r["trials"], r["accepts_under_18"], r["adult_trials"]) == (n, under_18, adult)
        assert (r["adult_accepts_12_17"], r["adult_accepts_from_12"], r["overlaps_aya"]) == (adult_12_17, adult_12, aya)
        assert r["share_under_18"] == pytest.approx(under_18 / n)
    assert set(access) == {y for y in counts if y is not None}


def test_filters_refuse_bad_years_and_countries() -> None:
    with pytest.raises(FilterError, match="start_year_min"):
        Filters(start_year_min=2020, start_year_max=2010)
    with pytest.raises(FilterError, match="start_year_max"):
        Filters(start_year_max=99999)
    with pytest.raises(FilterError, match="countries"):
        Filters(countries=("x" * 500,))
    with pytest.raises(FilterError, match="sponsor_classes"):
        Filters(sponsor_classes=("industry; drop table studies",))
    assert "sites in Canada" in Filters(countries=("Canada",), start_year_min=2018).describe()


@pytest.mark.parametrize("table", list(TABLES))
def test_export_trends_writes_the_page_tables(demo_db, tmp_path: Path, table: str) -> None:
    db, _ = demo_db
    out = tmp_path / f"{table}.csv"
    args = ["export", "--db", str(db), "--what", "trends", "--table", table, "--preset", "b-all", "--gap-years", "1"]
    assert main([*args, "--out", str(out)]) == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    filters = Filters(preset="b-all")
    expected = trend_table(table, lambda n, **p: _run(db, n, filters, **p), gap_years=1)
    assert len(rows) == expected.height > 0
    assert list(rows[0]) == expected.columns
    first = expected.row(0, named=True)
    assert all(rows[0][k] == ("" if v is None else str(v).lower() if isinstance(v, bool) else str(v)) for k, v in first.items())
