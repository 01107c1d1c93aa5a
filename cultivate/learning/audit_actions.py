"""What the learning app audits: changes to the catalogue and mandatory training, enrolment decisions and
completions (they stand as portfolio evidence)."""

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
