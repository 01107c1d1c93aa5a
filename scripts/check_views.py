"""Fail when a view or API module queries a model directly: reads go through selectors, writes through services."""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1] / "cultivate"
PATTERN = re.compile(r"\b[A-Z][A-Za-z]+\.objects\b")


def main() -> int:
    problems = []
    for path in sorted(ROOT.rglob("*.py")):
        if path.name not in {"views.py", "api.py"} and not path.name.endswith("_views.py"):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if PATTERN.search(line):
                problems.append(
                    f"{path.relative_to(ROOT.parent)}:{number}: model query in a view: {line.strip()}"
                )
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} model queries in views; use a selector or a service.")
        return 1
    print("check_views: no model queries in views or API modules.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
