"""The access matrix: every page and API endpoint, each role of organisation A, against objects of A and of B.

Organisation A and C are in one alliance, B in another. Every cross-organisation read or write must be refused
(403 or 404) and the refusal audited; inside A each role sees exactly its scope."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection
from django.http.response import HttpResponseBase
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cultivate.accounts import services as account_services
from cultivate.accounts import testing as t
from cultivate.accounts.models import Role
from cultivate.core.audit_actions import CoreAction
from cultivate.core.models import AuditEvent, Notification
from cultivate.learning import testing as learning
from cultivate.learning.models import (
    DevelopmentPlan,
    EnrolmentStatus,
    Evaluation,
    PlanGoal,
    SupervisionMeeting,
)
from cultivate.learning.support_models import FlexibleWorkingRequest, IncidentSupport
from cultivate.pathways import testing as pathways_testing
from cultivate.pathways.models import Step, StepRequirement
from cultivate.portfolio.models import SignOffRequest
from cultivate.portfolio.tests.delegation_factories import make_protocol
from cultivate.portfolio.tests.portfolio_factories import (
    make_assessment,
    make_competence,
    make_evidence,
    make_framework,
)
from cultivate.programmes.models import PartnerGroup, Post
from cultivate.programmes.testing import make_participant, make_programme, make_session

pytestmark = pytest.mark.django_db

ROLES = [r.value for r in Role]
OK = 200
REFUSED = (403, 404)


@dataclass
class World:
    objects: dict[str, Any]
    users: dict[str, Any]
    tokens: dict[str, str]


@pytest.fixture
def world() -> World:
    alliance = t.make_alliance("North Alliance")
    other_alliance = t.make_alliance("South Alliance")
    org_a = t.make_organisation("RAA", alliance=alliance)
    org_b = t.make_organisation("RBB", alliance=other_alliance)
    team_a1, team_a2 = t.make_team(org_a, "A ward 1"), t.make_team(org_a, "A ward 2")
    team_b1 = t.make_team(org_b, "B ward 1")
    person_a1 = t.make_person(org_a, team=team_a1, given_name="Ada")
    person_a2 = t.make_person(org_a, team=team_a2, given_name="Ash")
    person_b1 = t.make_person(org_b, team=team_b1, given_name="Bea")
    users = {
        Role.SUPPORT_WORKER: t.make_user(Role.SUPPORT_WORKER, organisation=org_a, person=person_a1),
        Role.LINE_MANAGER: t.make_user(
            Role.LINE_MANAGER,
            organisation=org_a,
            teams=[team_a1],
            person=t.make_person(org_a, team=team_a1, band="6"),
        ),
        Role.ASSESSOR: t.make_user(Role.ASSESSOR, organisation=org_a, teams=[team_a1]),
        Role.EDUCATOR: t.make_user(Role.EDUCATOR, organisation=org_a),
        Role.ANALYST: t.make_user(Role.ANALYST, organisation=org_a),
        Role.ORG_ADMIN: t.make_user(Role.ORG_ADMIN, organisation=org_a),
        Role.ALLIANCE_ADMIN: t.make_user(Role.ALLIANCE_ADMIN, alliance=alliance),
    }
    user_b = t.make_user(Role.SUPPORT_WORKER, organisation=org_b, person=person_b1)
    t.make_user(Role.ORG_ADMIN, organisation=org_b)
    tokens = {}
    for role, user in users.items():
        _token, secret = account_services.api_token_create(
            user=user, membership=user.memberships.get(), name="matrix"
        )
        tokens[role] = secret
    objects = {
        "org_a": org_a,
        "org_b": org_b,
        "team_a1": team_a1,
        "team_a2": team_a2,
        "team_b1": team_b1,
        "person_a1": person_a1,
        "person_a2": person_a2,
        "person_b1": person_b1,
        "user_a": users[Role.SUPPORT_WORKER],
        "user_b": user_b,
        "membership_b": user_b.memberships.get(),
    }
    for side, org in (("a", org_a), ("b", org_b)):
        framework = make_framework(f"Framework of {org.ods_code}", owner_organisation=org)
        competence = make_competence(framework, "Takes capillary blood glucose readings")
        objects[f"framework_{side}"] = framework
        objects[f"competence_{side}"] = competence
        objects[f"protocol_{side}"] = make_protocol(org, requirements=[(competence, "independent")])
    # B's records that pages and the API fetch by id, for the cross-organisation probes.
    competence_b = objects["competence_b"]
    objects["evidence_b"] = make_evidence(person_b1, competence_b)
    objects["request_b"] = SignOffRequest.objects.create(
        person=person_b1, competence=competence_b, requested_by=user_b
    )
    objects["assessment_b"] = make_assessment(person_b1, competence_b)
    objects["notification_b"] = Notification.objects.create(user=user_b, title="Yours", url="/")
    objects["token_b"], _secret = account_services.api_token_create(
        user=user_b, membership=user_b.memberships.get(), name="theirs"
    )
    objects["spell_b"] = person_b1.spells.get()
    # Career pathways: each organisation's own pathway and step, and a qualification and apprenticeship each.
    for side, org, person in (("a", org_a, person_a1), ("b", org_b, person_b1)):
        pathway = pathways_testing.make_pathway(f"Route of {org.ods_code}", owner_organisation=org)
        objects[f"pathway_{side}"] = pathway
        objects[f"step_{side}"] = Step.objects.create(pathway=pathway, code="first", title="First step")
        objects[f"qualification_{side}"] = pathways_testing.make_qualification(
            person, "care_certificate", confirmed=side == "a"
        )
        objects[f"apprenticeship_{side}"] = pathways_testing.make_apprenticeship(person)
        objects[f"waiting_qualification_{side}"] = pathways_testing.make_qualification(
            person, "diploma_l3", confirmed=False
        )
        objects[f"requirement_{side}"] = StepRequirement.objects.create(
            step=objects[f"step_{side}"], kind="band", band="3", evidenced_by="Staff record"
        )
    # Learning: an offer with a session and a mandatory subject on each side; B's enrolment and completion.
    for side, org in (("a", org_a), ("b", org_b)):
        offer = learning.make_offer(org, develops=[objects[f"competence_{side}"]])
        objects[f"offer_{side}"] = offer
        objects[f"session_{side}"] = learning.make_session(offer)
        objects[f"subject_{side}"] = learning.make_subject(org, "Fire safety")
    objects["enrolment_b"] = objects["session_b"].enrolments.create(
        person=person_b1, status=EnrolmentStatus.BOOKED
    )
    objects["completion_b"] = learning.make_completion(
        person_b1, offer=objects["offer_b"], on=dt.date(2025, 1, 15)
    )
    # Development plans and supervision: each side's worker has a plan with a goal, and a supervision meeting
    # with their team's line manager (B's made here), with a private note.
    manager_b = t.make_user(
        Role.LINE_MANAGER, organisation=org_b, teams=[team_b1], person=t.make_person(org_b, team=team_b1)
    )
    for side, person, supervisor in (
        ("a", person_a1, users[Role.LINE_MANAGER]),
        ("b", person_b1, manager_b),
    ):
        plan = DevelopmentPlan.objects.create(
            person=person, starts_on=dt.date(2026, 1, 1), review_on=dt.date(2027, 1, 1)
        )
        objects[f"goal_{side}"] = PlanGoal.objects.create(
            plan=plan, text="Learn", offer=objects[f"offer_{side}"]
        )
        objects[f"meeting_{side}"] = SupervisionMeeting.objects.create(
            person=person, supervisor=supervisor, held_on=dt.date(2026, 2, 1), private_note="Between us"
        )
    objects["completion_a"] = learning.make_completion(
        person_a1, offer=objects["offer_a"], on=dt.date(2025, 1, 15)
    )
    Evaluation.objects.create(completion=objects["completion_a"], rating=4)
    # Support at work: each side's worker has a request for flexible working and a post-incident support record.
    for side, person in (("a", person_a1), ("b", person_b1)):
        objects[f"flexible_{side}"] = FlexibleWorkingRequest.objects.create(
            person=person,
            pattern="Four long days",
            start_on=dt.date(2026, 3, 1),
            made_on=dt.date(2026, 1, 10),
            decision_due_on=dt.date(2026, 3, 9),
            decision="approved",
            decided_on=dt.date(2026, 2, 1),
        )
        objects[f"support_{side}"] = IncidentSupport.objects.create(
            person=person,
            incident_on=dt.date(2026, 1, 5),
            kind="verbal",
            source="public",
            follow_up_on=dt.date(2026, 1, 20),
        )
    # Programmes: each organisation runs one (open), with a cohort in which its support worker has a place.
    for side, org, person, author in (
        ("a", org_a, person_a1, users[Role.SUPPORT_WORKER]),
        ("b", org_b, person_b1, user_b),
    ):
        programme = make_programme(organisation=org)
        cohort = programme.cohorts.get()
        participant = make_participant(cohort, person)
        participant.partner_group = PartnerGroup.objects.create(cohort=cohort)
        participant.save()
        objects[f"programme_{side}"] = programme
        objects[f"cohort_{side}"] = cohort
        objects[f"participant_{side}"] = participant
        objects[f"application_{side}"] = participant.application
        objects[f"programme_session_{side}"] = make_session(programme)
        objects[f"post_{side}"] = Post.objects.create(
            cohort=cohort, author=author, kind="discussion", body="Hi"
        )
        objects[f"group_{side}"] = participant.partner_group
    return World(objects=objects, users=users, tokens=tokens)


# Every role held in organisation A (not the alliance admin, who acts for the alliance).
ORG_ROLES = set(ROLES) - {Role.ALLIANCE_ADMIN}

# Workforce insights dashboards (aggregates): not support workers or educators.
INSIGHTS_ROLES = {Role.ORG_ADMIN, Role.ANALYST, Role.ALLIANCE_ADMIN, Role.LINE_MANAGER, Role.ASSESSOR}

# Career pathways records (qualifications, results, apprenticeships, readiness): the worker, their line
# manager, and the organisation's educators and admins; not assessors or analysts.
RECORD_ROLES = {Role.ORG_ADMIN, Role.EDUCATOR, Role.LINE_MANAGER, Role.SUPPORT_WORKER}
PATHWAY_EDITORS = {Role.ORG_ADMIN, Role.EDUCATOR}

# (name, url template, roles allowed on A's object, object in B that no role of A may reach)
PAGES: list[tuple[str, str, set[str]]] = [
    ("pathway", "/pathways/{pathway.pk}/", ORG_ROLES),
    ("pathway step new", "/pathways/{pathway.pk}/steps/new/", PATHWAY_EDITORS),
    ("pathway step edit", "/pathways/{pathway.pk}/steps/{step.pk}/edit/", PATHWAY_EDITORS),
    ("pathway requirement new", "/pathways/{pathway.pk}/steps/{step.pk}/requirements/new/", PATHWAY_EDITORS),
    ("pathway record in team 1", "/pathways/people/{person1.pk}/", RECORD_ROLES),
    ("pathway record in team 2", "/pathways/people/{person2.pk}/", {Role.ORG_ADMIN, Role.EDUCATOR}),
    ("step readiness", "/pathways/people/{person1.pk}/steps/{step.pk}/", RECORD_ROLES),
    (
        "qualification new",
        "/pathways/people/{person1.pk}/qualifications/new/",
        {Role.ORG_ADMIN, Role.EDUCATOR, Role.SUPPORT_WORKER},
    ),
    ("skills result new", "/pathways/people/{person1.pk}/skills/new/", {Role.EDUCATOR}),
    (
        "qualification edit",
        "/pathways/qualifications/{waiting_qualification.pk}/edit/",
        {Role.ORG_ADMIN, Role.EDUCATOR, Role.SUPPORT_WORKER},
    ),
    (
        "requirement edit",
        "/pathways/{pathway.pk}/steps/{step.pk}/requirements/{requirement.pk}/edit/",
        PATHWAY_EDITORS,
    ),
    ("apprenticeship new", "/pathways/people/{person1.pk}/apprenticeships/new/", PATHWAY_EDITORS),
    (
        "qualification supersede",
        "/pathways/qualifications/{qualification.pk}/supersede/",
        {Role.ORG_ADMIN, Role.EDUCATOR, Role.SUPPORT_WORKER},
    ),
    ("apprenticeship", "/pathways/apprenticeships/{apprenticeship.pk}/", RECORD_ROLES),
    ("apprenticeship epa", "/pathways/apprenticeships/{apprenticeship.pk}/epa/", PATHWAY_EDITORS),
    (
        "organisation readiness",
        "/pathways/organisations/{org.ods_code}/readiness/",
        {Role.ORG_ADMIN, Role.EDUCATOR, Role.LINE_MANAGER},
    ),
    (
        "apprenticeship outcomes",
        "/pathways/organisations/{org.ods_code}/apprenticeships/",
        {Role.ORG_ADMIN, Role.EDUCATOR, Role.ANALYST, Role.ALLIANCE_ADMIN},
    ),
    (
        "ready people's progression",
        "/pathways/organisations/{org.ods_code}/progression/",
        {Role.ORG_ADMIN, Role.EDUCATOR, Role.ANALYST, Role.ALLIANCE_ADMIN},
    ),
    (
        "ready people's progression export",
        "/pathways/organisations/{org.ods_code}/progression.xlsx",
        {Role.ORG_ADMIN, Role.EDUCATOR, Role.ANALYST, Role.ALLIANCE_ADMIN},
    ),
    ("staff list", "/organisations/{org.ods_code}/staff/", {Role.ORG_ADMIN}),
    (
        "organisation",
        "/organisations/{org.ods_code}/",
        {Role.ORG_ADMIN, Role.ANALYST, Role.EDUCATOR, Role.ALLIANCE_ADMIN},
    ),
    ("import", "/organisations/{org.ods_code}/import/", {Role.ORG_ADMIN}),
    (
        "person in team 1",
        "/people/{person1.pk}/",
        {Role.ORG_ADMIN, Role.LINE_MANAGER, Role.ASSESSOR, Role.SUPPORT_WORKER},
    ),
    ("person in team 2", "/people/{person2.pk}/", {Role.ORG_ADMIN}),
    (
        "portfolio in team 1",
        "/people/{person1.pk}/portfolio/",
        {Role.ORG_ADMIN, Role.LINE_MANAGER, Role.ASSESSOR, Role.SUPPORT_WORKER},
    ),
    ("portfolio in team 2", "/people/{person2.pk}/portfolio/", {Role.ORG_ADMIN}),
    ("team competence", "/teams/{team1.pk}/competence/", {Role.ORG_ADMIN, Role.LINE_MANAGER, Role.ASSESSOR}),
    (
        "team competence export",
        "/teams/{team1.pk}/competence/export.csv",
        {Role.ORG_ADMIN, Role.LINE_MANAGER, Role.ASSESSOR},
    ),
    ("team delegation", "/teams/{team1.pk}/delegation/", {Role.ORG_ADMIN, Role.LINE_MANAGER, Role.ASSESSOR}),
    ("organisation framework", "/frameworks/{framework.identifier}/", ORG_ROLES),
    # An alliance admin may read member organisations' requirements (the alliance's framework is behind them).
    (
        "role requirements",
        "/frameworks/organisations/{org.ods_code}/requirements/",
        ORG_ROLES | {Role.ALLIANCE_ADMIN},
    ),
    ("delegation protocol", "/delegation/protocols/{protocol.pk}/", ORG_ROLES),
    # Alliance admins look after admins only, not the staff of member organisations.
    ("managed user", "/accounts/users/{user.pk}/", {Role.ORG_ADMIN}),
    ("insights dashboard", "/insights/organisations/{org.ods_code}/dashboards/overview/", INSIGHTS_ROLES),
    ("insights retention", "/insights/organisations/{org.ods_code}/dashboards/retention/", INSIGHTS_ROLES),
    ("team insights", "/insights/teams/{team1.pk}/dashboards/sickness/", INSIGHTS_ROLES),
    # Workforce data import and job titles: the organisation's own admins and analysts only.
    ("insights import", "/insights/organisations/{org.ods_code}/import/", {Role.ORG_ADMIN, Role.ANALYST}),
    (
        "job title review",
        "/insights/organisations/{org.ods_code}/job-titles/",
        {Role.ORG_ADMIN, Role.ANALYST},
    ),
    (
        "job titles per role",
        "/insights/organisations/{org.ods_code}/job-titles/roles/",
        {Role.ORG_ADMIN, Role.ANALYST},
    ),
    # The board report covers whole organisations: not the team roles that see dashboards of their teams.
    (
        "board report",
        "/insights/report/?organisation={org.ods_code}",
        {Role.ORG_ADMIN, Role.ANALYST, Role.ALLIANCE_ADMIN},
    ),
    # Learning: offers and sessions are seen across the organisation and by its alliance's admins.
    ("learning offer", "/learning/offers/{offer.pk}/", set(ROLES)),
    ("learning session", "/learning/sessions/{session.pk}/", set(ROLES)),
    ("learning add session", "/learning/offers/{offer.pk}/sessions/new/", {Role.EDUCATOR, Role.ORG_ADMIN}),
    (
        "learning offer competences",
        "/learning/offers/{offer.pk}/competences/",
        {Role.EDUCATOR, Role.ORG_ADMIN},
    ),
    (
        "learning book",
        "/learning/sessions/{session.pk}/book/",
        {Role.LINE_MANAGER, Role.EDUCATOR, Role.ORG_ADMIN},
    ),
    (
        "learning person in team 1",
        "/learning/people/{person1.pk}/",
        {Role.ORG_ADMIN, Role.LINE_MANAGER, Role.ASSESSOR, Role.SUPPORT_WORKER, Role.EDUCATOR},
    ),
    ("learning person in team 2", "/learning/people/{person2.pk}/", {Role.ORG_ADMIN, Role.EDUCATOR}),
    (
        "learning team",
        "/learning/teams/{team1.pk}/",
        {Role.ORG_ADMIN, Role.LINE_MANAGER, Role.ASSESSOR, Role.EDUCATOR},
    ),
    (
        "learning compliance",
        "/learning/organisations/{org.ods_code}/compliance/",
        {Role.EDUCATOR, Role.ORG_ADMIN, Role.ANALYST, Role.ALLIANCE_ADMIN},
    ),
    (
        "learning gaps",
        "/learning/organisations/{org.ods_code}/gaps/",
        {Role.EDUCATOR, Role.ORG_ADMIN, Role.ANALYST, Role.ALLIANCE_ADMIN},
    ),
    (
        "learning gaps export",
        "/learning/organisations/{org.ods_code}/gaps.xlsx",
        {Role.EDUCATOR, Role.ORG_ADMIN, Role.ANALYST, Role.ALLIANCE_ADMIN},
    ),
    (
        "learning subjects",
        "/learning/organisations/{org.ods_code}/mandatory/",
        {Role.EDUCATOR, Role.ORG_ADMIN},
    ),
    ("learning subject", "/learning/subjects/{subject.pk}/", {Role.EDUCATOR, Role.ORG_ADMIN}),
    ("learning import", "/learning/organisations/{org.ods_code}/import/", {Role.EDUCATOR, Role.ORG_ADMIN}),
    (
        "learning reports",
        "/learning/organisations/{org.ods_code}/reports/",
        {Role.EDUCATOR, Role.ORG_ADMIN, Role.ANALYST, Role.ALLIANCE_ADMIN},
    ),
    # Development plans and supervision: the worker and their supervisor (a line manager of their team) only;
    # counts for those who read the organisation's learning figures.
    (
        "plan of person in team 1",
        "/learning/people/{person1.pk}/plan/",
        {Role.SUPPORT_WORKER, Role.LINE_MANAGER},
    ),
    ("plan of person in team 2", "/learning/people/{person2.pk}/plan/", set()),
    (
        "supervision of person in team 1",
        "/learning/people/{person1.pk}/supervision/",
        {Role.SUPPORT_WORKER, Role.LINE_MANAGER},
    ),
    ("record supervision", "/learning/people/{person1.pk}/supervision/new/", {Role.LINE_MANAGER}),
    ("record supervision in team 2", "/learning/people/{person2.pk}/supervision/new/", set()),
    (
        "plans and supervision figures",
        "/learning/organisations/{org.ods_code}/supervision/",
        {Role.EDUCATOR, Role.ORG_ADMIN, Role.ANALYST, Role.ALLIANCE_ADMIN},
    ),
    (
        "learning completion",
        "/learning/completions/{completion.pk}/",
        {Role.ORG_ADMIN, Role.LINE_MANAGER, Role.ASSESSOR, Role.SUPPORT_WORKER, Role.EDUCATOR},
    ),
    # Support at work: the worker, their line manager, and HR (admins) for flexible working only; the rates for
    # analysts, admins and the alliance's admins. Assessors and educators see none of it.
    (
        "support flexible request",
        "/learning/support/flexible/{flexible.pk}/",
        {Role.SUPPORT_WORKER, Role.LINE_MANAGER, Role.ORG_ADMIN},
    ),
    ("support flexible decide", "/learning/support/flexible/{flexible.pk}/decide/", {Role.LINE_MANAGER}),
    (
        "support incident record",
        "/learning/support/incidents/{support.pk}/",
        {Role.SUPPORT_WORKER, Role.LINE_MANAGER},
    ),
    (
        "support figures",
        "/learning/organisations/{org.ods_code}/support/",
        {Role.ANALYST, Role.ORG_ADMIN, Role.ALLIANCE_ADMIN},
    ),
    (
        "support figures export",
        "/learning/organisations/{org.ods_code}/support.csv",
        {Role.ANALYST, Role.ORG_ADMIN, Role.ALLIANCE_ADMIN},
    ),
]


def assert_not_stored(*responses: HttpResponseBase) -> None:
    """Every answer to a signed-in user (or a token), refusals included, tells browsers and proxies to keep no
    copy: shared ward computers (cultivate.core.middleware.NoStoreForSignedInMiddleware)."""
    for response in responses:
        assert response["Cache-Control"] == "no-store, private", response.wsgi_request.path


def _client_for(world: World, role: str) -> Client:
    client = Client()
    client.force_login(world.users[role])
    return client


def _format(url: str, world: World, side: str) -> str:
    o = world.objects
    if side == "a":
        return url.format(
            org=o["org_a"],
            person1=o["person_a1"],
            person2=o["person_a2"],
            user=o["user_a"],
            team1=o["team_a1"],
            framework=o["framework_a"],
            protocol=o["protocol_a"],
            spell=o["person_a1"].spells.get(),
            pathway=o["pathway_a"],
            step=o["step_a"],
            qualification=o["qualification_a"],
            waiting_qualification=o["waiting_qualification_a"],
            requirement=o["requirement_a"],
            apprenticeship=o["apprenticeship_a"],
            offer=o["offer_a"],
            session=o["session_a"],
            subject=o["subject_a"],
            meeting=o["meeting_a"],
            flexible=o["flexible_a"],
            support=o["support_a"],
            completion=o["completion_a"],
        )
    return url.format(
        org=o["org_b"],
        person1=o["person_b1"],
        person2=o["person_b1"],
        user=o["user_b"],
        team1=o["team_b1"],
        framework=o["framework_b"],
        protocol=o["protocol_b"],
        spell=o["spell_b"],
        pathway=o["pathway_b"],
        step=o["step_b"],
        qualification=o["qualification_b"],
        waiting_qualification=o["waiting_qualification_b"],
        requirement=o["requirement_b"],
        apprenticeship=o["apprenticeship_b"],
        offer=o["offer_b"],
        session=o["session_b"],
        subject=o["subject_b"],
        meeting=o["meeting_b"],
        flexible=o["flexible_b"],
        support=o["support_b"],
        completion=o["completion_b"],
    )


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "url", "allowed"), PAGES, ids=[p[0] for p in PAGES])
def test_page_matrix(world: World, role: str, name: str, url: str, allowed: set[str]) -> None:
    client = _client_for(world, role)
    own = client.get(_format(url, world, "a"))
    if role in allowed:
        assert own.status_code == OK, f"{role} should see {name} of their organisation"
    else:
        assert own.status_code in REFUSED, f"{role} should not see {name}"
    before = AuditEvent.objects.filter(action=CoreAction.PERMISSION_DENIED).count()
    other = client.get(_format(url, world, "b"))
    assert other.status_code in REFUSED, f"{role} of A reached {name} of B"
    assert_not_stored(own, other)
    after = AuditEvent.objects.filter(action=CoreAction.PERMISSION_DENIED).count()
    assert after == before + 1, "the cross-organisation refusal must be audited"


ROLE_PAGES = [
    ("/team/", {Role.LINE_MANAGER, Role.ASSESSOR}),
    ("/accounts/users/", {Role.ORG_ADMIN, Role.ALLIANCE_ADMIN}),
    ("/audit/", {Role.ORG_ADMIN, Role.ALLIANCE_ADMIN}),
    ("/organisations/", set(ROLES)),
    ("/me/", set(ROLES)),
    ("/", set(ROLES)),
    ("/accounts/", set(ROLES)),
    ("/portfolio/", set(ROLES)),
    ("/notifications/", set(ROLES)),
    ("/notifications/settings/", set(ROLES)),
    ("/assessments/", {Role.ASSESSOR}),
    ("/teams/", {Role.ORG_ADMIN, Role.LINE_MANAGER, Role.ASSESSOR}),
    ("/delegation/protocols/", ORG_ROLES),
    ("/delegation/check/", ORG_ROLES),
    ("/frameworks/", set(ROLES)),
    ("/insights/alliance/dashboards/overview/", {Role.ALLIANCE_ADMIN}),
    ("/insights/alliance/member-trusts/", {Role.ALLIANCE_ADMIN}),
    ("/pathways/", set(ROLES)),
    ("/pathways/me/", set(ROLES)),
    ("/learning/", set(ROLES)),
    ("/learning/offers/", set(ROLES)),
    ("/learning/requests/", {Role.LINE_MANAGER, Role.EDUCATOR, Role.ORG_ADMIN}),
    ("/learning/teams/", {Role.LINE_MANAGER, Role.ASSESSOR, Role.EDUCATOR, Role.ORG_ADMIN}),
    ("/learning/plan/", {Role.SUPPORT_WORKER, Role.LINE_MANAGER}),
    ("/learning/plan/dates/", {Role.SUPPORT_WORKER, Role.LINE_MANAGER}),
    ("/learning/supervision/", {Role.LINE_MANAGER}),
    ("/learning/support/", {Role.SUPPORT_WORKER, Role.LINE_MANAGER, Role.ORG_ADMIN}),
    ("/programmes/", set(ROLES)),
    ("/programmes/mine/", set(ROLES)),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("url", "allowed"), ROLE_PAGES, ids=[p[0] for p in ROLE_PAGES])
def test_role_pages(world: World, role: str, url: str, allowed: set[str]) -> None:
    response = _client_for(world, role).get(url)
    assert_not_stored(response)
    if role in allowed:
        assert response.status_code == OK
    else:
        assert response.status_code in REFUSED
        assert AuditEvent.objects.filter(
            action=CoreAction.PERMISSION_DENIED, actor=world.users[role]
        ).exists()


@pytest.mark.parametrize("role", ROLES)
def test_reading_a_page_writes_nothing(world: World, role: str, settings: Any) -> None:
    """A page view is a read: no session save, last-login, audit or notification write (ADR 0018). On SQLite any
    write would queue the page behind a long import holding the write lock. Exports are audited on purpose."""
    settings.SESSION_REFRESH_SECONDS = 3600  # a slow run must not reach the once-a-minute session refresh
    client = _client_for(world, role)
    client.get("/")  # the first page after sign-in stores the active role and the session's save time
    urls = [
        _format(url, world, "a") for name, url, allowed in PAGES if role in allowed and "export" not in name
    ]
    urls += [url for url, allowed in ROLE_PAGES if role in allowed]
    for url in urls:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == OK, url
        writes = [
            query["sql"]
            for query in captured.captured_queries
            if query["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE", "REPLACE"))
        ]
        assert writes == [], f"GET {url} as {role} wrote to the database"


# (url template of B's objects, data): POSTs no role of A may make.
WRITES: list[tuple[str, dict[str, str]]] = [
    ("/accounts/users/{user_b.pk}/roles/new/", {"role": Role.ORG_ADMIN}),
    ("/accounts/users/{user_b.pk}/roles/{membership_b.pk}/end/", {}),
    ("/accounts/users/{user_b.pk}/deactivate/", {}),
    ("/accounts/users/{user_b.pk}/invite/", {}),
    (
        "/accounts/users/{user_b.pk}/edit/",
        {"full_name": "Changed", "registration_body": "", "registration_pin": ""},
    ),
    ("/organisations/{org_b.ods_code}/import/", {}),
    ("/frameworks/{framework_b.identifier}/versions/new/", {}),
    ("/frameworks/organisations/{org_b.ods_code}/requirements/new/", {}),
    ("/frameworks/{framework_b.identifier}/delete/", {}),
    ("/frameworks/{framework_b.identifier}/versions/1/imported/", {"action": "discard"}),
    ("/delegation/protocols/{protocol_b.pk}/edit/", {"activity": "Changed"}),
    ("/people/{person_b1.pk}/portfolio/", {}),
    ("/insights/organisations/{org_b.ods_code}/import/", {}),
    ("/insights/organisations/{org_b.ods_code}/snapshot/", {}),
    (
        "/insights/report/",
        {"organisation": "{org_b.ods_code}", "start": "2024-03", "end": "2025-03", "file_format": "html"},
    ),
    ("/pathways/qualifications/{qualification_b.pk}/confirm/", {}),
    ("/pathways/people/{person_b1.pk}/support/", {"step": "{step_b.pk}"}),
    ("/pathways/people/{person_b1.pk}/qualifications/new/", {}),
    ("/pathways/qualifications/{waiting_qualification_b.pk}/edit/", {"evidence": "Changed"}),
    (
        "/pathways/{pathway_b.pk}/steps/{step_b.pk}/requirements/{requirement_b.pk}/edit/",
        {"kind": "band", "band": "4", "evidenced_by": "Changed"},
    ),
    ("/pathways/apprenticeships/{apprenticeship_b.pk}/", {"hours": "1", "activity": "Reading"}),
    ("/pathways/{pathway_b.pk}/steps/new/", {"title": "Changed", "code": "changed"}),
    ("/learning/people/{person_b1.pk}/plan/", {"decision": "agree"}),
    ("/learning/people/{person_b1.pk}/supervision/new/", {"held_on": "2026-01-05"}),
    ("/learning/organisations/{org_b.ods_code}/supervision/", {"interval_months": "6"}),
]


def _format_b(template: str, world: World) -> str:
    return template.format(**world.objects)


@pytest.mark.parametrize("role", ROLES)
def test_cross_organisation_writes_refused(world: World, role: str) -> None:
    """No role of A may change B: not B's users, roles, or staff records."""
    client = _client_for(world, role)
    o = world.objects
    attempts = [
        (_format_b(url, world), {key: _format_b(value, world) for key, value in data.items()})
        for url, data in WRITES
    ]
    for url, data in attempts:
        before = AuditEvent.objects.filter(action=CoreAction.PERMISSION_DENIED).count()
        response = client.post(url, data)
        assert response.status_code in REFUSED, f"{role} of A could POST {url}"
        assert AuditEvent.objects.filter(action=CoreAction.PERMISSION_DENIED).count() == before + 1
    o["user_b"].refresh_from_db()
    o["membership_b"].refresh_from_db()
    assert o["user_b"].is_active and o["user_b"].full_name != "Changed"
    assert o["membership_b"].is_current
    assert o["user_b"].memberships.count() == 1
    assert o["framework_b"].versions.count() == 1
    o["protocol_b"].refresh_from_db()
    assert o["protocol_b"].activity != "Changed"


API = [
    (
        "/api/organisations/{org.ods_code}",
        {
            Role.ORG_ADMIN,
            Role.ANALYST,
            Role.EDUCATOR,
            Role.LINE_MANAGER,
            Role.ASSESSOR,
            Role.SUPPORT_WORKER,
            Role.ALLIANCE_ADMIN,
        },
    ),
    (
        "/api/organisations/{org.ods_code}/teams",
        {Role.ORG_ADMIN, Role.ANALYST, Role.EDUCATOR, Role.LINE_MANAGER, Role.ASSESSOR, Role.ALLIANCE_ADMIN},
    ),
    ("/api/people/{person1.pk}", {Role.ORG_ADMIN, Role.LINE_MANAGER, Role.ASSESSOR, Role.SUPPORT_WORKER}),
    (
        "/api/people/{person1.pk}/spells",
        {Role.ORG_ADMIN, Role.LINE_MANAGER, Role.ASSESSOR, Role.SUPPORT_WORKER},
    ),
    ("/api/people/{person2.pk}", {Role.ORG_ADMIN}),
    ("/api/frameworks/{framework.identifier}", ORG_ROLES),
    (
        "/api/teams/{team1.pk}",
        {Role.ORG_ADMIN, Role.ANALYST, Role.EDUCATOR, Role.LINE_MANAGER, Role.ASSESSOR, Role.ALLIANCE_ADMIN},
    ),
    ("/api/spells/{spell.pk}", {Role.ORG_ADMIN, Role.LINE_MANAGER, Role.ASSESSOR, Role.SUPPORT_WORKER}),
    ("/api/organisations/{org.ods_code}/role-requirements", ORG_ROLES | {Role.ALLIANCE_ADMIN}),
    ("/api/pathways/{pathway.pk}", ORG_ROLES),
    ("/api/pathways/{pathway.pk}/steps", ORG_ROLES),
    ("/api/pathways/people/{person1.pk}/qualifications", RECORD_ROLES),
    ("/api/pathways/people/{person1.pk}/apprenticeships", RECORD_ROLES),
    ("/api/pathways/people/{person1.pk}/readiness", RECORD_ROLES),
    ("/api/learning/offers/{offer.pk}", set(ROLES)),
    ("/api/learning/sessions/{session.pk}", set(ROLES)),
    (
        "/api/learning/people/{person1.pk}/enrolments",
        {Role.ORG_ADMIN, Role.LINE_MANAGER, Role.ASSESSOR, Role.SUPPORT_WORKER, Role.EDUCATOR},
    ),
    (
        "/api/learning/people/{person1.pk}/completions",
        {Role.ORG_ADMIN, Role.LINE_MANAGER, Role.ASSESSOR, Role.SUPPORT_WORKER, Role.EDUCATOR},
    ),
    (
        "/api/learning/people/{person1.pk}/compliance",
        {Role.ORG_ADMIN, Role.LINE_MANAGER, Role.ASSESSOR, Role.SUPPORT_WORKER, Role.EDUCATOR},
    ),
    (
        "/api/learning/people/{person2.pk}/gaps",
        {Role.ORG_ADMIN, Role.EDUCATOR},
    ),
    (
        "/api/learning/organisations/{org.ods_code}/compliance",
        {Role.EDUCATOR, Role.ORG_ADMIN, Role.ANALYST, Role.ALLIANCE_ADMIN},
    ),
    ("/api/learning/people/{person1.pk}/plan", {Role.SUPPORT_WORKER, Role.LINE_MANAGER}),
    ("/api/learning/people/{person1.pk}/supervision", {Role.SUPPORT_WORKER, Role.LINE_MANAGER}),
    ("/api/learning/supervision/{meeting.pk}", {Role.SUPPORT_WORKER, Role.LINE_MANAGER}),
    ("/api/learning/offers/{offer.pk}/evaluations", {Role.EDUCATOR, Role.ORG_ADMIN, Role.ANALYST}),
    ("/api/learning/completions/{completion.pk}/evaluation", {Role.SUPPORT_WORKER}),
    (
        "/api/learning/support/flexible/{flexible.pk}",
        {Role.SUPPORT_WORKER, Role.LINE_MANAGER, Role.ORG_ADMIN},
    ),
    ("/api/learning/support/incidents/{support.pk}", {Role.SUPPORT_WORKER, Role.LINE_MANAGER}),
    (
        "/api/learning/organisations/{org.ods_code}/support",
        {Role.ANALYST, Role.ORG_ADMIN, Role.ALLIANCE_ADMIN},
    ),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("url", "allowed"), API, ids=[a[0] for a in API])
def test_api_matrix(world: World, role: str, url: str, allowed: set[str]) -> None:
    client = Client(HTTP_AUTHORIZATION=f"Bearer {world.tokens[role]}")
    own = client.get(_format(url, world, "a"))
    if role in allowed:
        assert own.status_code == OK, (role, url, own.content)
    else:
        assert own.status_code in REFUSED
    before = AuditEvent.objects.filter(action=CoreAction.PERMISSION_DENIED).count()
    other = client.get(_format(url, world, "b"))
    assert other.status_code in REFUSED, f"{role} of A reached {url} of B through the API"
    assert_not_stored(own, other)
    assert AuditEvent.objects.filter(action=CoreAction.PERMISSION_DENIED).count() == before + 1


# The programmes API: A's records by role, and B's refused (404, audited) to every role of A.
PROGRAMME_API = [
    ("/api/programmes/{{programme_{side}.pk}}", set(ROLES)),
    ("/api/programmes/{{programme_{side}.pk}}/applications", {Role.EDUCATOR}),
    (
        "/api/programmes/applications/{{application_{side}.pk}}",
        {Role.SUPPORT_WORKER, Role.EDUCATOR, Role.LINE_MANAGER},
    ),
    ("/api/programmes/cohorts/{{cohort_{side}.pk}}", {Role.EDUCATOR, Role.SUPPORT_WORKER}),
    ("/api/programmes/cohorts/{{cohort_{side}.pk}}/attendance", {Role.EDUCATOR, Role.SUPPORT_WORKER}),
    ("/api/programmes/sessions/{{programme_session_{side}.pk}}", set(ROLES)),
]
# Its writes: (method, path, body, roles let through on A's records: they get an answer other than 403/404,
# such as 409 for the worker who has already applied). B's records answer 404 (audited) to every role of A.
PROGRAMME_API_WRITES: list[tuple[str, str, dict[str, Any], set[str]]] = [
    (
        "POST",
        "/api/programmes/{programme_x.pk}/applications",
        {"statement": "Me"},
        {Role.SUPPORT_WORKER, Role.LINE_MANAGER},
    ),
    ("PUT", "/api/programmes/{programme_x.pk}/competences", {"identifiers": []}, {Role.EDUCATOR}),
    (
        "POST",
        "/api/programmes/applications/{application_x.pk}/protected-time",
        {"decision": "agree"},
        {Role.LINE_MANAGER},
    ),
    (
        "POST",
        "/api/programmes/applications/{application_x.pk}/status",
        {"status": "offered"},
        {Role.EDUCATOR},
    ),
    (
        "PUT",
        "/api/programmes/cohorts/{cohort_x.pk}/sessions/{programme_session_x.pk}/register",
        {"marks": [{"participant_id": "participant_x", "status": "present"}]},
        {Role.EDUCATOR},
    ),
    (
        "POST",
        "/api/programmes/sessions/{programme_session_x.pk}/check-in",
        {"participant_id": "participant_x", "code": "session_code_x"},
        {Role.SUPPORT_WORKER},
    ),
]


@pytest.mark.parametrize("role", ROLES)
def test_programme_api_matrix(world: World, role: str) -> None:
    client = Client(HTTP_AUTHORIZATION=f"Bearer {world.tokens[role]}")
    for template, allowed in PROGRAMME_API:
        own = client.get(template.format(side="a").format(**world.objects))
        assert (own.status_code == OK) == (role in allowed), (role, template, own.status_code)
        before = AuditEvent.objects.filter(action=CoreAction.PERMISSION_DENIED).count()
        other = client.get(template.format(side="b").format(**world.objects))
        assert other.status_code == 404, f"{role} of A reached {template} of B"
        assert AuditEvent.objects.filter(action=CoreAction.PERMISSION_DENIED).count() == before + 1
    o = world.objects
    for method, template, body, allowed in PROGRAMME_API_WRITES:
        for side in ("a", "b"):
            objects = {k[:-2] + "_x": v for k, v in o.items() if k.endswith(f"_{side}")}
            url = template.format(**objects)
            sent = {
                key: objects[value].pk
                if value == "participant_x"
                else objects["programme_session_x"].checkin_code
                if value == "session_code_x"
                else value
                for key, value in body.items()
            }
            if "marks" in body:
                sent["marks"] = [{"participant_id": objects["participant_x"].pk, "status": "present"}]
            before = AuditEvent.objects.filter(action=CoreAction.PERMISSION_DENIED).count()
            answer = getattr(client, method.lower())(url, sent, content_type="application/json")
            if side == "b":
                assert answer.status_code == 404, f"{role} of A wrote to {template} of B"
                assert AuditEvent.objects.filter(action=CoreAction.PERMISSION_DENIED).count() == before + 1
            elif role in allowed:
                assert answer.status_code not in REFUSED, (role, template, answer.content)
            else:
                assert answer.status_code in REFUSED, (role, template, answer.status_code)
    assert not o["participant_b"].attendance.exists()
    assert o["application_b"].events.count() == 0 and not o["programme_b"].competences.exists()
    listed = {p["id"] for p in client.get("/api/programmes").json()}
    assert o["programme_b"].pk not in listed and o["programme_a"].pk in listed


@pytest.mark.parametrize("role", ROLES)
def test_api_lists_stay_in_scope(world: World, role: str) -> None:
    client = Client(HTTP_AUTHORIZATION=f"Bearer {world.tokens[role]}")
    people = client.get("/api/people").json()
    items = people["items"] if isinstance(people, dict) else people
    org_codes = {item["organisation"] for item in items}
    assert "RBB" not in org_codes
    organisations = client.get("/api/organisations").json()
    codes = {
        o["ods_code"] for o in (organisations["items"] if isinstance(organisations, dict) else organisations)
    }
    assert "RBB" not in codes


# Board reports made in the background: each role of A opens the status page and the file of a (suppressed)
# report of A and of B. A's report is for the roles that may take it; B's for none of them.
BOARD_REPORT_ROLES = {Role.ORG_ADMIN, Role.ANALYST, Role.ALLIANCE_ADMIN}


@pytest.fixture
def board_reports(world: World, settings: Any, tmp_path: Any) -> dict[str, Any]:
    import datetime as dt

    from cultivate.insights.models import BoardReport, BoardReportStatus

    settings.MEDIA_ROOT = tmp_path
    reports = {}
    for side in ("a", "b"):
        org = world.objects[f"org_{side}"]
        name = f"board-reports/{side}/report.html"
        (tmp_path / name).parent.mkdir(parents=True)
        (tmp_path / name).write_text("<!doctype html><title>Report</title>", encoding="utf-8")
        reports[side] = BoardReport.objects.create(
            role=Role.ANALYST,
            organisation=org,
            organisation_codes=[org.ods_code],
            title=f"Workforce report: {org.name}",
            period_start=dt.date(2024, 3, 31),
            period_end=dt.date(2025, 3, 31),
            file_format="html",
            status=BoardReportStatus.SUCCEEDED,
            file=name,
            size=(tmp_path / name).stat().st_size,
        )
    return reports


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", ["", "download/"], ids=["board report status", "board report download"])
def test_board_report_matrix(world: World, board_reports: dict[str, Any], role: str, page: str) -> None:
    client = _client_for(world, role)
    own = client.get(f"/insights/report/{board_reports['a'].pk}/{page}")
    if role in BOARD_REPORT_ROLES:
        assert own.status_code == OK, f"{role} should open A's board report"
    else:
        assert own.status_code in REFUSED, f"{role} should not open a board report"
    before = AuditEvent.objects.filter(action=CoreAction.PERMISSION_DENIED).count()
    other = client.get(f"/insights/report/{board_reports['b'].pk}/{page}")
    assert other.status_code == 404, f"{role} of A reached B's board report"
    assert_not_stored(own, other)
    assert AuditEvent.objects.filter(action=CoreAction.PERMISSION_DENIED).count() == before + 1


# Cross-organisation probes of every other page that names an object: each role of A asks for B's, and is
# refused (403 or 404), audited once. (method, url template over the world's objects)
PROBES: list[tuple[str, str]] = [
    ("GET", "/frameworks/{framework_b.identifier}/edit/"),
    ("GET", "/frameworks/{framework_b.identifier}/levels/"),
    ("GET", "/frameworks/{framework_b.identifier}/versions/1/"),
    ("GET", "/frameworks/{framework_b.identifier}/versions/1/items/new/"),
    ("GET", "/frameworks/{framework_b.identifier}/versions/1/items/{competence_b.pk}/"),
    ("GET", "/frameworks/{framework_b.identifier}/versions/1/items/{competence_b.pk}/crosswalks/"),
    ("GET", "/frameworks/case/CFPackages/{framework_b.identifier}"),
    ("GET", "/frameworks/organisations/{org_b.ods_code}/requirements/1/"),
    ("POST", "/frameworks/{framework_b.identifier}/adopt/"),
    ("POST", "/frameworks/{framework_b.identifier}/stop-using/"),
    ("POST", "/frameworks/{framework_b.identifier}/local/"),
    ("POST", "/frameworks/{framework_b.identifier}/versions/1/publish/"),
    ("POST", "/frameworks/{framework_b.identifier}/versions/1/retire/"),
    ("POST", "/frameworks/{framework_b.identifier}/versions/1/discard/"),
    ("POST", "/frameworks/{framework_b.identifier}/versions/1/items/{competence_b.pk}/delete/"),
    ("POST", "/frameworks/{framework_b.identifier}/versions/1/items/{competence_b.pk}/move/"),
    ("POST", "/frameworks/{framework_b.identifier}/versions/1/crosswalks/1/remove/"),
    ("POST", "/frameworks/organisations/{org_b.ods_code}/requirements/1/delete/"),
    ("GET", "/frameworks/{framework_b.identifier}/delete/"),
    ("POST", "/frameworks/{framework_b.identifier}/delete/"),
    ("GET", "/frameworks/{framework_b.identifier}/versions/1/imported/"),
    ("POST", "/frameworks/{framework_b.identifier}/versions/1/imported/"),
    ("GET", "/organisations/{org_b.ods_code}/import/1/"),
    ("POST", "/organisations/{org_b.ods_code}/import/1/confirm/"),
    ("GET", "/people/{person_b1.pk}/portfolio/competences/{competence_b.pk}/"),
    ("GET", "/portfolio/evidence/{evidence_b.pk}/"),
    ("GET", "/portfolio/evidence/{evidence_b.pk}/edit/"),
    ("GET", "/portfolio/evidence/{evidence_b.pk}/competences/"),
    ("GET", "/portfolio/evidence/{evidence_b.pk}/files/1/"),
    ("POST", "/portfolio/requests/{request_b.pk}/cancel/"),
    ("GET", "/assessments/requests/{request_b.pk}/"),
    ("POST", "/assessments/{assessment_b.pk}/correct/"),
    ("POST", "/assessments/{assessment_b.pk}/withdraw/"),
    ("POST", "/delegation/protocols/{protocol_b.pk}/requirements/add/"),
    ("POST", "/delegation/protocols/{protocol_b.pk}/requirements/1/remove/"),
    ("GET", "/insights/organisations/{org_b.ods_code}/import/1/"),
    ("GET", "/insights/organisations/{org_b.ods_code}/job-titles/1/"),
    ("GET", "/insights/organisations/{org_b.ods_code}/dashboards/overview/headcount.csv"),
    ("GET", "/insights/teams/{team_b1.pk}/dashboards/sickness/headcount.csv"),
    ("GET", "/notifications/{notification_b.pk}/"),
    ("POST", "/accounts/tokens/{token_b.pk}/revoke/"),
    ("POST", "/learning/sessions/{session_b.pk}/enrol/"),
    ("POST", "/learning/sessions/{session_b.pk}/attendance/"),
    ("GET", "/learning/enrolments/{enrolment_b.pk}/decide/"),
    ("POST", "/learning/enrolments/{enrolment_b.pk}/withdraw/"),
    ("GET", "/learning/enrolments/{enrolment_b.pk}/complete/"),
    ("GET", "/learning/completions/{completion_b.pk}/evaluate/"),
    ("GET", "/learning/organisations/{org_b.ods_code}/import/1/"),
    ("GET", "/learning/plan/goals/{goal_b.pk}/"),
    ("POST", "/learning/plan/goals/{goal_b.pk}/remove/"),
    ("POST", "/learning/support/flexible/{flexible_b.pk}/withdraw/"),
    ("POST", "/learning/support/flexible/{flexible_b.pk}/"),
    ("POST", "/learning/support/incidents/{support_b.pk}/"),
    # Programmes: B's programme, cohort, sessions, places and posts are out of A's reach, whatever the role.
    ("GET", "/programmes/{programme_b.pk}/"),
    ("GET", "/programmes/{programme_b.pk}/edit/"),
    ("GET", "/programmes/{programme_b.pk}/dimensions/"),
    ("GET", "/programmes/{programme_b.pk}/leads/"),
    ("GET", "/programmes/{programme_b.pk}/competences/"),
    ("POST", "/programmes/{programme_b.pk}/competences/"),
    ("POST", "/programmes/{programme_b.pk}/status/"),
    ("GET", "/programmes/{programme_b.pk}/copy/"),
    ("GET", "/programmes/{programme_b.pk}/cohorts/new/"),
    ("GET", "/programmes/{programme_b.pk}/sessions/new/"),
    ("GET", "/programmes/{programme_b.pk}/applications/"),
    ("GET", "/programmes/{programme_b.pk}/apply/"),
    ("GET", "/programmes/{programme_b.pk}/nominate/"),
    ("GET", "/programmes/{programme_b.pk}/allocation/"),
    ("POST", "/programmes/{programme_b.pk}/allocation/"),
    ("GET", "/programmes/applications/{application_b.pk}/"),
    ("POST", "/programmes/participants/{participant_b.pk}/placement/"),
    ("GET", "/programmes/cohorts/{cohort_b.pk}/"),
    ("POST", "/programmes/cohorts/{cohort_b.pk}/partners/"),
    ("GET", "/programmes/cohorts/{cohort_b.pk}/sessions/{programme_session_b.pk}/register/"),
    ("GET", "/programmes/cohorts/{cohort_b.pk}/close/"),
    ("POST", "/programmes/cohorts/{cohort_b.pk}/close/"),
    ("GET", "/programmes/cohorts/{cohort_b.pk}/community/"),
    ("GET", "/programmes/posts/{post_b.pk}/hide/"),
    ("GET", "/programmes/places/{participant_b.pk}/check-in/"),
    ("GET", "/programmes/places/{participant_b.pk}/self-assessment/before/"),
    ("GET", "/programmes/places/{participant_b.pk}/sessions/{programme_session_b.pk}/evaluation/"),
    ("GET", "/programmes/places/{participant_b.pk}/feedback/"),
    ("GET", "/programmes/{programme_b.pk}/outcomes/"),
    ("GET", "/programmes/cohorts/{cohort_b.pk}/outcomes/"),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "url"), PROBES, ids=[f"{m} {u}" for m, u in PROBES])
def test_cross_organisation_probes_refused(world: World, role: str, method: str, url: str) -> None:
    client = _client_for(world, role)
    before = AuditEvent.objects.filter(action=CoreAction.PERMISSION_DENIED).count()
    response = getattr(client, method.lower())(_format_b(url, world))
    assert response.status_code in REFUSED, f"{role} of A reached {method} {url} of B"
    assert_not_stored(response)
    assert AuditEvent.objects.filter(action=CoreAction.PERMISSION_DENIED).count() == before + 1


# Pages of the role itself (no other organisation's object in the path): the roles listed are let through (no
# refusal audited), every other role is refused and audited.
ROLE_GATED: list[tuple[str, str, set[str]]] = [
    ("GET", "/accounts/password/", set(ROLES)),
    ("GET", "/accounts/role/", set(ROLES)),
    ("GET", "/accounts/tokens/new/", set(ROLES)),
    ("GET", "/accounts/users/new/", {Role.ORG_ADMIN, Role.ALLIANCE_ADMIN}),
    ("GET", "/accounts/users/invite/", {Role.ORG_ADMIN}),
    ("GET", "/audit/export.csv", {Role.ORG_ADMIN, Role.ALLIANCE_ADMIN}),
    ("POST", "/notifications/read/", set(ROLES)),
    ("GET", "/portfolio/competences/{competence_a.pk}/", set(ROLES)),
    ("GET", "/portfolio/evidence/", set(ROLES)),
    ("GET", "/portfolio/evidence/new/", set(ROLES)),
    ("GET", "/portfolio/requests/new/", set(ROLES)),
    ("GET", "/delegation/protocols/new/", {Role.ORG_ADMIN, Role.EDUCATOR}),
    ("GET", "/frameworks/new/", {Role.EDUCATOR, Role.ALLIANCE_ADMIN}),
    ("GET", "/frameworks/case/import/", {Role.EDUCATOR, Role.ORG_ADMIN, Role.ALLIANCE_ADMIN}),
    ("GET", "/insights/", INSIGHTS_ROLES),
    ("GET", "/insights/alliance/dashboards/overview/headcount.csv", {Role.ALLIANCE_ADMIN}),
    ("GET", "/insights/alliance/member-trusts/competences.csv", {Role.ALLIANCE_ADMIN}),
    ("GET", "/insights/alliance/member-trusts/training.xlsx", {Role.ALLIANCE_ADMIN}),
    ("GET", "/pathways/new/", {Role.EDUCATOR, Role.ORG_ADMIN, Role.ALLIANCE_ADMIN}),
    ("GET", "/learning/offers/new/", {Role.EDUCATOR, Role.ORG_ADMIN}),
    # One's own development plan: whoever has a staff record; goals once they have a plan (A's worker has).
    ("GET", "/learning/plan/goals/new/", {Role.SUPPORT_WORKER}),
    ("GET", "/learning/plan/goals/{goal_a.pk}/", {Role.SUPPORT_WORKER}),
    ("POST", "/learning/plan/send/", {Role.SUPPORT_WORKER}),
    ("GET", "/learning/support/flexible/new/", {Role.SUPPORT_WORKER, Role.LINE_MANAGER}),
    ("GET", "/learning/support/incidents/new/", {Role.LINE_MANAGER}),
    # Programmes of A: a published programme is seen by every role of its organisation and alliance; it is run
    # by its organisation's educators; its cohort, community and the places' surveys are for members and leads.
    ("GET", "/programmes/new/", {Role.EDUCATOR, Role.ALLIANCE_ADMIN}),
    ("GET", "/programmes/{programme_a.pk}/", set(ROLES)),
    ("GET", "/programmes/{programme_a.pk}/edit/", {Role.EDUCATOR}),
    ("GET", "/programmes/{programme_a.pk}/leads/", {Role.EDUCATOR}),
    ("GET", "/programmes/{programme_a.pk}/competences/", {Role.EDUCATOR}),
    ("GET", "/programmes/{programme_a.pk}/allocation/", {Role.EDUCATOR}),
    ("GET", "/programmes/{programme_a.pk}/applications/", {Role.EDUCATOR}),
    ("GET", "/programmes/{programme_a.pk}/apply/", {Role.SUPPORT_WORKER, Role.LINE_MANAGER}),
    ("GET", "/programmes/{programme_a.pk}/nominate/", {Role.LINE_MANAGER}),
    (
        "GET",
        "/programmes/applications/{application_a.pk}/",
        {Role.SUPPORT_WORKER, Role.EDUCATOR, Role.LINE_MANAGER},
    ),
    ("GET", "/programmes/cohorts/{cohort_a.pk}/", {Role.EDUCATOR, Role.SUPPORT_WORKER}),
    ("GET", "/programmes/cohorts/{cohort_a.pk}/community/", {Role.EDUCATOR, Role.SUPPORT_WORKER}),
    ("GET", "/programmes/cohorts/{cohort_a.pk}/sessions/{programme_session_a.pk}/register/", {Role.EDUCATOR}),
    ("GET", "/programmes/places/{participant_a.pk}/feedback/", {Role.SUPPORT_WORKER}),
    ("GET", "/programmes/places/{participant_a.pk}/self-assessment/before/", {Role.SUPPORT_WORKER}),
    # The outcomes report: whoever runs the programme (a member of the cohort is refused, 403); the
    # organisation's line managers, admins (HR) and analysts see their own organisation's participants.
    (
        "GET",
        "/programmes/{programme_a.pk}/outcomes/",
        {Role.EDUCATOR, Role.LINE_MANAGER, Role.ORG_ADMIN, Role.ANALYST},
    ),
    ("GET", "/programmes/cohorts/{cohort_a.pk}/outcomes/", {Role.EDUCATOR}),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("method", "url", "allowed"), ROLE_GATED, ids=[f"{m} {u}" for m, u, _a in ROLE_GATED]
)
def test_role_gated_pages(world: World, role: str, method: str, url: str, allowed: set[str]) -> None:
    client = _client_for(world, role)
    refusals = AuditEvent.objects.filter(action=CoreAction.PERMISSION_DENIED, actor=world.users[role])
    response = getattr(client, method.lower())(_format_b(url, world))
    assert_not_stored(response)
    if role in allowed:
        assert response.status_code != 403 and not refusals.exists(), f"{role} was refused {url}"
    else:
        assert response.status_code in REFUSED, f"{role} reached {url}"
        assert refusals.count() == 1


# API lists: each role's list holds only what it may see.
API_LISTS = [
    "/api/people",
    "/api/organisations",
    "/api/frameworks",
    "/api/delegation/protocols",
    "/api/pathways",
    "/api/learning/offers",
    "/api/programmes",
    "/api/learning/support/flexible",
    "/api/learning/support/incidents",
]


@pytest.mark.parametrize("role", ROLES)
def test_api_framework_and_protocol_lists_stay_in_scope(world: World, role: str) -> None:
    client = Client(HTTP_AUTHORIZATION=f"Bearer {world.tokens[role]}")
    frameworks = client.get("/api/frameworks").json()
    items = frameworks["items"] if isinstance(frameworks, dict) else frameworks
    identifiers = {str(item["identifier"]) for item in items}
    assert str(world.objects["framework_b"].identifier) not in identifiers
    protocols = client.get("/api/delegation/protocols")
    if role in ORG_ROLES:
        assert protocols.status_code == OK
        assert len(protocols.json()) == 1  # A's protocol only (B's has the same code)
    else:
        assert protocols.status_code in REFUSED


@pytest.mark.parametrize("role", ROLES)
def test_api_delegation_check_matrix(world: World, role: str) -> None:
    """The check answers for A's person to whoever may see them, and 404 (audited) for B's person, the same
    as for nobody."""
    client = Client(HTTP_AUTHORIZATION=f"Bearer {world.tokens[role]}")
    o = world.objects

    def ask(person: Any, team: Any, protocol: Any) -> HttpResponseBase:
        body = {"person_id": person.pk, "protocol": protocol.code, "team_id": team.pk}
        return client.post("/api/delegation/checks", data=body, content_type="application/json")

    own = ask(o["person_a1"], o["team_a1"], o["protocol_a"])
    if role in {Role.ORG_ADMIN, Role.LINE_MANAGER, Role.ASSESSOR, Role.SUPPORT_WORKER}:
        assert own.status_code == OK, (role, own.content)
    else:
        assert own.status_code in REFUSED
    before = AuditEvent.objects.filter(action=CoreAction.PERMISSION_DENIED).count()
    other = ask(o["person_b1"], o["team_b1"], o["protocol_b"])
    assert other.status_code == 404
    assert AuditEvent.objects.filter(action=CoreAction.PERMISSION_DENIED).count() == before + 1


@pytest.mark.parametrize("role", ROLES)
def test_api_learning_lists_and_enrol(world: World, role: str) -> None:
    """The catalogue holds A's offer, never B's; asking for a place on B's session answers 404 (audited)."""
    client = Client(HTTP_AUTHORIZATION=f"Bearer {world.tokens[role]}")
    o = world.objects
    ids = {item["id"] for item in client.get("/api/learning/offers").json()}
    assert o["offer_a"].pk in ids and o["offer_b"].pk not in ids
    before = AuditEvent.objects.filter(action=CoreAction.PERMISSION_DENIED).count()
    other = client.post(
        f"/api/learning/sessions/{o['session_b'].pk}/enrolments", data={}, content_type="application/json"
    )
    assert other.status_code == 404
    assert AuditEvent.objects.filter(action=CoreAction.PERMISSION_DENIED).count() == before + 1
    own = client.post(
        f"/api/learning/sessions/{o['session_a'].pk}/enrolments", data={}, content_type="application/json"
    )
    # Anyone with a staff record of their own asks for themselves (in the world: the worker and the manager).
    mine = role in {Role.SUPPORT_WORKER, Role.LINE_MANAGER}
    assert own.status_code == (201 if mine else 403), (role, own.content)


@pytest.mark.parametrize("role", ROLES)
def test_api_plan_and_supervision_writes(world: World, role: str) -> None:
    """Recording supervision and deciding a plan: B's person answers 404 (audited) to every role of A; A's
    worker's supervisor (the line manager of team 1) may, everyone else is refused."""
    client = Client(HTTP_AUTHORIZATION=f"Bearer {world.tokens[role]}")
    o = world.objects
    meeting = {"held_on": "2026-01-05", "private_note": "Ours"}
    decision = {"agree": False, "reason": "Add a date"}
    for url, body in (
        ("/api/learning/people/{}/supervision", meeting),
        ("/api/learning/people/{}/plan/decision", decision),
    ):
        before = AuditEvent.objects.filter(action=CoreAction.PERMISSION_DENIED).count()
        other = client.post(url.format(o["person_b1"].pk), data=body, content_type="application/json")
        assert other.status_code == 404, (role, url)
        assert AuditEvent.objects.filter(action=CoreAction.PERMISSION_DENIED).count() == before + 1
        own = client.post(url.format(o["person_a1"].pk), data=body, content_type="application/json")
        if role == Role.LINE_MANAGER:
            # The plan in the world was never sent: a decision is refused as a conflict.
            assert own.status_code == (201 if "supervision" in url else 409), (url, own.content)
        else:
            assert own.status_code in REFUSED, (role, url)
    assert o["meeting_b"].person.supervision_meetings.count() == 1


SUPPORT_POSTS = [
    ("/api/learning/support/flexible", {"pattern": "Later starts", "start_on": "2099-01-01"}),
    (
        "/api/learning/support/flexible/{flexible_b.pk}/decision",
        {"decision": "approved", "decided_on": "2026-01-12"},
    ),
    (
        "/api/learning/support/incidents",
        {
            "person_id": "{person_b1.pk}",
            "incident_on": "2026-01-05",
            "kind": "verbal",
            "source": "public",
            "follow_up_on": "2026-01-20",
        },
    ),
]


@pytest.mark.parametrize("role", ROLES)
def test_api_support_lists_and_writes(world: World, role: str) -> None:
    """Support lists hold A's records for the roles that see them, never B's; deciding B's request or recording
    support for B's worker answers 404 (audited); asking for flexible working is for a worker with a record."""
    client = Client(HTTP_AUTHORIZATION=f"Bearer {world.tokens[role]}")
    o = world.objects
    flexible = {item["id"] for item in client.get("/api/learning/support/flexible").json()}
    incidents = {item["id"] for item in client.get("/api/learning/support/incidents").json()}
    assert o["flexible_b"].pk not in flexible and o["support_b"].pk not in incidents
    assert (o["flexible_a"].pk in flexible) == (
        role in {Role.SUPPORT_WORKER, Role.LINE_MANAGER, Role.ORG_ADMIN}
    )
    assert (o["support_a"].pk in incidents) == (role in {Role.SUPPORT_WORKER, Role.LINE_MANAGER})
    for url, body in SUPPORT_POSTS[1:]:
        before = AuditEvent.objects.filter(action=CoreAction.PERMISSION_DENIED).count()
        data = {
            key: _format_b(value, world) if isinstance(value, str) else value for key, value in body.items()
        }
        response = client.post(_format_b(url, world), data=data, content_type="application/json")
        assert response.status_code == 404, (role, url, response.content)
        assert AuditEvent.objects.filter(action=CoreAction.PERMISSION_DENIED).count() == before + 1
    url, body = SUPPORT_POSTS[0]
    own = client.post(url, data=body, content_type="application/json")
    assert own.status_code == (201 if role in {Role.SUPPORT_WORKER, Role.LINE_MANAGER} else 403), own.content


@pytest.mark.parametrize("role", ROLES)
def test_api_role_requirements_add_matrix(world: World, role: str) -> None:
    """Adding role requirements through the API: A's educators and admins for A (201), nobody else; B's
    organisation answers 404 to every role of A (audited), and nothing of B's changes."""
    from cultivate.frameworks.models import RoleRequirement
    from cultivate.organisations.models import SupportRole

    client = Client(HTTP_AUTHORIZATION=f"Bearer {world.tokens[role]}")
    o = world.objects
    support_role = SupportRole.objects.create(name=f"Matrix role ({role})", category="HCA and similar")

    def add(side: str) -> HttpResponseBase:
        body = {
            "roles": [support_role.pk],
            "framework": str(o[f"framework_{side}"].identifier),
            "item": str(o[f"competence_{side}"].identifier),
            "min_level": "independent",
            "grace_days": 90,
        }
        ods = o["org_a"].ods_code if side == "a" else o["org_b"].ods_code
        return client.post(
            f"/api/organisations/{ods}/role-requirements", data=body, content_type="application/json"
        )

    before = AuditEvent.objects.filter(action=CoreAction.PERMISSION_DENIED).count()
    other = add("b")
    assert other.status_code == 404, (role, other.content)
    assert AuditEvent.objects.filter(action=CoreAction.PERMISSION_DENIED).count() == before + 1
    assert not RoleRequirement.objects.filter(organisation=o["org_b"]).exists()
    own = add("a")
    assert own.status_code == (201 if role in {Role.EDUCATOR, Role.ORG_ADMIN} else 403), (role, own.content)


# Every route is in the matrix: the URLs (Django's resolver) and the API operations (django-ninja's routers).
# A new page or endpoint fails `test_every_route_is_in_the_matrix` until a table above or below covers it.

# Routes outside the matrix on purpose, each with why: nobody signed in, or Django's own admin site (staff only).
OUTSIDE_THE_MATRIX = {
    "accounts/sign-in/": "public: the sign-in page",
    "accounts/sign-out/": "signs the user out, whatever the role",
    "accounts/password/reset/": "public: asking for a reset",
    "accounts/password/reset/sent/": "public",
    "accounts/password/reset/<uidb64>/<token>/": "public: the emailed link is the credential",
    "accounts/password/reset/done/": "public",
    "accounts/invitation/<uidb64>/<token>/": "public: the emailed invitation is the credential",
    "accessibility/": "public statement",
    "privacy/": "public notice",
    "api/docs": "public: the API documentation",
    "api/openapi.json": "public: the API schema",
    "api/": "the API root",
    "api/health": "public: load balancer health check",
    "pathways/routes/<str:ods_code>/": "public: an organisation's progression routes, nothing personal "
    "(cultivate/pathways/tests/test_views.py checks it)",
}
ADMIN_SITE = "django-admin/"  # Django's admin: `is_staff` users only, no role applies


def _all_routes() -> set[str]:
    from django.urls import URLResolver, get_resolver

    def walk(patterns: list[Any], prefix: str) -> Any:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            else:
                yield prefix + str(pattern.pattern)

    return {
        route
        for route in walk(get_resolver().url_patterns, "")
        if not route.startswith((ADMIN_SITE, "static/", "media/", "api/"))
    }


def _api_operations() -> set[tuple[str, str]]:
    from cultivate.config.api import api

    schema = api.get_openapi_schema()
    return {(method.upper(), path) for path, item in schema["paths"].items() for method in item}


class _Any:
    """Stands for any object in a URL template: every attribute is 1 (an id) or a code."""

    def __getattr__(self, name: str) -> Any:
        if name in ("identifier", "token"):
            return "00000000-0000-0000-0000-000000000001"
        return "RAA" if name == "ods_code" else 1

    def __format__(self, spec: str) -> str:
        return "1"

    def __str__(self) -> str:
        return "1"


def _route_of(template: str) -> str:
    from django.urls import resolve

    path = template.format_map(_Placeholders()).split("?")[0]
    return resolve(path).route


class _Placeholders(dict[str, Any]):
    def __missing__(self, key: str) -> Any:
        return _Any()


def _api_route_of(method: str, template: str) -> tuple[str, str]:
    import re

    path = template.format_map(_Placeholders()).split("?")[0]
    for operation_method, operation in _api_operations():
        pattern = re.sub(r"\{[^}]+\}", "[^/]+", operation)
        if operation_method == method and re.fullmatch(pattern, path):
            return method, operation
    raise AssertionError(f"{method} {template} is no API operation")


def _covered_routes() -> set[str]:
    templates = [url for _name, url, _allowed in PAGES]
    templates += [url for url, _allowed in ROLE_PAGES]
    templates += [url for url, _data in WRITES]
    templates += [url for _method, url in PROBES]
    templates += [url for _method, url, _allowed in ROLE_GATED]
    templates += ["/delegation/check/"]
    templates += ["/insights/report/{pk}/", "/insights/report/{pk}/download/"]  # test_board_report_matrix
    templates += [url for _name, url, _allowed in CREDENTIAL_PAGES]
    templates += [url for _method, url in CREDENTIAL_PROBES]
    templates += [url for _method, url, _allowed in CREDENTIAL_ROLE_GATED]
    templates += [url for url, _status in CREDENTIAL_PUBLIC]
    return {_route_of(template) for template in templates}


def _covered_api() -> set[tuple[str, str]]:
    covered = {_api_route_of("GET", url) for url, _allowed in API}
    covered |= {_api_route_of("GET", url.format(side="b")) for url, _allowed in PROGRAMME_API}
    covered |= {  # test_programme_api_matrix
        _api_route_of(method, url.replace("_x", "_b")) for method, url, _b, _a in PROGRAMME_API_WRITES
    }
    covered |= {_api_route_of("POST", "/api/delegation/checks")}  # test_api_delegation_check_matrix
    covered |= {
        _api_route_of("POST", "/api/learning/sessions/1/enrolments")
    }  # test_api_learning_lists_and_enrol
    covered |= {
        _api_route_of("POST", "/api/organisations/RAA/role-requirements")
    }  # test_api_role_requirements_add_matrix
    covered |= {_api_route_of("GET", url) for url in API_LISTS}
    covered |= {  # test_api_plan_and_supervision_writes
        _api_route_of("POST", "/api/learning/people/1/supervision"),
        _api_route_of("POST", "/api/learning/people/1/plan/decision"),
    }
    covered |= {_api_route_of("POST", url.format_map(_Placeholders())) for url, _body in SUPPORT_POSTS}
    covered |= {_api_route_of(method, url) for method, url in CREDENTIAL_API}
    return covered


def test_every_route_is_in_the_matrix() -> None:
    missing = _all_routes() - _covered_routes() - set(OUTSIDE_THE_MATRIX)
    assert not missing, f"routes the access matrix does not cover: {sorted(missing)}"


def test_every_api_operation_is_in_the_matrix() -> None:
    outside = {("GET", "/" + route) for route in OUTSIDE_THE_MATRIX if route.startswith("api/")}
    missing = _api_operations() - _covered_api() - outside
    assert not missing, f"API operations the access matrix does not cover: {sorted(missing)}"


# --- Credentials (cultivate/credentials/access.py) ---------------------------------------------------------------
# A's support worker holds a certificate issued by A (shared) and a competence record; B's worker likewise, with a
# record brought from elsewhere and a prior assessment waiting. Only the holder shares; A's admins see A's
# certificates; nobody of A reaches B's.


@pytest.fixture
def credentials_world(world: World) -> dict[str, Any]:
    from cultivate.core.audit import AuditContext
    from cultivate.credentials import services as credential_services
    from cultivate.credentials.models import ImportedRecord, RecognisedAssessment
    from cultivate.credentials.testing import make_credential

    o = world.objects
    ctx = AuditContext.system("matrix")
    found: dict[str, Any] = {
        "credential_a": make_credential(o["person_a1"]),
        "credential_b": make_credential(o["person_b1"]),
        "unshared_b": make_credential(o["person_b1"], shared=False),
    }
    make_assessment(o["person_b1"], o["competence_b"])
    found["record_b"] = credential_services.competence_record_create(
        ctx=ctx, membership=o["membership_b"], person=o["person_b1"]
    )
    imported = ImportedRecord.objects.create(person=o["person_b1"], document={})
    found["imported_b"] = imported
    found["recognition_b"] = RecognisedAssessment.objects.create(
        record=imported,
        person=o["person_b1"],
        credential_id="urn:uuid:1",
        issuer_name="Elsewhere",
        issuer_id="did:key:z6Mk",
        framework_title="F",
        competence_identifier=o["competence_b"].identifier,
        competence_name="C",
        level_label="Independent",
        assessed_on=o["assessment_b"].assessed_on,
        assessor_name="A Nurse",
    )
    found["status_key_b"] = found["credential_b"].key.public_key
    world.objects.update(found)
    return found


CREDENTIAL_PAGES: list[tuple[str, str, set[str]]] = [
    ("certificate", "/credentials/{credential.identifier}/", {Role.SUPPORT_WORKER, Role.ORG_ADMIN}),
    (
        "certificate json",
        "/credentials/{credential.identifier}/credential.json",
        {Role.SUPPORT_WORKER, Role.ORG_ADMIN},
    ),
    (
        "certificate pdf",
        "/credentials/{credential.identifier}/certificate.pdf",
        {Role.SUPPORT_WORKER, Role.ORG_ADMIN},
    ),
    ("revoke", "/credentials/{credential.identifier}/revoke/", {Role.ORG_ADMIN}),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "url", "allowed"), CREDENTIAL_PAGES, ids=[p[0] for p in CREDENTIAL_PAGES])
def test_credential_page_matrix(
    world: World, credentials_world: dict[str, Any], role: str, name: str, url: str, allowed: set[str]
) -> None:
    client = _client_for(world, role)
    own = client.get(url.format(credential=credentials_world["credential_a"]))
    if role in allowed:
        assert own.status_code == OK, f"{role} should see {name}"
    else:
        assert own.status_code in REFUSED, f"{role} should not see {name}"
    before = AuditEvent.objects.filter(action=CoreAction.PERMISSION_DENIED).count()
    other = client.get(url.format(credential=credentials_world["credential_b"]))
    assert other.status_code in REFUSED, f"{role} of A reached {name} of B"
    assert_not_stored(own, other)
    assert AuditEvent.objects.filter(action=CoreAction.PERMISSION_DENIED).count() == before + 1


CREDENTIAL_PROBES: list[tuple[str, str]] = [
    ("POST", "/credentials/{credential_b.identifier}/share/"),
    ("POST", "/credentials/{credential_b.identifier}/revoke/"),
    ("GET", "/credentials/records/{record_b.token}/record.json"),
    ("POST", "/credentials/records/{record_b.token}/share/"),
    ("GET", "/credentials/brought/{imported_b.pk}/"),
    ("POST", "/credentials/recognition/{recognition_b.pk}/confirm/"),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "url"), CREDENTIAL_PROBES, ids=[f"{m} {u}" for m, u in CREDENTIAL_PROBES])
def test_credential_probes_refused(
    world: World, credentials_world: dict[str, Any], role: str, method: str, url: str
) -> None:
    client = _client_for(world, role)
    before = AuditEvent.objects.filter(action=CoreAction.PERMISSION_DENIED).count()
    response = getattr(client, method.lower())(_format_b(url, world))
    assert response.status_code in REFUSED, f"{role} of A reached {method} {url} of B"
    assert_not_stored(response)
    assert AuditEvent.objects.filter(action=CoreAction.PERMISSION_DENIED).count() == before + 1
    credentials_world["credential_b"].refresh_from_db()
    assert credentials_world["credential_b"].revoked_at is None


# Roles with their own staff record in the world: the support worker and the line manager.
OWN_RECORD_ROLES = {Role.SUPPORT_WORKER, Role.LINE_MANAGER}
CREDENTIAL_ROLE_GATED: list[tuple[str, str, set[str]]] = [
    ("GET", "/credentials/", OWN_RECORD_ROLES),
    ("GET", "/credentials/bring/", OWN_RECORD_ROLES),
    ("POST", "/credentials/records/new/", OWN_RECORD_ROLES),
    ("POST", "/credentials/care-certificate/", OWN_RECORD_ROLES),
    ("GET", "/credentials/recognition/", {Role.ASSESSOR}),
    ("GET", "/credentials/issued/", {Role.ORG_ADMIN, Role.ALLIANCE_ADMIN}),
    ("POST", "/credentials/issued/rotate/", {Role.ORG_ADMIN, Role.ALLIANCE_ADMIN}),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("method", "url", "allowed"),
    CREDENTIAL_ROLE_GATED,
    ids=[f"{m} {u}" for m, u, _a in CREDENTIAL_ROLE_GATED],
)
def test_credential_role_gated_pages(
    world: World, role: str, method: str, url: str, allowed: set[str]
) -> None:
    test_role_gated_pages(world, role, method, url, allowed)


# Public, without signing in: a credential or record only while its holder shares it; status lists always.
CREDENTIAL_PUBLIC: list[tuple[str, int]] = [
    ("/credentials/verify/{credential_b.identifier}/", OK),
    ("/credentials/verify/{credential_b.identifier}/credential.json", OK),
    ("/credentials/verify/{unshared_b.identifier}/", 404),
    ("/credentials/verify/{unshared_b.identifier}/credential.json", 404),
    ("/credentials/shared/{record_b.token}/", 404),
    ("/credentials/shared/{record_b.token}/record.json", 404),
    ("/credentials/status/{status_key_b}/", OK),
    ("/credentials/check/", OK),
]


@pytest.mark.parametrize(("url", "status"), CREDENTIAL_PUBLIC, ids=[u for u, _s in CREDENTIAL_PUBLIC])
def test_credential_public_pages(
    world: World, credentials_world: dict[str, Any], url: str, status: int
) -> None:
    response = Client().get(_format_b(url, world))
    assert response.status_code == status
    if status == OK and "verify" in url:
        assert "Bea" in response.content.decode()  # the holder's name, which they chose to share


CREDENTIAL_API: list[tuple[str, str]] = [
    ("GET", "/api/credentials/"),
    ("GET", "/api/credentials/{credential.identifier}/"),
    ("POST", "/api/credentials/{credential.identifier}/revoke/"),
    ("GET", "/api/credentials/{credential.identifier}/verification/"),
]


@pytest.mark.parametrize("role", ROLES)
def test_credential_api_matrix(world: World, credentials_world: dict[str, Any], role: str) -> None:
    client = Client(HTTP_AUTHORIZATION=f"Bearer {world.tokens[role]}")
    mine, theirs = credentials_world["credential_a"], credentials_world["credential_b"]
    listed = client.get("/api/credentials/")
    assert listed.status_code == OK
    assert {c["identifier"] for c in listed.json()} == (
        {str(mine.identifier)} if role == Role.SUPPORT_WORKER else set()
    )
    own = client.get(f"/api/credentials/{mine.identifier}/")
    assert (own.status_code == OK) == (role in {Role.SUPPORT_WORKER, Role.ORG_ADMIN})
    before = AuditEvent.objects.filter(action=CoreAction.PERMISSION_DENIED).count()
    assert client.get(f"/api/credentials/{theirs.identifier}/").status_code == 404
    revoke = client.post(
        f"/api/credentials/{theirs.identifier}/revoke/", data={"reason": "x"}, content_type="application/json"
    )
    assert revoke.status_code == 404
    assert AuditEvent.objects.filter(action=CoreAction.PERMISSION_DENIED).count() == before + 2
    own_revoke = client.post(
        f"/api/credentials/{mine.identifier}/revoke/",
        data={"reason": "Issued in error"},
        content_type="application/json",
    )
    assert (own_revoke.status_code == OK) == (role == Role.ORG_ADMIN), own_revoke.content
    public = Client().get(f"/api/credentials/{theirs.identifier}/verification/")
    assert public.status_code == OK and public.json()["outcome"] == "valid"
    assert (
        Client()
        .get(f"/api/credentials/{credentials_world['unshared_b'].identifier}/verification/")
        .status_code
        == 404
    )
