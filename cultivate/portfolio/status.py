"""Competence status, computed from the records (assessments, open requests, evidence), never stored.

Everything here works in batches with a fixed number of queries, whatever the number of people and
competences, so the team matrix and the delegation check cost the same for a team of 4 or of 40.

A requirement may point at a competence row of an older version; it is always read against the row in the
framework's published version with the same identifier. A sign-off counts while the content hash of the
competence it was given for equals the published row's (unchanged since), otherwise reassessment is needed."""

from __future__ import annotations

import datetime as dt
import functools
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection, models
from django.db.models import Q
from django.utils import timezone

from cultivate.core import rows
from cultivate.frameworks.models import Competence, Framework, RoleRequirement, VersionStatus
from cultivate.organisations.models import ContractType, EmploymentSpell

from .models import Assessment, AssessmentKind, Evidence, EvidenceLink, RequestStatus, SignOffRequest

EXPIRING_SOON_DAYS = 30


class State(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    AWAITING = "awaiting", "Awaiting sign-off"
    ACHIEVED = "achieved", "Achieved"
    EXPIRING = "expiring", "Expiring soon"
    EXPIRED = "expired", "Expired"
    REASSESS = "reassess", "Reassessment needed"
    # Never a status of its own: a held sign-off read against a requirement that needs a higher level
    # (`against`). Pages, the matrix and reminders show it instead of "Achieved", so "met" has one meaning.
    BELOW_LEVEL = "below_level", "Below the level needed"


# States in which the competence counts as held (for delegation and for requirements met).
HELD_STATES = frozenset({State.ACHIEVED, State.EXPIRING})
# States in which a requirement counts as met (`against` gives BELOW_LEVEL for a held one below the level).
MET_STATES = HELD_STATES

Key = tuple[int, uuid.UUID]  # (framework id, competence identifier)


@dataclass(frozen=True)
class CompetenceStatus:
    state: State
    level: str = ""
    level_rank: int = 0
    assessed_on: dt.date | None = None
    expires_on: dt.date | None = None
    assessment_id: int | None = None
    assessor_name: str = ""
    reason: str = ""

    @property
    def is_held(self) -> bool:
        return self.state in HELD_STATES

    @property
    def label(self) -> str:
        return str(self.state.label)


NOT_STARTED = CompetenceStatus(State.NOT_STARTED)


def published_rows(competences: Iterable[Competence]) -> dict[Key, Competence]:
    """The published row for each (framework, identifier), with its framework and version; one query. Keys
    with no published row are absent (the competence was removed, or its framework has no published version)."""
    return _published_rows({(c.framework_id, c.identifier) for c in competences})


def _published_rows(keys: set[Key]) -> dict[Key, Competence]:
    if not keys:
        return {}
    by_framework: dict[int, set[uuid.UUID]] = defaultdict(set)
    for framework_id, identifier in keys:
        by_framework[framework_id].add(identifier)
    condition = Q()
    for framework_id, identifiers in by_framework.items():
        condition |= Q(framework_id=framework_id, identifier__in=identifiers)
    # Unordered: the result is a mapping, and the model's default ordering costs a sort.
    rows = (
        Competence.objects.filter(condition, version__status=VersionStatus.PUBLISHED)
        .select_related("framework", "version")
        # Each row would decode its version's CASE document (a whole framework when imported) and change
        # summary again; nothing reading these rows needs them (they load on demand if asked for).
        .defer(*VERSION_DOCUMENTS)
        .order_by()
    )
    return {(row.framework_id, row.identifier): row for row in rows}


VERSION_DOCUMENTS = (
    "version__case_document",
    "version__case_definitions",
    "version__case_rubrics",
    "version__change_summary",
)


def key_filter(prefix: str, keys: set[Key], *, identifier_field: str = "identifier") -> Q:
    """A filter matching rows whose (framework, identifier) is one of `keys`, through `prefix` (e.g.
    "competence__"); matches nothing when `keys` is empty."""
    by_framework: dict[int, set[uuid.UUID]] = defaultdict(set)
    for framework_id, identifier in keys:
        by_framework[framework_id].add(identifier)
    condition = Q(pk__in=[])
    for framework_id, identifiers in by_framework.items():
        condition |= Q(
            **{f"{prefix}framework_id": framework_id, f"{prefix}{identifier_field}__in": identifiers}
        )
    return condition


def _date(value: dt.date) -> str:
    return f"{value.day} {value:%B %Y}"


# SQLite stores dates as ISO text and Django parses each one; for the thousands of assessments a matrix reads,
# they are read as text, compared as text and parsed only for the records that count. PostgreSQL returns
# dates ready-made.
_DAYS_AS_TEXT = connection.vendor == "sqlite"


def _day(value: dt.date | str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def _key_groups(keys: set[Key]) -> list[tuple[int, list[uuid.UUID]]]:
    by_framework: dict[int, list[uuid.UUID]] = defaultdict(list)
    for framework_id, identifier in keys:
        by_framework[framework_id].append(identifier)
    return list(by_framework.items())


def _keys_sql(framework_column: str, identifier_column: str, shape: Sequence[int]) -> str:
    """SQL true for rows whose (framework, identifier) is one of the keys, grouped by framework: `shape` says
    how many identifiers each framework has; `_keys_params` gives the parameters in the same order."""
    parts = []
    for count in shape:
        marks = ", ".join(["%s"] * count)
        parts.append(f"({framework_column} = %s AND {identifier_column} IN ({marks}))")
    return "(" + " OR ".join(parts) + ")"


def _keys_params(groups: list[tuple[int, list[uuid.UUID]]]) -> list[Any]:
    # Identifiers as the database stores them: hex text on SQLite, uuid on PostgreSQL.
    prepare = Assessment._meta.get_field("competence_identifier").get_db_prep_value
    params: list[Any] = []
    for framework_id, identifiers in groups:
        params.append(framework_id)
        params.extend(prepare(identifier, connection, prepared=False) for identifier in identifiers)
    return params


# The columns of `_read_records`' three statements, read by name.
ASSESSMENT = rows.Columns(
    "id",
    "person_id",
    "framework_id",
    "identifier",
    "content_hash",
    "kind",
    "level",
    "level_rank",
    "assessed_on",
    "expires_on",
    "assessor_name",
    "supersedes_id",
)
REQUEST = rows.Columns("person_id", "framework_id", "identifier", "status")
EVIDENCE = rows.Columns("person_id", "framework_id", "identifier")
# Positions of the assessment columns, looked up by name once (the loops over thousands of rows index by them).
_ID = ASSESSMENT["id"]
_PERSON = ASSESSMENT["person_id"]
_FRAMEWORK = ASSESSMENT["framework_id"]
_IDENTIFIER = ASSESSMENT["identifier"]
_HASH = ASSESSMENT["content_hash"]
_KIND = ASSESSMENT["kind"]
_LEVEL = ASSESSMENT["level"]
_RANK = ASSESSMENT["level_rank"]
_ASSESSED = ASSESSMENT["assessed_on"]
_EXPIRES = ASSESSMENT["expires_on"]
_ASSESSOR = ASSESSMENT["assessor_name"]
_SUPERSEDES = ASSESSMENT["supersedes_id"]


def _assessment_sql(people_count: int, shape: tuple[int, ...]) -> str:
    a = functools.partial(rows.column, Assessment)
    text = _DAYS_AS_TEXT
    columns = ASSESSMENT.sql(
        {
            "id": a("id"),
            "person_id": a("person"),
            "framework_id": a("framework"),
            "identifier": f"CAST({a('competence_identifier')} AS text)",
            "content_hash": a("content_hash"),
            "kind": a("kind"),
            "level": a("level"),
            "level_rank": a("level_rank"),
            "assessed_on": f"CAST({a('assessed_on')} AS text)" if text else a("assessed_on"),
            "expires_on": f"CAST({a('expires_on')} AS text)" if text else a("expires_on"),
            "assessor_name": a("assessor_name"),
            "supersedes_id": a("supersedes"),
        }
    )
    # Table and column names come from the models, every value is a bound parameter.
    return (
        f"SELECT {columns} FROM {rows.table(Assessment)} "  # noqa: S608
        f"WHERE {a('person')} IN ({', '.join(['%s'] * people_count)}) "
        f"AND {_keys_sql(a('framework'), a('competence_identifier'), shape)} "
        f"ORDER BY {a('assessed_on')}, {a('id')}"
    )


def _request_sql(people_count: int, shape: tuple[int, ...]) -> str:
    c = functools.partial(rows.column, Competence)
    r = functools.partial(rows.column, SignOffRequest)
    columns = REQUEST.sql(
        {
            "person_id": r("person"),
            "framework_id": c("framework"),
            "identifier": f"CAST({c('identifier')} AS text)",
            "status": r("status"),
        }
    )
    return (
        f"SELECT {columns} FROM {rows.table(SignOffRequest)} "  # noqa: S608
        f"INNER JOIN {rows.table(Competence)} ON {c('id')} = {r('competence')} "
        f"WHERE {r('person')} IN ({', '.join(['%s'] * people_count)}) AND {r('status')} IN (%s, %s) "
        f"AND {_keys_sql(c('framework'), c('identifier'), shape)}"
    )


def _evidence_sql(people_count: int, shape: tuple[int, ...]) -> str:
    c = functools.partial(rows.column, Competence)
    e = functools.partial(rows.column, Evidence)
    link = functools.partial(rows.column, EvidenceLink)
    columns = EVIDENCE.sql(
        {
            "person_id": e("person"),
            "framework_id": c("framework"),
            "identifier": f"CAST({c('identifier')} AS text)",
        }
    )
    return (
        f"SELECT {columns} FROM {rows.table(EvidenceLink)} "  # noqa: S608
        f"INNER JOIN {rows.table(Evidence)} ON {e('id')} = {link('evidence')} "
        f"INNER JOIN {rows.table(Competence)} ON {c('id')} = {link('competence')} "
        f"WHERE {e('person')} IN ({', '.join(['%s'] * people_count)}) "
        f"AND {_keys_sql(c('framework'), c('identifier'), shape)}"
    )


def _read_records(
    person_ids: Sequence[int], keys: set[Key]
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """The assessments, open or returned sign-off requests and evidence links of these people for these
    competences, in plain SQL: the delegation check answers many calls a second, and building these three
    queries through the ORM cost it more than running them. Identifiers come back as text (hex on SQLite,
    hyphenated on PostgreSQL), dates as ISO text on SQLite (see `_DAYS_AS_TEXT`).

    Rows of the `ASSESSMENT` columns, ordered by date, then id; of the `REQUEST` and `EVIDENCE` columns."""
    groups = _key_groups(keys)
    shape = tuple(len(identifiers) for _, identifiers in groups)
    people = len(person_ids)
    # Kept only for small shapes (a check, a team's grid): a national batch would fill the cache.
    keep = people <= 50 and sum(shape) <= 200
    assessment_sql = rows.statement(
        ("status_assessments", people, shape), lambda: _assessment_sql(people, shape), keep=keep
    )
    request_sql = rows.statement(
        ("status_requests", people, shape), lambda: _request_sql(people, shape), keep=keep
    )
    evidence_sql = rows.statement(
        ("status_evidence", people, shape), lambda: _evidence_sql(people, shape), keep=keep
    )
    keys_params = _keys_params(groups)
    people_params = list(person_ids)
    with connection.cursor() as cursor:
        cursor.execute(assessment_sql, [*people_params, *keys_params])
        assessments = cursor.fetchall()
        cursor.execute(
            request_sql,
            [*people_params, RequestStatus.OPEN.value, RequestStatus.RETURNED.value, *keys_params],
        )
        requests = cursor.fetchall()
        cursor.execute(evidence_sql, [*people_params, *keys_params])
        evidence = cursor.fetchall()
    return assessments, requests, evidence


@dataclass
class _Records:
    """What the status of each cell is made from, read in three queries (four without `published`)."""

    current: dict[Key, Competence]
    index: dict[Key, int]  # each (framework, identifier) numbered: ints hash faster than UUIDs
    latest: dict[tuple[int, int], tuple[Any, ...]]  # (person, key number) -> the assessment row that counts
    requests: dict[tuple[int, int], set[str]]
    with_evidence: set[tuple[int, int]]


def _records(
    person_ids: Sequence[int], competences: Sequence[Competence], on: dt.date, published: bool
) -> _Records:
    current = (
        {(c.framework_id, c.identifier): c for c in competences} if published else published_rows(competences)
    )
    keys = {(c.framework_id, c.identifier) for c in competences}
    # The identifier is read as text: converting thousands of values to UUIDs costs more than the query.
    # SQLite stores the hex form and PostgreSQL returns the hyphenated one; both map back to the key's UUID.
    # Keys are numbered: hashing a UUID runs Python code, and the cell loops look keys up thousands of times.
    index: dict[Key, int] = {}
    identifier_of: dict[tuple[int, str], int] = {}
    for framework_id, identifier in keys:
        number = index[(framework_id, identifier)] = len(index)
        identifier_of[(framework_id, identifier.hex)] = number
        identifier_of[(framework_id, str(identifier))] = number

    # Every record for these people and competences, whatever its date: a correction rewrites the record it
    # supersedes from the start (the original was wrong), so it hides it even on days before the correction's
    # own date; a withdrawal takes effect from its date. Withdrawals themselves never count as "the latest":
    # withdrawing one sign-off leaves any other standing one in place.
    assessments, request_rows, evidence_rows = _read_records(person_ids, keys)
    correction = AssessmentKind.CORRECTION
    withdrawal = AssessmentKind.WITHDRAWAL
    today = on.isoformat() if _DAYS_AS_TEXT else on  # ISO dates compare as text in date order
    id_, person, framework, identifier_at = _ID, _PERSON, _FRAMEWORK, _IDENTIFIER
    kind, assessed, supersedes = _KIND, _ASSESSED, _SUPERSEDES
    superseded = {
        row[supersedes]
        for row in assessments
        if row[supersedes] and (row[kind] == correction or row[assessed] <= today)
    }
    latest: dict[tuple[int, int], tuple[Any, ...]] = {}
    for row in assessments:
        if row[id_] in superseded or row[kind] == withdrawal or row[assessed] > today:
            continue
        # Ordered by date, so the last record standing is the one that counts.
        latest[(row[person], identifier_of[(row[framework], row[identifier_at].lower())])] = row

    # Open requests make "awaiting sign-off"; a request returned with feedback means work in progress.
    requests: dict[tuple[int, int], set[str]] = defaultdict(set)
    person, framework, identifier_at, status = (
        REQUEST[name] for name in ("person_id", "framework_id", "identifier", "status")
    )
    for row in request_rows:
        requests[(row[person], identifier_of[(row[framework], row[identifier_at].lower())])].add(row[status])
    person, framework, identifier_at = (
        EVIDENCE[name] for name in ("person_id", "framework_id", "identifier")
    )
    with_evidence = {
        (row[person], identifier_of[(row[framework], row[identifier_at].lower())]) for row in evidence_rows
    }
    return _Records(current, index, latest, requests, with_evidence)


def statuses(
    person_ids: Sequence[int],
    competences: Sequence[Competence],
    *,
    on: dt.date | None = None,
    expiring_days: int = EXPIRING_SOON_DAYS,
    published: bool = False,
) -> dict[tuple[int, int], CompetenceStatus]:
    """Status of each competence for each person on a day, keyed by (person id, competence pk as passed).
    Four queries whatever the sizes; three when the caller passes `published=True`, promising that every
    competence is already its framework's published row (with `version` loaded), which skips that look-up."""
    on = on or timezone.localdate()
    if not person_ids or not competences:
        return {}
    records = _records(person_ids, competences, on, published)
    current, latest, requests, with_evidence = (
        records.current,
        records.latest,
        records.requests,
        records.with_evidence,
    )
    result: dict[tuple[int, int], CompetenceStatus] = {}
    soon = on + dt.timedelta(days=expiring_days)
    made: dict[tuple[Any, ...], CompetenceStatus] = {}
    no_requests: set[str] = set()
    for competence in competences:
        key = (competence.framework_id, competence.identifier)
        number = records.index[key]
        row_now = current.get(key)
        reference = row_now or competence
        for person_id in person_ids:
            person_key = (person_id, number)
            assessment = latest.get(person_key)
            request_states = requests.get(person_key, no_requests)
            awaiting = RequestStatus.OPEN in request_states
            in_progress = person_key in with_evidence or RequestStatus.RETURNED in request_states
            if assessment is None:
                # Most cells: the status depends only on the two flags; share the (immutable) object.
                found = made.get((awaiting, in_progress))
                if found is None:
                    found = made[(awaiting, in_progress)] = _status(
                        None,
                        reference,
                        version_number=None,
                        awaiting=awaiting,
                        in_progress=in_progress,
                        on=on,
                        soon=soon,
                    )
            else:
                found = _status(
                    assessment,
                    reference,
                    version_number=row_now.version.number
                    if row_now is not None and assessment[_HASH] != reference.content_hash
                    else None,
                    awaiting=awaiting,
                    in_progress=in_progress,
                    on=on,
                    soon=soon,
                )
            result[(person_id, competence.pk)] = found
    return result


# What a cell of the team matrix shows of a status: (state, level, level rank, expiry date); the date only
# for expiring and expired sign-offs, so that cells showing the same thing compare equal.
Summary = tuple[str, str, int, dt.date | None]


def summaries(
    person_ids: Sequence[int],
    competences: Sequence[Competence],
    *,
    on: dt.date | None = None,
    expiring_days: int = EXPIRING_SOON_DAYS,
    published: bool = False,
) -> dict[tuple[int, int], Summary]:
    """The state, level and expiry of each status, as `statuses` decides them (same queries, same rules),
    without the reasons and sign-off details: for the team matrix, whose 6,000 cells would otherwise each
    build a status object and parse two dates. Cells not started are left out of the result."""
    on = on or timezone.localdate()
    if not person_ids or not competences:
        return {}
    records = _records(person_ids, competences, on, published)
    latest, requests, with_evidence = records.latest, records.requests, records.with_evidence
    # On SQLite the rows hold ISO date text (compared as text, parsed once per distinct day); on PostgreSQL
    # dates.
    as_text = _DAYS_AS_TEXT
    today: Any = on.isoformat() if as_text else on
    soon: Any = on + dt.timedelta(days=expiring_days)
    soon = soon.isoformat() if as_text else soon
    days: dict[Any, dt.date | None] = {}
    achieved, expiring, expired, reassess = State.ACHIEVED, State.EXPIRING, State.EXPIRED, State.REASSESS
    awaiting_summary: Summary = (State.AWAITING, "", 0, None)
    in_progress_summary: Summary = (State.IN_PROGRESS, "", 0, None)
    open_, returned = RequestStatus.OPEN, RequestStatus.RETURNED
    expires_at, hash_at, level_at, rank_at = _EXPIRES, _HASH, _LEVEL, _RANK
    result: dict[tuple[int, int], Summary] = {}
    for competence in competences:
        key = (competence.framework_id, competence.identifier)
        number = records.index[key]
        content_hash = (records.current.get(key) or competence).content_hash
        pk = competence.pk
        for person_id in person_ids:
            person_key = (person_id, number)
            row = latest.get(person_key)
            request_states = requests.get(person_key)
            awaiting = request_states is not None and open_ in request_states
            lapsed: Summary | None = None
            if row is not None:
                expires = row[expires_at]
                if row[hash_at] != content_hash:
                    lapsed = (reassess, row[level_at], row[rank_at], None)
                elif expires is not None and expires < today:
                    lapsed = (
                        expired,
                        row[level_at],
                        row[rank_at],
                        days.get(expires) or days.setdefault(expires, _day(expires)),
                    )
                elif expires is not None and expires <= soon:
                    day = days.get(expires) or days.setdefault(expires, _day(expires))
                    result[(person_id, pk)] = (expiring, row[level_at], row[rank_at], day)
                    continue
                else:
                    result[(person_id, pk)] = (achieved, row[level_at], row[rank_at], None)
                    continue
            if awaiting:
                result[(person_id, pk)] = awaiting_summary
            elif lapsed is not None:
                result[(person_id, pk)] = lapsed
            elif person_key in with_evidence or (request_states is not None and returned in request_states):
                result[(person_id, pk)] = in_progress_summary
    return result


def _status(
    assessment: tuple[Any, ...] | None,
    row_now: Competence,
    *,
    version_number: int | None,
    awaiting: bool,
    in_progress: bool,
    on: dt.date,
    soon: dt.date,
) -> CompetenceStatus:
    lapsed: CompetenceStatus | None = None
    if assessment is not None and assessment[_KIND] != AssessmentKind.WITHDRAWAL:
        expires_on = _day(assessment[_EXPIRES])
        details: dict[str, Any] = {
            "level": str(assessment[_LEVEL]),
            "level_rank": int(assessment[_RANK]),
            "assessed_on": _day(assessment[_ASSESSED]),
            "expires_on": expires_on,
            "assessment_id": int(assessment[_ID]),
            "assessor_name": str(assessment[_ASSESSOR]),
        }
        if assessment[_HASH] != row_now.content_hash:
            changed = f" in version {version_number}" if version_number else ""
            lapsed = CompetenceStatus(
                State.REASSESS,
                reason=f"The competence changed{changed} after this sign-off; it needs reassessing.",
                **details,
            )
        elif isinstance(expires_on, dt.date) and expires_on < on:
            lapsed = CompetenceStatus(
                State.EXPIRED,
                reason=f"Expired on {_date(expires_on)}.",
                **details,
            )
        elif isinstance(expires_on, dt.date) and expires_on <= soon:
            return CompetenceStatus(
                State.EXPIRING,
                reason=f"Expires on {_date(expires_on)}.",
                **details,
            )
        else:
            return CompetenceStatus(State.ACHIEVED, **details)
    if awaiting:
        return CompetenceStatus(State.AWAITING, reason=lapsed.reason if lapsed else "")
    if lapsed is not None:
        return lapsed
    if in_progress:
        return CompetenceStatus(State.IN_PROGRESS)
    return NOT_STARTED


@dataclass(frozen=True)
class Requirement:
    """A competence a person's role requires, read against the published version."""

    requirement: RoleRequirement
    competence: Competence
    min_level: str
    min_rank: int
    due_on: dt.date | None
    # True when the person was in post before the requirement began, so the due date is counted from the
    # requirement's start plus its grace period rather than from when they started in the role.
    grace: bool = False


def against(current: CompetenceStatus, requirement: Requirement | None) -> State:
    """The status shown for a competence read against the requirement that applies (if any): a held sign-off
    below the level the requirement needs is BELOW_LEVEL, never "Achieved"."""
    if requirement is not None and current.state in HELD_STATES and current.level_rank < requirement.min_rank:
        return State.BELOW_LEVEL
    return current.state


def is_met(current: CompetenceStatus, requirement: Requirement | None) -> bool:
    return against(current, requirement) in MET_STATES


def due_date(
    requirement: RoleRequirement, started: dt.date | None, starts: dt.date | None = None
) -> tuple[dt.date | None, bool]:
    """When a person who started in the role on `started` must meet the requirement, and whether the grace
    period gave that date. People in post before the requirement began (`starts`, default its
    `effective_start`) get its start plus `grace_days` when set, so long-serving staff are not due years ago."""
    starts = starts or requirement.effective_start
    if started is not None and started < starts and requirement.grace_days is not None:
        return starts + dt.timedelta(days=requirement.grace_days), True
    if started is not None and requirement.within_days:
        return started + dt.timedelta(days=requirement.within_days), False
    return None, False


def requirements_for(person_ids: Sequence[int], *, on: dt.date | None = None) -> dict[int, list[Requirement]]:
    """For each person, the competences their current role (and band) requires in their organisation, with
    the date each is due. A person with spells in two roles gets the union; where two requirements name the
    same competence, the higher level counts (the earlier due date breaks a tie). Bank spells count only for
    people with no other post (a substantive post's requirements are the ones that apply to them). Four
    queries whatever the number of people."""
    on = on or timezone.localdate()
    all_spells = list(
        EmploymentSpell.objects.active_on(on)
        .filter(person_id__in=person_ids, role__isnull=False)
        .values("person_id", "person__organisation_id", "role_id", "afc_band", "contract_type")
    )
    substantive = {s["person_id"] for s in all_spells if s["contract_type"] != ContractType.BANK}
    spells = [
        s for s in all_spells if s["contract_type"] != ContractType.BANK or s["person_id"] not in substantive
    ]
    if not spells:
        return {pid: [] for pid in person_ids}
    # When each person started in each role: the earliest spell in that role, for "within N days" due dates.
    started = {
        (row["person_id"], row["role_id"]): row["first"]
        for row in EmploymentSpell.objects.filter(person_id__in=person_ids, role__isnull=False)
        .values("person_id", "role_id")
        .annotate(first=models.Min("start_date"))
    }
    org_roles = {(s["person__organisation_id"], s["role_id"]) for s in spells}
    condition = Q(pk__in=[])
    for org_id, role_id in org_roles:
        condition |= Q(organisation_id=org_id, role_id=role_id)
    # Only the key of each requirement's competence is needed: the published row is what counts.
    requirements: list[RoleRequirement] = list(
        RoleRequirement.objects.filter(condition)
        .annotate(
            competence_framework_id=models.F("competence__framework_id"),
            competence_identifier=models.F("competence__identifier"),
            role_name=models.F("role__name"),
        )
        # Only what the requirements are worked out from (the grace period's start falls back on created_at):
        # loading every column of hundreds of rows cost more than the rest of the work (the learning app asks
        # for one person's on every page). A field left out here is a query per row when read.
        .only(
            "pk",
            "organisation_id",
            "role_id",
            "afc_band",
            "competence_id",
            "min_level",
            "within_days",
            "grace_days",
            "starts_on",
            "created_at",
        )
        .order_by("pk")
    )
    current = _published_rows({_competence_key(r) for r in requirements})
    by_org_role: dict[tuple[int, int], list[RoleRequirement]] = defaultdict(list)
    for requirement in requirements:
        by_org_role[(requirement.organisation_id, requirement.role_id)].append(requirement)

    # What each (organisation, role, band) requires is worked out once; only due dates differ per person.
    rank_of: dict[tuple[int, str], int] = {}
    candidates: dict[tuple[int, int, str], list[tuple[int, RoleRequirement, Competence, int]]] = {}
    order: dict[int, tuple[str, int, int]] = {}

    def candidates_for(
        org_id: int, role_id: int, band: str
    ) -> list[tuple[int, RoleRequirement, Competence, int]]:
        found = candidates.get((org_id, role_id, band))
        if found is not None:
            return found
        found = candidates[(org_id, role_id, band)] = []
        for requirement in by_org_role.get((org_id, role_id), []):
            if requirement.afc_band and requirement.afc_band != band:
                continue
            row = current.get(_competence_key(requirement))
            if row is None:
                continue
            rank = rank_of.get((row.pk, requirement.min_level))
            if rank is None:
                framework: Framework = row.framework
                rank = rank_of[(row.pk, requirement.min_level)] = framework.level_rank(requirement.min_level)
                order[row.pk] = (framework.title, row.sequence, row.pk)
            # Keyed by the published row, one per (framework, identifier): ints hash faster than UUIDs.
            found.append((row.pk, requirement, row, rank))
        return found

    chosen: dict[int, dict[int, Requirement]] = defaultdict(dict)
    # Requirements are immutable and most have no due date: people with the same one share one object.
    made: dict[tuple[int, dt.date | None, bool], Requirement] = {}
    starts: dict[int, dt.date] = {}
    for spell in spells:
        person_id = spell["person_id"]
        start = started.get((person_id, spell["role_id"]))
        mine = chosen[person_id]
        for key, requirement, row, rank in candidates_for(
            spell["person__organisation_id"], spell["role_id"], spell["afc_band"]
        ):
            # `due_date`, inlined: this loop runs once per person × requirement (6,000 times for a matrix).
            grace_days = requirement.grace_days
            grace = False
            if start is None:
                due = None
            elif grace_days is not None:
                began = starts.get(id(requirement))
                if began is None:
                    began = starts[id(requirement)] = requirement.effective_start
                if start < began:
                    due, grace = began + dt.timedelta(days=grace_days), True
                else:
                    due = (
                        start + dt.timedelta(days=requirement.within_days)
                        if requirement.within_days
                        else None
                    )
            else:
                due = start + dt.timedelta(days=requirement.within_days) if requirement.within_days else None
            candidate = made.get((id(requirement), due, grace))
            if candidate is None:
                candidate = made[(id(requirement), due, grace)] = Requirement(
                    requirement=requirement,
                    competence=row,
                    min_level=requirement.min_level,
                    min_rank=rank,
                    due_on=due,
                    grace=grace,
                )
            held = mine.get(key)
            if held is None or _stricter(candidate, held):
                mine[key] = candidate
    result: dict[int, list[Requirement]] = {pid: [] for pid in person_ids}
    position = {pk: n for n, pk in enumerate(sorted(order, key=order.__getitem__))}.__getitem__
    for person_id, by_key in chosen.items():
        result[person_id] = [by_key[pk] for pk in sorted(by_key, key=position)]
    return result


def _competence_key(requirement: RoleRequirement) -> Key:
    """The (framework, identifier) of the requirement's competence, annotated by `requirements_for`."""
    return (requirement.competence_framework_id, requirement.competence_identifier)  # type: ignore[attr-defined]


def _stricter(candidate: Requirement, held: Requirement) -> bool:
    if candidate.min_rank != held.min_rank:
        return candidate.min_rank > held.min_rank
    if candidate.due_on is None:
        return False
    return held.due_on is None or candidate.due_on < held.due_on
