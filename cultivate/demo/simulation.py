"""A month-by-month simulation of each demo trust's support workforce over five years.

Pure Python and no database: `simulate()` returns people and their employment spells as plain objects, and the
generator writes them. Everything random comes from one `random.Random(seed)` consumed in a fixed order, so the
same seed and reference date always give the same workforce."""

from __future__ import annotations

import calendar
import datetime as dt
import random
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum

from cultivate.accounts.models import RegistrationBody
from cultivate.organisations.models import ContractType, OrganisationKind, Sex, TeamSetting

from . import calibration as cal
from .alliance import (
    ESR_JOB_ROLE,
    HCA_FAMILY,
    NURSING_SUPPORT,
    SETTING_ROLES,
    SHARED_TITLES,
    STAFF_BANK,
    THERAPY_ROLES,
    THERAPY_SUPPORT,
    TRUSTS,
    R,
    TrustPlan,
    area_of_work,
    role_bands,
    trust_uses,
)
from .names import draw_name

# The history ends on the latest anniversary of this date that is not in the future, so the demo never ages by
# more than a year and two runs on the same day (or in the same year) give the same dates.
REFERENCE_EPOCH = dt.date(2026, 10, 31)
HISTORY_YEARS = 5
REGISTERED_NURSES = "Nurses & health visitors"
REGISTERED_THERAPISTS = "Scientific, therapeutic & technical staff"


def reference_date(today: dt.date) -> dt.date:
    """The anniversary of REFERENCE_EPOCH on or before today (and within a year of it)."""
    year = (
        today.year
        if (today.month, today.day) >= (REFERENCE_EPOCH.month, REFERENCE_EPOCH.day)
        else today.year - 1
    )
    return REFERENCE_EPOCH.replace(year=year)


def add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def monthly(yearly: float) -> float:
    """The chance in one month of something with this chance in a year."""
    return float(1 - (1 - min(yearly, 0.999)) ** (1 / 12))


class Track(StrEnum):
    SUPPORT = "support"  # a substantive support worker
    TRAINEE = "trainee"  # on a fixed-length training post (trainee nursing associate or PWP)
    BANK = "bank"  # works on the staff bank only
    QUALIFIED = "qualified"  # a former support worker now in a registered post
    REGISTERED = "registered"  # line managers, assessors and educators
    LEFT = "left"


class Post(StrEnum):
    """What a registered member of staff is in the demo for (each becomes a user)."""

    MANAGER = "line_manager"
    ASSESSOR = "assessor"
    EDUCATOR = "educator"


@dataclass
class Spell:
    team: int | None
    role: str | None  # the canonical role the post really is; None for registered posts
    title: str
    band: str
    contract: str
    fte: str
    start: dt.date
    end: dt.date | None = None
    reason: str = ""
    manager: int | None = None  # key of the line manager's Person
    job_role: str = ""
    staff_group: str = ""
    area_of_work: str = ""


@dataclass
class Person:
    key: int
    org: int
    staff_id: str
    given: str
    family: str
    sex: str
    ethnic: str
    disability: str
    birth: dt.date
    track: Track
    spells: list[Spell] = field(default_factory=list)
    fixed_term_end: dt.date | None = None
    trainee_end: dt.date | None = None
    post: Post | None = None
    registration_body: str = ""
    registration_pin: str = ""

    @property
    def current(self) -> Spell:
        return self.spells[-1]


@dataclass
class Team:
    org: int
    name: str
    setting: str
    site: str
    posts: int
    managers: list[int] = field(default_factory=list)
    assessors: list[int] = field(default_factory=list)


@dataclass
class Org:
    plan: TrustPlan
    profile: cal.TrustProfile
    teams: list[int] = field(default_factory=list)
    bank_team: int = -1
    titles: dict[str, tuple[tuple[str, ...], tuple[float, ...]]] = field(default_factory=dict)
    hire_mix: tuple[float, float, float] = (1 / 3, 1 / 3, 1 / 3)
    active: list[int] = field(default_factory=list)  # keys of people in substantive support posts
    vacancies: list[tuple[int, int]] = field(default_factory=list)  # (month index to fill in, team)
    educators: list[int] = field(default_factory=list)


@dataclass
class World:
    seed: int
    scale: float
    reference: dt.date
    start: dt.date
    orgs: list[Org]
    teams: list[Team]
    people: list[Person]


BANDS = ("2", "3", "4")
# Roles people do not move into by promotion or a sideways move: they need a training post first.
NOT_BY_PROMOTION = frozenset({R.NA, R.TNA, R.TPWP, R.NDA})

MANAGER_TITLES: dict[str, tuple[str, str]] = {
    TeamSetting.INPATIENT: ("Ward Manager", "Deputy Ward Manager"),
    TeamSetting.FORENSIC: ("Ward Manager", "Deputy Ward Manager"),
    TeamSetting.LEARNING_DISABILITY: ("Team Manager", "Clinical Team Leader"),
    TeamSetting.COMMUNITY: ("Team Manager", "Clinical Team Leader"),
    TeamSetting.CRISIS: ("Team Manager", "Clinical Team Leader"),
    TeamSetting.OUTPATIENT: ("Service Manager", "Clinical Lead"),
}
# (title, registration body, HCPC profession prefix) of assessors in each setting.
ASSESSOR_POSTS: dict[str, tuple[tuple[str, str, str], ...]] = {
    TeamSetting.INPATIENT: (
        ("Staff Nurse", "NMC", ""),
        ("Senior Staff Nurse", "NMC", ""),
        ("Occupational Therapist", "HCPC", "OT"),
    ),
    TeamSetting.FORENSIC: (("Staff Nurse", "NMC", ""), ("Charge Nurse", "NMC", "")),
    TeamSetting.LEARNING_DISABILITY: (
        ("Learning Disability Nurse", "NMC", ""),
        ("Speech and Language Therapist", "HCPC", "SL"),
    ),
    TeamSetting.COMMUNITY: (
        ("Community Staff Nurse", "NMC", ""),
        ("Occupational Therapist", "HCPC", "OT"),
        ("Physiotherapist", "HCPC", "PH"),
    ),
    TeamSetting.CRISIS: (("Crisis Practitioner", "NMC", ""), ("Staff Nurse", "NMC", "")),
    TeamSetting.OUTPATIENT: (
        ("Clinical Nurse Specialist", "NMC", ""),
        ("Podiatrist", "HCPC", "CH"),
        ("Speech and Language Therapist", "HCPC", "SL"),
    ),
}
EDUCATOR_POSTS = (("Practice Development Nurse", "7"), ("Clinical Skills Educator", "6"))
QUALIFIED_TITLES = ("Staff Nurse", "Registered Nurse", "Staff Nurse")
PWP_TITLE = "Psychological Wellbeing Practitioner"


def _weighted(rng: random.Random, options: Sequence[tuple[str, float]]) -> str:
    return rng.choices([value for value, _ in options], [weight for _, weight in options])[0]


class Simulator:
    def __init__(self, seed: int, *, reference: dt.date, scale: float = 1.0) -> None:
        if scale <= 0:
            raise ValueError("scale must be positive")
        self.rng = random.Random(seed)
        start = reference.replace(year=reference.year - HISTORY_YEARS) + dt.timedelta(days=1)
        self.world = World(
            seed=seed, scale=scale, reference=reference, start=start, orgs=[], teams=[], people=[]
        )
        self._next_staff_number = 10_400_000
        self._used_pins: set[str] = set()

    # Dates and small draws ------------------------------------------------------------------------------

    @property
    def months(self) -> int:
        return HISTORY_YEARS * 12

    def month_start(self, month: int) -> dt.date:
        return add_months(self.world.start, month)

    def day_in_month(self, month: int) -> dt.date:
        first = self.month_start(month)
        days = (self.month_start(month + 1) - first).days
        return first + dt.timedelta(days=self.rng.randrange(days))

    def _staff_id(self) -> str:
        self._next_staff_number += self.rng.randint(1, 37)
        return str(self._next_staff_number)

    def _fte(self, org: Org) -> str:
        part_time_mean = sum(float(v) * w for v, w in cal.PART_TIME_FTE) / sum(
            w for _, w in cal.PART_TIME_FTE
        )
        full_time = (org.profile.mean_fte - part_time_mean) / (1 - part_time_mean)
        if self.rng.random() < full_time:
            return "1.00"
        return _weighted(self.rng, cal.PART_TIME_FTE)

    def _birth(self, bands: tuple[tuple[int, int, float], ...], on: dt.date) -> dt.date:
        low, high, _ = self.rng.choices(bands, [w for _, _, w in bands])[0]
        age = self.rng.randint(low, high)
        return on - dt.timedelta(days=int((age + self.rng.random()) * 365.25))

    def _person(self, org_index: int, track: Track, birth: dt.date, *, male_share: float) -> Person:
        org = self.world.orgs[org_index]
        rng = self.rng
        roll = rng.random()
        sex = Sex.MALE if roll < male_share else (Sex.UNKNOWN if roll > 0.997 else Sex.FEMALE)
        codes, weights = org.profile.ethnicity
        ethnic = rng.choices(codes, weights)[0]
        roll = rng.random()
        disability = "Y" if roll < org.profile.disability else ("U" if roll > 0.88 else "N")
        given, family = draw_name(rng, ethnic, sex)
        person = Person(
            key=len(self.world.people),
            org=org_index,
            staff_id=self._staff_id(),
            given=given,
            family=family,
            sex=sex,
            ethnic=ethnic,
            disability=disability,
            birth=birth,
            track=track,
        )
        self.world.people.append(person)
        return person

    # Roles and titles -----------------------------------------------------------------------------------

    def _titles_for(self, plan: TrustPlan) -> dict[str, tuple[tuple[str, ...], tuple[float, ...]]]:
        """Each trust favours its own mix of the common titles, and adds its local ones."""
        rng = self.rng
        local = {title: role for title, role in plan.local_aliases}
        titles: dict[str, tuple[tuple[str, ...], tuple[float, ...]]] = {}
        for role, shared in SHARED_TITLES.items():
            options: list[tuple[str, float]] = []
            for position, title in enumerate(shared):
                if local.get(title, role) != role:
                    continue  # this trust reads the title as another role
                if position and rng.random() < 0.3:
                    continue  # not a title this trust uses
                options.append((title, rng.uniform(0.2, 1.0) * (2.5 if not position else 1.0)))
            options += [
                (title, rng.uniform(0.6, 1.2))
                for title, local_role in plan.local_aliases
                if local_role == role
            ]
            options += [(title, 0.15) for title in plan.unmapped_titles.get(role, ())]
            titles[role] = (tuple(t for t, _ in options), tuple(w for _, w in options))
        return titles

    def _title(self, org: Org, role: str) -> str:
        titles, weights = org.titles[role]
        return self.rng.choices(titles, weights)[0]

    def _role_for(self, org: Org, setting: str, band: str, *, exclude: Collection[str] = ()) -> str | None:
        options = [
            (role, float(weight))
            for role, weight in SETTING_ROLES.get(setting, SETTING_ROLES[TeamSetting.COMMUNITY]).items()
            if trust_uses(org.plan, role) and band in role_bands(org.plan, role) and role not in exclude
        ]
        return _weighted(self.rng, options) if options else None

    def _support_spell(
        self,
        org_index: int,
        team_index: int,
        role: str,
        band: str,
        start: dt.date,
        *,
        contract: str = ContractType.PERMANENT,
        manager: int | None = None,
    ) -> Spell:
        org = self.world.orgs[org_index]
        team = self.world.teams[team_index]
        if manager is None and team.managers:
            manager = self.rng.choice(team.managers)
        return Spell(
            team=team_index,
            role=role,
            title=self._title(org, role),
            band=band,
            contract=contract,
            fte=self._fte(org),
            start=start,
            manager=manager,
            job_role=ESR_JOB_ROLE[role],
            staff_group=THERAPY_SUPPORT if role in THERAPY_ROLES else NURSING_SUPPORT,
            area_of_work=area_of_work(org.plan, team.setting),
        )

    def _change(self, person: Person, on: dt.date, **changes: object) -> Spell:
        """Close the current spell the day before `on` and open the next with these changes."""
        current = person.current
        current.end = on - dt.timedelta(days=1)
        following = replace(current, start=on, end=None, reason="", **changes)  # type: ignore[arg-type]
        if "team" in changes and changes["team"] != current.team:
            team = self.world.teams[following.team] if following.team is not None else None
            following.manager = self.rng.choice(team.managers) if team and team.managers else None
            if team is not None:
                following.area_of_work = area_of_work(self.world.orgs[person.org].plan, team.setting)
        if "role" in changes and changes["role"] != current.role and following.role is not None:
            org = self.world.orgs[person.org]
            following.title = self._title(org, following.role)
            following.job_role = ESR_JOB_ROLE[following.role]
            following.staff_group = THERAPY_SUPPORT if following.role in THERAPY_ROLES else NURSING_SUPPORT
        person.spells.append(following)
        return following

    # Setting up ----------------------------------------------------------------------------------------

    def _registration(self, body: str, prefix: str, qualified: dt.date) -> str:
        rng = self.rng
        while True:
            if body == RegistrationBody.NMC:
                # Year and month of first registration, four digits, and the country letter.
                pin = (
                    f"{qualified.year % 100:02d}{'ABCDEFGHIJKL'[qualified.month - 1]}"
                    f"{rng.randint(0, 9999):04d}{rng.choice('EEEEEESWN')}"
                )
            else:
                pin = f"{prefix}{rng.randint(10000, 99999)}"
            if pin not in self._used_pins:
                self._used_pins.add(pin)
                return pin

    def _registered(
        self,
        org_index: int,
        team_index: int | None,
        *,
        title: str,
        band: str,
        post: Post,
        body: str,
        prefix: str = "",
        manager: int | None = None,
    ) -> Person:
        rng = self.rng
        org = self.world.orgs[org_index]
        start = self.world.start
        birth = self._birth(((28, 34, 0.25), (35, 44, 0.35), (45, 54, 0.3), (55, 61, 0.1)), start)
        person = self._person(org_index, Track.REGISTERED, birth, male_share=0.16 if body == "NMC" else 0.2)
        hired = start - dt.timedelta(days=rng.randint(200, 365 * 9))
        qualified = hired - dt.timedelta(days=rng.randint(300, 365 * 6))
        team = self.world.teams[team_index] if team_index is not None else None
        person.spells.append(
            Spell(
                team=team_index,
                role=None,
                title=title,
                band=band,
                contract=ContractType.PERMANENT,
                fte=rng.choice(("1.00", "1.00", "1.00", "0.80")),
                start=hired,
                manager=manager,
                job_role="Manager" if post == Post.MANAGER else title,
                staff_group=REGISTERED_NURSES if body == RegistrationBody.NMC else REGISTERED_THERAPISTS,
                area_of_work=area_of_work(org.plan, team.setting) if team else org.plan.area_of_work,
            )
        )
        person.post = post
        person.registration_body = body
        person.registration_pin = self._registration(body, prefix, qualified)
        return person

    def _set_up_org(self, plan: TrustPlan) -> None:
        rng = self.rng
        world = self.world
        org_index = len(world.orgs)
        org = Org(plan=plan, profile=cal.draw_profile(rng, plan.kind))
        org.titles = self._titles_for(plan)
        org.hire_mix = self._hire_mix(org.profile)
        world.orgs.append(org)
        headcount = max(len(plan.teams), round(plan.headcount * world.scale))
        total_weight = sum(team.weight for team in plan.teams)
        # Largest remainder, so the posts add up to the headcount exactly.
        shares = [headcount * team.weight / total_weight for team in plan.teams]
        posts = [int(share) for share in shares]
        for index in sorted(range(len(shares)), key=lambda i: (posts[i] - shares[i], i))[
            : headcount - sum(posts)
        ]:
            posts[index] += 1
        for team_plan, team_posts in zip(plan.teams, posts, strict=True):
            team_index = len(world.teams)
            world.teams.append(Team(org_index, team_plan.name, team_plan.setting, team_plan.site, team_posts))
            org.teams.append(team_index)
            titles = MANAGER_TITLES[team_plan.setting]
            for rank in range(team_plan.managers):
                lead = world.teams[team_index].managers[0] if rank else None
                manager = self._registered(
                    org_index,
                    team_index,
                    title=titles[rank],
                    band="7" if not rank else "6",
                    post=Post.MANAGER,
                    body=RegistrationBody.NMC,
                    manager=lead,
                )
                world.teams[team_index].managers.append(manager.key)
            for _ in range(team_plan.assessors):
                title, body, prefix = rng.choice(ASSESSOR_POSTS[team_plan.setting])
                assessor = self._registered(
                    org_index,
                    team_index,
                    title=title,
                    band=rng.choice(("5", "6")),
                    post=Post.ASSESSOR,
                    body=body,
                    prefix=prefix,
                    manager=world.teams[team_index].managers[0],
                )
                world.teams[team_index].assessors.append(assessor.key)
        org.bank_team = len(world.teams)
        world.teams.append(Team(org_index, STAFF_BANK, TeamSetting.OTHER, plan.sites[0], 0))
        for title, band in EDUCATOR_POSTS:
            educator = self._registered(
                org_index, None, title=title, band=band, post=Post.EDUCATOR, body=RegistrationBody.NMC
            )
            org.educators.append(educator.key)
        for team_index in org.teams:
            for _ in range(world.teams[team_index].posts):
                self._in_post(org_index, team_index)
        self._bank_workers(org_index, round(headcount * org.profile.bank_share * 2))

    @staticmethod
    def _hire_mix(profile: cal.TrustProfile) -> tuple[float, float, float]:
        """The bands to hire at so that, with progression and leaving, the band mix holds steady."""
        s2, s3, s4 = profile.band_mix
        p2, p3, p4 = profile.progression
        leave = profile.leaver_rate
        raw = (
            s2 * (leave + p2 + profile.to_trainee_nursing_associate) / leave,
            (s3 * (leave + p3) - s2 * p2) / leave,
            (s4 * (leave + p4) - s3 * p3) / leave,
        )
        clipped = [max(share, 0.03) for share in raw]
        total = sum(clipped)
        return (clipped[0] / total, clipped[1] / total, clipped[2] / total)

    def _in_post(self, org_index: int, team_index: int) -> None:
        """Someone already in post when the history starts."""
        rng = self.rng
        world = self.world
        org = world.orgs[org_index]
        team = world.teams[team_index]
        birth = self._birth(cal.AGE_BANDS_IN_POST, world.start)
        person = self._person(org_index, Track.SUPPORT, birth, male_share=org.profile.male)
        band = rng.choices(BANDS, org.profile.band_mix)[0]
        role = self._role_for(org, team.setting, band) or R.HCSW
        adult_years = max(0.2, age_on(birth, world.start) - 18)
        tenure_days = max(30, int(min(rng.expovariate(1 / 6), adult_years) * 365.25))
        start = world.start - dt.timedelta(days=tenure_days)
        if role in HCA_FAMILY and band == org.plan.tna_band and rng.random() < 0.02:
            role = R.TNA
            start = world.start - dt.timedelta(days=rng.randint(30, 700))
            person.trainee_end = add_months(start, 24) - dt.timedelta(days=1)
            person.track = Track.TRAINEE
        contract = ContractType.PERMANENT
        if person.track == Track.SUPPORT and rng.random() < 0.03:
            contract = ContractType.FIXED_TERM
            person.fixed_term_end = world.start + dt.timedelta(days=rng.randint(20, 360))
        person.spells.append(self._support_spell(org_index, team_index, role, band, start, contract=contract))
        org.active.append(person.key)

    def _bank_workers(self, org_index: int, count: int) -> None:
        """People who work only through the staff bank; they have no line manager and count in no headcount."""
        rng = self.rng
        world = self.world
        org = world.orgs[org_index]
        history_days = (world.reference - world.start).days
        for _ in range(count):
            start = world.start + dt.timedelta(days=rng.randint(-730, history_days))
            person = self._person(
                org_index, Track.BANK, self._birth(cal.AGE_BANDS_HIRED, start), male_share=org.profile.male
            )
            role = (
                rng.choice((R.HCA, R.HCSW))
                if org.plan.kind == OrganisationKind.COMMUNITY
                else rng.choice((R.HCA, R.MHSW))
            )
            spell = self._support_spell(
                org_index, org.bank_team, role, rng.choice(("2", "3")), start, contract=ContractType.BANK
            )
            spell.fte = rng.choice(cal.BANK_FTE)
            end = start + dt.timedelta(days=int(rng.expovariate(1 / 900)))
            if end < world.reference:
                spell.end = end
                spell.reason = _weighted(rng, cal.BANK_REASONS)
                person.track = Track.LEFT
            person.spells.append(spell)

    # One month ------------------------------------------------------------------------------------------

    def _reason(self, group: str) -> str:
        table = {
            "voluntary": cal.VOLUNTARY_REASONS,
            "dismissal": cal.DISMISSAL_REASONS,
            "other": cal.OTHER_REASONS,
            "retirement": cal.RETIREMENT_REASONS,
            "fixed_term": cal.FIXED_TERM_REASONS,
        }[group]
        return _weighted(self.rng, table)

    def _leave(self, person: Person, on: dt.date, reason: str, month: int) -> None:
        org = self.world.orgs[person.org]
        spell = person.current
        spell.end = max(on, spell.start)
        spell.reason = reason
        person.track = Track.LEFT
        person.fixed_term_end = person.trainee_end = None
        self._vacate(org, person, spell.team, month)

    def _vacate(self, org: Org, person: Person, team: int | None, month: int) -> None:
        org.active.remove(person.key)
        if team is not None and team != org.bank_team:
            org.vacancies.append((month + self.rng.randint(1, 4), team))

    def _return_on_bank(self, person: Person, retired_on: dt.date) -> None:
        """Some retirees come back to work shifts through the staff bank."""
        start = retired_on + dt.timedelta(days=self.rng.randint(20, 90))
        if start > self.world.reference:
            return
        org = self.world.orgs[person.org]
        last = person.current
        person.spells.append(
            replace(
                last,
                team=org.bank_team,
                contract=ContractType.BANK,
                fte=self.rng.choice(cal.BANK_FTE),
                start=start,
                end=None,
                reason="",
                manager=None,
            )
        )
        person.track = Track.BANK

    def _qualify(self, person: Person, on: dt.date, month: int, title: str) -> None:
        """A support worker moves into a registered post (band 5) and out of the support workforce."""
        org = self.world.orgs[person.org]
        team = person.current.team
        spell = self._change(
            person,
            on,
            band="5",
            role=None,
            title=title,
            job_role=title,
            staff_group=REGISTERED_NURSES if title != PWP_TITLE else REGISTERED_THERAPISTS,
        )
        spell.contract = ContractType.PERMANENT
        person.track = Track.QUALIFIED
        person.trainee_end = None
        self._vacate(org, person, team, month)

    def _month(self, org_index: int, month: int) -> None:
        rng = self.rng
        world = self.world
        org = world.orgs[org_index]
        profile = org.profile
        first = self.month_start(month)
        last = self.month_start(month + 1) - dt.timedelta(days=1)
        band2_factors = [
            cal.by_age(cal.BAND2_PROGRESSION_BY_AGE, age_on(world.people[key].birth, first))
            for key in org.active
            if world.people[key].current.band == "2"
        ]
        band2_norm = sum(band2_factors) / len(band2_factors) if band2_factors else 1.0
        for key in list(org.active):
            person = world.people[key]
            spell = person.current
            if spell.start >= first:
                continue  # at most one change a month, and never on a spell's first day
            age = age_on(person.birth, first)
            if person.fixed_term_end is not None and person.fixed_term_end <= last:
                on = max(person.fixed_term_end, spell.start)
                if rng.random() < 0.5:
                    self._leave(person, on, self._reason("fixed_term"), month)
                else:
                    self._change(person, on + dt.timedelta(days=1), contract=ContractType.PERMANENT)
                    person.fixed_term_end = None
                continue
            if person.trainee_end is not None and person.trainee_end <= last:
                on = max(person.trainee_end, spell.start) + dt.timedelta(days=1)
                if spell.role == R.TPWP:
                    if rng.random() < 0.85:
                        self._qualify(person, on, month, PWP_TITLE)
                    else:
                        self._leave(person, on - dt.timedelta(days=1), self._reason("fixed_term"), month)
                elif rng.random() < 0.88:
                    self._change(person, on, role=R.NA, band="4")
                    person.track, person.trainee_end = Track.SUPPORT, None
                else:
                    self._change(person, on, role=rng.choice((R.HCA, R.SENIOR)), band="3")
                    person.track, person.trainee_end = Track.SUPPORT, None
                continue
            day = self.day_in_month(month)
            if rng.random() < monthly(profile.leaver_rate * 0.8 * cal.by_age(cal.LEAVING_BY_AGE, age)):
                self._leave(person, day, self._reason(_weighted(rng, cal.NON_RETIREMENT_GROUPS)), month)
                continue
            if rng.random() < monthly(cal.by_age(cal.RETIREMENT_BY_AGE, age)):
                self._leave(person, day, self._reason("retirement"), month)
                if rng.random() < 0.25:
                    self._return_on_bank(person, day)
                continue
            if person.track == Track.TRAINEE:
                if rng.random() < monthly(0.08):
                    self._change(person, day, role=rng.choice((R.HCA, R.HCSW)), band="3")
                    person.track, person.trainee_end = Track.SUPPORT, None
                continue
            if person.fixed_term_end is not None:
                continue
            self._event(org, person, day, month, age, band2_norm)
        self._fill_vacancies(org_index, month)

    def _event(self, org: Org, person: Person, day: dt.date, month: int, age: int, band2_norm: float) -> None:
        """At most one of: promotion, a trainee post, a sideways move into another role, new hours."""
        rng = self.rng
        profile = org.profile
        spell = person.current
        setting = self.world.teams[spell.team].setting if spell.team is not None else TeamSetting.OTHER
        band = spell.band
        role = spell.role or R.HCA
        promotion = profile.progression[BANDS.index(band)] if band in BANDS else 0.0
        if band == "2":
            promotion *= cal.by_age(cal.BAND2_PROGRESSION_BY_AGE, age) / band2_norm
        if role in (R.APSY, R.TPWP):
            promotion = 0.0
        events: list[tuple[float, Callable[[], None]]] = [
            (monthly(promotion), lambda: self._promote(org, person, day, month, setting)),
            (
                monthly(profile.to_trainee_nursing_associate * cal.by_age(cal.BAND2_PROGRESSION_BY_AGE, age))
                if role in HCA_FAMILY and band <= org.plan.tna_band
                else 0.0,
                lambda: self._start_trainee(org, person, day),
            ),
            (
                monthly(0.15) if role == R.APSY else monthly(profile.lateral_role_change),
                lambda: self._sideways(org, person, day, setting, month),
            ),
            (monthly(profile.hours_change), lambda: self._new_hours(org, person, day)),
        ]
        roll = rng.random()
        for chance, action in events:
            if roll < chance:
                action()
                return
            roll -= chance

    def _promote(self, org: Org, person: Person, day: dt.date, month: int, setting: str) -> None:
        rng = self.rng
        spell = person.current
        if spell.band == "4":
            self._qualify(person, day, month, rng.choice(QUALIFIED_TITLES))
            return
        band = "4" if spell.band == "3" or rng.random() < 0.05 else "3"
        role = spell.role
        keep = 0.5 if band == "3" else 0.35
        if role is None or band not in role_bands(org.plan, role) or rng.random() >= keep:
            role = self._role_for(org, setting, band, exclude=NOT_BY_PROMOTION) or role
        if role is None or band not in role_bands(org.plan, role):
            role = R.SENIOR
        self._change(person, day, band=band, role=role)

    def _start_trainee(self, org: Org, person: Person, day: dt.date) -> None:
        self._change(person, day, role=R.TNA, band=org.plan.tna_band)
        person.track = Track.TRAINEE
        person.trainee_end = add_months(day, 24) - dt.timedelta(days=1)

    def _sideways(self, org: Org, person: Person, day: dt.date, setting: str, month: int) -> None:
        rng = self.rng
        spell = person.current
        if spell.role == R.APSY:
            # Assistant psychologists move on to training: a PWP post here, or a course elsewhere.
            if rng.random() < 0.5 and trust_uses(org.plan, R.TPWP):
                self._change(person, day, role=R.TPWP)
                person.track = Track.TRAINEE
                person.trainee_end = add_months(day, 12) - dt.timedelta(days=1)
            else:
                self._leave(
                    person, day, "Voluntary Resignation - To undertake further education or training", month
                )
            return
        exclude = (*NOT_BY_PROMOTION, spell.role or "")
        role = self._role_for(org, setting, spell.band, exclude=exclude)
        if role is not None:
            self._change(person, day, role=role)

    def _new_hours(self, org: Org, person: Person, day: dt.date) -> None:
        fte = self._fte(org)
        if fte != person.current.fte:
            self._change(person, day, fte=fte)

    def _fill_vacancies(self, org_index: int, month: int) -> None:
        rng = self.rng
        world = self.world
        org = world.orgs[org_index]
        due = [vacancy for vacancy in org.vacancies if vacancy[0] <= month]
        org.vacancies = [vacancy for vacancy in org.vacancies if vacancy[0] > month]
        first = self.month_start(month)
        for _due_month, team_index in due:
            team = world.teams[team_index]
            day = self.day_in_month(month)
            if rng.random() < org.profile.internal_move_share:
                candidates = [
                    key
                    for key in org.active
                    if world.people[key].track == Track.SUPPORT
                    and world.people[key].fixed_term_end is None
                    and world.people[key].current.team != team_index
                    and world.people[key].current.start < add_months(first, -6)
                ]
                if candidates:
                    mover = world.people[rng.choice(candidates)]
                    old_team = mover.current.team
                    role = mover.current.role
                    if role is None or SETTING_ROLES.get(team.setting, {}).get(role, 0) == 0:
                        role = self._role_for(org, team.setting, mover.current.band) or role
                    self._change(mover, day, team=team_index, role=role)
                    if old_team is not None:
                        org.vacancies.append((month + rng.randint(1, 3), old_team))
                    continue
            self._hire(org_index, team_index, day)

    def _hire(self, org_index: int, team_index: int, day: dt.date) -> None:
        rng = self.rng
        org = self.world.orgs[org_index]
        team = self.world.teams[team_index]
        person = self._person(
            org_index, Track.SUPPORT, self._birth(cal.AGE_BANDS_HIRED, day), male_share=org.profile.male
        )
        band = rng.choices(BANDS, org.hire_mix)[0]
        role = self._role_for(org, team.setting, band, exclude=(R.NDA,)) or R.HCSW
        contract = ContractType.PERMANENT
        if role in (R.TPWP,):
            person.track = Track.TRAINEE
            person.trainee_end = add_months(day, 12) - dt.timedelta(days=1)
        elif rng.random() < org.profile.fixed_term_share:
            contract = ContractType.FIXED_TERM
            person.fixed_term_end = add_months(day, rng.choice((12, 12, 18, 24))) - dt.timedelta(days=1)
        person.spells.append(self._support_spell(org_index, team_index, role, band, day, contract=contract))
        org.active.append(person.key)

    # Running ---------------------------------------------------------------------------------------------

    def run(self, progress: Callable[[int], None] | None = None) -> World:
        for plan in TRUSTS:
            self._set_up_org(plan)
        for month in range(self.months):
            for org_index in range(len(self.world.orgs)):
                self._month(org_index, month)
            if progress is not None:
                progress(1)
        return self.world


def _shift(world: World, delta: dt.timedelta) -> World:
    """Move every date by `delta`, keeping all intervals (and so every age and tenure) as they were."""
    if not delta:
        return world
    world.reference += delta
    world.start += delta
    for person in world.people:
        person.birth += delta
        if person.fixed_term_end is not None:
            person.fixed_term_end += delta
        if person.trainee_end is not None:
            person.trainee_end += delta
        for spell in person.spells:
            spell.start += delta
            if spell.end is not None:
                spell.end += delta
    return world


def simulate(
    seed: int,
    *,
    reference: dt.date = REFERENCE_EPOCH,
    scale: float = 1.0,
    progress: Callable[[int], None] | None = None,
) -> World:
    """The demo workforce for this seed, its history ending on `reference`.

    The simulation always runs on the calendar ending at REFERENCE_EPOCH and is then moved, whole, to end on
    `reference`: so a seed gives the same people and careers whatever year it is run in."""
    world = Simulator(seed, reference=REFERENCE_EPOCH, scale=scale).run(progress)
    return _shift(world, reference - REFERENCE_EPOCH)
