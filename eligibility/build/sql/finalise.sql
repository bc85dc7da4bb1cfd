-- Publish the staged records: one row per study (the most recently updated
-- record wins; ties go to the record read last), its criteria and themes.
create table study_sources as
select
    nct_id,
    source_file,
    source_record,
    source_format,
    last_update,
    row_number() over (
        partition by nct_id order by last_update desc nulls last, record_seq desc
    ) = 1 as kept,
    record_seq
from stage_records;

create table criteria as
select
    c.criterion_id,
    r.nct_id,
    c.ordinal,
    c.section,
    c.parent_ordinal,
    c.depth,
    c.heading,
    c.text
from stage_criteria as c
join study_sources as r on r.record_seq = c.record_seq and r.kept
order by r.nct_id, c.ordinal;

create table criterion_themes as
select
    t.criterion_id,
    c.nct_id,
    c.section,
    t.theme,
    t.cue,
    t.conditional,
    t.qualifier
from stage_themes as t
join criteria as c using (criterion_id)
order by c.nct_id, t.criterion_id, t.theme;

create table studies as
with kept as (
    select r.*
    from stage_records as r
    join study_sources as s on s.record_seq = r.record_seq and s.kept
),
counts as (
    select
        nct_id,
        count(*) filter (where section = 'inclusion') as n_inclusion,
        count(*) filter (where section = 'exclusion') as n_exclusion,
        count(*) filter (where section = 'unspecified') as n_unspecified,
        -- one lower-cased text per study for literal criteria search; the newline
        -- keeps a search from matching across two criteria
        lower(string_agg(text, chr(10) order by ordinal)) as search_text
    from criteria
    group by nct_id
),
exclusion_themes as (
    -- the themes as a list to read, and as bits (bit position - 1 of themes) to count fast;
    -- the whole mask has a theme's bit when at least one of its criteria excludes it wholly
    select
        t.nct_id,
        list(distinct t.theme order by t.theme) as exclusion_themes,
        bit_or(1::bigint << (th.position - 1)) as exclusion_theme_mask,
        coalesce(bit_or(1::bigint << (th.position - 1)) filter (where not t.conditional), 0) as exclusion_theme_whole_mask
    from criterion_themes as t
    join themes as th on th.theme = t.theme
    where t.section = 'exclusion'
    group by t.nct_id
),
record_counts as (
    select nct_id, count(*) as n_source_records
    from study_sources
    group by nct_id
)
select
    k.nct_id,
    k.title,
    k.official_title,
    k.conditions,
    k.keywords,
    k.phases,
    coalesce(array_to_string(k.phases, '/'), '') as phase,
    k.overall_status,
    k.study_type,
    k.last_update,
    k.sex,
    k.healthy_volunteers,
    k.minimum_age_raw,
    k.maximum_age_raw,
    k.minimum_age_years,
    k.maximum_age_years,
    k.std_ages,
    k.std_ages_source,
    k.b_all_basis is not null as is_b_all,
    k.b_all_basis,
    coalesce(c.n_inclusion, 0) as n_inclusion,
    coalesce(c.n_exclusion, 0) as n_exclusion,
    coalesce(c.n_unspecified, 0) as n_unspecified,
    coalesce(e.exclusion_themes, []::varchar[]) as exclusion_themes,
    coalesce(e.exclusion_theme_mask, 0) as exclusion_theme_mask,
    coalesce(e.exclusion_theme_whole_mask, 0) as exclusion_theme_whole_mask,
    k.criteria_text,
    coalesce(c.search_text, '') as search_text,
    k.record_complete,
    k.source_file,
    k.source_record,
    k.source_format,
    n.n_source_records
from kept as k
left join counts as c using (nct_id)
left join exclusion_themes as e using (nct_id)
left join record_counts as n using (nct_id)
order by k.nct_id;

create table conditions as
select nct_id, unnest(conditions) as condition
from studies;

create table keywords as
select nct_id, unnest(keywords) as keyword
from studies;

drop table stage_themes;
drop table stage_criteria;
drop table stage_records;
