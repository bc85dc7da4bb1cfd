-- theme_cooccurrence: for each pair of exclusion themes (including a theme with
-- itself), how many filtered trials exclude on both.
-- Parameters: those of filtered_trials.sql.
with filtered as (
    -- @include filtered_trials.sql
),

trial_themes as (
    select distinct t.nct_id, t.theme
    from criterion_themes as t
    semi join filtered as f on f.nct_id = t.nct_id
    where t.section = 'exclusion'
)

select
    a.theme as theme_a,
    b.theme as theme_b,
    count(*) as trials
from trial_themes as a
join trial_themes as b on a.nct_id = b.nct_id
group by a.theme, b.theme
order by a.theme, b.theme
