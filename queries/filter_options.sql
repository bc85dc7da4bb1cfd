-- filter_options: the values the phase, status, study-type, sponsor-class, country
-- and primary-purpose filters can take, with how many studies have each (counted
-- at ingest, in finalise.sql).
-- Parameters: none.
select field, value, studies
from filter_options
order by field, studies desc, value
