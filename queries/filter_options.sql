-- filter_options: the values the phase, status and study-type filters can take,
-- with how many studies have each.
-- Parameters: none.
with phases as (
    select unnest(phases) as phase
    from studies
)

select 'phase' as field, phase as value, count(*) as studies from phases group by phase
union all
select 'status', overall_status, count(*) from studies where overall_status is not null group by overall_status
union all
select 'study_type', study_type, count(*) from studies where study_type is not null group by study_type
order by field, studies desc
