import pytest
from django.core.management import CommandError, call_command

from cultivate.accounts import testing as t
from cultivate.pathways.models import Pathway, ResultSource, SkillsResult

pytestmark = pytest.mark.django_db


def test_reference_loads_the_pathways(capsys):
    call_command("pathways", "reference")
    assert "Loaded 6 standards and 3 pathways" in capsys.readouterr().out
    assert Pathway.objects.count() == 3


def test_import_skills_checks_every_row_before_saving_any(tmp_path):
    org = t.make_organisation("RAA")
    t.make_person(org, staff_id="100")
    bad = tmp_path / "bad.csv"
    bad.write_text("staff_id,subject,level,assessed_on\n100,maths,L1,2026-01-05\n999,maths,L1,2026-01-05\n")
    with pytest.raises(CommandError) as error:
        call_command("pathways", "import-skills", "RAA", str(bad))
    assert "Row 3: no one with that staff ID" in str(error.value)
    assert not SkillsResult.objects.exists()
    good = tmp_path / "good.csv"
    good.write_text(
        "staff_id,subject,level,assessed_on\n100,maths,L1,2026-01-05\n100,English,e3,2026-01-05\n"
    )
    call_command("pathways", "import-skills", "raa", str(good))
    assert SkillsResult.objects.filter(source=ResultSource.IMPORT).count() == 2
