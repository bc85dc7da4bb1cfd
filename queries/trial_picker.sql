-- trial_picker: the first $limit filtered trials in NCT ID order, with their
-- titles, for the Trial detail page's picker (which shows only these two columns;
-- trials_table.sql would read every column of the Trials table for them).
-- Parameters: those of matching_studies.sql, and $limit.
with filtered as (
    -- @include matching_studies.sql
)

select
    nct_id,
    title
from filtered
order by study_no
limit $limit
