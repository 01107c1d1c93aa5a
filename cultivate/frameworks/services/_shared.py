"""What every write of the package checks or needs: that a version is a draft, the owner to audit under,
the framework's level codes and an item's descendants."""

from __future__ import annotations

from collections import defaultdict

from django.core.exceptions import ValidationError

from cultivate.organisations.models import Organisation

from ..models import (
    Competence,
    Framework,
    FrameworkVersion,
)


def _require_draft(version: FrameworkVersion) -> None:
    if not version.is_editable:
        raise ValidationError(
            f"Version {version.number} is {version.get_status_display().lower()}: it cannot change. "
            "Start a new draft to make changes."
        )


def _owner_organisation(framework: Framework) -> Organisation | None:
    return framework.owner_organisation


def _level_codes(framework: Framework) -> list[str]:
    return [level["code"] for level in framework.level_list]


def _descendant_ids(item: Competence) -> set[int]:
    """Every item below `item` in its version (one query for the version, walked in memory)."""
    children: dict[int | None, list[int]] = defaultdict(list)
    for pk, parent_id in Competence.objects.filter(version_id=item.version_id).values_list("pk", "parent_id"):
        children[parent_id].append(pk)
    found: set[int] = set()
    stack = list(children[item.pk])
    while stack:
        pk = stack.pop()
        if pk not in found:
            found.add(pk)
            stack.extend(children[pk])
    return found
