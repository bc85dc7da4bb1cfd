-- trials_table: the filtered trials, one row per trial, for the Trials
-- table and its CSV download, at most $limit rows, ordered by NCT ID.
-- Parameters: those of matching_studies.sql, and $limit.
with filtered as (
    -- @include matching_studies.sql
)

select
    nct_id,
    url,
    title,
    array_to_string(conditions, '; ') as conditions,
    minimum_age_raw,
    maximum_age_raw,
    minimum_age_years,
    maximum_age_years,
    sex,
    healthy_volunteers,
    array_to_string(std_ages, ', ') as std_ages,
    phase,
    overall_status,
    study_type,
    is_b_all,
    n_inclusion,
    n_exclusion,
    n_unspecified,
    array_to_string(exclusion_themes, ', ') as exclusion_themes,
    source_format
from filtered
order by nct_id
limit $limit
