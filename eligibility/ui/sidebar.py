"""The filter widgets, written once: the shared sidebar and each side of the cohort comparison.

Every widget is bound to a URL parameter (its key, prefixed for a cohort), so a
view can be shared and restored. dashboard.py draws the sidebar before the page runs
and hands the page its filters.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from eligibility.build.b_all import DEFINITION as B_ALL_DEFINITION
from eligibility.build.codes import PRIMARY_PURPOSES, SPONSOR_CLASSES
from eligibility.explore.filters import (
    AGE_DISAGREE_LABELS,
    AGE_MODE_LABELS,
    AGE_MODES,
    B_ALL_BASES,
    HEALTHY_LABELS,
    PRESET_LABELS,
    SEX_LABELS,
    START_YEARS,
    Filters,
)
from eligibility.explore.labels import code_label
from eligibility.ui.render import md
from eligibility.ui.state import options

AGE_SLIDER_MAX = 100
AYA_WINDOW = (15, 39)
AGE_MODE_HELP = (
    "Overlaps: the trial accepts someone aged within the range; covers: the trial accepts the whole range. "
    "Adults only: the trial's minimum age is 18 or over; children only: its maximum age is under 18. "
    "Trials without a minimum or maximum are open on that side."
)
B_ALL_BASIS_HELP = (
    "Where the study names B-ALL: its conditions, keywords, title, or (records without those) an inclusion "
    "criterion. Leave empty for all; e.g. drop 'keyword' to set aside trials that only list ALL as a keyword."
)
# Where the repairs of one widget set wait for the rerun that applies them.
_REPAIRS_KEY = "_filter_repairs"

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


def _ignored(label: str, raw: list[str], shown: list[str]) -> str | None:
    """A note naming the values of a shared link that a widget could not take."""
    dropped = [value for value in raw if value not in shown]
    if not dropped:
        return None
    return f"{label}: ignored {', '.join(repr(v[:40]) for v in dropped)} from the link (not an option here)"


def filter_widgets(
    where: Any,
    *,
    prefix: str = "",
    full: bool = True,
    preset: str = "none",
    age: tuple[int, int] = (0, AGE_SLIDER_MAX),
    age_mode: str = "overlaps",
) -> Filters:
    """Draw the filter widgets in ``where`` (the sidebar or a column) and return their state.

    ``prefix`` keeps a cohort's widgets (and URL parameters) apart from the sidebar's;
    ``full`` adds the criteria search and the phase, status, study-type and B-ALL basis lists.
    Values a shared link cannot mean (a reversed range, an unknown option, over-long text)
    are repaired, shown in the widgets, and named in a one-line notice.
    """

    def key(name: str) -> str:
        return f"{prefix}_{name}" if prefix else name

    repairs_key = f"{_REPAIRS_KEY}{prefix}"
    pending = st.session_state.pop(repairs_key, None)
    if pending:
        for name, value in pending["widgets"].items():
            st.session_state[name] = value
    raw = {} if pending else {name: st.query_params.get_all(name) for name in map(key, _URL_KEYS)}

    chosen = where.selectbox(
        "Preset",
        list(PRESET_LABELS),
        index=list(PRESET_LABELS).index(preset),
        format_func=PRESET_LABELS.get,
        key=key("preset"),
        bind="query-params",
        help=B_ALL_DEFINITION,
    )
    aya = AYA_WINDOW
    if chosen == "aya-b-all":
        aya = where.slider("AYA window (years)", 0, AGE_SLIDER_MAX, aya, key=key("aya"), bind="query-params")
    ages = where.slider(
        f"Age range (years; {AGE_SLIDER_MAX} = no upper limit)", 0, AGE_SLIDER_MAX, age, key=key("age"), bind="query-params"
    )
    mode = where.radio(
        "Age match",
        list(AGE_MODES),
        index=list(AGE_MODES).index(age_mode),
        format_func=AGE_MODE_LABELS.get,
        key=key("age_mode"),
        bind="query-params",
        help=AGE_MODE_HELP,
    )
    sex = where.selectbox("Sex", list(SEX_LABELS), format_func=SEX_LABELS.get, key=key("sex"), bind="query-params")
    healthy = where.radio(
        "Healthy volunteers", list(HEALTHY_LABELS), format_func=HEALTHY_LABELS.get, key=key("hv"), bind="query-params"
    )
    min_age, max_age = _age_bounds(ages)
    values: dict[str, Any] = {
        "preset": chosen,
        "aya_min": float(aya[0]),
        "aya_max": float(aya[1]),
        "min_age": min_age,
        "max_age": max_age,
        "age_mode": mode,
        "sex": sex,
        "healthy_volunteers": healthy,
        "condition": where.text_input("Condition, keyword or title contains", key=key("condition"), bind="query-params"),
    }
    shown = {
        "preset": [PRESET_LABELS[chosen]],
        "aya": [str(v) for v in aya],
        "age": [str(v) for v in ages],
        "age_mode": [AGE_MODE_LABELS[mode]],
        "sex": [SEX_LABELS[sex]],
        "hv": [HEALTHY_LABELS[healthy]],
    }
    if full:
        values["search"] = where.text_input("Criteria contain (literal text)", key=key("search"), bind="query-params")
        for name, field, option_field, label in (
            ("phase", "phases", "phase", "Phase"),
            ("status", "statuses", "status", "Overall status"),
            ("type", "study_types", "study_type", "Study type"),
        ):
            values[field] = _codes_multiselect(where, label, options(option_field), key(name))
            shown[name] = values[field]
        values["b_all_bases"] = where.multiselect(
            "B-ALL named in", list(B_ALL_BASES), key=key("basis"), bind="query-params", help=B_ALL_BASIS_HELP
        )
        shown["basis"] = values["b_all_bases"]
        values.update(_design_widgets(where, key))
        values["age_disagree"] = where.radio(
            "Age in criteria text vs record",
            list(AGE_DISAGREE_LABELS),
            format_func=AGE_DISAGREE_LABELS.get,
            key=key("age_disagree"),
            bind="query-params",
            help=AGE_DISAGREE_HELP,
        )
        shown["sponsor"] = [SPONSOR_CLASSES.get(c, c) for c in values["sponsor_classes"]]
        shown["country"] = values["countries"]
        shown["purpose"] = [PRIMARY_PURPOSES.get(c, c) for c in values["primary_purposes"]]
        shown["age_disagree"] = [AGE_DISAGREE_LABELS[values["age_disagree"]]]
    filters, notes = Filters.repaired(values)
    notes += [
        note
        for name, current in shown.items()
        if raw.get(key(name)) and (note := _ignored(name.replace("_", " "), raw[key(name)], current))
    ]
    widget_fixes = {
        key(name): value
        for name, value, before in (
            ("age", _slider(filters.min_age, filters.max_age), tuple(ages)),
            ("aya", (int(filters.aya_min), int(filters.aya_max)), tuple(aya)),
            ("condition", filters.condition, values["condition"]),
            ("search", filters.search, values.get("search", "")),
        )
        if value != before and (name != "aya" or chosen == "aya-b-all") and (name != "search" or full)
    }
    if widget_fixes and not pending:  # at most one rerun to show the repaired values
        st.session_state[repairs_key] = {"widgets": widget_fixes, "notes": notes}
        st.rerun()
    notes = (pending["notes"] if pending else []) + notes
    if notes:
        (st if not prefix else where).warning(
            md("Changed to make sense of the filters: " + "; ".join(notes) + "."), icon=":material/build:"
        )
    return filters


def _codes_multiselect(where: Any, label: str, codes: list[str], key: str) -> list[str]:
    """A list of registry codes shown by their labels ("Active, not recruiting"), with the codes in the URL.

    Streamlit's URL binding would write the labels, so this parameter is read once per session and
    written back on every run.
    """
    if key not in st.session_state:
        st.session_state[key] = [code for code in st.query_params.get_all(key) if code in codes]
    chosen = where.multiselect(label, codes, format_func=code_label, key=key)
    if chosen:
        st.query_params[key] = chosen
    elif key in st.query_params:
        del st.query_params[key]
    return chosen


_URL_KEYS = (
    "preset",
    "aya",
    "age",
    "age_mode",
    "sex",
    "hv",
    "phase",
    "status",
    "type",
    "basis",
    "sponsor",
    "country",
    "purpose",
    "age_disagree",
)


def _slider(min_age: float | None, max_age: float | None) -> tuple[int, int]:
    """The age slider's position for an age range (the inverse of ``_age_bounds``)."""
    return (int(min_age or 0), AGE_SLIDER_MAX if max_age is None else min(int(max_age), AGE_SLIDER_MAX))


def reset_filters(prefix: str = "") -> None:
    """Every filter widget back to its default (a button callback; the URL follows the widgets)."""
    defaults: dict[str, Any] = {
        "preset": "none",
        "aya": AYA_WINDOW,
        "age": (0, AGE_SLIDER_MAX),
        "age_mode": "overlaps",
        "sex": "any",
        "hv": "any",
        "condition": "",
        "search": "",
        "phase": [],
        "status": [],
        "type": [],
        "basis": [],
        "start_year_min": None,
        "start_year_max": None,
        "sponsor": [],
        "country": [],
        "purpose": [],
        "age_disagree": "any",
    }
    for name, value in defaults.items():
        st.session_state[f"{prefix}_{name}" if prefix else name] = value


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
    st.sidebar.button("Reset all filters", on_click=reset_filters, icon=":material/restart_alt:", key="reset_filters")
    filters = filter_widgets(st.sidebar)
    st.sidebar.caption(f"Showing: {md(filters.describe())}")
    return filters


def cohort_controls(prefix: str, *, title: str, preset: str, age: tuple[int, int], age_mode: str = "overlaps") -> Filters:
    """A compact filter set for one side of the cohort comparison (bound to the URL as <prefix>_*)."""
    st.markdown(f"**{title}**")
    return filter_widgets(st, prefix=prefix, full=False, preset=preset, age=age, age_mode=age_mode)


_FILTERS_KEY = "_filters_this_run"


def publish_filters(filters: Filters) -> None:
    """dashboard.py hands the sidebar's filters to the page it is about to run."""
    st.session_state[_FILTERS_KEY] = filters


def current_filters() -> Filters:
    """The filters dashboard.py drew in this script run.

    Streamlit runs a file in ``pages/`` on its own, without dashboard.py, while it still
    treats the folder as a legacy multipage app (the first request of a server
    process, if it is a link to a page). Such a run is redone through dashboard.py.
    """
    filters = st.session_state.pop(_FILTERS_KEY, None)
    if filters is None:
        from streamlit.runtime.pages_manager import PagesManager

        PagesManager.uses_pages_directory = False
        st.rerun()
    return filters
