-- threshold_criteria: the criteria behind one bar of threshold_distribution.sql:
-- the filtered trials whose strictest $measure $bound in $unit is $value
-- (threshold_trials.sql), each with every criterion that states that measure,
-- bound and unit, and the span the value was read from (to highlight). The first
-- $limit rows in NCT ID and document order: every trial of the bar has at least
-- one row, so they come from its first $limit trials, and only those trials'
-- facts (which carry their criterion's text) are joined to the titles.
-- Parameters: those of matching_studies.sql, $measure, $bound, $unit, $value, $limit.
with trials as (
    -- @include threshold_trials.sql
),

first_trials as (
    select study_no
    from trials
    order by study_no
    limit $limit
),

facts as (
    select t.*
    from criterion_thresholds as t
    join first_trials as b on b.study_no = t.study_no
    where t.measure = $measure and t.bound = $bound and t.unit = $unit
)

select
    t.nct_id,
    'https://clinicaltrials.gov/study/' || t.nct_id as url,
    s.title,
    t.ordinal,
    t.section,
    t.text,
    t.span,
    t.value,
    t.unit
from facts as t
join studies as s on s.study_no = t.study_no
order by t.nct_id, t.ordinal
limit $limit
