"""What the programmes app audits: programmes and leads, applications, allocations, registers, moderation,
closing a cohort."""

from __future__ import annotations

from cultivate.core.audit_actions import AuditActions


class ProgrammeAction(AuditActions):
    PROGRAMME_CREATED = "programme_created", "Programme created"
    PROGRAMME_CHANGED = "programme_changed", "Programme changed"
    PROGRAMME_COPIED = "programme_copied", "Programme copied for the next intake"
    APPLICATION_CHANGED = "programme_application_changed", "Programme application changed"
    COHORTS_ALLOCATED = "programme_cohorts_allocated", "Cohorts allocated"
    PLACEMENT_CHANGED = "programme_placement_changed", "Cohort placement pinned or moved"
    PARTNERS_PAIRED = "programme_partners_paired", "Practice partners paired"
    REGISTER_TAKEN = "programme_register_taken", "Session register taken"
    POST_HIDDEN = "programme_post_hidden", "Cohort post hidden"
    COHORT_CLOSED = "programme_cohort_closed", "Cohort closed"
