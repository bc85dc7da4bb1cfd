-- threshold_criteria: the criteria behind one bar of threshold_distribution.sql:
-- the filtered trials whose strictest $measure $bound in $unit is $value, each
-- with every criterion that states that measure, bound and unit, and the span
-- the value was read from (to highlight). The first $limit rows in NCT ID and
-- document order.
-- Parameters: those of matching_studies.sql, $measure, $bound, $unit, $value, $limit.
with filtered as (
    -- @include matching_studies.sql
),

facts as (
    select t.*
    from criterion_thresholds as t
    semi join filtered as f on f.nct_id = t.nct_id
    where t.measure = $measure and t.bound = $bound and t.unit = $unit
),

trials as (
    select nct_id
    from facts
    group by nct_id
    having abs(case when $bound = 'max' then min(value) else max(value) end - $value)
        <= 1e-9 * greatest(1, abs($value))
)

select
    t.nct_id,
    'https://clinicaltrials.gov/study/' || t.nct_id as url,
    s.title,
    c.ordinal,
    t.section,
    c.text,
    t.span,
    t.value,
    t.unit
from facts as t
semi join trials as b on b.nct_id = t.nct_id
join criteria as c on c.criterion_id = t.criterion_id
join studies as s on s.nct_id = t.nct_id
order by t.nct_id, c.ordinal
limit $limit
