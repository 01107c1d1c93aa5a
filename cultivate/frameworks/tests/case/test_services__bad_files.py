"""Files that are not CASE packages, or that Python or the database cannot take, are a clear problem on the
import page, from the service and on the command line, never a 500: JSON nested too deeply (for the decoder
or for the walks after it), a top level that is null, a number, text or a list, a number of 5,000 digits or
one too large for a float, NaN, text that is not UTF-8, an empty file (with or without a byte-order mark),
and text holding NUL or a lone surrogate (which PostgreSQL and UTF-8 refuse). Nothing is imported."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client

from cultivate.accounts.models import Role
from cultivate.accounts.testing import make_organisation, make_user
from cultivate.core.audit import AuditContext
from cultivate.frameworks.case import testing
from cultivate.frameworks.case.services import case_import
from cultivate.frameworks.models import Framework

# Changes made outside a request name a job: the audit log refuses a change nobody answers for.
TEST_JOB = AuditContext.system("test")

pytestmark = pytest.mark.django_db

IMPORT_URL = "/frameworks/case/import/"
DOCUMENT = '{"CFDocument": {"identifier": "d", "title": "T", "extensions": %s}}'


def _with(value: str) -> bytes:
    """A package whose document's extensions hold `value` (JSON text)."""
    return (DOCUMENT % value).encode()


def _item(statement: str) -> bytes:
    package = {
        "CFDocument": {"identifier": "d", "title": "T"},
        "CFItems": [{"identifier": "i", "fullStatement": statement}],
    }
    return json.dumps(package).encode()


BAD_FILES = [
    ("deep-for-the-decoder", b"[" * 100_000 + b"]" * 100_000, "nested more than 64 levels deep"),
    ("deep-for-the-walker", _with('{"a": ' * 900 + "1" + "}" * 900), "nested more than 64 levels deep"),
    ("null", b"null", "must be a JSON object holding a CASE package (CFDocument, CFItems, ...), not null"),
    ("number", b"42", "not a number"),
    ("text", b'"CFDocument"', "not text"),
    ("list", b"[{}]", "not a list"),
    ("5000-digits", _with('{"n": ' + "9" * 5000 + "}"), "holds a number of 5,000 digits"),
    ("too-large", _with('{"n": 1e999}'), "holds a number too large to read (1e999)"),
    ("nan", _with('{"n": NaN}'), "holds NaN, which is not a number JSON allows"),
    ("not-utf-8", b'{"CFDocument": {"title": "caf\xe9"}}', "the file is not UTF-8 text (byte 29"),
    ("bom-only", b"\xef\xbb\xbf  ", "the file is empty"),
    ("nul", _item("Takes\u0000blood"), "$.CFItems[0].fullStatement: text holding the NUL character"),
    ("surrogate", b'{"CFDocument": {"identifier": "d", "title": "\\ud800"}}', "lone surrogate (U+D800)"),
]


@pytest.fixture
def organisation():
    return make_organisation("RX1")


@pytest.mark.parametrize(("name", "content", "message"), BAD_FILES, ids=[name for name, _c, _m in BAD_FILES])
def test_the_upload_page_shows_the_problem(organisation, name: str, content: bytes, message: str) -> None:
    before = Framework.objects.count()
    client = Client()  # re-raises any exception in the view: a 500 fails the test
    client.force_login(make_user(Role.ORG_ADMIN, organisation=organisation))

    upload = SimpleUploadedFile(f"{name}.json", content, content_type="application/json")
    response = client.post(IMPORT_URL, {"package": upload})

    assert response.status_code == 200
    html = response.content.decode()
    assert "nhsuk-error-summary" in html
    # The page words where the problem is and keeps the JSON path beside it for whoever fixes the file.
    path, _, what = message.rpartition(": ")
    assert what.replace('"', "&quot;") in html or what in html
    assert path.replace("'", "&#x27;") in html or path in html
    assert Framework.objects.count() == before


@pytest.mark.parametrize(("name", "content", "message"), BAD_FILES, ids=[name for name, _c, _m in BAD_FILES])
def test_the_service_returns_the_problem(organisation, name: str, content: bytes, message: str) -> None:
    before = Framework.objects.count()
    outcome = case_import(data=content, actor=None, ctx=TEST_JOB, organisation=organisation)

    assert not outcome.ok
    assert outcome.summary().startswith("Not imported")
    assert any(message in str(problem) for problem in outcome.problems), outcome.problems
    assert Framework.objects.count() == before


def test_an_empty_upload_is_refused_by_the_form(organisation) -> None:
    client = Client()
    client.force_login(make_user(Role.ORG_ADMIN, organisation=organisation))

    response = client.post(IMPORT_URL, {"package": SimpleUploadedFile("empty.json", b"")})

    assert response.status_code == 200
    assert "The selected file is empty" in response.content.decode()
    assert (
        case_import(data=b"", actor=None, ctx=TEST_JOB, organisation=organisation).problems[0].message
        == "the file is empty"
    )


def test_a_byte_order_mark_before_a_real_package_is_accepted(organisation) -> None:
    package = b"\xef\xbb\xbf" + testing.real_package("Ordering.json")
    client = Client()
    client.force_login(make_user(Role.ORG_ADMIN, organisation=organisation))

    response = client.post(IMPORT_URL, {"package": SimpleUploadedFile("bom.json", package)}, follow=True)

    assert "Check the imported framework" in response.content.decode()


@pytest.mark.parametrize("name", ["deep-for-the-decoder", "null", "5000-digits", "nul"])
def test_the_command_prints_the_problem_and_exits_1(organisation, tmp_path: Path, name: str) -> None:
    content, message = next((c, m) for n, c, m in BAD_FILES if n == name)
    path = tmp_path / f"{name}.json"
    path.write_bytes(content)
    err = io.StringIO()
    before = Framework.objects.count()

    with pytest.raises(CommandError) as failed:
        call_command(
            "frameworks", "import-case", str(path), "--organisation", "RX1", stdout=io.StringIO(), stderr=err
        )

    assert failed.value.returncode == 1
    assert err.getvalue().startswith(f"{name}.json: Not imported: 1 problem. Nothing was changed.\n")
    assert message in err.getvalue()
    assert Framework.objects.count() == before
