"""The build side: files -> readers -> normalised records -> criteria items -> themes -> DuckDB.

Nothing here imports the explore or ui side, and nothing here imports Streamlit.
"""

# The layout of the database ingest writes (its tables and columns), kept in `constants.schema_version`.
# Raised whenever a query file needs something an older build lacks; the dashboard rebuilds a database
# of another layout from its inputs, and the CLI refuses to read one. 2: study numbers (`study_no`),
# `study_thresholds`, `threshold_measures` and `studies.threshold_measure_mask`. 3: the criteria
# search's word index (`search_words`, `search_separators`, `search_occurrences`). 4: `criterion_thresholds`
# carries its criterion's `ordinal` and `text`, stored by measure, bound and unit.
SCHEMA_VERSION = 4

# A word of the criteria search's index: a maximal run of letters and digits (RE2 syntax, as DuckDB's
# regexp functions take it). Written out again in sql/finalise.sql, which builds the index; a test
# checks the two agree. The search cuts its string with this pattern in DuckDB too, so the text and
# the search are cut by one definition.
SEARCH_WORD_PATTERN = r"[\p{L}\p{N}]+"
