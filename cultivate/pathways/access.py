"""Who may see and do what with pathways, qualifications, functional skills results, apprenticeships and
readiness.

Pathways: reference pathways are everyone's; an alliance's are its members' and its admins'; an organisation's
are its own roles'. The public route pages need no role at all and show pathways only (nothing personal).
A worker's qualifications, assessment results, apprenticeships and readiness are for the worker, their line
manager, the educators and the admins of their organisation (`record_scope`); analysts see aggregates only
(apprenticeship outcomes by cohort, with small numbers suppressed)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from cultivate.accounts.models import Membership, Role
from cultivate.core.access import RuleSet, predicate
from cultivate.core.scopes import scope
from cultivate.organisations import access as org_access
from cultivate.organisations.models import Organisation, Person

from .models import Apprenticeship, Pathway, Qualification, SkillsResult, Step

# Roles who look after an organisation's learning and records, beyond the worker and their manager.
RECORD_ROLES = frozenset({Role.EDUCATOR, Role.ORG_ADMIN})
# Who edits an organisation's pathways and records apprenticeships.
EDITOR_ROLES = frozenset({Role.EDUCATOR, Role.ORG_ADMIN})
# Who sees who is ready in an organisation (line managers for their own teams).
READINESS_ROLES = frozenset({Role.EDUCATOR, Role.ORG_ADMIN, Role.LINE_MANAGER})
# Aggregates: apprenticeship outcomes by cohort.
OUTCOME_ROLES = frozenset({Role.EDUCATOR, Role.ORG_ADMIN, Role.ANALYST, Role.ALLIANCE_ADMIN})


def _none() -> Q:
    return Q(pk__in=[])


@scope(Pathway)
def pathway_scope(membership: Membership | None) -> Q:
    if membership is None:
        return _none()
    reference = Q(owner_alliance__isnull=True, owner_organisation__isnull=True)
    if membership.role == Role.ALLIANCE_ADMIN:
        return reference | Q(owner_alliance_id=membership.alliance_id)
    organisation = membership.organisation
    alliance_id = organisation.alliance_id if organisation is not None else None
    shared = Q(owner_alliance_id=alliance_id) if alliance_id else _none()
    return reference | shared | Q(owner_organisation_id=membership.organisation_id)


@scope(Step)
def step_scope(membership: Membership | None) -> Q:
    return Q(pathway__in=Pathway.objects.filter(pathway_scope(membership)).values("pk"))


def public_pathways_of(organisation: Organisation) -> Q:
    """The pathways an organisation's public route pages show: reference, its alliance's and its own."""
    shared = Q(owner_alliance_id=organisation.alliance_id) if organisation.alliance_id else _none()
    return (
        Q(owner_alliance__isnull=True, owner_organisation__isnull=True)
        | shared
        | Q(owner_organisation_id=organisation.pk)
    )


def record_people_scope(membership: Membership | None) -> Q:
    """A filter on Person: whose qualifications, results, apprenticeships and readiness this role may see."""
    if membership is None:
        return _none()
    own = Q(pk=membership.user.person_id) if membership.user.person_id else _none()
    if membership.role in RECORD_ROLES:
        return Q(organisation_id=membership.organisation_id) | own
    if membership.role == Role.LINE_MANAGER:
        return org_access.person_scope(membership)
    return own


def _of_people(membership: Membership | None) -> Q:
    return Q(person__in=Person.objects.filter(record_people_scope(membership)).values("pk"))


@scope(Qualification)
def qualification_scope(membership: Membership | None) -> Q:
    return _of_people(membership)


@scope(SkillsResult)
def skills_result_scope(membership: Membership | None) -> Q:
    return _of_people(membership)


@scope(Apprenticeship)
def apprenticeship_scope(membership: Membership | None) -> Q:
    return _of_people(membership)


def _is_self(membership: Membership | None, person: Person | None) -> bool:
    return (
        membership is not None
        and person is not None
        and membership.user.person_id is not None
        and membership.user.person_id == person.pk
    )


def _in_organisation(membership: Membership | None, person: Person | None, roles: frozenset[str]) -> bool:
    return (
        membership is not None
        and person is not None
        and membership.role in roles
        and membership.organisation_id == person.organisation_id
    )


@predicate
def can_view_record(membership: Membership | None, person: Person | None) -> bool:
    if membership is None or person is None:
        return False
    if _is_self(membership, person) or _in_organisation(membership, person, RECORD_ROLES):
        return True
    if membership.role == Role.LINE_MANAGER:
        return Person.objects.filter(org_access.person_scope(membership), pk=person.pk).exists()
    return False


@predicate
def can_record_qualification(membership: Membership | None, person: Person | None) -> bool:
    """The worker records their own; educators and admins record for their organisation's workers."""
    return _is_self(membership, person) or _in_organisation(membership, person, RECORD_ROLES)


@predicate
def can_confirm_qualification(membership: Membership | None, person: Person | None) -> bool:
    """An admin of the worker's organisation, never for their own record."""
    return _in_organisation(membership, person, frozenset({Role.ORG_ADMIN})) and not _is_self(
        membership, person
    )


@predicate
def can_record_skills(membership: Membership | None, person: Person | None) -> bool:
    """Functional skills initial assessment results: educators of the worker's organisation."""
    return _in_organisation(membership, person, frozenset({Role.EDUCATOR}))


@predicate
def can_support(membership: Membership | None, person: Person | None) -> bool:
    """A line manager whose team covers the worker records their support for a step."""
    if (
        membership is None
        or person is None
        or membership.role != Role.LINE_MANAGER
        or _is_self(membership, person)
    ):
        return False
    return Person.objects.filter(org_access.person_scope(membership), pk=person.pk).exists()


@predicate
def can_manage_apprenticeship(membership: Membership | None, person: Person | None) -> bool:
    return _in_organisation(membership, person, EDITOR_ROLES) and not _is_self(membership, person)


@predicate
def can_log_off_the_job(membership: Membership | None, person: Person | None) -> bool:
    """The apprentice logs their own hours; educators of their organisation may log for them."""
    return _is_self(membership, person) or _in_organisation(membership, person, frozenset({Role.EDUCATOR}))


def _owner_organisation(pathway: Pathway) -> int | None:
    return pathway.owner_organisation_id


@predicate
def can_edit_pathway(membership: Membership | None, pathway: Pathway | None) -> bool:
    """Organisation pathways: its educators and admins. Alliance pathways: the alliance's admins. Reference
    pathways ship as data: nobody edits them (an organisation copies one instead)."""
    if membership is None or pathway is None:
        return False
    if pathway.owner_organisation_id is not None:
        return membership.role in EDITOR_ROLES and membership.organisation_id == pathway.owner_organisation_id
    if pathway.owner_alliance_id is not None:
        return membership.role == Role.ALLIANCE_ADMIN and membership.alliance_id == pathway.owner_alliance_id
    return False


@predicate
def can_create_pathway(membership: Membership | None) -> bool:
    return membership is not None and (
        membership.role in EDITOR_ROLES or membership.role == Role.ALLIANCE_ADMIN
    )


@predicate
def can_view_readiness(membership: Membership | None, organisation: Organisation | None) -> bool:
    return (
        membership is not None
        and organisation is not None
        and membership.role in READINESS_ROLES
        and membership.organisation_id == organisation.pk
    )


@predicate
def works_on_readiness(membership: Membership | None) -> bool:
    return membership is not None and membership.role in READINESS_ROLES


@predicate
def can_view_outcomes(membership: Membership | None, organisation: Organisation | None) -> bool:
    if membership is None or organisation is None or membership.role not in OUTCOME_ROLES:
        return False
    if membership.role == Role.ALLIANCE_ADMIN:
        return membership.alliance_id is not None and membership.alliance_id == organisation.alliance_id
    return membership.organisation_id == organisation.pk


@predicate
def is_worker_with_record(membership: Membership | None) -> bool:
    return (
        bool(org_access.has_own_record(membership))
        and membership is not None
        and (membership.role == Role.SUPPORT_WORKER)
    )


@predicate
def is_signed_in(membership: Membership | None) -> bool:
    return membership is not None


RULES = RuleSet()
RULES.add("view_pathways", is_signed_in)
RULES.add("create_pathway", can_create_pathway)
RULES.add("edit_pathway", can_edit_pathway)
RULES.add("view_record", can_view_record)
RULES.add("record_qualification", can_record_qualification)
# Change a qualification still waiting for confirmation (the service refuses a confirmed one: supersede it).
RULES.add("edit_qualification", can_record_qualification)
RULES.add("confirm_qualification", can_confirm_qualification)
# The queue of qualifications waiting for confirmation: the organisation's admins.
RULES.add("confirm_qualifications", org_access.is_org_admin_of)
RULES.add("record_skills", can_record_skills)
RULES.add("support_step", can_support)
RULES.add("manage_apprenticeship", can_manage_apprenticeship)
RULES.add("log_off_the_job", can_log_off_the_job)
RULES.add("view_readiness", can_view_readiness)
RULES.add("work_on_readiness", works_on_readiness)
RULES.add("view_outcomes", can_view_outcomes)
# Do ready people progress (by ethnic group and disability)? Aggregates, suppressed for every reader: the same
# people as apprenticeship outcomes (not line managers, whose teams are too small to compare).
RULES.add("view_progression", can_view_outcomes)
# The home card "What is left for me": a support worker with a staff record (the page itself is anyone's).
RULES.add("view_own_pathway", is_worker_with_record)


def may(membership: Membership | None, action: str, obj: Any = None) -> bool:
    return RULES.test(action, membership, obj)
