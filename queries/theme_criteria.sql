-- theme_criteria: the exclusion criteria of the filtered trials that carry theme
-- $theme, with the cue that matched and whether the criterion excludes the theme
-- wholly or conditionally (and the qualifier that makes it conditional), the
-- first $limit in NCT ID and document order. $exclusion_kind is 'any', 'whole'
-- or 'conditional'. The rows are chosen on ids alone and only those are joined
-- to their text.
-- Parameters: those of matching_studies.sql, $theme, $exclusion_kind, $limit.
with filtered as (
    -- @include matching_studies.sql
),

chosen as (
    select t.criterion_id, t.nct_id, t.cue, t.conditional, t.qualifier
    from criterion_themes as t
    semi join filtered as f on f.nct_id = t.nct_id
    where
        t.section = 'exclusion'
        and t.theme = $theme
        and (
            $exclusion_kind = 'any'
            or ($exclusion_kind = 'whole' and not t.conditional)
            or ($exclusion_kind = 'conditional' and t.conditional)
        )
    order by t.nct_id, t.criterion_id
    limit $limit
)

select
    c.nct_id,
    s.url,
    s.title,
    cr.ordinal,
    cr.text,
    c.cue,
    case when c.conditional then 'conditional' else 'whole' end as exclusion_kind,
    c.qualifier
from chosen as c
join criteria as cr on cr.criterion_id = c.criterion_id
join studies as s on s.nct_id = c.nct_id
-- the chosen trials' range of NCT IDs, written out so that DuckDB reads only the part of studies
-- (stored in NCT ID order) that holds them, not its 550,000 titles (about 140 ms at that size)
where s.nct_id between (select min(nct_id) from chosen) and (select max(nct_id) from chosen)
order by c.nct_id, cr.ordinal
