"""Eligibility Explorer: ingest, normalise, split and classify ClinicalTrials.gov eligibility modules."""

from __future__ import annotations

__version__ = "0.1.0"
