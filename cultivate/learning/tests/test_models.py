import pytest
from django.db import IntegrityError, transaction

from cultivate.learning.models import MandatoryRequirement
from cultivate.learning.testing import make_subject
from cultivate.organisations import testing as t
from cultivate.portfolio.tests.portfolio_factories import make_role

pytestmark = pytest.mark.django_db


def test_one_requirement_per_subject_role_and_setting() -> None:
    subject = make_subject(t.make_organisation(), required=False)
    role = make_role()
    MandatoryRequirement.objects.create(subject=subject, role=role, setting="")
    with pytest.raises(IntegrityError), transaction.atomic():
        MandatoryRequirement.objects.create(subject=subject, role=role, setting="")


def test_one_every_role_requirement_per_subject_and_setting() -> None:
    """The role is empty for "every role"; the database refuses a second such row on SQLite as on PostgreSQL."""
    subject = make_subject(t.make_organisation(), required=False)
    MandatoryRequirement.objects.create(subject=subject, role=None, setting="")
    with pytest.raises(IntegrityError), transaction.atomic():
        MandatoryRequirement.objects.create(subject=subject, role=None, setting="")
    # A different setting, or a named role, is a different requirement.
    MandatoryRequirement.objects.create(subject=subject, role=None, setting="community")
    MandatoryRequirement.objects.create(subject=subject, role=make_role(), setting="")
    assert MandatoryRequirement.objects.filter(subject=subject).count() == 3
