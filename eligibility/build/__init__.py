"""The build side: files -> readers -> normalised records -> criteria items -> themes -> DuckDB.

Nothing here imports the explore or ui side, and nothing here imports Streamlit.
"""

# The layout of the database ingest writes (its tables and columns), kept in `constants.schema_version`.
# Raised whenever a query file needs something an older build lacks; the dashboard rebuilds a database
# of another layout from its inputs, and the CLI refuses to read one. 2: study numbers (`study_no`),
# `study_thresholds`, `threshold_measures` and `studies.threshold_measure_mask`.
SCHEMA_VERSION = 2
