"""Acting on a sign-off request marks read the notifications about it: the assessors' when it is decided or
cancelled, the worker's "returned" when they ask again."""

from __future__ import annotations

import pytest
from django.utils import timezone

from cultivate.accounts import testing as t
from cultivate.accounts.models import Role
from cultivate.core.models import Notification
from cultivate.portfolio import services

from . import portfolio_factories as f

pytestmark = pytest.mark.django_db


def _ask(scene):  # type: ignore[no-untyped-def]
    evidence = [f.make_evidence(scene["worker_person"], scene["obs"], kind="observation")]
    return services.signoff_request_create(
        membership=f.membership(scene["worker"]),
        person=scene["worker_person"],
        competence=scene["obs"],
        evidence=evidence,
    )


def _unread(user) -> list[str]:  # type: ignore[no-untyped-def]
    return list(Notification.objects.filter(user=user, read_at__isnull=True).values_list("title", flat=True))


def test_decided_marks_every_assessors_notification_read(django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    scene = f.make_scene()
    second = t.make_user(Role.ASSESSOR, organisation=scene["org"], teams=[scene["ward"]])
    with django_capture_on_commit_callbacks(execute=True):
        item = _ask(scene)
    assert len(_unread(scene["assessor"])) == 1 and len(_unread(second)) == 1
    with django_capture_on_commit_callbacks(execute=True):
        services.signoff_sign_off(
            membership=f.membership(scene["assessor"]),
            signoff_request=item,
            level="supervised",
            assessed_on=timezone.localdate(),
        )
    assert _unread(scene["assessor"]) == [] and _unread(second) == []
    # The worker's news of the decision is new, and unread.
    assert _unread(scene["worker"]) == ["Measure and record blood pressure signed off"]


def test_returned_then_asked_again(django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    scene = f.make_scene()
    with django_capture_on_commit_callbacks(execute=True):
        item = _ask(scene)
    with django_capture_on_commit_callbacks(execute=True):
        services.signoff_return(
            membership=f.membership(scene["assessor"]), signoff_request=item, feedback="Add a witness"
        )
    assert _unread(scene["assessor"]) == []
    assert len(_unread(scene["worker"])) == 1
    with django_capture_on_commit_callbacks(execute=True):
        _ask(scene)
    assert _unread(scene["worker"]) == []
    assert len(_unread(scene["assessor"])) == 1  # the new request


def test_cancelled_marks_the_assessors_notification_read(django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    scene = f.make_scene()
    with django_capture_on_commit_callbacks(execute=True):
        item = _ask(scene)
    services.signoff_request_cancel(membership=f.membership(scene["worker"]), signoff_request=item)
    assert _unread(scene["assessor"]) == []
