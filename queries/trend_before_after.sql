-- trend_before_after: for each exclusion theme, how many of the filtered trials
-- with exclusion criteria exclude on it among those that started before $cutoff
-- and among those that started on or after $cutoff + $gap_years years.
-- A start date known only to the month stands for its whole month: a month that
-- straddles the cut-off, like a start inside the gap, is set aside (set_aside).
-- Trials without a start date are not counted. Read from each study's theme bits.
-- after_from is the first start date counted as after.
-- Parameters: those of matching_studies.sql; $cutoff ('YYYY-MM-DD'); $gap_years (0 = no gap).
with filtered as (
    -- @include matching_studies.sql
),

periods as (
    select
        exclusion_theme_mask as mask,
        case
            when (case when start_date_precision = 'month' then last_day(start_date) else start_date end) < $cutoff::date
                then 'before'
            when start_date >= $cutoff::date + to_years($gap_years::integer) then 'after'
            else 'set aside'
        end as period
    from filtered
    where n_exclusion > 0 and start_date is not null
),

masks as (
    select period, mask, count(*) as trials
    from periods
    group by period, mask
),

bases as (
    select
        coalesce(sum(trials) filter (where period = 'before'), 0)::bigint as before_base,
        coalesce(sum(trials) filter (where period = 'after'), 0)::bigint as after_base,
        coalesce(sum(trials) filter (where period = 'set aside'), 0)::bigint as set_aside,
        ($cutoff::date + to_years($gap_years::integer))::date as after_from
    from masks
)

select
    th.theme,
    th.label,
    coalesce(sum(m.trials) filter (where m.period = 'before' and (m.mask >> (th.position - 1)) & 1 = 1), 0)::bigint
        as before_trials,
    b.before_base,
    coalesce(sum(m.trials) filter (where m.period = 'after' and (m.mask >> (th.position - 1)) & 1 = 1), 0)::bigint
        as after_trials,
    b.after_base,
    b.set_aside,
    b.after_from
from themes as th
cross join bases as b
left join masks as m on true
group by th.theme, th.label, th.position, b.before_base, b.after_base, b.set_aside, b.after_from
order by th.position
