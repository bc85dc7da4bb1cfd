-- Publish the staged records: one row per study (the most recently updated
-- record wins; ties go to the record read last), its criteria, themes and
-- threshold facts.
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
    t.cue
from stage_themes as t
join criteria as c using (criterion_id)
order by c.nct_id, t.criterion_id, t.theme;

-- One row per threshold fact: the eligible bound a criterion puts on a measure
-- (exclusions turned around), in the measure's unit; see shared/thresholds.md.
create table criterion_thresholds as
select
    t.criterion_id,
    c.nct_id,
    c.section,
    t.measure,
    t.bound,
    t.value,
    t.unit,
    t.span
from stage_thresholds as t
join criteria as c using (criterion_id)
order by c.nct_id, c.ordinal, t.measure, t.bound;

-- The ages the criteria text states against the structured minimum and maximum
-- age, per study. The text's widest stated range is compared; a side disagrees
-- when the text states an age there and the record has none or differs by more
-- than one year.
create table study_age_statements as
with kept as (
    select r.nct_id, r.minimum_age_years, r.maximum_age_years
    from stage_records as r
    join study_sources as s on s.record_seq = r.record_seq and s.kept
),
stated as (
    select
        nct_id,
        min(value) filter (where bound = 'min') as text_minimum_age_years,
        max(value) filter (where bound = 'max') as text_maximum_age_years,
        count(*) as n_age_facts
    from criterion_thresholds
    where measure = 'age'
    group by nct_id
),
compared as (
    select
        k.nct_id,
        k.minimum_age_years,
        k.maximum_age_years,
        s.text_minimum_age_years,
        s.text_maximum_age_years,
        coalesce(s.n_age_facts, 0) as n_age_facts,
        coalesce(
            s.text_minimum_age_years is not null
            and (k.minimum_age_years is null or abs(s.text_minimum_age_years - k.minimum_age_years) > 1),
            false
        ) as minimum_disagrees,
        coalesce(
            s.text_maximum_age_years is not null
            and (k.maximum_age_years is null or abs(s.text_maximum_age_years - k.maximum_age_years) > 1),
            false
        ) as maximum_disagrees
    from kept as k
    left join stated as s using (nct_id)
)
select *, minimum_disagrees or maximum_disagrees as age_statements_disagree
from compared
order by nct_id;

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
    -- the themes as a list to read, and as bits (bit position - 1 of themes) to count fast
    select
        t.nct_id,
        list(distinct t.theme order by t.theme) as exclusion_themes,
        bit_or(1::bigint << (th.position - 1)) as exclusion_theme_mask
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
    (select study_url from constants) || k.nct_id as url,
    k.title,
    k.official_title,
    k.conditions,
    k.keywords,
    k.phases,
    coalesce(array_to_string(k.phases, '/'), '') as phase,
    k.overall_status,
    k.study_type,
    k.last_update,
    -- time and design fields (null for the text export, which has none)
    k.start_date,
    k.start_date_precision,
    year(k.start_date) as start_year,
    k.first_posted,
    k.first_posted_precision,
    k.primary_completion_date,
    k.primary_completion_precision,
    k.lead_sponsor_class,
    k.enrollment,
    k.countries,
    k.primary_purpose,
    k.sex,
    k.healthy_volunteers,
    k.minimum_age_raw,
    k.maximum_age_raw,
    k.minimum_age_years,
    k.maximum_age_years,
    k.std_ages,
    k.std_ages_source,
    k.b_all_basis is not null as is_b_all,
    a.age_statements_disagree,
    k.b_all_basis,
    coalesce(c.n_inclusion, 0) as n_inclusion,
    coalesce(c.n_exclusion, 0) as n_exclusion,
    coalesce(c.n_unspecified, 0) as n_unspecified,
    coalesce(e.exclusion_themes, []::varchar[]) as exclusion_themes,
    coalesce(e.exclusion_theme_mask, 0) as exclusion_theme_mask,
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
left join study_age_statements as a using (nct_id)
order by k.nct_id;

drop table stage_thresholds;
drop table stage_themes;
drop table stage_criteria;
drop table stage_records;
