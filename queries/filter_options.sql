-- filter_options: the values the phase, status, study-type, sponsor-class, country
-- and primary-purpose filters can take, with how many studies have each.
-- Parameters: none.
with phases as (
    select unnest(phases) as phase
    from studies
),

countries as (
    select unnest(countries) as country
    from studies
)

select 'phase' as field, phase as value, count(*) as studies from phases group by phase
union all
select 'status', overall_status, count(*) from studies where overall_status is not null group by overall_status
union all
select 'study_type', study_type, count(*) from studies where study_type is not null group by study_type
union all
select 'sponsor_class', lead_sponsor_class, count(*) from studies where lead_sponsor_class is not null group by lead_sponsor_class
union all
select 'country', country, count(*) from countries group by country
union all
select 'primary_purpose', primary_purpose, count(*) from studies where primary_purpose is not null group by primary_purpose
order by field, studies desc, value
