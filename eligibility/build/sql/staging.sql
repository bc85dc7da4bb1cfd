-- Staging tables filled batch by batch during ingest; finalise.sql turns them
-- into the published tables and drops them.
create table stage_records (
    record_seq bigint,
    nct_id varchar,
    source_file varchar,
    source_record varchar,
    source_format varchar,
    title varchar,
    official_title varchar,
    conditions varchar[],
    keywords varchar[],
    phases varchar[],
    overall_status varchar,
    study_type varchar,
    last_update date,
    criteria_text varchar,
    sex varchar,
    healthy_volunteers boolean,
    minimum_age_raw varchar,
    maximum_age_raw varchar,
    minimum_age_years double,
    maximum_age_years double,
    std_ages varchar[],
    std_ages_source varchar,
    record_complete boolean,
    b_all_basis varchar
);

create table stage_criteria (
    criterion_id bigint,
    record_seq bigint,
    ordinal integer,
    section varchar,
    parent_ordinal integer,
    depth integer,
    heading varchar,
    text varchar
);

create table stage_themes (
    criterion_id bigint,
    theme varchar,
    cue varchar,
    conditional boolean,
    qualifier varchar
);

create table ingest_issues (
    kind varchar,
    file varchar,
    record varchar,
    nct_id varchar,
    reason varchar
);
