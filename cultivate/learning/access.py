"""Who may see and do what with the training catalogue, mandatory training, enrolments and completions.

An educator (or the organisation's admins) manages the offers, sessions and mandatory subjects of their own
organisation, and records attendance and completions for its people; an alliance's admins manage the offers it
shares. Line managers see and book for the people in their teams; workers see and enrol for themselves;
analysts see aggregates. Nothing crosses organisations: a shared offer is visible to every organisation of the
alliance, but enrolments, completions and compliance stay with the person's own organisation. Evaluations are
the worker's own and reach everyone else only in aggregate."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from cultivate.accounts.models import TEAM_ROLES, Membership, Role
from cultivate.core.access import RuleSet, predicate
from cultivate.core.scopes import scope
from cultivate.organisations import access as org_access
from cultivate.organisations.models import Organisation, Person, Team

from .models import Completion, Enrolment, Evaluation, MandatorySubject, Offer, Session, TrainingImport

# Roles that run learning for an organisation: its catalogue, sessions, registers and mandatory subjects.
LEARNING_ROLES = frozenset({Role.EDUCATOR, Role.ORG_ADMIN})
# Roles that read an organisation's aggregate figures (compliance, gaps, evaluations, spend).
AGGREGATE_ROLES = frozenset({Role.EDUCATOR, Role.ORG_ADMIN, Role.ANALYST})

NOTHING = Q(pk__in=[])


def _alliance_id(membership: Membership) -> int | None:
    if membership.role == Role.ALLIANCE_ADMIN:
        return membership.alliance_id
    organisation = membership.organisation
    return organisation.alliance_id if organisation is not None else None


@scope(Offer)
def offer_scope(membership: Membership | None) -> Q:
    """A filter on Offer: the organisation's own offers and those its alliance shares; for an alliance admin,
    the alliance's offers and its organisations'."""
    if membership is None:
        return NOTHING
    alliance_id = _alliance_id(membership)
    shared = Q(alliance_id=alliance_id) if alliance_id is not None else NOTHING
    if membership.role == Role.ALLIANCE_ADMIN:
        return shared | Q(organisation__alliance_id=alliance_id)
    if membership.organisation_id is None:
        return NOTHING
    return Q(organisation_id=membership.organisation_id) | shared


@scope(Session)
def session_scope(membership: Membership | None) -> Q:
    return Q(offer__in=Offer.objects.filter(offer_scope(membership)).values("pk"))


def _of_people(membership: Membership | None, prefix: str) -> Q:
    """The records of people this membership may see as individuals (`person_scope`), and for those who run
    learning, the records of every person of their organisation (registers and completions)."""
    if membership is None:
        return NOTHING
    visible = Q(**{f"{prefix}__in": Person.objects.filter(org_access.person_scope(membership)).values("pk")})
    if membership.role in LEARNING_ROLES and membership.organisation_id is not None:
        visible |= Q(**{f"{prefix}__organisation_id": membership.organisation_id})
    return visible


@scope(Enrolment)
def enrolment_scope(membership: Membership | None) -> Q:
    return _of_people(membership, "person")


@scope(Completion)
def completion_scope(membership: Membership | None) -> Q:
    return _of_people(membership, "person")


@scope(Evaluation)
def evaluation_scope(membership: Membership | None) -> Q:
    """A filter on Evaluation: one's own only. Everybody else reads evaluations in aggregate."""
    if membership is None or membership.user.person_id is None:
        return NOTHING
    return Q(completion__person_id=membership.user.person_id)


@scope(MandatorySubject)
def subject_scope(membership: Membership | None) -> Q:
    if membership is None:
        return NOTHING
    if membership.role == Role.ALLIANCE_ADMIN:
        return Q(organisation__alliance_id=membership.alliance_id)
    if membership.organisation_id is None:
        return NOTHING
    return Q(organisation_id=membership.organisation_id)


def can_view_offer_for_person(offer: Offer, person: Person) -> bool:
    """Whether the offer is open to the person's organisation: its own, or shared by its alliance."""
    if offer.organisation_id is not None:
        return offer.organisation_id == person.organisation_id
    return offer.alliance_id is not None and offer.alliance_id == person.organisation.alliance_id


@scope(TrainingImport)
def training_import_scope(membership: Membership | None) -> Q:
    """Imports of completions: the organisation's educators and admins, who start them."""
    if membership is None or membership.role not in LEARNING_ROLES or membership.organisation_id is None:
        return NOTHING
    return Q(organisation_id=membership.organisation_id)


# --- Rules ---------------------------------------------------------------------------------------------


def _runs_learning_for(membership: Membership | None, organisation_id: int | None) -> bool:
    return (
        membership is not None
        and organisation_id is not None
        and membership.role in LEARNING_ROLES
        and membership.organisation_id == organisation_id
    )


@predicate
def can_view_offer(membership: Membership | None, offer: Offer | None) -> bool:
    if membership is None or offer is None:
        return False
    if offer.organisation_id is not None:
        if membership.role == Role.ALLIANCE_ADMIN:
            return offer.organisation is not None and offer.organisation.alliance_id == membership.alliance_id
        return offer.organisation_id == membership.organisation_id
    return offer.alliance_id is not None and offer.alliance_id == _alliance_id(membership)


@predicate
def can_manage_offers(membership: Membership | None, organisation: Organisation | None) -> bool:
    """Adding offers, sessions and mandatory subjects for an organisation: its educators and admins."""
    return organisation is not None and _runs_learning_for(membership, organisation.pk)


@predicate
def can_manage_offer(membership: Membership | None, offer: Offer | None) -> bool:
    """Changing an offer and its sessions: the owning organisation's educators and admins; an alliance's
    shared offer, its alliance admins."""
    if membership is None or offer is None:
        return False
    if offer.organisation_id is not None:
        return _runs_learning_for(membership, offer.organisation_id)
    return membership.role == Role.ALLIANCE_ADMIN and membership.alliance_id == offer.alliance_id


@predicate
def can_enrol_self(membership: Membership | None, session: Session | None) -> bool:
    """Asking for a place on a session: a worker with a staff record, on an offer their organisation sees."""
    if membership is None or session is None or membership.user.person_id is None:
        return False
    return bool(can_view_offer(membership, session.offer))


@predicate
def can_book_for(membership: Membership | None, person: Person | None) -> bool:
    """Booking someone onto a session (approved at once): their line manager, or the organisation's
    educators and admins. Never for oneself: a worker's own request waits for their manager."""
    if membership is None or person is None or membership.user.person_id == person.pk:
        return False
    if membership.role == Role.LINE_MANAGER:
        return bool(org_access.can_see_person(membership, person))
    return _runs_learning_for(membership, person.organisation_id)


@predicate
def can_decide_enrolment(membership: Membership | None, enrolment: Enrolment | None) -> bool:
    """Approving or declining a request for a place (and granting protected time): as `book_for`."""
    return enrolment is not None and bool(can_book_for(membership, enrolment.person))


@predicate
def can_withdraw_enrolment(membership: Membership | None, enrolment: Enrolment | None) -> bool:
    """The person themselves, or whoever may book for them."""
    if membership is None or enrolment is None:
        return False
    return membership.user.person_id == enrolment.person_id or bool(
        can_book_for(membership, enrolment.person)
    )


@predicate
def can_run_session(membership: Membership | None, session: Session | None) -> bool:
    """The register (attendance) and completions of a session: whoever manages the offer, and for an offer the
    alliance shares, the educators and admins of its organisations (each sees only their own people)."""
    if membership is None or session is None:
        return False
    offer = session.offer
    if can_manage_offer(membership, offer):
        return True
    return (
        offer.alliance_id is not None
        and membership.role in LEARNING_ROLES
        and offer.alliance_id == _alliance_id(membership)
    )


@predicate
def can_record_completion(membership: Membership | None, person: Person | None) -> bool:
    """Recording a completion for someone: the educators and admins of their organisation."""
    return person is not None and _runs_learning_for(membership, person.organisation_id)


@predicate
def can_complete_own(membership: Membership | None, enrolment: Enrolment | None) -> bool:
    """A worker marks their own booked session as completed (once it has started: the service checks)."""
    return (
        membership is not None and enrolment is not None and membership.user.person_id == enrolment.person_id
    )


@predicate
def can_evaluate(membership: Membership | None, completion: Completion | None) -> bool:
    return (
        membership is not None
        and completion is not None
        and membership.user.person_id == completion.person_id
    )


@predicate
def can_view_person_learning(membership: Membership | None, person: Person | None) -> bool:
    """A person's training record, compliance and gaps: whoever may see the person (themselves, their
    managers and assessors, their organisation's admins), and their organisation's educators."""
    if person is None:
        return False
    return bool(org_access.can_see_person(membership, person)) or _runs_learning_for(
        membership, person.organisation_id
    )


@predicate
def can_view_team_learning(membership: Membership | None, team: Team | None) -> bool:
    """A team's mandatory training and gaps: its line managers and assessors, the organisation's educators and
    admins."""
    if membership is None or team is None:
        return False
    if membership.role in TEAM_ROLES:
        return team.pk in org_access._team_ids(membership)
    return _runs_learning_for(membership, team.organisation_id)


@predicate
def can_view_learning_figures(membership: Membership | None, organisation: Organisation | None) -> bool:
    """An organisation's aggregate figures (compliance, gaps, evaluations, spend): its educators, admins and
    analysts, and its alliance's admins."""
    if membership is None or organisation is None:
        return False
    if membership.role == Role.ALLIANCE_ADMIN:
        return organisation.alliance_id is not None and organisation.alliance_id == membership.alliance_id
    return membership.role in AGGREGATE_ROLES and membership.organisation_id == organisation.pk


@predicate
def has_organisation(membership: Membership | None) -> bool:
    return membership is not None and (
        membership.organisation_id is not None or membership.alliance_id is not None
    )


@predicate
def runs_learning(membership: Membership | None) -> bool:
    return membership is not None and membership.role in LEARNING_ROLES


@predicate
def is_line_manager(membership: Membership | None) -> bool:
    return membership is not None and membership.role == Role.LINE_MANAGER


@predicate
def has_team_learning(membership: Membership | None) -> bool:
    """The *Team learning* link: line managers and assessors for their teams, educators and admins for all."""
    return membership is not None and (membership.role in TEAM_ROLES or membership.role in LEARNING_ROLES)


@predicate
def books_places(membership: Membership | None) -> bool:
    return bool(is_line_manager(membership)) or bool(runs_learning(membership))


RULES = RuleSet()
RULES.add("view_catalogue", has_organisation)
RULES.add("view_offer", can_view_offer)
RULES.add("manage_offers", can_manage_offers)
RULES.add("manage_offer", can_manage_offer)
RULES.add("enrol_self", can_enrol_self)
RULES.add("book_for", can_book_for)
RULES.add("decide_enrolment", can_decide_enrolment)
RULES.add("withdraw_enrolment", can_withdraw_enrolment)
RULES.add("run_session", can_run_session)
RULES.add("record_completion", can_record_completion)
RULES.add("complete_own", can_complete_own)
RULES.add("evaluate", can_evaluate)
RULES.add("view_person_learning", can_view_person_learning)
RULES.add("view_team_learning", can_view_team_learning)
RULES.add("view_learning_figures", can_view_learning_figures)
# Navigation only: one's own learning, booking and team pages.
RULES.add("view_own_learning", org_access.has_own_record)
# The *Book a place* button: line managers for their teams, educators and admins for their organisation.
RULES.add("book_places", books_places)
RULES.add("list_team_learning", has_team_learning)


def may(membership: Membership | None, action: str, obj: Any = None) -> bool:
    return RULES.test(action, membership, obj)
