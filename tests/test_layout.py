"""Tests mirror the code they test (docs/development.md, "Where tests live"): under `cultivate/<app>/tests/`, a
test module `<path>/test_<name>.py` tests `cultivate/<app>/<path>/<name>.py` or the package
`cultivate/<app>/<path>/<name>/`; one module tested from several test modules gets `test_<name>__<topic>.py`."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CULTIVATE = ROOT / "cultivate"

# Test modules that test no single module, each with its reason. Keep this short: a new test module mirrors a module.
NOT_MIRRORED: dict[str, str] = {
    "core/tests/test_core.py": "site-wide behaviour spread over core's middleware, views and models "
    "(CSP, NHS layout, error pages, caching, immutable audit rows)",
    "core/tests/test_processes.py": "real processes end to end: a killed task worker and `cultivate serve` "
    "under SIGTERM/SIGINT (worker command, task recovery and __main__ together)",
}


def _test_modules() -> list[Path]:
    return sorted(CULTIVATE.glob("*/tests/**/test_*.py"))


def mirrored(path: Path) -> bool:
    app_dir = path.relative_to(CULTIVATE).parts[0]
    under_tests = path.relative_to(CULTIVATE / app_dir / "tests")
    name = under_tests.stem.removeprefix("test_").split("__")[0]
    target = CULTIVATE / app_dir / under_tests.parent / name
    return target.with_suffix(".py").is_file() or (target / "__init__.py").is_file()


def test_every_test_module_mirrors_a_module() -> None:
    unmirrored = [
        str(path.relative_to(CULTIVATE))
        for path in _test_modules()
        if not mirrored(path) and str(path.relative_to(CULTIVATE)) not in NOT_MIRRORED
    ]
    assert not unmirrored, (
        f"test modules that mirror no module (rename, or add to NOT_MIRRORED with a reason): {unmirrored}"
    )


def test_exceptions_are_still_needed() -> None:
    stale = [name for name in NOT_MIRRORED if not (CULTIVATE / name).is_file() or mirrored(CULTIVATE / name)]
    assert not stale, f"NOT_MIRRORED entries that are gone or now mirror a module: {stale}"


def test_every_test_folder_is_a_package() -> None:
    """Without `__init__.py`, two `test_views.py` in different folders clash under pytest's import mode."""
    folders = {path.parent for path in _test_modules()}
    missing = [
        str(folder.relative_to(CULTIVATE)) for folder in folders if not (folder / "__init__.py").is_file()
    ]
    assert not missing, f"test folders without __init__.py: {missing}"
