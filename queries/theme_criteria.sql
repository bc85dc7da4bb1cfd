-- theme_criteria: the exclusion criteria of the filtered trials that carry theme
-- $theme, with the cue that matched, at most $limit rows.
-- Parameters: those of filtered_trials.sql, $theme, $limit.
with filtered as (
    -- @include filtered_trials.sql
)

select
    t.nct_id,
    'https://clinicaltrials.gov/study/' || t.nct_id as url,
    f.title,
    c.ordinal,
    c.text,
    t.cue
from criterion_themes as t
join filtered as f on f.nct_id = t.nct_id
join criteria as c on c.criterion_id = t.criterion_id
where t.section = 'exclusion' and t.theme = $theme
order by t.nct_id, c.ordinal
limit $limit
