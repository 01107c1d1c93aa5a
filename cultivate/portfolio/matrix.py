"""The team competence matrix: people active in a team × competences, each cell the person's status, with
filters (framework, domain, status) and CSV and XLSX exports of the same filtered table.

Built in batch: one query for the team's people, the fixed queries of `status.requirements_for` and
`status.statuses`, one for the columns when a framework or domain is chosen and two for the filter choices,
so the number of queries does not grow with the team or the number of competences."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from markupsafe import Markup, escape

from cultivate.core import exports
from cultivate.core.audit import AuditContext, audit
from cultivate.core.audit_actions import CoreAction
from cultivate.frameworks.models import Competence, Framework, NodeType, VersionStatus
from cultivate.organisations.models import EmploymentSpell, Person, Team

from .delegation import frameworks_available_to
from .status import HELD_STATES, VERSION_DOCUMENTS, State, Summary, requirements_for, summaries

BELOW_LEVEL = State.BELOW_LEVEL.value
UNMET = "unmet"
# Who the rows are: support staff (people whose post is a support role) by default, or everyone in the team.
SUPPORT_STAFF = "support"
EVERYONE = "all"
STAFF_CHOICES = [(SUPPORT_STAFF, "Support staff"), (EVERYONE, "Everyone in the team")]
# How the page shows it: the table, or one section per person (for small screens).
VIEW_TABLE = "table"
VIEW_PEOPLE = "people"

# What a cell needs of a requirement: (lowest level, its rank, due date).
_Need = tuple[str, int, dt.date | None]
_NOT_STARTED: Summary = (State.NOT_STARTED, "", 0, None)

# Display states: the statuses, plus "below the level the person's role requires".
LABELS: dict[str, str] = {
    State.ACHIEVED: "Achieved",
    State.EXPIRING: "Expiring soon",
    BELOW_LEVEL: str(State.BELOW_LEVEL.label),
    State.EXPIRED: "Expired",
    State.REASSESS: "Reassessment needed",
    State.AWAITING: "Awaiting sign-off",
    State.IN_PROGRESS: "In progress",
    State.NOT_STARTED: "Not started",
}
ABBREVIATIONS: dict[str, str] = {
    State.ACHIEVED: "A",
    State.EXPIRING: "E",
    BELOW_LEVEL: "B",
    State.EXPIRED: "X",
    State.REASSESS: "R",
    State.AWAITING: "W",
    State.IN_PROGRESS: "P",
    State.NOT_STARTED: "–",
}
STATUS_FILTER_CHOICES: list[tuple[str, str]] = [
    (UNMET, "Required and not yet met"),
    *LABELS.items(),
]


@dataclass(frozen=True)
class MatrixFilters:
    framework: int | None = None
    domain: int | None = None
    status: str = ""
    staff: str = SUPPORT_STAFF

    def as_dict(self) -> dict[str, Any]:
        return {
            "framework": self.framework,
            "domain": self.domain,
            "status": self.status,
            "staff": self.staff,
        }


@dataclass(frozen=True)
class Column:
    competence: Competence
    code: str
    title: str
    framework: str
    domain: str = ""
    domain_pk: int | None = None

    @property
    def heading(self) -> str:
        return f"{self.code} {self.title}".strip()


@dataclass(frozen=True)
class ColumnGroup:
    """Adjacent columns of one domain: the header's first row."""

    title: str
    span: int


@dataclass(frozen=True)
class Cell:
    state: str
    abbreviation: str
    text: str  # the full status, for screen readers and exports
    detail: str  # level, dates, requirement: the tooltip
    required: bool
    met: bool
    level: str = ""  # the level signed off, as a label
    due_on: dt.date | None = None  # when a required competence not yet met is due

    @property
    def status_export(self) -> str:
        """The status alone, one value per status, so a spreadsheet can filter the column."""
        return self.text if self.required else f"{self.text} (not required)"

    @property
    def export(self) -> str:
        return self.text if not self.detail else f"{self.text} ({self.detail})"

    def html(self) -> str:
        """The table cell, escaped. Built here rather than in the template: a 40 × 150 matrix is 6,000 cells,
        and cells with the same content are one Cell (see `_Cells`), so one string made once."""
        return self._html

    @cached_property
    def _html(self) -> str:
        shown = self.abbreviation if self.required else f"({self.abbreviation})"
        hidden = self.text if self.required else f"{self.text}, not required"
        return (
            f'<td class="app-matrix__cell app-matrix__cell--{self.state}" title="{escape(self.export)}">'
            f'<span aria-hidden="true">{escape(shown)}</span>'
            f'<span class="nhsuk-u-visually-hidden">{escape(hidden)}</span></td>'
        )


@dataclass
class MatrixRow:
    person: Person
    job_title: str
    band: str
    cells: list[Cell]

    def cells_html(self) -> Markup:
        return Markup("".join([cell._html for cell in self.cells]))  # noqa: S704 - every part is escaped in Cell.html


@dataclass
class Matrix:
    team: Team
    on: dt.date
    filters: MatrixFilters
    columns: list[Column]
    rows: list[MatrixRow]
    people_in_team: int
    framework_choices: list[tuple[int, str]] = field(default_factory=list)
    domain_choices: list[tuple[int, str]] = field(default_factory=list)
    support_in_team: int = 0

    def row_html(self, row: MatrixRow) -> Markup:
        return row.cells_html()

    @property
    def groups(self) -> list[ColumnGroup]:
        """The domains over the columns, in column order (a domain split by another shows twice)."""
        found: list[ColumnGroup] = []
        for column in self.columns:
            title = column.domain or column.framework
            if found and found[-1].title == title:
                found[-1] = ColumnGroup(title, found[-1].span + 1)
            else:
                found.append(ColumnGroup(title, 1))
        return found

    def person_view(self) -> list[dict[str, Any]]:
        """Each person's required competences not yet met first, then the rest: the small-screen view."""
        people = []
        for row in self.rows:
            items: list[tuple[Column, Cell]] = [
                (column, cell)
                for column, cell in zip(self.columns, row.cells, strict=True)
                if cell.required or cell.state != State.NOT_STARTED
            ]
            items.sort(key=lambda item: (item[1].met or not item[1].required, not item[1].required))
            required = [cell for _, cell in items if cell.required]
            people.append(
                {
                    "row": row,
                    "items": [{"column": column, "cell": cell} for column, cell in items],
                    "required": len(required),
                    "met": sum(1 for cell in required if cell.met),
                }
            )
        return people


def _natural(code: str) -> tuple[Any, ...]:
    return tuple(int(part) if part.isdigit() else part.lower() for part in re.split(r"(\d+)", code))


def _column(competence: Competence, parents: dict[int, tuple[str, int]]) -> Column:
    domain = parents.get(competence.parent_id or 0)
    return Column(
        competence=competence,
        code=competence.code,
        title=competence.label,
        framework=competence.framework.title,
        domain=domain[0] if domain else "",
        domain_pk=competence.parent_id if domain else None,
    )


def _parents(competences: list[Competence]) -> dict[int, tuple[str, int]]:
    """The domain of each column, (label, sequence) by pk: one query."""
    ids = {c.parent_id for c in competences if c.parent_id}
    if not ids:
        return {}
    return {
        pk: (short_title or title, sequence)
        for pk, title, short_title, sequence in Competence.objects.filter(pk__in=ids).values_list(
            "pk", "title", "short_title", "sequence"
        )
    }


def _published_items(framework_id: int) -> list[Competence]:
    return list(
        Competence.objects.filter(framework_id=framework_id, version__status=VersionStatus.PUBLISHED)
        .select_related("framework", "version")
        .defer(*VERSION_DOCUMENTS)  # not decoded again for every row
        .order_by("sequence", "pk")
    )


def _ordered_tree(items: list[Competence], root: int | None) -> list[Competence]:
    """Competences under `root` (or the whole version) in reading order: each domain's children by sequence."""
    children: dict[int | None, list[Competence]] = defaultdict(list)
    for item in items:
        children[item.parent_id].append(item)
    ordered: list[Competence] = []
    stack = list(reversed(children.get(root, [])))
    while stack:
        item = stack.pop()
        if item.node_type == NodeType.COMPETENCE:
            ordered.append(item)
        stack.extend(reversed(children.get(item.pk, [])))
    return ordered


def filter_choices(team: Team) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """Frameworks the team's organisation uses, and their published domains (two queries)."""
    frameworks = list(frameworks_available_to(team.organisation))
    domains = (
        Competence.objects.filter(
            framework__in=[f.pk for f in frameworks],
            version__status=VersionStatus.PUBLISHED,
            node_type=NodeType.DOMAIN,
        )
        .select_related("framework")
        .order_by("framework__title", "sequence", "pk")
    )
    return (
        [(f.pk, f.title) for f in frameworks],
        [(d.pk, f"{d.framework.title}: {d.code + ' ' if d.code else ''}{d.label}") for d in domains],
    )


def _team_people(team: Team, on: dt.date) -> QuerySet[EmploymentSpell]:
    return (
        EmploymentSpell.objects.active_on(on)
        .filter(team=team)
        .select_related("person")
        .order_by("person__family_name", "person__given_name", "person__staff_id", "person_id", "-start_date")
    )


def team_matrix(
    *,
    team: Team,
    filters: MatrixFilters | None = None,
    on: dt.date | None = None,
    choices: tuple[list[tuple[int, str]], list[tuple[int, str]]] | None = None,
) -> Matrix:
    """The matrix for the people active in the team on `on` (default today).

    Columns: the competences their roles require (the union), or every competence of the chosen framework
    or domain. Cells show each person's status; a held competence below the level their role requires shows
    as such. The status filter keeps the people and the competences with at least one cell in that status.
    A framework or domain the organisation does not use is ignored. `choices` (from `filter_choices`) saves
    its two queries when the caller already has them."""
    on = on or timezone.localdate()
    filters = filters or MatrixFilters()
    framework_choices, domain_choices = choices if choices is not None else filter_choices(team)
    allowed_frameworks = {pk for pk, _ in framework_choices}

    people: dict[int, MatrixRow] = {}
    everyone: set[int] = set()
    support: set[int] = set()
    spells = list(_team_people(team, on))
    for spell in spells:
        everyone.add(spell.person_id)
        if spell.role_id is not None:
            support.add(spell.person_id)
    for spell in spells:
        if filters.staff != EVERYONE and spell.person_id not in support:
            continue
        if spell.person_id not in people:
            people[spell.person_id] = MatrixRow(
                person=spell.person,
                job_title=spell.job_title or spell.job_role,
                band=spell.afc_band,
                cells=[],
            )
    person_ids = list(people)
    required = requirements_for(person_ids, on=on) if person_ids else {}
    # Keyed by the published row's pk: every column is a published row, one per (framework, identifier). A
    # cell needs only the level and due date of a requirement; shared requirements give shared tuples.
    needs: dict[int, tuple[int, _Need]] = {}
    required_by_key: dict[int, dict[int, _Need]] = {}
    union: dict[tuple[int, Any], Competence] = {}
    for person_id, reqs in required.items():
        mine: dict[int, _Need] = {}
        for r in reqs:
            found = needs.get(id(r))
            if found is None:
                competence = r.competence
                found = needs[id(r)] = (competence.pk, (r.min_level, r.min_rank, r.due_on))
                union.setdefault((competence.framework_id, competence.identifier), competence)
            mine[found[0]] = found[1]
        required_by_key[person_id] = mine

    allowed_domains = {pk for pk, _ in domain_choices}
    competences: list[Competence]
    if filters.domain and filters.domain in allowed_domains:
        items = _published_items_for_domain(filters.domain)
        competences = _ordered_tree(items, filters.domain)
    elif filters.framework and filters.framework in allowed_frameworks:
        competences = _ordered_tree(_published_items(filters.framework), None)
    else:
        competences = list(union.values())
    parents = _parents(competences)
    if not (filters.domain and filters.domain in allowed_domains) and not (
        filters.framework and filters.framework in allowed_frameworks
    ):
        # Grouped by domain (in the framework's order), then by code within it.
        competences.sort(
            key=lambda c: (
                c.framework.title,
                parents.get(c.parent_id or 0, ("", -1))[1],
                c.parent_id or 0,
                _natural(c.code),
                c.sequence,
                c.pk,
            )
        )
    columns = [_column(c, parents) for c in competences]

    # Every column is a published row (with its version loaded), so `summaries` can skip that look-up.
    status_of = (
        summaries(person_ids, competences, on=on, published=True) if person_ids and competences else {}
    )
    make = _Cells({c.framework_id: c.framework for c in competences})
    keys = [(c.pk, c.framework_id) for c in competences]
    summary_of = status_of.get
    for person_id, row in people.items():
        need_of = required_by_key.get(person_id, {}).get
        row.cells = [
            make(summary_of((person_id, pk)), framework_id, need_of(pk)) for pk, framework_id in keys
        ]

    rows = list(people.values())
    if filters.status:
        keep_columns = [
            i for i in range(len(columns)) if any(_matches(row.cells[i], filters.status) for row in rows)
        ]
        rows = [row for row in rows if any(_matches(row.cells[i], filters.status) for i in keep_columns)]
        columns = [columns[i] for i in keep_columns]
        for row in rows:
            row.cells = [row.cells[i] for i in keep_columns]
    return Matrix(
        team=team,
        on=on,
        filters=filters,
        columns=columns,
        rows=rows,
        people_in_team=len(everyone),
        framework_choices=framework_choices,
        domain_choices=domain_choices,
        support_in_team=len(support),
    )


def _published_items_for_domain(domain_pk: int) -> list[Competence]:
    # One query: every published item of the domain's framework (the tree is walked in Python).
    return list(
        Competence.objects.filter(
            framework__items__pk=domain_pk,
            framework__items__version__status=VersionStatus.PUBLISHED,
            version__status=VersionStatus.PUBLISHED,
        )
        .select_related("framework", "version")
        .defer(*VERSION_DOCUMENTS)  # not decoded again for every row
        .order_by("sequence", "pk")
    )


def _matches(cell: Cell, wanted: str) -> bool:
    if wanted == UNMET:
        return cell.required and not cell.met
    return cell.state == wanted


class _Cells:
    """Makes cells; identical inputs share one Cell (and so one HTML string), and level labels are looked up
    once per framework, which keeps 6,000 cells cheap."""

    def __init__(self, frameworks: dict[int, Framework]) -> None:
        self._frameworks = frameworks
        self._made: dict[tuple[Any, ...], Cell] = {}
        self._labels: dict[int, dict[str, str]] = {}

    def _label(self, framework: Framework, code: str) -> str:
        labels = self._labels.get(framework.pk)
        if labels is None:
            labels = self._labels[framework.pk] = {
                level["code"]: level["label"] for level in framework.level_list
            }
        return labels.get(code, code)

    def __call__(self, summary: Summary | None, framework_id: int, need: _Need | None) -> Cell:
        key = (summary, framework_id, need)
        cell = self._made.get(key)
        if cell is None:
            cell = self._made[key] = self._make(summary or _NOT_STARTED, self._frameworks[framework_id], need)
        return cell

    def _make(self, summary: Summary, framework: Framework, need: _Need | None) -> Cell:
        status, level, level_rank, expires_on = summary
        state = str(status)
        details: list[str] = []
        met = False
        if level:
            details.append(self._label(framework, level))
        if status in HELD_STATES:
            met = need is None or level_rank >= need[1]
            if not met:
                state = BELOW_LEVEL
        if status in (State.EXPIRING, State.EXPIRED) and expires_on:
            verb = "expired" if status == State.EXPIRED else "expires"
            details.append(f"{verb} {expires_on.isoformat()}")
        if need is not None:
            min_level, _, due_on = need
            details.append(f"required: {self._label(framework, min_level)}")
            if due_on and not met:
                details.append(f"due {due_on.isoformat()}")
        return Cell(
            state=state,
            abbreviation=ABBREVIATIONS[state],
            text=LABELS[state],
            detail=", ".join(details),
            required=need is not None,
            met=met,
            level=self._label(framework, level) if level else "",
            due_on=need[2] if need is not None and not met else None,
        )


# --- Exports ---------------------------------------------------------------------------------------------


def export_header(matrix: Matrix) -> list[str]:
    """Name, staff ID, job title, band, then for each competence its status, the level signed off and the
    due date: three columns each, one value per cell, so a spreadsheet can filter any of them."""
    header = ["Name", "Staff ID", "Job title", "Band"]
    for column in matrix.columns:
        header += [column.heading, f"{column.heading}: level", f"{column.heading}: due"]
    return header


def export_rows(matrix: Matrix) -> list[list[Any]]:
    rows: list[list[Any]] = []
    for row in matrix.rows:
        values: list[Any] = [row.person.display_name, row.person.staff_id, row.job_title, row.band]
        for cell in row.cells:
            values += [cell.status_export, cell.level, cell.due_on]
        rows.append(values)
    return rows


def _iso(rows: list[list[Any]]) -> list[list[Any]]:
    # CSV dates as ISO text (a spreadsheet reads them as dates); XLSX keeps real dates, empty where none.
    return [
        [v.isoformat() if isinstance(v, dt.date) else ("" if v is None else v) for v in row] for row in rows
    ]


def matrix_csv(matrix: Matrix) -> bytes:
    return exports.csv_bytes(export_header(matrix), _iso(export_rows(matrix)))


def matrix_xlsx(matrix: Matrix) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Competence")
    sheet.freeze_panes = "B2"
    sheet.append(exports.xlsx_row(sheet, export_header(matrix), font=Font(bold=True)))
    for row in export_rows(matrix):
        cells = exports.xlsx_row(sheet, row)
        for cell in cells:
            if isinstance(cell.value, dt.date):
                cell.number_format = "d mmm yyyy"
        sheet.append(cells)
    about = workbook.create_sheet("About")
    filters = ", ".join(f"{k}={v}" for k, v in matrix.filters.as_dict().items() if v) or "none"
    for line in [
        ("Team", matrix.team.name),
        ("Organisation", matrix.team.organisation.name),
        ("Status on", matrix.on.isoformat()),
        ("People", len(matrix.rows)),
        ("Competences", len(matrix.columns)),
        ("Filters", filters),
        ("(not required)", "The competence is not required for the person's role."),
        ("Columns", "Each competence has three: its status, the level signed off, and the due date (ISO)."),
    ]:
        about.append(exports.xlsx_row(about, line))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def matrix_export_audit(*, matrix: Matrix, file_format: str, ctx: AuditContext) -> None:
    """Exports hold personal data: each one is recorded."""
    audit(
        CoreAction.EXPORT,
        ctx=ctx,
        obj=matrix.team,
        organisation=matrix.team.organisation,
        what="team competence matrix",
        format=file_format,
        team_id=matrix.team.pk,
        on=matrix.on.isoformat(),
        filters=matrix.filters.as_dict(),
        people=len(matrix.rows),
        competences=len(matrix.columns),
    )
