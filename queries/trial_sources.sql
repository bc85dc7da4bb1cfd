-- trial_sources: every source record seen for one study, the kept one first.
-- Parameters: $nct_id.
select source_file, source_record, source_format, last_update, kept
from study_sources
where nct_id = $nct_id
order by kept desc, last_update desc nulls last, source_file, source_record
