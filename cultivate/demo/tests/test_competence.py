"""The demo's competency framework, role requirements, delegation protocols and portfolios: generated once for
this module by the `demo` command inside a transaction that is rolled back afterwards."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from cultivate.accounts.models import Membership, Role, User
from cultivate.demo import framework_content as content
from cultivate.demo.alliance import ALLIANCE_CODE, TRUSTS
from cultivate.demo.competence import FRAMEWORK_IDENTIFIER, REVISED_DAYS_AGO, item_uuid
from cultivate.demo.generator import demo_delete
from cultivate.frameworks.models import (
    CROSSWALK_TYPES,
    Adoption,
    Association,
    Competence,
    Framework,
    FrameworkVersion,
    NodeType,
    RoleRequirement,
    VersionStatus,
)
from cultivate.frameworks.reference import (
    CARE_CERTIFICATE,
    CARE_CERTIFICATE_KEY,
    CODE_OF_CONDUCT,
    CODE_OF_CONDUCT_KEY,
    item_identifier,
)
from cultivate.organisations.models import EmploymentSpell, Organisation, OrganisationKind, Person
from cultivate.portfolio.access import may
from cultivate.portfolio.delegation import (
    LEEDS_DIABETES_SAVINGS,
    protocol_authorisations,
    savings_clean,
    savings_estimate,
)
from cultivate.portfolio.models import (
    Assessment,
    AssessmentKind,
    DelegationProtocol,
    Evidence,
    RequestStatus,
    SignOffRequest,
)
from cultivate.portfolio.status import State, against, requirements_for, statuses

WORKER = "support.worker@demo.cultivate.nhs.uk"
ASSESSOR = "assessor@demo.cultivate.nhs.uk"
MANAGER = "line.manager@demo.cultivate.nhs.uk"


@dataclass(frozen=True)
class Demo:
    output: str
    fingerprint: str
    today: dt.date


def fingerprint() -> str:
    """A hash of the framework and portfolio rows by natural keys: the same data gives the same hash."""
    rows: list[tuple[object, ...]] = []
    rows += Competence.objects.filter(framework__identifier=FRAMEWORK_IDENTIFIER).values_list(
        "version__number", "identifier", "code", "title", "content_hash", "parent__code", "sequence"
    )
    rows += RoleRequirement.objects.filter(organisation__alliance__code=ALLIANCE_CODE).values_list(
        "organisation__ods_code", "role__name", "afc_band", "competence__code", "min_level", "within_days"
    )
    rows += Evidence.objects.filter(person__organisation__alliance__code=ALLIANCE_CODE).values_list(
        "person__staff_id", "kind", "title", "occurred_on", "witness_name", "links__competence__identifier"
    )
    rows += SignOffRequest.objects.filter(person__organisation__alliance__code=ALLIANCE_CODE).values_list(
        "person__staff_id",
        "competence__code",
        "competence__version__number",
        "assessor__email",
        "status",
        "created_at",
        "decided_at",
        "feedback",
    )
    rows += Assessment.objects.filter(person__organisation__alliance__code=ALLIANCE_CODE).values_list(
        "person__staff_id",
        "competence__code",
        "content_hash",
        "kind",
        "level",
        "assessed_on",
        "expires_on",
        "assessor__email",
        "registration_pin",
        "supersedes__assessed_on",
        "reason",
        "request__created_at",
    )
    rows += DelegationProtocol.objects.filter(organisation__alliance__code=ALLIANCE_CODE).values_list(
        "organisation__ods_code", "code", "requirements__competence__code", "requirements__min_level"
    )
    digest = hashlib.sha256()
    for row in sorted(rows, key=repr):
        digest.update(repr(row).encode())
    return digest.hexdigest()


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker) -> Iterator[Demo]:
    with django_db_blocker.unblock(), transaction.atomic():
        out = StringIO()
        call_command("demo", "--seed", "2026", stdout=out, verbosity=1)
        yield Demo(output=out.getvalue(), fingerprint=fingerprint(), today=timezone.localdate())
        transaction.set_rollback(True)


def published() -> FrameworkVersion:
    return FrameworkVersion.objects.get(
        framework__identifier=FRAMEWORK_IDENTIFIER, status=VersionStatus.PUBLISHED
    )


def demo_people() -> list[int]:
    return list(
        Person.objects.filter(organisation__alliance__code=ALLIANCE_CODE)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


# The framework ----------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_alliance_framework_is_published_as_version_2_with_version_1_retired(demo: Demo) -> None:
    framework = Framework.objects.get(identifier=FRAMEWORK_IDENTIFIER)
    assert framework.owner_alliance is not None and framework.owner_alliance.code == ALLIANCE_CODE
    assert framework.title == content.FRAMEWORK_TITLE
    assert [level["code"] for level in framework.level_list] == ["observed", "supervised", "independent"]
    versions = {v.number: v for v in framework.versions.all()}
    assert versions[1].status == VersionStatus.RETIRED
    assert versions[2].status == VersionStatus.PUBLISHED
    assert versions[2].published_at is not None
    assert versions[2].published_at.date() == demo.today - dt.timedelta(days=REVISED_DAYS_AGO)
    # Published through the framework services, which record what changed and whom it affects.
    summary = versions[2].change_summary
    assert (
        summary["counts"]["changed"] == 1 and summary["counts"]["added"] == summary["counts"]["removed"] == 0
    )
    assert "Harrowdale mental health support worker framework" in demo.output

    rows = Competence.objects.filter(version=versions[2])
    domains = rows.filter(node_type=NodeType.DOMAIN)
    competences = list(rows.filter(node_type=NodeType.COMPETENCE).select_related("parent"))
    assert 6 <= domains.count() <= 8
    assert 50 <= len(competences) <= 70
    assert all(c.parent is not None and c.parent.node_type == NodeType.DOMAIN for c in competences)
    assert len({c.code for c in competences}) == len(competences)
    assert {c.kind for c in competences} == {"knowledge", "skill", "behaviour", "value"}
    by_code = {c.code: c for c in competences}
    for code in ("MH-PH-02", "MH-PH-03", "MH-PH-06", "MH-PH-07"):
        assert by_code[code].reassess_months == 12 and by_code[code].assessed_in_practice
    assert all(c.reassess_months is None for c in competences if c.kind == "value")
    insulin = by_code["MH-PH-06"]
    assert "insulin" in insulin.title.lower()
    assert insulin.case_fields["educationLevel"] == ["AfC band 3", "AfC band 4"]
    # Only the reworded competence has a new content hash; identifiers carry over.
    old = dict(Competence.objects.filter(version=versions[1]).values_list("identifier", "content_hash"))
    changed = [c.code for c in competences if old[c.identifier] != c.content_hash]
    assert changed == [content.REVISED_CODE]
    assert by_code[content.REVISED_CODE].identifier == item_uuid(content.REVISED_CODE)


@pytest.mark.django_db
def test_every_competence_maps_to_the_reference_frameworks(demo: Demo) -> None:
    references = Framework.objects.filter(
        identifier__in=[CARE_CERTIFICATE, CODE_OF_CONDUCT], is_reference=True
    )
    assert references.count() == 2, "the reference frameworks migration (frameworks 0002) has not run"
    version = published()
    crosswalks = list(
        Association.objects.filter(version=version, association_type__in=CROSSWALK_TYPES).select_related(
            "destination__framework", "origin"
        )
    )
    assert all(link.destination is not None for link in crosswalks), "a crosswalk was left as an external ref"
    assert {link.association_type for link in crosswalks} == set(CROSSWALK_TYPES)
    mapped = defaultdict(set)
    for link in crosswalks:
        assert link.destination is not None and link.destination.version.status == VersionStatus.PUBLISHED
        mapped[link.origin_id].add(link.destination.framework.identifier)
    competences = Competence.objects.filter(version=version, node_type=NodeType.COMPETENCE)
    assert all(mapped[c.pk] for c in competences), "a competence has no crosswalk"
    targets = {link.destination.identifier for link in crosswalks if link.destination is not None}
    # Every Care Certificate standard and every Code of Conduct theme is covered by the framework.
    assert {item_identifier(CARE_CERTIFICATE_KEY, n) for n in range(1, 17)} <= targets
    assert {item_identifier(CODE_OF_CONDUCT_KEY, n) for n in range(1, 8)} <= targets
    # The hierarchy is mirrored in isChildOf associations.
    assert Association.objects.filter(version=version, association_type="isChildOf").count() == (
        Competence.objects.filter(version=version).count()
    )


# Adoption and requirements ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_mental_health_trusts_adopt_it_with_requirements_by_role_and_band(demo: Demo) -> None:
    framework = Framework.objects.get(identifier=FRAMEWORK_IDENTIFIER)
    adopters = set(Adoption.objects.filter(framework=framework).values_list("organisation__kind", flat=True))
    assert adopters == {OrganisationKind.MENTAL_HEALTH, OrganisationKind.MENTAL_HEALTH_LD}
    version = published()
    requirements = RoleRequirement.objects.filter(organisation__alliance__code=ALLIANCE_CODE)
    assert not requirements.exclude(competence__version=version).exists()
    mental_health = next(plan.ods_code for plan in TRUSTS if plan.kind == OrganisationKind.MENTAL_HEALTH)
    roles = set(
        requirements.filter(organisation__ods_code=mental_health).values_list("role__name", flat=True)
    )
    assert {
        "Health care assistant",
        "Mental health support worker",
        "Support, time and recovery worker",
    } <= roles

    def codes(band: str) -> set[str]:
        return set(
            requirements.filter(
                organisation__ods_code=mental_health, role__name="Mental health support worker", afc_band=band
            ).values_list("competence__code", flat=True)
        )

    band_2, band_3, band_4 = codes("2"), codes("3"), codes("4")
    assert band_2 < band_3 < band_4
    assert "MH-PH-06" not in band_2 and "MH-PH-06" in band_3
    assert {"MH-MC-12", "MH-PD-08"} <= band_4 - band_3
    # Care Certificate ground is due within 12 weeks of starting in the role; the rest within a year.
    for requirement in requirements.select_related("competence"):
        item = content.BY_CODE[requirement.competence.code]
        assert requirement.within_days == (84 if item.care_certificate_core else 365)
        assert requirement.min_level == "independent"
    worker = User.objects.get(email=WORKER)
    assert worker.person_id is not None
    assert len(requirements_for([worker.person_id])[worker.person_id]) >= 45


# Portfolios -------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_every_status_appears_among_the_demo_people(demo: Demo) -> None:
    people = demo_people()
    required = requirements_for(people)
    with_requirements = [pid for pid, reqs in required.items() if reqs]
    assert len(with_requirements) > 300
    competences = list({r.competence.pk: r.competence for reqs in required.values() for r in reqs}.values())
    result = statuses(with_requirements, competences)
    # Each read against its requirement, as the pages show it: a sign-off below the level is its own status.
    states = Counter(
        against(result[(pid, r.competence.pk)], r) for pid in with_requirements for r in required[pid]
    )
    assert set(states) == set(State)
    total = sum(states.values())
    # A realistic spread: many achieved, a good number not started, a few lapsing.
    assert 0.3 < states[State.ACHIEVED] / total < 0.7
    assert states[State.NOT_STARTED] / total > 0.15
    assert states[State.EXPIRING] > 20 and states[State.EXPIRED] > 20 and states[State.REASSESS] > 20


@pytest.mark.django_db
def test_the_demo_support_worker_has_a_portfolio_in_every_state(demo: Demo) -> None:
    worker = User.objects.get(email=WORKER)
    assert worker.person is not None
    person = worker.person
    required = requirements_for([person.pk])[person.pk]
    result = statuses([person.pk], [r.competence for r in required])
    states = Counter(status.state for status in result.values())
    # Every status (below the level needed is read against a requirement, and the demo worker has none).
    assert set(states) == set(State) - {State.BELOW_LEVEL}, states
    assert states[State.ACHIEVED] > states[State.NOT_STARTED]
    reassess = [
        r.competence.code for r in required if result[(person.pk, r.competence.pk)].state == "reassess"
    ]
    assert reassess == [content.REVISED_CODE]
    requests = SignOffRequest.objects.filter(person=person)
    assessor = User.objects.get(email=ASSESSOR)
    open_requests = requests.filter(status=RequestStatus.OPEN)
    assert open_requests.count() >= 2 and all(r.assessor == assessor for r in open_requests)
    returned = requests.get(status=RequestStatus.RETURNED)
    assert returned.feedback and returned.decided_by == assessor
    kinds = Counter(Assessment.objects.filter(person=person).values_list("kind", flat=True))
    assert kinds[AssessmentKind.CORRECTION] >= 1 and kinds[AssessmentKind.WITHDRAWAL] >= 1
    assert (
        not Assessment.objects.filter(person=person).exclude(kind=AssessmentKind.SIGN_OFF).filter(reason="")
    )


@pytest.mark.django_db
def test_the_demo_assessor_may_sign_off_their_queue_and_the_manager_sees_the_team(demo: Demo) -> None:
    assessor = User.objects.get(email=ASSESSOR)
    membership = Membership.objects.current().get(user=assessor, role=Role.ASSESSOR)
    queue = SignOffRequest.objects.filter(assessor=assessor, status=RequestStatus.OPEN).select_related(
        "person"
    )
    assert queue.count() >= 10
    assert all(may(membership, "sign_off", request.person) for request in queue)
    manager = User.objects.get(email=MANAGER)
    managed = Membership.objects.current().get(user=manager, role=Role.LINE_MANAGER)
    team = managed.teams.get()
    in_team = list(
        EmploymentSpell.objects.active_on(demo.today).filter(team=team).values_list("person_id", flat=True)
    )
    with_portfolio = Assessment.objects.filter(person_id__in=in_team).values("person_id").distinct().count()
    assert with_portfolio >= 5


@pytest.mark.django_db
def test_assessments_copy_their_competence_and_come_from_registered_assessors(demo: Demo) -> None:
    assessments = Assessment.objects.filter(person__organisation__alliance__code=ALLIANCE_CODE)
    assert assessments.count() > 5000
    for a in assessments.select_related("competence", "assessor").order_by("pk")[::25]:
        assert a.framework_id == a.competence.framework_id
        assert a.competence_identifier == a.competence.identifier
        assert a.content_hash == a.competence.content_hash
        assert a.assessor is not None and a.assessor.is_registered_professional
        assert (a.assessor_name, a.registration_body, a.registration_pin) == (
            a.assessor.full_name,
            a.assessor.registration_body,
            a.assessor.registration_pin,
        )
        assert a.assessed_on <= demo.today
        assert a.assessor.memberships.filter(role=Role.ASSESSOR, organisation=a.person.organisation).exists()
    # Nurses assess unless a team has none, and always sign off physical health skills.
    bodies = Counter(assessments.values_list("registration_body", flat=True))
    assert bodies["NMC"] / sum(bodies.values()) > 0.75
    assert not assessments.filter(competence__code__startswith="MH-PH-").exclude(registration_body="NMC")
    lapsing = assessments.filter(kind=AssessmentKind.SIGN_OFF, competence__reassess_months__isnull=False)
    assert not lapsing.filter(expires_on__isnull=True).exists()
    later = assessments.exclude(kind=AssessmentKind.SIGN_OFF)
    assert later.filter(kind=AssessmentKind.CORRECTION).count() >= 10
    assert later.filter(kind=AssessmentKind.WITHDRAWAL).count() >= 5
    assert not later.filter(Q(reason="") | Q(supersedes__isnull=True)).exists()
    for request in SignOffRequest.objects.filter(status=RequestStatus.RETURNED)[:50]:
        assert request.feedback and request.decided_at is not None
    for evidence in Evidence.objects.filter(person__organisation__alliance__code=ALLIANCE_CODE).order_by(
        "pk"
    )[::200]:
        evidence.full_clean()
        assert evidence.links.exists()
    # Rows were written with their own primary keys; the sequences moved past them, so new rows still fit.
    person = Person.objects.filter(organisation__alliance__code=ALLIANCE_CODE).first()
    assert person is not None
    added = Evidence.objects.create(person=person, kind="reflection", title="Later", occurred_on=demo.today)
    assert added.pk > Evidence.objects.exclude(pk=added.pk).order_by("-pk").values_list("pk", flat=True)[0]


# Delegation protocols ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_delegation_protocols_require_published_competences(demo: Demo) -> None:
    version = published()
    adopters = Organisation.objects.filter(adoptions__framework__identifier=FRAMEWORK_IDENTIFIER)
    for organisation in adopters:
        protocols = {p.code: p for p in DelegationProtocol.objects.filter(organisation=organisation)}
        assert set(protocols) == {
            "capillary-blood-glucose",
            "insulin-stable-diabetes",
            "venepuncture",
            "clinical-observations-news2",
        }
        for protocol in protocols.values():
            requirements = list(protocol.requirements.select_related("competence"))
            assert requirements and all(r.competence.version_id == version.pk for r in requirements)
            assert protocol.roles.exists() and protocol.delegating_role and protocol.supervision
        insulin = protocols["insulin-stable-diabetes"]
        assert insulin.team_settings == ["community"] and insulin.min_band == "3"
        assert insulin.delegating_role == "Registered nurse (community)"
        assert "MH-PH-06" in {r.competence.code for r in insulin.requirements.select_related("competence")}
        assert insulin.savings == savings_clean(LEEDS_DIABETES_SAVINGS)
        assert (insulin.savings["first_year_low"], insulin.savings["later_year_high"]) == (5294, 16000)
        # Some support workers hold every competence blood glucose monitoring needs.
        glucose = protocols["capillary-blood-glucose"]
        assert protocol_authorisations(glucose, on=demo.today).people > 0
        assert savings_estimate(insulin, on=demo.today) is not None


# Determinism and reset ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_portfolios_and_reset_removes_them(demo: Demo) -> None:
    call_command("demo", "--reset", "--seed", "2026", stdout=StringIO(), verbosity=0)
    assert fingerprint() == demo.fingerprint
    demo_delete()
    assert not Framework.objects.filter(identifier=FRAMEWORK_IDENTIFIER).exists()
    assert not Assessment.objects.filter(competence__framework__identifier=FRAMEWORK_IDENTIFIER).exists()
    assert not DelegationProtocol.objects.filter(
        organisation__ods_code__in=[p.ods_code for p in TRUSTS]
    ).exists()
    # The reference frameworks stay.
    assert Framework.objects.filter(identifier__in=[CARE_CERTIFICATE, CODE_OF_CONDUCT]).count() == 2
