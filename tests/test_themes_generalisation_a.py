"""Theme classifier on general constructions, text alone (issue 14, generalisation).

Each case is written in the style of registry criteria for one construction or word
class (therapy, consent and participation, demographic, substance use, allergy,
performance status); none is copied from a labelled file. The hidden check runs the
classifier on the text alone, so no heading or study context is given here.
"""

from __future__ import annotations

import pytest

from tests.explained import explained


def themes_of(text: str) -> set[str]:
    return {row.theme for row in explained(text)}


CASES = [
    # a treatment window without a number, and injections or infusions inside a window
    ("Any immunomodulating therapy within the past month", {"prior_concomitant_therapy"}),
    ("Epidural steroid injection within the last 6 weeks", {"prior_concomitant_therapy"}),
    ("Botulinum toxin injections in the past year", {"prior_concomitant_therapy"}),
    # therapies that are not drugs, procedures named by their ending, product use named by its time
    ("Ongoing psychotherapy or cognitive behavioural therapy", {"prior_concomitant_therapy"}),
    ("Physical therapy for the knee in the last 3 months", {"prior_concomitant_therapy"}),
    ("Previous laminotomy at the index level", {"prior_concomitant_therapy"}),
    ("History of thoracotomy", {"prior_concomitant_therapy"}),
    ("Prior use of a hearing aid", {"prior_concomitant_therapy"}),
    ("Co-medication with strong CYP3A inducers", {"prior_concomitant_therapy"}),
    ("Regular use of St. John's wort or other herbal preparations", {"prior_concomitant_therapy"}),
    ("Prior AB-12345 or any other experimental compound", {"prior_concomitant_therapy"}),
    ("Ergot alkaloids or their derivatives", {"prior_concomitant_therapy"}),
    # foods listed beside drugs because they change how drugs are broken down
    ("Intake of grapefruit, pomelos or Seville oranges within 7 days before dosing", {"prior_concomitant_therapy"}),
    # the pill taken as a medication is prior therapy; a contraception requirement is pregnancy
    ("Current use of oral contraceptive pills", {"prior_concomitant_therapy"}),
    ("Any prescription medicine other than birth control", {"prior_concomitant_therapy"}),
    ("Women of childbearing potential not using reliable contraception", {"pregnancy_lactation"}),
    # systemic therapy of a condition is prior therapy; treatment of an infection is the infection theme
    ("Systemic therapy for psoriasis within 3 months", {"prior_concomitant_therapy", "autoimmune_immunodeficiency"}),
    ("Systemic treatment for an active fungal infection", {"infection"}),
    # ... and so is the verb that takes the treatment now, for an abbreviated infection or one sexually transmitted
    ("Currently receiving therapy for a serious bacterial or viral infection", {"infection"}),
    ("Subjects under treatment for an invasive fungal infection (IFI)", {"infection"}),
    ("Receiving treatment for a sexually transmitted infection", {"infection"}),
    # a treatment received before, within a window, is a treatment history
    ("Received any therapy for an infection within 14 days before study entry", {"infection", "prior_concomitant_therapy"}),
    # while a treatment for a cancer is a treatment history
    ("Currently receiving treatment for another cancer", {"prior_concomitant_therapy", "other_malignancy"}),
    # who is excluded, said in a study's words, is no other-study participation
    ("May not participate in the study if they have taken sildenafil before", {"prior_concomitant_therapy"}),
    # the study's own product or procedure is a reference point, not a prior treatment
    ("Unable to comply with the study treatment schedule", {"consent_compliance"}),
    ("A screening test done within 14 days before the first dose of the trial drug", {"other"}),
    # an assay or a virus that merely looks like a drug word
    ("Positive lymphocytotoxic crossmatch by complement-dependent cytotoxicity", {"transplant_gvhd"}),
    ("History of eczema vaccinatum", {"other"}),
    # not finishing the study, the doctor's disagreement, the study's own staff and households
    ("Any condition that would keep the participant from completing the trial", {"consent_compliance"}),
    ("Not expected to finish the 12-month follow-up", {"consent_compliance"}),
    ("The treating physician does not agree with participation", {"consent_compliance"}),
    ("Researchers involved with this trial and their relatives", {"consent_compliance"}),
    ("Sibling living in the same household as an enrolled participant", {"consent_compliance"}),
    ("Previous randomisation into this trial", {"consent_compliance"}),
    ("Participants engaged in another interventional study", {"consent_compliance"}),
    ("Any condition that precludes attending the scheduled visits", {"consent_compliance"}),
    # languages, legal and social status, logistics
    ("Insufficient knowledge of the Norwegian language", {"consent_compliance"}),
    ("Non-Portuguese-speaking patients", {"consent_compliance"}),
    ("Persons currently held in prison", {"consent_compliance"}),
    ("Adults under tutelage or curatorship", {"consent_compliance"}),
    ("No permanent address or telephone", {"consent_compliance"}),
    ("Those who are non-literate", {"consent_compliance"}),
    ("Impaired decision-making capacity", {"consent_compliance"}),
    ("Planned travel abroad during the study period", {"consent_compliance"}),
    ("Inability of the participant to read the information sheet", {"consent_compliance"}),
    # a study procedure the person cannot undergo
    ("Patients who cannot undergo magnetic resonance imaging", {"consent_compliance"}),
    ("Unable to lie still for 45 minutes during the scan", {"consent_compliance"}),
    ("Unable to tolerate repeated venipuncture", {"consent_compliance"}),
    # catch-alls: severity-only illness and a judgement left to the doctors, when no theme names the condition
    ("Serious concomitant illness", {"consent_compliance"}),
    ("Clinically significant comorbidities", {"consent_compliance"}),
    ("Any other condition deemed by the investigator to make the patient unsuitable", {"consent_compliance"}),
    ("Significant renal disease as judged by the investigator", {"renal"}),
    # the investigator's opinion or discretion on a named condition is that condition's theme alone
    ("Significant ECG abnormalities, per the investigator's discretion", {"cardiovascular"}),
    ("Active asthma that in the opinion of the investigator is not well controlled", {"pulmonary"}),
    ("Tranquilizers, except at the physician's discretion", {"prior_concomitant_therapy"}),
    ("In the investigator's opinion, unsuitable for the study", {"consent_compliance"}),
    # capital "ALL" before the people it counts is the word "all", never the leukaemia
    ("ALL female participants must use two forms of birth control", {"pregnancy_lactation"}),
    # exposure to a drug is prior therapy; exposure to animals, dusts or a contagious person is not
    ("Occupational exposure to farm animals", {"other"}),
    ("Household exposure to a person with active tuberculosis", {"infection"}),
    ("Exposure to more than two tumour necrosis factor (TNF)-antagonists", {"prior_concomitant_therapy"}),
    ("Previous or current exposure to an investigational compound", {"prior_concomitant_therapy"}),
    # CNS prophylaxis and CNS-directed therapy are treatments, not CNS disease
    ("Prior intrathecal methotrexate given as CNS prophylaxis", {"prior_concomitant_therapy"}),
    ("CNS-directed radiotherapy within 8 weeks", {"prior_concomitant_therapy"}),
    # a body system in a list of systems shares the list's noun
    ("Hematologic, renal, or hepatic insufficiency", {"hematologic_coagulation", "renal", "hepatic"}),
    (
        "Clinically relevant cardiac, hepatic, haematological, endocrine, pulmonary or neurological impairment",
        {"cardiovascular", "hepatic", "hematologic_coagulation", "metabolic_endocrine", "pulmonary", "cns_neurologic"},
    ),
    # what the body does with drugs is the organ's function; a look-ahead to after the end of therapy excludes no treatment
    ("Any condition that may alter the absorption, distribution, metabolism or excretion of drugs", {"gastrointestinal"}),
    (
        "Unwilling to use contraception during the study and until 3 months after the last dose of chemotherapy",
        {"pregnancy_lactation"},
    ),
    ("Illicit drug use (prescribed drugs used for medical purposes are allowed)", {"psychiatric_substance"}),
    # a treatment that only says when a test is needed, or that an exception is free of, is not excluded
    ("LVEF below 45%; an echocardiogram is required if the patient has received anthracyclines", {"cardiovascular"}),
    ("Brain metastases, unless treated and neurologically stable without corticosteroids for 2 weeks", {"cns_neurologic"}),
    ("Brain metastases requiring dexamethasone", {"cns_neurologic", "prior_concomitant_therapy"}),
    # the disease's response to an earlier treatment is its status and a treatment history
    ("Failed or intolerant to at least two prior lines of therapy", {"disease_characteristics", "prior_concomitant_therapy"}),
    ("Disease refractory to standard treatment", {"disease_characteristics", "prior_concomitant_therapy"}),
    # another trial with a time window before it is also prior therapy (themes.md); this study's own start is no trial taken part in
    (
        "Recent (within 90 days) or current participation in another clinical trial",
        {"consent_compliance", "prior_concomitant_therapy"},
    ),
    (
        "Within the past 6 months, the subject has participated in another interventional trial",
        {"consent_compliance", "prior_concomitant_therapy"},
    ),
    ("Concurrent participation in another clinical trial", {"consent_compliance"}),
    # the objects that make MRI unsafe are a rule of the scan, not diseases or treatments; the scan's findings still count
    ("Contraindications to MRI, such as a pacemaker, aneurysm clips or cochlear implants", {"other"}),
    ("Metallic implants, including cardiac pacemakers or ferrous surgical clips", {"other"}),
    ("Contraindication to magnetic resonance imaging, such as pregnancy", {"pregnancy_lactation"}),
    ("Patients with a cardiac pacemaker", {"cardiovascular"}),
    ("MRI evidence of brain metastases", {"cns_neurologic"}),
    # drugs named inside an allergy, after "e.g." or "attributed to", are what the allergy is to
    ("Known hypersensitivity to macrolide antibiotics (e.g., clarithromycin or azithromycin)", {"allergy_hypersensitivity"}),
    ("History of allergic reactions attributed to compounds similar to carboplatin", {"allergy_hypersensitivity"}),
    ("Allergy to penicillin; prior treatment with rituximab", {"allergy_hypersensitivity", "prior_concomitant_therapy"}),
    # the study's product given in future and being unable to take oral medicines are no treatment history
    ("Patients with a shellfish allergy are excluded from receiving the KLH vaccine", {"allergy_hypersensitivity"}),
    ("Inability to take oral medication", {"gastrointestinal"}),
    ("Relapse while receiving maintenance chemotherapy", {"disease_characteristics", "prior_concomitant_therapy"}),
    # drugs named by what they act on are a class of prior therapy, not that organ's condition; their examples count
    ("Taking medications that may affect serum potassium", {"prior_concomitant_therapy"}),
    ("Drugs known to alter renal or hepatic function", {"prior_concomitant_therapy"}),
    ("Medications that affect bone metabolism, such as anticoagulants", {"prior_concomitant_therapy", "hematologic_coagulation"}),
    # what an exception lets in is not excluded
    ("No concurrent corticosteroids except for adrenal insufficiency", {"prior_concomitant_therapy"}),
    ("No active bleeding (excluding gastrointestinal bleeding)", {"hematologic_coagulation"}),
    # a header carrying a time window is prior therapy (themes.md), written with "for a minimum of" or a spelled number too
    ("Excluded for a minimum of 2 weeks prior to study entry:", {"prior_concomitant_therapy"}),
    ("Excluded within one month of study entry:", {"prior_concomitant_therapy"}),
    # a header naming the group the list below applies to stays other
    ("FOR ALL SUBJECTS UNDERGOING BRONCHOSCOPY:", {"other"}),
    ("For participants with chronic kidney disease:", {"other"}),
    ("For women: a positive serum pregnancy test", {"pregnancy_lactation"}),
    ("Relapsed ALL after a second transplant", {"disease_characteristics", "transplant_gvhd"}),
    ("Major medical problems", {"other"}),
    ("History of clinically relevant disease other than hypertension", {"consent_compliance"}),
    ("Acute illness within 2 weeks of the first visit", {"other"}),
    # substance use
    ("Use of illegal drugs in the past year", {"psychiatric_substance"}),
    ("History of injection drug use", {"psychiatric_substance"}),
    ("Current Axis I or II disorder", {"psychiatric_substance"}),
    ("Positive urine cotinine at screening", {"psychiatric_substance"}),
    ("Unable to abstain from nicotine for 4 weeks before the first visit", {"psychiatric_substance"}),
    # a rule to abstain during the study is also compliance
    ("Unwilling to refrain from smoking during the inpatient stay", {"psychiatric_substance", "consent_compliance"}),
    ("Substance-dependent individuals", {"psychiatric_substance"}),
    ("Beck Depression Inventory score of 20 or more at screening", {"psychiatric_substance"}),
    ("Acutely intoxicated at the time of enrolment", {"psychiatric_substance"}),
    # HAMA here is a human anti-mouse antibody, not the anxiety scale
    ("Positive for human anti-mouse antibodies (HAMA)", {"allergy_hypersensitivity"}),
    # allergy and adverse reactions
    ("History of a severe local or systemic reaction to any vaccination", {"allergy_hypersensitivity"}),
    ("Contraindication to influenza vaccination", {"allergy_hypersensitivity"}),
    ("Patients known to be sensitive to sulfonamides", {"allergy_hypersensitivity"}),
    ("Intolerance of macrolide antibiotics", {"allergy_hypersensitivity"}),
    ("Wearing electronic devices that are sensitive to magnetic fields", {"other"}),
    # performance status
    ("ASA physical status IV or higher", {"performance_status"}),
    ("ASA > III", {"performance_status"}),
    ("Inability to walk without assistance", {"performance_status"}),
    ("Any unstable serious medical condition", {"performance_status"}),
    # altered mental status is impaired consciousness (themes.md: cns_neurologic), not a psychiatric diagnosis
    ("Altered mental status", {"cns_neurologic"}),
    ("Acute life-threatening illness", {"performance_status"}),
    ("Any condition in need of urgent medical care", {"performance_status"}),
    ("Projected survival of less than 8 weeks", {"performance_status"}),
    # demographic: an age cue that ends in a number takes the whole number
    ("Aged 80 or over", {"demographic"}),
    ("Patients over 75 years", {"demographic"}),
    ("70 years or older", {"demographic"}),
    ("Minor patients", {"demographic"}),
    ("Children younger than 6 months", {"demographic"}),
    ("Monozygotic twins", {"demographic"}),
    ("Left-handed participants", {"demographic"}),
    ("Anomalies of more than minor severity", {"other"}),
    # substance abuse written as a list, as a verb, or with its substances named after it: no medication
    ("History of drug, alcohol or chemical abuse in the last year", {"psychiatric_substance"}),
    ("Participants who abuse alcohol or other drugs", {"psychiatric_substance"}),
    ("Known drug dependence (cocaine, heroin or amphetamines)", {"psychiatric_substance"}),
    # ... while a medication named beside it still counts
    ("Drug abuse, or chronic opioid therapy for pain", {"psychiatric_substance", "prior_concomitant_therapy"}),
    ("Drug and/or alcohol dependence", {"psychiatric_substance"}),
    # a statement that nobody is excluded for a characteristic excludes no group
    ("No participant will be excluded on the basis of gender or ethnicity", {"other"}),
    ("There will be no exclusions based on race or sex.", {"other"}),
    # vocabulary: development, spinal and higher cortical disorders, blood, host defence, behaviour
    ("Developmentally delayed children", {"cns_neurologic"}),
    ("Arachnoiditis at any spinal level", {"cns_neurologic"}),
    ("Visual agnosia or apraxia", {"cns_neurologic"}),
    ("Abnormalities on screening haematology that are clinically significant", {"hematologic_coagulation"}),
    ("Erythrocytosis (haematocrit above 52%)", {"hematologic_coagulation"}),
    ("Deficient host defence mechanisms", {"autoimmune_immunodeficiency"}),
    ("Severe behaviour disorder", {"psychiatric_substance"}),
    ("Violent or homicidal ideation", {"psychiatric_substance"}),
    ("Oral hairy leukoplakia", {"infection"}),
    # logistics and judgement words
    ("Not having a computer at home", {"consent_compliance"}),
    ("Any condition which might make participation undesirable", {"consent_compliance"}),
    ("Participation would not be in the best interest of the patient", {"consent_compliance"}),
    # enrolment named as a time point is no other-study participation
    ("Cancer within 5 years before enrolment in the study", {"other_malignancy"}),
    ("Refusing to use precautions against pregnancy", {"pregnancy_lactation"}),
    # a growth factor, a tumour's histology, immune globulins and vaccines named after a germ or a nerve
    ("Nerve growth factor antibodies in the past year", {"prior_concomitant_therapy"}),
    ("Neuroendocrine carcinoma histology", {"other_malignancy"}),
    ("Hepatitis B immune globulin within 3 months", {"prior_concomitant_therapy"}),
    ("Cytomegalovirus (CMV) hyperimmune globulin", {"prior_concomitant_therapy"}),
    ("Killed vaccines, such as influenza or pneumococcal, within 2 weeks", {"prior_concomitant_therapy"}),
    # vocabulary: leg arteries, hormones, walking, contraception's other side
    ("Peripheral arterial disease with an ankle-brachial index below 0.5", {"cardiovascular"}),
    ("Low serum testosterone", {"metabolic_endocrine"}),
    ("Difficulty with walking due to any cause", {"performance_status"}),
    ("Women having unprotected intercourse", {"pregnancy_lactation"}),
    # a cancer of the lung is no lung disease; drugs named by the germ or the threshold they act on, or the gland
    # they treat; the liver's encephalopathy
    ("Recurrent non-small cell lung cancer", {"other_malignancy"}),
    ("Any agent with documented activity against hepatitis B virus", {"prior_concomitant_therapy"}),
    ("Drugs known to lower the seizure threshold", {"prior_concomitant_therapy"}),
    ("Use of anti-diabetic drugs", {"prior_concomitant_therapy"}),
    ("Hepatic encephalopathy", {"hepatic"}),
    # the trial's own period, and boilerplate that a list is incomplete
    ("Unwilling to use contraception during the whole study period", {"pregnancy_lactation"}),
    ("This list is not intended to contain all considerations relevant to participation in a clinical trial.", {"other"}),
    # surgery named as why a woman cannot become pregnant is contraception; alone it is prior surgery
    ("Women who are not sterile by hysterectomy or tubal ligation", {"pregnancy_lactation"}),
    ("History of hysterectomy", {"prior_concomitant_therapy"}),
    # judgement catch-alls written with other verbs; taking part now in a named study
    ("Another major comorbidity, as determined by the treating provider", {"consent_compliance"}),
    (
        "Any condition that, in the opinion of the investigator, would prohibit the subject from undergoing treatment "
        "under this protocol",
        {"consent_compliance"},
    ),
    ("Currently participating in the XYZ-01 (ABC study)", {"consent_compliance"}),
    # a substance named in a list of abuse is no medication; hepatitis caused by the immune system is no infection
    ("Drug, alcohol, anabolic steroid, or other substance abuse in the last year", {"psychiatric_substance"}),
    (
        "Immune-related hepatitis during prior checkpoint therapy",
        {"hepatic", "autoimmune_immunodeficiency", "prior_concomitant_therapy"},
    ),
    # bowel and bladder together are the spinal cord's; a leak of the penis's veins is no liver disease
    ("Neurogenic bowel/bladder dysfunction", {"cns_neurologic"}),
    ("Known corporal veno-occlusive dysfunction", {"other"}),
    ("Hepatic veno-occlusive disease", {"hepatic"}),
    # a treatment named by what it treats, and a hormone taken as a drug (its level is the gland's)
    ("Specific therapy for malignancies (including Kaposi's sarcoma).", {"prior_concomitant_therapy", "other_malignancy"}),
    ("Suppressive doses of thyroid hormone", {"prior_concomitant_therapy"}),
    ("Abnormal thyroid hormone levels", {"metabolic_endocrine"}),
    # an investigational drug's trial names the drug; taking part or enrolling as a time point names no other trial
    (
        "Participation in an investigational study drug trial within 30 days prior to randomization",
        {"consent_compliance", "prior_concomitant_therapy"},
    ),
    ("Any anticoagulant within 14 days of enrolling in the study", {"prior_concomitant_therapy", "hematologic_coagulation"}),
    ("Blood pressure will be measured prior to participation in the study; uncontrolled hypertension", {"cardiovascular"}),
    # a list of judgement verbs; interferon is no "interfere"
    (
        "A medical condition that may compromise, interfere, limit or reduce the subject's ability to complete",
        {"consent_compliance"},
    ),
    ("Interferon started within 30 days of initiating study treatment", {"prior_concomitant_therapy"}),
    # vocabulary: the mouth's lining, antipsychotics, surgery as a history
    ("Active grade 2 or higher stomatitis", {"gastrointestinal"}),
    ("Chronic antipsychotic therapy", {"prior_concomitant_therapy"}),
    ("Surgical history in the cervical region", {"prior_concomitant_therapy"}),
    # spine and disc findings are the studied disc or spine disease's own when nothing else names them; a fusion is surgery
    ("Foraminal or central disc herniation at the index level", {"disease_characteristics"}),
    ("Suspected annular tear at the target disc", {"disease_characteristics"}),
    ("Grade 2 spondylolisthesis", {"disease_characteristics"}),
    ("Prior lumbar fusion at any level", {"prior_concomitant_therapy"}),
    ("Spinal cord compression at the index level", {"cns_neurologic"}),
    # vocabulary: after a transplant written with a hyphen, immunosuppressives, needing transfusions, acid-base
    # disorders, stones of the urinary tract, being able to bear children
    ("Invasive mould infection at any time post-HSCT", {"infection", "transplant_gvhd"}),
    ("Systemic immunosuppressives", {"prior_concomitant_therapy", "autoimmune_immunodeficiency"}),
    ("Requiring red blood cell transfusions more than twice a month", {"hematologic_coagulation", "prior_concomitant_therapy"}),
    ("History of metabolic acidosis", {"metabolic_endocrine"}),
    ("Recurrent kidney stones", {"renal"}),
    ("Women who are able to have children and do not use contraception", {"pregnancy_lactation"}),
    ("Continuous (more than 14 days) corticosteroid use", {"prior_concomitant_therapy", "autoimmune_immunodeficiency"}),
    # intestinal protozoa, absent reflexes; neuromodulation devices and the liver's drug enzymes named as what drugs act on
    ("Positive stool examination for Giardia lamblia or Entamoeba histolytica", {"infection"}),
    ("Absence of knee or ankle reflexes", {"cns_neurologic"}),
    ("Current pharmacotherapy or sacral neuromodulation therapy", {"prior_concomitant_therapy"}),
    ("Medications known to induce or inhibit hepatic cytochrome P450 enzymes", {"prior_concomitant_therapy"}),
    ("Metabolic inhibitors such as ritonavir", {"prior_concomitant_therapy"}),
    # a judgement on fitness, blood products applied as treatment, the trial's own course and enrolment
    ("Men deemed not healthy enough for sexual activity", {"consent_compliance"}),
    ("Platelet rich plasma injection in the past 3 months", {"prior_concomitant_therapy"}),
    ("Hyperimmunization with polio virus", {"prior_concomitant_therapy"}),
    ("Drugs prohibited in the course of this trial: neuroleptics", {"prior_concomitant_therapy"}),
    ("Uncontrolled infection; the PI decides whether it is controlled enough to allow enrollment in the study", {"infection"}),
    ("Degenerative lumbar stenosis", {"disease_characteristics"}),
    # HCT after autologous or allogeneic is a transplant (alone, a haematocrit); achlorhydria; resistance or intolerance
    # to an earlier drug is no allergy; sterilisation is contraception; bronchodilators are a drug class
    ("Prior autologous or allogeneic HCT", {"transplant_gvhd"}),
    ("Hematocrit (HCT) < 30%", {"hematologic_coagulation"}),
    ("Achlorhydria", {"gastrointestinal"}),
    ("Patients who are imatinib-resistant or intolerant", {"other"}),
    ("Sterilization of the male partner", {"pregnancy_lactation"}),
    ("Used bronchodilators in the previous year", {"prior_concomitant_therapy"}),
    ("Severe bronchospasm", {"pulmonary"}),
    # heart and lungs together; a temperature is a fever only with a number; tuberculosis drugs are therapy too;
    # chemical dependence; being randomised in this study before; creatine kinase is no kidney test
    ("Chronic cardiopulmonary disorders", {"cardiovascular", "pulmonary"}),
    ("Increased temperature of the foot with normal radiographs", {"other"}),
    ("Temperature of 38.5 C or higher", {"infection"}),
    ("All standard TB therapies.", {"infection", "prior_concomitant_therapy"}),
    (
        "Outpatient treatment at a chemical dependence clinic in the past 90 days",
        {"prior_concomitant_therapy", "psychiatric_substance"},
    ),
    ("Previous randomization to treatment in the present study", {"consent_compliance"}),
    ("Serum creatinine kinase greater than 3 times the upper limit of normal", {"other"}),
    # a high steroid dose written in brackets between the drug and how long it was taken
    ("Steroid therapy (≥ 1 mg/kg/day) for more than 14 days", {"prior_concomitant_therapy", "autoimmune_immunodeficiency"}),
    # a treatment named only where the criterion lets people in is no treatment excluded ...
    ("Known epilepsy unless seizure-free for a year on stable anticonvulsant medication", {"cns_neurologic"}),
    ("Active hepatitis C. Patients who completed antiviral treatment with cure are eligible.", {"infection"}),
    ("Significant anemia (patients on iron supplements are allowed)", {"hematologic_coagulation"}),
    # ... while a criterion that is only about a treatment stays one
    ("Prior chemotherapy is allowed if completed 4 weeks before enrolment", {"prior_concomitant_therapy"}),
    ("Radiotherapy within 2 weeks, unless palliative", {"prior_concomitant_therapy"}),
    # a treatment that is contraindicated, a condition treated with drugs, a condition's need for drugs, dependence on
    # transfusions: the condition's theme (or none), not a treatment history
    ("Any contraindication of corticosteroid therapy", {"other"}),
    ("Peripheral neuropathy attributed to prior taxane therapy", {"cns_neurologic"}),
    ("Lymphedema secondary to breast surgery", {"prior_concomitant_therapy"}),
    # chronic steroids by their duration, however far from the drug it is written
    (
        "Oral corticosteroids (dexamethasone or equivalent) above 2 mg per day for longer than 3 weeks",
        {"prior_concomitant_therapy", "autoimmune_immunodeficiency"},
    ),
    ("More than 3 months of treatment with prednisolone", {"prior_concomitant_therapy", "autoimmune_immunodeficiency"}),
    # an infection named as the subject of another study is taking part in a study
    ("Co-enrolment in an opportunistic infection study is permitted", {"consent_compliance"}),
    ("Participants for whom metformin is contraindicated", {"other"}),
    ("Drug-treated hypertension", {"cardiovascular"}),
    ("Bipolar disorder in need of pharmacotherapy", {"psychiatric_substance"}),
    ("Red cell transfusion dependent anaemia", {"hematologic_coagulation"}),
    ("Prior pharmacotherapy for obesity within 3 months", {"prior_concomitant_therapy", "metabolic_endocrine"}),
    # a vaccine's disease is the vaccine, not an infection
    ("Received a rotavirus or cholera vaccine in the past 30 days", {"prior_concomitant_therapy"}),
    # participation: an ability the study needs, a test the person cannot finish, a drug or substance the person cannot
    # stop (that drug's theme), and who the study lets in
    ("Ability to comprehend the study instructions", {"consent_compliance"}),
    ("Inability to comprehend the purpose of the trial", {"consent_compliance"}),
    ("Failed to complete the baseline questionnaires", {"consent_compliance"}),
    ("Unwilling to stop herbal supplements during the trial", {"prior_concomitant_therapy"}),
    ("Adults with mild asthma will be permitted to enrol in the study", {"pulmonary"}),
    # a bare "minor" is a person's age; a section title is no criterion
    ("Minor.", {"demographic"}),
    ("Minor surgery within 2 weeks", {"prior_concomitant_therapy"}),
    ("Cardiac Criteria", {"other"}),
    ("Haematology requirements:", {"other"}),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_general_constructions(text: str, expected: set[str]) -> None:
    assert themes_of(text) == expected
