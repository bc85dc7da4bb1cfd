"""Eligibility Explorer: navigation and the shared sidebar, the script each session runs.

`streamlit run app.py` serves it (app.py starts importing what the pages need as the
server starts; this script waits for that before importing anything itself).
"""

from __future__ import annotations

from eligibility.ui import warmup

warmup.wait()

import streamlit as st  # noqa: E402

from eligibility.ui.rebuild import ensure_database  # noqa: E402
from eligibility.ui.sidebar import publish_filters, sidebar_filters  # noqa: E402
from eligibility.ui.state import read_only  # noqa: E402

st.set_page_config(page_title="Eligibility Explorer", page_icon=":material/groups:", layout="wide")
if read_only():
    # A shared deployment: an unexpected error shows a short message, not a traceback with server paths.
    st.set_option("client.showErrorDetails", "none")

pages = st.navigation(
    [
        st.Page("pages/overview.py", title="Overview", icon=":material/monitoring:", default=True),
        st.Page("pages/trials.py", title="Trials", icon=":material/table_rows:"),
        st.Page("pages/themes.py", title="Exclusion themes", icon=":material/bar_chart:"),
        st.Page("pages/trends.py", title="Trends", icon=":material/timeline:"),
        st.Page("pages/thresholds.py", title="Thresholds", icon=":material/straighten:"),
        st.Page("pages/detail.py", title="Trial detail", icon=":material/article:"),
        st.Page("pages/data.py", title="Data", icon=":material/database:"),
    ]
)
# After the navigation, so that a first build or a rebuild prompt shows the pages' own names.
ensure_database()
publish_filters(sidebar_filters())
pages.run()
