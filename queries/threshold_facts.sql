-- threshold_facts: every threshold fact of the filtered trials, one row per fact,
-- with its study, criterion and span, at most $limit rows in NCT ID and document
-- order (then measure, bound, unit and value, so that the order is the same on every run;
-- `export --what thresholds`).
-- Parameters: those of matching_studies.sql, and $limit.
with filtered as (
    -- @include matching_studies.sql
)

select
    t.nct_id,
    t.ordinal,
    t.section,
    t.measure,
    t.bound,
    t.value,
    t.unit,
    t.span,
    t.text
from criterion_thresholds as t
join filtered as f on f.study_no = t.study_no
order by t.nct_id, t.ordinal, t.measure, t.bound, t.unit, t.value
limit $limit
