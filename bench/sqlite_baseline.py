"""The dashboard's questions on SQLite holding the same tables: the embedded baseline.

Builds a SQLite copy of a DuckDB database and answers the same questions with the
same algorithms, so the benchmark's ratios compare engines, not methods:

- a per-study theme bit mask (``exclusion_theme_mask``), grouped before it is
  counted, for the theme distribution and co-occurrence;
- the grouped-bounds age curve (trials grouped by whole-year bounds first);
- the same integer study key (``study_no``) for joins, and the per-study theme counts
  (``study_theme_counts``) for the count behind a theme and to find the first trials of
  its list of criteria;
- indexes on every filter column, on NCT IDs, study numbers and the theme tables;
- the long texts (criteria text, search text) in a table of their own, so a scan
  of ``studies`` (a row store) does not read them;
- a criteria search scanned once per page: the matching studies go into a
  temporary table that every query of the page joins to, as DuckDB's runner does.

Lists become text (JSON for standard age groups, so ``json_each`` can unnest them).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from eligibility.explore.queries import connect

TABLES = {
    "studies": (
        "select study_no, nct_id, url, title, array_to_string(conditions, '; ') as conditions, minimum_age_raw, maximum_age_raw, "
        "minimum_age_years, maximum_age_years, sex, healthy_volunteers::int as healthy_volunteers, "
        "to_json(std_ages)::varchar as std_ages, phase, overall_status, study_type, is_b_all::int as is_b_all, "
        "n_inclusion, n_exclusion, n_unspecified, array_to_string(exclusion_themes, ', ') as exclusion_themes, "
        "exclusion_theme_mask, source_format, official_title, last_update::varchar as last_update, "
        "std_ages_source, b_all_basis, record_complete::int as record_complete, source_file, source_record, n_source_records "
        "from studies"
    ),
    "study_text": "select study_no, nct_id, criteria_text, search_text from studies",
    "criteria": "select criterion_id, nct_id, ordinal, section, parent_ordinal, depth, heading, text from criteria",
    "criterion_themes": "select criterion_id, study_no, nct_id, section, theme, cue from criterion_themes",
    "study_theme_counts": "select theme, study_no, nct_id, criteria, whole_criteria from study_theme_counts",
    "study_sources": "select nct_id, source_file, source_record, source_format, last_update::varchar as last_update, kept::int "
    "as kept from study_sources",
    "themes": "select position, theme, label from themes",
}
# The studies' filter columns, indexed alike on SQLite and PostgreSQL (pg_baseline.py).
FILTER_INDEXES = [
    "create unique index studies_nct on studies (nct_id)",
    "create index studies_age on studies (minimum_age_years, maximum_age_years)",
    "create index studies_sex on studies (sex)",
    "create index studies_healthy on studies (healthy_volunteers)",
    "create index studies_b_all on studies (is_b_all, minimum_age_years)",
    "create index studies_status on studies (overall_status)",
    "create index studies_type on studies (study_type)",
]
INDEXES = [
    *FILTER_INDEXES,
    "create unique index study_text_nct on study_text (nct_id)",
    "create unique index studies_no on studies (study_no)",
    "create index themes_study on criterion_themes (study_no, criterion_id)",
    "create index theme_counts on study_theme_counts (theme, study_no)",
    "create index criteria_nct on criteria (nct_id, ordinal)",
    "create index criteria_id on criteria (criterion_id)",
    "create index themes_theme on criterion_themes (theme, section, nct_id, criterion_id)",
    "create index themes_criterion on criterion_themes (criterion_id)",
    "create index sources_nct on study_sources (nct_id)",
]

FILTERED = """
select * from studies as s
where
    ((:min_age is null and :max_age is null)
     or (:age_mode = 'overlaps' and coalesce(s.minimum_age_years, 0) <= coalesce(:max_age, 1e308)
         and coalesce(s.maximum_age_years, 1e308) >= coalesce(:min_age, 0))
     or (:age_mode = 'covers' and coalesce(s.minimum_age_years, 0) <= coalesce(:min_age, 0)
         and coalesce(s.maximum_age_years, 1e308) >= coalesce(:max_age, 1e308)))
    and (:sex = 'any' or (:sex = 'female' and s.sex in ('ALL', 'FEMALE')) or (:sex = 'male' and s.sex in ('ALL', 'MALE'))
         or (:sex = 'female_only' and s.sex = 'FEMALE') or (:sex = 'male_only' and s.sex = 'MALE'))
    and (:healthy_volunteers = 'any' or (:healthy_volunteers = 'yes' and s.healthy_volunteers = 1)
         or (:healthy_volunteers = 'no' and s.healthy_volunteers = 0))
    and (:search = '' or s.study_no in (select study_no from temp.search_hits))
    and (:preset = 'none' or (:preset = 'b-all' and s.is_b_all = 1)
         or (:preset = 'pediatric-b-all' and s.is_b_all = 1 and coalesce(s.minimum_age_years, 0) < 18)
         or (:preset = 'aya-b-all' and s.is_b_all = 1 and coalesce(s.minimum_age_years, 0) <= :aya_max
             and coalesce(s.maximum_age_years, 1e308) >= :aya_min))
"""

TRIALS_COLUMNS = """nct_id, url, title, conditions, minimum_age_raw, maximum_age_raw, minimum_age_years, maximum_age_years, sex,
    healthy_volunteers, std_ages, phase, overall_status, study_type, is_b_all, n_inclusion, n_exclusion, n_unspecified,
    exclusion_themes, source_format"""

QUERIES: dict[str, str] = {
    "filter_options": """
        select 'status', overall_status, count(*) from studies where overall_status is not null group by 2
        union all select 'study_type', study_type, count(*) from studies where study_type is not null group by 2
        union all select 'phase', phase, count(*) from studies group by 2""",
    "headline_counts": f"""
        with filtered as ({FILTERED})
        select count(*), sum(n_exclusion > 0), coalesce(sum(n_exclusion), 0),
               coalesce(sum(n_inclusion + n_exclusion + n_unspecified), 0), sum(is_b_all),
               sum(coalesce(minimum_age_years, 0) < 18)
        from filtered""",
    "trials_table": f"""
        with filtered as ({FILTERED})
        select {TRIALS_COLUMNS} from filtered order by nct_id limit :limit""",
    "trial_picker": f"""
        with filtered as ({FILTERED})
        select nct_id, title from filtered order by nct_id limit :limit""",
    "theme_distribution": f"""
        with filtered as ({FILTERED}),
        masks as (select exclusion_theme_mask as mask, count(*) as trials from filtered where n_exclusion > 0 group by 1),
        base as (select coalesce(sum(trials), 0) as n from masks)
        select th.theme, th.label, coalesce(sum(case when (m.mask >> (th.position - 1)) & 1 = 1 then m.trials end), 0) as trials,
               b.n
        from themes as th cross join base as b left join masks as m on 1
        group by th.theme, th.label, th.position, b.n
        order by trials desc, th.position""",
    "theme_cooccurrence": f"""
        with filtered as ({FILTERED}),
        masks as (select exclusion_theme_mask as mask, count(*) as trials from filtered where exclusion_theme_mask <> 0 group by 1)
        select a.theme, b.theme, sum(m.trials)
        from masks as m cross join themes as a cross join themes as b
        where (m.mask >> (a.position - 1)) & 1 = 1 and (m.mask >> (b.position - 1)) & 1 = 1
        group by a.theme, b.theme order by a.theme, b.theme""",
    "theme_criteria_count": f"""
        with filtered as ({FILTERED})
        select coalesce(sum(c.criteria), 0), count(*) from study_theme_counts as c
        where c.theme = :theme and c.study_no in (select study_no from filtered)""",
    "theme_criteria": f"""
        with filtered as ({FILTERED}),
        first_trials as (
            select c.study_no from study_theme_counts as c
            where c.theme = :theme and c.study_no in (select study_no from filtered)
            order by c.study_no limit :limit),
        chosen as (
            select t.criterion_id, t.nct_id, t.cue from criterion_themes as t
            where t.study_no in (select study_no from first_trials) and t.section = 'exclusion' and t.theme = :theme
            order by t.study_no, t.criterion_id limit :limit)
        select c.nct_id, s.url, s.title, cr.ordinal, cr.text, c.cue
        from chosen as c join criteria as cr on cr.criterion_id = c.criterion_id join studies as s on s.nct_id = c.nct_id
        order by c.nct_id, cr.ordinal""",
    "age_eligibility_curve": f"""
        with recursive ages(age) as (select 0 union all select age + 1 from ages where age < 90),
        filtered as ({FILTERED}),
        bounds as (
            select
                case when coalesce(minimum_age_years, 0) = cast(coalesce(minimum_age_years, 0) as integer)
                     then coalesce(minimum_age_years, 0) else cast(minimum_age_years as integer) + 1 end as low,
                cast(coalesce(maximum_age_years, 1000) as integer) as high,
                count(*) as trials
            from filtered group by 1, 2)
        select a.age, coalesce(sum(case when b.low <= a.age and b.high >= a.age then b.trials end), 0)
        from ages as a cross join bounds as b group by a.age order by a.age""",
    "breakdowns": f"""
        with filtered as ({FILTERED}),
        narrow as materialized (select sex, healthy_volunteers, std_ages, phase, overall_status, study_type from filtered)
        select 'Sex', coalesce(sex, 'NOT STATED'), count(*) from narrow group by 2
        union all select 'Healthy volunteers', coalesce(healthy_volunteers, -1), count(*) from narrow group by 2
        union all select 'Standard age group', j.value, count(*) from narrow, json_each(narrow.std_ages) as j group by 2
        union all select 'Phase', coalesce(nullif(phase, ''), 'NOT STATED'), count(*) from narrow group by 2
        union all select 'Overall status', coalesce(overall_status, 'NOT STATED'), count(*) from narrow group by 2
        union all select 'Study type', coalesce(study_type, 'NOT STATED'), count(*) from narrow group by 2""",
    "trial_detail": "select * from studies join study_text using (nct_id) where nct_id = :nct_id",
    "trial_criteria": """
        select c.criterion_id, c.ordinal, c.section, c.parent_ordinal, c.depth, c.heading, c.text,
               group_concat(t.theme), group_concat(t.cue)
        from criteria as c left join criterion_themes as t on t.criterion_id = c.criterion_id
        where c.nct_id = :nct_id group by c.criterion_id order by c.ordinal""",
    "trial_sources": """
        select source_file, source_record, source_format, last_update, kept from study_sources
        where nct_id = :nct_id order by kept desc, last_update desc""",
}


def build(duck_path: Path, sqlite_path: Path, *, batch: int = 200_000) -> None:
    building = sqlite_path.with_suffix(".sqlite-building")
    building.unlink(missing_ok=True)
    lite = sqlite3.connect(building)
    duck = connect(duck_path)
    try:
        lite.execute("pragma journal_mode = off")
        lite.execute("pragma synchronous = off")
        for table, select in TABLES.items():
            cursor = duck.execute(select)
            names = [d[0] for d in cursor.description]
            lite.execute(f"create table {table} ({', '.join(names)})")
            insert = f"insert into {table} values ({', '.join('?' for _ in names)})"
            while rows := cursor.fetchmany(batch):
                lite.executemany(insert, rows)
        for statement in INDEXES:
            lite.execute(statement)
        lite.execute("analyze")
        lite.commit()
    finally:
        duck.close()
        lite.close()
    building.replace(sqlite_path)


def start_page(lite: sqlite3.Connection, search: str) -> None:
    """What a page does first: scan the criteria once for its search (if any) into temp.search_hits."""
    lite.execute("drop table if exists temp.search_hits")
    lite.execute("create temp table search_hits (study_no integer primary key)")
    if search:
        lite.execute(
            "insert into temp.search_hits select study_no from study_text where instr(search_text, :s) > 0", {"s": search}
        )


def run(lite: sqlite3.Connection, name: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    sql = QUERIES[name]
    used = {k: v for k, v in params.items() if f":{k}" in sql}
    return lite.execute(sql, used).fetchall()
