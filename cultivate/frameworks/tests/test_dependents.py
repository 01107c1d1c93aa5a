"""The dependents hook: frameworks imports no portfolio module, and what depends on a framework (sign-offs,
delegation protocol requirements) reaches the level guard, the publish preview and publishing through whatever
implementation is registered, or nothing when none is."""

from __future__ import annotations

import ast
import uuid
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from cultivate.accounts import testing as t
from cultivate.core.audit import AuditContext
from cultivate.frameworks import dependents, selectors, services
from cultivate.frameworks.dependents import ProtocolRequirementRef, StandingSignOffs
from cultivate.frameworks.models import Competence, Framework, FrameworkVersion

from .framework_factories import build_framework, items_of, published_row

# Changes made outside a request name a job: the audit log refuses a change nobody answers for.
TEST_JOB = AuditContext.system("test")

pytestmark = pytest.mark.django_db

PACKAGE = Path(dependents.__file__).parent


def _imported_modules(path: Path) -> Iterator[str]:
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module


def test_frameworks_imports_no_portfolio_module() -> None:
    """Frameworks is below the portfolio: the portfolio asks frameworks, never the other way round."""
    offending = [
        f"{path.relative_to(PACKAGE)}: {module}"
        for path in sorted(PACKAGE.rglob("*.py"))
        if "tests" not in path.relative_to(PACKAGE).parts
        for module in _imported_modules(path)
        if module == "cultivate.portfolio" or module.startswith("cultivate.portfolio.")
    ]
    assert offending == []


class Recording:
    """A stand-in for the portfolio: fixed answers, and a record of what publishing asked it to move."""

    def __init__(self, framework: Framework, identifier: uuid.UUID, content_hash: str) -> None:
        self.identifier, self.content_hash = identifier, content_hash
        self.followed: list[tuple[FrameworkVersion, set[uuid.UUID]]] = []

    def levels_in_use(self, framework: Framework) -> dict[str, str]:
        return {"observed": "a sign-off"}

    def has_sign_offs(self, framework: Framework) -> bool:
        return True

    def standing_sign_offs(self, framework: Framework) -> list[StandingSignOffs]:
        return [StandingSignOffs(identifier=self.identifier, content_hash=self.content_hash, people=3)]

    def protocol_requirements_elsewhere(
        self, framework: Framework, version: FrameworkVersion
    ) -> list[ProtocolRequirementRef]:
        return [
            ProtocolRequirementRef(
                pk=7,
                activity="Blood glucose",
                organisation_name="Trust",
                organisation_code="RAA",
                competence_identifier=uuid.uuid4(),  # an item the new version no longer has
                competence_code="X1",
                competence_label="X1 Gone",
            )
        ]

    def protocol_requirements_follow(
        self, version: FrameworkVersion, rows: Mapping[uuid.UUID, Competence]
    ) -> int:
        self.followed.append((version, set(rows)))
        return 0


@pytest.fixture
def replaced(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Lets a test register its own implementation; the portfolio's comes back afterwards."""
    monkeypatch.setattr(dependents, "_registered", dependents.registered())
    yield


def test_preview_and_publish_ask_the_registered_dependents(replaced: None) -> None:
    org = t.make_organisation("RAA", alliance=t.make_alliance())
    built = build_framework(org)
    assert "observed" in [level["code"] for level in built.framework.level_list]
    mh1 = published_row(built.framework, "MH1")
    fake = Recording(built.framework, mh1.identifier, mh1.content_hash)
    dependents.register(fake)

    draft = services.version_draft_create(ctx=TEST_JOB, framework=built.framework)
    preview = selectors.version_publish_preview(version=draft)
    assert (preview.carried_over, preview.reassess) == (3, 0)
    assert [p.pk for p in preview.protocol_requirements_orphaned] == [7]
    services.version_publish(ctx=TEST_JOB, version=draft)
    draft.refresh_from_db()
    assert draft.change_summary["protocol_requirements"]["competence_removed"][0]["organisation"] == "RAA"
    assert [(version.pk, identifiers) for version, identifiers in fake.followed] == [
        (draft.pk, {item.identifier for item in items_of(draft).values()})
    ]
    with pytest.raises(ValidationError, match="used by a sign-off"):
        services.framework_levels_set(
            ctx=TEST_JOB, framework=built.framework, levels=[{"code": "other", "label": "O"}]
        )
    with pytest.raises(ValidationError, match="keep the existing levels"):
        services.framework_levels_set(
            ctx=TEST_JOB,
            framework=built.framework,
            levels=[{"code": "new", "label": "N"}, *built.framework.level_list],
        )


def test_with_nothing_registered_nothing_depends_on_a_framework(replaced: None) -> None:
    dependents.register(dependents._NoDependents())
    org = t.make_organisation("RAA", alliance=t.make_alliance())
    built = build_framework(org)
    draft = services.version_draft_create(ctx=TEST_JOB, framework=built.framework)
    preview = services.version_publish(ctx=TEST_JOB, version=draft)
    assert (preview.carried_over, preview.protocol_requirements_moving) == (0, 0)
