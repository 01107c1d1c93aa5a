"""Placeholder replaced by the CASE work: subcommands import-case and export-case."""

from __future__ import annotations

import argparse
from typing import Any


def add_arguments(sub: Any) -> None:
    sub.add_parser(
        "import-case", help="Import a CASE 1.1 JSON package.", formatter_class=argparse.HelpFormatter
    )
    sub.add_parser("export-case", help="Export a framework version as a CASE 1.1 JSON package.")


def run(options: dict[str, Any], stdout: Any, stderr: Any) -> int:
    stderr.write("Not built yet.\n")
    return 2
