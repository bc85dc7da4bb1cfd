-- trend_age_access: per start year, how open the filtered trials are to young people:
--   accepts_under_18          the trial accepts someone under 18 (minimum age below 18 or none)
--   adult_trials              the maximum age is 18 or over, or there is none
--   adult_accepts_12_17       of those, the trial accepts someone aged 12-17 (minimum age below 18)
--   adult_accepts_from_12     of those, the trial accepts 12-year-olds (minimum age 12 or below, or none)
--   overlaps_aya              the age range overlaps the AYA window $aya_min-$aya_max
-- with shares, and thin when fewer than $thin_below trials started that year.
-- Trials without a start date are not counted.
-- Parameters: those of matching_studies.sql (including $aya_min, $aya_max); $thin_below.
with filtered as (
    -- @include matching_studies.sql
),

ages as (
    select
        start_year,
        coalesce(minimum_age_years, 0) as low,
        coalesce(maximum_age_years, 'infinity'::double) as high
    from filtered
    where start_year is not null
),

counts as (
    select
        start_year,
        count(*) as trials,
        count(*) filter (where low < 18) as accepts_under_18,
        count(*) filter (where high >= 18) as adult_trials,
        count(*) filter (where high >= 18 and low < 18) as adult_accepts_12_17,
        count(*) filter (where high >= 18 and low <= 12) as adult_accepts_from_12,
        count(*) filter (where low <= $aya_max and high >= $aya_min) as overlaps_aya
    from ages
    group by start_year
)

select
    start_year,
    trials,
    accepts_under_18,
    accepts_under_18 / trials as share_under_18,
    adult_trials,
    adult_accepts_12_17,
    adult_accepts_12_17 / nullif(adult_trials, 0) as share_adult_12_17,
    adult_accepts_from_12,
    adult_accepts_from_12 / nullif(adult_trials, 0) as share_adult_from_12,
    overlaps_aya,
    overlaps_aya / trials as share_aya,
    trials < $thin_below as thin
from counts
order by start_year
