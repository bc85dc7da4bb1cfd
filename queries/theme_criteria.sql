-- theme_criteria: the exclusion criteria of the filtered trials that carry theme
-- $theme, with the cue that matched and whether the criterion excludes the theme
-- wholly or conditionally (and the qualifier that makes it conditional), the
-- first $limit in NCT ID and document order. $exclusion_kind is 'any', 'whole'
-- or 'conditional'.
-- Every trial with such a criterion has at least one row, so the rows come from
-- the first $limit of those trials: they are found in study_theme_counts (a row
-- per study and theme, stored by theme), and only their rows of criterion_themes,
-- criteria and studies are read, not the theme's rows in every trial (millions at
-- registry scale).
-- Parameters: those of matching_studies.sql, $theme, $exclusion_kind, $limit.
with filtered as (
    -- @include matching_studies.sql
),

first_trials as (
    select c.study_no
    from study_theme_counts as c
    join filtered as f on f.study_no = c.study_no
    where
        c.theme = $theme
        and case $exclusion_kind
            when 'any' then c.criteria
            when 'whole' then c.whole_criteria
            when 'conditional' then c.criteria - c.whole_criteria
        end > 0
    order by c.study_no
    limit $limit
),

chosen as (
    select t.criterion_id, t.study_no, t.nct_id, t.cue, t.conditional, t.qualifier
    from criterion_themes as t
    join first_trials as f on f.study_no = t.study_no
    where
        t.section = 'exclusion'
        and t.theme = $theme
        and (
            $exclusion_kind = 'any'
            or ($exclusion_kind = 'whole' and not t.conditional)
            or ($exclusion_kind = 'conditional' and t.conditional)
        )
    order by t.study_no, t.criterion_id
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
join studies as s on s.study_no = c.study_no
order by c.nct_id, cr.ordinal
