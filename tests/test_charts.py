"""The dashboard's charts skip Altair's schema check (eligibility/ui/charts.py) but give the spec
Streamlit's own st.altair_chart gives, and the tests check every chart they draw against the schema."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import polars as pl
import pyarrow as pa
import pytest
from streamlit.elements.vega_charts import _convert_altair_to_vega_lite_spec

from eligibility.ui.charts import VALIDATE, VALIDATE_ENV, alt, chart_spec

ROOT = Path(__file__).resolve().parent.parent


def _layered_chart() -> alt.LayerChart:
    data = pl.DataFrame({"theme": ["infection", "cns_neurologic"], "label": ["Infection", "CNS"], "share": [0.4, 0.1]})
    pick = alt.selection_point(name="pick", fields=["theme"], on="click", value=[{"theme": "infection"}])
    bars = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            y=alt.Y("label:N", sort=["Infection", "CNS"]),
            x=alt.X("share:Q", axis=alt.Axis(format="%")),
            opacity=alt.condition(pick, alt.value(1.0), alt.value(0.5)),
        )
        .add_params(pick)
    )
    return (bars + bars.mark_text(dx=4).encode(text="share:Q")).properties(height=alt.Step(22))


def _with_tables(spec: dict) -> dict:
    """The spec with each dataset's name replaced by its rows, so that specs that name the same data
    differently compare equal."""
    rows = {name: pa.ipc.open_stream(data).read_all().to_pylist() for name, data in spec["datasets"].items()}
    text = repr({key: value for key, value in spec.items() if key != "datasets"})
    for number, name in enumerate(sorted(rows, key=lambda n: text.find(n))):
        text = text.replace(name, f"dataset-{number}")
    return {"spec": text, "datasets": sorted(map(repr, rows.values()))}


def test_the_spec_is_the_one_streamlit_makes_of_the_chart() -> None:
    ours = chart_spec(_layered_chart())
    streamlits = _convert_altair_to_vega_lite_spec(_layered_chart())
    assert _with_tables(ours) == _with_tables(streamlits)
    assert "params" in ours and ours["params"][0]["name"] == "pick"  # the click selection is kept


def test_the_tests_check_every_chart_against_the_schema() -> None:
    assert os.environ[VALIDATE_ENV] == "1" and VALIDATE
    with pytest.raises(jsonschema.ValidationError, match="'wide' is not of type 'number'"):
        chart_spec(alt.Chart(pl.DataFrame({"a": [1]})).mark_bar().encode(x="a:Q").properties(width="wide"))


def test_the_dashboard_skips_the_check_and_still_draws_a_valid_chart() -> None:
    # A fresh process without the tests' setting, as `streamlit run app.py` has it.
    env = {key: value for key, value in os.environ.items() if key != VALIDATE_ENV}
    script = (
        "import sys; sys.path[:0] = [sys.argv[1], sys.argv[1] + '/tests']\n"
        "from eligibility.ui.charts import VALIDATE, alt, chart_spec\n"
        "from test_charts import _layered_chart\n"
        "spec = chart_spec(_layered_chart())\n"
        "alt.LayerChart.from_dict({k: v for k, v in spec.items() if k != 'datasets'}, validate=True)\n"
        "print(VALIDATE)\n"
    )
    done = subprocess.run([sys.executable, "-c", script, str(ROOT)], env=env, capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False"]
