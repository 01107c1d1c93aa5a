from __future__ import annotations

import getpass
import io
import sys
from collections.abc import Iterator

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from cultivate.__main__ import main
from cultivate.accounts.audit_actions import AccountsAction
from cultivate.accounts.models import Membership, Role, User
from cultivate.core.models import AuditEvent
from cultivate.organisations.testing import make_alliance, make_organisation

pytestmark = pytest.mark.django_db

GOOD_PASSWORD = "lantern-orchard-compass-41"


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("createadmin", *args, "--no-input", stdout=out)
    return out.getvalue()


def test_creates_an_organisation_admin_through_the_services() -> None:
    organisation = make_organisation("RZ1")
    out = run(
        "--email",
        "Admin@Trust.nhs.uk",
        "--name",
        "Ada Okafor",
        "--organisation",
        "rz1",
        "--password",
        GOOD_PASSWORD,
    )
    user = User.objects.get(email="admin@trust.nhs.uk")
    assert "organisation admin of" in out and "RZ1" in out
    assert user.full_name == "Ada Okafor"
    assert user.check_password(GOOD_PASSWORD)
    assert not user.is_staff and not user.is_superuser
    membership = Membership.objects.current().get(user=user)
    assert (membership.role, membership.organisation) == (Role.ORG_ADMIN, organisation)
    actions = set(
        AuditEvent.objects.filter(object_id__in=[str(user.pk), str(membership.pk)]).values_list(
            "action", flat=True
        )
    )
    assert {AccountsAction.USER_CREATED, AccountsAction.MEMBERSHIP_GRANTED} <= actions


def test_takes_the_password_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    make_organisation("RZ2")
    monkeypatch.setenv("CULTIVATE_ADMIN_PASSWORD", GOOD_PASSWORD)
    run("--email", "env@trust.nhs.uk", "--name", "Env Admin", "--organisation", "RZ2")
    assert User.objects.get(email="env@trust.nhs.uk").check_password(GOOD_PASSWORD)


def test_creates_an_alliance_admin_who_may_also_use_django_admin() -> None:
    alliance = make_alliance("North Alliance")
    out = run(
        "--email",
        "lead@alliance.nhs.uk",
        "--name",
        "Lead",
        "--alliance",
        alliance.code,
        "--password",
        GOOD_PASSWORD,
        "--superuser",
    )
    user = User.objects.get(email="lead@alliance.nhs.uk")
    assert user.is_staff and user.is_superuser
    assert "Django admin" in out
    membership = Membership.objects.get(user=user)
    assert (membership.role, membership.alliance, membership.organisation) == (
        Role.ALLIANCE_ADMIN,
        alliance,
        None,
    )
    assert AuditEvent.objects.filter(action=AccountsAction.USER_CHANGED, object_id=str(user.pk)).exists()


def test_a_superuser_needs_no_organisation_on_a_new_installation() -> None:
    run("--email", "root@trust.nhs.uk", "--name", "First Admin", "--password", GOOD_PASSWORD, "--superuser")
    user = User.objects.get(email="root@trust.nhs.uk")
    assert user.is_superuser and not user.memberships.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--organisation", "NOPE"], "No organisation has the ODS code 'NOPE'"),
        (["--alliance", "nowhere"], "No alliance has the code 'nowhere'"),
        (["--organisation", "RZ3", "--alliance", "x"], "not both"),
        ([], "Give --organisation ODS"),
    ],
)
def test_refuses_an_unknown_or_missing_scope(args: list[str], message: str) -> None:
    make_organisation("RZ3")
    with pytest.raises(CommandError, match=message):
        run("--email", "a@trust.nhs.uk", "--name", "A", "--password", GOOD_PASSWORD, *args)
    assert not User.objects.filter(email="a@trust.nhs.uk").exists()


def test_refuses_a_weak_or_missing_password(monkeypatch: pytest.MonkeyPatch) -> None:
    make_organisation("RZ4")
    monkeypatch.delenv("CULTIVATE_ADMIN_PASSWORD", raising=False)
    with pytest.raises(CommandError, match=r"The password was not accepted: .*too short"):
        run("--email", "b@trust.nhs.uk", "--name", "B", "--organisation", "RZ4", "--password", "abc")
    with pytest.raises(CommandError, match="CULTIVATE_ADMIN_PASSWORD"):
        run("--email", "b@trust.nhs.uk", "--name", "B", "--organisation", "RZ4")
    assert not User.objects.filter(email="b@trust.nhs.uk").exists()


def test_refuses_a_bad_or_taken_email_address() -> None:
    make_organisation("RZ5")
    with pytest.raises(CommandError, match="not a valid email address"):
        run("--email", "not-an-address", "--name", "C", "--organisation", "RZ5", "--password", GOOD_PASSWORD)
    run("--email", "c@trust.nhs.uk", "--name", "C", "--organisation", "RZ5", "--password", GOOD_PASSWORD)
    with pytest.raises(CommandError, match="already exists"):
        run("--email", "C@trust.nhs.uk", "--name", "C", "--organisation", "RZ5", "--password", GOOD_PASSWORD)


def test_the_cli_exits_1_with_the_message(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        [
            "createadmin",
            "--no-input",
            "--email",
            "d@trust.nhs.uk",
            "--name",
            "D",
            "--organisation",
            "ZZZ",
            "--password",
            GOOD_PASSWORD,
        ]
    )
    assert code == 1
    assert "No organisation has the ODS code 'ZZZ'" in capsys.readouterr().err


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[list[str], list[str]]]:
    """Answers typed at the prompts: (answers to input(), answers to getpass())."""
    answers: list[str] = []
    passwords: list[str] = []
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
    monkeypatch.setattr("builtins.input", lambda prompt="": answers.pop(0))
    monkeypatch.setattr(getpass, "getpass", lambda prompt="": passwords.pop(0))
    monkeypatch.delenv("CULTIVATE_ADMIN_PASSWORD", raising=False)
    yield answers, passwords
    assert not answers and not passwords, "every prepared answer should have been asked for"


def test_asks_for_what_is_missing_in_a_terminal(terminal: tuple[list[str], list[str]]) -> None:
    organisation = make_organisation("RZ6")
    answers, passwords = terminal
    answers += ["e@trust.nhs.uk", "Eve Mensah", "rz6"]
    # A mismatch, then one the validators refuse, then a good one.
    passwords += [GOOD_PASSWORD, "different-words-99", "short", "short", GOOD_PASSWORD, GOOD_PASSWORD]
    err = io.StringIO()
    call_command("createadmin", stdout=io.StringIO(), stderr=err)
    user = User.objects.get(email="e@trust.nhs.uk")
    assert user.check_password(GOOD_PASSWORD)
    assert Membership.objects.get(user=user).organisation == organisation
    assert "did not match" in err.getvalue() and "not accepted" in err.getvalue()


def test_asks_for_an_alliance_when_no_organisation_is_given(terminal: tuple[list[str], list[str]]) -> None:
    alliance = make_alliance()
    answers, passwords = terminal
    answers += ["", alliance.code]
    passwords += [GOOD_PASSWORD, GOOD_PASSWORD]
    call_command("createadmin", "--email", "f@trust.nhs.uk", "--name", "F", stdout=io.StringIO())
    assert Membership.objects.get(user__email="f@trust.nhs.uk").alliance == alliance
