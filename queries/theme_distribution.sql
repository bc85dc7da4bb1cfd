-- theme_distribution: for each exclusion theme, how many of the filtered trials
-- that list exclusion criteria have at least one exclusion criterion in it.
-- The share's denominator is the number of filtered trials with at least one
-- exclusion criterion (the same for every row). Counted from each study's theme
-- bits, grouped first, so the cost does not grow with the number of criteria.
-- Parameters: those of matching_studies.sql.
with filtered as (
    -- @include matching_studies.sql
),

masks as (
    select exclusion_theme_mask as mask, count(*) as trials
    from filtered
    where n_exclusion > 0
    group by exclusion_theme_mask
),

base as (
    select coalesce(sum(trials), 0)::bigint as trials_with_exclusions
    from masks
)

select
    th.theme,
    th.label,
    coalesce(sum(m.trials) filter (where (m.mask >> (th.position - 1)) & 1 = 1), 0)::bigint as trials,
    b.trials_with_exclusions,
    coalesce(sum(m.trials) filter (where (m.mask >> (th.position - 1)) & 1 = 1), 0)
    / nullif(b.trials_with_exclusions, 0) as share
from themes as th
cross join base as b
left join masks as m on true
group by th.theme, th.label, th.position, b.trials_with_exclusions
order by trials desc, th.position
