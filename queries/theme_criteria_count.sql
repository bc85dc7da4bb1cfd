-- theme_criteria_count: how many exclusion criteria of the filtered trials carry
-- theme $theme, and in how many trials; $exclusion_kind ('any', 'whole' or
-- 'conditional') keeps only the criteria that exclude the theme that way.
-- Read from study_theme_counts (per study and theme: its criteria with the theme,
-- and how many of them exclude it wholly), which ingest counts from criterion_themes.
-- Parameters: those of matching_studies.sql, $theme, $exclusion_kind.
with filtered as (
    -- @include matching_studies.sql
),

counted as (
    select
        case $exclusion_kind
            when 'any' then c.criteria
            when 'whole' then c.whole_criteria
            when 'conditional' then c.criteria - c.whole_criteria
        end as criteria
    from study_theme_counts as c
    join filtered as f on f.study_no = c.study_no
    where c.theme = $theme
)

select
    coalesce(sum(criteria), 0)::bigint as criteria,
    count(*) filter (where criteria > 0) as trials
from counted
