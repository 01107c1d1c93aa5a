"""Plans and meetings as the pages show them: the worker's next step in words, a goal's link, the status tag."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.urls import reverse

from cultivate.core.formatting import uk_date

from .models import DevelopmentPlan, PlanGoal, PlanStatus

TAGS = {
    PlanStatus.DRAFT: "nhsuk-tag--grey",
    PlanStatus.PROPOSED: "nhsuk-tag--blue",
    PlanStatus.CHANGES_ASKED: "nhsuk-tag--orange",
    PlanStatus.AGREED: "nhsuk-tag--green",
}


@dataclass(frozen=True)
class NextStep:
    heading: str
    text: str
    href: str = ""
    link_text: str = ""
    # Send the plan from the page itself (a button), rather than a link.
    send: bool = False


def next_step(plan: DevelopmentPlan | None, goals: list[PlanGoal], on: dt.date) -> NextStep:
    """What the worker should do next with their plan, in one sentence."""
    if plan is None:
        return NextStep(
            "Start your development plan",
            "Say what you want to get better at this year, then agree it with your supervisor.",
            reverse("learning:plan_edit"),
            "Start your plan",
        )
    if plan.status == PlanStatus.CHANGES_ASKED:
        return NextStep(
            "Change your plan",
            f"Your supervisor asked for changes: “{plan.changes_reason}”. Change your goals, then send it again.",
            send=bool(goals),
        )
    if not goals:
        return NextStep(
            "Add your first goal",
            "A plan needs at least one goal.",
            reverse("learning:goal_new"),
            "Add a goal",
        )
    if plan.status == PlanStatus.DRAFT:
        return NextStep(
            "Agree your development plan",
            "When your goals are ready, send the plan to your supervisor to agree.",
            send=True,
        )
    if plan.status == PlanStatus.PROPOSED:
        return NextStep(
            "Waiting for your supervisor", "Your supervisor has your plan. You will be told when they reply."
        )
    if plan.review_on <= on:
        return NextStep(
            "Your plan review is due",
            f"It was due on {uk_date(plan.review_on)}. Check your goals, then send it to your supervisor to review.",
            send=True,
        )
    return NextStep(
        "Your plan is agreed",
        f"Work on your goals. Your next review is on {uk_date(plan.review_on)}.",
    )


def goal_link(goal: PlanGoal) -> tuple[str, str]:
    """What the goal is linked to, and the page that shows it ("" when none)."""
    if goal.offer is not None:
        return f"Course: {goal.offer.title}", reverse("learning:offer", args=[goal.offer.pk])
    if goal.competence is not None:
        return f"Competence: {goal.competence.code} {goal.competence.title}".replace("  ", " "), ""
    if goal.step is not None:
        return f"Career step: {goal.step.title}", ""
    return "", ""
