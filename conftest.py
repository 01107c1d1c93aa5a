"""Shared pytest configuration: every test gets a fresh temporary var/ directory for uploads."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "uploads"


# Fixtures through which a test reaches the relational database (pytest-django's, directly or via another).
_DATABASE_FIXTURES = frozenset(
    {"db", "transactional_db", "django_db_reset_sequences", "django_db_serialized_rollback"}
)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--database-tests-only",
        action="store_true",
        help="run only the tests that use the database (for the second run of the suite, on PostgreSQL)",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # A test that never touches the database (pytest-django refuses it any query) gives the same result on
    # SQLite and PostgreSQL, so the PostgreSQL run leaves it out instead of running it twice.
    if not config.getoption("--database-tests-only"):
        return
    kept, left_out = [], []
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        uses_database = item.get_closest_marker("django_db") is not None or bool(
            fixtures & _DATABASE_FIXTURES
        )
        (kept if uses_database else left_out).append(item)
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = kept
