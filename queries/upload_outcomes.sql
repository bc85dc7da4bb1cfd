-- upload_outcomes: what became of each file under one upload folder: records read,
-- studies kept from it, records rejected and warnings, and the first rejection reason.
-- A zip counts as one file (its entries are named archive!entry).
-- Parameters: $folder (the upload folder, as ingest recorded the paths).
with files as (
    select split_part(file, '!', 1) as file, sum(records) as records
    from ingest_files
    where starts_with(file, $folder)
    group by all
),

issues as (
    select
        split_part(file, '!', 1) as file,
        count(*) filter (where kind = 'rejected') as rejected,
        count(*) filter (where kind = 'warning') as warnings,
        min(reason) filter (where kind = 'rejected') as reason
    from ingest_issues
    where starts_with(file, $folder)
    group by all
),

kept as (
    select split_part(source_file, '!', 1) as file, count(*) as studies
    from studies
    where starts_with(source_file, $folder)
    group by all
)

select
    coalesce(f.file, i.file) as file,
    coalesce(f.records, 0)::bigint as records,
    coalesce(k.studies, 0)::bigint as studies,
    coalesce(i.rejected, 0)::bigint as rejected,
    coalesce(i.warnings, 0)::bigint as warnings,
    i.reason
from files as f
full join issues as i on i.file = f.file
left join kept as k on k.file = coalesce(f.file, i.file)
order by file
