"""Secondary suppression: a hidden figure must not be recoverable from the figures shown beside it.

Primary suppression (`measures.suppress`) hides counts of 1–4 people one figure at a time. Figures on one page are
tied together, though: in the retention table a team's joiners are its headcount at the end less the people in
post all year, and those are its stability index's figures; the leaver rate's numerator is the leavers column;
a rate and its denominator give its numerator. A hidden figure that such relations pin down is as good as shown.

Each relation is linear, Σ coefficient × cell = 0, over cells of a page's tables (the shown cells are constants).
A hidden cell is recoverable exactly when its unit vector lies in the row space of the relations restricted to
the hidden cells; `recoverable()` tests that with ranks. `protect()` then hides a complementary cell (the
smallest shown figure in a relation that pins the exposed one) until no hidden cell is recoverable, the way
NHS Digital's and the ONS's statistical disclosure control suppresses complementary cells (ADR 0030).

Relations come from two places: every figure shown with its numerator and denominator (`<key>`, `<key>_num`,
`<key>_den`: the value times the denominator is the numerator, when the denominator is shown), and the page's own
identities (`PAGE_RELATIONS`: retention's flows; more pages add theirs)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np

from ..tables import Table


@dataclass(frozen=True)
class Ref:
    """One cell: a table of the page (by key), a row (by position) and a column (by key)."""

    table: str
    row: int
    key: str


Relation = tuple[tuple[Ref, float], ...]  # Σ coefficient × cell = 0
PageRelations = Callable[[dict[str, Table], str], list[Relation]]
# Breakdowns whose groups split the people in scope with each person in one group all year (a person record
# belongs to one organisation; characteristics do not change in an extract), so group counts add up to the whole.
# Teams, bands, roles and age bands do not: a person who moves counts as a leaver of one group and a joiner of
# another.
PARTITIONS = frozenset({"organisation_code", "sex", "ethnic_group", "disability"})


def value(tables: dict[str, Table], ref: Ref) -> float | None:
    found = tables[ref.table].rows[ref.row].get(ref.key)
    return float(found) if isinstance(found, (int, float)) and not isinstance(found, bool) else None


def is_hidden(tables: dict[str, Table], ref: Ref) -> bool:
    row = tables[ref.table].rows[ref.row]
    return row.get(ref.key) is None and ref.key in row.get("_suppressed", ())


def hide(tables: dict[str, Table], ref: Ref) -> None:
    row = tables[ref.table].rows[ref.row]
    row[ref.key] = None
    row.setdefault("_suppressed", set()).add(ref.key)


def figure_relations(tables: dict[str, Table]) -> list[Relation]:
    """numerator − value × denominator = 0 for each figure shown with its parts: linear in the numerator and the
    value when the denominator is shown, in the numerator and the denominator when the value is (with both
    hidden it is not linear, and is left out)."""
    relations: list[Relation] = []
    for key, table in tables.items():
        columns = {c.key for c in table.columns}
        for column in table.columns:
            num, den = f"{column.key}_num", f"{column.key}_den"
            if column.kind not in ("percent", "ratio") or {num, den} - columns:
                continue
            for i in range(len(table.rows)):
                shown_den, shown_value = (
                    value(tables, Ref(key, i, den)),
                    value(tables, Ref(key, i, column.key)),
                )
                if shown_den is not None:
                    relations.append(((Ref(key, i, num), 1.0), (Ref(key, i, column.key), -shown_den)))
                elif shown_value is not None:
                    relations.append(((Ref(key, i, num), 1.0), (Ref(key, i, den), -shown_value)))
    return relations


def _retention(tables: dict[str, Table], breakdown: str) -> list[Relation]:
    """Each group's flows: leavers are the leaver rate's numerator; in post at the start = in post all year +
    leavers; twice the mean headcount = start + end = start + in post all year + joiners. Across groups that
    split everyone (PARTITIONS), the leavers add up to all leavers, which the reasons table's denominator shows;
    the reasons' counts add up to it too."""
    turnover = tables.get("turnover")
    if turnover is None:
        return []
    relations: list[Relation] = []
    for i in range(len(turnover.rows)):

        def ref(key: str, i: int = i) -> Ref:
            return Ref("turnover", i, key)

        relations += [
            ((ref("leavers"), 1.0), (ref("leaver_rate_num"), -1.0)),
            ((ref("stability_den"), 1.0), (ref("stability_num"), -1.0), (ref("leavers"), -1.0)),
            (
                (ref("leaver_rate_den"), 2.0),
                (ref("stability_den"), -1.0),
                (ref("stability_num"), -1.0),
                (ref("joiners"), -1.0),
            ),
        ]
    reasons = tables.get("reasons")
    if reasons is not None and reasons.rows:
        total = Ref("reasons", 0, "share_den")
        if breakdown in PARTITIONS:
            relations.append(
                ((total, -1.0), *((Ref("turnover", i, "leavers"), 1.0) for i in range(len(turnover.rows))))
            )
        relations.append(
            ((total, -1.0), *((Ref("reasons", i, "share_num"), 1.0) for i in range(len(reasons.rows))))
        )
        relations += [
            ((Ref("reasons", i, "share_den"), 1.0), (total, -1.0)) for i in range(1, len(reasons.rows))
        ]
    return relations


def _overview(tables: dict[str, Table], breakdown: str) -> list[Relation]:
    """The headline's headcount and FTE are the trend's last month's; across groups that split everyone, the
    groups' headcounts and FTEs add up to them."""
    headline, trend, summary = tables.get("headline"), tables.get("trend"), tables.get("summary")
    relations: list[Relation] = []
    for key in ("headcount", "fte"):
        total = Ref("headline", 0, key)
        if headline is None or not headline.rows:
            continue
        if trend is not None and trend.rows:
            relations.append(((total, 1.0), (Ref("trend", len(trend.rows) - 1, key), -1.0)))
        if summary is not None and summary.rows and breakdown in PARTITIONS:
            relations.append(
                ((total, -1.0), *((Ref("summary", i, key), 1.0) for i in range(len(summary.rows))))
            )
    return relations


def _member_totals(tables: dict[str, Table], _breakdown: str) -> list[Relation]:
    """Competence and training across an alliance's members (`insights.member_totals`): in each table the last
    row (all members) is the sum of the trusts' rows, for the people, the required and the met."""
    relations: list[Relation] = []
    for key in ("competences", "training"):
        table = tables.get(key)
        if table is None or len(table.rows) < 2:
            continue
        last = len(table.rows) - 1
        for column in ("people", "share_den", "share_num"):
            relations.append(
                ((Ref(key, last, column), -1.0), *((Ref(key, i, column), 1.0) for i in range(last)))
            )
    return relations


PAGE_RELATIONS: dict[str, PageRelations] = {
    "retention": _retention,
    "overview": _overview,
    "member_totals": _member_totals,
}


def relations_of(
    name: str, tables: dict[str, Table], breakdown: str, own: PageRelations | None = None
) -> list[Relation]:
    page = own or PAGE_RELATIONS.get(name)
    found = figure_relations(tables) + (page(tables, breakdown) if page else [])
    # A relation naming a cell a table does not have (a column left out) tells nothing.
    return [r for r in found if all(_exists(tables, ref) for ref, _ in r)]


def _exists(tables: dict[str, Table], ref: Ref) -> bool:
    table = tables.get(ref.table)
    return table is not None and ref.row < len(table.rows) and any(c.key == ref.key for c in table.columns)


def recoverable(tables: dict[str, Table], relations: Iterable[Relation]) -> set[Ref]:
    """The hidden cells the relations pin down, given every shown cell."""
    relations = list(relations)
    hidden = sorted({ref for r in relations for ref, _ in r if is_hidden(tables, ref)}, key=_order)
    if not hidden or not relations:
        return set()
    index = {ref: n for n, ref in enumerate(hidden)}
    matrix = np.zeros((len(relations), len(hidden)))
    for m, relation in enumerate(relations):
        for ref, coefficient in relation:
            if ref in index:
                matrix[m, index[ref]] += coefficient
    matrix = matrix[np.any(matrix != 0, axis=1)]
    if not len(matrix):
        return set()
    rank = np.linalg.matrix_rank(matrix)
    found = set()
    for ref, n in index.items():
        unit = np.zeros((1, len(hidden)))
        unit[0, n] = 1.0
        if np.linalg.matrix_rank(np.vstack([matrix, unit])) == rank:
            found.add(ref)
    return found


def _order(ref: Ref) -> tuple[str, int, str]:
    return (ref.table, ref.row, ref.key)


def protect(name: str, tables: list[Table], breakdown: str, own: PageRelations | None = None) -> None:
    """Hide complementary cells in place until no hidden cell of the page can be worked out from the rest; a
    table that lost a cell has its chart drawn again from its rows (or dropped, if it cannot be). A page outside
    the dashboards (another app's figures) passes its identities as `own` instead of naming a `PAGE_RELATIONS`
    entry."""
    by_key = {t.key: t for t in tables}
    changed: set[str] = set()
    _complement(name, by_key, breakdown, changed, own)
    for key in changed:
        table = by_key[key]
        if table.chart is not None:
            table.chart, table.chart_alt = table.redraw(table.rows) if table.redraw else (None, "")


def _complement(
    name: str, by_key: dict[str, Table], breakdown: str, changed: set[str], own: PageRelations | None = None
) -> None:
    for _ in range(10_000):  # each pass hides one more cell, so this ends; the bound is a guard
        relations = relations_of(name, by_key, breakdown, own)
        exposed = sorted(recoverable(by_key, relations), key=_order)
        if not exposed:
            return
        pinned = set(exposed)
        candidates = [
            ref
            for relation in relations
            if any(ref in pinned and coefficient for ref, coefficient in relation)
            for ref, _ in relation
            if not is_hidden(by_key, ref) and value(by_key, ref) is not None
        ]
        if not candidates:  # every relation that pins a cell has all its cells hidden already
            return
        # The smallest shown figure tied to a pinned one (a zero last: hiding it protects as well, but says least).
        choice = min(
            candidates, key=lambda ref: (value(by_key, ref) == 0, abs(value(by_key, ref) or 0), _order(ref))
        )
        hide(by_key, choice)
        changed.add(choice.table)
        _hide_value_with_numerator(by_key, choice)


def _hide_value_with_numerator(tables: dict[str, Table], ref: Ref) -> None:
    """A hidden numerator takes its figure with it (the figure and the shown denominator would give it back)."""
    if ref.key.endswith("_num") and _exists(tables, Ref(ref.table, ref.row, ref.key.removesuffix("_num"))):
        hide(tables, Ref(ref.table, ref.row, ref.key.removesuffix("_num")))
