"""Whole or conditional: constructions that decide it, not the wording of one example.

Each case is a construction from /work/shared/themes.md ("Whole and conditional
exclusions"); texts marked "demo" are copied from the registry records in data/demo,
the others are written in the registry's style. None come from a labelled file.
A criterion is conditional when any of its themes is.
"""

from __future__ import annotations

import pytest

from eligibility.build.themes import explain
from tests.explained import explained


def is_conditional(text: str) -> bool:
    return any(row.conditional for row in explained(text))


WHOLE = [
    # a prohibition written as an allowance lets no one in
    "No other anticancer therapy is permitted during the study",
    "No concurrent radiotherapy allowed",
    # one dose or more is any dose; eligibility for another protocol is where a patient goes instead
    "One or more doses of ganciclovir",
    "Has a matched donor and is eligible for a higher priority transplant protocol",
    # high-dose chemotherapy names a kind of treatment, not a degree of it
    "Prior high-dose chemotherapy with stem cell rescue",
    # "advanced or metastatic" names the stage of the cancer that was treated, not a degree of the exclusion
    "Prior chemotherapy for advanced or metastatic colorectal cancer",
    # "one or more of" and "at least one of" mean any, "as above" points elsewhere, an immune system that is
    # suppressed is the condition itself: none lets anyone in
    "Current use of one or more of the following: nitrates, anticoagulants, androgens",
    "History of at least one of the following conditions: stroke, epilepsy, dementia",
    "Any of the cardiac conditions listed above",
    "Immunologically suppressed patients",
    # a positive pregnancy test is pregnancy itself, not a test required of those let in (demo)
    "A positive pregnancy test or lactating mothers.",
    "Women who are lactating or have a positive pregnancy test result before the first dose of study treatment;",
    "Women who are pregnant (positive serum beta-hCG test) or breastfeeding",
    # an exception for the trial's own disease lets nobody with another one in (first: demo)
    "Patients with malignancies other than the primary disease",
    "History of cancer other than CLL",
    "Known chronic infection other than HIV",
    "Prior malignancy other than the cancer under study",
    # an exception for the study's own treatment lets nobody taking another one in
    "Antifungal agents other than the study medication.",
    "Radiotherapy other than that specified in the protocol.",
    # oral contraceptives named as an example of the drugs excluded are a drug, not a requirement
    "Sex hormones, such as oral contraceptives.",
    # a denied allowance or a ruled-out exception
    "Patients with brain metastases will not be included, even if treated.",
    "Patients with hepatitis B may not participate.",
    "Any other malignancy, without exception.",
    # a consequence that is no judgement on taking part ("would result in increased risk") qualifies nothing
    "HIV infection or any medical condition that would result in increased risk from apheresis.",
    # a milder form named as included is not let in, to the end of its phrase (first two: demo)
    "Prior invasive colon or rectal malignancy, regardless of disease-free interval",
    "Patients taking anticonvulsants are not eligible to participate even if they are willing to washout anticonvulsants for the trial.",
    "Brain metastases, even if treated and stable for 4 weeks.",
    # a parenthesis that only defines the condition is no judgement on it
    "Is non-ambulatory (unable to walk).",
    # abstaining during the study is a behaviour asked of everyone, not a drug to stop
    "Inability to abstain from alcohol or any other drug during the study period.",
    # both forms named leave no form out (first two: demo)
    "Males suffering from treated or untreated hypo- or hypertension",
    "Stable or unstable angina pectoris",
    "Hypertension, whether controlled or not.",
    # "in the past" with no span is any time before, like "history of"
    "Has received interferon in the past.",
    # a diagnosis whose name holds a severity word names a type, not a degree
    "History of unstable angina or myocardial infarction.",
    "Secondary progressive multiple sclerosis.",
    # a distance is not a time window
    "Coronary lesion within 5 mm of the ostium of the left anterior descending artery.",
    # an age says who is meant, not how severe a condition is
    "Children less than 2 years of age with congenital heart disease",
    "Infants under 6 months of age or breastfeeding mothers.",
    "Sexual partner is < 18 years of age or nursing.",
    # a person's need for a treatment is what is excluded (first: demo)
    "Patients requiring posterior cervical surgery, anterior cervical corpectomy, or revision surgery.",
    "Subjects who are likely to require radiotherapy during the course of the study.",
    # a plan's window is in the future, and "since" can give a reason (first two: demo)
    "Planning to move out of the geographic area within 2 months",
    "Study agents cannot be obtained for any reason since this study does not provide free agents.",
    "Are taking aspirin or expect to use aspirin 6 weeks after a study vaccination.",
    # a relative clause that names what a drug does is no judgement on taking part
    "Medication that prevents migraine attacks.",
    # "provided" as a plain verb
    "Prior radiotherapy provided by an outside institution.",
    # a test requirement that is only about when the test is done
    "Abnormal ECG; the ECG must be performed within 14 days prior to registration.",
    # a response status of the studied disease names which disease, not how severe it is
    "Relapsed or refractory disease.",
    # a temperature is how fever is defined; "large cell" is a histology; "the relevant level" is a place
    "Fever (temperature > 38.0 °C) at screening",
    "History of diffuse large B-cell lymphoma",
    "Prior fusion surgery of the relevant segment",
    # a rule to keep during the study lets nobody who breaks it in; a Child-Pugh named without a class is any
    "Unwilling to refrain from grapefruit juice during the study",
    "Known cirrhosis (any Child-Pugh class)",
    # "small or large bowel" names a place
    "Previous small or large bowel resection",
    # the conventional cut-off of a cognitive test defines the impairment (intellectual disability, dementia)
    "Intellectual disability with a full-scale IQ below 70",
    "Cognitive impairment defined as an MMSE score < 24",
]

CONDITIONAL = [
    # a criterion for one part of the study only lets everyone else in
    "Part B only: prior treatment with a PARP inhibitor",
    "Known hepatitis B (applies only to participants in the liver substudy)",
    "Clarithromycin (in the open-label arm only).",
    # a bare span that ends the criterion, and a span in words, are time windows
    "Myocardial infarction or coronary stenting in 3 months.",
    "Cardiac surgery the previous six months",
    # an allowance in other words (carriers "can be recruited", a drug that "can be given" at a lower dose, treatment that
    # "may be continued"), and control misspelt
    "Chronic hepatitis B; inactive carriers can be recruited",
    "Strong CYP3A4 inducers (rifampicin may be continued at the lower dose)",
    "Known HIV infection with uncontroled viral load",
    # an exception by cause ("not related to", "not due to") and a cancer "effectively treated"
    "Any psychotic disorder not related to substance use",
    "Effectively treated basal cell carcinoma of the skin",
    # ... unless it names an exception
    "No prior chemotherapy is allowed except hormonal therapy",
    # a trimester and a steroid dose let the rest in; a header's window qualifies the list under it
    "Pregnant women in the first trimester",
    "Daily high-dose inhaled corticosteroids",
    "Excluded for a minimum of 4 weeks prior to study entry:",
    # a threshold on a feature of the studied disease lets the rest of it in
    "Lumbar scoliosis of more than 30 degrees",
    "Circulating blasts >= 5% in the peripheral blood",
    # a count that lets fewer in is a threshold; a viral load that is suppressed lets people in
    "Abnormal results on 2 or more of 7 neuropsychological tests",
    "HIV infection unless the viral load is suppressed on therapy",
    # a required pregnancy test lets people who could become pregnant in
    "Pregnancy or positive pregnancy test. A pregnancy test must be performed within 7 days prior to day 1.",
    # an exception that carves out part of the theme's group (first: demo)
    "Had any cancer other than non-melanoma skin cancer treated with curative intent within the past 5 years",
    "Acute intercurrent infection other than oral candidiasis.",
    "Other malignancy except adequately treated carcinoma in situ of the cervix",
    # ... but a contraceptive that people must use still lets them in
    "Women of childbearing potential who do not use condoms or oral contraceptives.",
    # a judgement on the named condition itself
    "Psychiatric illness that would compromise compliance with the protocol.",
    "History of myocardial infarction or any other cardiac disease that would, in the investigator's opinion, put the patient at risk.",
    "Uncontrolled hypertension or any other condition that would interfere with the study.",
    # judgement verbs that limit a condition to those it keeps from taking part
    "Dementia or altered mental status that would prohibit informed consent.",
    "Claustrophobia or other psychiatric condition that will make the patient unable to tolerate MRI.",
    "Cognitive impairment (inability to complete study questionnaires).",
    "Peripheral neuropathy causing inability to walk unaided.",
    "Dementia that impairs the ability to give consent.",
    # a functional class lets the lower classes in (demo)
    "New York Heart Association classification III or IV",
    "Medical or psychiatric conditions that would make compliance unlikely.",
    # a statement that a group is not excluded, or only until a treatment ends (demo)
    "Identification of Mycobacterium avium or CMV in sputum or BAL fluid does not exclude, since these organisms may be present without causing disease.",
    "Subjects who require treatment with an aminoglycoside antibiotic, until treatment is complete.",
    "Patients requiring corticosteroids who have not been on a stable or decreasing dose of corticosteroid for the prior 7 days",
    # a judgement on a catch-all with named examples qualifies the examples
    "Any other medical conditions (including mental illness or substance abuse) deemed by the clinician to be likely to interfere with the study.",
    "Any illness, such as epilepsy, that would interfere with follow-up.",
    # a consequence that only some forms of a condition have
    "Congenital kidney anomalies that may result in early death.",
    # one form of two named (demo)
    "Symptomatic or untreated brain metastases or carcinomatous meningitis",
    # a plan's window is blanked, not the plan's own degree
    "Planned major surgery within the study period.",
    # a degree stated as what the condition must be enough to do (demo)
    "Psychiatric condition sufficient to impair compliance with protocol requirements.",
    "Patients with mental disorders or other conditions whereby informed consent cannot be obtained.",
    "Infection exhibiting ongoing signs or symptoms without improvement despite appropriate antibiotics.",
    "Patients with cognitive disorders and Mini Mental Status Examination (MMSE) score of less or equal to 24.",
    # being unable to stop a drug lets those who can stop it in (demo)
    "Unwillingness to discontinue current ineffective psycho- or pharmacotherapy",
    # a condition's need for treatment still lets untreated forms in
    "Patients with COPD requiring home oxygen.",
    "Subjects requiring dialysis;",
    "Is non-ambulatory (unable to walk) or has severe peripheral neuropathy.",
    "Active infection requiring intravenous antibiotics within 14 days.",
    # how often a drug is taken lets occasional use in, like "long-term use"
    "Regular use of sleeping pills.",
    "Takes antacids on a regular basis.",
    # an allowance to keep taking a drug
    "Use of oral steroids (patients may continue inhaled steroids).",
    # an allowance in a later sentence
    "Known HIV infection. Patients on stable antiretroviral therapy with undetectable viral load are eligible.",
    # ... also when that sentence names no theme and the criterion has several
    "Brain metastases; pregnancy or lactation. Those treated and stable for 4 weeks are allowed.",
    "History of another malignancy or autoimmune disease. Exceptions: basal cell carcinoma, vitiligo.",
    # a span after "in the past" or "in the last" is a window
    "Myocardial infarction in the last year.",
    "Chemotherapy in the past 4weeks.",
    # a feature of the studied disease takes a degree like any theme's condition
    "Grade 3 or higher spondylolisthesis at the index level.",
    "Kaposi sarcoma needing systemic treatment.",
    # a Child-Pugh class is a degree of liver disease; those who agree to stop smoking are let in; unprotected
    # intercourse is the other side of a contraception requirement
    "Liver cirrhosis, Child-Pugh class B or C",
    "Smokers who do not agree to quit smoking before surgery",
    "Women having unprotected intercourse",
    # "allowable" and "permissible" allow as "allowed" does
    "Intrathecal chemotherapy for CNS prophylaxis is allowable.",
    "Prior radiotherapy is permissible if completed 4 weeks before entry.",
    # "may have received prior X" allows a treatment
    "Patients may have received prior sorafenib but not both VEGF inhibitors",
    # ... while a fever's duration still lets shorter ones in
    "Fever above 38.5 C lasting more than 7 days",
    # an allowance is not denied by a nearby negation elsewhere
    "HIV-positive patients may not participate unless CD4 count is above 350 cells/uL.",
    # ... while another cut-off of the same test sets a degree
    "Dementia with an MMSE score below 18",
    # a rule to avoid pregnancy lets in those who keep it, as a contraception requirement does
    "Women unwilling to avoid becoming pregnant for 3 months after the last dose",
]


@pytest.mark.parametrize("text", WHOLE)
def test_whole(text: str) -> None:
    assert not is_conditional(text), [(row.theme, row.qualifier) for row in explain(text)]


@pytest.mark.parametrize("text", CONDITIONAL)
def test_conditional(text: str) -> None:
    assert is_conditional(text), [row.theme for row in explain(text)]


def test_a_required_pregnancy_test_is_the_qualifier_not_its_timing() -> None:
    rows = {row.theme: row for row in explain("Pregnancy test must be performed within 72 hours before the first dose.")}
    assert rows["pregnancy_lactation"].conditional
    assert rows["pregnancy_lactation"].qualifier.lower().startswith("pregnancy test")


@pytest.mark.parametrize(
    ("text", "named"),
    [
        (
            "Known HIV infection or any other medical condition that, in the opinion of the investigator, would interfere with the study.",
            "infection",
        ),
        ("Psychiatric illness, substance abuse or any other factors which may compromise compliance.", "psychiatric_substance"),
        ("Pregnancy or other medical illnesses that would preclude participation.", "pregnancy_lactation"),
    ],
)
def test_a_judgement_on_a_catch_all_qualifies_the_catch_all_not_the_condition_named_beside_it(text: str, named: str) -> None:
    # themes.md: "that in the opinion of the investigator would ..." lets in those whose conditions would not interfere
    rows = {row.theme: row for row in explained(text)}
    assert rows["consent_compliance"].conditional
    assert not rows[named].conditional, (named, rows[named].qualifier)


@pytest.mark.parametrize(
    "text",
    [
        # a judgement on the person alone is what the criterion excludes: it sorts no condition, so it lets no one in
        "Participants who, in the view of the investigator's opinion, will not attend the scheduled visits",
        "Judged by the study physician to be unsuitable for enrolment",
        "Considered unlikely to comply with the dosing diary, as judged by the investigator",
    ],
)
def test_a_judgement_on_the_person_alone_is_whole(text: str) -> None:
    rows = explain(text)
    assert {row.theme for row in rows} == {"consent_compliance"}
    assert not is_conditional(text), [(row.theme, row.qualifier) for row in rows]


@pytest.mark.parametrize(
    "text",
    [
        # ... while a judgement that sorts a condition, a circumstance or another study lets the rest in (themes.md)
        "Any medical condition that, in the opinion of the investigator, would interfere with the study",
        "Social circumstances that the investigator considers would prevent follow-up",
        "Enrolment in another interventional study that may confound the results of this study",
    ],
)
def test_a_judgement_that_sorts_a_condition_or_another_study_is_conditional(text: str) -> None:
    assert {row.theme for row in explain(text)} >= {"consent_compliance"}
    assert is_conditional(text)
