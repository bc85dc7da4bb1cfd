"""The dashboard's questions on SQLite holding the same tables: the embedded baseline.

Builds a SQLite copy of a DuckDB database (lists become text, with the indexes
a careful SQLite user would add) and answers the same questions with the same
filters, so the benchmark can report DuckDB's speed as a ratio.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from eligibility.explore.queries import connect

TABLES = {
    "studies": (
        "select nct_id, title, array_to_string(conditions, '; ') as conditions, minimum_age_raw, maximum_age_raw, "
        "minimum_age_years, maximum_age_years, sex, healthy_volunteers::int as healthy_volunteers, "
        "array_to_string(std_ages, ',') as std_ages, phase, overall_status, study_type, is_b_all::int as is_b_all, "
        "n_inclusion, n_exclusion, n_unspecified, array_to_string(exclusion_themes, ', ') as exclusion_themes, "
        "search_text, source_format from studies"
    ),
    "criteria": "select criterion_id, nct_id, ordinal, section, parent_ordinal, text from criteria",
    "criterion_themes": "select criterion_id, nct_id, section, theme, cue from criterion_themes",
    "themes": "select position, theme, label from themes",
}
INDEXES = [
    "create index studies_nct on studies (nct_id)",
    "create index criteria_nct on criteria (nct_id, ordinal)",
    "create index themes_theme on criterion_themes (theme, section, nct_id)",
    "create index themes_nct on criterion_themes (nct_id, section, theme)",
    "create index themes_criterion on criterion_themes (criterion_id)",
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
    and (:search = '' or instr(s.search_text, :search) > 0)
    and (:preset = 'none' or (:preset = 'b-all' and s.is_b_all = 1)
         or (:preset = 'pediatric-b-all' and s.is_b_all = 1 and coalesce(s.minimum_age_years, 0) < 18)
         or (:preset = 'aya-b-all' and s.is_b_all = 1 and coalesce(s.minimum_age_years, 0) <= :aya_max
             and coalesce(s.maximum_age_years, 1e308) >= :aya_min))
"""

QUERIES: dict[str, str] = {
    "headline_counts": f"""
        with filtered as ({FILTERED})
        select count(*), sum(n_exclusion > 0), sum(n_inclusion), sum(n_exclusion), sum(is_b_all), sum(healthy_volunteers),
               sum(coalesce(minimum_age_years, 0) < 18)
        from filtered""",
    "trials_first_page": f"""
        with filtered as ({FILTERED})
        select nct_id, title, conditions, minimum_age_raw, maximum_age_raw, minimum_age_years, maximum_age_years, sex,
               healthy_volunteers, phase, overall_status, n_inclusion, n_exclusion, exclusion_themes
        from filtered order by nct_id limit :limit""",
    "theme_distribution": f"""
        with filtered as ({FILTERED}),
        base as (select count(*) as n from filtered where n_exclusion > 0),
        per_theme as (
            select t.theme, count(distinct t.nct_id) as trials, count(distinct t.criterion_id) as criteria
            from criterion_themes as t where t.section = 'exclusion' and t.nct_id in (select nct_id from filtered)
            group by t.theme)
        select th.theme, th.label, coalesce(p.trials, 0), coalesce(p.criteria, 0), b.n
        from themes as th cross join base as b left join per_theme as p on p.theme = th.theme
        order by 3 desc, th.position""",
    "age_eligibility_curve": f"""
        with recursive ages(age) as (select 0 union all select age + 1 from ages where age < 90),
        filtered as ({FILTERED})
        select a.age, count(f.nct_id) from ages as a
        left join filtered as f on coalesce(f.minimum_age_years, 0) <= a.age and coalesce(f.maximum_age_years, 1e308) >= a.age
        group by a.age order by a.age""",
    "trial_detail": """
        select s.*, (select count(*) from criteria where nct_id = :nct_id) from studies as s where s.nct_id = :nct_id""",
    "trial_criteria": """
        select c.ordinal, c.section, c.text, group_concat(t.theme), group_concat(t.cue)
        from criteria as c left join criterion_themes as t on t.criterion_id = c.criterion_id
        where c.nct_id = :nct_id group by c.criterion_id order by c.ordinal""",
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


def run(lite: sqlite3.Connection, name: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    sql = QUERIES[name]
    used = {k: v for k, v in params.items() if f":{k}" in sql}
    return lite.execute(sql, used).fetchall()
