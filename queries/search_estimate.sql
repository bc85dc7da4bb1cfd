-- search_estimate: how many rows of search_occurrences a criteria search would read: the
-- occurrences of the words each check allows, summed over the checks (0 when a check allows
-- none: no study can match), null when the string has no word to check.
-- Parameters: $search, $pattern (see search_checks.sql).
with
-- @include search_checks.sql

select if(count(*) = 0, null, if(min(rows_read) = 0, 0, sum(rows_read)))::bigint as rows_read
from (
    select
        c.part,
        coalesce(sum(cw.occurrences), 0) as rows_read
    from checks as c
    left join check_words as cw on c.part = cw.part
    group by c.part
)
