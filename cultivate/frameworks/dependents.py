"""What other apps keep that depends on a framework, asked for through a hook so that frameworks imports none of
them (ADR 0026).

Sign-offs record a framework's level codes and positions and an item's identifier and content hash; delegation
protocols name competences. Changing levels and publishing a version have to take those records into account, but
they belong to the portfolio, which depends on frameworks. So the portfolio registers an implementation of
`FrameworkDependents` in its `AppConfig.ready()`, and frameworks asks it. With none registered (frameworks on its
own), nothing depends on a framework."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from .models import Competence, Framework, FrameworkVersion


@dataclass(frozen=True)
class StandingSignOffs:
    """How many people hold a standing sign-off (not superseded) of one item at one content hash."""

    identifier: uuid.UUID
    content_hash: str
    people: int


@dataclass(frozen=True)
class ProtocolRequirementRef:
    """A delegation protocol's requirement of a competence, as the publish page and change summary show it."""

    pk: int
    activity: str
    organisation_name: str
    organisation_code: str
    competence_identifier: uuid.UUID
    competence_code: str
    competence_label: str


class FrameworkDependents(Protocol):
    def levels_in_use(self, framework: Framework) -> dict[str, str]:
        """Level code → what outside frameworks uses it ("a delegation protocol", "a sign-off")."""
        ...

    def has_sign_offs(self, framework: Framework) -> bool:
        """Whether any sign-off (which stores its level's position) has been recorded against the framework."""
        ...

    def standing_sign_offs(self, framework: Framework) -> list[StandingSignOffs]:
        """People with a standing sign-off or correction, per (identifier, content hash)."""
        ...

    def protocol_requirements_elsewhere(
        self, framework: Framework, version: FrameworkVersion
    ) -> list[ProtocolRequirementRef]:
        """Protocol requirements naming an item of the framework in any version but `version`."""
        ...

    def protocol_requirements_follow(
        self, version: FrameworkVersion, rows: Mapping[uuid.UUID, Competence]
    ) -> int:
        """Point protocol requirements at `version`'s rows (`rows` by identifier) on publishing; how many moved.
        Runs inside the publishing transaction."""
        ...


class _NoDependents:
    def levels_in_use(self, framework: Framework) -> dict[str, str]:
        return {}

    def has_sign_offs(self, framework: Framework) -> bool:
        return False

    def standing_sign_offs(self, framework: Framework) -> list[StandingSignOffs]:
        return []

    def protocol_requirements_elsewhere(
        self, framework: Framework, version: FrameworkVersion
    ) -> list[ProtocolRequirementRef]:
        return []

    def protocol_requirements_follow(
        self, version: FrameworkVersion, rows: Mapping[uuid.UUID, Competence]
    ) -> int:
        return 0


_registered: FrameworkDependents = _NoDependents()


def register(dependents: FrameworkDependents) -> None:
    """Called once, from the depending app's `AppConfig.ready()`."""
    global _registered
    _registered = dependents


def registered() -> FrameworkDependents:
    """The registered implementation, or one that reports nothing depending on any framework."""
    return _registered
