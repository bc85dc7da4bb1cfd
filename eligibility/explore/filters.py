"""The filter state shared by every page and the export command, and its URL form.

One frozen dataclass, built by the dashboard's widgets and by the ``export``
command alike (``Filters.from_values``); ``params()`` gives the named parameters
of ``queries/matching_studies.sql``. The dashboard mirrors the widgets in the URL
(Streamlit's query-parameter binding), so a view can be shared and restored.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Any

from eligibility.explore.labels import code_label

AGE_MODES = ("overlaps", "covers", "adult_only", "pediatric_only")
AGE_MODE_LABELS = {
    "overlaps": "Overlaps",
    "covers": "Covers",
    "adult_only": "Adults only (min age ≥ 18)",
    "pediatric_only": "Children only (max age < 18)",
}
SEXES = ("any", "female", "male", "female_only", "male_only")
HEALTHY = ("any", "yes", "no")
PRESETS = ("none", "b-all", "pediatric-b-all", "aya-b-all")
PRESET_LABELS = {"none": "None", "b-all": "All B-ALL", "pediatric-b-all": "Pediatric B-ALL", "aya-b-all": "AYA B-ALL"}
SEX_LABELS = {
    "any": "Any",
    "female": "Female eligible (incl. all-sex trials)",
    "male": "Male eligible (incl. all-sex trials)",
    "female_only": "Female-only trials",
    "male_only": "Male-only trials",
}
HEALTHY_LABELS = {"any": "Any", "yes": "Accepts healthy volunteers", "no": "Patients only"}
AGE_DISAGREE = ("any", "yes", "no")
AGE_DISAGREE_LABELS = {"any": "Any", "yes": "Only disagreeing", "no": "Only agreeing or no age in the text"}
# Where a study names B-ALL (the first word of studies.b_all_basis).
B_ALL_BASES = ("condition", "keyword", "title", "inclusion criterion")
MAX_TEXT = 200
AGE_LIMIT = 150.0
_CODE_LISTS = ("phases", "statuses", "study_types", "sponsor_classes", "primary_purposes")
_LIST_FIELDS = (*_CODE_LISTS, "b_all_bases")
_CHOICES = {
    "age_mode": AGE_MODES,
    "sex": SEXES,
    "healthy_volunteers": HEALTHY,
    "preset": PRESETS,
    "age_disagree": AGE_DISAGREE,
}
MAX_COUNTRIES = 300
START_YEARS = (1900, 2100)
_TOKEN_RE = re.compile(r"^[A-Z0-9_]{1,40}$")


class FilterError(ValueError):
    """A filter value outside what the product accepts; the message names the field."""


@dataclass(frozen=True, slots=True)
class Filters:
    min_age: float | None = None
    max_age: float | None = None
    age_mode: str = "overlaps"
    sex: str = "any"
    healthy_volunteers: str = "any"
    condition: str = ""
    search: str = ""
    phases: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    study_types: tuple[str, ...] = ()
    preset: str = "none"
    aya_min: float = 15.0
    aya_max: float = 39.0
    b_all_bases: tuple[str, ...] = ()
    start_year_min: int | None = None
    start_year_max: int | None = None
    sponsor_classes: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    primary_purposes: tuple[str, ...] = ()
    age_disagree: str = "any"

    def __post_init__(self) -> None:
        for name, allowed in _CHOICES.items():
            if getattr(self, name) not in allowed:
                raise FilterError(f"{name} must be one of {', '.join(allowed)}; got {getattr(self, name)!r}")
        for name in ("min_age", "max_age", "aya_min", "aya_max"):
            value = getattr(self, name)
            if value is not None and not (0 <= float(value) <= AGE_LIMIT):
                raise FilterError(f"{name} must be between 0 and 150 years; got {value!r}")
        if self.min_age is not None and self.max_age is not None and self.min_age > self.max_age:
            raise FilterError(f"min_age {self.min_age} is above max_age {self.max_age}")
        if self.aya_min > self.aya_max:
            raise FilterError(f"aya_min {self.aya_min} is above aya_max {self.aya_max}")
        for name in ("condition", "search"):
            if len(getattr(self, name)) > MAX_TEXT:
                raise FilterError(f"{name} is longer than {MAX_TEXT} characters")
        for name in _CODE_LISTS:
            for token in getattr(self, name):
                if not _TOKEN_RE.match(token):
                    raise FilterError(f"{name} value {token!r} is not a registry code such as PHASE2 or RECRUITING")
        for basis in self.b_all_bases:
            if basis not in B_ALL_BASES:
                raise FilterError(f"b_all_bases must be among {', '.join(B_ALL_BASES)}; got {basis!r}")
        for name in ("start_year_min", "start_year_max"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, int) or not START_YEARS[0] <= value <= START_YEARS[1]):
                raise FilterError(f"{name} must be a year from {START_YEARS[0]} to {START_YEARS[1]}; got {value!r}")
        if self.start_year_min is not None and self.start_year_max is not None and self.start_year_min > self.start_year_max:
            raise FilterError(f"start_year_min {self.start_year_min} is above start_year_max {self.start_year_max}")
        if len(self.countries) > MAX_COUNTRIES or any(not c or len(c) > MAX_TEXT for c in self.countries):
            raise FilterError(f"countries must be at most {MAX_COUNTRIES} names of 1 to {MAX_TEXT} characters")

    @classmethod
    def from_values(cls, values: Mapping[str, Any]) -> Filters:
        """Filters from plain values (widgets, command-line arguments): other keys are ignored, lists become tuples."""
        names = {f.name for f in fields(cls)}
        return cls(**{k: tuple(v) if k in (*_LIST_FIELDS, "countries") else v for k, v in values.items() if k in names})

    @classmethod
    def repaired(cls, values: Mapping[str, Any]) -> tuple[Filters, list[str]]:
        """Filters from values that may come from a shared URL, made valid rather than refused.

        Reversed ranges are swapped, ages clamped to 0-150, text cut to its first
        ``MAX_TEXT`` characters, unknown choices reset and bad codes dropped; each
        change is named in one line of the returned notes.
        """
        fixed = dict(values)
        notes: list[str] = []
        for name, allowed in _CHOICES.items():
            if name in fixed and fixed[name] not in allowed:
                notes.append(f"{name.replace('_', ' ')} {str(fixed[name])[:40]!r} is not an option; ignored")
                del fixed[name]
        for name in ("min_age", "max_age", "aya_min", "aya_max"):
            value = fixed.get(name)
            if value is not None and not (0 <= float(value) <= AGE_LIMIT):
                fixed[name] = min(max(float(value), 0.0), AGE_LIMIT)
                notes.append(f"{name.replace('_', ' ')} {value:g} is outside 0-{AGE_LIMIT:g} years; set to {fixed[name]:g}")
        defaults = cls()
        for low, high, what in (("min_age", "max_age", "age range"), ("aya_min", "aya_max", "AYA window")):
            fixed.setdefault(low, getattr(defaults, low))
            fixed.setdefault(high, getattr(defaults, high))
            if fixed[low] is not None and fixed[high] is not None and fixed[low] > fixed[high]:
                fixed[low], fixed[high] = fixed[high], fixed[low]
                notes.append(f"{what} was reversed; read as {fixed[low]:g}-{fixed[high]:g}")
        low, high = fixed.get("start_year_min"), fixed.get("start_year_max")
        if low is not None and high is not None and low > high:
            fixed["start_year_min"], fixed["start_year_max"] = high, low
            notes.append(f"start years were reversed; read as {high}-{low}")
        for name in ("condition", "search"):
            text = fixed.get(name) or ""
            if len(text) > MAX_TEXT:
                fixed[name] = text[:MAX_TEXT]
                notes.append(f"{name} text was {len(text):,} characters; kept the first {MAX_TEXT}")
        for name in _LIST_FIELDS:
            kept = [v for v in fixed.get(name) or () if (v in B_ALL_BASES if name == "b_all_bases" else _TOKEN_RE.match(v))]
            dropped = [v for v in fixed.get(name) or () if v not in kept]
            if dropped:
                notes.append(f"{name.replace('_', ' ')}: dropped {', '.join(repr(v[:40]) for v in dropped)}")
                fixed[name] = kept
        return cls.from_values(fixed), notes

    def relaxations(self) -> list[tuple[str, Filters]]:
        """For each filter in use, its name and these filters without it (to say which one empties a result)."""
        defaults = Filters()
        groups = {
            "the preset": ("preset", "aya_min", "aya_max"),
            "the age range": ("min_age", "max_age"),
            "the age match": ("age_mode",),
            "the sex filter": ("sex",),
            "the healthy-volunteer filter": ("healthy_volunteers",),
            "the condition text": ("condition",),
            "the criteria text": ("search",),
            "the phase list": ("phases",),
            "the status list": ("statuses",),
            "the study-type list": ("study_types",),
            "the B-ALL basis list": ("b_all_bases",),
            "the start years": ("start_year_min", "start_year_max"),
            "the sponsor list": ("sponsor_classes",),
            "the country list": ("countries",),
            "the primary-purpose list": ("primary_purposes",),
            "the age-disagreement filter": ("age_disagree",),
        }
        return [
            (name, replace(self, **{f: getattr(defaults, f) for f in names}))
            for name, names in groups.items()
            if any(getattr(self, f) != getattr(defaults, f) for f in names)
        ]

    def params(self) -> dict[str, Any]:
        """Named parameters of matching_studies.sql."""
        return {
            "min_age": self.min_age,
            "max_age": self.max_age,
            "age_mode": self.age_mode,
            "sex": self.sex,
            "healthy_volunteers": self.healthy_volunteers,
            "condition": self.condition.strip().lower(),
            "search": self.search.strip().lower(),
            "phases": list(self.phases),
            "statuses": list(self.statuses),
            "study_types": list(self.study_types),
            "preset": self.preset,
            "aya_min": self.aya_min,
            "aya_max": self.aya_max,
            "b_all_bases": list(self.b_all_bases),
            "start_year_min": self.start_year_min,
            "start_year_max": self.start_year_max,
            "sponsor_classes": list(self.sponsor_classes),
            "countries": list(self.countries),
            "primary_purposes": list(self.primary_purposes),
            "age_disagree": self.age_disagree,
        }

    def describe(self) -> str:
        """A short human label, also used in download file names."""
        parts: list[str] = []
        if self.preset != "none":
            parts.append(
                PRESET_LABELS[self.preset] + (f" {self.aya_min:g}-{self.aya_max:g}" if self.preset == "aya-b-all" else "")
            )
        if self.min_age is not None or self.max_age is not None:
            low = "0" if self.min_age is None else f"{self.min_age:g}"
            high = "any" if self.max_age is None else f"{self.max_age:g}"
            parts.append(f"ages {low}-{high} ({AGE_MODE_LABELS[self.age_mode].split(' (')[0].lower()})")
        elif self.age_mode in ("adult_only", "pediatric_only"):
            parts.append(AGE_MODE_LABELS[self.age_mode].lower())
        if self.sex != "any":
            parts.append(SEX_LABELS[self.sex].split(" (")[0].lower())
        if self.healthy_volunteers != "any":
            parts.append(HEALTHY_LABELS[self.healthy_volunteers].lower())
        if self.condition:
            parts.append(f"condition '{self.condition}'")
        if self.search:
            parts.append(f"criteria mention '{self.search}'")
        for name in _CODE_LISTS:
            if getattr(self, name):
                parts.append("/".join(map(code_label, getattr(self, name))))
        if self.b_all_bases:
            parts.append("B-ALL named in " + "/".join(self.b_all_bases))
        if self.start_year_min is not None or self.start_year_max is not None:
            parts.append(f"started {self.start_year_min or ''}-{self.start_year_max or ''}")
        if self.countries:
            parts.append("sites in " + "/".join(self.countries))
        if self.age_disagree != "any":
            parts.append("text and record ages " + ("disagree" if self.age_disagree == "yes" else "agree"))
        return ", ".join(parts) or "all trials"

    def slug(self) -> str:
        """File-name-safe form of ``describe()``."""
        slug = re.sub(r"[^a-z0-9]+", "-", self.describe().lower()).strip("-")
        return slug[:100] or "all-trials"
