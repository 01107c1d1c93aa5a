"""The outcomes report of a programme: reads and assembly for its page, PDF and XLSX (outcome_views.py).

Per programme, per cohort and per organisation of the participants: attendance (sessions attended over sessions
held), completion (of the people in closed cohorts), the share rating the programme 4 or 5, the share who would
recommend it, and the change on each self-assessed dimension with the Wilcoxon signed-rank test and the
Hodges–Lehmann 95% interval (`outcome_stats`). Retention 6 and 12 months after starting against matched
non-participants comes from the insights store (the snapshot of the participants' organisations), as the board
report reads it. Survey answers are read only to be aggregated here; every figure resting on fewer than 5 people
is suppressed. The caller has been allowed the programme (`view_programme_outcomes`); everything is read
through it."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone

from cultivate.accounts.models import Membership
from cultivate.core import formatting
from cultivate.organisations.models import Organisation

from . import outcome_stats
from .models import Cohort, Dimension, Feedback, Participant, Programme, SelfAssessmentAnswer, Stage
from .outcome_stats import PairedChange, RetentionPoint, Share
from .participation import cohort_dates, sessions_attended

SUPPRESSED = "[c]"


@dataclass(frozen=True)
class GroupOutcome:
    label: str
    people: int
    held: int  # places at sessions held
    attended: int
    completion: Share  # over the people of closed cohorts
    rating: Share
    recommend: Share
    changes: list[PairedChange]

    @property
    def attendance(self) -> float | None:
        if outcome_stats.suppressed(self.people) or not self.held:
            return None
        return self.attended / self.held


@dataclass(frozen=True)
class ProgrammeOutcomes:
    programme: Programme
    cohort: Cohort | None  # the report narrowed to one cohort, or None for the whole programme
    # The report narrowed to one organisation's participants (for its managers, HR and analysts): the whole
    # only, with no breakdown by cohort or organisation, so no small group can be found by difference.
    organisation: Organisation | None
    whole: GroupOutcome
    cohorts: list[GroupOutcome]
    organisations: list[GroupOutcome]
    dimensions: list[str]
    retention: list[RetentionPoint]
    retention_note: str
    generated_at: dt.datetime = field(default_factory=timezone.now)


def _group(
    label: str,
    places: list[Participant],
    *,
    held: dict[int, int],
    attended: dict[int, int],
    answers: dict[int, dict[str, dict[str, int]]],
    feedback: dict[int, tuple[int, bool]],
    dimensions: list[str],
) -> GroupOutcome:
    closed = [p for p in places if p.completed is not None]
    completion = outcome_stats.share_of([bool(p.completed) for p in closed])
    ratings = [feedback[p.pk][0] for p in places if p.pk in feedback]
    recommends = [feedback[p.pk][1] for p in places if p.pk in feedback]
    changes = []
    for name in dimensions:
        before, after = [], []
        for place in places:
            mine = answers.get(place.pk, {})
            if name in mine.get(Stage.BEFORE, {}) and name in mine.get(Stage.AFTER, {}):
                before.append(mine[Stage.BEFORE][name])
                after.append(mine[Stage.AFTER][name])
        changes.append(outcome_stats.paired_change(name, before, after))
    return GroupOutcome(
        label=label,
        people=len(places),
        held=sum(held.get(p.pk, 0) for p in places),
        attended=sum(attended.get(p.pk, 0) for p in places),
        completion=completion,
        rating=outcome_stats.share_rating_4_5(ratings),
        recommend=outcome_stats.recommendation_rate(recommends),
        changes=changes,
    )


def programme_outcomes(
    membership: Membership | None,
    programme: Programme,
    *,
    cohort: Cohort | None = None,
    organisation: Organisation | None = None,
    store: Path | str | None = None,
) -> ProgrammeOutcomes:
    """The report for a programme the membership was allowed (or one of its cohorts, or the participants one
    organisation employs)."""
    places_qs = Participant.objects.filter(cohort__programme=programme).select_related(
        "cohort__programme", "person__organisation"
    )
    if cohort is not None:
        places_qs = places_qs.filter(cohort=cohort)
    if organisation is not None:
        places_qs = places_qs.filter(person__organisation=organisation)
    places = list(places_qs.order_by("cohort__name", "pk"))
    dimensions = list(
        Dimension.objects.filter(programme=programme)
        .order_by("position", "pk")
        .values_list("name", flat=True)
    )
    answers: dict[int, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    for participant_id, stage, name, score in SelfAssessmentAnswer.objects.filter(
        self_assessment__participant__in=places
    ).values_list("self_assessment__participant_id", "self_assessment__stage", "dimension__name", "score"):
        answers[participant_id][stage][name] = score
    feedback = {
        pid: (overall, recommend)
        for pid, overall, recommend in Feedback.objects.filter(participant__in=places).values_list(
            "participant_id", "overall", "would_recommend"
        )
    }
    held, attended = sessions_attended(places)
    common: dict[str, Any] = {
        "held": held,
        "attended": attended,
        "answers": answers,
        "feedback": feedback,
        "dimensions": dimensions,
    }
    by_cohort: dict[Cohort, list[Participant]] = defaultdict(list)
    by_org: dict[str, list[Participant]] = defaultdict(list)
    for place in places:
        by_cohort[place.cohort].append(place)
        by_org[place.person.organisation.name].append(place)
    cohorts = [cohort] if cohort is not None else list(programme.cohorts.order_by("name"))
    retention, note = _retention(places, store)
    label = cohort.name if cohort else programme.title
    if organisation is not None:
        label, cohorts, by_org = f"{programme.title}: {organisation.name}", [], {}
    return ProgrammeOutcomes(
        programme=programme,
        cohort=cohort,
        organisation=organisation,
        whole=_group(label, places, **common),
        cohorts=[_group(c.name, by_cohort.get(c, []), **common) for c in cohorts],
        organisations=[_group(name, rows, **common) for name, rows in sorted(by_org.items())],
        dimensions=dimensions,
        retention=retention,
        retention_note=note,
    )


def _retention(places: list[Participant], store: Path | str | None) -> tuple[list[RetentionPoint], str]:
    """Matched retention from the insights store, or none with the reason in plain words."""
    store = Path(store or settings.INSIGHTS_STORE)
    if not places:
        return [], "Nobody has taken part yet."
    if not (store / "manifest.json").is_file():
        return [], "Retention needs the workforce analytics store, which has not been set up here."
    # Imported here: the analytics libraries load only when a report is built.
    from cultivate.insights import store as insights_store
    from cultivate.insights.snapshot import person_pseudonym

    starts = cohort_dates({p.cohort for p in places})
    index: dict[str, dt.date] = {}
    for place in places:
        first = starts.get(place.cohort_id, (place.cohort.programme.starts_on, None))[0]
        index[person_pseudonym(place.person.organisation, place.person.staff_id)] = first
    codes = sorted({p.person.organisation.ods_code for p in places})
    con = insights_store.connect(store)
    try:
        points = outcome_stats.matched_retention(con, index, organisation_codes=codes)
    finally:
        con.close()
    if not points:
        return [], "The analytics store holds no staff records for the participants' organisations yet."
    return points, (
        "Kaplan–Meier estimates from the staff records in the analytics store (as of its latest snapshot), "
        "from each participant's first session; matched non-participants were in post that day in the same "
        "organisation, pay band and length of service band."
    )


# Tables: the same rows for the page, the PDF and the XLSX -------------------------------------------------------


def _share_cell(share: Share) -> Any:
    return SUPPRESSED if share.suppressed else share.share


def summary_rows(groups: list[GroupOutcome]) -> list[list[Any]]:
    """[label, people, attendance, completion, rated 4–5, would recommend]; fractions or SUPPRESSED."""
    rows = []
    for g in groups:
        hidden = outcome_stats.suppressed(g.people)
        rows.append(
            [
                g.label,
                SUPPRESSED if hidden else g.people,
                SUPPRESSED if hidden else g.attendance,
                _share_cell(g.completion),
                _share_cell(g.rating),
                _share_cell(g.recommend),
            ]
        )
    return rows


SUMMARY_HEADINGS = ["Group", "People", "Attendance", "Completion", "Rated 4 or 5", "Would recommend"]
SUMMARY_KINDS = ["label", "count", "percent", "percent", "percent", "percent"]
CHANGE_HEADINGS = [
    "Dimension",
    "People answering both",
    "Average before",
    "Average after",
    "Improved",
    "Typical change",
    "95% interval, low",
    "95% interval, high",
    "p-value (Wilcoxon)",
]
CHANGE_KINDS = ["label", "count", "number", "number", "count", "number", "number", "number", "p"]


def change_rows(changes: list[PairedChange]) -> list[list[Any]]:
    rows: list[list[Any]] = []
    for c in changes:
        if c.suppressed or c.people == 0:
            rows.append(
                [
                    c.dimension,
                    SUPPRESSED if c.suppressed else 0,
                    *([SUPPRESSED if c.suppressed else None] * 7),
                ]
            )
            continue
        rows.append(
            [
                c.dimension,
                c.people,
                c.before_mean,
                c.after_mean,
                c.improved,
                c.estimate,
                c.ci_low,
                c.ci_high,
                c.p_value,
            ]
        )
    return rows


RETENTION_HEADINGS = [
    "After (months)",
    "Group",
    "Still in post",
    "95% interval, low",
    "95% interval, high",
    "People under observation",
]
RETENTION_KINDS = ["count", "label", "percent", "percent", "percent", "count"]


def retention_rows(points: list[RetentionPoint]) -> list[list[Any]]:
    from .outcome_charts import GROUP_LABELS

    rows: list[list[Any]] = []
    for p in points:
        shown: list[Any] = (
            [SUPPRESSED] * 4 if p.suppressed else [p.still_in_post, p.ci_low, p.ci_high, p.at_risk]
        )
        rows.append([p.months, GROUP_LABELS.get(p.group, p.group), *shown])
    return rows


def cell_text(value: Any, kind: str) -> str:
    """A cell as the page and the PDF show it."""
    if value is None:
        return "No figure"
    if value == SUPPRESSED:
        return SUPPRESSED
    if kind == "label":
        return str(value)
    if kind == "count":
        return formatting.count(value)
    if kind == "percent":
        return formatting.percent(value)
    if kind == "p":
        return "below 0.001" if value < 0.001 else formatting.plain(value, 3)
    return formatting.plain(value, 2)


# Sections: what the page and the PDF show, chart and table together -------------------------------------------


@dataclass(frozen=True)
class OutcomeSection:
    key: str
    title: str
    note: str
    chart: dict[str, Any] | None
    caption: str
    headings: list[str]
    kinds: list[str]
    rows: list[list[Any]]

    def cells(self) -> list[list[dict[str, Any]]]:
        return [
            [
                {"text": cell_text(value, kind), "numeric": kind != "label", "hidden": value == SUPPRESSED}
                for value, kind in zip(row, self.kinds, strict=True)
            ]
            for row in self.rows
        ]


def sections(report: ProgrammeOutcomes) -> list[OutcomeSection]:
    from . import outcome_charts

    def rates(groups: list[GroupOutcome]) -> list[dict[str, Any]]:
        return [
            {
                "group": g.label,
                "attendance": g.attendance,
                "completion": g.completion.share,
                "rating_4_5": g.rating.share,
                "recommend": g.recommend.share,
            }
            for g in groups
        ]

    out = [
        OutcomeSection(
            key="summary",
            title="Attendance, completion and feedback",
            note=(
                "Attendance is sessions attended over sessions held so far; completion counts the people of "
                "closed cohorts; ratings and recommendations come from the end-of-programme feedback."
            ),
            chart=outcome_charts.rates_chart(rates([report.whole]), category="group", title="The programme"),
            caption=f"Attendance, completion and feedback: {report.whole.label}",
            headings=SUMMARY_HEADINGS,
            kinds=SUMMARY_KINDS,
            rows=summary_rows([report.whole]),
        )
    ]
    if report.cohort is None and report.organisation is None:
        out.append(
            OutcomeSection(
                key="cohorts",
                title="By cohort",
                note="",
                chart=outcome_charts.rates_chart(rates(report.cohorts), category="group", title="By cohort"),
                caption="Attendance, completion and feedback by cohort",
                headings=["Cohort", *SUMMARY_HEADINGS[1:]],
                kinds=SUMMARY_KINDS,
                rows=summary_rows(report.cohorts),
            )
        )
    if report.organisation is None:
        out.append(
            OutcomeSection(
                key="organisations",
                title="By organisation",
                note="Each participant counts for the organisation that employs them.",
                chart=outcome_charts.rates_chart(
                    rates(report.organisations), category="group", title="By organisation"
                ),
                caption="Attendance, completion and feedback by organisation",
                headings=["Organisation", *SUMMARY_HEADINGS[1:]],
                kinds=SUMMARY_KINDS,
                rows=summary_rows(report.organisations),
            )
        )
    out.append(
        OutcomeSection(
            key="change",
            title="Self-assessment before and after",
            note=(
                "Each person's answers (1 to 5) before and after, on each dimension. The typical change is the "
                "Hodges–Lehmann estimate with its 95% interval; the p-value is from the Wilcoxon signed-rank test "
                "(below 0.05: a change this large would rarely arise by chance). Only people who answered both "
                "times count."
            ),
            chart=outcome_charts.change_chart(report.whole.changes),
            caption=f"Change on each dimension: {report.whole.label}",
            headings=CHANGE_HEADINGS,
            kinds=CHANGE_KINDS,
            rows=change_rows(report.whole.changes),
        )
    )
    out.append(
        OutcomeSection(
            key="retention",
            title="Still in post after the programme",
            note=report.retention_note,
            chart=outcome_charts.retention_chart(report.retention) if report.retention else None,
            caption="Still in post 6 and 12 months after starting",
            headings=RETENTION_HEADINGS,
            kinds=RETENTION_KINDS,
            rows=retention_rows(report.retention),
        )
    )
    return out


def outcomes_xlsx(report: ProgrammeOutcomes) -> bytes:
    """Every table of the report, one sheet each, figures as numbers (suppressed ones as [c])."""
    import io

    from openpyxl import Workbook
    from openpyxl.styles import Font

    from cultivate.core import exports

    workbook = Workbook(write_only=True)
    for section in sections(report):
        sheet = workbook.create_sheet(section.title[:31])
        sheet.freeze_panes = "A2"
        sheet.append(exports.xlsx_row(sheet, section.headings, font=Font(bold=True)))
        for row in section.rows:
            sheet.append(exports.xlsx_row(sheet, ["" if v is None else v for v in row]))
    about = workbook.create_sheet("About")
    for line in (
        [f"Outcomes report: {report.whole.label}"],
        [f"Made on {formatting.uk_date(timezone.localdate())}"],
        [f"{SUPPRESSED}: fewer than {outcome_stats.SUPPRESSION_THRESHOLD} people, hidden."],
        ["Percentages are fractions (0.88 is 88%)."],
    ):
        about.append(exports.xlsx_row(about, line))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def chart_json(spec: dict[str, Any]) -> str:
    """JSON safe inside a <script> element: no "</script>" or HTML can close it early."""
    import json

    text = json.dumps(spec, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
