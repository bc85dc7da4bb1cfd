-- search_candidates: the studies that hold every word of a criteria search, read from the
-- word index (search_words, search_postings) instead of the whole criteria text.
-- Parameters:
--   $search    the lower-case search string, taken literally
--   $pattern   what a word is: eligibility.build.SEARCH_WORD_PATTERN, the pattern the index was cut with
-- The string is cut into its words with the same pattern as the text. A word of the string must lie
-- inside one word of the text: the first word may be the end of a longer word, unless the string
-- starts with a separator (space, punctuation, symbol); the last may be the start of one, unless the
-- string ends with a separator; a word between two separators is a whole word; the only word of a
-- string with no separator at either end may lie anywhere inside a word.
-- A string that is a single word matches exactly the studies returned. Any other string can match
-- only among them: the runner (eligibility/explore/queries.py) then checks their text for the whole
-- string, separators included. A string with no word at all cannot use the index.
with needle as (
    select
        regexp_extract_all($search, $pattern) as tokens,
        regexp_matches($search, '^' || $pattern) as open_start,
        regexp_matches($search, $pattern || '$') as open_end
),

parts as (
    select
        unnest(tokens) as token,
        generate_subscripts(tokens, 1) as part,
        len(tokens) as n_parts,
        open_start,
        open_end
    from needle
),

part_words as (
    select
        p.part,
        w.word_id
    from parts as p
    join search_words as w
        on case
            when p.part = 1 and p.open_start and p.part = p.n_parts and p.open_end then contains(w.word, p.token)
            when p.part = 1 and p.open_start then ends_with(w.word, p.token)
            when p.part = p.n_parts and p.open_end then starts_with(w.word, p.token)
            else w.word = p.token
        end
)

select s.study_no
from search_postings as s
join part_words as w using (word_id)
group by s.study_no
having count(distinct w.part) = (select len(tokens) from needle)
