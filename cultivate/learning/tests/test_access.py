import pytest
from django.utils import timezone

from cultivate.accounts.models import Role
from cultivate.accounts.testing import make_user
from cultivate.learning import access
from cultivate.learning.models import Evaluation, Offer
from cultivate.learning.testing import make_completion, make_offer
from cultivate.organisations import testing as t
from cultivate.portfolio.tests.portfolio_factories import membership

pytestmark = pytest.mark.django_db


def test_evaluations_are_seen_only_by_the_worker():
    org = t.make_organisation()
    team = t.make_team(org)
    worker = t.make_person(org, team)
    completion = make_completion(worker, offer=make_offer(org), on=timezone.localdate())
    Evaluation.objects.create(completion=completion, rating=3)
    own = membership(make_user(Role.SUPPORT_WORKER, organisation=org, person=worker))
    admin = membership(make_user(Role.ORG_ADMIN, organisation=org))
    manager = membership(make_user(Role.LINE_MANAGER, organisation=org, teams=[team]))
    assert Evaluation.objects.for_membership(own).count() == 1
    assert Evaluation.objects.for_membership(admin).count() == 0
    assert Evaluation.objects.for_membership(manager).count() == 0


def test_shared_offers_reach_the_alliance_only():
    alliance = t.make_alliance()
    org, sister, stranger = (
        t.make_organisation(alliance=alliance),
        t.make_organisation(alliance=alliance),
        t.make_organisation(),
    )
    shared = make_offer(alliance=alliance)
    own = make_offer(org)
    make_offer(sister)
    seen = set(Offer.objects.for_membership(membership(make_user(Role.EDUCATOR, organisation=org))))
    assert seen == {shared, own}
    assert not Offer.objects.for_membership(
        membership(make_user(Role.EDUCATOR, organisation=stranger))
    ).exists()
    admin = membership(make_user(Role.ALLIANCE_ADMIN, alliance=alliance))
    assert access.may(admin, "manage_offer", shared) and not access.may(admin, "manage_offer", own)


def test_a_manager_never_books_for_themselves():
    org = t.make_organisation()
    team = t.make_team(org)
    me = t.make_person(org, team)
    manager = membership(make_user(Role.LINE_MANAGER, organisation=org, teams=[team], person=me))
    assert not access.may(manager, "book_for", me)
    assert access.may(manager, "book_for", t.make_person(org, team))
