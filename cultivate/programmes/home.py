"""The programmes app's actions on the home page (see `cultivate.core.navigation.HomeAction`): for a participant,
a place offered to accept, a session on now to check in to, the self-assessments and session evaluations to do;
for a line manager, applications waiting for protected time to be agreed; for a lead, approved applications
waiting for an offer of a place. Bounded queries: a worker holds a place or two at most."""

from __future__ import annotations

from django.db.models import Count, Q
from django.urls import reverse

from cultivate.accounts.models import Membership, Role
from cultivate.core.navigation import HomeAction

from . import access, selectors
from .models import ApplicationStatus, CohortStatus, Stage


def _plural(count: int, one: str, many: str) -> str:
    return f"{count:,} {one if count == 1 else many}"


def _participant_actions(membership: Membership) -> list[HomeAction]:
    found: list[HomeAction] = []
    offered = (
        selectors.my_applications(membership)
        .filter(status=ApplicationStatus.OFFERED)
        .select_related("programme")
    )
    first = offered.first()
    found.append(
        HomeAction(
            text=f"You are offered a place on {first.programme.title}" if first else "",
            detail="Accept it, or decline so that someone on the waiting list can have it.",
            href=reverse("programmes:application", args=[first.pk]) if first else "",
            count=1 if first else 0,
            order=5,
            urgent=True,
        )
    )
    places = (
        selectors.my_places(membership)
        .exclude(cohort__status=CohortStatus.CLOSED)
        .select_related("cohort__programme")
    )
    for place in places[:3]:
        title = place.cohort.programme.title
        now = selectors.session_for_checkin(place)
        found.append(
            HomeAction(
                text=f"Check in to today's {title} session" if now else "",
                detail=f"{now.topic}: ask the lead for the check-in code." if now else "",
                href=reverse("programmes:check_in", args=[place.pk]),
                count=1 if now else 0,
                order=4,
                urgent=True,
            )
        )
        done = selectors.own_self_assessments(place)
        found.append(
            HomeAction(
                text=f"Do your self-assessment for the start of {title}",
                detail="Ten questions, about five minutes. Only you see your answers.",
                href=reverse("programmes:self_assessment", args=[place.pk, Stage.BEFORE]),
                count=0 if Stage.BEFORE in done else 1,
                order=6,
            )
        )
        to_evaluate = selectors.sessions_to_evaluate(place)
        found.append(
            HomeAction(
                text=_plural(len(to_evaluate), "session to evaluate", "sessions to evaluate")
                + f" on {title}",
                detail="A few questions on each session: leads change the next one from your answers.",
                href=(
                    reverse("programmes:evaluation", args=[place.pk, to_evaluate[0].pk])
                    if to_evaluate
                    else reverse("programmes:mine")
                ),
                count=len(to_evaluate),
                order=7,
            )
        )
    return found


def _manager_actions(membership: Membership) -> list[HomeAction]:
    waiting = selectors.team_applications(membership).filter(status=ApplicationStatus.SUBMITTED)
    count = waiting.count()
    return [
        HomeAction(
            text=_plural(count, "application to a programme needs", "applications to programmes need")
            + " you to agree protected time",
            detail="Agree the time, or say why not; the applicant is told either way.",
            href=reverse("programmes:index"),
            count=count,
            order=23,
        )
    ]


def _lead_actions(membership: Membership) -> list[HomeAction]:
    ready = list(
        selectors.programmes_visible_to(membership)
        .filter(leads__user=membership.user)
        .annotate(
            approved=Count("applications", filter=Q(applications__status=ApplicationStatus.MANAGER_APPROVED))
        )
        .filter(approved__gt=0)
        .order_by("title")
    )
    count = sum(p.approved for p in ready)
    only = ready[0] if len(ready) == 1 else None
    return [
        HomeAction(
            text=_plural(count, "approved application is", "approved applications are")
            + " waiting for a place",
            detail=f"{only.title}: allocate cohorts, or offer places." if only else "",
            href=reverse("programmes:applications", args=[only.pk]) if only else reverse("programmes:index"),
            count=count,
            order=24,
        )
    ]


def actions(membership: Membership) -> list[HomeAction]:
    found: list[HomeAction] = []
    if membership.user.person_id:  # anyone with a staff record may hold a place
        found += _participant_actions(membership)
    if membership.role == Role.LINE_MANAGER:
        found += _manager_actions(membership)
    if access.may(membership, "lead_programmes"):
        found += _lead_actions(membership)
    return found
