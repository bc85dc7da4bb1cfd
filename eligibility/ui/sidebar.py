"""The filter widgets, written once: the shared sidebar and each side of the cohort comparison.

Every widget is bound to a URL parameter (its key, prefixed for a cohort), so a
view can be shared and restored. app.py draws the sidebar before the page runs
and hands the page its filters.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from eligibility.build.b_all import DEFINITION as B_ALL_DEFINITION
from eligibility.build.normalise import PRIMARY_PURPOSES, SPONSOR_CLASSES
from eligibility.explore.filters import (
    AGE_DISAGREE_LABELS,
    AGE_MODES,
    HEALTHY_LABELS,
    MAX_TEXT,
    PRESET_LABELS,
    SEX_LABELS,
    START_YEARS,
    Filters,
)
from eligibility.ui.render import md
from eligibility.ui.state import options

AGE_SLIDER_MAX = 100
AGE_MODE_HELP = (
    "overlaps: the trial accepts someone aged within the range; covers: the trial accepts the whole range. "
    "Trials without a minimum or maximum are open on that side."
)

AGE_DISAGREE_HELP = (
    "Disagreeing: the ages the criteria text states differ by more than one year from the structured minimum or "
    "maximum age, or the text states an age the record lacks (e.g. text 1-21, record 18+). "
    "Registry searches use the structured age."
)


def _age_bounds(slider: tuple[int, int]) -> tuple[float | None, float | None]:
    """The slider's full range means no age filter; its top value means no upper limit."""
    if tuple(slider) == (0, AGE_SLIDER_MAX):
        return None, None
    return float(slider[0]), (float(slider[1]) if slider[1] < AGE_SLIDER_MAX else None)


def filter_widgets(
    where: Any, *, prefix: str = "", full: bool = True, preset: str = "none", age: tuple[int, int] = (0, AGE_SLIDER_MAX)
) -> Filters:
    """Draw the filter widgets in ``where`` (the sidebar or a column) and return their state.

    ``prefix`` keeps a cohort's widgets (and URL parameters) apart from the sidebar's;
    ``full`` adds the criteria search and the phase, status and study-type lists.
    """

    def key(name: str) -> str:
        return f"{prefix}_{name}" if prefix else name

    chosen = where.selectbox(
        "Preset",
        list(PRESET_LABELS),
        index=list(PRESET_LABELS).index(preset),
        format_func=PRESET_LABELS.get,
        key=key("preset"),
        bind="query-params",
        help=B_ALL_DEFINITION,
    )
    aya = (15, 39)
    if chosen == "aya-b-all":
        aya = where.slider("AYA window (years)", 0, AGE_SLIDER_MAX, aya, key=key("aya"), bind="query-params")
    ages = where.slider(
        f"Age range (years; {AGE_SLIDER_MAX} = no upper limit)", 0, AGE_SLIDER_MAX, age, key=key("age"), bind="query-params"
    )
    min_age, max_age = _age_bounds(ages)
    values: dict[str, Any] = {
        "preset": chosen,
        "aya_min": float(aya[0]),
        "aya_max": float(aya[1]),
        "min_age": min_age,
        "max_age": max_age,
        "age_mode": where.radio(
            "Age match", list(AGE_MODES), key=key("age_mode"), bind="query-params", horizontal=True, help=AGE_MODE_HELP
        ),
        "sex": where.selectbox("Sex", list(SEX_LABELS), format_func=SEX_LABELS.get, key=key("sex"), bind="query-params"),
        "healthy_volunteers": where.radio(
            "Healthy volunteers", list(HEALTHY_LABELS), format_func=HEALTHY_LABELS.get, key=key("hv"), bind="query-params"
        ),
        "condition": where.text_input(
            "Condition, keyword or title contains", key=key("condition"), bind="query-params", max_chars=MAX_TEXT
        ),
    }
    if full:
        values["search"] = where.text_input(
            "Criteria contain (literal text)", key=key("search"), bind="query-params", max_chars=MAX_TEXT
        )
        values["phases"] = where.multiselect("Phase", options("phase"), key=key("phase"), bind="query-params")
        values["statuses"] = where.multiselect("Overall status", options("status"), key=key("status"), bind="query-params")
        values["study_types"] = where.multiselect("Study type", options("study_type"), key=key("type"), bind="query-params")
        values.update(_design_widgets(where, key))
        values["age_disagree"] = where.radio(
            "Age in criteria text vs record",
            list(AGE_DISAGREE_LABELS),
            format_func=AGE_DISAGREE_LABELS.get,
            key=key("age_disagree"),
            bind="query-params",
            help=AGE_DISAGREE_HELP,
        )
    return Filters.from_values(values)


START_YEAR_HELP = (
    "The year the trial started (actual or anticipated); empty = any. Once either box is set, trials without a "
    "start date are left out: the plain-text eligibility export carries no dates."
)


def _design_widgets(where: Any, key: Callable[[str], str]) -> dict[str, Any]:
    """Start-year range, lead sponsor class, site countries and primary purpose."""
    values: dict[str, Any] = {}
    # Two open-ended boxes, not a slider: a slider's state would pin the old range after a rebuild.
    first, last = where.columns(2)
    for column, name, label in ((first, "start_year_min", "Started from"), (last, "start_year_max", "Started up to")):
        values[name] = column.number_input(
            label,
            min_value=START_YEARS[0],
            max_value=START_YEARS[1],
            value=None,
            step=1,
            placeholder="any year",
            key=key(name),
            bind="query-params",
            help=START_YEAR_HELP,
        )
    if None not in (values["start_year_min"], values["start_year_max"]) and values["start_year_min"] > values["start_year_max"]:
        values["start_year_min"], values["start_year_max"] = values["start_year_max"], values["start_year_min"]
    values["sponsor_classes"] = where.multiselect(
        "Lead sponsor class",
        options("sponsor_class"),
        format_func=lambda code: SPONSOR_CLASSES.get(code, code),
        key=key("sponsor"),
        bind="query-params",
    )
    values["countries"] = where.multiselect(
        "Has a site in (country)", sorted(options("country")), key=key("country"), bind="query-params"
    )
    values["primary_purposes"] = where.multiselect(
        "Primary purpose",
        options("primary_purpose"),
        format_func=lambda code: PRIMARY_PURPOSES.get(code, code),
        key=key("purpose"),
        bind="query-params",
    )
    return values


def sidebar_filters() -> Filters:
    """The shared filters of every page, in the sidebar."""
    st.sidebar.header("Filters")
    filters = filter_widgets(st.sidebar)
    st.sidebar.caption(f"Showing: {md(filters.describe())}")
    return filters


def cohort_controls(prefix: str, *, title: str, preset: str, age: tuple[int, int]) -> Filters:
    """A compact filter set for one side of the cohort comparison (bound to the URL as <prefix>_*)."""
    st.markdown(f"**{title}**")
    return filter_widgets(st, prefix=prefix, full=False, preset=preset, age=age)


_FILTERS_KEY = "_filters_this_run"


def publish_filters(filters: Filters) -> None:
    """app.py hands the sidebar's filters to the page it is about to run."""
    st.session_state[_FILTERS_KEY] = filters


def current_filters() -> Filters:
    """The filters app.py drew in this script run.

    Streamlit runs a file in ``pages/`` on its own, without app.py, while it still
    treats the folder as a legacy multipage app (the first request of a server
    process, if it is a link to a page). Such a run is redone through app.py.
    """
    filters = st.session_state.pop(_FILTERS_KEY, None)
    if filters is None:
        from streamlit.runtime.pages_manager import PagesManager

        PagesManager.uses_pages_directory = False
        st.rerun()
    return filters
