"""What the frameworks app audits: frameworks, their versions, CASE packages and role requirements."""

from __future__ import annotations

from cultivate.core.audit_actions import AuditActions


class FrameworksAction(AuditActions):
    FRAMEWORK_CREATED = "framework_created", "Framework created"
    FRAMEWORK_CHANGED = "framework_changed", "Framework changed"
    FRAMEWORK_PUBLISHED = "framework_published", "Framework version published"
    FRAMEWORK_RETIRED = "framework_retired", "Framework version retired"
    FRAMEWORK_DISCARDED = "framework_discarded", "Framework draft discarded"
    FRAMEWORK_DELETED = "framework_deleted", "Framework deleted"
    FRAMEWORK_IMPORTED = "framework_imported", "Framework imported (CASE)"
    FRAMEWORK_EXPORTED = "framework_exported", "Framework exported (CASE)"
    FRAMEWORK_ADOPTED = "framework_adopted", "Framework adopted"
    REQUIREMENT_CHANGED = "requirement_changed", "Role requirement changed"
