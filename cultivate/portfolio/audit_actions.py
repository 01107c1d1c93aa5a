"""What the portfolio app audits: evidence, sign-off and its corrections, and delegation."""

from __future__ import annotations

from cultivate.core.audit_actions import AuditActions


class PortfolioAction(AuditActions):
    EVIDENCE_ADDED = "evidence_added", "Evidence added"
    EVIDENCE_CHANGED = "evidence_changed", "Evidence changed"
    EVIDENCE_FILE_VIEWED = "evidence_file_viewed", "Evidence file viewed"
    SIGNOFF_REQUESTED = "signoff_requested", "Sign-off requested"
    SIGNOFF_RETURNED = "signoff_returned", "Sign-off returned with feedback"
    SIGNED_OFF = "signed_off", "Competence signed off"
    ASSESSMENT_CORRECTED = "assessment_corrected", "Sign-off corrected"
    ASSESSMENT_WITHDRAWN = "assessment_withdrawn", "Sign-off withdrawn"
    PROTOCOL_CHANGED = "protocol_changed", "Delegation protocol changed"
    DELEGATION_CHECKED = "delegation_checked", "Delegation checked"
