"""Eligibility Explorer: navigation and the shared sidebar. Run with `streamlit run app.py`."""

from __future__ import annotations

import streamlit as st

from eligibility.dashboard import ensure_database, sidebar_filters

st.set_page_config(page_title="Eligibility Explorer", page_icon=":material/groups:", layout="wide")

ensure_database()

# Each URL path differs from its file's name on purpose: Streamlit briefly runs
# `pages/` as a legacy multipage folder (the first request of a server process),
# and must then fall back to this script rather than run a page without it.
pages = st.navigation(
    [
        st.Page("pages/overview.py", title="Overview", icon=":material/monitoring:", url_path="home", default=True),
        st.Page("pages/trials.py", title="Trials", icon=":material/table_rows:", url_path="trial-list"),
        st.Page("pages/themes.py", title="Exclusion themes", icon=":material/bar_chart:", url_path="exclusion-themes"),
        st.Page("pages/detail.py", title="Trial detail", icon=":material/article:", url_path="trial-detail"),
        st.Page("pages/data.py", title="Data", icon=":material/database:", url_path="loaded-data"),
    ]
)
st.session_state["filters"] = sidebar_filters()
pages.run()
