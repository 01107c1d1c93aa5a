"""What the credentials app audits: issuing, revoking, sharing, downloads of personal data, keys and records."""

from __future__ import annotations

from cultivate.core.audit_actions import AuditActions


class CredentialsAction(AuditActions):
    ISSUED = "credential_issued", "Credential issued"
    REVOKED = "credential_revoked", "Credential revoked"
    SHARED = "credential_shared", "Credential sharing changed"
    DOWNLOADED = "credential_downloaded", "Credential downloaded by someone other than its holder"
    KEY_CREATED = "issuer_key_created", "Issuer key created"
    KEY_ROTATED = "issuer_key_rotated", "Issuer key rotated"
    RECORD_CREATED = "competence_record_created", "Competence record made"
    RECORD_SHARED = "competence_record_shared", "Competence record sharing changed"
    RECORD_IMPORTED = "competence_record_imported", "Competence record brought in"
    RECORD_REFUSED = "competence_record_refused", "Competence record refused"
    RECOGNITION_CONFIRMED = "prior_assessment_confirmed", "Prior assessment recognised"
    EXPORTED = "credentials_exported", "Credentials exported (issuer archive)"
