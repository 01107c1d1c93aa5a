"""Development on a laptop: `make run` (which turns debug pages off, DJANGO_DEBUG=0, to show the NHS error pages;
`make run DEBUG=1` turns them on). Console email, the demo generator installed."""

from __future__ import annotations

import os

from .base import *  # noqa: F403
from .base import INSTALLED_APPS, env_bool

DEBUG = env_bool("DJANGO_DEBUG", True)
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "") or "local-development-only-not-secret"
# A development key for the issuer keys; a laptop's credentials are not meant to be trusted anywhere.
CREDENTIALS_KEY = os.environ.get("CREDENTIALS_KEY", "") or "local-development-credentials-key-not-secret"
EMAIL_BACKEND = os.environ.get("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
INSTALLED_APPS = [*INSTALLED_APPS, "cultivate.demo"]
DEMO_ENABLED = True
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
