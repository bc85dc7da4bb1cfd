"""Which studies count as B-ALL (the definition the presets use)."""

from __future__ import annotations

import pytest

from eligibility.build.b_all import b_all_basis, find_b_all


@pytest.mark.parametrize(
    "text",
    [
        "Acute Lymphoblastic Leukemia",  # real condition strings from the demo data
        "Recurrent Childhood Acute Lymphoblastic Leukemia",
        "B-cell Childhood Acute Lymphoblastic Leukemia",
        "Precursor B-Cell Lymphoblastic Leukemia-Lymphoma",
        "Leukemia, Lymphocytic, Acute",
        "Acute Lymphoblastic Leukaemia",
        "acute lymphoid leukemia",
        "B-ALL",
        "Relapsed ALL and AML",
        "T-ALL and B-ALL",
        "Acute Lymphoblastic Leukemia (ALL)",
    ],
)
def test_names_b_all_or_unrestricted_all(text: str) -> None:
    assert find_b_all(text) is not None


@pytest.mark.parametrize(
    "text",
    [
        "T-cell Acute Lymphoblastic Leukemia",
        "T-ALL",
        "Chronic Lymphocytic Leukemia",
        "Lymphoblastic Lymphoma",
        "Acute Myeloid Leukemia",
        "Part B all patients",
        "A STUDY OF ALL PATIENTS WITH DIABETES",
    ],
)
def test_other_diseases_and_plain_words_are_not_b_all(text: str) -> None:
    assert find_b_all(text) is None


def test_conditions_decide_before_criteria() -> None:
    basis = b_all_basis(
        title="A trial", official_title=None, conditions=["Asthma"], keywords=[], inclusion_texts=["Patients with ALL"]
    )
    assert basis is None


def test_records_without_conditions_or_title_are_judged_by_inclusion_criteria() -> None:
    text = "A confirmed diagnosis of refractory or relapsed B-ALL (criteria reference: NCCN, 2024.4)"
    assert b_all_basis(title=None, official_title=None, conditions=[], keywords=[], inclusion_texts=[text])
    assert b_all_basis(title=None, official_title=None, conditions=[], keywords=[], inclusion_texts=["Healthy adults"]) is None


def test_reference_document_is_found_by_both_presets(fixture_db) -> None:
    from tests.conftest import sql

    db, _ = fixture_db
    from eligibility.explore.filters import Filters
    from eligibility.explore.queries import connect, run

    con = connect(db)
    try:
        for preset in ("pediatric-b-all", "aya-b-all"):
            found = run(con, "matching_studies", **Filters(preset=preset).params())["nct_id"].to_list()
            assert "NCT06389305" in found, preset
    finally:
        con.close()
    assert sql(db, "select b_all_basis like 'inclusion criterion:%' from studies where nct_id = 'NCT06389305'") == [(True,)]
