"""The demo alliance's development plans and supervision: most people with a current line manager have
a plan (agreed, waiting for their supervisor, sent back with changes asked for, or still a draft) whose goals
name courses open to them; supervision meetings every six to ten weeks over the past year, and about one in five
people overdue (no supervision or plan review for longer than their trust's interval). One trust expects
supervision every two months, the others every three.

Deterministic from the seed. The demo's own support worker (support.worker@...) has a draft plan, so their home
says to agree it; their line manager has plans waiting and people overdue."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from cultivate.accounts.models import User
from cultivate.learning.models import DevelopmentPlan, Offer, PlanGoal, SupervisionMeeting, SupervisionPolicy
from cultivate.learning.plans.models import PlanStatus
from cultivate.organisations.models import EmploymentSpell, Organisation

# The trust (by position, in ODS code order) that expects supervision every two months.
TWO_MONTHLY = 1
OVERDUE_SHARE = 0.2
GOALS = (
    "Become confident taking blood glucose readings",
    "Lead a therapeutic activity group on the ward",
    "Get ready to apply for the nursing associate apprenticeship",
    "Finish the Care Certificate standards I have left",
    "Learn to support people in a mental health crisis safely",
    "Improve my maths for the functional skills test",
    "Take on the ward's infection control champion role",
)
ACTIONS = (
    "Book the course and shadow a registered nurse twice",
    "Ask the practice educator for time to practise",
    "Read the trust's policy and talk it through in supervision",
    "Complete the e-learning and bring my certificate",
    "",
)
AGREED = (
    "Book a place on the next course",
    "Shadow the ward's diabetes link nurse",
    "Plan protected time for the e-learning",
    "Review the plan's goals at the next meeting",
    "Ask the educator about the apprenticeship",
)
PRIVATE = (
    "Finding night shifts tiring; talked about the rota.",
    "Wants to talk again about the move to days.",
    "Going well; no worries raised.",
    "",
    "",
)


@dataclass(frozen=True)
class PlansSummary:
    plans: int
    meetings: int
    overdue: int

    def lines(self) -> list[str]:
        return [
            f"  {self.plans:,} development plans, {self.meetings:,} supervision meetings, "
            f"{self.overdue:,} people overdue for supervision"
        ]


def plans_demo_delete(organisations: QuerySet[Organisation]) -> None:
    SupervisionMeeting.objects.filter(person__organisation__in=organisations).delete()
    DevelopmentPlan.objects.filter(person__organisation__in=organisations).delete()
    SupervisionPolicy.objects.filter(organisation__in=organisations).delete()


def plans_demo_load(
    *, organisations: list[Organisation], seed: int, today: dt.date, worker_emails: set[str]
) -> PlansSummary:
    rng = random.Random(seed * 41 + 12)
    for index, organisation in enumerate(organisations):
        if index == TWO_MONTHLY:
            SupervisionPolicy.objects.create(organisation=organisation, interval_months=2)
    # Each person's current post with a named line manager (the first by start date).
    posts: dict[int, tuple[int, int]] = {}
    for person_id, manager_id, org_id in (
        EmploymentSpell.objects.active_on(today)
        .filter(person__organisation__in=organisations, line_manager__isnull=False)
        .order_by("person_id", "start_date", "pk")
        .values_list("person_id", "line_manager_id", "person__organisation_id")
    ):
        posts.setdefault(person_id, (manager_id, org_id))
    managers = {m for m, _o in posts.values()}
    users = {
        person_id: pk
        for pk, person_id in User.objects.filter(person_id__in=managers | set(posts)).values_list(
            "pk", "person_id"
        )
    }
    demo_worker_ids = set(
        User.objects.filter(email__in=worker_emails).exclude(person=None).values_list("person_id", flat=True)
    )
    offers: dict[int, list[int]] = {}
    for org in organisations:
        offers[org.pk] = list(
            Offer.objects.filter(
                Q(organisation=org) | Q(alliance_id=org.alliance_id), is_active=True, subject__isnull=True
            )
            .order_by("pk")
            .values_list("pk", flat=True)
        )
    plans: list[DevelopmentPlan] = []
    goal_specs: list[tuple[int, list[PlanGoal]]] = []
    meetings: list[SupervisionMeeting] = []
    overdue = 0
    for person_id in sorted(posts):
        manager_id, org_id = posts[person_id]
        supervisor = users.get(manager_id)
        if supervisor is None or manager_id == person_id:
            continue
        is_demo = person_id in demo_worker_ids
        late = not is_demo and rng.random() < OVERDUE_SHARE
        overdue += late
        # Supervision: every six to ten weeks back from the last meeting, for about a year.
        last = today - dt.timedelta(days=rng.randrange(130, 260) if late else rng.randrange(3, 55))
        if not (late and rng.random() < 0.25):  # some overdue people have never had supervision
            day = last
            while day > today - dt.timedelta(days=365):
                meetings.append(
                    SupervisionMeeting(
                        person_id=person_id,
                        supervisor_id=supervisor,
                        held_on=day,
                        agreed_actions=rng.choice(AGREED),
                        private_note=rng.choice(PRIVATE),
                    )
                )
                day -= dt.timedelta(days=rng.randrange(42, 71))
        if not is_demo and rng.random() > 0.7:
            continue  # no plan yet
        if is_demo:
            status = PlanStatus.DRAFT
        elif late:
            status = rng.choice((PlanStatus.DRAFT, PlanStatus.AGREED))
        else:
            status = rng.choices(
                (PlanStatus.AGREED, PlanStatus.PROPOSED, PlanStatus.CHANGES_ASKED, PlanStatus.DRAFT),
                weights=(60, 15, 10, 15),
            )[0]
        agreed_on = None
        if status == PlanStatus.AGREED:
            # An overdue person's plan was last agreed before their last supervision.
            agreed_on = (
                last - dt.timedelta(days=rng.randrange(0, 60))
                if late
                else today - dt.timedelta(days=rng.randrange(5, 120))
            )
        starts_on = (agreed_on or today) - dt.timedelta(days=rng.randrange(0, 30))
        review_on = (agreed_on or today) + dt.timedelta(days=rng.choice((90, 120, 180)))
        plan = DevelopmentPlan(
            person_id=person_id,
            status=status,
            starts_on=starts_on,
            review_on=max(review_on, starts_on),
            agreed_on=agreed_on,
            decided_by_id=supervisor if status in {PlanStatus.AGREED, PlanStatus.CHANGES_ASKED} else None,
            changes_reason="Give each goal a date, and link the first to a course"
            if status == PlanStatus.CHANGES_ASKED
            else "",
            review_notes="Good progress; keep the same goals" if status == PlanStatus.AGREED else "",
        )
        plans.append(plan)
        goals = []
        for text in rng.sample(GOALS, rng.randrange(1, 4)):
            pool = offers.get(org_id, [])
            goals.append(
                PlanGoal(
                    text=text,
                    action=rng.choice(ACTIONS),
                    offer_id=rng.choice(pool) if pool and rng.random() < 0.7 else None,
                    target_on=starts_on + dt.timedelta(days=rng.randrange(60, 300)),
                    is_done=status == PlanStatus.AGREED and rng.random() < 0.3,
                )
            )
        goal_specs.append((len(plans) - 1, goals))
    DevelopmentPlan.objects.bulk_create(plans, batch_size=1000)
    all_goals: list[PlanGoal] = []
    for index, goals in goal_specs:
        for goal in goals:
            goal.plan_id = plans[index].pk
            all_goals.append(goal)
    PlanGoal.objects.bulk_create(all_goals, batch_size=2000)
    SupervisionMeeting.objects.bulk_create(meetings, batch_size=2000)
    return PlansSummary(plans=len(plans), meetings=len(meetings), overdue=overdue)
