# Cultivate configuration. Every setting comes from an environment variable; this file lists them all with their
# defaults. Copy it to .env (git ignores .env), change what you need, and load it into the environment of the
# process that runs Cultivate. Nothing reads .env by itself: use `set -a; . ./.env; set +a` in a shell,
# `EnvironmentFile=` in a systemd unit or `--env-file` with a container runtime.
# A commented-out line shows the default that applies when the variable is not set.

# --- Which settings module ------------------------------------------------------------------------------------
# `cultivate` and the WSGI application default to local settings (debug pages, console email, demo generator).
# A server must use the production settings, which refuse to start without DJANGO_SECRET_KEY and never install
# the demo generator. The test suite uses cultivate.config.settings.test (set in pyproject.toml).
# A production server is set up step by step in docs/deployment.md; with its values here,
# `cultivate check --deploy --fail-level WARNING` reports no issues.
# DJANGO_SETTINGS_MODULE=cultivate.config.settings.local

# --- Django core ----------------------------------------------------------------------------------------------
# Signs sessions, password-reset links and CSRF tokens. Required in production; a long random string, e.g. from
# `python -c "import secrets; print(secrets.token_urlsafe(50))"`. Local settings fall back to a fixed,
# non-secret development key when this is empty.
# DJANGO_SECRET_KEY=
# Detailed error pages. Default: true in local settings, false otherwise; production settings ignore it and
# always run with it off.
# DJANGO_DEBUG=true
# Host names the service answers to, comma-separated.
# DJANGO_ALLOWED_HOSTS=127.0.0.1,localhost
# Origins trusted for form posts when behind a proxy on another scheme or host, comma-separated, each with its
# scheme, e.g. https://cultivate.example.nhs.uk. Empty by default.
# DJANGO_CSRF_TRUSTED_ORIGINS=
# Production only: redirect plain HTTP to HTTPS. Turn off only when the load balancer already does it.
# DJANGO_SECURE_SSL_REDIRECT=true

# --- Database -------------------------------------------------------------------------------------------------
# SQLite by default, in $CULTIVATE_VAR_DIR/cultivate.sqlite3. For PostgreSQL:
#   DATABASE_URL=postgres://user:password@host:5432/cultivate
# Tests use an in-memory SQLite database unless DATABASE_URL is set, in which case they run on that server.
# DATABASE_URL=sqlite:///<project>/var/cultivate.sqlite3
# Seconds a database connection is kept open for reuse between requests (0 closes it after each request).
# DATABASE_CONN_MAX_AGE=60

# --- Files ----------------------------------------------------------------------------------------------------
# Where the service keeps its working files: the SQLite database, collected static files and uploads.
# CULTIVATE_VAR_DIR=<project>/var
# Uploaded files (staff import folders and their problem reports). Outside the web root; only views that check
# access serve them.
# CULTIVATE_MEDIA_ROOT=$CULTIVATE_VAR_DIR/uploads
# The npm packages directory holding nhsuk-frontend and the chart libraries (installed by `make install` / `npm ci`).
# `collectstatic` copies the files pages load from it into $CULTIVATE_VAR_DIR/static.
# CULTIVATE_NODE_MODULES=<project>/node_modules
# The insights store (Parquet datasets and their manifest) that the workforce insights dashboards read.
# CULTIVATE_INSIGHTS_STORE=$CULTIVATE_VAR_DIR/insights

# --- Sign-in and sessions -------------------------------------------------------------------------------------
# Failed sign-ins allowed for one email address (with an account or not) within the window before sign-in
# for that address is locked.
# CULTIVATE_LOCKOUT_MAX_FAILURES=5
# Failed sign-ins allowed from one client address within the window, whatever email addresses they name.
# CULTIVATE_LOCKOUT_CLIENT_MAX_FAILURES=50
# The window, in minutes, in which failed sign-ins are counted.
# CULTIVATE_LOCKOUT_WINDOW_MINUTES=15
# How long, in minutes, a lock lasts (a password reset lifts an address's lock at once).
# CULTIVATE_LOCKOUT_MINUTES=15
# How many reverse proxies in front of the service add to X-Forwarded-For (0: trust none, use the connection's
# address; 1 behind one load balancer). Client addresses feed the sign-in throttle and the audit log.
# CULTIVATE_TRUSTED_PROXIES=0
# Minutes of inactivity after which a session ends (sessions also end when the browser closes).
# CULTIVATE_SESSION_IDLE_MINUTES=60
# A page view saves the session (moving its idle expiry on) only when this many seconds have passed since its last
# save, so pages do not write to the database (docs/adr/0013); the idle timeout holds to within this interval.
# CULTIVATE_SESSION_REFRESH_SECONDS=60

# --- Staff import ---------------------------------------------------------------------------------------------
# Largest upload accepted by the staff import page, in megabytes.
# CULTIVATE_STAFF_IMPORT_MAX_UPLOAD_MB=200
# Imports with more rows than this run as a background task, with progress shown on the page.
# CULTIVATE_STAFF_IMPORT_BACKGROUND_ROWS=2000

# --- Background tasks -----------------------------------------------------------------------------------------
# The django-tasks backend. The database backend needs a worker: `cultivate serve` starts one unless given
# --no-worker, or run `cultivate worker` separately. Tests use the immediate backend.
# CULTIVATE_TASK_BACKEND=django_tasks_db.DatabaseBackend
# A running job (import, snapshot, board report) whose worker has shown no sign of life for this many minutes is
# recovered: failed with a message and its uploads deleted, or queued again (board reports, once).
# CULTIVATE_TASK_STALE_MINUTES=10
# A staff import's preview not confirmed or cancelled within this many hours is cancelled and its uploads deleted.
# CULTIVATE_JOB_WAITING_HOURS=24
# The CPU priority (nice) of the task workers `cultivate serve` starts: pages come first.
# CULTIVATE_TASK_WORKER_NICE=10

# --- Bounds on uploaded files ----------------------------------------------------------------------------------
# The most an uploaded insights zip (or workbook) may unpack to, in megabytes; the rows one insights file, or one
# staff file, may hold; and the problems kept before checking stops (all are counted; the first are shown and
# offered as CSV), for both imports.
# CULTIVATE_IMPORT_MAX_UNPACKED_MB=2048
# CULTIVATE_IMPORT_MAX_ROWS=10000000
# CULTIVATE_STAFF_IMPORT_MAX_ROWS=500000
# CULTIVATE_IMPORT_MAX_PROBLEMS=1000

# --- Email (password-reset links) -----------------------------------------------------------------------------
# Default: SMTP; local settings print email to the console instead.
# DJANGO_EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend
# DJANGO_EMAIL_HOST=localhost
# DJANGO_EMAIL_PORT=25
# DJANGO_EMAIL_HOST_USER=
# DJANGO_EMAIL_HOST_PASSWORD=
# DJANGO_EMAIL_USE_TLS=false
# DJANGO_DEFAULT_FROM_EMAIL=Cultivate <no-reply@cultivate.invalid>

# --- Web server (`cultivate serve`) ---------------------------------------------------------------------------
# Address and port gunicorn binds to, and how many web worker processes it runs. --host, --port and --workers
# override these.
# CULTIVATE_HOST=127.0.0.1
# CULTIVATE_PORT=8000
# CULTIVATE_WEB_WORKERS=2
# Background task workers it starts beside gunicorn (--task-workers): default 1 on SQLite, 2 on PostgreSQL.
# CULTIVATE_TASK_WORKERS=
# Seconds its children get to stop after SIGTERM or Ctrl-C before they are killed.
# CULTIVATE_SHUTDOWN_SECONDS=10

# --- Creating admins ------------------------------------------------------------------------------------------
# The password `cultivate createadmin` gives the new account, instead of --password or a prompt. Set it only for
# that one command, never in a long-lived environment.
# CULTIVATE_ADMIN_PASSWORD=

# --- Logging --------------------------------------------------------------------------------------------------
# Level of the log written to standard error: DEBUG, INFO, WARNING or ERROR.
# CULTIVATE_LOG_LEVEL=INFO

# --- Tests and tools ------------------------------------------------------------------------------------------
# The Chromium binary the browser tests and scripts/screenshots.py drive (`make test` installs Debian's).
# CULTIVATE_CHROMIUM=/usr/bin/chromium

# Encrypts the issuer keys that sign certificates and competence records (required in production; keep it with
# the database backups: without it the service issues with new keys, and old credentials still verify).
# CREDENTIALS_KEY=

# Address of the service, used in links in reminder emails, and in credentials (verification pages, status lists).
CULTIVATE_SITE_URL=http://127.0.0.1:8000
