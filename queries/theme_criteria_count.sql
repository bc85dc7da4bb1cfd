-- theme_criteria_count: how many exclusion criteria of the filtered trials carry
-- theme $theme, and in how many trials; $exclusion_kind ('any', 'whole' or
-- 'conditional') keeps only the criteria that exclude the theme that way.
-- Parameters: those of matching_studies.sql, $theme, $exclusion_kind.
with filtered as (
    -- @include matching_studies.sql
)

select
    count(*) as criteria,
    count(distinct t.nct_id) as trials
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
