-- breakdowns: trial counts of the filtered trials by sex, healthy-volunteer status,
-- standard age group, phase, overall status and study type (one row per value).
-- A trial counts once in each standard age group it lists. The trials are first
-- counted per combination of the six fields (a few thousand at registry scale),
-- so each dimension sums a small table instead of scanning the trials again.
-- Parameters: those of matching_studies.sql.
with filtered as (
    -- @include matching_studies.sql
),

narrow as materialized (
    select sex, healthy_volunteers, std_ages, phase, overall_status, study_type
    from filtered
),

combinations as (
    select sex, healthy_volunteers, phase, overall_status, study_type, count(*) as trials
    from narrow
    group by all
),

age_groups as (
    select unnest(std_ages) as std_age, count(*) as trials
    from narrow
    group by std_age
),

long as (
    select 'Sex' as dimension, coalesce(sex, 'NOT STATED') as value, sum(trials) as trials from combinations group by all
    union all
    select
        'Healthy volunteers',
        case when healthy_volunteers then 'ACCEPTED' when not healthy_volunteers then 'PATIENTS ONLY' else 'NOT STATED' end,
        sum(trials)
    from combinations
    group by all
    union all
    select 'Standard age group', std_age, trials from age_groups
    union all
    select 'Phase', coalesce(nullif(phase, ''), 'NOT STATED'), sum(trials) from combinations group by all
    union all
    select 'Overall status', coalesce(overall_status, 'NOT STATED'), sum(trials) from combinations group by all
    union all
    select 'Study type', coalesce(study_type, 'NOT STATED'), sum(trials) from combinations group by all
)

select dimension, value, trials::bigint as trials
from long
order by dimension, trials desc, value
