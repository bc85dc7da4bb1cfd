-- threshold_coverage: for each measure stated anywhere in the database, how
-- many of the filtered trials state it at all (any bound, any unit, inclusion or
-- exclusion), out of all filtered trials; most stated first. The strictest and
-- most lenient values per bound and unit are the ends of
-- threshold_distribution.sql.
-- Counted from each study's measure bits (studies.threshold_measure_mask, bit
-- position - 1 of threshold_measures), grouped first, so the cost does not grow
-- with the number of threshold facts.
-- Parameters: those of matching_studies.sql.
with filtered as (
    -- @include matching_studies.sql
),

masks as (
    select threshold_measure_mask as mask, count(*) as trials
    from filtered
    group by threshold_measure_mask
),

base as (
    select coalesce(sum(trials), 0)::bigint as matching_studies
    from masks
),

stated as (
    -- the measures some study in the database states (their bits in any study's mask)
    select m.measure, m.position
    from threshold_measures as m
    where exists (select 1 from study_thresholds as t where t.measure = m.measure)
),

counted as (
    select
        st.measure,
        coalesce(sum(k.trials) filter (where (k.mask >> (st.position - 1)) & 1 = 1), 0)::bigint as trials
    from stated as st
    left join masks as k on true
    group by st.measure
)

select
    c.measure,
    c.trials,
    b.matching_studies,
    c.trials / nullif(b.matching_studies, 0) as share
from counted as c
cross join base as b
order by c.trials desc, c.measure
