-- threshold_trials: the trials behind one bar of threshold_distribution.sql, in
-- NCT ID order: the filtered trials whose strictest $measure $bound in $unit is
-- $value (the lowest maximum, the highest minimum).
-- Parameters: those of matching_studies.sql, $measure, $bound, $unit, $value.
with filtered as (
    -- @include matching_studies.sql
)

select t.nct_id
from criterion_thresholds as t
semi join filtered as f on f.nct_id = t.nct_id
where t.measure = $measure and t.bound = $bound and t.unit = $unit
group by t.nct_id
having abs(case when $bound = 'max' then min(t.value) else max(t.value) end - $value)
    <= 1e-9 * greatest(1, abs($value))
order by t.nct_id
