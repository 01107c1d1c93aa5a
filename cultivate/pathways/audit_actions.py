"""What the pathways app audits: pathways changed, qualifications confirmed and superseded, assessment results,
apprenticeships and their end-point assessment and outcome."""

from __future__ import annotations

from cultivate.core.audit_actions import AuditActions


class PathwaysAction(AuditActions):
    PATHWAY_CHANGED = "pathway_changed", "Career pathway changed"
    QUALIFICATION_RECORDED = "qualification_recorded", "Qualification recorded"
    QUALIFICATION_CONFIRMED = "qualification_confirmed", "Qualification confirmed"
    QUALIFICATION_SUPERSEDED = "qualification_superseded", "Qualification superseded"
    SKILLS_RESULT_RECORDED = "skills_result_recorded", "Functional skills assessment recorded"
    MANAGER_SUPPORT_GIVEN = "manager_support_given", "Manager's support for a step given"
    APPRENTICESHIP_CHANGED = "apprenticeship_changed", "Apprenticeship recorded or changed"
    EPA_RECORDED = "epa_recorded", "End-point assessment recorded"
