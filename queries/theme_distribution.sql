-- theme_distribution: for each exclusion theme, how many of the filtered trials
-- that list exclusion criteria have at least one exclusion criterion in it, and
-- how those trials split into whole and conditional exclusion: `trials_whole`
-- have at least one criterion of the theme that excludes it wholly,
-- `trials_conditional` have only criteria that let part of the group in
-- (trials = trials_whole + trials_conditional).
-- The shares' denominator is the number of filtered trials with at least one
-- exclusion criterion (the same for every row). Counted from each study's theme
-- bits, grouped first, so the cost does not grow with the number of criteria.
-- Parameters: those of matching_studies.sql.
with filtered as (
    -- @include matching_studies.sql
),

masks as (
    select exclusion_theme_mask as mask, exclusion_theme_whole_mask as whole_mask, count(*) as trials
    from filtered
    where n_exclusion > 0
    group by exclusion_theme_mask, exclusion_theme_whole_mask
),

base as (
    select coalesce(sum(trials), 0)::bigint as trials_with_exclusions
    from masks
),

counted as (
    select
        th.theme,
        th.label,
        th.position,
        b.trials_with_exclusions,
        coalesce(sum(m.trials) filter (where (m.mask >> (th.position - 1)) & 1 = 1), 0)::bigint as trials,
        coalesce(sum(m.trials) filter (where (m.whole_mask >> (th.position - 1)) & 1 = 1), 0)::bigint as trials_whole
    from themes as th
    cross join base as b
    left join masks as m on true
    group by th.theme, th.label, th.position, b.trials_with_exclusions
)

select
    theme,
    label,
    trials,
    trials_with_exclusions,
    trials / nullif(trials_with_exclusions, 0) as share,
    trials_whole,
    trials - trials_whole as trials_conditional,
    trials_whole / nullif(trials_with_exclusions, 0) as share_whole,
    (trials - trials_whole) / nullif(trials_with_exclusions, 0) as share_conditional
from counted
order by trials desc, position
