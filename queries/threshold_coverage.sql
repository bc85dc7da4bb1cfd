-- threshold_coverage: for each measure stated anywhere in the database, how
-- many of the filtered trials state it at all (any bound, any unit, inclusion or
-- exclusion), out of all filtered trials; most stated first. The strictest and
-- most lenient values per bound and unit are the ends of
-- threshold_distribution.sql.
-- Parameters: those of matching_studies.sql.
with filtered as (
    -- @include matching_studies.sql
),

base as (
    select count(*) as matching_studies
    from filtered
),

stating as (
    select t.measure, count(distinct t.nct_id) as trials
    from criterion_thresholds as t
    semi join filtered as f on f.nct_id = t.nct_id
    group by t.measure
),

measures as (
    select distinct measure
    from criterion_thresholds
)

select
    m.measure,
    coalesce(s.trials, 0) as trials,
    b.matching_studies,
    coalesce(s.trials, 0) / nullif(b.matching_studies, 0) as share
from measures as m
cross join base as b
left join stating as s using (measure)
order by trials desc, m.measure
