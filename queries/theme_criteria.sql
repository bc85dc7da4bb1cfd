-- theme_criteria: the exclusion criteria of the filtered trials that carry theme
-- $theme, with the cue that matched, the first $limit in NCT ID and document order.
-- The rows are chosen on ids alone and only those are joined to their text.
-- Parameters: those of matching_studies.sql, $theme, $limit.
with filtered as (
    -- @include matching_studies.sql
),

chosen as (
    select t.criterion_id, t.nct_id, t.cue
    from criterion_themes as t
    semi join filtered as f on f.nct_id = t.nct_id
    where t.section = 'exclusion' and t.theme = $theme
    order by t.nct_id, t.criterion_id
    limit $limit
)

select
    c.nct_id,
    s.url,
    s.title,
    cr.ordinal,
    cr.text,
    c.cue
from chosen as c
join criteria as cr on cr.criterion_id = c.criterion_id
join studies as s on s.nct_id = c.nct_id
order by c.nct_id, cr.ordinal
