-- matching_studies: the studies matching the shared filters (one row per study).
-- Included by the other queries as a `with` step; also runnable on its own. Being
-- one row per study, it is joined to the per-study tables on study_no (each
-- study's number in NCT ID order) with a plain join, which keeps every row of the
-- other side at most once: DuckDB answers a join on that dense integer key several
-- times faster than a semi join on the NCT ID text.
-- Parameters:
--   $min_age, $max_age   age range in years (null = open on that side; both null = no age filter)
--   $age_mode            'overlaps' (accepts someone aged within the range) | 'covers' (accepts the whole range)
--                        | 'adult_only' (minimum age 18 or over) | 'pediatric_only' (maximum age under 18),
--                        both read the range as 'overlaps'
--   $sex                 'any' | 'female' | 'male' (that sex eligible, all-sex trials included)
--                        | 'female_only' | 'male_only' (single-sex trials)
--   $healthy_volunteers  'any' | 'yes' | 'no'
--   $condition           lower-case text found in conditions, keywords or titles ('' = any)
--   $search              lower-case text found in any criterion ('' = any); the runner
--                        (eligibility/explore/queries.py) puts the studies that contain
--                        it into search_hits first (search_studies.sql), once per string
--   $phases, $statuses, $study_types   lists of registry codes (empty = any)
--   $preset              'none' | 'b-all' (B-ALL studies) | 'pediatric-b-all' (B-ALL, accepts under-18s)
--                        | 'aya-b-all' (B-ALL, age range overlaps $aya_min-$aya_max)
--   $b_all_bases         where a study names B-ALL: 'condition' | 'keyword' | 'title' | 'inclusion criterion'
--                        (empty = anywhere, or not B-ALL at all)
--   $start_year_min, $start_year_max   start-year range (null = open on that side; a trial with no
--                        start date is dropped once either is set)
--   $sponsor_classes, $primary_purposes   lists of registry codes (empty = any)
--   $countries           country names: the trial has at least one site in one of them (empty = any)
--   $age_disagree        'any' | 'yes' (the criteria text states an age the structured record contradicts
--                        or lacks: studies.age_statements_disagree) | 'no' (they agree, or the text states no age)
-- A trial with no minimum or maximum age is open on that side, never dropped.
select s.*
from studies as s
where
    (
        ($min_age is null and $max_age is null)
        or (
            $age_mode in ('overlaps', 'adult_only', 'pediatric_only')
            and coalesce(s.minimum_age_years, 0) <= coalesce($max_age, 'infinity'::double)
            and coalesce(s.maximum_age_years, 'infinity'::double) >= coalesce($min_age, 0)
        )
        or (
            $age_mode = 'covers'
            and coalesce(s.minimum_age_years, 0) <= coalesce($min_age, 0)
            and coalesce(s.maximum_age_years, 'infinity'::double) >= coalesce($max_age, 'infinity'::double)
        )
    )
    and ($age_mode != 'adult_only' or s.minimum_age_years >= 18)
    and ($age_mode != 'pediatric_only' or s.maximum_age_years < 18)
    and (len($b_all_bases::varchar[]) = 0 or list_contains($b_all_bases::varchar[], split_part(s.b_all_basis, ':', 1)))
    and (
        $sex = 'any'
        or ($sex = 'female' and s.sex in ('ALL', 'FEMALE'))
        or ($sex = 'male' and s.sex in ('ALL', 'MALE'))
        or ($sex = 'female_only' and s.sex = 'FEMALE')
        or ($sex = 'male_only' and s.sex = 'MALE')
    )
    and (
        $healthy_volunteers = 'any'
        or ($healthy_volunteers = 'yes' and s.healthy_volunteers)
        or ($healthy_volunteers = 'no' and not s.healthy_volunteers)
    )
    and (
        $condition = ''
        or contains(
            lower(concat_ws(' ', array_to_string(s.conditions, ' '), array_to_string(s.keywords, ' '), s.title, s.official_title)),
            $condition
        )
    )
    and ($search = '' or s.study_no in (select h.study_no from memory.main.search_hits as h where h.search = $search))
    and (len($phases::varchar[]) = 0 or list_has_any(s.phases, $phases::varchar[]))
    and (len($statuses::varchar[]) = 0 or list_contains($statuses::varchar[], s.overall_status))
    and (len($study_types::varchar[]) = 0 or list_contains($study_types::varchar[], s.study_type))
    and (
        $preset = 'none'
        or ($preset = 'b-all' and s.is_b_all)
        or ($preset = 'pediatric-b-all' and s.is_b_all and coalesce(s.minimum_age_years, 0) < 18)
        or (
            $preset = 'aya-b-all'
            and s.is_b_all
            and coalesce(s.minimum_age_years, 0) <= $aya_max
            and coalesce(s.maximum_age_years, 'infinity'::double) >= $aya_min
        )
    )
    and ($start_year_min is null or s.start_year >= $start_year_min)
    and ($start_year_max is null or s.start_year <= $start_year_max)
    and (len($sponsor_classes::varchar[]) = 0 or list_contains($sponsor_classes::varchar[], s.lead_sponsor_class))
    and (len($countries::varchar[]) = 0 or list_has_any(s.countries, $countries::varchar[]))
    and (len($primary_purposes::varchar[]) = 0 or list_contains($primary_purposes::varchar[], s.primary_purpose))
    and (
        $age_disagree = 'any'
        or ($age_disagree = 'yes' and s.age_statements_disagree)
        or ($age_disagree = 'no' and not coalesce(s.age_statements_disagree, false))
    )
