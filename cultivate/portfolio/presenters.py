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
}
# The order a worker reads them in: what needs doing first.
STATE_ORDER = [
    State.EXPIRED,
    State.REASSESS,
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
    state: str
    level: str
    required_level: str
    below_level: bool
    met: bool
    due: str
    overdue: bool
    expires: str
    reason: str


def _row(
    competence: Competence,
    current: CompetenceStatus,
    requirement: Requirement | None,
    href: str,
    today: dt.date,
) -> Row:
    level = (
        _level_label(competence, current.level) if current.level and current.state != State.AWAITING else ""
    )
    below = bool(requirement and current.is_held and current.level_rank < requirement.min_rank)
    met = current.is_held and not below
    due_on = requirement.due_on if requirement else None
    return Row(
        pk=competence.pk,
        code=competence.code,
        title=competence.label,
        href=href,
        tag=state_tag(current.state),
        state=str(current.state),
        level=level,
        required_level=_level_label(competence, requirement.min_level) if requirement else "",
        below_level=below,
        met=met,
        due=uk_date(due_on),
        overdue=bool(due_on and due_on < today and not met),
        expires=uk_date(current.expires_on) if current.state != State.AWAITING else "",
        reason=current.reason,
    )


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
    counts = Counter(row.state for _, row in required_rows)
    total = len(required_rows)
    met = sum(1 for _, row in required_rows if row.met)
    return {
        "total": total,
        "met": met,
        "percent": round(100 * met / total) if total else 0,
        "overdue": sum(1 for _, row in required_rows if row.overdue),
        "counts": [
            {
                "state": state,
                "label": str(state.label),
                "tag": state_tag(state),
                "count": counts.get(state, 0),
            }
            for state in STATE_ORDER
        ],
        "groups": _grouped(required_rows, parents),
        "others": _grouped(other_rows, parents),
        "attention": [
            row
            for _, row in required_rows
            if row.overdue or row.state in {State.EXPIRED, State.EXPIRING, State.REASSESS}
        ],
    }


# --- A competence --------------------------------------------------------------------------------------


def _history_row(assessment: Assessment, *, standing: bool) -> dict[str, Any]:
    competence = assessment.competence
    kind = AssessmentKind(assessment.kind)
    superseded_by = getattr(assessment, "superseded_by", None) if not standing else None
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


def levels_of(competence: Competence) -> list[dict[str, str]]:
    allowed = set(competence.levels or [])
    return [
        {"code": level["code"], "label": level["label"]}
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


def competence_choices(competences: Iterable[Competence]) -> list[tuple[int, str]]:
    return [(c.pk, f"{_competence_label(c)} ({c.framework.title})") for c in competences]


# --- Assessor's queue ---------------------------------------------------------------------------------


def queue_rows(requests: Iterable[SignOffRequest], *, today: dt.date | None = None) -> list[dict[str, Any]]:
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
