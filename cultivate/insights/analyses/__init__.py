"""Workforce analyses over the insights store, beside the measures: fairness (WRES/WDES-style relative
likelihoods), retention curves (Kaplan–Meier and competing risks with lifelines) and costs (turnover, and
delegation savings).

    con = cultivate.insights.store.connect(store)
    relative_likelihoods(con, "2023-03-31:2025-03-31", by=["organisation_code"])
    retention_curve(con, by=["afc_band"], organisation_codes=["RXX"])
    competing_risks(con, organisation_codes=["RXX"])
    turnover_cost(con, "2024-03-31:2025-03-31", cost_per_leaver={"2": 5000, "3": 6000})
    delegation_savings(organisation)

Every function takes `organisation_codes` (a list of ODS codes, or None for all) so callers can scope what
they show. Definitions: docs/measures.md."""

from .costs import bands_to_hide, delegation_savings, turnover_cost
from .fairness import BAND, INDICATORS, katz_interval, relative_likelihoods
from .survival import competing_risks, retention_curve

__all__ = [
    "BAND",
    "INDICATORS",
    "bands_to_hide",
    "competing_risks",
    "delegation_savings",
    "katz_interval",
    "relative_likelihoods",
    "retention_curve",
    "turnover_cost",
]
