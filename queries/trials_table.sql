-- trials_table: the filtered trials, one row per trial, for the Trials table
-- (one page of it) and its CSV download (every row, in the same order).
-- Parameters: those of matching_studies.sql, $limit and $offset.
-- Sorted by {order_by}: a column and direction the runner takes from its
-- allow-list (eligibility/explore/queries.py, SORTS), never from user text;
-- ties are broken by NCT ID.
with filtered as (
    -- @include matching_studies.sql
)

select
    nct_id,
    url,
    minimum_age_raw,
    maximum_age_raw,
    minimum_age_years,
    maximum_age_years,
    sex,
    healthy_volunteers,
    n_inclusion,
    n_exclusion,
    n_unspecified,
    split_part(b_all_basis, ':', 1) as b_all_basis,
    b_all_basis as b_all_named_as,
    phase,
    overall_status,
    study_type,
    title,
    array_to_string(conditions, '; ') as conditions,
    exclusion_themes,
    array_to_string(std_ages, ', ') as std_ages,
    is_b_all,
    source_format
from filtered
order by {order_by}, nct_id
limit $limit offset $offset
