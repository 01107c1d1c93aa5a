"""For tests only: where the third-party CASE files are (read in place, never copied into the repository)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from cultivate.core.testing import shared_dir

REPOSITORY = Path(__file__).resolve().parents[3]
CASE_DIR = shared_dir() / "interop" / "case"
OFFICIAL_SCHEMA = CASE_DIR / "case-v1p1-cfpackage-official.json"
REAL_PACKAGES = (
    "Utf8TestFramework.json",
    "Ordering.json",
    "SmartLevelFramework.json",
    "opensalt-framework-20c5134f-423d-4097-a971-3dd5152bf507.json",
)


def available() -> bool:
    return OFFICIAL_SCHEMA.is_file() and all((CASE_DIR / name).is_file() for name in REAL_PACKAGES)


def official_schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(OFFICIAL_SCHEMA.read_text(encoding="utf-8"))
    return loaded


def real_package(name: str) -> bytes:
    return (CASE_DIR / name).read_bytes()
