-- headline_counts: one row of counts for the trials matching the filters.
-- Parameters: those of matching_studies.sql.
with filtered as (
    -- @include matching_studies.sql
)

select
    count(*) as trials,
    count(*) filter (where n_exclusion > 0) as trials_with_exclusions,
    coalesce(sum(n_exclusion), 0) as exclusion_items,
    coalesce(sum(n_inclusion + n_exclusion + n_unspecified), 0) as criteria_items,
    count(*) filter (where is_b_all) as b_all_trials,
    count(*) filter (where coalesce(minimum_age_years, 0) < 18) as accepts_children
from filtered
