"""Ages, sex, healthy volunteers, standard age groups, phases, status and dates."""

from __future__ import annotations

from datetime import date

import pytest

from eligibility.build.normalise import (
    derive_std_ages,
    normalise_date,
    normalise_enum,
    normalise_healthy_volunteers,
    normalise_phases,
    normalise_sex,
    normalise_std_ages,
    parse_age,
)


@pytest.mark.parametrize(
    ("raw", "years"),
    [
        ("18 Years", 18.0),
        ("1 Year", 1.0),
        ("39 years", 39.0),
        ("65 YEARS", 65.0),
        ("6 Months", 0.5),
        ("1 Month", 1 / 12),
        ("42 months", 3.5),
        ("6 Weeks", 6 * 7 / 365.25),
        ("1 week", 7 / 365.25),
        ("28 Days", 28 / 365.25),
        ("1 Day", 1 / 365.25),
        ("4 Hours", 4 / (365.25 * 24)),
        ("1 hour", 1 / (365.25 * 24)),
        ("30 Minutes", 30 / (365.25 * 24 * 60)),
        ("1 Minute", 1 / (365.25 * 24 * 60)),
        ("  2 Years ", 2.0),
        ("120 Years", 120.0),
    ],
)
def test_ages_convert_every_unit_to_years(raw: str, years: float) -> None:
    value, warning = parse_age(raw)
    assert warning is None
    assert value == pytest.approx(years)


@pytest.mark.parametrize("raw", [None, "", "N/A", "n/a", "  "])
def test_absent_or_na_age_means_no_limit_without_warning(raw: str | None) -> None:
    assert parse_age(raw) == (None, None)


@pytest.mark.parametrize("raw", ["18 Yrs", "eighteen", "-5 Years", "999 Years", "18", "Years"])
def test_unparseable_age_is_null_with_a_warning_naming_the_value(raw: str) -> None:
    value, warning = parse_age(raw)
    assert value is None
    assert warning is not None and repr(raw) in warning


@pytest.mark.parametrize(
    ("minimum", "maximum", "groups"),
    [
        (18.0, None, ["ADULT", "OLDER_ADULT"]),
        (None, None, ["CHILD", "ADULT", "OLDER_ADULT"]),
        (1.0, 39.0, ["CHILD", "ADULT"]),
        (0.5, 17.0, ["CHILD"]),
        (65.0, None, ["OLDER_ADULT"]),
        (18.0, 64.0, ["ADULT"]),
        (None, 18.0, ["CHILD", "ADULT"]),
        (50.0, 70.0, ["ADULT", "OLDER_ADULT"]),
    ],
)
def test_std_ages_are_derived_by_overlap(minimum: float | None, maximum: float | None, groups: list[str]) -> None:
    assert derive_std_ages(minimum, maximum) == groups


def test_std_ages_from_the_record_are_kept_and_checked() -> None:
    assert normalise_std_ages(["OLDER_ADULT", "ADULT"]) == (["ADULT", "OLDER_ADULT"], None)
    assert normalise_std_ages(["TEEN"])[0] is None


@pytest.mark.parametrize(
    ("raw", "sex"),
    [("ALL", "ALL"), ("All", "ALL"), ("Both", "ALL"), ("FEMALE", "FEMALE"), ("Female", "FEMALE"), ("male", "MALE"), (None, None)],
)
def test_sex_spellings(raw: str | None, sex: str | None) -> None:
    assert normalise_sex(raw) == (sex, None)


def test_wrong_sex_type_is_a_warning_not_a_crash() -> None:
    value, warning = normalise_sex(5)
    assert value is None and warning is not None and "5" in warning


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        (True, True),
        (False, False),
        ("true", True),
        ("False", False),
        ("True", True),
        ("No", False),
        ("Yes", True),
        ("Accepts Healthy Volunteers", True),
        (None, None),
    ],
)
def test_healthy_volunteer_spellings(raw: object, value: bool | None) -> None:
    assert normalise_healthy_volunteers(raw) == (value, None)


def test_unknown_healthy_volunteer_value_warns() -> None:
    value, warning = normalise_healthy_volunteers("Sometimes")
    assert value is None and "Sometimes" in (warning or "")


def test_phases_statuses_and_dates_use_the_v2_spelling() -> None:
    assert normalise_phases("Phase 1/Phase 2") == ["PHASE1", "PHASE2"]
    assert normalise_phases(["PHASE2", "PHASE3"]) == ["PHASE2", "PHASE3"]
    assert normalise_phases("Early Phase 1") == ["EARLY_PHASE1"]
    assert normalise_phases("N/A") == ["NA"]
    assert normalise_enum("Active, not recruiting") == "ACTIVE_NOT_RECRUITING"
    assert normalise_enum("Unknown status") == "UNKNOWN"
    assert normalise_enum("Observational [Patient Registry]") == "OBSERVATIONAL"
    assert normalise_date("June 23, 2005") == date(2005, 6, 23)
    assert normalise_date("2023-10") == date(2023, 10, 1)
    assert normalise_date("2025-12-25 @ 3:26 AM") == date(2025, 12, 25)
    assert normalise_date("someday") is None
