"""One settings module, driven by the environment (healthchecks style).

DATABASE_URL       default: SQLite file under the data directory
MINZHENG_DATA_DIR  default: var/ in the current directory
SECRET_KEY         default: a per-data-dir key generated on first start
DEBUG              default: off
"""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean, got {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from exc


BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("MINZHENG_DATA_DIR") or "var").resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    path = DATA_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "ninja",  # its templates and static files: /api/v1/docs works without internet
    "minzheng.core",
    "minzheng.accounts",
    "minzheng.audit",
    "minzheng.divisions",
    "minzheng.registry",
    "minzheng.jobs",
    "minzheng.scheduler",
    "minzheng.verification",
    "minzheng.rules",
    "minzheng.eldercare",
    "minzheng.emergency",
    "minzheng.meals",
    "minzheng.workdays",
    "minzheng.workflow",
    "minzheng.cases",
    "minzheng.workitems",
    "minzheng.notifications",
    "minzheng.documents",
    "minzheng.payments",
    "minzheng.children",
    "minzheng.rescue",
    "minzheng.childvisits",
    "minzheng.institutions",
    "minzheng.socialorgs",
    "minzheng.lifeevents",
    "minzheng.funeral",
    "minzheng.marriage",
    "minzheng.dashboard",
    "minzheng.placenames",
    "minzheng.volunteers",
    "minzheng.disaster",
    "minzheng.governance",
    "minzheng.portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "minzheng.accounts.middleware.session_idle",
    "minzheng.accounts.middleware.content_security_policy",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "minzheng.config.urls"
WSGI_APPLICATION = "minzheng.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "minzheng.portal.context.nav",
            ],
        },
    },
]


def _database() -> dict[str, object]:
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'minzheng.sqlite3'}"
    db = dj_database_url.parse(url, conn_max_age=0)
    if db["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets page reads go on while an import job writes; IMMEDIATE avoids
        # the deadlock of two deferred transactions upgrading to write locks.
        db["OPTIONS"] = {
            # 64 MB page cache: index inserts of a million-row import stay in memory.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-65536;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
        }
    if os.environ.get("MINZHENG_TEST_DB_NAME"):
        # Lets two test runs share one PostgreSQL server without clobbering each other.
        db["TEST"] = {"NAME": os.environ["MINZHENG_TEST_DB_NAME"]}
    return db


DATABASES = {"default": _database()}
# Audit rows written outside a transaction go through one writer thread per process on SQLite, many
# per transaction, instead of each request sleeping in SQLite's busy handler (minzheng.audit.group).
AUDIT_GROUP_COMMIT = env_bool("MINZHENG_AUDIT_GROUP_COMMIT", True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    # 等保 2.0 三级: at least 10 characters from at least 3 of upper, lower, digit, symbol.
    {"NAME": "minzheng.accounts.validators.ComplexityValidator", "OPTIONS": {"min_length": 10, "min_classes": 3}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "portal:home"

# Sessions expire after 30 idle minutes: every request a person makes pushes the expiry on
# (accounts.middleware.session_idle); a page polling by itself (X-Minzheng-Poll) does not.
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_SECONDS", 30 * 60)
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# Login throttling per account name and client address: after 5 failures, wait 1 min, 2, 4 … at most 1 h.
LOGIN_MAX_FAILURES = 5
LOGIN_BACKOFF_SECONDS = 60
LOGIN_BACKOFF_MAX_SECONDS = 3600
# API tokens expire; a new one comes from `minzheng users issue-token`.
API_TOKEN_DAYS = env_int("MINZHENG_API_TOKEN_DAYS", 90)
# Addresses (or networks) of reverse proxies whose X-Forwarded-For is believed; none by default.
MINZHENG_TRUSTED_PROXIES = [a.strip() for a in os.environ.get("MINZHENG_TRUSTED_PROXIES", "").split(",") if a.strip()]
# Served over HTTPS (directly or behind a trusted proxy): cookies only over TLS, and HSTS.
MINZHENG_HTTPS = env_bool("MINZHENG_HTTPS", False)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = MINZHENG_HTTPS
SESSION_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = 365 * 24 * 3600 if MINZHENG_HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = False  # other services of the bureau may share the domain without TLS
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if MINZHENG_HTTPS and MINZHENG_TRUSTED_PROXIES:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Run queued jobs in the request's own thread (tests); otherwise a background thread runs them.
JOBS_INLINE = env_bool("JOBS_INLINE", False)

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# Directories under the data dir; created on demand by the code that writes them.
UPLOADS_DIR = DATA_DIR / "uploads"
REJECTS_DIR = DATA_DIR / "rejects"
EXPORTS_DIR = DATA_DIR / "exports"
FEEDS_DIR = DATA_DIR / "feeds"
# 身份号码摘要 (DATA_CONTRACTS §2): the HMAC-SM3 key agreed with the departments that deliver digests.
# Required outside the demo: a WSGI server (`minzheng serve`) and `minzheng worker` refuse to start
# without it (accounts.checks), since a wrong key matches digests silently wrong or not at all.
# `minzheng demo` sets MINZHENG_DEMO=1; the test suite (pytest) uses the demo county's key.
DEMO_FEED_DIGEST_KEY = "minzheng-demo-hmac-key"  # = minzheng.demo.feedrows.DIGEST_KEY
MINZHENG_DEMO = env_bool("MINZHENG_DEMO", False)
if "pytest" in sys.modules and not os.environ.get("MINZHENG_FEED_DIGEST_KEY"):
    # Through the environment so worker subprocesses a test starts get the same key.
    os.environ["MINZHENG_FEED_DIGEST_KEY"] = DEMO_FEED_DIGEST_KEY
FEED_DIGEST_KEY = os.environ.get("MINZHENG_FEED_DIGEST_KEY") or (DEMO_FEED_DIGEST_KEY if MINZHENG_DEMO else None)

# --- Files and jobs (issue 9: hostile files, heavy jobs in a child process, retention) ---------
# Uploads above this are refused before the body is parsed (every page and the API). 200 MB holds a
# county's resident file as CSV (a million rows ≈ 150 MB) and any department feed.
MINZHENG_MAX_UPLOAD_MB = env_int("MINZHENG_MAX_UPLOAD_MB", 200)
# Spreadsheet limits checked before python-calamine allocates (core.fileguard.Limits says why).
MINZHENG_SHEET_MAX_ROWS = env_int("MINZHENG_SHEET_MAX_ROWS", 2_000_000)
MINZHENG_SHEET_MAX_COLUMNS = env_int("MINZHENG_SHEET_MAX_COLUMNS", 200)
MINZHENG_SHEET_MAX_CELLS = env_int("MINZHENG_SHEET_MAX_CELLS", 50_000_000)
MINZHENG_FILE_MAX_UNCOMPRESSED_MB = env_int("MINZHENG_FILE_MAX_UNCOMPRESSED_MB", 2048)
MINZHENG_FILE_MAX_RATIO = env_int("MINZHENG_FILE_MAX_RATIO", 100)
MINZHENG_CELL_MAX_CHARS = env_int("MINZHENG_CELL_MAX_CHARS", 32_767)
# Heavy jobs (imports, feed ingest, batch runs) run in a child process with this address-space limit.
JOBS_ISOLATE = env_bool("JOBS_ISOLATE", True)
MINZHENG_JOB_MEMORY_MB = env_int("MINZHENG_JOB_MEMORY_MB", 8192)
# Uploads, exports and rejects files (full identity numbers) are deleted after this many days.
MINZHENG_FILE_RETENTION_DAYS = env_int("MINZHENG_FILE_RETENTION_DAYS", 30)
MIDDLEWARE = [*MIDDLEWARE, "minzheng.core.uploads.UploadLimitMiddleware"]

# --- Registry search (issue 9: masking that search cannot undo) -----------------------------------
# Searches (pages, API, exports) per user, counted from the audit log so it holds across threads
# and processes: "<n>/second|minute|hour".
REGISTRY_SEARCH_RATE = os.environ.get("MINZHENG_REGISTRY_SEARCH_RATE", "30/minute")
# Lookups of a typed identity number in other forms (订餐, 建档, 入住, 志愿者登记 …), per user, audited:
# each answers whether a number is registered, so a script must not walk the number space.
REGISTRY_LOOKUP_RATE = os.environ.get("MINZHENG_REGISTRY_LOOKUP_RATE", "30/minute")
