-- ingest_files: records read per file (zip entries named archive!entry) and format,
-- summarised per top-level file or archive.
-- Parameters: none.
select
    split_part(file, '!', 1) as file,
    format,
    count(*) as files_or_entries,
    sum(records) as records
from ingest_files
group by all
order by file, format
