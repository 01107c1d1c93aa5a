"""What the learning app audits: changes to the catalogue and mandatory training, enrolment decisions and
completions (they stand as portfolio evidence);
development plans agreed or returned, supervision recorded, and the supervision interval."""

from __future__ import annotations

from cultivate.core.audit_actions import AuditActions


class LearningAction(AuditActions):
    OFFER_CHANGED = "learning_offer_changed", "Learning offer changed"
    SESSION_CHANGED = "learning_session_changed", "Learning session changed"
    SUBJECT_CHANGED = "learning_subject_changed", "Mandatory training changed"
    ENROLMENT_REQUESTED = "learning_enrolment_requested", "Place on a session asked for"
    ENROLMENT_DECIDED = "learning_enrolment_decided", "Place on a session decided"
    ENROLMENT_WITHDRAWN = "learning_enrolment_withdrawn", "Place on a session withdrawn"
    ATTENDANCE_RECORDED = "learning_attendance_recorded", "Attendance recorded"
    COMPLETION_RECORDED = "learning_completion_recorded", "Training completion recorded"
    # Development plans and supervision (personal: who agreed what with whom).
    PLAN_AGREED = "learning_plan_agreed", "Development plan agreed"
    PLAN_CHANGES_ASKED = "learning_plan_changes_asked", "Changes asked for to a development plan"
    SUPERVISION_RECORDED = "learning_supervision_recorded", "Supervision meeting recorded"
    SUPERVISION_INTERVAL_CHANGED = "learning_supervision_interval_changed", "Supervision interval changed"
