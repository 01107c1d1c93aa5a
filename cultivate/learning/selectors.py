"""Reads for learning: the catalogue an organisation sees, sessions and places, a person's records, and what
other apps ask of learning (offers developing competences, the next session of an offer).

Each read takes the acting membership and reads through `Model.objects.for_membership(m)`, or is scoped by a
parent the caller was already allowed (an organisation, an offer, a person)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from cultivate.accounts.models import Membership
from cultivate.frameworks.models import Competence
from cultivate.organisations.models import EmploymentSpell, Organisation, Person, Team

from .access import LEARNING_ROLES
from .models import (
    PLACE_STATUSES,
    Completion,
    Enrolment,
    EnrolmentStatus,
    Evaluation,
    MandatoryRequirement,
    MandatorySubject,
    Offer,
    OfferCompetence,
    Session,
    TrainingImport,
)

Key = tuple[int, uuid.UUID]  # (framework id, competence identifier)


# --- The catalogue -------------------------------------------------------------------------------------


def offers_visible_to(membership: Membership | None) -> QuerySet[Offer]:
    return Offer.objects.for_membership(membership).select_related("organisation", "alliance", "subject")


def offers_for(organisation: Organisation) -> Q:
    """A filter on Offer: what an organisation's people can take (its own offers and its alliance's)."""
    shared = Q(alliance_id=organisation.alliance_id) if organisation.alliance_id else Q(pk__in=[])
    return Q(organisation_id=organisation.pk) | shared


def catalogue(membership: Membership | None, *, kind: str = "", query: str = "") -> list[Offer]:
    offers = offers_visible_to(membership).filter(is_active=True)
    if kind:
        offers = offers.filter(kind=kind)
    if query:
        offers = offers.filter(Q(title__icontains=query) | Q(provider__icontains=query))
    return list(offers)


def offer_competences(offer: Offer) -> list[OfferCompetence]:
    return list(
        offer.develops.select_related("competence", "competence__framework").order_by(
            "competence__framework__title", "competence__sequence", "pk"
        )
    )


def sessions_of(offer: Offer, *, upcoming_from: dt.datetime | None = None) -> QuerySet[Session]:
    sessions = offer.sessions.filter(is_cancelled=False).annotate(
        taken=Count("enrolments", filter=Q(enrolments__status__in=PLACE_STATUSES)),
        waiting=Count("enrolments", filter=Q(enrolments__status=EnrolmentStatus.WAITING)),
    )
    if upcoming_from is not None:
        sessions = sessions.filter(starts_at__gte=upcoming_from)
    return sessions.order_by("starts_at", "pk")


def sessions_visible_to(membership: Membership | None) -> QuerySet[Session]:
    return Session.objects.for_membership(membership).select_related("offer", "offer__organisation")


def places_taken(session: Session) -> int:
    return session.enrolments.filter(status__in=PLACE_STATUSES).count()


def register(session: Session, membership: Membership | None) -> list[Enrolment]:
    """The session's enrolments the membership may see (an alliance offer's register shows each organisation
    its own people)."""
    return list(
        Enrolment.objects.for_membership(membership)
        .filter(session=session)
        .select_related("person")
        .order_by("status", "created_at", "pk")
    )


def enrolments_visible_to(membership: Membership | None) -> QuerySet[Enrolment]:
    return Enrolment.objects.for_membership(membership).select_related("session", "session__offer", "person")


def completions_visible_to(membership: Membership | None) -> QuerySet[Completion]:
    return Completion.objects.for_membership(membership).select_related(
        "offer", "subject", "person", "session"
    )


def evaluations_visible_to(membership: Membership | None) -> QuerySet[Evaluation]:
    return Evaluation.objects.for_membership(membership)


def subjects_visible_to(membership: Membership | None) -> QuerySet[MandatorySubject]:
    return MandatorySubject.objects.for_membership(membership)


def subjects_of(organisation: Organisation) -> list[MandatorySubject]:
    return list(organisation.mandatory_subjects.prefetch_related("requirements__role").order_by("name", "pk"))


# --- A person ------------------------------------------------------------------------------------------


def enrolments_of(person: Person) -> list[Enrolment]:
    return list(
        person.enrolments.select_related("session", "session__offer").order_by("-session__starts_at", "-pk")
    )


def completions_of(person: Person) -> list[Completion]:
    evaluated = Evaluation.objects.filter(completion=OuterRef("pk"))
    return list(
        person.completions.select_related("offer", "subject", "session")
        .annotate(evaluated=Exists(evaluated))
        .order_by("-completed_on", "-pk")
    )


def pending_requests(membership: Membership | None) -> list[Enrolment]:
    """Requests for a place waiting for this membership's decision: a line manager's team's."""
    own = membership.user.person_id if membership is not None else None
    return list(
        enrolments_visible_to(membership)
        .filter(status=EnrolmentStatus.REQUESTED, session__starts_at__gte=timezone.now())
        .exclude(person_id=own or 0)
        .order_by("session__starts_at", "pk")
    )


def people_in_team(team: Team, on: dt.date | None = None) -> list[Person]:
    """The people with a post in the team on a day, by name."""
    on = on or timezone.localdate()
    ids = EmploymentSpell.objects.active_on(on).filter(team=team).values("person_id")
    return list(Person.objects.filter(pk__in=ids).order_by("family_name", "given_name", "pk"))


def people_in_organisation(
    organisation: Organisation, on: dt.date | None = None, setting: str = ""
) -> list[int]:
    """The ids of the organisation's people with a post on a day (in teams of one setting, if given)."""
    on = on or timezone.localdate()
    spells = EmploymentSpell.objects.active_on(on).filter(person__organisation=organisation)
    if setting:
        spells = spells.filter(team__setting=setting)
    return sorted(set(spells.values_list("person_id", flat=True)))


# --- For other apps (career pathways) ------------------------------------------------------------------


def offers_developing(
    organisation: Organisation, competence_ids: Iterable[int], *, active_only: bool = True
) -> dict[int, list[Offer]]:
    """For each competence (by pk as passed), the offers open to the organisation's people that develop it,
    by title. A link to a competence row of another version of the same framework counts (matched by
    framework and identifier). Three queries whatever the number of competences."""
    wanted = Competence.objects.filter(pk__in=set(competence_ids)).values_list(
        "pk", "framework_id", "identifier"
    )
    return offers_developing_keys(organisation, list(wanted), active_only=active_only)


def offers_developing_keys(
    organisation: Organisation, wanted: Sequence[tuple[int, int, uuid.UUID]], *, active_only: bool = True
) -> dict[int, list[Offer]]:
    """`offers_developing` for competences given as (pk, framework id, identifier): two queries."""
    if not wanted:
        return {}
    by_key: dict[Key, list[int]] = defaultdict(list)
    for pk, framework_id, identifier in wanted:
        by_key[(framework_id, identifier)].append(pk)
    key_filter = Q(pk__in=[])
    for framework_id, identifiers in _group(by_key).items():
        key_filter |= Q(competence__framework_id=framework_id, competence__identifier__in=identifiers)
    open_offers = Offer.objects.filter(offers_for(organisation))
    if active_only:
        open_offers = open_offers.filter(is_active=True)
    links = (
        OfferCompetence.objects.filter(key_filter, offer__in=open_offers.values("pk"))
        .values_list("offer_id", "competence__framework_id", "competence__identifier")
        .distinct()
    )
    by_offer: dict[int, set[int]] = defaultdict(set)
    for offer_id, framework_id, identifier in links:
        by_offer[offer_id].update(by_key.get((framework_id, identifier), []))
    if not by_offer:
        return {}
    # Only what lists of offers show: a whole row each (timestamps, descriptions) cost more than the rest.
    offers = Offer.objects.filter(pk__in=by_offer).only(*OFFER_LIST_FIELDS).order_by("title", "pk")
    result: dict[int, list[Offer]] = defaultdict(list)
    for offer in offers:
        for pk in by_offer[offer.pk]:
            result[pk].append(offer)
    return dict(result)


# The fields lists of offers (gaps, recommendations) read; the rest loads if asked for.
OFFER_LIST_FIELDS = (
    "pk",
    "title",
    "code",
    "kind",
    "mode",
    "provider",
    "hours",
    "cost_per_place",
    "capacity",
    "organisation_id",
    "alliance_id",
    "subject_id",
    "is_active",
)


def next_sessions(offer_ids: Iterable[int], *, after: dt.datetime | None = None) -> dict[int, Session]:
    """The next session of each offer that has one (not cancelled, starting after `after`, default now),
    with `places_left` set (None when the session is full). One query."""
    after = after or timezone.now()
    offer_ids = set(offer_ids)
    if not offer_ids:
        return {}
    # The first session of each offer, by a correlated subquery: one row per offer, however many sessions.
    first = (
        Session.objects.filter(offer_id=OuterRef("offer_id"), is_cancelled=False, starts_at__gt=after)
        .order_by("starts_at", "pk")
        .values("pk")[:1]
    )
    sessions = (
        Session.objects.filter(offer_id__in=offer_ids, pk=Subquery(first))
        .annotate(taken=Count("enrolments", filter=Q(enrolments__status__in=PLACE_STATUSES)))
        .only("pk", "offer_id", "starts_at", "ends_at", "venue", "capacity", "is_cancelled")
    )
    result: dict[int, Session] = {}
    for session in sessions:
        session.places_left = max(session.capacity - session.taken, 0)  # type: ignore[attr-defined]
        result[session.offer_id] = session
    return result


def next_session(offer: Offer, *, after: dt.datetime | None = None) -> Session | None:
    """The next session of one offer (see `next_sessions`)."""
    return next_sessions([offer.pk], after=after).get(offer.pk)


def _group(by_key: dict[Key, list[int]]) -> dict[int, list[uuid.UUID]]:
    grouped: dict[int, list[uuid.UUID]] = defaultdict(list)
    for framework_id, identifier in by_key:
        grouped[framework_id].append(identifier)
    return grouped


def people_by_ids(person_ids: Sequence[int]) -> dict[int, Person]:
    return {p.pk: p for p in Person.objects.filter(pk__in=person_ids)}


def people_for_learning(membership: Membership | None) -> QuerySet[Person]:
    """The people whose training records this membership may read: those it sees as individuals, and for those
    who run learning, everyone of their organisation."""
    return Person.objects.filter(
        Q(pk__in=Person.objects.for_membership(membership).values("pk"))
        | (
            Q(organisation_id=membership.organisation_id)
            if membership is not None and membership.role in LEARNING_ROLES and membership.organisation_id
            else Q(pk__in=[])
        )
    ).select_related("organisation")


def people_to_book(membership: Membership | None) -> QuerySet[Person]:
    """Whom this membership may book onto a session: the people it may read (`people_for_learning`) who are
    in post today, never itself."""
    own = membership.user.person_id if membership is not None else None
    in_post = EmploymentSpell.objects.active_on(timezone.localdate()).values("person_id")
    return (
        people_for_learning(membership)
        .filter(pk__in=in_post)
        .exclude(pk=own or 0)
        .order_by("family_name", "given_name", "pk")
    )


def requirement_of(subject: MandatorySubject, pk: str) -> MandatoryRequirement | None:
    """One of the subject's requirements (scoped by the subject the caller was allowed)."""
    return subject.requirements.filter(pk=int(pk)).first() if pk.isdigit() else None


def imports_of(organisation: Organisation, membership: Membership | None) -> QuerySet[TrainingImport]:
    """The organisation's imports of completions the membership may see, newest first."""
    return TrainingImport.objects.for_membership(membership).filter(organisation=organisation)
