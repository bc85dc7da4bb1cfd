-- age_eligibility_curve: for each age 0..90 years, how many filtered trials accept
-- a participant of exactly that age (no minimum / no maximum = open on that side).
-- Parameters: those of filtered_trials.sql.
with filtered as (
    -- @include filtered_trials.sql
),

ages as (
    select unnest(range(0, 91)) as age_years
)

select
    a.age_years,
    count(f.nct_id) as trials
from ages as a
left join filtered as f
    on coalesce(f.minimum_age_years, 0) <= a.age_years
    and coalesce(f.maximum_age_years, 'infinity'::double) >= a.age_years
group by a.age_years
order by a.age_years
