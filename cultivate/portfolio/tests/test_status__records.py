"""`status._read_records`, three hand-written statements (ADR 0025), read by name, give the
rows the ORM gives: the same assessments in the same order, the same open or returned requests, the same
evidence links, for several people and competences of two frameworks."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from django.db.models import F

from cultivate.accounts import testing as t
from cultivate.portfolio import status
from cultivate.portfolio.models import Assessment, AssessmentKind, EvidenceLink, RequestStatus, SignOffRequest

from . import portfolio_factories as f

pytestmark = pytest.mark.django_db


def _day(value: Any) -> dt.date | None:
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def test_records_read_by_hand_are_the_orm_rows() -> None:
    org = t.make_organisation()
    team = t.make_team(org, "Ward")
    people = [t.make_person(org, team=team) for _ in range(3)]
    stranger = t.make_person(org, team=team)
    frameworks = [f.make_framework("One"), f.make_framework("Two")]
    competences = [f.make_competence(fw) for fw in frameworks for _ in range(2)]
    left_out = f.make_competence(frameworks[0])
    first = f.make_assessment(people[0], competences[0], assessed_on=dt.date(2026, 1, 2))
    f.make_assessment(
        people[0],
        competences[0],
        kind=AssessmentKind.CORRECTION,
        level="supervised",
        supersedes=first,
        assessed_on=dt.date(2026, 1, 5),
        reason="Wrong level.",
    )
    f.make_assessment(
        people[1], competences[2], assessed_on=dt.date(2025, 3, 1), expires_on=dt.date(2026, 3, 1)
    )
    f.make_assessment(people[1], competences[3], assessed_on=dt.date(2025, 3, 1))
    f.make_assessment(people[2], left_out)
    f.make_assessment(stranger, competences[0])
    SignOffRequest.objects.create(person=people[0], competence=competences[1])
    SignOffRequest.objects.create(person=people[2], competence=competences[2], status=RequestStatus.RETURNED)
    SignOffRequest.objects.create(person=people[1], competence=competences[1], status=RequestStatus.CANCELLED)
    f.make_evidence(people[2], competences[3], left_out)
    f.make_evidence(stranger, competences[3])

    ids = [p.pk for p in people]
    keys = {(c.framework_id, c.identifier) for c in competences}
    assessments, requests, evidence = status._read_records(ids, keys)

    a = status.ASSESSMENT
    got = [
        {
            **a.named(row),
            "identifier": uuid.UUID(row[a["identifier"]]),
            "assessed_on": _day(row[a["assessed_on"]]),
            "expires_on": _day(row[a["expires_on"]]),
        }
        for row in assessments
    ]
    in_keys = status.key_filter("", keys, identifier_field="competence_identifier")
    expected = list(
        Assessment.objects.filter(in_keys, person_id__in=ids)
        .order_by("assessed_on", "id")
        .values(
            "id",
            "person_id",
            "framework_id",
            "content_hash",
            "kind",
            "level",
            "level_rank",
            "assessed_on",
            "expires_on",
            "assessor_name",
            "supersedes_id",
            identifier=F("competence_identifier"),
        )
    )
    assert got == expected and len(got) == 4

    def request_view(row: tuple[Any, ...]) -> dict[str, Any]:
        return {**status.REQUEST.named(row), "identifier": uuid.UUID(row[status.REQUEST["identifier"]])}

    expected_requests = SignOffRequest.objects.filter(
        status.key_filter("competence__", keys),
        person_id__in=ids,
        status__in=[RequestStatus.OPEN, RequestStatus.RETURNED],
    ).values(
        "person_id",
        "status",
        framework_id=F("competence__framework_id"),
        identifier=F("competence__identifier"),
    )
    assert sorted(map(request_view, requests), key=repr) == sorted(expected_requests, key=repr)
    assert len(requests) == 2

    def evidence_view(row: tuple[Any, ...]) -> dict[str, Any]:
        return {**status.EVIDENCE.named(row), "identifier": uuid.UUID(row[status.EVIDENCE["identifier"]])}

    expected_evidence = EvidenceLink.objects.filter(
        status.key_filter("competence__", keys), evidence__person_id__in=ids
    ).values(
        person_id=F("evidence__person_id"),
        framework_id=F("competence__framework_id"),
        identifier=F("competence__identifier"),
    )
    assert sorted(map(evidence_view, evidence), key=repr) == sorted(expected_evidence, key=repr)
    assert len(evidence) == 1
