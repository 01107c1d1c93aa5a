"""Runs Digital Bazaar's verifier (verify_with_node.mjs) over credentials, with our status lists as documents."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from cultivate.credentials import jsonld
from cultivate.credentials.models import IssuerKey

SCRIPT = Path(__file__).with_name("verify_with_node.mjs")


def node_verify(credentials: list[dict[str, Any]]) -> list[dict[str, Any]]:
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is needed for the independent verification (make install)")
    documents = {key.status_list["id"]: key.status_list for key in IssuerKey.objects.all() if key.status_list}
    payload = {"contexts": str(jsonld.CONTEXTS_FILE), "documents": documents, "credentials": credentials}
    result = subprocess.run(
        [node, str(SCRIPT)],
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout)
