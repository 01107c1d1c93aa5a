"""`cultivate frameworks import-case` and `export-case`."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from cultivate.frameworks.case import testing
from cultivate.frameworks.case.writer import schema_problems
from cultivate.frameworks.models import Framework, FrameworkVersion, VersionStatus
from cultivate.organisations.testing import make_alliance, make_organisation

pytestmark = [
    pytest.mark.django_db,
]

ORDERING = testing.CASE_DIR / "Ordering.json"
ORDERING_ID = "a33fc64e-5c40-11e7-82c4-3d54268aa9ee"


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("frameworks", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_import_prints_the_identifier_and_the_counts() -> None:
    organisation = make_organisation("RX1")

    out, _ = run("import-case", str(ORDERING), "--organisation", "rx1", "--publish")

    assert f"Framework: {ORDERING_ID}" in out
    assert "Items imported: 28" in out and "Associations imported: 28" in out
    assert "Version: 1 (published)" in out
    assert Framework.objects.get(identifier=ORDERING_ID).owner_organisation == organisation

    again, _ = run("import-case", str(ORDERING), "--organisation", "RX1")
    assert again.startswith("No change")


def test_import_into_an_alliance_or_as_a_reference() -> None:
    alliance = make_alliance("Harrowdale")
    run("import-case", str(ORDERING), "--alliance", alliance.code)
    assert Framework.objects.get(identifier=ORDERING_ID).owner_alliance == alliance

    out, _ = run("import-case", str(testing.CASE_DIR / "Utf8TestFramework.json"), "--reference")
    reference = Framework.objects.get(identifier="d0000000-0000-0000-0000-000000000000")
    assert reference.is_reference and "Items imported: 1" in out


def test_a_bad_file_exits_1_with_every_problem_and_changes_nothing(tmp_path: Path) -> None:
    make_organisation("RX1")
    package = json.loads(ORDERING.read_text())
    del package["CFItems"][12]["fullStatement"]
    package["CFAssociations"][3]["originNodeURI"] = None
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(package))
    before = FrameworkVersion.objects.count()
    err = io.StringIO()

    with pytest.raises(CommandError) as failed:
        call_command(
            "frameworks", "import-case", str(bad), "--organisation", "RX1", stdout=io.StringIO(), stderr=err
        )

    assert failed.value.returncode == 1
    lines = err.getvalue().splitlines()
    assert lines[0] == "bad.json: Not imported: 2 problems. Nothing was changed."
    assert lines[1:] == [
        "$.CFItems[12].fullStatement: required",
        "$.CFAssociations[3].originNodeURI: required (with an identifier or a uri)",
    ]
    assert FrameworkVersion.objects.count() == before


def test_unknown_owner_and_no_owner_are_refused() -> None:
    with pytest.raises(CommandError):
        call_command(
            "frameworks",
            "import-case",
            str(ORDERING),
            "--organisation",
            "ZZZ99",
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("frameworks", "import-case", str(ORDERING), stdout=io.StringIO(), stderr=err)
    assert "$: a new framework needs an owner" in err.getvalue()


def test_export_writes_a_valid_package_of_the_published_or_a_named_version(tmp_path: Path) -> None:
    make_organisation("RX1")
    run("import-case", str(ORDERING), "--organisation", "RX1", "--publish")
    changed = json.loads(ORDERING.read_text())
    changed["CFItems"][0]["fullStatement"] = "Geometry, measurement and shape"
    newer = tmp_path / "newer.json"
    newer.write_text(json.dumps(changed))
    run("import-case", str(newer), "--organisation", "RX1")  # version 2, a draft

    out_file = tmp_path / "out.json"
    out, _ = run("export-case", ORDERING_ID, "--out", str(out_file), "--schema", str(testing.OFFICIAL_SCHEMA))

    assert "version 1 (published), 28 items, 28 associations" in out
    package = json.loads(out_file.read_text(encoding="utf-8"))
    assert not schema_problems(package, testing.official_schema())
    assert package["CFDocument"]["adoptionStatus"] == "Adopted"

    draft_file = tmp_path / "draft.json"
    run("export-case", ORDERING_ID, "--out", str(draft_file), "--version", "2")
    draft = json.loads(draft_file.read_text(encoding="utf-8"))
    assert draft["CFDocument"]["adoptionStatus"] == "Draft"
    assert draft["CFItems"][0]["fullStatement"] == "Geometry, measurement and shape"


def test_export_of_an_unknown_framework_or_version_fails(tmp_path: Path) -> None:
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command(
            "frameworks",
            "export-case",
            ORDERING_ID,
            "--out",
            str(tmp_path / "x.json"),
            stdout=io.StringIO(),
            stderr=err,
        )
    assert "There is no framework with the identifier" in err.getvalue()
    assert not (tmp_path / "x.json").exists()


def test_the_cultivate_command_imports_in_a_process_of_its_own(tmp_path: Path) -> None:
    """The real entry point, on a database file of its own (migrated first)."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cultivate.config.settings.local",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}",
        "CULTIVATE_VAR_DIR": str(tmp_path / "var"),
        "CULTIVATE_LOG_LEVEL": "WARNING",
        "DJANGO_DEBUG": "0",
    }
    root = testing.REPOSITORY

    def cultivate(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "cultivate", *args],
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
            check=False,
            timeout=300,
        )

    migrated = cultivate("migrate", "--verbosity", "0")
    assert migrated.returncode == 0, migrated.stderr
    done = cultivate("frameworks", "import-case", str(ORDERING), "--reference")
    assert done.returncode == 0, done.stderr
    assert f"Framework: {ORDERING_ID}" in done.stdout and "Items imported: 28" in done.stdout

    bad = tmp_path / "bad.json"
    bad.write_text('{"CFDocument": {"title": "x"}}')
    refused = cultivate("frameworks", "import-case", str(bad), "--reference")
    assert refused.returncode == 1
    assert "$.CFDocument.identifier: required" in refused.stderr


def test_an_import_is_a_draft_unless_published_with_the_flag(tmp_path: Path) -> None:
    make_organisation("RX1")
    out, _ = run("import-case", str(ORDERING), "--organisation", "RX1")
    assert "Version: 1 (draft)" in out
    assert FrameworkVersion.objects.get(framework__identifier=ORDERING_ID).status == VersionStatus.DRAFT
    FrameworkVersion.objects.filter(framework__identifier=ORDERING_ID).delete()

    run("import-case", str(ORDERING), "--organisation", "RX1", "--publish")
    assert FrameworkVersion.objects.get(framework__identifier=ORDERING_ID).status == VersionStatus.PUBLISHED

    # A new version published with the flag retires the one it replaces, as the publish page does.
    changed = json.loads(ORDERING.read_text())
    changed["CFItems"][0]["fullStatement"] = "Geometry, measurement and shape"
    newer = tmp_path / "newer.json"
    newer.write_text(json.dumps(changed))
    out, _ = run("import-case", str(newer), "--organisation", "RX1", "--publish")
    assert "Version: 2 (published)" in out
    statuses = dict(
        FrameworkVersion.objects.filter(framework__identifier=ORDERING_ID).values_list("number", "status")
    )
    assert statuses == {1: VersionStatus.RETIRED, 2: VersionStatus.PUBLISHED}
