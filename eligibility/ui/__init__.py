"""Streamlit glue for dashboard.py and the pages: state, the shared filter widgets, rendering, uploads and the warm-up."""
