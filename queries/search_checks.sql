-- search_checks: what each word of a criteria search asks of the word index (a list of `with`
-- steps, included by search_studies.sql and search_estimate.sql; not a query on its own).
-- Parameters:
--   $search    the lower-case search string, taken literally
--   $pattern   what a word is: eligibility.build.SEARCH_WORD_PATTERN, the pattern the index was cut with
-- The string is cut as the text was: its words t1 ... tk and the separators around them,
-- L t1 S1 t2 ... Sk-1 tk R (L and R may be empty). Where the string occurs in a study's text, its
-- words lie on consecutive words of the text: t1 is the end of its word when L is empty (else the
-- whole word, or its start when k = 1 and R is empty), tk is the start of its word when R is empty
-- (else the whole word), the words between are whole words, each S is the separator between them
-- exactly, L ends the separator before t1's word and R starts the separator after tk's word.
-- One check per word of the string that needs a row of search_occurrences of its own: each word
-- but the last (its row names the next word and the separator to it), and the last only when it
-- is the only word or R is not empty.
needle as (
    select
        regexp_extract_all($search, $pattern) as tokens,
        regexp_split_to_array($search, $pattern) as separators
),

parts as (
    select
        unnest(tokens) as token,
        unnest(range(1, len(tokens) + 1)) as part,
        len(tokens) as n_parts,
        separators,
        unnest(list_append(tokens[2:], null)) as next_token
    from needle
    where len(tokens) > 0  -- else the last list would still give a row
),

checks as (
    select
        part,
        token,
        part = 1 and separators[1] = '' as open_left,
        part = n_parts and separators[n_parts + 1] = '' as open_right,
        if(part = 1, separators[1], '') as before_ends,
        if(part < n_parts, separators[part + 1], null) as after_is,
        if(part = n_parts, separators[n_parts + 1], '') as after_starts,
        next_token,
        part + 1 = n_parts and separators[n_parts + 1] = '' as next_open_right
    from parts
    where part < n_parts or n_parts = 1 or separators[n_parts + 1] <> ''
),

check_words as (
    select
        c.part,
        w.word_id,
        w.occurrences
    from checks as c
    join search_words as w
        on case
            when c.open_left and c.open_right then contains(w.word, c.token)
            when c.open_left then ends_with(w.word, c.token)
            when c.open_right then starts_with(w.word, c.token)
            else w.word = c.token
        end
),

check_next as (
    select
        c.part,
        w.word_id
    from checks as c
    join search_words as w
        on if(c.next_open_right, starts_with(w.word, c.next_token), w.word = c.next_token)
    where c.next_token is not null
),

check_before as (
    select
        c.part,
        s.separator_id
    from checks as c
    join search_separators as s on ends_with(s.separator, c.before_ends)
    where c.before_ends <> ''
),

check_after as (
    select
        c.part,
        s.separator_id
    from checks as c
    join search_separators as s
        on if(c.after_is is not null, s.separator = c.after_is, starts_with(s.separator, c.after_starts))
    where c.after_is is not null or c.after_starts <> ''
)
