-- database_counts: what the database holds, whatever the filters.
-- Parameters: none.
select
    (select count(*) from studies) as studies,
    (select count(*) from criteria) as criteria,
    (select count(*) from studies where is_b_all) as b_all_studies,
    (select count(*) from ingest_issues where kind = 'rejected') as rejected,
    (select count(*) from ingest_issues where kind = 'warning') as warnings,
    (select count(*) from studies where age_statements_disagree) as age_disagree_studies
