"""Writes the simulated demo alliance to the database: organisations, sites, teams, people, spells, users, roles.

One transaction, bulk inserts, and one password hash shared by every demo user (hashing is the slow part of
creating users). Installed only where the demo app is (local and test settings), never in production."""

from __future__ import annotations

import datetime as dt
import random
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from tqdm import tqdm

from cultivate.accounts.models import Membership, Role, User
from cultivate.organisations.models import (
    Alliance,
    EmploymentSpell,
    JobTitle,
    Organisation,
    Person,
    Site,
    SupportRole,
    Team,
    TeamSetting,
)

from .alliance import ALLIANCE_CODE, ALLIANCE_NAME, EMAIL_DOMAIN, HCA_FAMILY, TRUSTS, demo_email
from .competence import CompetenceSummary, competence_demo_delete, competence_demo_load
from .credentials import CredentialsDemoSummary, credentials_demo_delete, credentials_demo_load
from .learning import LearningSummary, learning_demo_delete, learning_demo_load
from .names import draw_name, email_local_part
from .pathways import PathwaysSummary, demo_organisations, pathways_demo_delete, pathways_demo_load
from .programmes import ProgrammeDemoSummary, programmes_demo_delete, programmes_demo_load
from .simulation import Post, Track, World, reference_date, simulate

DEFAULT_SEED = 2026
# One shared password for every demo account, given in `cultivate demo --help` and printed by `cultivate demo
# --print-logins`. It passes the AUTH_PASSWORD_VALIDATORS (the tests check).
DEMO_PASSWORD = "cultivate-demo-2026"  # noqa: S105


class DemoExistsError(Exception):
    """The demo alliance is already in the database."""


@dataclass(frozen=True)
class DemoLogin:
    role: str
    email: str


@dataclass(frozen=True)
class DemoSummary:
    seed: int
    reference: dt.date
    organisations: int
    sites: int
    teams: int
    people: int
    support_workers: int
    spells: int
    users: int
    memberships: int
    seconds: float
    competence: CompetenceSummary | None = None
    pathways: PathwaysSummary | None = None
    learning: LearningSummary | None = None
    programmes: ProgrammeDemoSummary | None = None
    credentials: CredentialsDemoSummary | None = None

    def lines(self) -> list[str]:
        return [
            f"Created {ALLIANCE_NAME} (seed {self.seed}, history to {self.reference.day} {self.reference:%B %Y}) "
            f"in {self.seconds:.1f} s:",
            f"  {self.organisations} organisations, {self.sites} sites, {self.teams} teams",
            f"  {self.people:,} people ({self.support_workers:,} support workers), "
            f"{self.spells:,} employment spells",
            f"  {self.users} users holding {self.memberships} roles",
            *(self.competence.lines() if self.competence else []),
            *(self.pathways.lines() if self.pathways else []),
            *(self.learning.lines() if self.learning else []),
            *(self.programmes.lines() if self.programmes else []),
            *(self.credentials.lines() if self.credentials else []),
        ]


# The memorable accounts, one per role, in the order they are printed. Other trusts' accounts carry the trust's
# short name (support.worker.merebrook@…).
LOGIN_ROLES: tuple[tuple[str, str], ...] = (
    ("Support worker", "support.worker"),
    ("Line manager", "line.manager"),
    ("Assessor", "assessor"),
    ("Educator", "educator"),
    ("Workforce analyst", "analyst"),
    ("Organisation admin", "org.admin"),
    ("Alliance admin", "alliance.admin"),
    ("Line manager and assessor (two roles)", "manager.assessor"),
)


def normalise_title(title: str) -> str:
    """The key job titles are matched on; the same rule the role-catalogue migration (0002) applies."""
    return re.sub(r"[^a-z0-9]+", " ", title.lower()).strip()


def demo_exists() -> bool:
    return Alliance.objects.filter(code=ALLIANCE_CODE).exists()


def demo_logins() -> list[DemoLogin]:
    """The memorable demo accounts that exist, one per role."""
    wanted = [(label, demo_email(local)) for label, local in LOGIN_ROLES]
    present = set(
        User.objects.filter(email__in=[email for _, email in wanted]).values_list("email", flat=True)
    )
    return [DemoLogin(label, email) for label, email in wanted if email in present]


@transaction.atomic
def demo_delete() -> int:
    """Remove the demo alliance, its trusts (with everything in them) and every demo account. Returns the number
    of organisations removed."""
    credentials_demo_delete()
    pathways_demo_delete(
        organisations=demo_organisations(), alliance=Alliance.objects.filter(code=ALLIANCE_CODE).first()
    )
    learning_demo_delete()
    programmes_demo_delete()
    competence_demo_delete()
    User.objects.filter(email__iendswith=f"@{EMAIL_DOMAIN}").delete()
    organisations = Organisation.objects.filter(ods_code__in=[plan.ods_code for plan in TRUSTS])
    EmploymentSpell.objects.filter(person__organisation__in=organisations).delete()
    Person.objects.filter(organisation__in=organisations).delete()
    removed = organisations.count()
    organisations.delete()
    Alliance.objects.filter(code=ALLIANCE_CODE).delete()
    return removed


@dataclass
class _Account:
    email: str
    full_name: str
    person: int | None  # key of the simulated Person
    # (role, index of the organisation or None for the alliance, indexes of the teams)
    roles: list[tuple[str, int | None, list[int]]]
    registration_body: str = ""
    registration_pin: str = ""


class _Writer:
    def __init__(self, world: World, step: Callable[[str], None]) -> None:
        self.world = world
        self.step = step
        self.alliance: Alliance | None = None
        self.organisations: list[Organisation] = []
        self.sites: list[Site] = []
        self.teams: list[Team] = []
        self.people: list[Person] = []
        self.spells: list[EmploymentSpell] = []
        self.users: list[User] = []
        self.memberships: list[Membership] = []

    def write(self) -> None:
        self._places()
        self._people()
        self._spells()
        self._accounts()

    def _places(self) -> None:
        self.step("Writing organisations, sites and teams")
        alliance = Alliance(name=ALLIANCE_NAME, code=ALLIANCE_CODE)
        alliance.full_clean()
        alliance.save()
        self.alliance = alliance
        organisations = [
            Organisation(
                ods_code=org.plan.ods_code, name=org.plan.name, kind=org.plan.kind, alliance=alliance
            )
            for org in self.world.orgs
        ]
        for organisation in organisations:
            organisation.full_clean(validate_unique=False)
        self.organisations = Organisation.objects.bulk_create(organisations)
        sites: dict[tuple[int, str], Site] = {}
        for org_index, org in enumerate(self.world.orgs):
            for number, name in enumerate(org.plan.sites, start=1):
                sites[org_index, name] = Site(
                    organisation=self.organisations[org_index],
                    name=name,
                    code=f"{org.plan.ods_code}{number:02d}",
                )
        self.sites = Site.objects.bulk_create(list(sites.values()))
        self.teams = Team.objects.bulk_create(
            [
                Team(
                    organisation=self.organisations[team.org],
                    site=sites[team.org, team.site],
                    name=team.name,
                    setting=team.setting,
                )
                for team in self.world.teams
            ]
        )
        roles = {role.name: role for role in SupportRole.objects.all()}
        local_titles = []
        for org_index, org in enumerate(self.world.orgs):
            for title, role_name in org.plan.local_aliases:
                if role_name not in roles:
                    raise LookupError(
                        f"The role catalogue has no role {role_name!r}: run the migrations first."
                    )
                local_titles.append(
                    JobTitle(
                        title=title,
                        normalised=normalise_title(title),
                        role=roles[role_name],
                        organisation=self.organisations[org_index],
                    )
                )
        JobTitle.objects.bulk_create(local_titles)

    def _people(self) -> None:
        self.step("Writing people")
        self.people = Person.objects.bulk_create(
            [
                Person(
                    organisation=self.organisations[person.org],
                    staff_id=person.staff_id,
                    given_name=person.given,
                    family_name=person.family,
                    birth_date=person.birth,
                    sex=person.sex,
                    ethnic_category=person.ethnic,
                    disability=person.disability,
                )
                for person in self.world.people
            ],
            batch_size=500,
        )

    def _spells(self) -> None:
        self.step("Writing employment spells")
        shared = dict(JobTitle.objects.filter(organisation__isnull=True).values_list("normalised", "role_id"))
        local = {
            (organisation_id, normalised): role_id
            for organisation_id, normalised, role_id in JobTitle.objects.filter(
                organisation__in=self.organisations
            ).values_list("organisation_id", "normalised", "role_id")
        }
        spells = []
        for person in self.world.people:
            organisation_id = self.organisations[person.org].pk
            for number, spell in enumerate(person.spells, start=1):
                key = normalise_title(spell.title)
                spells.append(
                    EmploymentSpell(
                        person=self.people[person.key],
                        assignment_id=f"{person.staff_id}-{number}",
                        team=self.teams[spell.team] if spell.team is not None else None,
                        role_id=local.get((organisation_id, key), shared.get(key)),
                        job_role=spell.job_role,
                        job_title=spell.title,
                        afc_band=spell.band,
                        staff_group=spell.staff_group,
                        area_of_work=spell.area_of_work,
                        contract_type=spell.contract,
                        fte=Decimal(spell.fte),
                        start_date=spell.start,
                        end_date=spell.end,
                        leaving_reason=spell.reason,
                        line_manager=self.people[spell.manager] if spell.manager is not None else None,
                    )
                )
        self.spells = EmploymentSpell.objects.bulk_create(spells, batch_size=500)

    # Accounts -------------------------------------------------------------------------------------------

    def _demo_support_worker(self, org_index: int) -> int:
        """A current health care assistant (or similar) at band 2 or 3 on a ward, with a history worth showing:
        the person a development pathway is for. Falls back step by step to anyone current."""
        world = self.world
        candidates = [
            person
            for person in world.people
            if person.org == org_index
            and person.track == Track.SUPPORT
            and person.current.end is None
            and person.current.contract != "Bank"
            and person.current.team is not None
            and person.current.manager is not None
            and world.teams[person.current.team].assessors
        ]
        preferences: tuple[tuple[int, bool, bool, bool], ...] = (
            # (fewest spells, HCA family at band 2 or 3 only, inpatient wards only, must have been promoted)
            (3, True, True, True),
            (2, True, True, True),
            (3, True, True, False),
            (2, True, False, False),
            (1, False, False, False),
        )
        for minimum_spells, hca_only, ward_only, promoted in preferences:
            for person in candidates:
                spell = person.current
                team = world.teams[spell.team]  # type: ignore[index]
                if len(person.spells) < minimum_spells:
                    continue
                if hca_only and (spell.role not in HCA_FAMILY or spell.band not in ("2", "3")):
                    continue
                if ward_only and team.setting != TeamSetting.INPATIENT:
                    continue
                if promoted and person.spells[0].band == spell.band:
                    continue
                return person.key
        raise LookupError("The simulation produced no current support worker to sign in as.")

    def _accounts(self) -> None:
        self.step("Writing users and roles")
        world = self.world
        accounts: list[_Account] = []
        by_person: dict[int, _Account] = {}
        used: set[str] = set()

        def person_account(key: int, email: str) -> _Account:
            person = world.people[key]
            account = _Account(
                email=email,
                full_name=f"{person.given} {person.family}",
                person=key,
                roles=[],
                registration_body=person.registration_body,
                registration_pin=person.registration_pin,
            )
            by_person[key] = account
            accounts.append(account)
            used.add(email)
            return account

        rng_names = _NameSource(world.seed)
        for org_index, org in enumerate(world.orgs):
            suffix = "" if org_index == 0 else f".{org.plan.short}"
            worker = self._demo_support_worker(org_index)
            team = world.people[worker].current.team
            assert team is not None
            manager = world.people[worker].current.manager
            assert manager is not None
            assessor = world.teams[team].assessors[0]
            person_account(worker, demo_email(f"support.worker{suffix}")).roles.append(
                (Role.SUPPORT_WORKER, org_index, [])
            )
            person_account(manager, demo_email(f"line.manager{suffix}"))
            second_team = next(
                (
                    other
                    for other in org.teams
                    if other != team and world.teams[other].setting == world.teams[team].setting
                ),
                next(other for other in org.teams if other != team),
            )
            person_account(assessor, demo_email(f"assessor{suffix}")).roles.append(
                (Role.ASSESSOR, org_index, [team, second_team])
            )
            person_account(org.educators[0], demo_email(f"educator{suffix}"))
            for label, role in (("analyst", Role.ANALYST), ("org.admin", Role.ORG_ADMIN)):
                given, family = rng_names.next()
                email = demo_email(f"{label}{suffix}")
                accounts.append(
                    _Account(
                        email=email, full_name=f"{given} {family}", person=None, roles=[(role, org_index, [])]
                    )
                )
                used.add(email)
            if org_index == 0:
                dual = next(world.teams[other].managers[0] for other in org.teams if other != team)
                person_account(dual, demo_email("manager.assessor")).roles.append(
                    (Role.ASSESSOR, org_index, [world.people[dual].current.team or team])
                )
        given, family = rng_names.next()
        accounts.append(
            _Account(
                email=demo_email("alliance.admin"),
                full_name=f"{given} {family}",
                person=None,
                roles=[(Role.ALLIANCE_ADMIN, None, [])],
            )
        )
        # Every line manager, assessor and educator signs in, under their own name where not named above.
        for person in world.people:
            if person.post is None:
                continue
            account = by_person.get(person.key)
            if account is None:
                local = email_local_part(person.given, person.family)
                email, number = demo_email(local), 1
                while email in used:
                    number += 1
                    email = demo_email(f"{local}{number}")
                account = person_account(person.key, email)
            team = person.current.team
            if person.post == Post.MANAGER and team is not None:
                account.roles.insert(0, (Role.LINE_MANAGER, person.org, [team]))
            elif person.post == Post.ASSESSOR and team is not None and not account.roles:
                account.roles.append((Role.ASSESSOR, person.org, [team]))
            elif person.post == Post.EDUCATOR:
                account.roles.append((Role.EDUCATOR, person.org, []))
        self._save_accounts(accounts)

    def _save_accounts(self, accounts: list[_Account]) -> None:
        world = self.world
        password = make_password(DEMO_PASSWORD)
        joined = timezone.make_aware(dt.datetime.combine(world.start, dt.time(9, 0)))
        for account in accounts:
            if account.person is not None:
                self.people[account.person].email = account.email
        Person.objects.bulk_update(
            [self.people[account.person] for account in accounts if account.person is not None], ["email"]
        )
        self.users = User.objects.bulk_create(
            [
                User(
                    email=account.email,
                    full_name=account.full_name,
                    person=self.people[account.person] if account.person is not None else None,
                    registration_body=account.registration_body,
                    registration_pin=account.registration_pin,
                    password=password,
                    date_joined=joined,
                )
                for account in accounts
            ]
        )
        memberships: list[Membership] = []
        membership_teams: list[list[int]] = []
        for user, account in zip(self.users, accounts, strict=True):
            for role, org_index, teams in account.roles:
                memberships.append(
                    Membership(
                        user=user,
                        role=role,
                        organisation=self.organisations[org_index] if org_index is not None else None,
                        alliance=self.alliance if org_index is None else None,
                        starts_on=world.start,
                    )
                )
                membership_teams.append(teams)
        self.memberships = Membership.objects.bulk_create(memberships)
        through = Membership.teams.through
        Membership.teams.through.objects.bulk_create(
            [
                through(membership_id=membership.pk, team_id=self.teams[team].pk)
                for membership, teams in zip(self.memberships, membership_teams, strict=True)
                for team in teams
            ]
        )


class _NameSource:
    """Names for the demo accounts that are not staff records (analysts, admins), from their own stream so that
    they do not shift the workforce."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(f"accounts-{seed}")

    def next(self) -> tuple[str, str]:
        return draw_name(
            self.rng, self.rng.choice(("A", "A", "A", "C", "H", "N", "M", "J")), self.rng.choice("FM")
        )


def demo_create(
    *, seed: int = DEFAULT_SEED, scale: float = 1.0, today: dt.date | None = None, progress: bool = False
) -> DemoSummary:
    """Create the demo alliance. Raises DemoExistsError if it is already there (see demo_delete)."""
    started = time.perf_counter()
    reference = reference_date(today or timezone.localdate())
    steps = 9
    with tqdm(
        total=60 + steps,
        desc="Simulating five years",
        unit="step",
        file=sys.stderr,
        disable=not progress,
        leave=False,
    ) as bar:

        def step(description: str) -> None:
            bar.set_description(description)
            bar.update(1)

        with transaction.atomic():
            if demo_exists():
                raise DemoExistsError(f"{ALLIANCE_NAME} is already in the database.")
            world = simulate(seed, reference=reference, scale=scale, progress=bar.update)
            writer = _Writer(world, step)
            writer.write()
            step("Writing the competency framework and portfolios")
            assert writer.alliance is not None
            competence = competence_demo_load(
                alliance=writer.alliance, seed=seed, today=today or timezone.localdate()
            )
            step("Writing the training catalogue, mandatory training and completions")
            learning = learning_demo_load(
                alliance=writer.alliance, seed=seed, today=today or timezone.localdate()
            )
            step("Writing the development programme")
            programmes = programmes_demo_load(
                alliance=writer.alliance, seed=seed, today=today or timezone.localdate()
            )
            step("Writing career pathways, qualifications and apprenticeships")
            pathways = pathways_demo_load(
                alliance=writer.alliance, seed=seed, today=today or timezone.localdate()
            )
            step("Checking the certificates and making a competence record")
            credentials = credentials_demo_load(
                alliance=writer.alliance, seed=seed, today=today or timezone.localdate()
            )
    return DemoSummary(
        seed=seed,
        reference=reference,
        organisations=len(writer.organisations),
        sites=len(writer.sites),
        teams=len(writer.teams),
        people=len(writer.people),
        support_workers=sum(1 for person in world.people if person.track != Track.REGISTERED),
        spells=len(writer.spells),
        users=len(writer.users),
        memberships=len(writer.memberships),
        seconds=time.perf_counter() - started,
        competence=competence,
        pathways=pathways,
        learning=learning,
        programmes=programmes,
        credentials=credentials,
    )
