"""Who may see and do what with programmes, cohorts, sessions, applications and the cohort community.

The one deliberate crossing of organisations: an alliance programme mixes people from several member trusts, so
its leads and the members of a cohort see each other's *programme* records (participants: names, cohort,
partner; attendance) through the scopes below. Nothing here widens `organisations.access.person_scope`: the rest
of each other's staff records stays out of reach. Survey answers (self-assessments, session evaluations,
feedback) have no scope beyond the person's own: others read them only as aggregates."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from cultivate.accounts.models import Membership, Role
from cultivate.core.access import RuleSet, predicate
from cultivate.core.scopes import scope
from cultivate.organisations import access as org_access
from cultivate.organisations.models import Person

from .models import (
    Application,
    Attendance,
    Cohort,
    Participant,
    Post,
    Programme,
    ProgrammeLead,
    ProgrammeStatus,
    Session,
)

NONE = Q(pk__in=[])


def _alliance_id(membership: Membership) -> int | None:
    if membership.role == Role.ALLIANCE_ADMIN:
        return membership.alliance_id
    organisation = membership.organisation
    return organisation.alliance_id if organisation is not None else None


def _person_id(membership: Membership | None) -> int | None:
    return membership.user.person_id if membership is not None else None


def _owned_by_reach(membership: Membership, prefix: str = "") -> Q:
    """Programmes owned by the membership's organisation or by its alliance (alliance admins: the alliance's
    and its organisations')."""
    alliance_id = _alliance_id(membership)
    if membership.role == Role.ALLIANCE_ADMIN:
        return Q(**{f"{prefix}alliance_id": alliance_id}) | Q(
            **{f"{prefix}organisation__alliance_id": alliance_id}
        )
    mine = Q(**{f"{prefix}organisation_id": membership.organisation_id})
    return mine | Q(**{f"{prefix}alliance_id": alliance_id}) if alliance_id else mine


def _led(membership: Membership, prefix: str = "") -> Q:
    """Programmes this educator leads, or that their organisation owns (its educators run them)."""
    if membership.role != Role.EDUCATOR:
        return NONE
    return Q(**{f"{prefix}leads__user_id": membership.user_id}) | Q(
        **{f"{prefix}organisation_id": membership.organisation_id}
    )


def _managed(membership: Membership, prefix: str = "") -> Q:
    """Programmes whose every record the membership may read: the leads' and owners' (educators), and the
    owning alliance's admins."""
    if membership.role == Role.ALLIANCE_ADMIN:
        return Q(**{f"{prefix}alliance_id": membership.alliance_id})
    return _led(membership, prefix)


@scope(Programme)
def programme_scope(membership: Membership | None) -> Q:
    """Published programmes of the membership's organisation and alliance; drafts only to those who manage them;
    and any programme the user has applied to."""
    if membership is None:
        return NONE
    published = _owned_by_reach(membership) & ~Q(status=ProgrammeStatus.DRAFT)
    own = Q(applications__person_id=_person_id(membership)) if _person_id(membership) else NONE
    return published | _managed(membership) | own


def _programme_ids(membership: Membership, q: Q) -> Any:
    return Programme.objects.filter(q).values("pk")


@scope(Cohort)
def cohort_scope(membership: Membership | None) -> Q:
    """Every cohort of the programmes the membership manages; a participant's own cohort."""
    if membership is None:
        return NONE
    managed = Q(programme__in=_programme_ids(membership, _managed(membership)))
    person_id = _person_id(membership)
    mine = Q(participants__person_id=person_id) if person_id else NONE
    return managed | mine


def _member_cohorts(membership: Membership) -> Any:
    person_id = _person_id(membership)
    if not person_id:
        return []
    return Participant.objects.filter(person_id=person_id).values("cohort_id")


@scope(Participant)
def participant_scope(membership: Membership | None) -> Q:
    """The alliance grant: leads see their programmes' participants; a participant sees the members of their
    own cohort (name, cohort, partner, attendance), from whichever member trust."""
    if membership is None:
        return NONE
    managed = Q(cohort__programme__in=_programme_ids(membership, _managed(membership)))
    return managed | Q(cohort_id__in=_member_cohorts(membership))


@scope(Attendance)
def attendance_scope(membership: Membership | None) -> Q:
    if membership is None:
        return NONE
    managed = Q(session__programme__in=_programme_ids(membership, _managed(membership)))
    return managed | Q(participant__cohort_id__in=_member_cohorts(membership))


@scope(Session)
def session_scope(membership: Membership | None) -> Q:
    """Sessions of the programmes the membership may see."""
    if membership is None:
        return NONE
    return Q(programme__in=_programme_ids(membership, programme_scope(membership)))


@scope(Post)
def post_scope(membership: Membership | None) -> Q:
    """The cohort community: only the cohort's members and its programme's leads."""
    if membership is None:
        return NONE
    return Q(cohort__programme__in=_programme_ids(membership, _managed(membership))) | Q(
        cohort_id__in=_member_cohorts(membership)
    )


@scope(Application)
def application_scope(membership: Membership | None) -> Q:
    """One's own applications; every application to a programme one manages; a line manager's: those of the
    people in their teams (to agree protected time and nominate)."""
    if membership is None:
        return NONE
    person_id = _person_id(membership)
    q = Q(programme__in=_programme_ids(membership, _managed(membership)))
    if person_id:
        q |= Q(person_id=person_id)
    if membership.role == Role.LINE_MANAGER:
        q |= Q(person__in=Person.objects.filter(org_access.person_scope(membership)).values("pk"))
    return q


# Rules


def is_lead(membership: Membership | None, programme: Programme | None) -> bool:
    if membership is None or programme is None or membership.role != Role.EDUCATOR:
        return False
    return ProgrammeLead.objects.filter(programme=programme, user_id=membership.user_id).exists()


@predicate
def can_manage_programme(membership: Membership | None, programme: Programme | None) -> bool:
    """Run the programme (edit, sessions, applications, allocation, registers, closing): its leads, the owning
    organisation's educators, the owning alliance's admins."""
    if membership is None or programme is None:
        return False
    if membership.role == Role.ALLIANCE_ADMIN:
        return programme.alliance_id is not None and programme.alliance_id == membership.alliance_id
    if membership.role != Role.EDUCATOR:
        return False
    return programme.organisation_id == membership.organisation_id or is_lead(membership, programme)


@predicate
def can_create_programmes(membership: Membership | None) -> bool:
    return membership is not None and membership.role in (Role.EDUCATOR, Role.ALLIANCE_ADMIN)


@predicate
def can_apply(membership: Membership | None, programme: Programme | None) -> bool:
    """A member of staff of an organisation the programme is for, while it takes applications."""
    if membership is None or programme is None or programme.status != ProgrammeStatus.OPEN:
        return False
    person = membership.user.person
    if person is None:
        return False
    if programme.organisation_id is not None:
        return person.organisation_id == programme.organisation_id
    return person.organisation.alliance_id == programme.alliance_id


@predicate
def can_nominate(membership: Membership | None, programme: Programme | None) -> bool:
    return (
        membership is not None
        and membership.role == Role.LINE_MANAGER
        and programme is not None
        and programme.status == ProgrammeStatus.OPEN
    )


@predicate
def can_manage_application(membership: Membership | None, application: Application | None) -> bool:
    return application is not None and bool(can_manage_programme(membership, application.programme))


@predicate
def can_agree_protected_time(membership: Membership | None, application: Application | None) -> bool:
    """The applicant's line manager (a line manager whose team or line covers them today)."""
    if membership is None or application is None or membership.role != Role.LINE_MANAGER:
        return False
    if application.person_id == _person_id(membership):
        return False
    return Person.objects.filter(org_access.person_scope(membership), pk=application.person_id).exists()


@predicate
def is_applicant(membership: Membership | None, application: Application | None) -> bool:
    return application is not None and application.person_id == _person_id(membership)


@predicate
def can_manage_cohort(membership: Membership | None, cohort: Cohort | None) -> bool:
    return cohort is not None and bool(can_manage_programme(membership, cohort.programme))


def _is_member(membership: Membership | None, cohort: Cohort | None) -> bool:
    person_id = _person_id(membership)
    return bool(
        cohort is not None
        and person_id
        and Participant.objects.filter(cohort_id=cohort.pk, person_id=person_id).exists()
    )


@predicate
def can_take_part(membership: Membership | None, cohort: Cohort | None) -> bool:
    """Check in, answer surveys, post in the community: the cohort's participants."""
    return _is_member(membership, cohort)


@predicate
def can_view_community(membership: Membership | None, cohort: Cohort | None) -> bool:
    return bool(can_manage_cohort(membership, cohort)) or _is_member(membership, cohort)


@predicate
def can_manage_placement(membership: Membership | None, participant: Participant | None) -> bool:
    return participant is not None and bool(can_manage_cohort(membership, participant.cohort))


@predicate
def is_participant_self(membership: Membership | None, participant: Participant | None) -> bool:
    return participant is not None and participant.person_id == _person_id(membership)


@predicate
def leads_programmes(membership: Membership | None) -> bool:
    """The lead's "Programmes" link: educators and alliance admins."""
    return membership is not None and membership.role in (Role.EDUCATOR, Role.ALLIANCE_ADMIN)


@predicate
def applies_to_programmes(membership: Membership | None) -> bool:
    """The worker's "Programmes" link (to apply) and "My programme": whoever has their own staff record and
    does not run programmes."""
    return bool(org_access.has_own_record(membership)) and not leads_programmes(membership)


@predicate
def sees_programmes(membership: Membership | None) -> bool:
    return bool(leads_programmes(membership)) or bool(applies_to_programmes(membership))


RULES = RuleSet()
RULES.add("manage_programme", can_manage_programme)
RULES.add("create_programme", can_create_programmes)
RULES.add("apply", can_apply)
RULES.add("nominate", can_nominate)
RULES.add("manage_application", can_manage_application)
RULES.add("agree_protected_time", can_agree_protected_time)
RULES.add("own_application", is_applicant)
RULES.add("manage_cohort", can_manage_cohort)
RULES.add("take_part", can_take_part)
RULES.add("manage_placement", can_manage_placement)
RULES.add("view_community", can_view_community)
RULES.add("own_participation", is_participant_self)
RULES.add("lead_programmes", leads_programmes)
RULES.add("apply_to_programmes", applies_to_programmes)
RULES.add("view_programmes", sees_programmes)


# The outcomes report (helper "alloc"): aggregates only, small numbers suppressed ---------------------------------


@predicate
def can_view_outcomes(membership: Membership | None, programme: Programme | None) -> bool:
    """A programme's outcomes report, its PDF and XLSX: whoever runs the programme (its leads, the owning
    organisation's educators, the owning alliance's admins). Survey answers appear only aggregated."""
    return bool(can_manage_programme(membership, programme))


@predicate
def can_view_cohort_outcomes(membership: Membership | None, cohort: Cohort | None) -> bool:
    return cohort is not None and bool(can_view_outcomes(membership, cohort.programme))


# An organisation's managers, HR (its admins) and analysts: the outcomes of their own organisation's participants
# in a programme of their organisation or alliance, as the whole only (small numbers suppressed); never survey
# answers, names or another organisation's people.
ORGANISATION_OUTCOME_ROLES = frozenset({Role.LINE_MANAGER, Role.ORG_ADMIN, Role.ANALYST})


@predicate
def can_view_organisation_outcomes(membership: Membership | None, programme: Programme | None) -> bool:
    if membership is None or programme is None or membership.role not in ORGANISATION_OUTCOME_ROLES:
        return False
    organisation = membership.organisation
    if organisation is None or programme.status == ProgrammeStatus.DRAFT:
        return False
    if programme.organisation_id is not None:
        return programme.organisation_id == organisation.pk
    return programme.alliance_id is not None and programme.alliance_id == organisation.alliance_id


@predicate
def can_view_some_outcomes(membership: Membership | None, programme: Programme | None) -> bool:
    """The outcomes page: the whole report for those who run the programme, their own organisation's
    participants for its managers, HR and analysts."""
    return bool(can_view_outcomes(membership, programme)) or bool(
        can_view_organisation_outcomes(membership, programme)
    )


RULES.add("view_programme_outcomes", can_view_outcomes)
RULES.add("view_organisation_outcomes", can_view_organisation_outcomes)
RULES.add("view_some_outcomes", can_view_some_outcomes)
RULES.add("view_cohort_outcomes", can_view_cohort_outcomes)


def may(membership: Membership | None, action: str, obj: Any = None) -> bool:
    return RULES.test(action, membership, obj)
