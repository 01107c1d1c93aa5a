"""Who imports whom: the import contracts in pyproject.toml (`lint-imports`), and no import cycle between the
modules of cultivate (ADR 0020)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import grimp
import pytest
from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parents[1]


def test_the_import_contracts_are_kept(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(ROOT)
    status = lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True, no_logo=True)
    assert status == 0, capsys.readouterr().out


def test_every_app_is_kept_out_of_core() -> None:
    """A new app is named in the contracts, so that core cannot come to import it unnoticed."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    core = next(c for c in config["contracts"] if c["id"] == "core")
    packages = {
        f"cultivate.{path.parent.name}"
        for path in (ROOT / "cultivate").glob("*/__init__.py")
        if path.parent.name != "core"
    }
    assert packages <= set(core["forbidden_modules"])


def _cycles(graph: grimp.ImportGraph, modules: set[str]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []
    counter = 0
    for start in sorted(modules):
        if start in index:
            continue
        work = [(start, iter(sorted(graph.find_modules_directly_imported_by(start) & modules)))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append(
                        (child, iter(sorted(graph.find_modules_directly_imported_by(child) & modules)))
                    )
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    cycles.append(sorted(component))
    return sorted(cycles)


def test_no_import_cycle_between_modules() -> None:
    """Imports only to name a type (under TYPE_CHECKING) do not count; tests and migrations are left out."""
    graph = grimp.build_graph("cultivate", exclude_type_checking_imports=True, cache_dir=None)
    modules = {m for m in graph.modules if ".tests" not in m and ".migrations" not in m}
    cycles = _cycles(graph, modules)
    described = "\n".join(" <-> ".join(cycle) for cycle in cycles)
    assert not cycles, f"{len(cycles)} import cycles:\n{described}"


def test_starting_django_loads_no_analytics_library() -> None:
    """Every web worker, command and task worker starts Django; the analytics libraries (about 160 MB and a second
    of start-up) load only where analytics run. An access rule importing the dashboards once put them in every
    process."""
    import subprocess
    import sys

    heavy = ("duckdb", "lifelines", "numpy", "pandas", "pyarrow", "scipy")
    code = f"import sys, django; django.setup(); print(' '.join(m for m in {heavy!r} if m in sys.modules))"
    env = {
        "DJANGO_SETTINGS_MODULE": "cultivate.config.settings.production",
        "DJANGO_SECRET_KEY": "x" * 50,
        "CREDENTIALS_KEY": "y" * 32,
    }
    import os

    found = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    assert found.stdout.strip() == "", f"loaded when Django starts: {found.stdout.strip()}"
