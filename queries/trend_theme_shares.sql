-- trend_theme_shares: for each start year and exclusion theme, how many of the
-- filtered trials that started that year and list exclusion criteria exclude on
-- the theme, and the share. A year is thin when fewer than $thin_below trials
-- with exclusion criteria started in it. Counted from each study's theme bits,
-- grouped first, so the criteria table is never read.
-- Parameters: those of matching_studies.sql; $thin_below.
with filtered as (
    -- @include matching_studies.sql
),

masks as (
    select start_year, exclusion_theme_mask as mask, count(*) as trials
    from filtered
    where n_exclusion > 0 and start_year is not null
    group by start_year, exclusion_theme_mask
),

years as (
    select start_year, sum(trials)::bigint as trials_with_exclusions
    from masks
    group by start_year
),

theme_years as (
    select
        y.start_year,
        th.position,
        th.theme,
        th.label,
        y.trials_with_exclusions,
        coalesce(sum(m.trials) filter (where (m.mask >> (th.position - 1)) & 1 = 1), 0)::bigint as trials
    from years as y
    cross join themes as th
    join masks as m on m.start_year = y.start_year
    group by y.start_year, th.position, th.theme, th.label, y.trials_with_exclusions
)

select
    start_year,
    theme,
    label,
    trials,
    trials_with_exclusions,
    trials / trials_with_exclusions as share,
    trials_with_exclusions < $thin_below as thin
from theme_years
order by start_year, position
