"""Registry codes and their names, in a module of their own so the dashboard's sidebar can name them
without importing the ingest side (normalise imports the criteria splitter, ~0.1-0.3 s on a cold start)."""

from __future__ import annotations

# The registry's codes (v2 spelling) and how the dashboard names them; classic XML spellings map onto them.
SPONSOR_CLASSES: dict[str, str] = {
    "INDUSTRY": "Industry",
    "NIH": "NIH",
    "FED": "Other U.S. federal",
    "OTHER_GOV": "Other government",
    "NETWORK": "Network",
    "INDIV": "Individual",
    "AMBIG": "Ambiguous",
    "UNKNOWN": "Unknown",
    "OTHER": "Other",
}
PRIMARY_PURPOSES: dict[str, str] = {
    "TREATMENT": "Treatment",
    "PREVENTION": "Prevention",
    "SUPPORTIVE_CARE": "Supportive care",
    "DIAGNOSTIC": "Diagnostic",
    "SCREENING": "Screening",
    "HEALTH_SERVICES_RESEARCH": "Health services research",
    "BASIC_SCIENCE": "Basic science",
    "DEVICE_FEASIBILITY": "Device feasibility",
    "ECT": "Educational/counseling/training",
    "OTHER": "Other",
}
