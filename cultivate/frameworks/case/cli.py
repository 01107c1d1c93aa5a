"""`cultivate frameworks import-case FILE [--organisation ODS | --alliance CODE | --reference] [--publish]` and
`cultivate frameworks export-case ID --out FILE [--version N] [--schema PATH]`.

import-case goes through the same service as the import page (`case.services.case_import`): the package lands as
a draft for an educator to check and publish, unless `--publish` publishes it at once (as the publish page
would: the version it replaces is retired, requirements move along, sign-offs carry over by identifier and
content hash). It prints the framework's identifier and the numbers of items and associations imported
(exit 0), or every problem with its JSON path (exit 1; nothing is changed). export-case writes the version (by
default the published one, else the latest) as a CASE 1.1 package; with --schema it is checked against that JSON
schema first."""

from __future__ import annotations

import argparse
import json
import uuid
from pathlib import Path
from typing import Any

from cultivate.frameworks.models import Framework


def add_arguments(sub: Any) -> None:
    importer = sub.add_parser(
        "import-case",
        help="Import a CASE 1.1 (or 1.0) JSON package as a draft framework, or as a new draft version of it.",
        description="Import a CASE JSON package as a draft. A package whose CFDocument identifier is already "
        "a framework becomes a new version of it, if its content differs. With --publish the version is "
        "published at once.",
    )
    importer.add_argument("file", help="the CASE package (.json)")
    owner = importer.add_mutually_exclusive_group()
    owner.add_argument("--organisation", metavar="ODS", help="the organisation that owns the framework")
    owner.add_argument("--alliance", metavar="CODE", help="the alliance that owns the framework")
    owner.add_argument(
        "--reference",
        action="store_true",
        help="a reference framework with no owner (NOS, apprenticeship standards): a crosswalk target",
    )
    importer.add_argument(
        "--publish",
        action="store_true",
        help="publish the imported version at once instead of leaving a draft (a new framework whose package "
        "says Draft or Deprecated keeps that status)",
    )
    exporter = sub.add_parser("export-case", help="Export a framework version as a CASE 1.1 JSON package.")
    exporter.add_argument("id", metavar="ID", help="the framework's identifier (a UUID)")
    exporter.add_argument("--out", required=True, metavar="FILE", help="where to write the package")
    exporter.add_argument(
        "--version",
        type=int,
        metavar="N",
        dest="version_number",
        help="the version number (default: the published version, else the latest)",
    )
    exporter.add_argument(
        "--schema", metavar="PATH", help="check the package against this CASE 1.1 JSON schema before writing"
    )
    for parser in (importer, exporter):
        parser.formatter_class = argparse.RawDescriptionHelpFormatter


def run(options: dict[str, Any], stdout: Any, stderr: Any) -> int:
    if options["subcommand"] == "import-case":
        return _import(options, stdout, stderr)
    if options["subcommand"] == "export-case":
        return _export(options, stdout, stderr)
    stderr.write(f"Unknown subcommand {options['subcommand']!r}.\n")
    return 2


def _import(options: dict[str, Any], stdout: Any, stderr: Any) -> int:
    from cultivate.core.audit import AuditContext
    from cultivate.organisations.models import Alliance, Organisation

    from .services import case_import

    path = Path(options["file"])
    if not path.is_file():
        stderr.write(f"{path}: no such file.\n")
        return 1
    organisation = alliance = None
    if options.get("organisation"):
        code = options["organisation"].strip().upper()
        organisation = Organisation.objects.filter(ods_code=code).first()
        if organisation is None:
            stderr.write(f"There is no organisation with the ODS code {code}.\n")
            return 1
    if options.get("alliance"):
        code = options["alliance"].strip()
        alliance = Alliance.objects.filter(code=code).first()
        if alliance is None:
            stderr.write(f"There is no alliance with the code {code}.\n")
            return 1
    outcome = case_import(
        data=path.read_bytes(),
        actor=None,
        ctx=AuditContext.system("frameworks import-case command"),
        organisation=organisation,
        alliance=alliance,
        reference=bool(options.get("reference")),
        filename=path.name,
        publish=bool(options.get("publish")),
    )
    for warning in outcome.warnings:
        stderr.write(f"Warning: {warning}\n")
    if not outcome.ok:
        stderr.write(f"{path.name}: {outcome.summary()}\n")
        for problem in outcome.problems:
            stderr.write(f"{problem}\n")
        return 1
    assert outcome.framework is not None and outcome.version is not None
    stdout.write(f"{outcome.summary()}\n")
    stdout.write(f"Framework: {outcome.framework.identifier}\n")
    stdout.write(f"Version: {outcome.version.number} ({outcome.version.get_status_display().lower()})\n")
    stdout.write(f"Items imported: {outcome.items}\n")
    stdout.write(f"Associations imported: {outcome.associations}\n")
    return 0


def _export(options: dict[str, Any], stdout: Any, stderr: Any) -> int:
    from cultivate.core.audit import AuditContext

    from . import selectors
    from .services import CaseExportInvalid, case_export, package_json

    try:
        identifier = uuid.UUID(options["id"])
    except ValueError:
        stderr.write(f"{options['id']} is not a framework identifier (a UUID).\n")
        return 1
    framework: Framework | None = selectors.framework_by_identifier(identifier)
    if framework is None:
        stderr.write(f"There is no framework with the identifier {identifier}.\n")
        return 1
    number = options.get("version_number")
    version = selectors.version_to_export(framework, number)
    if version is None:
        stderr.write(
            f"{framework.title} has no version {number}.\n"
            if number
            else f"{framework.title} has no versions.\n"
        )
        return 1
    schema = None
    if options.get("schema"):
        schema = json.loads(Path(options["schema"]).read_text(encoding="utf-8"))
    try:
        package = case_export(
            version=version, schema=schema, ctx=AuditContext.system("frameworks export-case command")
        )
    except CaseExportInvalid as invalid:
        stderr.write(f"The package does not validate against {options['schema']}; nothing was written.\n")
        for problem in invalid.problems:
            stderr.write(f"{problem}\n")
        return 1
    out = Path(options["out"])
    out.write_bytes(package_json(package))
    stdout.write(
        f"Wrote {out}: {framework.title} version {version.number} ({version.get_status_display().lower()}), "
        f"{len(package['CFItems'])} items, {len(package['CFAssociations'])} associations.\n"
    )
    return 0
