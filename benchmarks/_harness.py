"""What every benchmark child process shares: a Django environment on its own SQLite file in a scratch folder,
and a run that hands back the child's figures (the JSON object on its last line of output)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def django_env(workdir: Path, database: Path, **extra: str) -> dict[str, str]:
    """Settings `local` on a fresh SQLite file, with nothing of the developer's own var/ or uploads/ touched."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cultivate.config.settings.local",
        "DATABASE_URL": f"sqlite:///{database}",
        "DJANGO_DEBUG": "0",
        "DJANGO_ALLOWED_HOSTS": "testserver",
        "CULTIVATE_VAR_DIR": str(workdir / "var"),
        "CULTIVATE_MEDIA_ROOT": str(workdir / "uploads"),
        "CULTIVATE_LOG_LEVEL": "WARNING",
        **extra,
    }


def last_json(output: str) -> dict[str, Any]:
    figures: dict[str, Any] = json.loads(output.strip().splitlines()[-1])
    return figures


def run_child(module: str, *args: str, env: dict[str, str]) -> dict[str, Any]:
    """Run `python -m <module> <args>` and return its figures; fail with its output when it fails."""
    result = subprocess.run(
        [sys.executable, "-m", module, *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(
            f"benchmark child {module} {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
        )
    return last_json(result.stdout)
