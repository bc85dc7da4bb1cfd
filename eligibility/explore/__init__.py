"""The read side: filters, the query runner over ``queries/*.sql``, and CSV export.

It reads the database the build side wrote; it never imports Streamlit.
"""
