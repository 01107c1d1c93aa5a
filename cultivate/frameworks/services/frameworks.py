"""Writes to a framework itself: creating one, its details, its levels, and an organisation's local
competences (an extension)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction

from cultivate.accounts.models import User
from cultivate.core.audit import AuditContext, audit
from cultivate.frameworks.audit_actions import FrameworksAction
from cultivate.organisations.models import Alliance, Organisation

from .. import dependents
from ..models import (
    Competence,
    Framework,
    FrameworkSource,
    FrameworkVersion,
    RoleRequirement,
)
from ..selectors.references import framework_references, references_sentence
from ._shared import _level_codes, _owner_organisation

LEVEL_CODE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")


def _clean_levels(levels: Sequence[dict[str, str]]) -> list[dict[str, str]]:
    cleaned: list[dict[str, str]] = []
    for level in levels:
        code = (level.get("code") or "").strip().lower()
        label = (level.get("label") or "").strip()
        if not code and not label:
            continue
        if not LEVEL_CODE.match(code):
            raise ValidationError(
                {"levels": f"Level code ‘{code}’: use lower-case letters, digits, hyphens or underscores."}
            )
        if not label:
            raise ValidationError({"levels": f"Level {code} needs a label."})
        cleaned.append({"code": code, "label": label})
    if not cleaned:
        raise ValidationError({"levels": "A framework needs at least one level."})
    if len({level["code"] for level in cleaned}) != len(cleaned):
        raise ValidationError({"levels": "Each level needs its own code."})
    return cleaned


@transaction.atomic
def framework_create(
    *,
    title: str,
    description: str = "",
    owner: Organisation | Alliance,
    levels: Sequence[dict[str, str]] | None = None,
    created_by: User | None = None,
    ctx: AuditContext | None = None,
) -> Framework:
    """A new framework owned by an organisation or an alliance, with an empty draft (version 1)."""
    framework = Framework(
        title=title.strip(),
        description=description.strip(),
        owner_organisation=owner if isinstance(owner, Organisation) else None,
        owner_alliance=owner if isinstance(owner, Alliance) else None,
        source=FrameworkSource.AUTHORED,
        levels=_clean_levels(levels) if levels else [],
        created_by=created_by,
    )
    framework.full_clean()
    framework.save()
    version = FrameworkVersion(framework=framework, number=1)
    version.full_clean()
    version.save()
    audit(
        FrameworksAction.FRAMEWORK_CREATED,
        actor=created_by,
        ctx=ctx,
        obj=framework,
        organisation=_owner_organisation(framework),
        title=framework.title,
    )
    return framework


def framework_update(
    *,
    framework: Framework,
    title: str,
    description: str,
    changed_by: User | None = None,
    ctx: AuditContext | None = None,
) -> Framework:
    framework.title = title.strip()
    framework.description = description.strip()
    framework.full_clean()
    framework.save(update_fields=["title", "description", "updated_at"])
    audit(
        FrameworksAction.FRAMEWORK_CHANGED,
        actor=changed_by,
        ctx=ctx,
        obj=framework,
        organisation=_owner_organisation(framework),
        change="details",
    )
    return framework


def _levels_in_use(framework: Framework) -> dict[str, str]:
    """Level code → what uses it (items, requirements, sign-offs), for refusing to remove it."""
    used: dict[str, str] = {}
    for levels in Competence.objects.filter(framework=framework).values_list("levels", flat=True):
        for code in levels or []:
            used.setdefault(code, "a competence")
    for code in RoleRequirement.objects.filter(competence__framework=framework).values_list(
        "min_level", flat=True
    ):
        used.setdefault(code, "a role requirement")
    for code, what in dependents.registered().levels_in_use(framework).items():
        used.setdefault(code, what)
    return used


@transaction.atomic
def framework_levels_set(
    *,
    framework: Framework,
    levels: Sequence[dict[str, str]],
    changed_by: User | None = None,
    ctx: AuditContext | None = None,
) -> Framework:
    """Replace the framework's ordered levels (lowest first).

    Levels belong to the framework, not to a version, so they are guarded: a code in use cannot be removed,
    and once sign-offs exist (which store the level's position, `level_rank`) existing levels keep their
    positions; new levels go after them. Labels can always be reworded."""
    cleaned = _clean_levels(levels)
    old_codes = _level_codes(framework)
    new_codes = [level["code"] for level in cleaned]
    used = _levels_in_use(framework)
    removed = [code for code in old_codes if code not in new_codes]
    for code in removed:
        if code in used:
            raise ValidationError(
                {"levels": f"Level {code} is used by {used[code]}, so it cannot be removed."}
            )
    if dependents.registered().has_sign_offs(framework):
        kept = [code for code in old_codes if code in new_codes]
        if new_codes[: len(kept)] != kept or kept != old_codes[: len(kept)]:
            raise ValidationError(
                {
                    "levels": "Sign-offs have been recorded against this framework: keep the existing levels "
                    "in the same order and add new levels after them."
                }
            )
    framework.levels = cleaned
    framework.full_clean()
    framework.save(update_fields=["levels", "updated_at"])
    audit(
        FrameworksAction.FRAMEWORK_CHANGED,
        actor=changed_by,
        ctx=ctx,
        obj=framework,
        organisation=_owner_organisation(framework),
        change="levels",
        levels=new_codes,
    )
    return framework


@transaction.atomic
def extension_create(
    *,
    framework: Framework,
    organisation: Organisation,
    created_by: User | None = None,
    ctx: AuditContext | None = None,
) -> Framework:
    """An organisation's local competences for a shared framework: a framework of its own that `extends` the
    shared one (so the shared one is never forked), with the same levels and an empty draft."""
    if framework.extends_id is not None:
        raise ValidationError("Local competences extend a shared framework, not another extension.")
    if not (
        (framework.owner_alliance_id is None and framework.owner_organisation_id is None)
        or (
            framework.owner_alliance_id is not None
            and framework.owner_alliance_id == organisation.alliance_id
        )
    ):
        raise ValidationError("Only a reference framework or the organisation's alliance's can be extended.")
    if Framework.objects.filter(extends=framework, owner_organisation=organisation).exists():
        raise ValidationError(f"{organisation.name} already has local competences for this framework.")
    title = f"{framework.title}: local competences ({organisation.name})"
    extension = Framework(
        title=title[:300],
        description=f"Competences {organisation.name} adds to {framework.title}.",
        owner_organisation=organisation,
        extends=framework,
        source=FrameworkSource.AUTHORED,
        levels=list(framework.levels),
        created_by=created_by,
    )
    extension.full_clean()
    extension.save()
    version = FrameworkVersion(framework=extension, number=1)
    version.full_clean()
    version.save()
    audit(
        FrameworksAction.FRAMEWORK_CREATED,
        actor=created_by,
        ctx=ctx,
        obj=extension,
        organisation=organisation,
        extends=str(framework.identifier),
    )
    return extension


@transaction.atomic
def framework_delete(
    *,
    framework: Framework,
    deleted_by: User | None = None,
    ctx: AuditContext | None = None,
) -> None:
    """Delete a framework, every version and item of it, while nothing outside it refers to it: no role
    requirement, sign-off, portfolio evidence, learning offer, programme, pathway, crosswalk from another
    framework or adoption (`selectors.references`). Refused, naming what refers to it, otherwise."""
    framework = Framework.objects.select_for_update().get(pk=framework.pk)
    references = framework_references(framework)
    if references:
        raise ValidationError(
            f"{framework.title} cannot be deleted: {references_sentence(references)} refer to it. "
            "Retire its published version instead, or remove those first."
        )
    versions = list(framework.versions.values_list("number", "status"))
    items = Competence.objects.filter(framework=framework).count()
    audit(
        FrameworksAction.FRAMEWORK_DELETED,
        actor=deleted_by,
        ctx=ctx,
        obj=framework,
        organisation=_owner_organisation(framework),
        identifier=str(framework.identifier),
        title=framework.title,
        source=framework.source,
        versions=[{"number": number, "status": status} for number, status in versions],
        items=items,
    )
    framework.delete()
