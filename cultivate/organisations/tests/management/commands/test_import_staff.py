"""`cultivate import-staff DIR [--organisation ODS] [--dry-run | --yes]`: exit 0 with the counts, 1 (CommandError)
with every problem, 2 when the changes previewed are not confirmed."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from cultivate.organisations.models import EmploymentSpell, Organisation, Person
from cultivate.organisations.testing import make_organisation
from cultivate.organisations.tests.test_staff_import import (
    ASSIGNMENTS,
    ASSIGNMENTS_HEADER,
    PEOPLE,
    PEOPLE_HEADER,
    changed,
    write_extract,
)


@pytest.fixture
def organisation(db: None) -> Organisation:
    return make_organisation("RX1")


def test_a_clean_folder_imports_and_prints_the_counts(organisation: Organisation, tmp_path: Path) -> None:
    out, err = io.StringIO(), io.StringIO()

    call_command(
        "import_staff",
        str(write_extract(tmp_path)),
        "--organisation",
        "rx1",
        "--yes",
        stdout=out,
        stderr=err,
    )

    assert "People: 3 created, 0 updated, 0 unchanged. Spells: 4 created" in out.getvalue()
    assert 'New team (setting "Other"): Ward A' in out.getvalue()
    assert "Checking" in err.getvalue()  # the progress bar
    assert Person.objects.filter(organisation=organisation).count() == 3


def test_the_organisation_defaults_to_the_one_in_the_file(organisation: Organisation, tmp_path: Path) -> None:
    out = io.StringIO()
    call_command("import_staff", str(write_extract(tmp_path)), "--yes", stdout=out, stderr=io.StringIO())
    assert out.getvalue().startswith("RX1 ")

    again = io.StringIO()
    call_command("import_staff", str(tmp_path), "--yes", stdout=again, stderr=io.StringIO())
    assert (
        "People: 0 created, 0 updated, 3 unchanged. Spells: 0 created, 0 updated, 4 unchanged."
        in again.getvalue()
    )


def test_bad_files_exit_1_with_every_problem_and_change_nothing(
    organisation: Organisation, tmp_path: Path
) -> None:
    people = changed(PEOPLE, 1, "sex", "Q", PEOPLE_HEADER)
    assignments = changed(ASSIGNMENTS, 0, "fte", "1.6", ASSIGNMENTS_HEADER)

    with pytest.raises(CommandError) as raised:
        call_command(
            "import_staff",
            str(write_extract(tmp_path, people=people, assignments=assignments)),
            "--organisation",
            "RX1",
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )

    assert raised.value.returncode == 1
    lines = str(raised.value).splitlines()
    assert lines == [
        "RX1: 2 problems found; nothing was imported.",
        "people.csv:3: column 'sex' value 'Q': must be F, M, X (other) or U (not known)",
        "assignments.csv:2: column 'fte' value '1.6': must be more than 0 and at most 1.5 (contracted hours ÷ 37.5)",
    ]
    assert Person.objects.count() == 0 and EmploymentSpell.objects.count() == 0


def test_several_organisations_in_the_file_need_the_option(
    organisation: Organisation, tmp_path: Path
) -> None:
    make_organisation("RX2")
    assignments = changed(ASSIGNMENTS, 0, "organisation_code", "RX2", ASSIGNMENTS_HEADER)

    with pytest.raises(
        CommandError, match=r"names 2 organisations \(RX1, RX2\); choose one with --organisation"
    ):
        call_command(
            "import_staff", str(write_extract(tmp_path, assignments=assignments)), stderr=io.StringIO()
        )


def test_an_unknown_organisation_is_refused(organisation: Organisation, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match=r"no organisation with the ODS code ZZZ9"):
        call_command(
            "import_staff", str(write_extract(tmp_path)), "--organisation", "ZZZ9", stderr=io.StringIO()
        )


def test_a_folder_without_the_files_is_refused(organisation: Organisation, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match=r"has no people\.csv"):
        call_command("import_staff", str(tmp_path), "--organisation", "RX1", stderr=io.StringIO())


def test_a_dry_run_previews_the_changes_and_writes_nothing(
    organisation: Organisation, tmp_path: Path
) -> None:
    out = io.StringIO()

    call_command("import_staff", str(write_extract(tmp_path)), "--dry-run", stdout=out, stderr=io.StringIO())

    assert "People: 3 to create, 0 to update, 0 unchanged. Spells: 4 to create" in out.getvalue()
    assert "Dry run: nothing was imported." in out.getvalue()
    assert Person.objects.count() == 0


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(("answer", "people"), [("y\n", 3), ("\n", 0)])
def test_without_yes_the_command_asks_at_a_terminal(
    organisation: Organisation, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, answer: str, people: int
) -> None:
    monkeypatch.setattr("sys.stdin", _Terminal(answer))
    out = io.StringIO()

    if people:
        call_command("import_staff", str(write_extract(tmp_path)), stdout=out, stderr=io.StringIO())
    else:
        with pytest.raises(CommandError, match="Nothing was imported") as raised:
            call_command("import_staff", str(write_extract(tmp_path)), stdout=out, stderr=io.StringIO())
        assert raised.value.returncode == 2

    assert "People: 3 to create" in out.getvalue() and "Import these changes? [y/N]" in out.getvalue()
    assert Person.objects.count() == people


def test_without_yes_or_a_terminal_nothing_is_written(
    organisation: Organisation, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("y\n"))

    with pytest.raises(CommandError, match="run again with --yes") as raised:
        call_command("import_staff", str(write_extract(tmp_path)), stdout=io.StringIO(), stderr=io.StringIO())

    assert raised.value.returncode == 2 and "People: 3 to create" in str(raised.value)
    assert Person.objects.count() == 0
