"""What can be audited: each app declares its own actions and registers them here when it is ready.

Core owns the registry and its own few actions; it imports no app. An app writes a `TextChoices` subclass of
`AuditActions` (in its `audit_actions.py`) and calls `register(...)` from `AppConfig.ready()`. The stored
strings are the only link between a row and its label, so a value is registered once, by one app, and never
renamed (existing rows keep their meaning)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models


class AuditActions(models.TextChoices):
    """The base of every app's actions (an enum with no members of its own, so it can be subclassed)."""


class CoreAction(AuditActions):
    """Actions any app may record: refusals, and personal data carried in or out of the service."""

    PERMISSION_DENIED = "permission_denied", "Permission denied"
    IMPORT_STARTED = "import_started", "Import started"
    IMPORT_SUCCEEDED = "import_succeeded", "Import succeeded"
    IMPORT_REJECTED = "import_rejected", "Import rejected"
    EXPORT = "export", "Personal data exported"
    NOTIFICATION_SETTINGS_CHANGED = "notification_settings_changed", "Notification settings changed"


class DuplicateAuditAction(Exception):
    pass


_labels: dict[str, str] = {}
_owners: dict[str, str] = {}
# Actions that record what a client without an account tried (a failed sign-in, a refusal), not a change.
_anonymous: set[str] = set()


def register(owner: str, actions: type[AuditActions], *, anonymous: Iterable[AuditActions] = ()) -> None:
    """Declare `owner`'s actions; `anonymous` are those that may be recorded without an actor or a system job.
    Registering the same class again (tests reload apps) changes nothing; another owner's value is refused."""
    for action in actions:
        taken = _owners.get(action.value)
        if taken is not None and taken != owner:
            raise DuplicateAuditAction(f"{owner} declares audit action {action.value!r}, already {taken}'s.")
        _owners[action.value] = owner
        _labels[action.value] = action.label
    _anonymous.update(action.value for action in anonymous)


def is_registered(action: str) -> bool:
    return action in _labels


def allows_anonymous(action: str) -> bool:
    return action in _anonymous


def label(action: str) -> str:
    """The action's label; an unknown value (an app since removed) is shown as stored."""
    return _labels.get(action, action)


def choices() -> list[tuple[str, str]]:
    """Every registered action with its label, by label, for the audit log's filter."""
    return sorted(_labels.items(), key=lambda item: item[1].lower())


def owners() -> dict[str, str]:
    """Which app declared each action."""
    return dict(_owners)
