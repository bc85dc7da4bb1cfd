-- threshold_trial: the threshold facts of one study, in document order, each
-- with its criterion (ordinal, section, text) and the span it was read from,
-- for Trial detail beside each criterion's themes.
-- Parameters: $nct_id.
select
    t.criterion_id,
    c.ordinal,
    t.section,
    c.text,
    t.measure,
    t.bound,
    t.value,
    t.unit,
    t.span
from criterion_thresholds as t
join criteria as c on c.criterion_id = t.criterion_id
where t.nct_id = $nct_id
order by c.ordinal, t.measure, t.bound, t.unit, t.value
