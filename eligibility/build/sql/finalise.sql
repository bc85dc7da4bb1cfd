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

-- Each study's number: 1, 2, ... in NCT ID order (the order studies is stored in).
-- The per-study tables carry it beside the NCT ID, and the queries join a filtered
-- set of studies to them on it: a join on a small dense integer is several times
-- cheaper than one on the NCT ID text at registry scale.
create table study_numbers as
select nct_id, (row_number() over (order by nct_id))::integer as study_no
from study_sources
where kept;

create table criteria as
select
    c.criterion_id,
    n.study_no,
    r.nct_id,
    c.ordinal,
    c.section,
    c.parent_ordinal,
    c.depth,
    c.heading,
    c.text
from stage_criteria as c
join study_sources as r on r.record_seq = c.record_seq and r.kept
join study_numbers as n on n.nct_id = r.nct_id
order by r.nct_id, c.ordinal;

create table criterion_themes as
select
    t.criterion_id,
    c.study_no,
    c.nct_id,
    c.section,
    t.theme,
    t.cue,
    t.conditional,
    t.qualifier
from stage_themes as t
join criteria as c using (criterion_id)
order by c.nct_id, t.criterion_id, t.theme;

-- Per study and exclusion theme: how many of the study's exclusion criteria carry the theme,
-- and how many of those exclude it wholly. The count behind a theme's bar
-- (queries/theme_criteria_count.sql) then reads a row per study rather than the
-- criterion_themes rows (10 million at registry scale); sorted by theme, so that a query for one
-- theme reads only that theme's part of the table.
create table study_theme_counts as
select
    theme,
    study_no,
    nct_id,
    count(*) as criteria,
    count(*) filter (where not conditional) as whole_criteria
from criterion_themes
where section = 'exclusion'
group by theme, study_no, nct_id
order by theme, study_no;

-- One row per threshold fact: the eligible bound a criterion puts on a measure
-- (exclusions turned around), in the measure's unit; see shared/thresholds.md.
-- Each fact carries its criterion's ordinal and text, and the table is stored by
-- measure, bound and unit (then study and document order): the criteria behind
-- one bar of the Thresholds page are then read from a few blocks of this table,
-- not fetched one by one from all of `criteria` (at 550,000 studies the criteria
-- behind a bar took 60-180 ms that way, 20-45 ms this way). The texts of the
-- criteria that state a threshold (about one in nine) are stored twice for it.
create table criterion_thresholds as
select
    t.criterion_id,
    c.study_no,
    c.nct_id,
    c.section,
    c.ordinal,
    t.measure,
    t.bound,
    t.value,
    t.unit,
    t.span,
    c.text
from stage_thresholds as t
join criteria as c using (criterion_id)
order by t.measure, t.bound, t.unit, c.study_no, c.ordinal, t.value;

-- Per study, measure, bound and unit: the study's strictest value (the lowest
-- maximum, the highest minimum), the value a study counts at in the Thresholds
-- page's distribution. Stored by measure, bound and unit, so that one bar reads
-- only its part.
create table study_thresholds as
select
    measure,
    bound,
    unit,
    study_no,
    nct_id,
    case when bound = 'max' then min(value) else max(value) end as value
from criterion_thresholds
group by measure, bound, unit, study_no, nct_id
order by measure, bound, unit, study_no;

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

-- What the studies table adds to each kept record, built from small tables first:
-- every aggregate keeps a fixed-size state per study (counts, bit masks), so
-- DuckDB can spill it at any size (no string_agg or list aggregate over the
-- registry; the workers join each record's search text), and the wide table
-- below then needs a single join and a sort, which both spill too.
create table study_facts as
with counts as (
    select
        nct_id,
        count(*) filter (where section = 'inclusion') as n_inclusion,
        count(*) filter (where section = 'exclusion') as n_exclusion,
        count(*) filter (where section = 'unspecified') as n_unspecified
    from criteria
    group by nct_id
),
theme_masks as (
    -- the exclusion themes as bits (bit position - 1 of themes) to count fast; the whole
    -- mask has a theme's bit when at least one of its criteria excludes it wholly
    select
        t.nct_id,
        bit_or(1::bigint << (th.position - 1)) as exclusion_theme_mask,
        coalesce(bit_or(1::bigint << (th.position - 1)) filter (where not t.conditional), 0) as exclusion_theme_whole_mask
    from criterion_themes as t
    join themes as th on th.theme = t.theme
    where t.section = 'exclusion'
    group by t.nct_id
),
measure_masks as (
    -- the measures a study states a threshold for, as bits (position - 1 of threshold_measures)
    select t.nct_id, bit_or(1::bigint << (m.position - 1)) as threshold_measure_mask
    from criterion_thresholds as t
    join threshold_measures as m on m.measure = t.measure
    group by t.nct_id
),
record_counts as (
    select nct_id, count(*) as n_source_records
    from study_sources
    group by nct_id
)
select
    s.record_seq,
    coalesce(c.n_inclusion, 0) as n_inclusion,
    coalesce(c.n_exclusion, 0) as n_exclusion,
    coalesce(c.n_unspecified, 0) as n_unspecified,
    coalesce(m.exclusion_theme_mask, 0) as exclusion_theme_mask,
    coalesce(m.exclusion_theme_whole_mask, 0) as exclusion_theme_whole_mask,
    coalesce(tm.threshold_measure_mask, 0) as threshold_measure_mask,
    a.age_statements_disagree,
    n.n_source_records
from study_sources as s
join record_counts as n using (nct_id)
left join counts as c using (nct_id)
left join theme_masks as m using (nct_id)
left join measure_masks as tm using (nct_id)
left join study_age_statements as a using (nct_id)
where s.kept;

create table studies as
with theme_bits as (
    -- the themes in name order with their bits: a study's list is read back from its mask
    select list({'theme': theme, 'bit': 1::bigint << (position - 1)} order by theme) as bits
    from themes
)
select
    n.study_no,
    r.nct_id,
    (select study_url from constants) || r.nct_id as url,
    r.title,
    r.official_title,
    r.conditions,
    r.keywords,
    r.phases,
    coalesce(array_to_string(r.phases, '/'), '') as phase,
    r.overall_status,
    r.study_type,
    r.last_update,
    -- time and design fields (null for the text export, which has none)
    r.start_date,
    r.start_date_precision,
    year(r.start_date) as start_year,
    r.first_posted,
    r.first_posted_precision,
    r.primary_completion_date,
    r.primary_completion_precision,
    r.lead_sponsor_class,
    r.enrollment,
    r.countries,
    r.primary_purpose,
    r.sex,
    r.healthy_volunteers,
    r.minimum_age_raw,
    r.maximum_age_raw,
    r.minimum_age_years,
    r.maximum_age_years,
    r.std_ages,
    r.std_ages_source,
    r.b_all_basis is not null as is_b_all,
    f.age_statements_disagree,
    r.b_all_basis,
    f.n_inclusion,
    f.n_exclusion,
    f.n_unspecified,
    [b.theme for b in (select bits from theme_bits) if (f.exclusion_theme_mask & b.bit) <> 0] as exclusion_themes,
    f.exclusion_theme_mask,
    f.exclusion_theme_whole_mask,
    f.threshold_measure_mask,
    r.criteria_text,
    coalesce(r.search_text, '') as search_text,
    r.record_complete,
    r.source_file,
    r.source_record,
    r.source_format,
    f.n_source_records
from stage_records as r
join study_facts as f using (record_seq)
join study_numbers as n on n.nct_id = r.nct_id
order by r.nct_id;

drop table study_facts;
drop table study_numbers;
drop table stage_thresholds;
drop table stage_themes;
drop table stage_criteria;
drop table stage_records;

-- The values the list filters can take, counted once here rather than on every
-- first page load (a full scan of studies at registry scale).
create table filter_options as
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
select 'primary_purpose', primary_purpose, count(*) from studies where primary_purpose is not null group by primary_purpose;

-- The criteria search's word index: each study's lower-cased search text cut into words (maximal
-- runs of letters and digits: the pattern is eligibility.build.SEARCH_WORD_PATTERN, and the search
-- cuts its string with the same one) and the separators between them. search_words and
-- search_separators number the distinct ones in sorted order (the words starting with a prefix get
-- consecutive numbers); search_occurrences has a row per word of each study's text, with the
-- separators on either side and the next word, stored by word, so that a search reads only the
-- rows of its words (queries/search_studies.sql) instead of scanning every study's text.
create temporary table study_tokens as
select
    study_no,
    regexp_extract_all(search_text, '[\p{L}\p{N}]+') as words,
    regexp_split_to_array(search_text, '[\p{L}\p{N}]+') as separators
from studies;

create table search_words as
select
    row_number() over (order by word)::integer as word_id,
    word,
    count(*) as occurrences
from (select unnest(words) as word from study_tokens)
group by word;

create table search_separators as
select
    row_number() over (order by separator)::integer as separator_id,
    separator
from (select distinct unnest(separators) as separator from study_tokens);

create table search_occurrences as
with occurrences as (
    select
        study_no,
        unnest(words) as word,
        unnest(range(1, len(words) + 1)) as position,
        unnest(separators[:-2]) as separator_before,
        unnest(separators[2:]) as separator_after,
        unnest(list_append(words[2:], null)) as next_word
    from study_tokens
)

select
    w.word_id,
    coalesce(n.word_id, 0) as next_word_id,
    b.separator_id as before_id,
    a.separator_id as after_id,
    o.study_no,
    o.position::integer as position
from occurrences as o
join search_words as w on o.word = w.word
left join search_words as n on o.next_word = n.word
join search_separators as b on o.separator_before = b.separator
join search_separators as a on o.separator_after = a.separator
order by w.word_id, next_word_id, o.study_no, o.position;

drop table study_tokens;
