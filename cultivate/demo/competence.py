"""Writes the demo alliance's competency framework, its adoption and role requirements, delegation protocols
and the support workers' portfolios (evidence, sign-off requests, assessments).

Runs after the workforce is written (generator.demo_create), in the same transaction. Everything random comes
from its own `random.Random(f"portfolio-{seed}")` consumed in a fixed order (people by trust and staff number,
competences in framework order), so a seed always gives the same portfolios and the workforce is not shifted.
Dates are counted back from `today`, so some sign-offs are always about to expire and some have expired."""

from __future__ import annotations

import datetime as dt
import functools
import operator
import random
import uuid
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.core.management.color import no_style
from django.db import connection, models
from django.db.models import Max, Min, Q
from django.utils import timezone

from cultivate.accounts.models import Membership, RegistrationBody, Role, User
from cultivate.core.audit import AuditContext
from cultivate.frameworks import services as framework_services
from cultivate.frameworks.models import (
    DEFAULT_LEVELS,
    Adoption,
    Association,
    AssociationType,
    Competence,
    Framework,
    FrameworkSource,
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
from cultivate.organisations.models import (
    Alliance,
    ContractType,
    EmploymentSpell,
    Organisation,
    SupportRole,
    TeamSetting,
)
from cultivate.portfolio.delegation import LEEDS_DIABETES_SAVINGS, savings_clean
from cultivate.portfolio.models import (
    Assessment,
    AssessmentKind,
    DelegationProtocol,
    Evidence,
    EvidenceFile,
    EvidenceLink,
    ProtocolRequirement,
    ReminderSent,
    RequestStatus,
    SignOffRequest,
)

from . import framework_content as content
from .alliance import ALLIANCE_CODE, ALLIANCE_NAME, TRUSTS, R, demo_email, role_bands, trust_uses
from .names import draw_name
from .simulation import add_months

# The demo loader changes frameworks through the services as a named job (on behalf of its admin, if any).
DEMO = AuditContext.system("demo")

# The identifier of the demo framework is fixed, so a reset gives the same CASE identifiers every time.
NAMESPACE = uuid.UUID("0c4f8a3e-6f1d-4f55-9b7e-2d6c1e9a7b31")
FRAMEWORK_IDENTIFIER = uuid.uuid5(NAMESPACE, "harrowdale-mental-health-support-worker-framework")
REFERENCE_FRAMEWORKS = {CARE_CERTIFICATE_KEY: CARE_CERTIFICATE, CODE_OF_CONDUCT_KEY: CODE_OF_CONDUCT}
REFERENCE_LABELS = {
    CARE_CERTIFICATE_KEY: "Care Certificate standard",
    CODE_OF_CONDUCT_KEY: "Code of Conduct theme",
}

# Version 2 (one competence reworded) was published this many days before the demo's today.
REVISED_DAYS_AGO = 90
# Share of support workers in an adopting trust who have started a portfolio.
PORTFOLIO_SHARE = 0.6
CARE_CERTIFICATE_DAYS = 84  # 12 weeks from starting in the role
OTHER_DAYS = 365
# The requirements began when the trusts adopted the framework; people already in post then were given a grace
# period, so long-serving staff are due months ago at most, not years after they started.
REQUIREMENTS_BEGAN_DAYS_AGO = 200
GRACE_DAYS = 90
INDEPENDENT = "independent"
PHYSICAL_HEALTH = "MH-PH-"  # competences a registered nurse signs off
SUPERVISED = "supervised"


def item_uuid(code: str) -> uuid.UUID:
    return uuid.uuid5(FRAMEWORK_IDENTIFIER, code)


@dataclass(frozen=True)
class CompetenceSummary:
    framework: str
    competences: int
    crosswalks: int
    adoptions: int
    requirements: int
    protocols: int
    portfolios: int
    evidence: int
    requests: int
    assessments: int
    revised: bool

    def lines(self) -> list[str]:
        version = "versions 1 and 2" if self.revised else "version 1"
        return [
            f"  {self.framework} ({version}): {self.competences} competences, {self.crosswalks} crosswalks",
            f"  adopted by {self.adoptions} trusts: {self.requirements:,} role requirements, "
            f"{self.protocols} delegation protocols",
            f"  {self.portfolios:,} portfolios: {self.evidence:,} pieces of evidence, "
            f"{self.requests:,} sign-off requests, {self.assessments:,} assessments",
        ]


def competence_demo_delete(*, alliance: Alliance | None = None) -> None:
    """Remove what competence_demo_load wrote for the demo alliance (before its people and trusts go).

    Assessments are immutable for the services; the demo reset removes them, and the evidence and requests
    around them, with plain DELETEs once their dependants are gone (the deletion collector would load every
    row first, which took longer than writing them). The database's foreign keys still refuse a DELETE that
    would leave anything pointing at a removed row."""
    alliance = alliance or Alliance.objects.filter(code=ALLIANCE_CODE).first()
    organisations = Organisation.objects.filter(ods_code__in=[plan.ods_code for plan in TRUSTS])
    frameworks = Framework.objects.filter(owner_alliance=alliance) if alliance else Framework.objects.none()
    assessments = Assessment.objects.filter(
        Q(person__organisation__in=organisations) | Q(framework__in=frameworks)
    )
    requests = SignOffRequest.objects.filter(
        Q(person__organisation__in=organisations) | Q(competence__framework__in=frameworks)
    )
    evidence = Evidence.objects.filter(person__organisation__in=organisations)
    Assessment.evidence.through.objects.filter(assessment__in=assessments).delete()
    SignOffRequest.evidence.through.objects.filter(
        Q(signoffrequest__in=requests) | Q(evidence__in=evidence)
    ).delete()
    Assessment.evidence.through.objects.filter(evidence__in=evidence).delete()
    ReminderSent.objects.filter(
        Q(person__organisation__in=organisations) | Q(competence__framework__in=frameworks)
    ).delete()
    Assessment.objects.filter(pk__in=list(assessments.values_list("pk", flat=True)))._raw_delete(
        connection.alias
    )
    SignOffRequest.objects.filter(pk__in=list(requests.values_list("pk", flat=True)))._raw_delete(
        connection.alias
    )
    EvidenceLink.objects.filter(evidence__in=evidence).delete()
    EvidenceFile.objects.filter(evidence__in=evidence).delete()
    Evidence.objects.filter(pk__in=list(evidence.values_list("pk", flat=True)))._raw_delete(connection.alias)
    DelegationProtocol.objects.filter(organisation__in=organisations).delete()
    ProtocolRequirement.objects.filter(competence__framework__in=frameworks).delete()
    frameworks.delete()


# Framework -----------------------------------------------------------------------------------------------------


@dataclass
class _Framework:
    framework: Framework
    version: FrameworkVersion
    rows: dict[str, Competence]  # code → row in version 1
    published: dict[str, Competence]  # code → row in the published version
    crosswalks: int
    revised_on: dt.date | None = None


def _reference_rows() -> dict[tuple[str, int], Competence]:
    """Published rows of the reference frameworks by (framework key, number); empty until they are installed."""
    wanted = {
        item_identifier(key, number): (key, number) for item in content.ITEMS for key, number, _ in item.maps
    }
    rows = Competence.objects.filter(
        framework__identifier__in=list(REFERENCE_FRAMEWORKS.values()),
        version__status=VersionStatus.PUBLISHED,
        identifier__in=list(wanted),
    )
    return {wanted[row.identifier]: row for row in rows}


def _write_framework(alliance: Alliance, admin: User | None, published_on: dt.date) -> _Framework:
    framework = Framework(
        identifier=FRAMEWORK_IDENTIFIER,
        title=content.FRAMEWORK_TITLE,
        description=content.FRAMEWORK_DESCRIPTION,
        owner_alliance=alliance,
        source=FrameworkSource.AUTHORED,
        levels=[dict(level) for level in DEFAULT_LEVELS],
        created_by=admin,
    )
    framework.full_clean(validate_unique=False)
    framework.save()
    version = FrameworkVersion(
        framework=framework,
        number=1,
        label="1.0",
        status=VersionStatus.PUBLISHED,
        published_at=timezone.make_aware(dt.datetime.combine(published_on, dt.time(10, 0))),
        published_by=admin,
        case_document={"creator": ALLIANCE_NAME, "publisher": ALLIANCE_NAME, "language": "en-GB"},
    )
    version.full_clean(validate_unique=False)
    version.save()
    domains = []
    for sequence, domain in enumerate(content.DOMAINS, start=1):
        row = Competence(
            version=version,
            framework=framework,
            identifier=item_uuid(domain.code),
            sequence=sequence,
            node_type=NodeType.DOMAIN,
            code=domain.code,
            title=domain.title,
            short_title=domain.title,
            description=domain.description,
            case_item_type="Domain",
        )
        row.content_hash = row.compute_content_hash()
        domains.append(row)
    domains = Competence.objects.bulk_create(domains)
    items = []
    for domain_row, domain in zip(domains, content.DOMAINS, strict=True):
        for sequence, item in enumerate(domain.items, start=1):
            row = Competence(
                version=version,
                framework=framework,
                identifier=item_uuid(item.code),
                parent=domain_row,
                sequence=sequence,
                node_type=NodeType.COMPETENCE,
                code=item.code,
                title=item.title,
                short_title=item.short_title,
                description=item.description,
                kind=item.kind,
                assessed_in_practice=item.in_practice,
                evidence_kinds=list(item.evidence),
                reassess_months=item.reassess_months,
                case_item_type="Competence",
                case_fields={"educationLevel": [f"AfC band {band}" for band in item.bands]},
            )
            row.content_hash = row.compute_content_hash()
            items.append(row)
    items = Competence.objects.bulk_create(items)
    rows = {row.code: row for row in items}

    associations: list[Association] = []
    for domain_row in domains:
        associations.append(
            Association(
                version=version,
                identifier=uuid.uuid5(FRAMEWORK_IDENTIFIER, f"{domain_row.code}/isChildOf"),
                association_type=AssociationType.IS_CHILD_OF,
                origin=domain_row,
                destination_is_document=True,
                sequence_number=domain_row.sequence,
            )
        )
    for row in items:
        associations.append(
            Association(
                version=version,
                identifier=uuid.uuid5(FRAMEWORK_IDENTIFIER, f"{row.code}/isChildOf"),
                association_type=AssociationType.IS_CHILD_OF,
                origin=row,
                destination=row.parent,
                sequence_number=row.sequence,
            )
        )
    references = _reference_rows()
    crosswalks = 0
    for item in content.ITEMS:
        for number, (key, standard, kind) in enumerate(item.maps, start=1):
            destination = references.get((key, standard))
            associations.append(
                Association(
                    version=version,
                    identifier=uuid.uuid5(FRAMEWORK_IDENTIFIER, f"{item.code}/{kind}/{key}/{standard}"),
                    association_type=kind,
                    origin=rows[item.code],
                    destination=destination,
                    # Until the reference frameworks are installed, the end is kept as an external reference.
                    destination_ref={}
                    if destination is not None
                    else {
                        "identifier": str(item_identifier(key, standard)),
                        "framework": str(REFERENCE_FRAMEWORKS[key]),
                        "title": f"{REFERENCE_LABELS[key]} {standard}",
                    },
                    sequence_number=number,
                )
            )
            crosswalks += 1
    Association.objects.bulk_create(associations)
    return _Framework(framework, version, rows, dict(rows), crosswalks)


def _revise(built: _Framework, admin: User | None, *, revised_on: dt.date) -> FrameworkVersion:
    """Version 2 as an educator would make it, through the framework services: a draft copy of version 1 with
    one competence reworded. Work dated from `revised_on` on is against the draft's rows; it is published
    after the portfolios are written (_publish_revision)."""
    draft = framework_services.version_draft_create(framework=built.framework, created_by=admin, ctx=DEMO)
    row = Competence.objects.get(version=draft, identifier=item_uuid(content.REVISED_CODE))
    framework_services.competence_update(
        competence=row,
        title=content.REVISED_TITLE,
        code=row.code,
        short_title=row.short_title,
        description=row.description,
        kind=row.kind,
        levels=row.levels,
        assessed_in_practice=row.assessed_in_practice,
        evidence_kinds=row.evidence_kinds,
        reassess_months=row.reassess_months,
        changed_by=admin,
        ctx=DEMO,
    )
    built.published = {
        row.code: row for row in Competence.objects.filter(version=draft, node_type=NodeType.COMPETENCE)
    }
    built.revised_on = revised_on
    return draft


def _publish_revision(built: _Framework, draft: FrameworkVersion, admin: User | None) -> None:
    framework_services.version_publish(version=draft, published_by=admin, ctx=DEMO)
    assert built.revised_on is not None
    # The services stamp the time of the call; the demo dates the change when its history says it happened.
    when = _aware(built.revised_on, 10)
    FrameworkVersion.objects.filter(pk=draft.pk).update(label="2.0", published_at=when)
    FrameworkVersion.objects.filter(pk=built.version.pk).update(retired_at=when)


# Adoption and role requirements ----------------------------------------------------------------------------


def _required_items(role_name: str, band: str) -> list[content.Item]:
    domains = content.ROLE_DOMAINS[role_name]
    return [
        item
        for domain in content.DOMAINS
        for item in domain.items
        if band in item.bands
        and (domains is None or domain.code in domains or item.code in content.ALWAYS_REQUIRED)
    ]


def _adopting(organisations: Sequence[Organisation]) -> list[Organisation]:
    """The trusts that employ mental health support workers."""
    plans = {plan.ods_code: plan for plan in TRUSTS}
    return [org for org in organisations if org.ods_code in plans and trust_uses(plans[org.ods_code], R.MHSW)]


def _write_requirements(
    built: _Framework, organisations: Sequence[Organisation], admins: dict[int, User | None]
) -> tuple[int, int]:
    Adoption.objects.bulk_create(
        [
            Adoption(framework=built.framework, organisation=org, adopted_by=admins.get(org.pk))
            for org in organisations
        ]
    )
    roles = {role.name: role for role in SupportRole.objects.filter(name__in=list(content.ROLE_DOMAINS))}
    requirements = _Rows(
        RoleRequirement,
        (
            "organisation_id",
            "role_id",
            "afc_band",
            "competence_id",
            "min_level",
            "within_days",
            "starts_on",
            "grace_days",
            "created_by_id",
            "created_at",
            "updated_at",
        ),
        numbered=False,
    )
    plans = {plan.ods_code: plan for plan in TRUSTS}
    now = timezone.now()
    began = timezone.localdate(now) - dt.timedelta(days=REQUIREMENTS_BEGAN_DAYS_AGO)
    for org in organisations:
        admin = admins.get(org.pk)
        for role_name in content.ROLE_DOMAINS:
            role = roles.get(role_name)
            if role is None or not trust_uses(plans[org.ods_code], role_name):
                continue
            for band in role_bands(plans[org.ods_code], role_name):
                for item in _required_items(role_name, band):
                    requirements.add(
                        organisation_id=org.pk,
                        role_id=role.pk,
                        afc_band=band,
                        competence_id=built.published[item.code].pk,
                        min_level=INDEPENDENT,
                        within_days=CARE_CERTIFICATE_DAYS if item.care_certificate_core else OTHER_DAYS,
                        starts_on=began,
                        grace_days=GRACE_DAYS,
                        created_by_id=admin.pk if admin else None,
                        created_at=now,
                        updated_at=now,
                    )
    requirements.insert()
    return len(organisations), len(requirements)


# Delegation protocols -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Protocol:
    code: str
    activity: str
    description: str
    settings: tuple[str, ...]
    min_band: str
    supervision: str
    delegating_role: str
    requirements: tuple[tuple[str, str], ...]  # (competence code, minimum level)
    savings: dict[str, Any] = field(default_factory=dict)


CLINICAL_SETTINGS = (
    TeamSetting.INPATIENT,
    TeamSetting.FORENSIC,
    TeamSetting.LEARNING_DISABILITY,
    TeamSetting.COMMUNITY,
    TeamSetting.CRISIS,
)

PROTOCOLS: tuple[_Protocol, ...] = (
    _Protocol(
        code="capillary-blood-glucose",
        activity="Capillary blood glucose monitoring",
        description="Measuring and recording capillary blood glucose for a person whose care plan asks for it, "
        "and reporting results outside their target range.",
        settings=CLINICAL_SETTINGS,
        min_band="2",
        supervision="A registered nurse is available on the shift or by phone. Results outside the target range "
        "in the care plan are reported to the nurse at once.",
        delegating_role="Registered nurse",
        requirements=(("MH-PH-03", INDEPENDENT), ("MH-PH-04", INDEPENDENT), ("MH-SR-08", INDEPENDENT)),
    ),
    _Protocol(
        code="insulin-stable-diabetes",
        activity="Insulin administration for a stable diabetic patient",
        description="Giving a prescribed dose of insulin by pen to a person at home whose diabetes the "
        "community nurse has assessed as stable, following the diabetes care plan.",
        settings=(TeamSetting.COMMUNITY,),
        min_band="3",
        supervision="The community nurse assesses the person as stable and reviews them at least monthly. The "
        "support worker checks blood glucose before each dose, does not give insulin if the reading is outside "
        "the range in the plan, and phones the nurse before leaving the home.",
        delegating_role="Registered nurse (community)",
        requirements=(
            ("MH-PH-06", INDEPENDENT),
            ("MH-PH-03", INDEPENDENT),
            ("MH-PH-04", INDEPENDENT),
            ("MH-PH-05", INDEPENDENT),
            ("MH-PD-06", INDEPENDENT),
        ),
        savings=LEEDS_DIABETES_SAVINGS,
    ),
    _Protocol(
        code="venepuncture",
        activity="Venepuncture",
        description="Taking venous blood samples requested by a registered professional, such as the routine "
        "monitoring bloods for people taking antipsychotic medicines.",
        settings=CLINICAL_SETTINGS,
        min_band="3",
        supervision="A request from a registered professional for each sample. Two failed attempts are passed "
        "back to the registered professional.",
        delegating_role="Registered nurse or doctor",
        requirements=(("MH-PH-07", INDEPENDENT), ("MH-SR-08", INDEPENDENT)),
    ),
    _Protocol(
        code="clinical-observations-news2",
        activity="Clinical observations (NEWS2)",
        description="Taking a full set of physical observations, working out the NEWS2 score and escalating as "
        "the score requires.",
        settings=(
            TeamSetting.INPATIENT,
            TeamSetting.FORENSIC,
            TeamSetting.LEARNING_DISABILITY,
            TeamSetting.CRISIS,
        ),
        min_band="2",
        supervision="The nurse in charge is told of every score of 1 or more in one parameter, or 5 or more in "
        "total, at once; a score of 7 or more is an emergency call.",
        delegating_role="Registered nurse",
        requirements=(("MH-PH-02", INDEPENDENT), ("MH-SR-03", INDEPENDENT)),
    ),
)


def _write_protocols(
    built: _Framework, organisations: Sequence[Organisation], admins: dict[int, User | None]
) -> int:
    roles = list(SupportRole.objects.filter(name__in=list(content.ROLE_DOMAINS)).exclude(name=R.PEER))
    protocols = [
        DelegationProtocol(
            organisation=org,
            code=spec.code,
            activity=spec.activity,
            description=spec.description,
            team_settings=sorted(str(setting) for setting in spec.settings),
            min_band=spec.min_band,
            supervision=spec.supervision,
            delegating_role=spec.delegating_role,
            savings=savings_clean(spec.savings),
            created_by=admins.get(org.pk),
        )
        for org in organisations
        for spec in PROTOCOLS
    ]
    for protocol in protocols:
        protocol.full_clean(validate_unique=False)
    protocols = DelegationProtocol.objects.bulk_create(protocols)
    specs = [spec for _ in organisations for spec in PROTOCOLS]
    ProtocolRequirement.objects.bulk_create(
        [
            ProtocolRequirement(protocol=protocol, competence=built.published[code], min_level=level)
            for protocol, spec in zip(protocols, specs, strict=True)
            for code, level in spec.requirements
        ]
    )
    through = DelegationProtocol.roles.through
    through.objects.bulk_create(
        [
            through(delegationprotocol_id=protocol.pk, supportrole_id=role.pk)
            for protocol in protocols
            for role in roles
        ]
    )
    return len(protocols)


# Portfolios --------------------------------------------------------------------------------------------------


class Plan(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"  # evidence, no request
    RETURNED = "returned"  # evidence and a request returned with feedback
    AWAITING = "awaiting"  # evidence and an open request
    ACHIEVED = "achieved"
    CORRECTED = "corrected"  # signed off, then corrected to another level
    WITHDRAWN = "withdrawn"  # signed off, then withdrawn


@dataclass(frozen=True)
class _Assessor:
    user_id: int
    name: str
    body: str
    pin: str


@dataclass
class _Worker:
    person_id: int
    staff_id: str
    organisation_id: int
    team_id: int
    team_name: str
    role_name: str
    band: str
    started: dt.date  # in the role
    user_id: int | None
    assessors: list[_Assessor]  # who covers their team
    nurses: list[_Assessor]  # who signs off physical health skills


@dataclass
class _Entry:
    worker: _Worker
    item: content.Item
    plan: Plan
    on: dt.date  # when it was signed off, or when the evidence or request was made
    level: str = INDEPENDENT
    assessor: _Assessor | None = None
    expires_on: dt.date | None = None


EVIDENCE_TEXT: dict[str, tuple[str, str]] = {
    "observation": (
        "Observed in practice: {short}",
        "Watched during a shift on {team} and talked through afterwards.",
    ),
    "reflection": (
        "Reflection: {short}",
        "What happened, what I learned from it and what I will do next time.",
    ),
    "witness": (
        "Witness statement: {short}",
        "A colleague's account of how I did this during a shift on {team}.",
    ),
    "certificate": ("Certificate: {short}", "Completed the trust's course and its assessment."),
    "question": ("Questions and answers: {short}", "My written answers to the questions my assessor set."),
    "work_product": ("Record I completed: {short}", "An anonymised copy of a chart or record I completed."),
}
WITNESS_ROLES = (
    "Staff nurse",
    "Charge nurse",
    "Occupational therapist",
    "Ward manager",
    "Senior support worker",
)
REQUEST_MESSAGES = (
    "I feel ready for this now. Could you watch me on our next shift together?",
    "I have added my evidence. Please let me know if you need anything else.",
    "Could we do this during my next long day?",
    "I have practised this with the team and would like to be assessed.",
)
FEEDBACK = (
    "Thank you. Please add a reflection on the last time you did this, then ask me again.",
    "Nearly there. Let's do this together once more on a busier shift before I sign it off.",
    "The certificate has expired; please attach the one from your refresher course.",
    "Please add an example from a record you completed, with the person's details removed.",
)
CORRECTION_REASONS = (
    "The level was recorded wrongly: the observation was of supervised practice, not independent.",
    "Recorded against the wrong level at the time; corrected after checking the observation notes.",
)
WITHDRAWAL_REASONS = (
    "Signed off for the wrong person in error.",
    "Withdrawn after a practice concern; to be reassessed once the development plan is complete.",
)


class _Portfolios:
    def __init__(
        self,
        built: _Framework,
        organisations: Sequence[Organisation],
        *,
        seed: int,
        today: dt.date,
    ) -> None:
        self.built = built
        self.organisations = organisations
        self.rng = random.Random(f"portfolio-{seed}")
        self.names = random.Random(f"portfolio-names-{seed}")
        self.today = today
        self.entries: list[_Entry] = []
        self.priors: list[_Entry] = []
        self.portfolios = 0
        # The demo assessor login and the teams they cover: open requests there wait for them.
        self.featured_assessor: _Assessor | None = None
        self.featured_teams: set[int] = set()
        self.rank = {level["code"]: rank for rank, level in enumerate(DEFAULT_LEVELS, start=1)}

    # Who --------------------------------------------------------------------------------------------------

    def workers(self) -> list[_Worker]:
        today = self.today
        role_names = list(content.ROLE_DOMAINS)
        spells = list(
            EmploymentSpell.objects.active_on(today)
            .filter(
                person__organisation__in=self.organisations,
                role__name__in=role_names,
                team__isnull=False,
            )
            .exclude(contract_type=ContractType.BANK)
            .order_by("person__organisation__ods_code", "person__staff_id", "start_date")
            .values(
                "person_id",
                "person__staff_id",
                "person__organisation_id",
                "team_id",
                "team__name",
                "role_id",
                "role__name",
                "afc_band",
            )
        )
        started = {
            (row["person_id"], row["role_id"]): row["first"]
            for row in EmploymentSpell.objects.filter(person_id__in={s["person_id"] for s in spells})
            .values("person_id", "role_id")
            .annotate(first=Min("start_date"))
        }
        users = dict(
            User.objects.filter(person_id__in={s["person_id"] for s in spells}).values_list("person_id", "pk")
        )
        assessors, nurses = self._team_assessors()
        workers: dict[int, _Worker] = {}
        for spell in spells:
            if spell["person_id"] in workers:
                continue
            team_assessors = assessors.get(spell["team_id"], [])
            workers[spell["person_id"]] = _Worker(
                person_id=spell["person_id"],
                staff_id=spell["person__staff_id"],
                organisation_id=spell["person__organisation_id"],
                team_id=spell["team_id"],
                team_name=spell["team__name"],
                role_name=spell["role__name"],
                band=spell["afc_band"],
                started=started[(spell["person_id"], spell["role_id"])],
                user_id=users.get(spell["person_id"]),
                assessors=team_assessors,
                nurses=[a for a in team_assessors if a.body == RegistrationBody.NMC]
                or nurses.get(spell["person__organisation_id"], []),
            )
        return list(workers.values())

    def _team_assessors(self) -> tuple[dict[int, list[_Assessor]], dict[int, list[_Assessor]]]:
        """Registered assessors covering each team (its nurses if it has any), and each organisation's nurses,
        who sign off physical health skills for teams whose own assessors are therapists."""
        through = Membership.teams.through
        rows = (
            through.objects.filter(
                membership__role=Role.ASSESSOR,
                membership__organisation__in=self.organisations,
                membership__revoked_at__isnull=True,
            )
            .exclude(membership__user__registration_pin="")
            .order_by("team_id", "membership__user__email")
            .values_list(
                "team_id",
                "membership__organisation_id",
                "membership__user_id",
                "membership__user__full_name",
                "membership__user__registration_body",
                "membership__user__registration_pin",
            )
        )
        by_team: dict[int, list[_Assessor]] = defaultdict(list)
        nurses_by_org: dict[int, dict[int, _Assessor]] = defaultdict(dict)
        for team_id, organisation_id, user_id, name, body, pin in rows:
            assessor = _Assessor(user_id, name, body, pin)
            by_team[team_id].append(assessor)
            if body == RegistrationBody.NMC:
                nurses_by_org[organisation_id][user_id] = assessor
        for team_id, assessors in by_team.items():
            by_team[team_id] = [a for a in assessors if a.body == RegistrationBody.NMC] or assessors
        by_org = {
            organisation_id: sorted(nurses.values(), key=lambda a: a.user_id)
            for organisation_id, nurses in nurses_by_org.items()
        }
        return by_team, by_org

    # What -------------------------------------------------------------------------------------------------

    def plan(self, workers: list[_Worker], *, featured: int | None) -> None:
        rng = self.rng
        for worker in workers:
            items = _required_items(worker.role_name, worker.band)
            if worker.person_id == featured:
                self.portfolios += 1
                self._plan_featured(worker, items)
                continue
            # Draws happen for everyone, in the same order, whether or not they have a portfolio.
            has_portfolio = rng.random() < PORTFOLIO_SHARE
            engagement = rng.betavariate(2.5, 1.5)
            if not has_portfolio or not worker.assessors:
                continue
            self.portfolios += 1
            tenure = (self.today - worker.started).days
            for item in items:
                self._plan_one(worker, item, tenure, engagement)

    def _plan_one(self, worker: _Worker, item: content.Item, tenure: int, engagement: float) -> None:
        rng = self.rng
        due = CARE_CERTIFICATE_DAYS if item.care_certificate_core else OTHER_DAYS
        progress = min(1.0, tenure / due)
        achieved = min(0.95, progress * (0.35 + 0.6 * engagement))
        draw = rng.random()
        if draw < achieved:
            self._plan_achieved(worker, item, tenure)
        elif draw < achieved + 0.035:
            self._add(worker, item, Plan.AWAITING, self._recent(worker, 40))
        elif draw < achieved + 0.06:
            self._add(worker, item, Plan.RETURNED, self._recent(worker, 90))
        elif draw < achieved + 0.2:
            self._add(worker, item, Plan.IN_PROGRESS, self._recent(worker, 150))

    def _recent(self, worker: _Worker, days: int) -> dt.date:
        earliest = max(worker.started, self.today - dt.timedelta(days=days))
        return earliest + dt.timedelta(days=self.rng.randint(0, max(0, (self.today - earliest).days - 1)))

    def _plan_achieved(self, worker: _Worker, item: content.Item, tenure: int) -> None:
        rng = self.rng
        months = item.reassess_months
        # Sign-offs of skills that lapse fall within one cycle (plus a little), so some have expired and some
        # are about to; others anywhere since the person started in the role.
        window = min(tenure - 7, round(months * 30.4) + 60 if months else 3 * 365)
        if window < 1:
            self._add(worker, item, Plan.IN_PROGRESS, self._recent(worker, 30))
            return
        on = self.today - dt.timedelta(days=rng.randint(1, window))
        level = SUPERVISED if rng.random() < (0.12 if worker.band == "2" else 0.05) else INDEPENDENT
        draw = rng.random()
        plan = Plan.ACHIEVED
        if draw < 0.012:
            plan = Plan.CORRECTED
        elif draw < 0.018:
            plan = Plan.WITHDRAWN
        entry = self._add(worker, item, plan, on, level=level)
        # A skill that lapses was often signed off a cycle earlier too.
        if (
            months
            and (self.today - worker.started).days > (self.today - on).days + months * 31
            and rng.random() < 0.35
        ):
            earlier = add_months(on, -months) - dt.timedelta(days=rng.randint(0, 30))
            if earlier > worker.started:
                self.priors.append(
                    _Entry(
                        worker,
                        item,
                        Plan.ACHIEVED,
                        earlier,
                        INDEPENDENT,
                        entry.assessor,
                        add_months(earlier, months),
                    )
                )

    def _add(
        self, worker: _Worker, item: content.Item, plan: Plan, on: dt.date, *, level: str = INDEPENDENT
    ) -> _Entry:
        # An open or returned request waits with an assessor who covers the team (and so may sign it off).
        signed = plan not in (Plan.AWAITING, Plan.RETURNED, Plan.IN_PROGRESS)
        clinical = item.code.startswith(PHYSICAL_HEALTH) and worker.nurses
        pool = worker.nurses if signed and clinical else worker.assessors
        assessor = self.rng.choice(pool) if pool else None
        if plan == Plan.AWAITING and worker.team_id in self.featured_teams and self.rng.random() < 0.6:
            assessor = self.featured_assessor
        expires = add_months(on, item.reassess_months) if item.reassess_months else None
        entry = _Entry(worker, item, plan, on, level, assessor, expires)
        self.entries.append(entry)
        return entry

    def _plan_featured(self, worker: _Worker, items: list[content.Item]) -> None:
        """The demo support worker's portfolio: every status, a correction, a withdrawal and a returned request,
        with open requests waiting for the demo assessor."""
        today = self.today
        lapsing = [item for item in items if item.reassess_months]
        others = [item for item in items if not item.reassess_months]

        assessor = self.featured_assessor or (worker.assessors[0] if worker.assessors else None)

        def add(
            item: content.Item,
            plan: Plan,
            on: dt.date,
            *,
            level: str = INDEPENDENT,
            expires: dt.date | None = None,
        ) -> None:
            if expires is None and item.reassess_months:
                expires = add_months(on, item.reassess_months)
            self.entries.append(_Entry(worker, item, plan, on, level, assessor, expires))

        # Skills that lapse: two about to expire, two expired, the rest current; the reworded one was signed
        # off against version 1's wording, so it needs reassessing.
        revised_on = self.built.revised_on
        for index, item in enumerate(
            i for i in lapsing if i.code != content.REVISED_CODE or revised_on is None
        ):
            months = item.reassess_months or 12
            if index in (0, 1):
                expires = today + dt.timedelta(days=9 + 12 * index)
            elif index in (2, 3):
                expires = today - dt.timedelta(days=20 + 40 * (index - 2))
            else:
                expires = add_months(today, 4 + index % 6)
            add(item, Plan.ACHIEVED, add_months(expires, -months), expires=expires)
        revised = next((i for i in lapsing if i.code == content.REVISED_CODE), None)
        if revised is not None and revised_on is not None:
            add(revised, Plan.ACHIEVED, revised_on - dt.timedelta(days=75))
        plans = [
            Plan.AWAITING,
            Plan.AWAITING,
            Plan.RETURNED,
            Plan.IN_PROGRESS,
            Plan.IN_PROGRESS,
            Plan.CORRECTED,
            Plan.WITHDRAWN,
        ]
        tail = max(0, len(others) - 6)  # the last six are not started
        for index, item in enumerate(others[:tail]):
            plan = plans[index] if index < len(plans) else Plan.ACHIEVED
            if plan in (Plan.AWAITING, Plan.RETURNED, Plan.IN_PROGRESS):
                add(item, plan, today - dt.timedelta(days=3 + 5 * index))
            else:
                on = today - dt.timedelta(days=30 + 23 * index)
                level = SUPERVISED if index % 9 == 8 else INDEPENDENT
                add(item, plan, max(on, worker.started + dt.timedelta(days=7)), level=level)

    # Writing ----------------------------------------------------------------------------------------------

    def write(self) -> tuple[int, int, int]:
        """Turn the plans into rows: evidence and its links, sign-off requests, then assessments (sign-offs,
        then the corrections and withdrawals that supersede some of them)."""
        rng = self.rng
        names = self.names
        today = self.today
        built = self.built
        revised_on = built.revised_on
        now = timezone.now()

        def row_for(item: content.Item, on: dt.date) -> Competence:
            # Before version 2 was published, work was done against version 1's row.
            if revised_on is not None and on < revised_on:
                return built.rows[item.code]
            return built.published[item.code]

        evidence = _Rows(Evidence, EVIDENCE_COLUMNS)
        links = _Rows(EvidenceLink, ("evidence_id", "competence_id", "via_id"), numbered=False)
        requests = _Rows(SignOffRequest, REQUEST_COLUMNS)
        request_evidence = _Rows(
            SignOffRequest.evidence.through, ("signoffrequest_id", "evidence_id"), numbered=False
        )
        assessments = _Rows(Assessment, ASSESSMENT_COLUMNS)
        assessment_evidence = _Rows(
            Assessment.evidence.through, ("assessment_id", "evidence_id"), numbered=False
        )

        def assess(entry: _Entry, kind: str, on: dt.date, level: str, **extra: Any) -> int:
            assessor = entry.assessor
            assert assessor is not None
            row = row_for(entry.item, entry.on)
            expires = entry.expires_on if kind != AssessmentKind.WITHDRAWAL else None
            return assessments.add(
                person_id=entry.worker.person_id,
                competence_id=row.pk,
                framework_id=row.framework_id,
                competence_identifier=row.identifier,
                content_hash=row.content_hash,
                kind=kind,
                level=level,
                level_rank=self.rank.get(level, 0),
                assessed_on=on,
                expires_on=expires if expires is None or expires >= on else on,
                assessor_id=assessor.user_id,
                assessor_name=assessor.name,
                registration_body=assessor.body,
                registration_pin=assessor.pin,
                request_id=extra.get("request_id"),
                comments=extra.get("comments", ""),
                supersedes_id=extra.get("supersedes_id"),
                reason=extra.get("reason", ""),
                created_at=now,
            )

        # Earlier cycles of skills that lapse: plain sign-offs, later overtaken by the current one.
        for prior in self.priors:
            if prior.assessor is not None:
                assess(prior, AssessmentKind.SIGN_OFF, prior.on, prior.level, comments=COMMENTS[0])

        for entry in self.entries:
            item, worker = entry.item, entry.worker
            signed = entry.plan in (Plan.ACHIEVED, Plan.CORRECTED, Plan.WITHDRAWN)
            pieces: list[int] = []
            if not signed or rng.random() < 0.3:
                for kind in rng.sample(
                    list(item.evidence), min(2 if rng.random() < 0.1 else 1, len(item.evidence))
                ):
                    title, text = EVIDENCE_TEXT[kind]
                    witness_name = witness_role = ""
                    if kind == "witness":
                        given, family = draw_name(names, "A", names.choice("FFFM"))
                        witness_name, witness_role = f"{given} {family}", names.choice(WITNESS_ROLES)
                    occurred = max(worker.started, entry.on - dt.timedelta(days=rng.randint(0, 21)))
                    piece = evidence.add(
                        person_id=worker.person_id,
                        kind=kind,
                        title=title.format(short=item.short_title)[:200],
                        text=text.format(team=worker.team_name),
                        occurred_on=occurred,
                        witness_name=witness_name,
                        witness_role=witness_role,
                        created_by_id=worker.user_id,
                        created_at=_aware(occurred, 18),
                        updated_at=_aware(occurred, 18),
                    )
                    links.add(evidence_id=piece, competence_id=row_for(item, occurred).pk, via_id=None)
                    pieces.append(piece)
            request: int | None = None
            wants_request = entry.plan in (Plan.AWAITING, Plan.RETURNED) or (
                entry.plan != Plan.WITHDRAWN and signed and item.in_practice and rng.random() < 0.3
            )
            if wants_request and entry.assessor is not None:
                status = {Plan.AWAITING: RequestStatus.OPEN, Plan.RETURNED: RequestStatus.RETURNED}.get(
                    entry.plan, RequestStatus.SIGNED_OFF
                )
                asked = entry.on - dt.timedelta(days=rng.randint(1, 14)) if signed else entry.on
                decided: dt.date | None = None
                if status == RequestStatus.RETURNED:
                    decided = min(today, asked + dt.timedelta(days=rng.randint(1, 10)))
                elif status == RequestStatus.SIGNED_OFF:
                    decided = entry.on
                request = requests.add(
                    person_id=worker.person_id,
                    competence_id=row_for(item, asked).pk,
                    team_id=worker.team_id,
                    requested_by_id=worker.user_id,
                    assessor_id=entry.assessor.user_id,
                    level_sought=entry.level,
                    message=rng.choice(REQUEST_MESSAGES),
                    status=status,
                    decided_at=_aware(decided, 15) if decided else None,
                    decided_by_id=entry.assessor.user_id if decided else None,
                    feedback=rng.choice(FEEDBACK) if status == RequestStatus.RETURNED else "",
                    created_at=_aware(asked, 9),
                    updated_at=_aware(decided or asked, 15),
                )
                for piece in pieces:
                    request_evidence.add(signoffrequest_id=request, evidence_id=piece)
            if not signed or entry.assessor is None:
                continue
            sign_off = assess(
                entry,
                AssessmentKind.SIGN_OFF,
                entry.on,
                entry.level,
                request_id=request,
                comments=rng.choice(COMMENTS),
            )
            for piece in pieces:
                assessment_evidence.add(assessment_id=sign_off, evidence_id=piece)
            if entry.plan == Plan.CORRECTED:
                assess(
                    entry,
                    AssessmentKind.CORRECTION,
                    min(today, entry.on + dt.timedelta(days=rng.randint(2, 20))),
                    SUPERVISED if entry.level == INDEPENDENT else INDEPENDENT,
                    supersedes_id=sign_off,
                    reason=rng.choice(CORRECTION_REASONS),
                )
            elif entry.plan == Plan.WITHDRAWN:
                assess(
                    entry,
                    AssessmentKind.WITHDRAWAL,
                    min(today, entry.on + dt.timedelta(days=rng.randint(2, 20))),
                    "",
                    supersedes_id=sign_off,
                    reason=rng.choice(WITHDRAWAL_REASONS),
                )

        for table in (evidence, links, requests, request_evidence, assessments, assessment_evidence):
            table.insert()
        return len(evidence), len(requests), len(assessments)


COMMENTS = (
    "Safe, confident practice throughout.",
    "Talked the person through each step and checked they were comfortable.",
    "Good technique; discussed how to record an unusual result.",
    "",
)
EVIDENCE_COLUMNS = (
    "person_id",
    "kind",
    "title",
    "text",
    "occurred_on",
    "witness_name",
    "witness_role",
    "created_by_id",
    "created_at",
    "updated_at",
)
REQUEST_COLUMNS = (
    "person_id",
    "competence_id",
    "team_id",
    "requested_by_id",
    "assessor_id",
    "level_sought",
    "message",
    "status",
    "decided_at",
    "decided_by_id",
    "feedback",
    "created_at",
    "updated_at",
)
ASSESSMENT_COLUMNS = (
    "person_id",
    "competence_id",
    "framework_id",
    "competence_identifier",
    "content_hash",
    "kind",
    "level",
    "level_rank",
    "assessed_on",
    "expires_on",
    "assessor_id",
    "assessor_name",
    "registration_body",
    "registration_pin",
    "request_id",
    "comments",
    "supersedes_id",
    "reason",
    "created_at",
)


class _Rows:
    """Rows for one table, written with a single `executemany`.

    The demo writes some 40,000 portfolio rows; bulk_create builds a model instance and prepares every value
    through the SQL compiler, which made the demo load five times slower. Here only dates, datetimes and UUIDs
    are converted (by their fields, for the database in use). Numbered tables get explicit primary keys so that
    rows can point at each other before anything is written; the sequences are reset afterwards, as loaddata
    does. The database still checks every constraint."""

    def __init__(self, model: type[models.Model], columns: Sequence[str], *, numbered: bool = True) -> None:
        meta = model._meta
        self.model = model
        self.columns = list(columns)
        fields: list[models.Field[Any, Any]] = []
        for column in self.columns:
            field = meta.get_field(column)
            assert isinstance(field, models.Field)
            fields.append(field)
        self.names = [field.column or field.attname for field in fields]
        assert len(self.columns) > 1  # so that itemgetter returns a tuple
        self.pick = operator.itemgetter(*self.columns)
        # Columns whose values the database driver needs converted, each with a cache: the same few hundred
        # dates and identifiers recur thousands of times.
        self.converted: list[tuple[int, Callable[[Any, Any], Any], dict[Any, Any]]] = [
            (index, field.get_db_prep_save, {})
            for index, field in enumerate(fields)
            if isinstance(field, (models.DateField, models.UUIDField))
        ]
        self.numbered = numbered
        self.next_pk = (model._default_manager.aggregate(top=Max("pk"))["top"] or 0) + 1 if numbered else 0
        self.rows: list[list[Any]] = []

    def __len__(self) -> int:
        return len(self.rows)

    def add(self, **values: Any) -> int:
        row = list(self.pick(values))
        for index, convert, cache in self.converted:
            value = row[index]
            if value is not None:
                if value not in cache:
                    cache[value] = convert(value, connection)
                row[index] = cache[value]
        pk = self.next_pk + len(self.rows)
        if self.numbered:
            row.insert(0, pk)
        self.rows.append(row)
        return pk

    def insert(self) -> None:
        if not self.rows:
            return
        quote = connection.ops.quote_name
        names = (["id"] if self.numbered else []) + self.names
        # Table and column names come from the model's metadata, never from input.
        sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608
            quote(self.model._meta.db_table),
            ", ".join(quote(name) for name in names),
            ", ".join(["%s"] * len(names)),
        )
        with connection.cursor() as cursor:
            for start in range(0, len(self.rows), 2000):
                cursor.executemany(sql, self.rows[start : start + 2000])
            if self.numbered:
                for statement in connection.ops.sequence_reset_sql(no_style(), [self.model]):
                    cursor.execute(statement)


@functools.cache
def _aware(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


# Entry point ----------------------------------------------------------------------------------------------------


def competence_demo_load(*, alliance: Alliance, seed: int, today: dt.date) -> CompetenceSummary:
    """Write the framework, adoptions, requirements, protocols and portfolios for the demo alliance."""
    organisations = list(Organisation.objects.filter(alliance=alliance).order_by("ods_code"))
    adopting = _adopting(organisations)
    users = {
        user.email: user
        for user in User.objects.filter(
            email__in=[
                demo_email("alliance.admin"),
                demo_email("support.worker"),
                demo_email("assessor"),
                *[demo_email(f"org.admin.{plan.short}") for plan in TRUSTS],
                demo_email("org.admin"),
            ]
        )
    }
    admin = users.get(demo_email("alliance.admin"))
    org_admins: dict[int, User | None] = {}
    for org in organisations:
        plan = next(plan for plan in TRUSTS if plan.ods_code == org.ods_code)
        local = "org.admin" if plan is TRUSTS[0] else f"org.admin.{plan.short}"
        org_admins[org.pk] = users.get(demo_email(local))

    built = _write_framework(alliance, admin, published_on=today - dt.timedelta(days=3 * 365))
    draft = _revise(built, admin, revised_on=today - dt.timedelta(days=REVISED_DAYS_AGO))

    portfolios = _Portfolios(built, adopting, seed=seed, today=today)
    workers = portfolios.workers()
    worker_user = users.get(demo_email("support.worker"))
    assessor_user = users.get(demo_email("assessor"))
    if assessor_user is not None and assessor_user.is_registered_professional:
        portfolios.featured_assessor = _Assessor(
            assessor_user.pk,
            assessor_user.full_name,
            assessor_user.registration_body,
            assessor_user.registration_pin,
        )
        portfolios.featured_teams = set(
            Membership.teams.through.objects.filter(
                membership__user=assessor_user, membership__role=Role.ASSESSOR
            ).values_list("team_id", flat=True)
        )
    portfolios.plan(workers, featured=worker_user.person_id if worker_user is not None else None)
    evidence, requests, assessments = portfolios.write()
    # Published once the sign-offs are in, so its change summary counts who needs reassessing.
    _publish_revision(built, draft, admin)

    adoptions, requirements = _write_requirements(built, adopting, org_admins)
    protocols = _write_protocols(built, adopting, org_admins)
    return CompetenceSummary(
        framework=built.framework.title,
        competences=len(built.rows),
        crosswalks=built.crosswalks,
        adoptions=adoptions,
        requirements=requirements,
        protocols=protocols,
        portfolios=portfolios.portfolios,
        evidence=evidence,
        requests=requests,
        assessments=assessments,
        revised=built.revised_on is not None,
    )
