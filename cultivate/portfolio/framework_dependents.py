"""What the portfolio keeps that depends on a framework (sign-offs, delegation protocol requirements), answered
for frameworks through its `dependents` hook, registered in `PortfolioConfig.ready()`: the portfolio depends on
frameworks, never the other way round (ADR 0026)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping

from django.db.models import Count

from cultivate.frameworks.dependents import ProtocolRequirementRef, StandingSignOffs
from cultivate.frameworks.models import Competence, Framework, FrameworkVersion

from .models import Assessment, AssessmentKind, ProtocolRequirement


class PortfolioDependents:
    """The portfolio's side of `cultivate.frameworks.dependents.FrameworkDependents`."""

    def levels_in_use(self, framework: Framework) -> dict[str, str]:
        used: dict[str, str] = {}
        for code in ProtocolRequirement.objects.filter(competence__framework=framework).values_list(
            "min_level", flat=True
        ):
            used.setdefault(code, "a delegation protocol")
        for code in Assessment.objects.filter(framework=framework).values_list("level", flat=True).distinct():
            if code:
                used.setdefault(code, "a sign-off")
        return used

    def has_sign_offs(self, framework: Framework) -> bool:
        return Assessment.objects.filter(framework=framework).exists()

    def standing_sign_offs(self, framework: Framework) -> list[StandingSignOffs]:
        # Sign-offs and corrections not superseded by a later record, by framework, identifier and hash.
        rows = (
            Assessment.objects.filter(
                framework=framework,
                kind__in=[AssessmentKind.SIGN_OFF, AssessmentKind.CORRECTION],
                superseded_by__isnull=True,
            )
            .values("competence_identifier", "content_hash")
            .annotate(people=Count("person", distinct=True))
        )
        return [
            StandingSignOffs(
                identifier=row["competence_identifier"],
                content_hash=row["content_hash"],
                people=row["people"],
            )
            for row in rows
        ]

    def protocol_requirements_elsewhere(
        self, framework: Framework, version: FrameworkVersion
    ) -> list[ProtocolRequirementRef]:
        requirements = (
            ProtocolRequirement.objects.filter(competence__framework=framework)
            .exclude(competence__version=version)
            .select_related("protocol", "protocol__organisation", "competence")
        )
        return [
            ProtocolRequirementRef(
                pk=requirement.pk,
                activity=requirement.protocol.activity,
                organisation_name=requirement.protocol.organisation.name,
                organisation_code=requirement.protocol.organisation.ods_code,
                competence_identifier=requirement.competence.identifier,
                competence_code=requirement.competence.code,
                competence_label=requirement.competence.label,
            )
            for requirement in requirements
        ]

    def protocol_requirements_follow(
        self, version: FrameworkVersion, rows: Mapping[uuid.UUID, Competence]
    ) -> int:
        protocol_taken: set[tuple[int, int]] = set(
            ProtocolRequirement.objects.filter(competence__version=version).values_list(
                "protocol_id", "competence_id"
            )
        )
        protocol_moves = []
        for protocol_requirement in (
            ProtocolRequirement.objects.filter(competence__framework_id=version.framework_id)
            .exclude(competence__version=version)
            .select_related("competence")
        ):
            row = rows.get(protocol_requirement.competence.identifier)
            if row is None:
                continue
            protocol_key = (protocol_requirement.protocol_id, row.pk)
            if protocol_key in protocol_taken:
                # The same requirement reached the new row another way; this older copy adds nothing.
                protocol_requirement.delete()
                continue
            protocol_taken.add(protocol_key)
            protocol_requirement.competence = row
            protocol_moves.append(protocol_requirement)
        ProtocolRequirement.objects.bulk_update(protocol_moves, ["competence"])
        return len(protocol_moves)
