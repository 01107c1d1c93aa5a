"""Settings shared by every environment. Every value that differs between machines comes from the environment;
`.env.tpl` at the project root documents each variable."""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parents[3]
PACKAGE_DIR = BASE_DIR / "cultivate"
VAR_DIR = Path(os.environ.get("CULTIVATE_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    # ninja's app (its templates, static files and commands); /api/docs is our own page (config/api_docs.py).
    "ninja",
    "rules.apps.AutodiscoverRulesConfig",
    "cultivate.core",
    "cultivate.organisations",
    "cultivate.accounts",
    "cultivate.frameworks",
    "cultivate.portfolio",
    "cultivate.insights",
    "cultivate.pathways",
    "cultivate.learning",
    "cultivate.programmes",
    "cultivate.credentials",
    # Above every app: the home page, the navigation gathered from the apps' menus, the audit log.
    "cultivate.site",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages and API answers compressed (static files come compressed ahead from WhiteNoise, which answers above
    # this); safe with the CSRF token and why: ADR 0029 (asset pipeline), BREACH.
    "django.middleware.gzip.GZipMiddleware",
    "cultivate.core.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "cultivate.core.middleware.SessionRefreshMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "cultivate.core.middleware.NoStoreForSignedInMiddleware",
    "cultivate.accounts.middleware.ActiveRoleMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "cultivate.config.urls"
WSGI_APPLICATION = "cultivate.config.wsgi.application"

TEMPLATES = [
    {
        # Pages are Jinja2 with the NHS.UK components from nhsuk-frontend-jinja.
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [PACKAGE_DIR / "core" / "jinja2"],
        "APP_DIRS": True,
        "OPTIONS": {
            "environment": "cultivate.config.jinja2_env.environment",
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.messages.context_processors.messages",
                "cultivate.core.context_processors.layout",
                "cultivate.site.context_processors.navigation",
            ],
        },
    },
    {
        # Only Django admin and the API docs page use Django templates.
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

VAR_DIR.mkdir(parents=True, exist_ok=True)
(VAR_DIR / "static").mkdir(exist_ok=True)  # WhiteNoise warns when its root is missing
DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default=f"sqlite:///{VAR_DIR / 'cultivate.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
    )
}
# Applied to every new SQLite connection (Django runs each init_command statement on connect). WAL lets pages read
# while one writer writes; IMMEDIATE takes the write lock at BEGIN, so a writer waits up to `timeout` seconds (the
# busy timeout) for another instead of failing with "database is locked" when a read lock cannot be upgraded.
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = dict(SQLITE_OPTIONS)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "site:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Sign-in throttling (cultivate/accounts/throttle.py): failures are counted per email address, whether or not an
# account has it, and per client; when either reaches its limit within the window, sign-in for that address or
# from that client is locked for the lock period (a password reset unlocks an address early).
LOCKOUT_MAX_FAILURES = int(os.environ.get("CULTIVATE_LOCKOUT_MAX_FAILURES", "5"))
# Higher than per address: a whole ward, or a trust behind one NAT address, may share one client address.
LOCKOUT_CLIENT_MAX_FAILURES = int(os.environ.get("CULTIVATE_LOCKOUT_CLIENT_MAX_FAILURES", "50"))
LOCKOUT_WINDOW_MINUTES = int(os.environ.get("CULTIVATE_LOCKOUT_WINDOW_MINUTES", "15"))
LOCKOUT_MINUTES = int(os.environ.get("CULTIVATE_LOCKOUT_MINUTES", "15"))
# How many reverse proxies in front of the service add to X-Forwarded-For. 0 (the default) trusts none and takes
# the client's address from the connection (REMOTE_ADDR); behind one load balancer, set 1.
TRUSTED_PROXY_COUNT = int(os.environ.get("CULTIVATE_TRUSTED_PROXIES", "0"))

# Sessions live in the database, so signing out or changing a password ends them on the server (shared ward
# computers). They end after a period of inactivity and when the browser closes. A page view does not write the
# session: SessionRefreshMiddleware saves it again only when this many seconds have passed since its last save, so
# the idle timeout holds to within that interval (ADR 0018).
SESSION_COOKIE_AGE = int(os.environ.get("CULTIVATE_SESSION_IDLE_MINUTES", "60")) * 60
SESSION_SAVE_EVERY_REQUEST = False
SESSION_REFRESH_SECONDS = int(os.environ.get("CULTIVATE_SESSION_REFRESH_SECONDS", "60"))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
NODE_MODULES = Path(os.environ.get("CULTIVATE_NODE_MODULES", BASE_DIR / "node_modules"))
STATICFILES_DIRS = [PACKAGE_DIR / "core" / "static"]
# From the npm packages, only the files pages load (cultivate/core/staticfiles.py): the NHS.UK frontend's assets
# (icons, images). Scripts are bundled at install (the Makefile's esbuild rules) into build/ folders, which also take
# in the NHS.UK frontend's script and the chart libraries.
STATIC_NODE_FILES = [
    ("nhsuk", NODE_MODULES / "nhsuk-frontend" / "dist" / "nhsuk", ["assets/*"]),
]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "cultivate.core.staticfiles.NodeModulesFinder",
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# Uploaded files live outside the web root and are only served through views that check access.
MEDIA_ROOT = Path(os.environ.get("CULTIVATE_MEDIA_ROOT", VAR_DIR / "uploads"))
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 50 * 1024 * 1024
STAFF_IMPORT_MAX_UPLOAD_MB = int(os.environ.get("CULTIVATE_STAFF_IMPORT_MAX_UPLOAD_MB", "200"))
# Imports with more rows than this run as a background task with progress shown.
STAFF_IMPORT_BACKGROUND_ROWS = int(os.environ.get("CULTIVATE_STAFF_IMPORT_BACKGROUND_ROWS", "2000"))
# Rows read from one staff file; a larger file is refused whole (a trust's extract is far smaller).
STAFF_IMPORT_MAX_ROWS = int(os.environ.get("CULTIVATE_STAFF_IMPORT_MAX_ROWS", "500000"))
# The insights store: Parquet datasets read by the dashboards (cultivate/insights/store.py).
INSIGHTS_STORE = Path(os.environ.get("CULTIVATE_INSIGHTS_STORE", VAR_DIR / "insights"))

TASKS = {
    "default": {
        "BACKEND": os.environ.get("CULTIVATE_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}
# A running job whose worker has shown no sign of life for this long is recovered: failed (its uploads
# removed) or queued again (cultivate.core.jobs).
TASK_STALE_MINUTES = float(os.environ.get("CULTIVATE_TASK_STALE_MINUTES", "10"))
# A job waiting for a person (a staff import's preview, to confirm or cancel) keeps its uploads, which hold
# personal data, for this long; then it is cancelled and they are deleted.
JOB_WAITING_HOURS = float(os.environ.get("CULTIVATE_JOB_WAITING_HOURS", "24"))
# Bounds on uploaded files: a small zip can unpack to a great deal (insights extracts), and a file of nothing but
# mistakes must not keep a worker busy for minutes writing them all down. Problems beyond the bound are counted,
# not kept (staff and insights imports). Rows per file of an insights extract (national extracts are large).
IMPORT_MAX_UNPACKED_MB = int(os.environ.get("CULTIVATE_IMPORT_MAX_UNPACKED_MB", "2048"))
IMPORT_MAX_ROWS = int(os.environ.get("CULTIVATE_IMPORT_MAX_ROWS", "10000000"))
IMPORT_MAX_PROBLEMS = int(os.environ.get("CULTIVATE_IMPORT_MAX_PROBLEMS", "1000"))

EMAIL_BACKEND = os.environ.get("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = os.environ.get("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("DJANGO_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("DJANGO_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("DJANGO_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "Cultivate <no-reply@cultivate.invalid>")

SERVICE_NAME = "Cultivate"
# The address people reach the service at, for links in emails sent outside a request (reminders).
SITE_URL = os.environ.get("CULTIVATE_SITE_URL", "http://127.0.0.1:8000")
# Encrypts the credentials app's issuer private keys (AES-GCM under a key derived from it). Production refuses to
# start without it; losing it means issuing with new keys (old credentials still verify: their public keys stay).
CREDENTIALS_KEY = os.environ.get("CREDENTIALS_KEY", "")
# The demo app is added only by settings that opt in (local and test); production never installs it.
DEMO_ENABLED = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("CULTIVATE_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
