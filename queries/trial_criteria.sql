-- trial_criteria: one study's criteria in document order, each with its themes
-- and the cue that gave each theme (parallel lists).
-- Parameters: $nct_id.
select
    c.criterion_id,
    c.ordinal,
    c.section,
    c.parent_ordinal,
    c.depth,
    c.heading,
    c.text,
    coalesce(list(t.theme order by t.theme) filter (where t.theme is not null), []) as themes,
    coalesce(list(t.cue order by t.theme) filter (where t.theme is not null), []) as cues
from criteria as c
left join criterion_themes as t on t.criterion_id = c.criterion_id
where c.nct_id = $nct_id
group by all
order by c.ordinal
