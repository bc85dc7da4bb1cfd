-- trend_year_counts: the filtered trials per start year, how many of them list
-- exclusion criteria, and whether the year is thin (fewer than $thin_below trials).
-- Trials with no start date are one row with a null start_year; from_text_export
-- says how many of those came from the plain-text export, which carries no dates.
-- Parameters: those of matching_studies.sql; $thin_below.
with filtered as (
    -- @include matching_studies.sql
)

select
    start_year,
    count(*) as trials,
    count(*) filter (where n_exclusion > 0) as trials_with_exclusions,
    count(*) filter (where source_format = 'eligibility-text') as from_text_export,
    start_year is not null and count(*) < $thin_below as thin
from filtered
group by start_year
order by start_year nulls last
