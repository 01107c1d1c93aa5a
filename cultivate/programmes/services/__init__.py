"""Writes for programmes, one module per subject; the public names are re-exported here."""

from .allocation import (
    candidates,
    cohorts_allocate,
    partner_group_fix,
    partners_pair,
    placement_move,
    placement_pin,
)
from .applications import (
    application_agree_protected_time,
    application_decline_protected_time,
    application_move,
    application_nominate,
    application_submit,
)
from .attendance import check_in, register_take, session_participants, session_reminders_send
from .closing import cohort_close, cohort_outcomes, criteria_text
from .community import post_add, post_hide
from .programmes import (
    cohort_create,
    dimensions_set,
    lead_add,
    programme_copy,
    programme_create,
    programme_set_competences,
    programme_set_status,
    programme_update,
    session_create,
)
from .surveys import evaluation_submit, feedback_submit, self_assessment_submit

__all__ = [
    "application_agree_protected_time",
    "application_decline_protected_time",
    "application_move",
    "application_nominate",
    "application_submit",
    "candidates",
    "check_in",
    "cohort_close",
    "cohort_create",
    "cohort_outcomes",
    "cohorts_allocate",
    "criteria_text",
    "dimensions_set",
    "evaluation_submit",
    "feedback_submit",
    "lead_add",
    "partner_group_fix",
    "partners_pair",
    "placement_move",
    "placement_pin",
    "post_add",
    "post_hide",
    "programme_copy",
    "programme_create",
    "programme_set_competences",
    "programme_set_status",
    "programme_update",
    "register_take",
    "self_assessment_submit",
    "session_create",
    "session_participants",
    "session_reminders_send",
]
