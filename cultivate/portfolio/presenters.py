"""Turn portfolios, evidence, requests and assessments into display data for the templates: status tags with
words (never colour alone), progress, competences grouped by framework and domain, histories."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils import timezone

from cultivate.core.formatting import uk_date
from cultivate.frameworks.models import Competence, EvidenceKind
from cultivate.organisations.models import Person

from . import selectors, services, status
from .models import Assessment, AssessmentKind, Evidence, EvidenceFile, RequestStatus, SignOffRequest
from .status import CompetenceStatus, Requirement, State

STATE_COLOURS: dict[str, str] = {
    State.NOT_STARTED: "grey",
    State.IN_PROGRESS: "blue",
    State.AWAITING: "yellow",
    State.ACHIEVED: "green",
    State.EXPIRING: "orange",
    State.EXPIRED: "red",
    State.REASSESS: "orange",
    State.BELOW_LEVEL: "orange",
}
# The order a worker reads them in: what needs doing first.
STATE_ORDER = [
    State.EXPIRED,
    State.REASSESS,
    State.BELOW_LEVEL,
    State.EXPIRING,
    State.NOT_STARTED,
    State.IN_PROGRESS,
    State.AWAITING,
    State.ACHIEVED,
]
REQUEST_COLOURS = {
    RequestStatus.OPEN: "yellow",
    RequestStatus.SIGNED_OFF: "green",
    RequestStatus.RETURNED: "orange",
    RequestStatus.CANCELLED: "grey",
}
KIND_LABELS = dict(EvidenceKind.choices)


def tag(text: str, colour: str) -> dict[str, str]:
    return {"text": text, "classes": f"nhsuk-tag--{colour}"}


def state_tag(state: str) -> dict[str, str]:
    return tag(str(State(state).label), STATE_COLOURS[state])


def request_tag(signoff_request: SignOffRequest) -> dict[str, str]:
    return tag(signoff_request.get_status_display(), REQUEST_COLOURS[RequestStatus(signoff_request.status)])


def _level_label(competence: Competence, code: str) -> str:
    return competence.framework.level_label(code) if code else ""


# --- The portfolio page ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    pk: int
    code: str
    title: str
    href: str
    tag: dict[str, str]
    state: str  # the status read against the requirement: "below_level" for a held one below the level
    level: str
    required_level: str
    below_level: bool
    met: bool
    due: str
    overdue: bool
    expires: str
    reason: str
    requirement: str = ""  # which role requirement applies
    due_basis: str = ""  # how the due date was worked out
    due_on: dt.date | None = None
    expires_on: dt.date | None = None


def requirement_text(requirement: Requirement, competence: Competence) -> str:
    """Which role requirement applies, in words: "Required for Healthcare support worker (band 3) at
    Independent"."""
    role = getattr(requirement.requirement, "role_name", "") or str(requirement.requirement.role)
    band = f" (band {requirement.requirement.afc_band})" if requirement.requirement.afc_band else ""
    return f"Required for {role}{band} at {_level_label(competence, requirement.min_level)}"


def due_basis(requirement: Requirement) -> str:
    """How the due date was worked out, in words."""
    rule = requirement.requirement
    due_on = requirement.due_on
    if due_on is None:
        return "No due date: the requirement sets no time limit."
    if requirement.grace:
        return (
            f"Due by {uk_date(due_on)}: in post before this requirement began on "
            f"{uk_date(rule.effective_start)}, so {rule.grace_days} days' grace from then."
        )
    days = rule.within_days or 0
    started = uk_date(due_on - dt.timedelta(days=days))
    return f"Due by {uk_date(due_on)}: {days} days from starting in the role on {started}."


def _row(
    competence: Competence,
    current: CompetenceStatus,
    requirement: Requirement | None,
    href: str,
    today: dt.date,
) -> Row:
    shown = status.against(current, requirement)
    level = (
        _level_label(competence, current.level) if current.level and current.state != State.AWAITING else ""
    )
    below = shown == State.BELOW_LEVEL
    met = shown in status.MET_STATES
    due_on = requirement.due_on if requirement else None
    required_level = _level_label(competence, requirement.min_level) if requirement else ""
    return Row(
        pk=competence.pk,
        code=competence.code,
        title=competence.label,
        href=href,
        tag=state_tag(shown),
        state=str(shown),
        level=level,
        required_level=required_level,
        below_level=below,
        met=met,
        due=uk_date(due_on),
        overdue=bool(due_on and due_on < today and not met),
        expires=uk_date(current.expires_on) if current.state != State.AWAITING else "",
        reason=current.reason,
        requirement=requirement_text(requirement, competence) if requirement else "",
        due_basis=due_basis(requirement) if requirement else "",
        due_on=due_on,
        expires_on=current.expires_on if current.state != State.AWAITING else None,
    )


# What needs doing first: lapsed sign-offs, then overdue ones (longest overdue first), then the rest.
_URGENCY = {
    State.EXPIRED: 0,
    State.REASSESS: 2,
    State.BELOW_LEVEL: 3,
    State.EXPIRING: 4,
}


def _urgency(row: Row) -> tuple[int, dt.date]:
    if row.state == State.EXPIRED:
        return (0, row.expires_on or dt.date.min)
    if row.overdue:
        return (1, row.due_on or dt.date.min)
    return (_URGENCY.get(State(row.state), 5), row.expires_on or row.due_on or dt.date.max)


def needs_attention(rows: Iterable[Row]) -> list[Row]:
    """Required competences that need doing, most urgent first: expired, overdue (longest overdue first),
    needing reassessment, below the level needed, expiring (soonest first)."""
    found = [
        row
        for row in rows
        if row.overdue or row.state in {State.EXPIRED, State.EXPIRING, State.REASSESS, State.BELOW_LEVEL}
    ]
    return sorted(found, key=_urgency)


def _grouped(rows: Iterable[tuple[Competence, Row]], parents: dict[int, Competence]) -> list[dict[str, Any]]:
    """Framework, then domain, then competence, each in the framework's order."""
    frameworks: dict[int, dict[str, Any]] = {}
    for competence, row in sorted(
        rows,
        key=lambda item: (
            item[0].framework.title,
            parents[item[0].parent_id].sequence if item[0].parent_id in parents else -1,
            item[0].parent_id or 0,
            item[0].sequence,
            item[0].pk,
        ),
    ):
        group = frameworks.setdefault(
            competence.framework_id, {"title": competence.framework.title, "domains": {}}
        )
        parent = parents.get(competence.parent_id or 0)
        domain_title = parent.label if parent is not None else ""
        group["domains"].setdefault(competence.parent_id or 0, {"title": domain_title, "rows": []})[
            "rows"
        ].append(row)
    return [
        {"title": group["title"], "domains": list(group["domains"].values())} for group in frameworks.values()
    ]


def portfolio_overview(
    person: Person, competence_href: Callable[[Competence], str], on: dt.date | None = None
) -> dict[str, Any]:
    """Everything the portfolio page shows: progress, counts per status, required competences grouped, and
    other competences the person has records for."""
    today = on or timezone.localdate()
    requirements = status.requirements_for([person.pk], on=today)[person.pk]
    required = [r.competence for r in requirements]
    keys = {(c.framework_id, c.identifier) for c in required}
    others = selectors.other_competences(person, keys)
    states = status.statuses([person.pk], [*required, *others], on=today)
    parents = selectors.parents_of([*required, *others])
    required_rows = [
        (
            r.competence,
            _row(r.competence, states[(person.pk, r.competence.pk)], r, competence_href(r.competence), today),
        )
        for r in requirements
    ]
    other_rows = [(c, _row(c, states[(person.pk, c.pk)], None, competence_href(c), today)) for c in others]
    summary = status_summary([row for _, row in required_rows])
    return {
        **summary,
        "groups": _grouped(required_rows, parents),
        "others": _grouped(other_rows, parents),
        "attention": needs_attention(row for _, row in required_rows),
    }


def status_summary(rows: list[Row]) -> dict[str, Any]:
    """The headline ("41 of 61 met") and the table of statuses that adds up to it: one row per status that
    occurs, each required competence counted once under the status its page shows; the met rows (achieved
    and expiring soon, at the level needed) add up to the headline's first figure."""
    counts = Counter(row.state for row in rows)
    total = len(rows)
    met = sum(1 for row in rows if row.met)
    return {
        "total": total,
        "met": met,
        "not_met": total - met,
        "percent": round(100 * met / total) if total else 0,
        "overdue": sum(1 for row in rows if row.overdue),
        "counts": [
            {
                "state": state,
                "label": str(state.label),
                "tag": state_tag(state),
                "count": counts[state],
                "met": state in status.MET_STATES,
            }
            for state in STATE_ORDER
            if counts.get(state)
        ],
    }


# --- A competence --------------------------------------------------------------------------------------


def _history_row(assessment: Assessment, *, standing: bool) -> dict[str, Any]:
    competence = assessment.competence
    kind = AssessmentKind(assessment.kind)
    superseded_by = getattr(assessment, "superseded_by", None) if not standing else None
    withdrawn = superseded_by is not None and superseded_by.kind == AssessmentKind.WITHDRAWAL
    if kind == AssessmentKind.WITHDRAWAL:
        what = "Withdrawn"
    elif kind == AssessmentKind.CORRECTION:
        what = f"Corrected to {_level_label(competence, assessment.level)}"
    else:
        what = f"Signed off at {_level_label(competence, assessment.level)}"
    return {
        "pk": assessment.pk,
        "kind": kind.label,
        "what": what,
        "assessed_on": uk_date(assessment.assessed_on),
        "expires_on": uk_date(assessment.expires_on),
        "assessor": assessment.assessor_name,
        "registration": f"{assessment.registration_body} {assessment.registration_pin}".strip(),
        "comments": assessment.comments,
        "reason": assessment.reason,
        "version": assessment.competence.version.number,
        "standing": standing,
        "withdrawn": withdrawn,
        "superseded": (
            f"Superseded by a {AssessmentKind(superseded_by.kind).label.lower()} on "
            f"{uk_date(superseded_by.created_at)}"
            if superseded_by is not None
            else ""
        ),
        "evidence_count": len(assessment.evidence.all()),
    }


def assessment_history(assessments: list[Assessment]) -> list[dict[str, Any]]:
    """Newest first; each record says whether it still stands and what superseded it."""
    superseded = {a.supersedes_id for a in assessments if a.supersedes_id}
    rows = [
        _history_row(a, standing=a.pk not in superseded and a.kind != AssessmentKind.WITHDRAWAL)
        for a in assessments
    ]
    return list(reversed(rows))


# What each of the default levels means, for the assessor deciding which to sign off; a framework's own levels
# carry their descriptions with them.
LEVEL_DESCRIPTIONS = {
    "observed": "Has seen the task carried out and can explain how and why it is done.",
    "supervised": "Carries out the task safely with a registered professional present.",
    "independent": "Carries out the task safely on their own, and knows when to ask for help.",
}


def levels_of(competence: Competence) -> list[dict[str, str]]:
    allowed = set(competence.levels or [])
    return [
        {
            "code": level["code"],
            "label": level["label"],
            "description": level.get("description") or LEVEL_DESCRIPTIONS.get(level["code"], ""),
        }
        for level in competence.framework.level_list
        if not allowed or level["code"] in allowed
    ]


def request_rows(requests: Iterable[SignOffRequest]) -> list[dict[str, Any]]:
    rows = []
    for item in requests:
        competence = item.competence
        rows.append(
            {
                "pk": item.pk,
                "competence": competence.label,
                "competence_pk": competence.pk,
                "tag": request_tag(item),
                "is_open": item.status == RequestStatus.OPEN,
                "created": uk_date(item.created_at),
                "decided": uk_date(item.decided_at),
                "level_sought": _level_label(competence, item.level_sought) or "Left to the assessor",
                "assessor": (item.assessor.full_name if item.assessor else "Any assessor for the team"),
                "decided_by": item.decided_by.full_name if item.decided_by else "",
                "message": item.message,
                "feedback": item.feedback,
                "evidence_count": len(item.evidence.all()),
            }
        )
    return rows


def competence_detail(person: Person, competence: Competence, *, on: dt.date | None = None) -> dict[str, Any]:
    today = on or timezone.localdate()
    current = status.statuses([person.pk], [competence], on=today)[(person.pk, competence.pk)]
    requirement = next(
        (
            r
            for r in status.requirements_for([person.pk], on=today)[person.pk]
            if (r.competence.framework_id, r.competence.identifier)
            == (competence.framework_id, competence.identifier)
        ),
        None,
    )
    row = _row(competence, current, requirement, "", today)
    parent = competence.parent
    return {
        "competence": competence,
        "domain": parent.label if parent is not None else "",
        "framework": competence.framework.title,
        "version": competence.version.number,
        "row": row,
        "status": current,
        "required": requirement is not None,
        "required_rank": requirement.min_rank if requirement is not None else 0,
        "levels": levels_of(competence),
        "in_practice": competence.assessed_in_practice,
        "reassess_months": competence.reassess_months,
        "evidence": evidence_rows(selectors.evidence_for_competence(person, competence)),
        "requests": request_rows(selectors.requests_for(person, competence)),
        "history": assessment_history(selectors.assessment_history(person, competence)),
        "open_request": selectors.open_request(person, competence),
    }


# --- Evidence ------------------------------------------------------------------------------------------


def file_size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    if size >= 1024:
        return f"{round(size / 1024)} KB"
    return f"{size} bytes"


def file_rows(evidence: Evidence, files: Iterable[EvidenceFile]) -> list[dict[str, Any]]:
    return [
        {
            "pk": f.pk,
            "name": f.original_name,
            "size": file_size(f.size),
            "href": reverse("portfolio:evidence_file", args=[evidence.pk, f.pk]),
        }
        for f in files
    ]


def evidence_rows(evidence: Iterable[Evidence]) -> list[dict[str, Any]]:
    return [
        {
            "pk": item.pk,
            "title": item.title,
            "kind": KIND_LABELS.get(item.kind, item.kind),
            "occurred_on": uk_date(item.occurred_on),
            "href": reverse("portfolio:evidence", args=[item.pk]),
            "files": len(item.files.all()),
            "competences": len(item.links.all()),
        }
        for item in evidence
    ]


def evidence_detail(evidence: Evidence) -> dict[str, Any]:
    links = list(evidence.links.all())
    direct = [link for link in links if link.via_id is None]
    mapped = [link for link in links if link.via_id is not None]
    summary = [
        ("Type", KIND_LABELS.get(evidence.kind, evidence.kind)),
        ("Date", uk_date(evidence.occurred_on)),
    ]
    if evidence.witness_name:
        witness = evidence.witness_name + (f", {evidence.witness_role}" if evidence.witness_role else "")
        summary.append(("Observer or witness", witness))
    summary.append(("Added", uk_date(evidence.created_at)))
    if evidence.updated_at and (evidence.updated_at - evidence.created_at).total_seconds() > 60:
        summary.append(("Last changed", uk_date(evidence.updated_at)))
    return {
        "summary": summary,
        "text": evidence.text,
        "files": file_rows(evidence, evidence.files.all()),
        "direct": [
            {
                "pk": link.competence_id,
                "label": _competence_label(link.competence),
                "framework": link.competence.framework.title,
            }
            for link in direct
        ],
        "mapped": [
            {
                "pk": link.competence_id,
                "label": _competence_label(link.competence),
                "framework": link.competence.framework.title,
                "via": _competence_label(link.via) if link.via else "",
            }
            for link in mapped
        ],
        "lock_reason": services.evidence_lock_reason(evidence),
    }


def _competence_label(competence: Competence) -> str:
    return f"{competence.code} {competence.label}".strip()


def competence_groups(
    competences: list[Competence],
    parents: dict[int, Competence],
    *,
    find: str = "",
    selected: Iterable[Any] = (),
) -> list[dict[str, Any]]:
    """The competences offered for a piece of evidence, by framework (named once) and domain, each as a
    checkbox item; `find` keeps those whose code or words contain it (the ones already ticked always stay)."""
    chosen = {str(pk) for pk in selected}
    words = find.strip().lower()
    frameworks: dict[int, dict[str, Any]] = {}
    for competence in sorted(
        competences,
        key=lambda c: (
            c.framework.title,
            parents[c.parent_id].sequence if c.parent_id in parents else -1,
            c.parent_id or 0,
            c.sequence,
            c.pk,
        ),
    ):
        ticked = str(competence.pk) in chosen
        label = _competence_label(competence)
        if words and not ticked and words not in f"{label} {competence.title}".lower():
            continue
        group = frameworks.setdefault(
            competence.framework_id, {"title": competence.framework.title, "domains": {}}
        )
        parent = parents.get(competence.parent_id or 0)
        domain = group["domains"].setdefault(
            competence.parent_id or 0, {"title": parent.label if parent is not None else "", "items": []}
        )
        domain["items"].append({"value": str(competence.pk), "text": label, "checked": ticked})
    return [{"title": g["title"], "domains": list(g["domains"].values())} for g in frameworks.values()]


def competence_choices(competences: Iterable[Competence]) -> list[tuple[int, str]]:
    return [(c.pk, f"{_competence_label(c)} ({c.framework.title})") for c in competences]


# --- Assessor's queue ---------------------------------------------------------------------------------


def queue_rows(
    requests: Iterable[SignOffRequest], *, today: dt.date | None = None, user_pk: int | None = None
) -> list[dict[str, Any]]:
    today = today or timezone.localdate()
    rows = []
    for item in requests:
        waited = (today - timezone.localdate(item.created_at)).days
        rows.append(
            {
                "pk": item.pk,
                "href": reverse("portfolio:review", args=[item.pk]),
                "person": item.person.display_name,
                "team": item.team.name if item.team else "",
                "competence": _competence_label(item.competence),
                "level_sought": _level_label(item.competence, item.level_sought) or "Not stated",
                "requested": uk_date(item.created_at),
                "waiting": "today" if waited <= 0 else f"{waited} day{'s' if waited != 1 else ''}",
                "assessor": item.assessor.full_name if item.assessor else "",
                "addressed": (
                    "Any assessor for the team"
                    if item.assessor_id is None
                    else "You"
                    if item.assessor_id == user_pk
                    else item.assessor.full_name
                    if item.assessor
                    else ""
                ),
            }
        )
    return rows


def decision_rows(assessments: Iterable[Assessment]) -> list[dict[str, Any]]:
    superseded_rows = []
    for assessment in assessments:
        competence = assessment.competence
        superseded = getattr(assessment, "superseded_by", None) is not None
        superseded_rows.append(
            {
                "person": assessment.person.display_name,
                "competence": _competence_label(competence),
                "what": (
                    "Withdrawn"
                    if assessment.kind == AssessmentKind.WITHDRAWAL
                    else f"{AssessmentKind(assessment.kind).label} – {_level_label(competence, assessment.level)}"
                ),
                "assessed_on": uk_date(assessment.assessed_on),
                "href": reverse("portfolio:person_competence", args=[assessment.person_id, competence.pk]),
                "standing": not superseded and assessment.kind != AssessmentKind.WITHDRAWAL,
            }
        )
    return superseded_rows
