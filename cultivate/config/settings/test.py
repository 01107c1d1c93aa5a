"""The test suite. SQLite in memory unless DATABASE_URL points at PostgreSQL (as .ci/run does)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .base import *  # noqa: F403
from .base import DATABASES, INSTALLED_APPS

DEBUG = False
SECRET_KEY = "test-only-not-secret"  # noqa: S105
CREDENTIALS_KEY = "test-only-credentials-key-not-secret"
INSTALLED_APPS = [*INSTALLED_APPS, "cultivate.demo"]
DEMO_ENABLED = True
if not os.environ.get("DATABASE_URL"):
    DATABASES["default"] = {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:", "TEST": {"NAME": ""}}
# Fast hashing keeps the suite quick; the argon2 configuration itself is asserted in accounts tests.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
# Never the developer's insights store (the demo command writes a snapshot); tests that read it set their own.
INSIGHTS_STORE = Path(tempfile.gettempdir()) / f"cultivate-test-insights-{os.getpid()}"
WHITENOISE_USE_FINDERS = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
