"""What the CASE import page shows: the outcome of an import, as text and rows for the template."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.urls import NoReverseMatch, reverse

from cultivate.frameworks.models import Framework, FrameworkVersion, VersionStatus

from .services import ImportOutcome

# The error summary at the top lists this many problems; the table below lists them all.
SUMMARY_PROBLEMS = 10


@dataclass
class ImportReport:
    state: str  # created | new_version | unchanged | rejected
    heading: str
    rows: list[tuple[str, str]] = field(default_factory=list)
    framework_href: str = ""
    problems: list[dict[str, str]] = field(default_factory=list)
    warnings: list[dict[str, str]] = field(default_factory=list)

    @property
    def summary_problems(self) -> list[dict[str, str]]:
        return self.problems[:SUMMARY_PROBLEMS]

    @property
    def more_problems(self) -> int:
        return max(0, len(self.problems) - SUMMARY_PROBLEMS)


def framework_href(framework: Framework) -> str:
    """The framework's page, under whichever name the frameworks pages give it; empty if there is none."""
    for name in ("frameworks:framework", "frameworks:detail"):
        try:
            return reverse(name, args=[framework.identifier])
        except NoReverseMatch:
            continue
    return ""


def export_href(framework: Framework, version: FrameworkVersion | None = None) -> str:
    href = reverse("frameworks:case_export", args=[framework.identifier])
    return f"{href}?version={version.number}" if version is not None else href


def status_text(version: FrameworkVersion) -> str:
    return {
        VersionStatus.DRAFT: "draft",
        VersionStatus.PUBLISHED: "published",
        VersionStatus.RETIRED: "retired",
    }.get(VersionStatus(version.status), version.status)


# The parts of a CASE package, in words, for people who do not read JSON paths.
PART_WORDS = {
    "CFDocument": "the framework document (CFDocument)",
    "CFItems": "item",
    "CFAssociations": "association",
    "CFDefinitions": "definitions",
    "CFRubrics": "rubric",
}
_STEP = re.compile(r"\.([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]|\['((?:[^'\\]|\\.)*)'\]")


def where_words(path: str) -> str:
    """A JSON path ("$.CFItems[12].fullStatement") in words ("item 13 of CFItems, its fullStatement")."""
    steps = [m.group(1) or m.group(2) or m.group(3) for m in _STEP.finditer(path)]
    if not steps:
        return "the file as a whole"
    words: list[str] = []
    i = 0
    while i < len(steps):
        step = steps[i]
        if i + 1 < len(steps) and steps[i + 1].isdigit() and step in PART_WORDS:
            words.append(f"{PART_WORDS[step]} {int(steps[i + 1]) + 1} of {step}")
            i += 2
            continue
        words.append(PART_WORDS.get(step, f"its {step}") if words else PART_WORDS.get(step, step))
        i += 1
    return ", ".join(words)


def message_words(message: str) -> str:
    """The reader's terse "required" says what to do instead; other messages already do."""
    if message == "required":
        return "missing: add it to the file and import it again"
    if message.startswith("required ("):
        return (
            f"is missing: add it {message.removeprefix('required (').rstrip(')')}, and import the file again"
        )
    return message


def problem_words(problem: dict[str, str]) -> dict[str, str]:
    where = where_words(problem["path"])
    return {**problem, "where": where[:1].upper() + where[1:], "message": message_words(problem["message"])}


def import_report(outcome: ImportOutcome) -> ImportReport:
    warnings = [w.as_dict() for w in outcome.warnings]
    if not outcome.ok:
        count = len(outcome.problems)
        return ImportReport(
            state="rejected",
            heading=f"The package was not imported: {count:,} {'problem' if count == 1 else 'problems'}",
            problems=[problem_words(p.as_dict()) for p in outcome.problems],
            warnings=warnings,
        )
    framework, version = outcome.framework, outcome.version
    assert framework is not None and version is not None
    if outcome.unchanged:
        state, heading = "unchanged", f"No change: the package matches version {version.number}"
    elif outcome.created:
        state, heading = "created", "The framework was imported"
    else:
        state, heading = "new_version", f"The package was imported as draft version {version.number}"
    rows = [
        ("Framework", framework.title),
        ("Identifier", str(framework.identifier)),
        (
            "Version",
            f"{version.number}{f' ({version.label})' if version.label else ''}, {status_text(version)}",
        ),
    ]
    if not outcome.unchanged:
        rows += [
            ("Items imported", f"{outcome.items:,}"),
            ("Associations imported", f"{outcome.associations:,}"),
        ]
    return ImportReport(
        state=state, heading=heading, rows=rows, framework_href=framework_href(framework), warnings=warnings
    )


def export_rows(frameworks: list[Framework]) -> list[dict[str, Any]]:
    return [
        {
            "title": framework.title,
            "owner": str(framework.owner_organisation or framework.owner_alliance or "Reference"),
            "href": export_href(framework),
        }
        for framework in frameworks
    ]
