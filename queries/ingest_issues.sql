-- ingest_issues: rejected records and data-quality warnings, at most $limit rows.
-- Parameters: $kind ('rejected' | 'warning' | 'any'), $limit.
select kind, file, record, nct_id, reason
from ingest_issues
where $kind = 'any' or kind = $kind
order by kind, file, record, reason
limit $limit
