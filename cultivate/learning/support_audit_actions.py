"""What support at work audits: every write to a request for flexible working or a record of post-incident
support (registered under the learning app beside `LearningAction`)."""

from __future__ import annotations

from cultivate.core.audit_actions import AuditActions


class SupportAction(AuditActions):
    FLEXIBLE_REQUESTED = "learning_flexible_requested", "Flexible working asked for"
    FLEXIBLE_DECIDED = "learning_flexible_decided", "Flexible working request decided"
    FLEXIBLE_WITHDRAWN = "learning_flexible_withdrawn", "Flexible working request withdrawn"
    FLEXIBLE_APPEAL = "learning_flexible_appeal_noted", "Flexible working appeal noted"
    SUPPORT_RECORDED = "learning_support_recorded", "Post-incident support recorded"
    SUPPORT_CHANGED = "learning_support_changed", "Post-incident support follow-up changed"
