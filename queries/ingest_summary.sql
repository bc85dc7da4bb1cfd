-- ingest_summary: the last ingest run (inputs, counts, timing).
-- Parameters: none.
select * from ingest_runs
