"""Writes for development plans and supervision. Each checks access itself (the views check first, to audit a
refusal), refuses bad input with a ValidationError naming the field in the user's words, and writes atomically:
nothing is half-saved. Agreeing a plan, asking for changes and recording supervision are audited (personal
records); whoever must act next is told (`core.notify`) once the write has committed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from cultivate.accounts.models import Membership, User
from cultivate.core.audit import AuditContext, audit
from cultivate.core.formatting import uk_date
from cultivate.core.notify import Subject, notifications_mark_read_about, notify
from cultivate.frameworks.models import Competence
from cultivate.organisations.models import Organisation, Person
from cultivate.pathways.models import Step
from cultivate.portfolio import selectors as portfolio_selectors
from cultivate.portfolio.services import user_of

from .. import access as learning_access
from ..audit_actions import LearningAction
from ..models import Offer
from . import access
from .models import DevelopmentPlan, PlanGoal, PlanStatus, SupervisionMeeting, SupervisionPolicy

# Dates further back than this are a typing mistake (a year of 1926 for 2026).
EARLIEST = dt.date(2000, 1, 1)


def _require(membership: Membership | None, action: str, obj: Any) -> Membership:
    if membership is None or not access.may(membership, action, obj):
        raise PermissionDenied(f"May not {action.replace('_', ' ')}.")
    return membership


def _tell(user: User | None, *, title: str, body: str, url: str, subject: Subject) -> None:
    if user is not None:
        transaction.on_commit(lambda: notify(user=user, title=title, body=body, url=url, subject=subject))


def _revise(plan: DevelopmentPlan) -> None:
    """The worker changed a plan that was sent or agreed: it is theirs again until they send it."""
    if plan.status in {PlanStatus.PROPOSED, PlanStatus.AGREED}:
        plan.status = PlanStatus.DRAFT


# --- The worker's plan -----------------------------------------------------------------------------------


def plan_save(
    *, ctx: AuditContext, membership: Membership | None, starts_on: dt.date, review_on: dt.date
) -> DevelopmentPlan:
    """Start one's plan, or change its dates. A plan already sent or agreed goes back to the worker (draft)."""
    del ctx  # the worker's own draft: not audited until it is agreed
    person = membership.user.person if membership is not None else None
    membership = _require(membership, "write_own_plan", person)
    assert person is not None
    errors: dict[str, str] = {}
    if starts_on < EARLIEST:
        errors["starts_on"] = f"The start date must be after {uk_date(EARLIEST)}"
    if review_on < starts_on:
        errors["review_on"] = "The review date must be on or after the plan's start date"
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        plan = DevelopmentPlan.objects.select_for_update().filter(person=person).first()
        if plan is None:
            plan = DevelopmentPlan(person=person)
        else:
            _revise(plan)
        plan.starts_on, plan.review_on = starts_on, review_on
        goals_before_start = plan.pk is not None and plan.goals.filter(target_on__lt=starts_on).exists()
        if goals_before_start:
            raise ValidationError(
                {"starts_on": "A goal's target date is before this start date: change the goal first"}
            )
        plan.full_clean()
        plan.save()
    return plan


def _check_goal(plan: DevelopmentPlan, *, text: str, links: list[object], target_on: dt.date | None) -> None:
    errors: dict[str, str] = {}
    if not text.strip():
        errors["text"] = "Enter the goal"
    elif len(text.strip()) > 300:
        errors["text"] = "The goal must be 300 characters or fewer"
    if sum(link is not None for link in links) > 1:
        errors["link"] = "Link the goal to one thing: a course, a competence or a career step"
    if target_on is not None and target_on < plan.starts_on:
        errors["target_on"] = (
            f"The target date must be on or after the plan's start, {uk_date(plan.starts_on)}"
        )
    if errors:
        raise ValidationError(errors)


def goal_save(
    *,
    ctx: AuditContext,
    membership: Membership | None,
    plan: DevelopmentPlan,
    goal: PlanGoal | None = None,
    text: str,
    action: str = "",
    offer: Offer | None = None,
    competence: Competence | None = None,
    step: Step | None = None,
    target_on: dt.date | None = None,
    is_done: bool = False,
) -> PlanGoal:
    """Add a goal to one's plan, or change one."""
    del ctx
    _require(membership, "write_own_plan", plan.person)
    if goal is not None and goal.plan_id != plan.pk:
        raise PermissionDenied("That goal is on another plan.")
    _check_goal(plan, text=text, links=[offer, competence, step], target_on=target_on)
    if offer is not None and not learning_access.can_view_offer_for_person(offer, plan.person):
        raise ValidationError({"offer": "That course is not open to your organisation"})
    with transaction.atomic():
        plan = DevelopmentPlan.objects.select_for_update().get(pk=plan.pk)
        goal = goal or PlanGoal(plan=plan)
        goal.text, goal.action = text.strip(), action.strip()[:300]
        goal.offer, goal.competence, goal.step = offer, competence, step
        goal.target_on, goal.is_done = target_on, is_done
        goal.full_clean()
        goal.save()
        _revise(plan)
        plan.save(update_fields=["status", "updated_at"])
    return goal


def goal_remove(*, ctx: AuditContext, membership: Membership | None, goal: PlanGoal) -> None:
    del ctx
    _require(membership, "write_own_plan", goal.plan.person)
    with transaction.atomic():
        plan = DevelopmentPlan.objects.select_for_update().get(pk=goal.plan_id)
        goal.delete()
        _revise(plan)
        plan.save(update_fields=["status", "updated_at"])


def plan_propose(
    *, ctx: AuditContext, membership: Membership | None, plan: DevelopmentPlan
) -> DevelopmentPlan:
    """Send one's plan to one's supervisor (the line manager of one's post, or of one's team), who is told."""
    del ctx
    membership = _require(membership, "write_own_plan", plan.person)
    with transaction.atomic():
        plan = DevelopmentPlan.objects.select_for_update().select_related("person").get(pk=plan.pk)
        if plan.status == PlanStatus.PROPOSED:
            raise ValidationError("Your plan is already with your supervisor")
        if not plan.goals.exists():
            raise ValidationError("Add at least one goal before you send your plan")
        plan.status = PlanStatus.PROPOSED
        plan.proposed_at = timezone.now()
        plan.save(update_fields=["status", "proposed_at", "updated_at"])
        person = plan.person
        # Sent again: the worker's "changes asked for" (or "agreed") notice is done with.
        notifications_mark_read_about(subjects=[Subject.of(plan)], user=membership.user)
        for manager in portfolio_selectors.line_manager_users([person.pk]).get(person.pk, []):
            _tell(
                manager,
                title=f"{person.display_name} sent you their development plan",
                body="Read it, then agree it or ask for changes.",
                url=reverse("learning:plan_person", args=[person.pk]),
                subject=Subject.of(plan),
            )
    return plan


# --- The supervisor's decision ---------------------------------------------------------------------------


def plan_decide(
    *,
    ctx: AuditContext,
    membership: Membership | None,
    plan: DevelopmentPlan,
    agree: bool,
    reason: str = "",
    review_notes: str = "",
    review_on: dt.date | None = None,
) -> DevelopmentPlan:
    """Agree a plan that was sent (a review: it counts as one for supervision being due), or ask for changes
    saying why. The worker is told either way."""
    membership = _require(membership, "decide_plan", plan.person)
    today = timezone.localdate()
    with transaction.atomic():
        plan = DevelopmentPlan.objects.select_for_update().select_related("person").get(pk=plan.pk)
        if plan.status != PlanStatus.PROPOSED:
            raise ValidationError("This plan is not waiting for your decision")
        errors: dict[str, str] = {}
        if agree:
            if review_on is not None and review_on <= today:
                errors["review_on"] = "The next review date must be in the future"
            elif review_on is None and plan.review_on <= today:
                errors["review_on"] = "The plan's review date has passed: enter the date of the next review"
        elif not reason.strip():
            errors["reason"] = "Say what should change"
        if errors:
            raise ValidationError(errors)
        plan.decided_by, plan.decided_at = membership.user, timezone.now()
        if agree:
            plan.status = PlanStatus.AGREED
            plan.agreed_on = today
            plan.review_notes = review_notes.strip()
            plan.changes_reason = ""
            if review_on is not None:
                plan.review_on = review_on
        else:
            plan.status = PlanStatus.CHANGES_ASKED
            plan.changes_reason = reason.strip()
        plan.full_clean()
        plan.save()
        audit(
            LearningAction.PLAN_AGREED if agree else LearningAction.PLAN_CHANGES_ASKED,
            ctx=ctx,
            obj=plan,
            organisation=plan.person.organisation,
            person=plan.person_id,
            review_on=plan.review_on.isoformat(),
        )
        # Decided: whoever was told the plan waits (every supervisor) need not be any more.
        notifications_mark_read_about(subjects=[Subject.of(plan)])
        who = membership.user.full_name or "Your supervisor"
        _tell(
            user_of(plan.person),
            title=f"{who} agreed your development plan"
            if agree
            else f"{who} asked for changes to your development plan",
            body=f"Next review: {uk_date(plan.review_on)}."
            if agree
            else f"They wrote: {plan.changes_reason}",
            url=reverse("learning:plan"),
            subject=Subject.of(plan),
        )
    return plan


# --- Supervision ---------------------------------------------------------------------------------------


def meeting_record(
    *,
    ctx: AuditContext,
    membership: Membership | None,
    person: Person,
    held_on: dt.date,
    agreed_actions: str = "",
    private_note: str = "",
) -> SupervisionMeeting:
    """Record a supervision meeting with someone one supervises. The private note is for the two of them only
    (it is never audited, emailed or shown to anyone else)."""
    membership = _require(membership, "record_supervision", person)
    if held_on > timezone.localdate():
        raise ValidationError({"held_on": "The date of the meeting must be today or in the past"})
    if held_on < EARLIEST:
        raise ValidationError({"held_on": f"The date of the meeting must be after {uk_date(EARLIEST)}"})
    with transaction.atomic():
        meeting = SupervisionMeeting(
            person=person,
            supervisor=membership.user,
            held_on=held_on,
            agreed_actions=agreed_actions.strip(),
            private_note=private_note.strip(),
        )
        meeting.full_clean()
        meeting.save()
        audit(
            LearningAction.SUPERVISION_RECORDED,
            ctx=ctx,
            obj=meeting,
            organisation=person.organisation,
            person=person.pk,
            held_on=held_on.isoformat(),
        )
        _tell(
            user_of(person),
            title=f"Your supervision on {uk_date(held_on)} is recorded",
            body="Read what you agreed.",
            url=reverse("learning:supervision_person", args=[person.pk]),
            subject=Subject.of(meeting),
        )
    return meeting


def interval_set(
    *, ctx: AuditContext, membership: Membership | None, organisation: Organisation, months: int
) -> SupervisionPolicy:
    """How often the organisation expects supervision or a plan review (1 to 12 months)."""
    _require(membership, "set_supervision_interval", organisation)
    if not 1 <= months <= 12:
        raise ValidationError({"interval_months": "Enter a number of months from 1 to 12"})
    with transaction.atomic():
        policy, _ = SupervisionPolicy.objects.select_for_update().get_or_create(organisation=organisation)
        policy.interval_months = months
        policy.full_clean()
        policy.save()
        audit(
            LearningAction.SUPERVISION_INTERVAL_CHANGED,
            ctx=ctx,
            obj=policy,
            organisation=organisation,
            interval_months=months,
        )
    return policy
