-- search_studies: the studies whose criteria text contains the search string literally, read
-- from the word index (search_words, search_separators, search_occurrences) instead of the text.
-- Parameters: $search, $pattern (see search_checks.sql). The string must hold at least one letter
-- or digit; the runner (eligibility/explore/queries.py) scans the text for one that does not, and
-- for one whose words are so common that reading their occurrences costs more than the scan
-- (search_estimate.sql).
-- Each check finds the rows of its word that fit it, and the position where the string would
-- start there; a study matches where every check agrees on one start.
with
-- @include search_checks.sql
,

found as (
    select
        o.study_no,
        o.position - cw.part as start,
        cw.part
    from search_occurrences as o
    join check_words as cw on o.word_id = cw.word_id
    join checks as c on cw.part = c.part
    where
        (c.next_token is null or exists (
            select 1 from check_next as n where n.part = cw.part and n.word_id = o.next_word_id
        ))
        and (c.before_ends = '' or exists (
            select 1 from check_before as b where b.part = cw.part and b.separator_id = o.before_id
        ))
        and ((c.after_is is null and c.after_starts = '') or exists (
            select 1 from check_after as a where a.part = cw.part and a.separator_id = o.after_id
        ))
)

-- One check (a single word, with or without separators around it): every row found is a match.
select study_no
from found
where (select count(*) from checks) = 1

union

select study_no
from found
where (select count(*) from checks) > 1
group by study_no, start
having count(distinct part) = (select count(*) from checks)
