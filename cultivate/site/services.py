"""The site app's one write: recording an export of the audit log (it holds personal data)."""

from __future__ import annotations

import io
from collections.abc import Sequence

from cultivate.accounts.models import Membership
from cultivate.core import exports
from cultivate.core.audit import AuditContext, audit
from cultivate.core.audit_actions import CoreAction

from .presenters import EXPORT_HEADER

# An export is of at most this many events (the newest that match); the page says so.
EXPORT_LIMIT = 50_000


def audit_log_export(
    *,
    ctx: AuditContext,
    membership: Membership,
    rows: Sequence[Sequence[str]],
    file_format: str,
    filters: dict[str, str],
) -> bytes:
    """The audit log rows as a CSV or XLSX file, the export itself audited."""
    content = exports.csv_bytes(EXPORT_HEADER, rows) if file_format == "csv" else _xlsx(rows)
    audit(
        CoreAction.EXPORT,
        ctx=ctx,
        organisation=membership.organisation,
        what="audit log",
        format=file_format,
        rows=len(rows),
        filters={key: value for key, value in filters.items() if value},
    )
    return content


def _xlsx(rows: Sequence[Sequence[str]]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Audit log")
    sheet.freeze_panes = "A2"
    sheet.append(exports.xlsx_row(sheet, EXPORT_HEADER, font=Font(bold=True)))
    for row in rows:
        sheet.append(exports.xlsx_row(sheet, row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
