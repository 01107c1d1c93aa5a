from __future__ import annotations

from collections.abc import Iterator
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker) -> Iterator[str]:
    """The demo alliance, generated once for the module that asks for it inside a transaction rolled back
    afterwards; its value is what the command printed."""
    with django_db_blocker.unblock(), transaction.atomic():
        out = StringIO()
        call_command("demo", "--seed", "2026", stdout=out, verbosity=1)
        yield out.getvalue()
        transaction.set_rollback(True)
