"""The ESR-style staff import: people.csv and assignments.csv into people and employment spells.

`validate` reads and checks both files, collecting every problem; `write` applies a clean plan in one
transaction; `services` runs an import for the command line or for an uploaded StaffImport record."""

from .problems import Problem
from .services import ImportOutcome, staff_import_run

__all__ = ["ImportOutcome", "Problem", "staff_import_run"]
