-- trial_detail: one study's eligibility fields and provenance.
-- Parameters: $nct_id.
select
    nct_id,
    url,
    title,
    official_title,
    conditions,
    keywords,
    phase,
    overall_status,
    study_type,
    last_update,
    sex,
    healthy_volunteers,
    minimum_age_raw,
    maximum_age_raw,
    minimum_age_years,
    maximum_age_years,
    std_ages,
    std_ages_source,
    is_b_all,
    b_all_basis,
    n_inclusion,
    n_exclusion,
    n_unspecified,
    criteria_text,
    record_complete,
    source_file,
    source_record,
    source_format,
    n_source_records
from studies
where nct_id = $nct_id
