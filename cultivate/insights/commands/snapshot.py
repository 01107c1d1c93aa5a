"""`cultivate insights snapshot [--organisation ODS] [--store DIR]`: copy the service's own staff records (people
and employment spells, pseudonymised) into the insights store as one dataset per organisation, `service-<ODS>`,
each replacing the previous snapshot in one rename (docs/insights-import.md). Run it nightly from cron.

Exit 0 when every snapshot was written; 2 when an option is wrong (an unknown organisation)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import IO, Any

from django.conf import settings

USAGE_ERROR = 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--organisation",
        action="append",
        default=None,
        metavar="ODS",
        help="the organisation's ODS code (repeat for several; every organisation by default)",
    )
    parser.add_argument(
        "--store", default=None, help="the insights store folder (CULTIVATE_INSIGHTS_STORE by default)"
    )


def run(options: dict[str, Any], stdout: IO[str], stderr: IO[str]) -> int:
    from cultivate.core.audit import AuditContext
    from cultivate.insights.uploads.services import snapshot_all
    from cultivate.organisations.models import Organisation

    store = Path(options.get("store") or settings.INSIGHTS_STORE)
    codes = [code.upper() for code in options.get("organisation") or []]
    organisations = None
    if codes:
        organisations = list(Organisation.objects.filter(ods_code__in=codes).order_by("ods_code"))
        missing = sorted(set(codes) - {o.ods_code for o in organisations})
        if missing:
            stderr.write(f"No organisation with ODS code {', '.join(missing)}.\n")
            return USAGE_ERROR
    results = snapshot_all(
        store=store, organisations=organisations, ctx=AuditContext.system("insights snapshot command")
    )
    for result in results:
        stdout.write(
            f"{result.dataset}: {result.rows['people']:,} people, {result.rows['assignments']:,} spells "
            f"(as at {result.extract_date.isoformat()})\n"
        )
    if not results:
        stdout.write("There are no organisations to snapshot.\n")
    return 0
