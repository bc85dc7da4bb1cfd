-- theme_cooccurrence: for each pair of exclusion themes (including a theme with
-- itself), how many filtered trials exclude on both. Counted from the studies'
-- theme bits, grouped first.
-- Parameters: those of matching_studies.sql.
with filtered as (
    -- @include matching_studies.sql
),

masks as (
    select exclusion_theme_mask as mask, count(*) as trials
    from filtered
    where exclusion_theme_mask <> 0
    group by exclusion_theme_mask
)

select
    a.theme as theme_a,
    b.theme as theme_b,
    sum(m.trials)::bigint as trials
from masks as m
cross join themes as a
cross join themes as b
where (m.mask >> (a.position - 1)) & 1 = 1 and (m.mask >> (b.position - 1)) & 1 = 1
group by a.theme, b.theme
order by a.theme, b.theme
