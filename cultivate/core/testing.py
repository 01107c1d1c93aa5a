"""Test support that needs no app: where the shared third-party fixtures are. The factories for users and
organisations live with their apps (`cultivate.accounts.testing`, `cultivate.organisations.testing`)."""

from __future__ import annotations

import os
from pathlib import Path


def shared_dir() -> Path:
    """The project's shared folder of third-party test fixtures (`interop/`, `data/`), read in place and never
    copied into the repository: `CULTIVATE_SHARED_DIR` if set, else `shared/` beside the checkout, else the
    workplace's `/work/shared` (a clean clone elsewhere still finds it)."""
    configured = os.environ.get("CULTIVATE_SHARED_DIR")
    if configured:
        return Path(configured)
    beside = Path(__file__).resolve().parents[2].parent / "shared"
    if beside.is_dir():
        return beside
    return Path("/work/shared")
