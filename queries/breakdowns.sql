-- breakdowns: trial counts of the filtered trials by sex, healthy-volunteer status,
-- standard age group, phase, overall status and study type (one row per value).
-- A trial counts once in each standard age group it lists.
-- Parameters: those of matching_studies.sql.
with filtered as (
    -- @include matching_studies.sql
),

narrow as materialized (
    select sex, healthy_volunteers, std_ages, phase, overall_status, study_type
    from filtered
),

long as (
    select 'Sex' as dimension, coalesce(sex, 'NOT STATED') as value, count(*) as trials from narrow group by all
    union all
    select
        'Healthy volunteers',
        case when healthy_volunteers then 'ACCEPTED' when not healthy_volunteers then 'PATIENTS ONLY' else 'NOT STATED' end,
        count(*)
    from narrow
    group by all
    union all
    select 'Standard age group', g.std_age, count(*) from narrow, unnest(narrow.std_ages) as g(std_age) group by all
    union all
    select 'Phase', coalesce(nullif(phase, ''), 'NOT STATED'), count(*) from narrow group by all
    union all
    select 'Overall status', coalesce(overall_status, 'NOT STATED'), count(*) from narrow group by all
    union all
    select 'Study type', coalesce(study_type, 'NOT STATED'), count(*) from narrow group by all
)

select dimension, value, trials
from long
order by dimension, trials desc, value
