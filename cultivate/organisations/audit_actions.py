"""What the organisations app audits: people and their employment spells (the staff import counts them)."""

from __future__ import annotations

from cultivate.core.audit_actions import AuditActions


class OrganisationsAction(AuditActions):
    PERSON_CREATED = "person_created", "Person created"
    PERSON_CHANGED = "person_changed", "Person changed"
    SPELL_CREATED = "spell_created", "Employment spell created"
    SPELL_CHANGED = "spell_changed", "Employment spell changed"
