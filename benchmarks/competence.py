"""Competence: the team matrix, the delegation check, and CASE import (issue 3's figures)."""

from __future__ import annotations

GROUP = "competence"


def run() -> None:
    from benchmarks import _competence_case, _competence_portfolio

    _competence_portfolio.run()
    _competence_case.run()
