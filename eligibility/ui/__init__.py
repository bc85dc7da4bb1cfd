"""Streamlit glue for app.py and the pages: state, the shared filter widgets, rendering and uploads."""
