"""The delegation register: protocols (when a support worker may carry out a clinical activity that a
registered professional delegates), the check "may this worker carry out this activity in this team today?",
the team's view of who may do what, and the savings model.

- `decision`: the value types and the one pure function that decides (`evaluate`), fed by batch reads;
- `reads`: protocols and their rules (read one way: `protocol_rules`, or `rules_for_check` in one hand-written
  query for the API), the person, team and posts a check needs, the check page's choices;
- `services`: the check (audited) and the writes to protocols (audited);
- `team`: the team's grid and an organisation's count of authorised workers;
- `savings`: the savings model and its estimate.

A single check, a team's grid and an organisation's count give the same answer from the same records, each at
a fixed number of queries whatever the number of people, protocols and competences. Other modules import from
this package (`from cultivate.portfolio.delegation import savings_estimate`), not from its modules."""

from __future__ import annotations

from .decision import (
    BAND_CHOICES,
    BAND_ORDER,
    CompetenceRef,
    DelegationDecision,
    Post,
    ProtocolRules,
    Reason,
    ReasonCode,
    Reliance,
    RequiredCompetence,
    band_label,
    band_rank,
    competence_ref,
    decide,
    evaluate,
    required_competence,
    rules_of,
    supervision_lines,
)
from .reads import (
    PERSON_CHOICES_MAX,
    active_protocols,
    competence_for_protocol,
    competences_available_to,
    frameworks_available_to,
    level_choices,
    organisation_by_code,
    people_for_check,
    person_by_staff_id,
    person_for_check,
    posts_by_person,
    protocol_by_code,
    protocol_by_id,
    protocol_rules,
    protocols_visible_to,
    requirement_by_id,
    rules_for_check,
    team_for_check,
    teams_for_check,
)
from .savings import (
    LEEDS_DIABETES_SAVINGS,
    SAVINGS_KEYS,
    SAVINGS_UNIT_CHOICES,
    SAVINGS_UNITS,
    SavingsEstimate,
    savings_clean,
    savings_estimate,
)
from .services import (
    delegation_check,
    protocol_create,
    protocol_requirement_remove,
    protocol_requirement_set,
    protocol_update,
)
from .team import (
    LAPSING_DAYS,
    Authorisations,
    Lapse,
    TeamDelegation,
    TeamMember,
    protocol_authorisations,
    team_delegation,
)

__all__ = [
    "BAND_CHOICES",
    "BAND_ORDER",
    "LAPSING_DAYS",
    "LEEDS_DIABETES_SAVINGS",
    "PERSON_CHOICES_MAX",
    "SAVINGS_KEYS",
    "SAVINGS_UNITS",
    "SAVINGS_UNIT_CHOICES",
    "Authorisations",
    "CompetenceRef",
    "DelegationDecision",
    "Lapse",
    "Post",
    "ProtocolRules",
    "Reason",
    "ReasonCode",
    "Reliance",
    "RequiredCompetence",
    "SavingsEstimate",
    "TeamDelegation",
    "TeamMember",
    "active_protocols",
    "band_label",
    "band_rank",
    "competence_for_protocol",
    "competence_ref",
    "competences_available_to",
    "decide",
    "delegation_check",
    "evaluate",
    "frameworks_available_to",
    "level_choices",
    "organisation_by_code",
    "people_for_check",
    "person_by_staff_id",
    "person_for_check",
    "posts_by_person",
    "protocol_authorisations",
    "protocol_by_code",
    "protocol_by_id",
    "protocol_create",
    "protocol_requirement_remove",
    "protocol_requirement_set",
    "protocol_rules",
    "protocol_update",
    "protocols_visible_to",
    "required_competence",
    "requirement_by_id",
    "rules_for_check",
    "rules_of",
    "savings_clean",
    "savings_estimate",
    "supervision_lines",
    "team_delegation",
    "team_for_check",
    "teams_for_check",
]
