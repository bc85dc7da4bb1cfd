-- threshold_trial_ages: one study's stated ages, text against record: the
-- structured minimum and maximum age, the widest range its criteria text states,
-- and whether they disagree (by more than one year, or the text states an age
-- the record lacks). No row for an unknown NCT ID.
-- Parameters: $nct_id.
select
    nct_id,
    minimum_age_years,
    maximum_age_years,
    text_minimum_age_years,
    text_maximum_age_years,
    n_age_facts,
    minimum_disagrees,
    maximum_disagrees,
    age_statements_disagree
from study_age_statements
where nct_id = $nct_id
