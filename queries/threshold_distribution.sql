-- threshold_distribution: for each measure, bound and unit, how many of the
-- filtered trials set the bound at each value. A trial counts once per measure,
-- bound and unit, at its strictest stated value (the lowest maximum, the
-- highest minimum). Units are never converted into each other: mg/dL and xULN
-- rows of one measure stay apart. `trials_stating` is the number of filtered
-- trials with any value for that measure, bound and unit (the same on each of
-- its rows); `share` is trials / trials_stating.
-- Parameters: those of matching_studies.sql.
with filtered as (
    -- @include matching_studies.sql
),

bars as (
    -- study_thresholds: each study's strictest value per measure, bound and unit
    select t.measure, t.bound, t.unit, t.value, count(*) as trials
    from study_thresholds as t
    join filtered as f on f.study_no = t.study_no
    group by t.measure, t.bound, t.unit, t.value
)

select
    measure,
    bound,
    unit,
    value,
    trials,
    (sum(trials) over (partition by measure, bound, unit))::bigint as trials_stating,
    trials / sum(trials) over (partition by measure, bound, unit) as share
from bars
order by measure, bound, unit, value
