-- theme_distribution: for each exclusion theme, how many of the filtered trials
-- that list exclusion criteria have at least one exclusion criterion in it, and
-- how many such criteria there are. The share's denominator is the number of
-- filtered trials with at least one exclusion criterion (same for every row).
-- Parameters: those of filtered_trials.sql.
with filtered as (
    -- @include filtered_trials.sql
),

base as (
    select count(*) as trials_with_exclusions
    from filtered
    where n_exclusion > 0
),

per_theme as (
    select
        t.theme,
        count(distinct t.nct_id) as trials,
        count(distinct t.criterion_id) as criteria
    from criterion_themes as t
    semi join filtered as f on f.nct_id = t.nct_id
    where t.section = 'exclusion'
    group by t.theme
)

select
    th.theme,
    th.label,
    coalesce(p.trials, 0) as trials,
    coalesce(p.criteria, 0) as criteria,
    b.trials_with_exclusions,
    coalesce(p.trials, 0) / nullif(b.trials_with_exclusions, 0) as share
from themes as th
cross join base as b
left join per_theme as p on p.theme = th.theme
order by trials desc, th.position
