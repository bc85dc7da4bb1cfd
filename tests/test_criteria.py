"""Tests for the eligibility-criteria splitter, on real registry records."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from eligibility.build.criteria import CriterionItem, split_criteria, unescape_markdown

FIXTURES = Path(__file__).parent / "fixtures" / "criteria"

# A leftover list marker at the start of an item, or an unremoved markdown escape.
LEFTOVER_RE = re.compile(r"^(?:[*•+\-]|\(?\d{1,2}[.)]|\(?[a-z][.)])\s|\\[<>\[\]*^.~_()#+\-!]")


def load(nct_id: str) -> str:
    """The criteria text of a fixture: the ``Eligibility Criteria:`` line of an
    export document, or the whole file for XML textblocks and v2 markdown."""
    raw = (FIXTURES / f"{nct_id}.txt").read_text(encoding="utf-8")
    line = re.search(r"^Eligibility Criteria: (.*)$", raw, re.MULTILINE)
    return line.group(1) if line else raw


def counts(items: list[CriterionItem]) -> dict[str, int]:
    out: dict[str, int] = {}
    for item in items:
        out[item.section] = out.get(item.section, 0) + 1
    return out


def texts(items: list[CriterionItem], section: str) -> list[str]:
    return [item.text for item in items if item.section == section]


def assert_clean(items: list[CriterionItem]) -> None:
    assert [item.ordinal for item in items] == list(range(1, len(items) + 1))
    for item in items:
        assert item.text, item
        assert item.text == item.text.strip()
        assert "  " not in item.text
        assert not LEFTOVER_RE.search(item.text), item.text
        if item.parent_ordinal is None:
            assert item.depth == 0
        else:
            parent = items[item.parent_ordinal - 1]
            assert parent.ordinal < item.ordinal
            assert item.depth == parent.depth + 1


# --- the reference document -------------------------------------------------

REFERENCE_EXCLUSION = [
    "Received bendamustine treatment within the past 9 months;",
    "Intracranial hypertension or impaired consciousness in the brain;",
    "Symptomatic heart failure or severe arrhythmia;",
    "Symptoms of severe respiratory failure;",
    "With other types of malignant tumors;",
    "Disseminated intravascular coagulation;",
    "Serum creatinine and/or blood urea nitrogen ≥ 1.5 times the normal value;",
    "Suffering from sepsis or other uncontrollable infections;",
    "Uncontrollable diabetes;",
    "Severe mental disorders;",
    "Significant lesions in the brain as detected by head magnetic resonance imaging;",
    "Leukemic cells in the cerebrospinal fluid >20 cells/μL;",
    "Peripheral blood leukemic cell proportion >30%;",
    "Have undergone organ transplantation;",
    "Female patients (those with childbearing potential) are pregnant or lactating;",
    "Active or uncontrollable infectious diseases, such as hepatitis (HBV, HCV), HIV, or syphilis.",
]


def test_reference_document_counts_and_texts() -> None:
    items = split_criteria(load("NCT06389305"))
    assert counts(items) == {"inclusion": 7, "exclusion": 16}
    assert_clean(items)
    inclusion = texts(items, "inclusion")
    first = inclusion[0]
    assert first.startswith(
        "A confirmed diagnosis of refractory or relapsed B-ALL (criteria reference: NCCN, 2024.4), "
        "where all patients meet the National Comprehensive Cancer Network(NCCN) guidelines"
    )
    assert "interphase fluorescence in situ hybridization (FISH) testing" in first
    assert first.endswith("as well as cytogenetic and clinical risk groups.")
    assert inclusion[1:] == [
        "Loss of CAR-T cell activity within 6 months after previous CAR-T therapy and no relapse.",
        "Age between 1 and 39 years old.",
        "No severe allergic constitution.",
        "Eastern Cooperative Oncology Group (ECOG) performance status score of 0-2.",
        "Life expectancy, as judged by the investigator, of at least 60 days.",
        "Patients with self-awareness between 8 and 39 years of age voluntarily sign an informed "
        "consent, and the legal representative (guardians) of child patients under 18 years of "
        "age voluntarily signs an informed consent.",
    ]
    assert texts(items, "exclusion") == REFERENCE_EXCLUSION
    # The "* A patient must meet all of the following..." lines are lead-ins.
    assert all(item.depth == 0 and item.heading is None for item in items)


# --- one-line export documents ----------------------------------------------


def test_oneline_nested_bullets_after_colon_item() -> None:
    items = split_criteria(load("NCT00437060"))
    assert counts(items) == {"inclusion": 14}
    assert_clean(items)
    parent = items[5]
    assert parent.text.endswith("including, but not limited to, any of the following:")
    assert items[6].text == "Down syndrome"
    assert items[6].parent_ordinal == parent.ordinal
    assert items[7].text == "Fragile X mental retardation"
    assert items[7].depth == 1
    assert items[0].text == "Diagnosis of acute lymphoblastic leukemia"
    assert items[1].text == "Enrolled on COG-AALL0434 (Cohort #1 only) or COG-AALL0232 (Cohorts #1 and #2)"


def test_oneline_key_criteria_headings() -> None:
    items = split_criteria(load("NCT03690869"))
    assert counts(items) == {"inclusion": 8, "exclusion": 6}
    assert_clean(items)
    assert items[0].text == "Age 0 to <18 years of age (Phase 1)"
    assert items[0].heading == "Key Inclusion Criteria"
    # "Adequate Neurologic Function Key Exclusion Criteria:" must split at the header.
    assert items[7].text == "Adequate Neurologic Function"
    assert items[8].heading == "Key Exclusion Criteria"
    assert items[8].section == "exclusion"
    # An unmarked trailing note stays with the last item (no marker starts a new one).
    assert items[-1].text == (
        "Prior treatment with an agent that blocks the PD-1/PD-L1/PD-L2 pathway Note: Other "
        "protocol-defined Inclusion/Exclusion criteria apply"
    )
    assert all(item.depth == 0 for item in items)


def test_oneline_pdq_headings() -> None:
    items = split_criteria(load("NCT00713505"))
    assert_clean(items)
    assert counts(items) == {"inclusion": 10}
    assert [item.heading for item in items] == ["DISEASE CHARACTERISTICS"] * 6 + ["PATIENT CHARACTERISTICS"] * 3 + [
        "PRIOR CONCURRENT THERAPY"
    ]
    # "See Disease Characteristics" is a cross-reference, not a heading.
    assert items[-1].text == "See Disease Characteristics"


def test_oneline_glued_sub_heading() -> None:
    items = split_criteria(load("NCT00760656"))
    assert_clean(items)
    assert counts(items) == {"inclusion": 11, "exclusion": 1}
    assert items[4].text == ("Patient or legally authorized representative must sign informed consent for study participation.")
    assert items[4].heading is None
    assert items[5].text == "≥5 years of age"
    assert items[5].heading == "Control Participant"
    assert items[11].heading is None


def test_truncated_document_children_and_stray_marker() -> None:
    items = split_criteria(load("NCT00049569"))
    assert_clean(items)
    assert counts(items) == {"inclusion": 5, "exclusion": 7}
    parent = items[7]
    assert parent.text == ("Patients who have undergone prior stem cell transplantation (SCT) are ineligible if:")
    children = [item for item in items if item.parent_ordinal == parent.ordinal]
    assert [item.text for item in children] == [
        "They received SCT less than 12 months prior to study entry",
        "They are still receiving immunosuppression for the treatment of graft-versus-host disease (GVHD)",
        "They have active fungal infection at time of study entry",
        "They have had invasive filamentous fungal infection at any time post-SCT",
    ]
    # "=\< 350 mg/m\^2" is unescaped; the trailing lone "*" gives no item.
    assert "=< 350 mg/m^2" in items[2].text
    assert items[-1].text.endswith("post-SCT")


def test_truncated_nested_numbering_restart() -> None:
    items = split_criteria(load("NCT05721456"))
    assert_clean(items)
    assert counts(items) == {"inclusion": 7, "exclusion": 5}
    parent = items[2]
    assert parent.text.endswith("comply with the requirements of the protocol, including:")
    assert "[LAR(s)]" in parent.text
    assert [item.parent_ordinal for item in items[3:6]] == [3, 3, 3]
    assert items[3].text.startswith("willing to provide name, address")
    # "4." resumes the outer list rather than extending the inner one.
    assert items[6].text == "Parent(s)/LAR(s) are able to understand and sign the informed consent form."
    assert items[6].depth == 0
    # "S. pneumoniae." and "section 3.4.9." are not list markers.
    assert items[9].text == ("Medical history of culture- or PCR-confirmed invasive disease caused by S. pneumoniae.")
    assert "as outlined in section 3.4.9. during the entire study period." in items[8].text


# --- classic XML textblocks -------------------------------------------------


def test_xml_wrapped_lines_and_sub_bullets() -> None:
    items = split_criteria(load("NCT00042796"))
    assert_clean(items)
    assert counts(items) == {"inclusion": 48}
    assert items[0].text == (
        "Histologically confirmed acute myeloid leukemia (AML) or acute lymphoblastic leukemia "
        "that is considered refractory to conventional therapy or for which no conventional "
        "therapy exists"
    )
    assert items[1].text == "For patients with AML:"
    assert [(item.text, item.parent_ordinal) for item in items[2:5]] == [
        ("M3 marrow", 2),
        ("M2 marrow with at least 15% blasts", 2),
        ("Secondary AML allowed", 2),
    ]
    assert items[5].depth == 0
    assert items[29].text == "GVHD well controlled on cyclosporine allowed"
    assert items[29].parent_ordinal == 29


def test_xml_pdq_with_label_sub_headings() -> None:
    items = split_criteria(load("NCT00003159"))
    assert_clean(items)
    assert counts(items) == {"inclusion": 22}
    assert items[0].heading == "DISEASE CHARACTERISTICS"
    assert items[1].text == "Resectable disease"
    assert items[1].parent_ordinal == 1
    assert (items[4].heading, items[4].text) == ("Age", "Any age")
    assert (items[7].heading, items[7].text) == ("Hematopoietic", "WBC greater than 3,000/mm^3")
    # "Biologic therapy:" and the colon-less labels are headings, not items.
    assert (items[15].heading, items[16].heading) == ("Biologic therapy", "Biologic therapy")
    assert items[-1].heading == "Other"
    assert items[-1].text == "No other concurrent anticancer therapy"


def test_xml_pdq_prose_paragraphs() -> None:
    items = split_criteria(load("NCT00004870"))
    assert_clean(items)
    assert counts(items) == {"inclusion": 3}
    assert [item.heading for item in items] == [
        "DISEASE CHARACTERISTICS",
        "PATIENT CHARACTERISTICS",
        "PRIOR CONCURRENT THERAPY",
    ]
    assert items[0].text.startswith("Histologically or cytologically confirmed unresectable")
    assert items[0].text.endswith("in pathologic material")
    assert items[1].text.startswith("Age: 18 and over Performance status: ECOG 0-2")


def test_xml_paragraphs_and_lead_in() -> None:
    items = split_criteria(load("NCT00001394"))
    assert_clean(items)
    assert counts(items) == {"inclusion": 1, "exclusion": 2}
    assert texts(items, "exclusion") == [
        "There is any contraindication to arteriography.",
        "The Patient is pregnant.",
    ]
    assert texts(items, "inclusion")[0].endswith("will be considered for the study.")


def test_xml_without_headers_is_unspecified() -> None:
    items = split_criteria(load("NCT00002108"))
    assert_clean(items)
    assert counts(items) == {"unspecified": 8}
    assert items[1].text == (
        "Have a mean CD4 count <= 99 cells/mm3 for adults and <= 300 cells/mm3 for children "
        "(original design was CD4 count <= 300 cells/mm3 for both adults and children)."
    )
    assert items[-1].text == "Practice of unsafe sex."


def test_oneline_without_markers_is_one_item() -> None:
    items = split_criteria(load("NCT00000466"))
    assert [(item.section, item.text) for item in items] == [
        ("unspecified", "Postmenopausal women, ages 45 to 64. One third of the subjects had had a hysterectomy.")
    ]


# --- v2 markdown ------------------------------------------------------------


def test_v2_markdown_nested_bullets_and_escapes() -> None:
    items = split_criteria(load("NCT01406860"))
    assert_clean(items)
    assert counts(items) == {"inclusion": 1, "exclusion": 16}
    history = next(item for item in items if item.text == "History of the following:")
    children = [item.text for item in items if item.parent_ordinal == history.ordinal]
    assert children[0] == "Renal failure"
    assert children[-1] == "Anorexia"
    assert len(children) == 8
    assert all(item.depth == history.depth + 1 for item in items if item.text in children)
    assert (
        "Cardiac Disease [cardiomyopathy, congestive heart failure, hypertension, ischemic heart "
        "disease, myocardial infarction, bradycardia (< 50 bpm)]"
    ) in texts(items, "exclusion")
    assert "Advanced age (>65 yrs)" in texts(items, "exclusion")


def test_v2_markdown_letter_sub_item() -> None:
    items = split_criteria(load("NCT04213651"))
    assert_clean(items)
    assert counts(items) == {"inclusion": 4, "exclusion": 5}
    assert items[1].text == ("May be signed by parent or legal guardian in the case of minor or adult unable to provide consent")
    assert (items[1].parent_ordinal, items[1].depth) == (1, 1)
    assert items[2].text == "Male or female of all ages"
    assert items[2].depth == 0


def test_v2_markdown_double_markers() -> None:
    items = split_criteria(load("NCT01252810"))
    assert_clean(items)
    assert counts(items) == {"inclusion": 5, "exclusion": 4}
    assert items[2].text.startswith("Chronic renal insufficiency, (eGFR <60 but 15 mL/min/1.73 m2")
    # "* 1) ...", "* 2) ..." after "* ... at least one of the following comorbidities:" are its alternatives.
    assert items[1].text == "The subject has at least one of the following comorbidities:"
    assert [(item.parent_ordinal, item.depth) for item in items[2:5]] == [(2, 1)] * 3
    assert items[5].depth == 0


# --- class 1: header variants ------------------------------------------------


def test_xml_header_typos_plurals_and_criteria_for() -> None:
    # "INLUSION CRITERIA" (no colon) opens the inclusion list.
    assert [(i.section, i.text) for i in split_criteria(load("NCT00001225"))] == [
        ("inclusion", "Patients with a family history of hypertrophic cardiomyopathy are eligible.")
    ]
    # "Exlcusion Criteria:" after an unheaded list.
    items = split_criteria(load("NCT00005778"))
    assert_clean(items)
    assert counts(items) == {"unspecified": 12, "exclusion": 9}
    assert texts(items, "exclusion")[0] == "Age less than 18 years and over 70 years."
    # "IINCLUSION AND EXCLUSION CRITERIA", then "CRITERIA FOR INCLUSION:" and "CRITERIA FOR EXCLUSION:".
    items = split_criteria(load("NCT00001853"))
    assert_clean(items)
    assert counts(items) == {"inclusion": 6, "exclusion": 6}
    assert texts(items, "inclusion")[0] == "Ethnicity: Black"
    assert texts(items, "exclusion")[0] == "Black Ethnicity other than American or African."
    assert all(item.heading is None for item in items)
    # A bare plural "Exclusions" line in a PDQ document.
    items = split_criteria(load("NCT00006110"))
    assert counts(items) == {"inclusion": 19, "exclusion": 1}
    assert texts(items, "exclusion")[0].startswith("Effectively treated squamous cell or basal cell skin cancer")


def test_free_words_before_a_header_name_its_group() -> None:
    items = split_criteria(load("NCT00490841"))
    assert_clean(items)
    assert counts(items) == {"inclusion": 17, "exclusion": 36}
    groups = [(item.section, item.heading) for item in items]
    assert sorted(set(groups), key=groups.index) == [
        ("inclusion", "General Clinical Inclusion Criteria"),
        ("inclusion", "Angiographic Inclusion Criteria"),
        ("exclusion", "Clinical Exclusion Criteria"),
        ("exclusion", "Angiographic Exclusion Criteria"),
    ]
    assert "Angiographic Exclusion Criteria" not in [item.text for item in items]


def test_header_with_a_verb_tail() -> None:
    # "Inclusion Criteria include:" and an indented "Exclusion Criteria include:".
    items = split_criteria(load("NCT01160289"))
    assert_clean(items)
    assert counts(items) == {"inclusion": 10, "exclusion": 24}
    assert all(item.depth == 0 and item.heading is None for item in items)
    assert texts(items, "exclusion")[0] == "History of penile implant"


@pytest.mark.parametrize(
    "header",
    [
        "Exclusions:",
        "Exclusions Criteria:",
        "Exclusions Criteria",
        "EXCLUSION CRITERIA -",
        "Exclusion criteria –",
        "Criteria for exclusion:",
        "Criteria of Exclusion",
        "Exclsuion Critera:",
        "Subject exclusion criteria",
        "Key Exclusion Criteria:",
        "**Exclusion Criteria**",
    ],
)
def test_header_variants_open_the_exclusion_list(header: str) -> None:
    text = f"Inclusions:\n\n- Adults aged 18 to 75\n- Written consent\n\n{header}\n\n- Breastfeeding\n- Prior lung surgery"
    items = split_criteria(text)
    assert [(item.section, item.text) for item in items] == [
        ("inclusion", "Adults aged 18 to 75"),
        ("inclusion", "Written consent"),
        ("exclusion", "Breastfeeding"),
        ("exclusion", "Prior lung surgery"),
    ]
    assert items[2].heading == (
        "Key Exclusion Criteria"
        if header.startswith("Key")
        else "Subject exclusion criteria"
        if header.startswith("Subject")
        else None
    )


def test_sentences_naming_criteria_are_not_headers() -> None:
    text = "Inclusion Criteria:\n\n* No eligibility criteria\n\nFailure to meet inclusion criteria\n\nOther exclusion criteria may apply."
    items = split_criteria(text)
    assert [(item.section, item.text) for item in items] == [
        ("inclusion", "No eligibility criteria"),
        ("inclusion", "Failure to meet inclusion criteria"),
        ("inclusion", "Other exclusion criteria may apply."),
    ]


# --- class 2: a header after other text on the same line ---------------------


def test_header_after_an_item_on_the_same_line() -> None:
    # "-  Ages 20-65 yoa Exclusion Criteria: - Recent surgery, ..."
    items = split_criteria(load("NCT00494403"))
    assert_clean(items)
    assert [(item.section, item.text) for item in items[:3]] == [
        ("inclusion", "History of ankle instability"),
        ("inclusion", "Ages 20-65 yoa"),
        ("exclusion", "Recent surgery, have any unstable or fused joints of the cervical spine."),
    ]
    assert counts(items) == {"inclusion": 2, "exclusion": 3}
    # "* Stable heterosexual relationship Exclusion Criteria:" ends the bullet, then the list follows.
    items = split_criteria(load("NCT00668135"))
    assert_clean(items)
    assert counts(items) == {"inclusion": 2, "exclusion": 3}
    assert texts(items, "inclusion")[-1] == "Stable heterosexual relationship"
    assert texts(items, "exclusion")[0] == "Primary hypoactive sexual desire"


def test_header_after_a_label_on_the_same_line() -> None:
    items = split_criteria("Eligibility: Main Exclusion Criteria: 1. active hepatitis\n2. current smoker")
    assert [(item.section, item.heading, item.text) for item in items] == [
        ("exclusion", "Main Exclusion Criteria", "active hepatitis"),
        ("exclusion", "Main Exclusion Criteria", "current smoker"),
    ]


# --- class 3: real criteria that end in "the following:" -----------------------


def test_first_criterion_ending_in_the_following_is_kept_with_its_children() -> None:
    items = split_criteria(load("NCT00499252"))
    assert_clean(items)
    assert counts(items) == {"inclusion": 54}
    assert items[0].text == "Histologically confirmed diagnosis of 1 of the following:"
    assert [(item.text, item.parent_ordinal) for item in items[1:4]] == [
        ("Ovarian epithelial cancer", 1),
        ("Fallopian tube cancer", 1),
        ("Primary peritoneal carcinoma", 1),
    ]
    assert items[4].depth == 0


def test_a_lead_in_with_no_condition_of_its_own_is_dropped() -> None:
    items = split_criteria(load("NCT05645718"))
    assert_clean(items)
    assert counts(items) == {"inclusion": 18, "exclusion": 19}
    # "* Patients who meet any of the following criteria will be excluded from participation in the study:"
    assert texts(items, "exclusion")[0].startswith("Past or current history of a secondary or other primary tumor")
    assert not any("will be excluded from participation" in item.text for item in items)


@pytest.mark.parametrize(
    ("first", "kept"),
    [
        ("Patients must satisfy all of the following criteria to be enrolled:", False),
        ("Participants are eligible only if all of the following apply:", False),
        ("Male and female subjects will be eligible for participation in this study if they:", False),
        ("Recurrent glioblastoma after standard radiotherapy, with all of the following:", True),
        ("Women of childbearing potential must meet the following:", True),
    ],
)
def test_lead_in_or_criterion(first: str, kept: bool) -> None:
    items = split_criteria(
        f"Inclusion Criteria:\n\n* {first}\n  * Karnofsky score of 70 or more\n  * Age 18 or over\n* Signed consent"
    )
    assert (items[0].text == first) is kept
    children = [item for item in items if item.text in ("Karnofsky score of 70 or more", "Age 18 or over")]
    assert [item.depth for item in children] == ([1, 1] if kept else [0, 0])


# --- class 4: list markers never stay in the text ------------------------------


def test_oneline_text_starting_with_a_dash_bullet() -> None:
    # A classic XML record with one dash item and no header, collapsed to one line.
    raw = load("NCT00000389")
    for text in (raw, " ".join(raw.split())):
        assert [(item.section, item.text) for item in split_criteria(text)] == [
            (
                "unspecified",
                "Patients must have: DSM -IV diagnosis of generalized anxiety disorder, social phobia, or separation anxiety.",
            )
        ]


@pytest.mark.parametrize(
    "text",
    [
        "- Adults aged 18 to 75 - Written consent",
        "• Adults aged 18 to 75 • Written consent",
        "4. Adults aged 18 to 75 5. Written consent",
        "(c) Adults aged 18 to 75 (d) Written consent",
        "Inclusion criteria: 7) Adults aged 18 to 75 8) Written consent",
    ],
)
def test_oneline_leading_markers_at_any_number(text: str) -> None:
    items = split_criteria(text)
    assert [item.text for item in items] == ["Adults aged 18 to 75", "Written consent"]
    assert_clean(items)


# --- class 5: "one of the following" with bullets at its own indent ------------


def test_same_indent_bullets_after_any_of_the_following_are_children() -> None:
    items = split_criteria(load("NCT05507827"))
    assert_clean(items)
    assert counts(items) == {"inclusion": 29, "exclusion": 32}
    parent = next(item for item in items if item.text == "Known history of infection with any of the following:")
    children = [item for item in items if item.parent_ordinal == parent.ordinal]
    assert [item.text[:20] for item in children] == ["HIV", "Hepatitis B (HBsAg p", "Hepatitis C virus (a"]
    # The next full criterion is the parent's sibling again.
    after = items[children[-1].ordinal]
    assert after.text.startswith("Currently receiving corticosteroids")
    assert after.depth == 0


def test_group_ends_at_a_header_or_a_long_item() -> None:
    text = (
        "Inclusion Criteria:\n\n* Histologically confirmed lymphoma\n* Prior treatment with one of the following:\n"
        "* rituximab\n* obinutuzumab\n* Adequate bone marrow function at screening, as shown by the blood counts "
        "listed in the protocol appendix\n\nExclusion Criteria:\n\n* Any of the following:\n* pregnancy\n* HIV"
    )
    items = split_criteria(text)
    assert [(item.section, item.depth, item.parent_ordinal) for item in items] == [
        ("inclusion", 0, None),
        ("inclusion", 0, None),
        ("inclusion", 1, 2),
        ("inclusion", 1, 2),
        ("inclusion", 0, None),
        ("exclusion", 0, None),
        ("exclusion", 0, None),
    ]


# --- class 6: collapsed text with dash bullets before lowercase, quotes, brackets


def test_collapsed_xml_record_with_lowercase_dash_items() -> None:
    raw = load("NCT00000102")
    collapsed = " ".join(raw.split())
    assert "Inclusion Criteria: - diagnosed with" in collapsed
    expected = [
        ("inclusion", "diagnosed with Congenital Adrenal Hyperplasia (CAH)"),
        ("inclusion", "normal ECG during baseline evaluation"),
        ("exclusion", "history of liver disease, or elevated liver function tests"),
        ("exclusion", "history of cardiovascular disease"),
    ]
    assert [(item.section, item.text) for item in split_criteria(raw)] == expected
    assert [(item.section, item.text) for item in split_criteria(collapsed)] == expected


def test_collapsed_dash_items_before_quotes_and_brackets() -> None:
    text = (
        "Inclusion Criteria: - 'treatment-naive' adults - [optional] saliva sample - (if female) negative "
        'pregnancy test - "healthy volunteer" status Exclusion Criteria: - age 18 - 65 years not met'
    )
    items = split_criteria(text)
    assert [(item.section, item.text) for item in items] == [
        ("inclusion", "'treatment-naive' adults"),
        ("inclusion", "[optional] saliva sample"),
        ("inclusion", "(if female) negative pregnancy test"),
        ("inclusion", '"healthy volunteer" status'),
        ("exclusion", "age 18 - 65 years not met"),
    ]


# --- unit tests -------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (r"\>20 cells/μL", ">20 cells/μL"),
        (r"\<2 \[LAR\] 10\^9/L \~5 a\_b \(x\) 2\. \# \+ \- \!", "<2 [LAR] 10^9/L ~5 a_b (x) 2. # + - !"),
        (r"score \* 2", "score * 2"),
        (r"C:\\dir", r"C:\dir"),
        (r"no escapes \d here", r"no escapes \d here"),
        ("", ""),
    ],
)
def test_unescape_markdown(raw: str, expected: str) -> None:
    assert unescape_markdown(raw) == expected


def test_empty_inputs() -> None:
    assert split_criteria(None) == []
    assert split_criteria("") == []
    assert split_criteria("  \n \n") == []
    assert split_criteria("Inclusion Criteria: *") == []


def test_decimal_and_abbreviation_traps_in_oneline_text() -> None:
    text = (
        "Inclusion Criteria: 1. Bilirubin ≤ 1.5 x ULN and ALT ≤ 3.0 x ULN, e.g. measured at "
        "screening vs. baseline (i.e. day 1). 2. ANC ≥ 1.0 x 10^9/L; stage I. or II. disease "
        "per Dr. Smith, No. 5 protocol 3. Age ≥ 18 Exclusion Criteria: * Escaped \\* star is "
        "text * Second"
    )
    items = split_criteria(text)
    assert [(item.section, item.text) for item in items] == [
        (
            "inclusion",
            "Bilirubin ≤ 1.5 x ULN and ALT ≤ 3.0 x ULN, e.g. measured at screening vs. baseline (i.e. day 1).",
        ),
        ("inclusion", "ANC ≥ 1.0 x 10^9/L; stage I. or II. disease per Dr. Smith, No. 5 protocol"),
        ("inclusion", "Age ≥ 18"),
        ("exclusion", "Escaped * star is text"),
        ("exclusion", "Second"),
    ]


def test_oneline_letter_and_roman_sub_items() -> None:
    text = (
        "Inclusion Criteria: 1. Adequate organ function: a. Creatinine ≤ 1.5 mg/dL b. ALT "
        "normal 2. Prior therapy, one of: i. chemotherapy ii. radiotherapy 3. Consent"
    )
    items = split_criteria(text)
    assert [(item.text, item.depth, item.parent_ordinal) for item in items] == [
        ("Adequate organ function:", 0, None),
        ("Creatinine ≤ 1.5 mg/dL", 1, 1),
        ("ALT normal", 1, 1),
        ("Prior therapy, one of:", 0, None),
        ("chemotherapy", 1, 4),
        ("radiotherapy", 1, 4),
        ("Consent", 0, None),
    ]


def test_paren_numbering_in_markdown() -> None:
    text = (
        "Exclusion criteria (patients):\n\n(1) Pregnancy\n(2) Age < 18\n\n"
        "Inclusion criteria for donors:\n\n1) Healthy\n2) Age 18-60"
    )
    items = split_criteria(text)
    assert [(item.section, item.heading, item.text) for item in items] == [
        ("exclusion", "Exclusion criteria (patients)", "Pregnancy"),
        ("exclusion", "Exclusion criteria (patients)", "Age < 18"),
        ("inclusion", "Inclusion criteria for donors", "Healthy"),
        ("inclusion", "Inclusion criteria for donors", "Age 18-60"),
    ]


def test_markdown_headers_and_blank_line_inside_item() -> None:
    text = (
        "## **Inclusion Criteria**\n\n* First item\n  wrapped line\n\n  second paragraph\n"
        "* Second item\n\n**Patient exclusion criteria:**\n\n* Excluded"
    )
    items = split_criteria(text)
    assert [(item.section, item.heading, item.text) for item in items] == [
        ("inclusion", None, "First item wrapped line second paragraph"),
        ("inclusion", None, "Second item"),
        ("exclusion", "Patient exclusion criteria", "Excluded"),
    ]


def pathological_inputs(reference: str) -> dict[str, str]:
    """Inputs that would be quadratic or worse for a careless splitter; bench/bench_splitter.py times them."""
    return {
        "reference x300": " ".join([reference] * 300),
        "bare bullets": "* " * 500_000,
        "one long word": "a" * 1_000_000,
        "backslashes": "\\" * 1_000_000,
        "open brackets": "(" * 1_000_000,
        "header word repeated": "Inclusion " * 100_000,
        "wrapped lines": ("-  item text that wraps\n" + " " * 13 + "onto a second line\n") * 20_000,
        "dash bullets": "- a " * 100_000,
        "headers after text": "- a condition Exclusion Criteria: - x\n" * 20_000,
    }


def test_pathological_inputs_split_sensibly() -> None:
    got = {name: split_criteria(text) for name, text in pathological_inputs(load("NCT06389305")).items()}
    assert {name: len(items) for name, items in got.items()} == {
        "reference x300": 300 * 23,
        "bare bullets": 0,
        "one long word": 1,
        "backslashes": 1,
        "open brackets": 1,
        "header word repeated": 1,
        "wrapped lines": 20_000,
        "dash bullets": 100_000,
        "headers after text": 40_000,
    }
    assert got["wrapped lines"][0].text == "item text that wraps onto a second line"
    assert {item.text for item in got["dash bullets"]} == {"a"}
    assert [(i.section, i.text) for i in got["headers after text"][:3]] == [
        ("unspecified", "a condition"),
        ("exclusion", "x"),
        ("exclusion", "a condition"),
    ]
