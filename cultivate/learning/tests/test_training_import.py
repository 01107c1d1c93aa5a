import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import Workbook

from cultivate.accounts.models import Role
from cultivate.accounts.testing import make_user
from cultivate.core.audit import AuditContext
from cultivate.learning import services
from cultivate.learning.models import Completion, TrainingImportStatus
from cultivate.learning.testing import make_offer, make_subject
from cultivate.organisations import testing as t
from cultivate.portfolio.tests.portfolio_factories import membership

pytestmark = pytest.mark.django_db
CTX = AuditContext.system("tests")


@pytest.fixture
def scene(settings, tmp_path, django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = tmp_path
    org = t.make_organisation()
    team = t.make_team(org)
    people = [t.make_person(org, team, staff_id=f"S{n}") for n in range(3)]
    fire = make_subject(org, "Fire safety")
    fire.code = "fire-safety"
    fire.save()
    make_offer(org, code="obs", title="Observations")
    return {
        "org": org,
        "people": people,
        "educator": make_user(Role.EDUCATOR, organisation=org),
        "on_commit": django_capture_on_commit_callbacks,
    }


def run(scene, content: bytes, name: str = "training.csv"):
    # The task runs once the upload is committed (test settings run tasks at once).
    with scene["on_commit"](execute=True):
        record = services.training_import_start(
            ctx=CTX,
            membership=membership(scene["educator"]),
            organisation=scene["org"],
            upload=SimpleUploadedFile(name, content),
        )
    record.refresh_from_db()
    return record


HEADER = "person_id,course_code,course_title,completed_on,mandatory,hours,cost_gbp\n"


def test_good_file_is_imported_and_a_second_run_adds_nothing(scene):
    day = (timezone.localdate() - dt.timedelta(days=3)).isoformat()
    content = (HEADER + f"S0,fire-safety,Fire,{day},Y,1,0\nS1,obs,Observations,{day},N,3.5,40\n").encode()
    record = run(scene, content)
    assert record.status == TrainingImportStatus.SUCCEEDED, record.problems
    assert record.report == {"rows": 2, "already": 0, "written": 2, "evidence": 0}
    assert Completion.objects.get(person=scene["people"][1]).cost == 40
    again = run(scene, content)
    assert again.report["written"] == 0 and again.report["already"] == 2
    assert Completion.objects.count() == 2


def test_every_bad_row_and_column_listed_and_nothing_written(scene):
    future = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    content = (
        HEADER
        + "S0,fire-safety,Fire,2026-01-05,Y,1,0\n"
        + "NOBODY,fire-safety,Fire,2026-01-05,Y,1,0\n"
        + f"S1,unknown,Something,{future},X,-1,abc\n"
    ).encode()
    record = run(scene, content)
    assert record.status == TrainingImportStatus.REJECTED
    found = {(p["row"], p["column"]) for p in record.problems}
    assert found == {
        (3, "person_id"),
        (4, "course_code"),
        (4, "completed_on"),
        (4, "mandatory"),
        (4, "hours"),
        (4, "cost_gbp"),
    }
    assert not Completion.objects.exists()


def test_missing_and_unknown_columns(scene):
    record = run(scene, b"person_id,course,completed_on\nS0,x,2026-01-01\n")
    problems = {(p["column"], p["problem"][:20]) for p in record.problems}
    assert ("course_code", "The column course_co") in problems
    assert ("course", "Unknown column: remo") in problems


def test_xlsx_workbook(scene):
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER.strip().split(","))
    sheet.append(["S2", "obs", "Observations", dt.date(2026, 2, 1), "N", 3, 40])
    buffer = io.BytesIO()
    book.save(buffer)
    record = run(scene, buffer.getvalue(), "export.xlsx")
    assert record.status == TrainingImportStatus.SUCCEEDED, record.problems
    assert Completion.objects.get().completed_on == dt.date(2026, 2, 1)


def test_upload_is_removed_afterwards(scene, tmp_path):
    run(scene, (HEADER + "S0,obs,O,2026-01-01,N,,\n").encode())
    assert not list((tmp_path / "training-imports").iterdir())


def test_hand_written_insert_gives_what_the_orm_gives(scene):
    from decimal import Decimal

    from cultivate.learning import training_import

    person = scene["people"][0]
    offer = scene["org"].offers.get()
    subject = scene["org"].mandatory_subjects.get()
    day = dt.date(2026, 3, 14)
    training_import.write([(person.pk, offer.pk, None, day, Decimal("3.5"), Decimal("40.25"))])
    training_import.write([(person.pk, None, subject.pk, day, Decimal("0"), Decimal("0"))])
    orm = Completion.objects.create(
        person=person,
        offer=offer,
        completed_on=day,
        hours=Decimal("3.5"),
        cost=Decimal("40.25"),
        source="import",
    )
    fields = ("person_id", "offer_id", "subject_id", "session_id", "completed_on", "hours", "cost", "source")
    written = list(Completion.objects.exclude(pk=orm.pk).order_by("pk").values_list(*fields))
    assert written[0] == Completion.objects.filter(pk=orm.pk).values_list(*fields).get()
    assert written[1] == (person.pk, None, subject.pk, None, day, Decimal("0.0"), Decimal("0.00"), "import")
    assert all(c.created_at and c.updated_at for c in Completion.objects.all())


def test_an_imported_course_that_develops_competences_stands_as_evidence(scene):
    """As a completion recorded in the service: evidence of the knowledge, linked to what the course develops;
    a mandatory subject's completion makes none."""
    from cultivate.frameworks.models import EvidenceKind
    from cultivate.portfolio.models import Evidence
    from cultivate.portfolio.tests.portfolio_factories import make_competence, make_framework

    framework = make_framework(owner_organisation=scene["org"])
    awareness = make_competence(framework, "Mental health awareness")
    make_offer(scene["org"], code="mha", title="Mental health awareness", develops=[awareness])
    day = timezone.localdate() - dt.timedelta(days=3)
    content = (
        HEADER + f"S0,mha,MHA,{day.isoformat()},N,3,0\nS1,mha,MHA,{day.isoformat()},N,3,0\n"
        f"S2,fire-safety,Fire,{day.isoformat()},Y,1,0\n"
    ).encode()
    record = run(scene, content)
    assert record.status == TrainingImportStatus.SUCCEEDED, record.problems
    assert record.report["evidence"] == 2
    for person in scene["people"][:2]:
        completion = Completion.objects.get(person=person)
        assert completion.evidence_id is not None
        evidence = Evidence.objects.get(pk=completion.evidence_id)
        assert (evidence.person_id, evidence.kind, evidence.occurred_on) == (
            person.pk,
            EvidenceKind.CERTIFICATE,
            day,
        )
        assert evidence.title == "Completed: Mental health awareness"
        assert list(evidence.links.values_list("competence_id", flat=True)) == [awareness.pk]
    assert Completion.objects.get(person=scene["people"][2]).evidence_id is None
