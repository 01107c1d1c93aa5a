"""What the insights app audits: workforce extracts imported and job titles mapped to roles."""

from __future__ import annotations

from cultivate.core.audit_actions import AuditActions


class InsightsAction(AuditActions):
    JOB_TITLE_MAPPED = "job_title_mapped", "Job title mapped to a role"
    INSIGHTS_IMPORTED = "insights_imported", "Workforce extract imported"
