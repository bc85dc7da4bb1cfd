"""Altair charts onto the page without validating them against the Vega-Lite schema on every rerun.

Altair checks every chart twice against the Vega-Lite JSON schema: each part when it is built,
and the whole when it is turned into a spec. On a rerun of the Exclusion themes page that was
about half of the page's CPU time (0.2 s of 0.37 s on the demo data). The charts here are the
product's own code, not user input, so the check is done where it can catch a mistake: the test
suite sets ``ELIGIBILITY_VALIDATE_CHARTS=1`` (tests/conftest.py, inherited by the servers the
browser tests start), and every distinct spec the tests draw is checked whole against the schema
(once per process: a page that reruns on the same data draws the same spec).

Import ``alt`` from here rather than ``altair`` itself, so the setting is made before a chart is
built; import this module only where a chart is drawn (altair takes about 0.4 s to import).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import threading
from typing import Any

import altair as alt
import polars as pl
import pyarrow as pa
import streamlit as st

VALIDATE_ENV = "ELIGIBILITY_VALIDATE_CHARTS"
VALIDATE = os.environ.get(VALIDATE_ENV, "").strip().lower() in {"1", "true", "yes", "on"}
# No schema check as each part of a chart is built; with VALIDATE, the whole spec is checked instead.
alt.utils.schemapi.disable_debug_mode()
_CHECKED: set[str] = set()  # the specs (without their data) already checked against the schema

__all__ = ["alt", "chart_spec", "show_chart"]

# Altair's theme and data transformer are process-wide: one session at a time turns a chart into a spec.
_LOCK = threading.Lock()
_TRANSFORMER = "eligibility_arrow"


def _arrow_dataset(data: pl.DataFrame, datasets: dict[str, bytes]) -> dict[str, str]:
    """A chart's data (every page charts polars frames) as Arrow IPC bytes under a name that hashes
    them (as Streamlit's own conversion does), so that the browser gets it as Arrow, not JSON rows."""
    table = data.to_arrow()
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    payload = sink.getvalue().to_pybytes()
    name = "data-" + hashlib.sha256(payload).hexdigest()[:32]
    datasets[name] = payload
    return {"name": name}


alt.data_transformers.register(_TRANSFORMER, _arrow_dataset)


def chart_spec(chart: alt.TopLevelMixin) -> dict[str, Any]:
    """The Vega-Lite spec Streamlit makes of an Altair chart, checked against the schema only when
    ``VALIDATE`` is set: Altair's "none" theme (Streamlit sizes the chart), the data as named
    Arrow datasets."""
    datasets: dict[str, bytes] = {}
    with _LOCK:
        theme = alt.theme.enable("none") if alt.theme.active == "default" else contextlib.nullcontext()
        with theme, alt.data_transformers.enable(_TRANSFORMER, datasets=datasets):
            spec = chart.to_dict(validate=False)
    if VALIDATE and (key := json.dumps(spec, sort_keys=True, default=str)) not in _CHECKED:
        alt.Root.validate(spec)  # raises jsonschema.ValidationError, naming the part that is wrong
        _CHECKED.add(key)
    spec["datasets"] = {**spec.get("datasets", {}), **datasets}
    return spec


def show_chart(chart: alt.TopLevelMixin, **kwargs: Any) -> Any:
    """``st.altair_chart(chart, **kwargs)`` through ``chart_spec``. Returns what ``st.vega_lite_chart``
    returns (the selection state when ``on_select`` is given)."""
    return st.vega_lite_chart(spec=chart_spec(chart), **kwargs)
