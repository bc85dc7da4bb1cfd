-- threshold_trials: the trials behind one bar of threshold_distribution.sql, in
-- NCT ID order: the filtered trials whose strictest $measure $bound in $unit is
-- $value (the lowest maximum, the highest minimum; study_thresholds keeps it).
-- Parameters: those of matching_studies.sql, $measure, $bound, $unit, $value.
with filtered as (
    -- @include matching_studies.sql
)

select t.nct_id, t.study_no
from study_thresholds as t
join filtered as f on f.study_no = t.study_no
where
    t.measure = $measure
    and t.bound = $bound
    and t.unit = $unit
    and abs(t.value - $value) <= 1e-9 * greatest(1, abs($value))
order by t.study_no
