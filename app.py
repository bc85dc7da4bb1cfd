"""Eligibility Explorer. Run with `streamlit run app.py`.

Each visitor's session runs `dashboard.py` (navigation and the shared sidebar, then
the page). This file is the server's side: Streamlit's ASGI app for that script,
whose start-up begins importing what the pages need (`eligibility.ui.warmup`), so
that the first visit does not wait for polars, DuckDB, pyarrow and Altair to load.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import streamlit as st

from eligibility.ui import warmup


@contextlib.asynccontextmanager
async def _lifespan(_app: st.App) -> AsyncIterator[None]:
    warmup.start()
    yield


app = st.App("dashboard.py", lifespan=_lifespan)
