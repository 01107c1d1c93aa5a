"""The lean reads behind the team matrix and the API's delegation check (issue 3's performance targets) give the
same answers as the general ones: `status.summaries` against `status.statuses`, a protocol's requirements as
the rules read them (`delegation.protocol_rules`, plain columns) against whole prefetched rows, and an API
token's teams."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cultivate.accounts import testing as t
from cultivate.accounts.models import Role
from cultivate.accounts.services import api_token_authenticate, api_token_create
from cultivate.frameworks.models import Competence, Framework
from cultivate.portfolio import delegation, status
from cultivate.portfolio.models import AssessmentKind, ProtocolRequirement, RequestStatus, SignOffRequest
from cultivate.portfolio.status import State

from . import delegation_factories as df
from . import portfolio_factories as f

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 6, 15)
CUSTOM_LEVELS = [
    {"code": "aware", "label": "Aware"},
    {"code": "capable", "label": "Capable"},
    {"code": "expert", "label": "Expert"},
]


def _shown(result: status.CompetenceStatus) -> status.Summary:
    """What the matrix shows of a full status: the expiry date only for expiring and expired sign-offs."""
    dated = result.state in (State.EXPIRING, State.EXPIRED)
    return (result.state, result.level, result.level_rank, result.expires_on if dated else None)


def test_summaries_agree_with_statuses_in_every_state() -> None:
    org = t.make_organisation()
    team = t.make_team(org, "Birch Ward")
    frameworks = [f.make_framework(), f.make_framework(levels=CUSTOM_LEVELS)]
    competences = [f.make_competence(fw, reassess_months=12) for fw in frameworks for _ in range(5)]
    people = [t.make_person(org, team=team) for _ in range(7)]
    for i, person in enumerate(people):
        for j, competence in enumerate(competences):
            case = (i * 3 + j) % 11
            level = competence.framework.level_list[-1]["code"]
            if case == 1:
                f.make_evidence(person, competence)
            elif case == 2:
                SignOffRequest.objects.create(person=person, competence=competence)
            elif case == 3:
                SignOffRequest.objects.create(
                    person=person, competence=competence, status=RequestStatus.RETURNED
                )
            elif case == 4:  # achieved, no expiry
                f.make_assessment(person, competence, level=level, assessed_on=dt.date(2026, 1, 1))
            elif case == 5:  # expiring soon
                f.make_assessment(
                    person, competence, level=level, assessed_on=dt.date(2025, 7, 1), expires_on=TODAY
                )
            elif case == 6:  # expired, and asked again
                f.make_assessment(
                    person,
                    competence,
                    level=level,
                    assessed_on=dt.date(2025, 1, 1),
                    expires_on=dt.date(2026, 1, 1),
                )
                SignOffRequest.objects.create(person=person, competence=competence)
            elif case == 7:  # expired
                f.make_assessment(
                    person,
                    competence,
                    level=level,
                    assessed_on=dt.date(2025, 1, 1),
                    expires_on=dt.date(2026, 1, 1),
                )
            elif case == 8:  # corrected to a lower level
                first = f.make_assessment(person, competence, level=level, assessed_on=dt.date(2026, 2, 1))
                lowest = competence.framework.level_list[0]["code"]
                f.make_assessment(
                    person,
                    competence,
                    level=lowest,
                    assessed_on=dt.date(2026, 3, 1),
                    kind=AssessmentKind.CORRECTION,
                    reason="Recorded at the wrong level.",
                    supersedes=first,
                )
            elif case == 9:  # withdrawn, with evidence under way
                first = f.make_assessment(person, competence, level=level, assessed_on=dt.date(2026, 2, 1))
                f.make_assessment(
                    person,
                    competence,
                    assessed_on=dt.date(2026, 3, 1),
                    kind=AssessmentKind.WITHDRAWAL,
                    reason="Signed off in error.",
                    supersedes=first,
                )
                f.make_evidence(person, competence)
            elif case == 10:  # signed off after the day asked about
                f.make_assessment(person, competence, level=level, assessed_on=TODAY + dt.timedelta(days=3))
    # A reworded competence: its sign-offs need reassessing.
    f.publish_new_version(frameworks[1], {competences[6].identifier: {"title": "Reworded"}})
    ids = [p.pk for p in people]
    published = [f.current_row(c) for c in competences]
    for rows, is_published in ((competences, False), (published, True)):
        full = status.statuses(ids, rows, on=TODAY, published=is_published)
        lean = status.summaries(ids, rows, on=TODAY, published=is_published)
        # Every state is exercised (below the level needed is a status read against a requirement: `against`).
        assert {_shown(result)[0] for result in full.values()} == set(State) - {State.BELOW_LEVEL}
        for key, result in full.items():
            assert lean.get(key, (State.NOT_STARTED, "", 0, None)) == _shown(result), key
        # Cells not started are left out.
        assert set(lean) == {key for key, result in full.items() if result.state != State.NOT_STARTED}


def test_summaries_expiring_window_and_empty_inputs(django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    org = t.make_organisation()
    person = t.make_person(org, team=t.make_team(org, "Ward"))
    competence = f.make_competence(f.make_framework())
    f.make_assessment(
        person, competence, assessed_on=dt.date(2025, 6, 1), expires_on=TODAY + dt.timedelta(days=50)
    )
    key = (person.pk, competence.pk)
    assert status.summaries([person.pk], [competence], on=TODAY)[key][0] == State.ACHIEVED
    wide = status.summaries([person.pk], [competence], on=TODAY, expiring_days=60)[key]
    assert wide == (State.EXPIRING, "independent", 3, TODAY + dt.timedelta(days=50))
    with django_assert_num_queries(0):
        assert status.summaries([], [competence], on=TODAY) == {}
        assert status.summaries([person.pk], [], on=TODAY) == {}


def _requirement_view(requirement: delegation.RequiredCompetence) -> tuple[object, ...]:
    competence = requirement.competence
    return (
        requirement.ref,
        requirement.min_level,
        requirement.min_rank,
        requirement.min_label,
        requirement.framework.pk,
        requirement.framework.title,
        requirement.framework.level_list,
        competence.pk,
        competence.framework_id,
        competence.identifier,
        competence.content_hash,
        competence.version.pk,
        competence.version.number,
        competence.version.status,
    )


def test_the_checks_requirements_are_the_prefetched_ones_and_follow_changes() -> None:
    org = t.make_organisation()
    plain, custom = f.make_framework("Plain"), f.make_framework("Custom levels", levels=CUSTOM_LEVELS)
    a = f.make_competence(plain, code="B2", short_title="Glucose")
    b = f.make_competence(custom, code="A1")
    c = f.make_competence(plain, code="C3")
    protocol = df.make_protocol(org, requirements=[(a, "supervised"), (b, "capable"), (c, "independent")])

    def both() -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
        prefetched = delegation.protocol_by_id(protocol.pk)
        assert prefetched is not None
        return (
            [
                _requirement_view(delegation.required_competence(r.competence, r.min_level))
                for r in prefetched.requirements.all()
            ],
            [_requirement_view(r) for r in delegation.protocol_rules([prefetched])[0].requirements],
        )

    expected, got = both()
    assert got == expected
    assert [view[0].code for view in got] == ["A1", "B2", "C3"]  # type: ignore[attr-defined]
    assert [view[3] for view in got] == ["Capable", "Supervised", "Independent"]
    # Every change is read at once: a level, a framework's level labels, a new published version.
    ProtocolRequirement.objects.filter(protocol=protocol, competence=a).update(min_level="independent")
    Framework.objects.filter(pk=custom.pk).update(
        levels=[{"code": "aware", "label": "Aware"}, {"code": "capable", "label": "Able"}]
    )
    f.publish_new_version(plain)
    expected, got = both()
    assert got == expected
    assert [view[3] for view in got] == ["Able", "Independent", "Independent"]
    assert {view[13] for view in got if view[4] == plain.pk} == {"retired"}
    # The models made from the columns read load any other field when asked.
    competence = delegation.protocol_rules([protocol])[0].requirements[0].competence
    assert competence.description == Competence.objects.get(pk=competence.pk).description


def test_a_token_brings_its_roles_teams() -> None:
    org = t.make_organisation()
    birch, cedar, other = t.make_team(org, "Birch"), t.make_team(org, "Cedar"), t.make_team(org, "Ash")
    user = t.make_user(Role.LINE_MANAGER, organisation=org, teams=[cedar, birch])
    membership = user.memberships.get()
    _, secret = api_token_create(user=user, membership=membership, name="Tests")
    token = api_token_authenticate(secret)
    assert token is not None
    with CaptureQueriesContext(connection) as reads:
        assert list(token.membership.teams.all()) == [birch, cedar]
    assert reads.captured_queries == []
    # Changing the teams through the manager forgets what was read, as a prefetch would.
    token.membership.teams.set([other])
    assert list(token.membership.teams.all()) == [other]
