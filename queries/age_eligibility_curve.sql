-- age_eligibility_curve: for each age 0..90 years, how many filtered trials accept
-- a participant of exactly that age (no minimum / no maximum = open on that side).
-- Trials are first grouped by their age bounds in whole years (a trial accepts age
-- x when ceil(minimum) <= x <= floor(maximum)), so the work does not grow with
-- the number of trials.
-- Parameters: those of matching_studies.sql.
with filtered as (
    -- @include matching_studies.sql
),

bounds as (
    select
        ceil(coalesce(minimum_age_years, 0)) as low,
        floor(coalesce(maximum_age_years, 1000)) as high,
        count(*) as trials
    from filtered
    group by all
),

ages as (
    select unnest(range(0, 91)) as age_years
)

select
    a.age_years,
    coalesce(sum(b.trials) filter (where b.low <= a.age_years and b.high >= a.age_years), 0)::bigint as trials
from ages as a
cross join bounds as b
group by a.age_years
order by a.age_years
