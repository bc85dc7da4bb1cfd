-- threshold_trial: the threshold facts of one study, in document order, each
-- with its criterion (ordinal, section, text) and the span it was read from,
-- for Trial detail beside each criterion's themes. The study is found by its
-- number: the table is stored by measure, and its study_no column is read faster
-- than its NCT IDs.
-- Parameters: $nct_id.
select
    t.criterion_id,
    t.ordinal,
    t.section,
    t.text,
    t.measure,
    t.bound,
    t.value,
    t.unit,
    t.span
from criterion_thresholds as t
where t.study_no = (select s.study_no from studies as s where s.nct_id = $nct_id)
order by t.ordinal, t.measure, t.bound, t.unit, t.value
