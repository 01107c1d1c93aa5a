"""scripts/check_views.py catches each kind of violation: a model query in a view, a `.filter(` in a view, and a
selector that fetches one object by id without a scope (and lets the scoped ways through)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "check_views.py"


@pytest.fixture(scope="module")
def checker() -> ModuleType:
    spec = importlib.util.spec_from_file_location("check_views", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["check_views"] = module
    spec.loader.exec_module(module)
    return module


def problems(checker: ModuleType, name: str, source: str) -> list[str]:
    return checker.problems_in(Path("/elsewhere/app") / name, source)


def test_a_model_query_in_a_view_fails(checker: ModuleType) -> None:
    found = problems(checker, "views.py", "def page(request):\n    return Person.objects.all()\n")
    assert len(found) == 1 and "model query" in found[0]


@pytest.mark.parametrize("name", ["views.py", "api.py", "team_views.py"])
def test_a_filter_in_a_view_or_api_module_fails(checker: ModuleType, name: str) -> None:
    source = "def page(request, pk):\n    return selectors.people(m).filter(pk=pk).first()\n"
    found = problems(checker, name, source)
    assert len(found) == 1 and ".filter(" in found[0]


def test_views_that_ask_selectors_pass(checker: ModuleType) -> None:
    source = "def page(request, pk):\n    return guards.person_or_deny(request, pk)\n"
    assert problems(checker, "views.py", source) == []


@pytest.mark.parametrize(
    "body",
    [
        "return Person.objects.filter(pk=pk).first()",
        "return Person.objects.select_related('organisation').get(pk=pk)",
        "return _people().filter(identifier=pk).first()",
        "return Organisation.objects.filter(ods_code=pk.upper()).first()",
    ],
)
def test_an_unscoped_by_id_selector_fails(checker: ModuleType, body: str) -> None:
    found = problems(checker, "selectors.py", f"def person_by_id(pk):\n    {body}\n")
    assert len(found) == 1 and "without a scope" in found[0]


@pytest.mark.parametrize(
    ("signature", "body"),
    [
        ("membership, pk", "return Person.objects.for_membership(membership).filter(pk=pk).first()"),
        ("membership, pk", "return Person.objects.filter(access.person_scope(membership), pk=pk).first()"),
        ("version, pk", "return Competence.objects.filter(version=version, pk=pk).first()"),
        ("version, pk", "return version.items.filter(pk=pk).first()"),
        ("membership, pk", "return people_visible_to(membership).filter(pk=pk).first()"),
        ("pk", "return Person.objects.filter(pk__in=[1, 2])"),
        ("pk", "return Person.objects.filter(pk=3).first()"),
    ],
)
def test_scoped_selectors_pass(checker: ModuleType, signature: str, body: str) -> None:
    assert problems(checker, "selectors.py", f"def person({signature}):\n    {body}\n") == []


def test_an_unscoped_selector_may_say_why(checker: ModuleType) -> None:
    source = (
        'def role(pk):\n    """Unscoped: the catalogue is shared."""\n'
        "    return Role.objects.filter(pk=pk).first()\n"
    )
    assert problems(checker, "selectors.py", source) == []


def test_the_project_passes(checker: ModuleType) -> None:
    assert checker.main() == 0
