"""Shared pytest configuration: every test gets a fresh temporary var/ directory for uploads."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "uploads"
