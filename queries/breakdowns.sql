-- breakdowns: trial counts of the filtered trials by sex, healthy-volunteer status,
-- standard age group, phase, overall status and study type (one row per value).
-- A trial counts once in each standard age group and phase it lists.
-- Parameters: those of filtered_trials.sql.
with filtered as (
    -- @include filtered_trials.sql
),

long as (
    select 'Sex' as dimension, coalesce(sex, 'NOT STATED') as value, nct_id from filtered
    union all
    select
        'Healthy volunteers',
        case when healthy_volunteers then 'ACCEPTED' when not healthy_volunteers then 'PATIENTS ONLY' else 'NOT STATED' end,
        nct_id
    from filtered
    union all
    select 'Standard age group', unnest(std_ages), nct_id from filtered
    union all
    select 'Phase', coalesce(nullif(phase, ''), 'NOT STATED'), nct_id from filtered
    union all
    select 'Overall status', coalesce(overall_status, 'NOT STATED'), nct_id from filtered
    union all
    select 'Study type', coalesce(study_type, 'NOT STATED'), nct_id from filtered
)

select dimension, value, count(distinct nct_id) as trials
from long
group by dimension, value
order by dimension, trials desc, value
