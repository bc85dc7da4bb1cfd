"""The build side: files -> readers -> normalised records -> criteria items -> themes -> DuckDB.

Nothing here imports the explore or ui side, and nothing here imports Streamlit.
"""
