"""`cultivate import-staff DIR [--organisation ODS]`: exit 0 with the counts, 1 (CommandError) with every problem."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from cultivate.core.testing import make_organisation
from cultivate.organisations.models import EmploymentSpell, Organisation, Person

from .test_staff_import import ASSIGNMENTS, ASSIGNMENTS_HEADER, PEOPLE, PEOPLE_HEADER, changed, write_extract


@pytest.fixture
def organisation(db: None) -> Organisation:
    return make_organisation("RX1")


def test_a_clean_folder_imports_and_prints_the_counts(organisation: Organisation, tmp_path: Path) -> None:
    out, err = io.StringIO(), io.StringIO()

    call_command(
        "import_staff", str(write_extract(tmp_path)), "--organisation", "rx1", stdout=out, stderr=err
    )

    assert "People: 3 created, 0 updated, 0 unchanged. Spells: 4 created" in out.getvalue()
    assert 'New team (setting "Other"): Ward A' in out.getvalue()
    assert "Checking" in err.getvalue()  # the progress bar
    assert Person.objects.filter(organisation=organisation).count() == 3


def test_the_organisation_defaults_to_the_one_in_the_file(organisation: Organisation, tmp_path: Path) -> None:
    out = io.StringIO()
    call_command("import_staff", str(write_extract(tmp_path)), stdout=out, stderr=io.StringIO())
    assert out.getvalue().startswith("RX1 ")

    again = io.StringIO()
    call_command("import_staff", str(tmp_path), stdout=again, stderr=io.StringIO())
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
