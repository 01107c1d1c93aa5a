"""`cultivate import-staff DIR [--organisation ODS] [--dry-run | --yes]`: import people.csv and assignments.csv
from a folder.

The files are checked first and the changes previewed (people and spells to create, update or leave). With
--dry-run nothing more happens; with --yes they are written; otherwise the command asks, and refuses to write
without a terminal to ask at. Exit status 0 with the counts when the files are imported (or previewed by a dry
run); 1 with the problems, one per line (file:line: column 'x' value 'y': problem), when they are not, and
nothing is changed; 2 when the import is not confirmed."""

from __future__ import annotations

import csv
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from cultivate.core.audit import AuditContext
from cultivate.organisations.models import Organisation
from cultivate.organisations.staff_import.columns import ASSIGNMENTS_FILE, PEOPLE_FILE
from cultivate.organisations.staff_import.reader import normalise_column
from cultivate.organisations.staff_import.services import staff_import_check, staff_import_write

STAGES = {"checking": "Checking", "saving": "Saving"}
COMMAND = AuditContext.system("import-staff command")


def _find(folder: Path, name: str) -> Path:
    """The file of that name in the folder, whatever the case of its name."""
    exact = folder / name
    if exact.is_file():
        return exact
    for candidate in folder.iterdir():
        if candidate.is_file() and candidate.name.lower() == name:
            return candidate
    raise CommandError(f"{folder} has no {name}; the folder must hold {PEOPLE_FILE} and {ASSIGNMENTS_FILE}.")


def _organisation_codes(path: Path) -> set[str]:
    """The organisation codes named in assignments.csv (read without checking anything else)."""
    with path.open(encoding="utf-8", errors="replace", newline="") as handle:
        reader = csv.reader(handle)
        header = [normalise_column(name.lstrip("\ufeff")) for name in next(reader, [])]
        if "organisation_code" not in header:
            raise CommandError(
                f"{path.name} has no organisation_code column; name the organisation with --organisation."
            )
        position = header.index("organisation_code")
        return {
            row[position].strip().upper() for row in reader if len(row) > position and row[position].strip()
        }


class _Bar:
    """A tqdm bar on stderr per stage (checking, then saving)."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream
        self.bar: Any = None
        self.stage = ""

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage != self.stage:
            self.close()
            self.stage = stage
            self.bar = tqdm(
                total=total,
                desc=STAGES.get(stage, stage),
                unit=" rows",
                file=self.stream,
                mininterval=0.5,
                dynamic_ncols=True,
            )
        self.bar.total = max(total, done)
        self.bar.update(done - self.bar.n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


class Command(BaseCommand):
    help = "Import people.csv and assignments.csv (ESR-style extract) from a folder into one organisation."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("folder", help="folder holding people.csv and assignments.csv")
        parser.add_argument(
            "--organisation",
            metavar="ODS",
            help="ODS code of the organisation to import into (default: the one organisation_code in the file)",
        )
        confirm = parser.add_mutually_exclusive_group()
        confirm.add_argument(
            "--dry-run", action="store_true", help="check the files and show the changes, writing nothing"
        )
        confirm.add_argument("--yes", action="store_true", help="write the changes without asking")

    def handle(self, *args: Any, **options: Any) -> None:
        folder = Path(options["folder"])
        if not folder.is_dir():
            raise CommandError(f"{folder} is not a folder.")
        people = _find(folder, PEOPLE_FILE)
        assignments = _find(folder, ASSIGNMENTS_FILE)
        code = (options.get("organisation") or "").strip().upper()
        if not code:
            codes = _organisation_codes(assignments)
            if len(codes) != 1:
                named = ", ".join(sorted(codes)[:10]) or "none"
                raise CommandError(
                    f"{assignments.name} names {len(codes)} organisations ({named}); choose one "
                    "with --organisation ODS."
                )
            code = codes.pop()
        organisation = Organisation.objects.filter(ods_code=code).first()
        if organisation is None:
            raise CommandError(f"There is no organisation with the ODS code {code}.")
        stream = getattr(self.stderr, "_out", sys.stderr)  # tqdm redraws with \r; OutputWrapper adds newlines
        bar = _Bar(stream)
        try:
            checked = staff_import_check(
                organisation=organisation,
                people_path=people,
                assignments_path=assignments,
                ctx=COMMAND,
                progress=bar,
            )
        finally:
            bar.close()
        outcome = checked.outcome
        for warning in outcome.warnings:
            self.stderr.write(f"Warning: {warning}")
        if not outcome.ok:
            lines = [str(problem) for problem in outcome.problems]
            raise CommandError(
                "\n".join([f"{organisation.ods_code}: {outcome.summary()}", *lines]), returncode=1
            )
        preview = f"{organisation.ods_code} {organisation.name}: {outcome.summary()}"
        if options["dry_run"]:
            self.stdout.write(f"{preview}\nDry run: nothing was imported.")
            return
        if not options["yes"]:
            self._confirm(preview)
        try:
            outcome = staff_import_write(checked, ctx=COMMAND, progress=bar)
        finally:
            bar.close()
        self.stdout.write(f"{organisation.ods_code} {organisation.name}: {outcome.summary()}")
        for team in outcome.new_teams:
            self.stdout.write(f'New team (setting "Other"): {team}')

    def _confirm(self, preview: str) -> None:
        stdin = sys.stdin
        if not stdin.isatty():
            raise CommandError(
                f"{preview}\nNothing was imported: run again with --yes to import without being asked.",
                returncode=2,
            )
        self.stdout.write(preview)
        self.stdout.write("Import these changes? [y/N] ", ending="")
        self.stdout.flush()
        if stdin.readline().strip().lower() not in {"y", "yes"}:
            raise CommandError("Nothing was imported.", returncode=2)
