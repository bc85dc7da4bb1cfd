-- criteria_matching_filters: every criterion of the filtered trials, one row per
-- criterion, with its section and its themes (comma-separated), at most $limit rows.
-- Parameters: those of matching_studies.sql, and $limit.
with filtered as (
    -- @include matching_studies.sql
),

labels as (
    select criterion_id, string_agg(theme, ', ' order by theme) as themes
    from criterion_themes
    join filtered as f on f.study_no = criterion_themes.study_no
    group by criterion_id
)

select
    c.nct_id,
    c.ordinal,
    c.section,
    c.parent_ordinal,
    c.heading,
    c.text,
    coalesce(l.themes, '') as themes
from criteria as c
join filtered as f on f.study_no = c.study_no
left join labels as l on l.criterion_id = c.criterion_id
order by c.nct_id, c.ordinal
limit $limit
