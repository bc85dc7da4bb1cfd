"""Threshold facts: the extractor on real criterion wordings, its scoring, the ingest tables and the queries.

The criterion texts are taken from the demo data (data/demo), shortened where a
long item would only repeat a form already tested.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import polars as pl
import pytest

from eligibility.build.ingest import ingest
from eligibility.build.threshold_eval import evaluate, read_labelled
from eligibility.build.thresholds import SANE, extract, extract_frame
from eligibility.cli import main
from eligibility.explore.filters import Filters
from eligibility.explore.queries import connect, run
from tests.conftest import DEMO, sql

Fact = tuple[str, str, float, str]


def facts(text: str, section: str = "inclusion") -> set[Fact]:
    return {(f.measure, f.bound, round(f.value, 3), f.unit) for f in extract(text, section)}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # comparison signs and words
        ("Bilirubin =< 2.0 mg/dL", {("bilirubin", "max", 2.0, "mg/dL")}),
        ("Creatinine <= 1.5 mg/dl", {("creatinine", "max", 1.5, "mg/dL")}),
        ("Creatinine ≤ 2 mg/dL", {("creatinine", "max", 2.0, "mg/dL")}),
        ("Age ≥ 18 years", {("age", "min", 18.0, "years")}),
        ("Patients >= 18 years old and < 50 years old", {("age", "min", 18.0, "years"), ("age", "max", 50.0, "years")}),
        ("Hemoglobin >= 12 g/dl", {("hemoglobin", "min", 12.0, "g/dL")}),
        ("Bilirubin no more than 2 times the ULN", {("bilirubin", "max", 2.0, "xULN")}),
        ("Bilirubin less than 2.5 mg/dL", {("bilirubin", "max", 2.5, "mg/dL")}),
        ("Life expectancy at least 3 months.", {("life_expectancy", "min", 13.035, "weeks")}),
        (
            "Karnofsky performance status greater than or equal to 70%",
            {("karnofsky", "min", 70.0, "%")},
        ),
        # multiples of the upper limit of normal
        ("SGOT =< 2.5 x upper limit of normal", {("ast_alt", "max", 2.5, "xULN")}),
        ("Kidney function: Creatinine ≤1.5 × ULN", {("creatinine", "max", 1.5, "xULN")}),
        ("ALT ≤ 3 × the upper limit of normal", {("ast_alt", "max", 3.0, "xULN")}),
        ("SGOT no greater than 1.5 times ULN", {("ast_alt", "max", 1.5, "xULN")}),
        ("Total bilirubin <2 x institutional ULN", {("bilirubin", "max", 2.0, "xULN")}),
        ("Total bilirubin ≤ 1.5 x institutional ULN", {("bilirubin", "max", 1.5, "xULN")}),
        ("Bilirubin no greater than 1.5 times normal", {("bilirubin", "max", 1.5, "xULN")}),
        # counts: thousands separators, powers of ten, per mm3
        ("Absolute neutrophil count at least 1,500/mm^3", {("anc", "min", 1500.0, "/uL")}),
        ("Absolute neutrophil count (ANC) > 1.5 x 10^9/L", {("anc", "min", 1500.0, "/uL")}),
        ("Platelet count > 100 x 10^9/L", {("platelets", "min", 100000.0, "/uL")}),
        ("Platelets ≥ 100 ×10³/µL", {("platelets", "min", 100000.0, "/uL")}),
        ("ANC ≥ 1.0 × 10⁹/L", {("anc", "min", 1000.0, "/uL")}),
        ("Platelet count ≥ 20,000/mm^3 (may receive platelet transfusions)", {("platelets", "min", 20000.0, "/uL")}),
        ("Platelets < 50000 platelets/mm3.", {("platelets", "max", 50000.0, "/uL")}),
        # SI units converted to the measure's unit
        ("Serum creatinine level <= 125 µmol/L", {("creatinine", "max", 1.414, "mg/dL")}),
        ("Total bilirubin ≤ 34 µmol/L", {("bilirubin", "max", 1.988, "mg/dL")}),
        ("Hemoglobin ≥ 90 g/L", {("hemoglobin", "min", 9.0, "g/dL")}),
        ("Creatinine clearance ≥ 60 mL/min/1.73 m²", {("creatinine_clearance", "min", 60.0, "mL/min")}),
        # ranges, and a range end that is the scale's own limit
        ("Performance status: Zubrod 0-1", {("ecog", "max", 1.0, "points")}),
        ("Eastern Cooperative Oncology Group (ECOG) performance status of 0, 1 or 2.", {("ecog", "max", 2.0, "points")}),
        ("Lansky 50-100%", {("lansky", "min", 50.0, "%")}),
        ("Karnofsky performance status 60 to 100", {("karnofsky", "min", 60.0, "%")}),
        ("Males and females 60 to 100 years of age", {("age", "min", 60.0, "years"), ("age", "max", 100.0, "years")}),
        ("Age: 18 to 70", {("age", "min", 18.0, "years"), ("age", "max", 70.0, "years")}),
        # no sign: the measure's usual bound
        ("Platelet count 50 x 10^9/L or more", {("platelets", "min", 50000.0, "/uL")}),
        # within normal limits, or at most the ULN, is 1 x ULN for the ULN measures only
        ("Creatinine within normal limits", {("creatinine", "max", 1.0, "xULN")}),
        ("Bilirubin no greater than upper limit of normal (ULN)", {("bilirubin", "max", 1.0, "xULN")}),
        ("Total bilirubin ≤ ULN", {("bilirubin", "max", 1.0, "xULN")}),
        ("Shortening fraction normal", set()),
        # life expectancy in weeks
        ("Life expectancy of at least 60 days", {("life_expectancy", "min", 8.571, "weeks")}),
        ("Life expectancy greater than 1 year", {("life_expectancy", "min", 52.18, "weeks")}),
        ("Life expectancy > 16 weeks", {("life_expectancy", "min", 16.0, "weeks")}),
        # ages: own age only, in years
        ("16 years of age or older", {("age", "min", 16.0, "years")}),
        ("Age 75 years or younger", {("age", "max", 75.0, "years")}),
        ("<12 hours of age", {("age", "max", 0.001, "years")}),
        ("Children 3 months to 17 years of age", {("age", "min", 0.25, "years"), ("age", "max", 17.0, "years")}),
        ("Signed informed consent from a parent or legal guardian for patients under 18 years of age", set()),
        ("For patients over age 5, IQ must be at least 80", set()),
        ("Donor age 18 to 60 years", set()),
        # no number, no fact
        ("Adequate organ function", set()),
        ("History of elevated bilirubin", set()),
        ("Direct bilirubin ≤ 2.0 mg/dL", set()),
        ("HbA1c ≥ 7.5%", set()),
        ("Glycosylated hemoglobin levels > 9%", set()),
        ("Creatinine increase of at least 2 times the admission value", set()),
        ("Blood urea nitrogen (BUN) less than 40 mg/dL", set()),
        # two limits joined by "and below" or "to", or with a bracketed restatement between them
        ("Aged above 21 and below 70 years", {("age", "min", 21.0, "years"), ("age", "max", 70.0, "years")}),
        ("Age ≥ 3 months to < 18 years at enrolment", {("age", "min", 0.25, "years"), ("age", "max", 18.0, "years")}),
        ("Age ≥ 24 months (2 years) and ≤ 30 years", {("age", "min", 2.0, "years"), ("age", "max", 30.0, "years")}),
        # ... while "and below" with no number after it is a one-sided limit
        ("Children 12 years and below", {("age", "max", 12.0, "years")}),
        # a performance scale written with its abbreviation; creatinine clearance as "Cr clearance", in cc/min
        ("Lansky PS ≥ 60 or Karnofsky PS ≥ 60", {("lansky", "min", 60.0, "%"), ("karnofsky", "min", 60.0, "%")}),
        ("Cr clearance of at least 60 cc/min", {("creatinine_clearance", "min", 60.0, "mL/min")}),
        # an illness that would limit survival is the one excluded, wherever the list's "No" is
        (
            "Cardiac: normal. Other: HIV negative no active infection no disease that would limit survival to less than 1 year",
            {("life_expectancy", "min", 52.18, "weeks")},
        ),
        # consent asked of a parent for the younger ones, in brackets, leaves the minimum age standing
        ("At least 15 years old (parental consent needed if under 18)", {("age", "min", 15.0, "years")}),
        # a lone "=" takes the usual direction; "to and including"; a lower-bound sign opening an age range
        ("WHO performance status =1", {("ecog", "max", 1.0, "points")}),
        ("Between 18 to and including 65 years of age", {("age", "min", 18.0, "years"), ("age", "max", 65.0, "years")}),
        ("Ages greater than or equal to 12 to 70", {("age", "min", 12.0, "years"), ("age", "max", 70.0, "years")}),
        # an age in brackets after a lab value is one row of a table of limits by age
        ("Serum creatinine no greater than 0.8 mg/dL (1-5 years of age)", {("creatinine", "max", 0.8, "mg/dL")}),
        # a "No ..." item does not reach a run-together next item written in capitals or after a footnote mark
        ("No history of heart failure* LVEF at least 45%", {("lvef", "min", 45.0, "%")}),
        ("No active infection ANC at least 1,000/mm3", {("anc", "min", 1000.0, "/uL")}),
        # an ejection fraction written number-first
        ("Echocardiogram showing at least 55% left ventricular ejection fraction", {("lvef", "min", 55.0, "%")}),
        # the transaminases by their Spanish and Portuguese abbreviations
        ("TGO and TGP no greater than 3 x ULN", {("ast_alt", "max", 3.0, "xULN")}),
    ],
)
def test_forms_give_the_eligible_bound(text: str, expected: set[Fact]) -> None:
    assert facts(text) == expected


def test_several_measures_in_one_item_are_separate_facts() -> None:
    text = (
        "Age: 18 and over Performance status: Karnofsky 60-100% Life expectancy: At least 60 days "
        "Hematopoietic: Absolute neutrophil count at least 1,500/mm3 Platelet count at least 100,000/mm3 "
        "Hepatic: Bilirubin no greater than 1.5 mg/dL Transaminases no greater than 4 times upper limit of normal "
        "Renal: Creatinine no greater than 1.7 mg/dL Cardiovascular: LVEF at least 45%"
    )
    assert facts(text) == {
        ("age", "min", 18.0, "years"),
        ("karnofsky", "min", 60.0, "%"),
        ("life_expectancy", "min", 8.571, "weeks"),
        ("anc", "min", 1500.0, "/uL"),
        ("platelets", "min", 100000.0, "/uL"),
        ("bilirubin", "max", 1.5, "mg/dL"),
        ("ast_alt", "max", 4.0, "xULN"),
        ("creatinine", "max", 1.7, "mg/dL"),
        ("lvef", "min", 45.0, "%"),
    }


def test_alternatives_across_measures_give_a_fact_each() -> None:
    assert facts("Karnofsky ≥ 60% or ECOG ≤ 2") == {("karnofsky", "min", 60.0, "%"), ("ecog", "max", 2.0, "points")}
    assert facts("Serum creatinine ≤ 1.5 mg/dL or creatinine clearance ≥ 60 mL/min") == {
        ("creatinine", "max", 1.5, "mg/dL"),
        ("creatinine_clearance", "min", 60.0, "mL/min"),
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("AST no greater than 3 times ULN (5 times ULN if liver metastases)", ("ast_alt", "max", 3.0, "xULN")),
        (
            "AST (SGOT) <2 x institutional ULN (< 5 x institutional ULN if from documented liver involvement)",
            ("ast_alt", "max", 2.0, "xULN"),
        ),
        (
            "Total bilirubin less than or equal to 1.6 mg/dl, except for patients with Gilbert's Syndrome who must have a total bilirubin less than 3.0 mg/dl.",
            ("bilirubin", "max", 1.6, "mg/dL"),
        ),
        ("For patients with liver metastases, AST ≤ 5 x ULN; otherwise AST ≤ 3 x ULN", ("ast_alt", "max", 3.0, "xULN")),
        (
            "Creatinine =< 5.0 mg/dL (NOTE: Patients with creatinine 2.0-5.0 mg/dL may be admitted)",
            ("creatinine", "max", 5.0, "mg/dL"),
        ),
    ],
)
def test_sub_group_bounds_give_the_general_bound(text: str, expected: Fact) -> None:
    assert facts(text) == {expected}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Total bilirubin > 1.5 x ULN", {("bilirubin", "max", 1.5, "xULN")}),
        ("Platelets < 50,000/µL", {("platelets", "min", 50000.0, "/uL")}),
        ("Creatinine clearance < 50 ml/min", {("creatinine_clearance", "min", 50.0, "mL/min")}),
        ("Under 60 years of age", {("age", "min", 60.0, "years")}),
        ("Life expectancy less than 6 months", {("life_expectancy", "min", 26.07, "weeks")}),
        # whole-number scales: the exact eligible value
        ("ECOG ≥ 3", {("ecog", "max", 2.0, "points")}),
        ("ECOG performance status > 2", {("ecog", "max", 2.0, "points")}),
        ("Karnofsky < 70%", {("karnofsky", "min", 70.0, "%")}),
        ("Lansky ≤ 50", {("lansky", "min", 60.0, "%")}),
        ("ECOG 3-4", {("ecog", "max", 2.0, "points")}),
        # a bare value is the usual bound in either section
        ("Elevation of AST 5 times the upper limit of normal", {("ast_alt", "max", 5.0, "xULN")}),
    ],
)
def test_exclusions_are_turned_around(text: str, expected: set[Fact]) -> None:
    assert facts(text, "exclusion") == expected


@pytest.mark.parametrize(
    ("text", "section", "expected"),
    [
        (
            "Performance status: Karnofsky or Lansky 50-100%",
            "inclusion",
            {("karnofsky", "min", 50.0, "%"), ("lansky", "min", 50.0, "%")},
        ),
        ("Age <18 or >100", "exclusion", {("age", "min", 18.0, "years"), ("age", "max", 100.0, "years")}),
        ("Bilirubin less than twice normal", "inclusion", {("bilirubin", "max", 2.0, "xULN")}),
        ("transaminase level four times ULN", "exclusion", {("ast_alt", "max", 4.0, "xULN")}),
        ("Thrombocytopenia - < 75000 platelets/mm3.", "exclusion", {("platelets", "min", 75000.0, "/uL")}),
        ("Patients are eligible if aged 18 years or older", "inclusion", {("age", "min", 18.0, "years")}),
        ("Under 18 years of age must have the consent of a parent or guardian.", "inclusion", set()),
        ("Age ≥ 18 years at the time of signing the informed consent form", "inclusion", {("age", "min", 18.0, "years")}),
        (
            "Performance status: Karnofsky 50-100% (over age 10) OR Lansky 50-100% (age 10 and under)",
            "inclusion",
            {("karnofsky", "min", 50.0, "%"), ("lansky", "min", 50.0, "%")},
        ),
        ("IIEF-EF score between 11 and 21", "inclusion", set()),
        ("Left ventricular ejection fraction no more than 10% below institutional normal", "inclusion", set()),
        ("Projected survival of less than 6 months.", "exclusion", {("life_expectancy", "min", 26.07, "weeks")}),
    ],
)
def test_wordings_seen_in_the_demo_corpus(text: str, section: str, expected: set[Fact]) -> None:
    assert facts(text, section) == expected


def test_whole_number_scales_in_inclusions() -> None:
    assert facts("ECOG < 2") == {("ecog", "max", 1.0, "points")}
    assert facts("Karnofsky > 60%") == {("karnofsky", "min", 70.0, "%")}
    assert facts("ECOG performance status of 2 or more") == {("ecog", "min", 2.0, "points")}


def test_a_no_clause_in_an_inclusion_is_turned_around() -> None:
    assert facts("No severe renal impairment (creatinine clearance < 25 mL/min)") == {
        ("creatinine_clearance", "min", 25.0, "mL/min")
    }
    # ... but "No" does not reach a new run-together item
    assert facts("Hepatic: No evidence of chronic hepatitis or cirrhosis Bilirubin no greater than 2 mg/dL") == {
        ("bilirubin", "max", 2.0, "mg/dL")
    }


def test_a_stated_other_direction_is_recorded_as_stated() -> None:
    assert facts("Left ventricular ejection fraction < 40%") == {("lvef", "max", 40.0, "%")}
    assert facts("Absolute neutrophil count less than 500/mm^3") == {("anc", "max", 500.0, "/uL")}


@pytest.mark.parametrize(
    "text",
    [
        "Bilirubin ≤ 1.5.2 x ULN",
        "ECOG ≤ -3",
        "Platelets ≥ 100 x 10^999/L",
        "Platelets ≥ 10^999",
        "Creatinine ≤ " + "9" * 100 + " mg/dL",
        "Age ≥ " + "1" * 100 + " years",
        "ANC ≥ 1,5,0,0/mm3",
        "Hemoglobin ≥ 9. g/dL ≥≥≥ ≤≤ x ULN x ULN 10^ /L",
        "",
        "≤" * 500,
        "Age " + "1-" * 2000,
    ],
)
def test_odd_numbers_give_no_fact_or_a_sane_one(text: str) -> None:
    for section in ("inclusion", "exclusion"):
        for fact in extract(text, section):
            low, high = SANE[(fact.measure, fact.unit)]
            assert math.isfinite(fact.value) and low <= fact.value <= high


def test_the_span_is_the_text_the_fact_was_read_from() -> None:
    text = "Hematologic: Platelet count ≥ 100,000/mm3; total bilirubin ≤ 1.5 x ULN"
    found = {f.measure: f for f in extract(text)}
    assert text[found["platelets"].start : found["platelets"].end] == "Platelet count ≥ 100,000/mm3"
    assert found["bilirubin"].span == "total bilirubin ≤ 1.5 x ULN"


def test_frame_and_single_text_agree() -> None:
    texts = [
        ("inclusion", "Age ≥ 18 years"),
        ("exclusion", "ECOG ≥ 3"),
        ("inclusion", "16 years of age or older"),
        ("unspecified", "Age ≥ 18 years"),
        ("inclusion", "No number here"),
        ("exclusion", "Total bilirubin > 1.5 x ULN or AST > 3 x ULN"),
    ]
    frame = pl.DataFrame(
        {"criterion_id": range(1, len(texts) + 1), "section": [s for s, _ in texts], "text": [t for _, t in texts]}
    )
    got = {
        (r["criterion_id"], r["measure"], r["bound"], r["value"], r["unit"], r["span"])
        for r in extract_frame(frame).iter_rows(named=True)
    }
    expected = {
        (i, f.measure, f.bound, f.value, f.unit, f.span)
        for i, (section, text) in enumerate(texts, start=1)
        if section in ("inclusion", "exclusion")
        for f in extract(text, section)
    }
    assert got == expected
    assert {i for i, *_ in got} == {1, 2, 3, 6}


def test_reference_study_ages_performance_and_life_expectancy(tmp_path: Path) -> None:
    db = tmp_path / "ref.duckdb"
    ingest([DEMO / "ignite" / "NCT06389305.txt"], db)
    got = set(sql(db, "select measure, bound, round(value, 1), unit from criterion_thresholds where nct_id = 'NCT06389305'"))
    assert {
        ("age", "min", 1.0, "years"),
        ("age", "max", 39.0, "years"),
        ("ecog", "max", 2.0, "points"),
        ("life_expectancy", "min", 8.6, "weeks"),
    } <= got
    # the ages of who signs the consent are no eligibility ages
    assert ("age", "min", 8.0, "years") not in got
    assert sql(db, "select age_statements_disagree from study_age_statements") == [(False,)]


def test_ingest_publishes_one_row_per_fact(fixture_db) -> None:
    db, _ = fixture_db
    rows = sql(
        db,
        """select t.criterion_id, t.nct_id, t.section, t.measure, t.bound, t.value, t.unit, t.span, c.text, c.nct_id
           from criterion_thresholds t join criteria c using (criterion_id) order by all""",
    )
    assert len(rows) > 20
    for criterion_id, nct_id, section, measure, bound, value, unit, span, text, criterion_nct in rows:
        assert nct_id == criterion_nct and section in ("inclusion", "exclusion")
        assert span in text
        assert (measure, bound, value, unit, span) in {
            (f.measure, f.bound, f.value, f.unit, f.span) for f in extract(text, section)
        }, criterion_id
    every = sql(db, "select criterion_id, section, text from criteria where section in ('inclusion', 'exclusion')")
    expected = sum(len(extract(text, section)) for _, section, text in every)
    assert expected == len(rows)
    assert not sql(db, "select table_name from information_schema.tables where table_name like 'stage_%'")


def test_study_age_statements_compare_text_and_record(fixture_db) -> None:
    db, _ = fixture_db
    rows = sql(
        db,
        """select a.nct_id, a.minimum_age_years, a.maximum_age_years, a.text_minimum_age_years, a.text_maximum_age_years,
                  a.age_statements_disagree, s.age_statements_disagree
           from study_age_statements a join studies s using (nct_id)""",
    )
    assert len(rows) == sql(db, "select count(*) from studies")[0][0]
    stated = dict(
        ((nct, bound), value)
        for nct, bound, value in sql(
            db,
            "select nct_id, bound, case when bound = 'min' then min(value) else max(value) end from criterion_thresholds where measure = 'age' group by 1, 2",
        )
    )
    for nct_id, record_min, record_max, text_min, text_max, disagree, on_studies in rows:
        assert text_min == stated.get((nct_id, "min")) and text_max == stated.get((nct_id, "max"))

        def differs(text: float | None, record: float | None) -> bool:
            return text is not None and (record is None or abs(text - record) > 1)

        assert disagree == (differs(text_min, record_min) or differs(text_max, record_max)) == on_studies


def test_evaluation_scores_matches_within_two_percent(tmp_path: Path) -> None:
    labelled = tmp_path / "labelled.jsonl"
    items = [
        # found, and 26.07 weeks is within 2% of 26
        {
            "id": "a",
            "section": "exclusion",
            "text": "Life expectancy less than 6 months",
            "facts": [{"measure": "life_expectancy", "bound": "min", "value": 26, "unit": "weeks"}],
        },
        # found with the wrong unit: one false positive and one false negative
        {
            "id": "b",
            "section": "inclusion",
            "text": "Bilirubin ≤ 1.5 x ULN",
            "facts": [{"measure": "bilirubin", "bound": "max", "value": 1.5, "unit": "mg/dL"}],
        },
        # nothing to find, nothing found
        {"id": "c", "section": "inclusion", "text": "Adequate organ function", "facts": []},
    ]
    labelled.write_text("\n".join(json.dumps(i) for i in items), encoding="utf-8")
    table, micro = evaluate(read_labelled(labelled))
    rows = {r["measure"]: r for r in table.iter_rows(named=True)}
    assert (rows["life_expectancy"]["tp"], rows["bilirubin"]["fp"], rows["bilirubin"]["fn"]) == (1, 1, 1)
    assert micro == pytest.approx(2 * 1 / (2 * 1 + 1 + 1))


def test_cli_prints_facts_and_a_last_micro_f1_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["thresholds", "ECOG ≥ 3", "--section", "exclusion"]) == 0
    assert "ecog max 2 points" in capsys.readouterr().out
    labelled = tmp_path / "labelled.jsonl"
    labelled.write_text(
        json.dumps(
            {
                "id": "x",
                "section": "inclusion",
                "text": "WHO performance status 0-1",
                "facts": [{"measure": "ecog", "bound": "max", "value": 1, "unit": "points"}],
            }
        )
        + "\n"
    )
    assert main(["evaluate-thresholds", str(labelled)]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert out[-1] == "micro_f1=1.000"
    assert any(line.startswith("ecog") for line in out)


def test_the_held_out_labelled_file_is_well_formed() -> None:
    # tests/data/thresholds_holdout*.jsonl are scored like the hidden set: every fact must name a measure in a unit the
    # extractor can give (SANE lists them), or a score on it would be wrong.
    for name in ("thresholds_holdout.jsonl", "thresholds_holdout2.jsonl"):
        held_out = read_labelled(Path(__file__).parent / "data" / name)
        assert len(held_out) == 150 and len({item.id for item in held_out}) == 150
        assert all((fact.measure, fact.unit) in SANE and fact.bound in ("min", "max") for item in held_out for fact in item.facts)


FILTERS = [Filters(), Filters(preset="b-all"), Filters(min_age=0, max_age=17)]
WHERE = [
    "true",
    "s.is_b_all",
    "coalesce(s.minimum_age_years, 0) <= 17 and coalesce(s.maximum_age_years, 'infinity'::double) >= 0",
]


@pytest.mark.parametrize(("filters", "where"), list(zip(FILTERS, WHERE, strict=True)))
def test_distribution_counts_each_trial_once_at_its_strictest(fixture_db, filters: Filters, where: str) -> None:
    db, _ = fixture_db
    con = connect(db)
    try:
        got = run(con, "threshold_distribution", **filters.params())
        coverage = run(con, "threshold_coverage", **filters.params())
    finally:
        con.close()
    # written another way: the strictest value is the first in order of strictness
    direct = sql(
        db,
        f"""with ranked as (
                select t.nct_id, t.measure, t.bound, t.unit, t.value,
                       row_number() over (partition by t.nct_id, t.measure, t.bound, t.unit
                                          order by case when t.bound = 'max' then t.value else -t.value end) as n
                from criterion_thresholds t join studies s using (nct_id) where {where})
            select measure, bound, unit, value, count(*) from ranked where n = 1 group by all""",
    )
    assert {(r["measure"], r["bound"], r["unit"], r["value"], r["trials"]) for r in got.iter_rows(named=True)} == set(direct)
    for _, group in got.group_by("measure", "bound", "unit"):
        assert group["trials_stating"].unique().to_list() == [group["trials"].sum()]
        assert group["share"].sum() == pytest.approx(1.0)
    stating = dict(
        sql(
            db,
            f"select t.measure, count(distinct t.nct_id) from criterion_thresholds t join studies s using (nct_id) where {where} group by 1",
        )
    )
    base = sql(db, f"select count(*) from studies s where {where}")[0][0]
    assert {r["measure"]: (r["trials"], r["matching_studies"]) for r in coverage.iter_rows(named=True) if r["trials"]} == {
        m: (n, base) for m, n in stating.items()
    }


def test_bar_criteria_trial_facts_and_export_agree(fixture_db) -> None:
    db, _ = fixture_db
    con = connect(db)
    params = Filters().params()
    try:
        bars = run(con, "threshold_distribution", **params)
        exported = run(con, "threshold_facts", **params, limit=10_000)
        bar = bars.filter(pl.col("measure") == "age").sort("trials", descending=True).row(0, named=True)
        behind = run(
            con, "threshold_criteria", **params, **{k: bar[k] for k in ("measure", "bound", "unit", "value")}, limit=1000
        )
        bar_params = {k: bar[k] for k in ("measure", "bound", "unit", "value")}
        trials = run(con, "threshold_trials", **params, **bar_params)
        first = run(con, "threshold_criteria", **params, **bar_params, limit=3)
        nct_id = behind["nct_id"][0]
        trial = run(con, "threshold_trial", nct_id=nct_id)
        ages = run(con, "threshold_trial_ages", nct_id=nct_id)
    finally:
        con.close()
    assert exported.height == sql(db, "select count(*) from criterion_thresholds")[0][0]
    assert behind["nct_id"].n_unique() == bar["trials"]
    # the page's trial list, and a shorter page of criteria, are the same trials and rows in the same order
    assert trials["nct_id"].to_list() == behind["nct_id"].unique(maintain_order=True).to_list()
    order = ["nct_id", "ordinal"]
    assert first.select(order).rows() == behind.head(first.height).select(order).rows()
    assert first.height == min(3, behind.height)
    assert all(span in text for span, text in behind.select("span", "text").iter_rows())
    assert trial.height == sql(db, "select count(*) from criterion_thresholds where nct_id = $n", {"n": nct_id})[0][0]
    assert trial["ordinal"].is_sorted()
    assert ages.height == 1 and ages["nct_id"][0] == nct_id
    assert run(connect(db), "threshold_trial", nct_id="NCT99999999").height == 0


def test_export_writes_the_threshold_facts(fixture_db, tmp_path: Path) -> None:
    db, _ = fixture_db
    out = tmp_path / "facts.csv"
    assert main(["export", "--db", str(db), "--what", "thresholds", "--out", str(out)]) == 0
    frame = pl.read_csv(out)
    assert frame.columns[:8] == [
        "\ufeffnct_id",
        "ordinal",
        "section",
        "measure",
        "bound",
        "value",
        "unit",
        "span",
    ] or frame.columns[:8] == [
        "nct_id",
        "ordinal",
        "section",
        "measure",
        "bound",
        "value",
        "unit",
        "span",
    ]
    assert frame.height == sql(db, "select count(*) from criterion_thresholds")[0][0]


def test_the_threshold_export_has_one_order_on_every_run(demo_db) -> None:
    """A criterion can state one measure and bound in two units (bilirubin ≤ 1.5 xULN or ≤ 3 mg/dL):
    the export orders those facts too, so that the same filters give the same CSV, row for row."""
    db, _ = demo_db
    assert (
        sql(
            db,
            "select count(*) from (select criterion_id from criterion_thresholds group by criterion_id, measure, bound having count(*) > 1)",
        )[0][0]
        > 0
    )
    con = connect(db)
    try:
        exported = run(con, "threshold_facts", **Filters().params(), limit=100_000)
    finally:
        con.close()
    expected = sql(
        db,
        "select t.nct_id, c.ordinal, t.measure, t.bound, t.unit, t.value from criterion_thresholds t "
        "join criteria c using (criterion_id) order by t.nct_id, c.ordinal, t.measure, t.bound, t.unit, t.value",
    )
    assert exported.select("nct_id", "ordinal", "measure", "bound", "unit", "value").rows() == expected
