"""The one place that decides who may see, write, publish, adopt and require frameworks.

Every rule takes the acting Membership. Visibility is expressed twice, as a predicate for one framework and as
`framework_scope` for querysets, and the tests check that both agree.

Decisions (docs/access.md, "Frameworks"):
- a framework with no owner (the reference frameworks) is visible to every role;
- an alliance's framework is visible to its admins and to every role in its member organisations; an
  organisation's framework (including its local competences) only to roles in that organisation;
- an organisation's framework is written and published by its educators;
- an alliance's framework is written by its admins and by educators of its member organisations, who are the
  subject experts; only the alliance's admins publish or retire it, because a new version decides what every
  member organisation's staff must be reassessed on;
- a CASE import lands as a draft; it is published or discarded, and a framework nothing refers to is
  deleted, by whoever publishes it, or, for an imported framework, whoever may import for its owner.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from cultivate.accounts.models import Membership, Role
from cultivate.core.access import RuleSet, predicate
from cultivate.core.scopes import scope
from cultivate.organisations.models import Alliance, Organisation

from .models import Framework, FrameworkSource

AUTHOR_ROLES = frozenset({Role.EDUCATOR})
ADOPT_ROLES = frozenset({Role.EDUCATOR, Role.ORG_ADMIN})
REQUIREMENT_ROLES = frozenset({Role.EDUCATOR, Role.ORG_ADMIN})
# Every role reads the frameworks it may see; these roles also write, publish, adopt or require them.
FRAMEWORK_WORK_ROLES = AUTHOR_ROLES | ADOPT_ROLES | REQUIREMENT_ROLES | {Role.ALLIANCE_ADMIN}


def _member_alliance_id(membership: Membership) -> int | None:
    """The alliance of the membership's organisation (loaded with the membership by the middleware)."""
    organisation = membership.organisation
    return organisation.alliance_id if organisation is not None else None


def is_shared(framework: Framework) -> bool:
    """Owned by nobody: a reference framework (or any unowned one) every organisation may see and use."""
    return framework.owner_alliance_id is None and framework.owner_organisation_id is None


@scope(Framework)
def framework_scope(membership: Membership | None) -> Q:
    """A filter on Framework for the frameworks this membership may see."""
    if membership is None:
        return Q(pk__in=[])
    scope = Q(owner_alliance__isnull=True, owner_organisation__isnull=True)
    if membership.role == Role.ALLIANCE_ADMIN:
        return scope | Q(owner_alliance_id=membership.alliance_id)
    scope |= Q(owner_organisation_id=membership.organisation_id)
    alliance_id = _member_alliance_id(membership)
    if alliance_id is not None:
        scope |= Q(owner_alliance_id=alliance_id)
    return scope


@predicate
def can_view_framework(membership: Membership | None, framework: Framework | None) -> bool:
    if membership is None or framework is None:
        return False
    if is_shared(framework):
        return True
    if framework.owner_alliance_id is not None:
        if membership.role == Role.ALLIANCE_ADMIN:
            return membership.alliance_id == framework.owner_alliance_id
        return _member_alliance_id(membership) == framework.owner_alliance_id
    return (
        membership.role != Role.ALLIANCE_ADMIN
        and membership.organisation_id == framework.owner_organisation_id
    )


@predicate
def can_create_framework(membership: Membership | None, owner: Organisation | Alliance | None) -> bool:
    """A new framework owned by `owner`: an organisation's educators, or an alliance's admins."""
    if membership is None or owner is None:
        return False
    if isinstance(owner, Alliance):
        return membership.role == Role.ALLIANCE_ADMIN and membership.alliance_id == owner.pk
    return membership.role in AUTHOR_ROLES and membership.organisation_id == owner.pk


@predicate
def can_author_framework(membership: Membership | None, framework: Framework | None) -> bool:
    """Writing drafts: items, crosswalks, levels, title; starting and discarding a draft."""
    if membership is None or framework is None or is_shared(framework):
        return False
    if framework.owner_alliance_id is not None:
        if membership.role == Role.ALLIANCE_ADMIN:
            return membership.alliance_id == framework.owner_alliance_id
        return (
            membership.role in AUTHOR_ROLES and _member_alliance_id(membership) == framework.owner_alliance_id
        )
    return membership.role in AUTHOR_ROLES and membership.organisation_id == framework.owner_organisation_id


@predicate
def can_publish_framework(membership: Membership | None, framework: Framework | None) -> bool:
    """Publishing a draft and retiring a published version."""
    if membership is None or framework is None or is_shared(framework):
        return False
    if framework.owner_alliance_id is not None:
        return (
            membership.role == Role.ALLIANCE_ADMIN and membership.alliance_id == framework.owner_alliance_id
        )
    return membership.role in AUTHOR_ROLES and membership.organisation_id == framework.owner_organisation_id


def _usable_shared(membership: Membership, framework: Framework) -> bool:
    """A framework an organisation may take up: a reference one, or its alliance's."""
    if is_shared(framework):
        return True
    alliance_id = _member_alliance_id(membership)
    return alliance_id is not None and framework.owner_alliance_id == alliance_id


@predicate
def can_adopt_framework(membership: Membership | None, framework: Framework | None) -> bool:
    """Adopting (or no longer using) a shared framework for the membership's own organisation."""
    if membership is None or framework is None or membership.role not in ADOPT_ROLES:
        return False
    if membership.organisation_id is None or framework.extends_id is not None:
        return False
    return _usable_shared(membership, framework)


@predicate
def can_extend_framework(membership: Membership | None, framework: Framework | None) -> bool:
    """Adding the organisation's local competences to a shared framework (an extension framework)."""
    if membership is None or framework is None or membership.role not in AUTHOR_ROLES:
        return False
    if membership.organisation_id is None or framework.extends_id is not None:
        return False
    return _usable_shared(membership, framework)


@predicate
def can_view_requirements(membership: Membership | None, organisation: Organisation | None) -> bool:
    """An organisation's role requirements: every role in it (staff should know what their role needs), and
    its alliance's admins."""
    if membership is None or organisation is None:
        return False
    if membership.role == Role.ALLIANCE_ADMIN:
        return organisation.alliance_id is not None and organisation.alliance_id == membership.alliance_id
    return membership.organisation_id == organisation.pk


@predicate
def can_manage_requirements(membership: Membership | None, organisation: Organisation | None) -> bool:
    if membership is None or organisation is None:
        return False
    return membership.role in REQUIREMENT_ROLES and membership.organisation_id == organisation.pk


RULES = RuleSet()


@predicate
def can_import_framework(membership: Membership | None, owner: Organisation | Alliance | None) -> bool:
    """Importing a CASE package for `owner`: whoever may create frameworks there, and also the organisation's
    admins, who load the standards their organisation is told to use."""
    if membership is None or owner is None:
        return False
    if isinstance(owner, Organisation) and membership.role == Role.ORG_ADMIN:
        return membership.organisation_id == owner.pk
    return bool(can_create_framework(membership, owner))


@predicate
def can_settle_framework(membership: Membership | None, framework: Framework | None) -> bool:
    """Publishing or discarding an imported draft, and deleting a framework (only ever one nothing refers to,
    which the service checks): whoever publishes the framework, and, for one imported from CASE, whoever may
    import for its owner (an organisation's admins load the standards they are told to use)."""
    if can_publish_framework(membership, framework):
        return True
    if framework is None or framework.source != FrameworkSource.CASE:
        return False
    return bool(can_import_framework(membership, framework.owner_organisation or framework.owner_alliance))


@predicate
def works_on_frameworks(membership: Membership | None) -> bool:
    return membership is not None and membership.role in FRAMEWORK_WORK_ROLES


RULES.add("view_framework", can_view_framework)
RULES.add("import_framework", can_import_framework)
RULES.add("create_framework", can_create_framework)
RULES.add("author_framework", can_author_framework)
RULES.add("publish_framework", can_publish_framework)
RULES.add("settle_import", can_settle_framework)
RULES.add("delete_framework", can_settle_framework)
RULES.add("adopt_framework", can_adopt_framework)
RULES.add("extend_framework", can_extend_framework)
RULES.add("view_requirements", can_view_requirements)
RULES.add("manage_requirements", can_manage_requirements)
RULES.add("work_on_frameworks", works_on_frameworks)


def may(membership: Membership | None, action: str, obj: Any = None) -> bool:
    return RULES.test(action, membership, obj)
