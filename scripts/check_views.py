"""Fail when a view or API module queries a model or filters a queryset itself, or when a selector fetches one
object by id without a scope: reads go through selectors scoped by membership, writes through services.

Three checks:
- a view or API module names `Model.objects` (a model query);
- a view or API module calls `.filter(` (views call selectors, which filter);
- a selector fetches by id (`pk=`, `id=`, `identifier=`, `ods_code=`) from a queryset that went through no scope:
  neither `.for_membership(...)`, nor a scope `Q` passed to the same call, nor a parent it was given (another
  keyword bound to a parameter, or a related manager of one). A selector that must read across every scope (for
  a command or a task, which act for no role) says so with `# unscoped:` on its `def` line."""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1] / "cultivate"
MODEL_QUERY = re.compile(r"\b[A-Z][A-Za-z]+\.objects\b")
FILTER_CALL = re.compile(r"\.filter\(")
ID_KEYS = frozenset({"pk", "id", "identifier", "ods_code"})


def is_view_module(path: Path) -> bool:
    return path.name in {"views.py", "api.py"} or path.name.endswith(("_views.py", "_api.py"))


def is_selector_module(path: Path) -> bool:
    return path.name == "selectors.py"


def view_problems(source: str, where: str) -> Iterator[str]:
    for number, line in enumerate(source.splitlines(), start=1):
        if MODEL_QUERY.search(line):
            yield f"{where}:{number}: model query in a view: {line.strip()}"
        if FILTER_CALL.search(line):
            yield f"{where}:{number}: .filter( in a view (ask a selector): {line.strip()}"


def _chain(node: ast.expr) -> Iterator[ast.expr]:
    """The receivers of a call chain, innermost last: `A.objects.x().filter` gives each step."""
    while True:
        yield node
        if isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Attribute):
            node = node.value
        else:
            return


def _scoped(call: ast.Call, parameters: set[str]) -> bool:
    if call.args:  # a Q passed beside the id: a scope (`filter(access.x_scope(m), pk=pk)`)
        return True
    for keyword in call.keywords:
        if (
            keyword.arg not in ID_KEYS
            and isinstance(keyword.value, ast.Name)
            and keyword.value.id in parameters
        ):
            return True  # a parent the caller was given: `filter(version=version, pk=pk)`
    for step in _chain(call.func):
        if isinstance(step, ast.Attribute) and step.attr == "for_membership":
            return True
        arguments = [*step.args, *(k.value for k in step.keywords)] if isinstance(step, ast.Call) else []
        if any(isinstance(a, ast.Name) and a.id in parameters for a in arguments):
            return True  # a selector given the membership or a parent: `users_visible_to(membership)`
        if isinstance(step, ast.Name):  # the root: a related manager of a parameter (`version.items`)
            return step.id in parameters
    return False


def selector_problems(source: str, where: str) -> Iterator[str]:
    tree = ast.parse(source)
    lines = source.splitlines()
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef):
            continue
        header = lines[function.lineno - 1 : function.body[0].end_lineno or function.body[0].lineno]
        if any("unscoped:" in line.lower() for line in header):
            continue
        parameters = {a.arg for a in function.args.args + function.args.kwonlyargs}
        for node in ast.walk(function):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            if node.func.attr not in {"filter", "get"}:
                continue
            by_id = [k for k in node.keywords if k.arg in ID_KEYS and not isinstance(k.value, ast.Constant)]
            if by_id and not _scoped(node, parameters):
                yield (
                    f"{where}:{node.lineno}: {function.name} fetches by {by_id[0].arg} without a scope "
                    "(use Model.objects.for_membership(m), or mark the def `# unscoped: <why>`)"
                )


def problems_in(path: Path, source: str) -> list[str]:
    where = str(path.relative_to(ROOT.parent)) if path.is_relative_to(ROOT.parent) else str(path)
    found: list[str] = []
    if is_view_module(path):
        found.extend(view_problems(source, where))
    if is_selector_module(path):
        found.extend(selector_problems(source, where))
    return found


def main() -> int:
    problems = []
    for path in sorted(ROOT.rglob("*.py")):
        if "tests" in path.parts:
            continue
        problems.extend(problems_in(path, path.read_text(encoding="utf-8")))
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} problems: views ask selectors, and selectors fetch by id through a scope.")
        return 1
    print("check_views: no model queries or filters in views; selectors fetch by id through a scope.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
