"""All of Broadsheet's settings, read from the environment in this one place.

Every value comes from an environment variable (or an optional `.env` file in the working
directory) with a safe default: DEBUG is off, the database is an SQLite file under `./var/`,
the cache is files under `./var/` and mail goes to the console. A malformed value raises
ImproperlyConfigured naming the variable, and so does a URL whose driver is not installed
(PostgreSQL and Redis drivers are extras: `pip install 'broadsheet[postgres,redis]'`).
"""

from __future__ import annotations

import importlib.util
import os
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import django_stubs_ext
import environ
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

# Django's generic classes can then be written with their type parameters at run time, as
# mypy --strict wants them (`admin.ModelAdmin[Article]`, `Feed[Article, Any]`).
django_stubs_ext.monkeypatch()

env = environ.Env()
BASE_DIR = Path(os.environ.get("BROADSHEET_HOME", Path.cwd())).resolve()
if (BASE_DIR / ".env").is_file():
    env.read_env(BASE_DIR / ".env")

VAR_DIR = Path(env.str("BROADSHEET_VAR_DIR", default=str(BASE_DIR / "var"))).resolve()


def _int(name: str, default: int) -> int:
    try:
        return int(env.int(name, default=default))
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, got {env.str(name)!r}") from exc


def _float(name: str, default: float) -> float:
    try:
        return float(env.float(name, default=default))
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a number, got {env.str(name)!r}") from exc


def _rate(name: str, default: str) -> tuple[int, int] | None:
    """A rate limit written "count/seconds" ("5/600": five in ten minutes), or None for an
    empty value, which switches the limit off."""
    raw = env.str(name, default=default).strip()
    if not raw:
        return None
    count, _, seconds = raw.partition("/")
    try:
        limit = (int(count), int(seconds))
    except ValueError:
        limit = (0, 0)
    if limit[0] < 1 or limit[1] < 1:
        raise ImproperlyConfigured(
            f'{name} must be "count/seconds" with both above zero, such as "5/600" '
            f"(or empty for no limit), got {raw!r}"
        )
    return limit


def _bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off", ""}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, got {raw!r}")


def _url_setting(name: str, default: str, schemes: dict[str, str], parse: Any) -> dict[str, Any]:
    """Parse a DATABASE_URL-style variable with django-environ, refusing unknown schemes
    (which django-environ would otherwise pass through as an engine name)."""
    raw = env.str(name, default=default)
    scheme = raw.split("://", 1)[0] if "://" in raw else ""
    if scheme not in schemes:
        known = ", ".join(sorted(schemes))
        raise ImproperlyConfigured(f"{name} must start with one of {known}; got {raw!r}")
    try:
        return dict(parse(raw))
    except (ValueError, KeyError) as exc:
        raise ImproperlyConfigured(f"{name} is not a valid URL: {exc}") from exc


def _require_driver(name: str, service: str, modules: tuple[str, ...], extra: str) -> None:
    """Stop at start-up, naming the extra to install, when `name` points at a service whose
    driver is not installed: a bare install carries none (SQLite and files need none)."""
    if not any(importlib.util.find_spec(module) for module in modules):
        raise ImproperlyConfigured(
            f"{name} uses {service}, which needs the {modules[0]} driver: "
            f"pip install 'broadsheet[{extra}]'"
        )


def _secret_key() -> str:
    """The SECRET_KEY variable, or a key generated once and kept under var/ (never in git)."""
    if key := env.str("SECRET_KEY", default=""):
        return str(key)
    path = VAR_DIR / "secret_key"
    if path.exists():
        return path.read_text().strip()
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    # O_EXCL so two workers starting at once cannot each write a different key.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


# Whether the key is the generated one under var/: `broadsheet serve` then listens on
# loopback only, since a site others reach needs a key its operator chose and keeps (the
# same on every server, and through a rebuild of the machine).
SECRET_KEY_GENERATED = not env.str("SECRET_KEY", default="")
SECRET_KEY = _secret_key()
DEBUG = _bool("DEBUG", False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

SITE_NAME = env.str("SITE_NAME", default="Broadsheet")
# The site's public address, for links in e-mails (which are sent outside any request).
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
SITE_DESCRIPTION = env.str(
    "SITE_DESCRIPTION", default="Reporting and argument from an independent newsroom."
)
# Django date format strings: the defaults reproduce "4 December, 2019 - 4:46" for articles
# and "Sat, 07/12/2019 - 17:54" for comments.
ARTICLE_DATE_FORMAT = env.str("ARTICLE_DATE_FORMAT", default="j F, Y - G:i")
COMMENT_DATE_FORMAT = env.str("COMMENT_DATE_FORMAT", default="D, d/m/Y - H:i")
ARTICLES_PER_PAGE = _int("ARTICLES_PER_PAGE", 10)
SEARCH_CONFIG = env.str("SEARCH_CONFIG", default="english")  # PostgreSQL text search config
# How many reverse proxies in front of the site append to X-Forwarded-For (0: trust none).
TRUSTED_PROXY_COUNT = _int("TRUSTED_PROXY_COUNT", 0)

# Cookie consent: how long a choice lasts before the reader is asked again, how long the
# proof of each choice is kept, and an optional analytics script (only for readers who
# accepted statistics; self-hosted, so no other host is contacted before consent).
CONSENT_MAX_AGE_DAYS = _int("CONSENT_MAX_AGE_DAYS", 182)
CONSENT_RECORD_RETENTION_DAYS = _int("CONSENT_RECORD_RETENTION_DAYS", 3 * 365)
# How long the export and erasure links mailed to a commenter work.
DATA_REQUEST_MAX_AGE_HOURS = _int("DATA_REQUEST_MAX_AGE_HOURS", 48)
ANALYTICS_SCRIPT_URL = env.str("ANALYTICS_SCRIPT_URL", default="")

# Whole pages for anonymous readers, kept this long at most (0: no page cache); changes
# invalidate them at once (broadsheet/pagecache/). PAGE_CACHE_SHARED_SECONDS lets
# a CDN or reverse proxy keep them too, which delays changes by up to that long.
PAGE_CACHE_SECONDS = _int("PAGE_CACHE_SECONDS", 600)
# Additions (a comment published, a count gone up) may reach anonymous readers this much
# later, while one worker renders the page again and the others serve the version before;
# removals always show at once.
PAGE_CACHE_GRACE_SECONDS = _float("PAGE_CACHE_GRACE_SECONDS", 1.0)
PAGE_CACHE_SHARED_SECONDS = _int("PAGE_CACHE_SHARED_SECONDS", 0)
# Each server process also keeps up to this many bytes of whole responses the page cache
# has served, sent again without entering Django while nothing changed
# (broadsheet/pagecache/replay.py); 0 turns that off.
PAGE_REPLAY_MAX_BYTES = _int("PAGE_REPLAY_MAX_BYTES", 32 * 1024 * 1024)

# Reader comments.
COMMENTS_PER_PAGE = _int("COMMENTS_PER_PAGE", 50)  # top-level threads per page
COMMENTS_NEWEST_FIRST = _bool("COMMENTS_NEWEST_FIRST", False)
COMMENT_MAX_DEPTH = _int("COMMENT_MAX_DEPTH", 4)
COMMENT_NAME_MAX_LENGTH = _int("COMMENT_NAME_MAX_LENGTH", 60)
COMMENT_BODY_MAX_LENGTH = _int("COMMENT_BODY_MAX_LENGTH", 10_000)
COMMENTS_CLOSE_AFTER_DAYS = _int("COMMENTS_CLOSE_AFTER_DAYS", 0)  # 0: never close by age
COMMENTS_HOLD_ANONYMOUS = _bool("COMMENTS_HOLD_ANONYMOUS", True)
COMMENTS_PUBLISH_VERIFIED = _bool("COMMENTS_PUBLISH_VERIFIED", True)
COMMENT_EDIT_WINDOW_MINUTES = _int("COMMENT_EDIT_WINDOW_MINUTES", 15)
COMMENT_DUPLICATE_WINDOW_SECONDS = _int("COMMENT_DUPLICATE_WINDOW_SECONDS", 60)
COMMENT_ADDRESS_RETENTION_DAYS = _int("COMMENT_ADDRESS_RETENTION_DAYS", 30)
COMMENT_CONFIRM_MAX_AGE_DAYS = _int("COMMENT_CONFIRM_MAX_AGE_DAYS", 7)
# The spam defences every new comment passes through (a dotted path; empty: none).
COMMENT_SCREENING = env.str("COMMENT_SCREENING", default="broadsheet.moderation.screening.screen")
# Its checks (docs in broadsheet/moderation/screening.py). A form sent sooner than the
# minimum after it was shown, or older than the maximum, is held.
SPAM_MIN_FORM_SECONDS = _int("SPAM_MIN_FORM_SECONDS", 3)
SPAM_MAX_FORM_AGE_SECONDS = _int("SPAM_MAX_FORM_AGE_SECONDS", 60 * 60 * 24)
SPAM_MAX_LINKS = _int("SPAM_MAX_LINKS", 2)  # more links than this in a body holds it
# Posts beyond "count/seconds" per client address and per e-mail address are held (empty:
# no limit); counted in the cache, so every worker shares the count when it is Redis.
COMMENT_RATE_LIMIT_ADDRESS = _rate("COMMENT_RATE_LIMIT_ADDRESS", "5/600")
COMMENT_RATE_LIMIT_EMAIL = _rate("COMMENT_RATE_LIMIT_EMAIL", "5/600")
# The JSON API (broadsheet/api, docs/api.md). Comments posted through it beyond
# "count/seconds" per client address are refused with 429 before anything is checked or
# stored (empty: no limit); the limits above hold them, as they do the form's. A POST
# body larger than API_MAX_BODY_BYTES is refused with 413.
API_COMMENT_RATE_LIMIT = _rate("API_COMMENT_RATE_LIMIT", "10/600")
API_MAX_BODY_BYTES = _int("API_MAX_BODY_BYTES", 64 * 1024)
# Requests with one personal API token beyond "count/seconds" are refused with 429 (empty:
# no limit).
API_TOKEN_RATE_LIMIT = _rate("API_TOKEN_RATE_LIMIT", "600/600")
# Sign-in attempts (reader login and admin login alike) beyond "count/seconds" are refused
# without checking the password: every attempt per client address, failed attempts per
# submitted username or address (empty: no limit). Counted in the cache, like the above.
LOGIN_RATE_LIMIT_ADDRESS = _rate("LOGIN_RATE_LIMIT_ADDRESS", "20/600")
LOGIN_RATE_LIMIT_ACCOUNT = _rate("LOGIN_RATE_LIMIT_ACCOUNT", "5/600")
# The classifiers' thresholds, set as the share of genuine comments an operator accepts
# to see held (a false-positive rate, measured on held-out comments: see
# docs/moderation.md). A spam score that would hold SPAM_HOLD_FALSE_POSITIVE_RATE of them
# holds a comment as likely spam; the stricter SPAM_DISCARD_FALSE_POSITIVE_RATE stores it
# as spam; an abuse score at ABUSE_HOLD_FALSE_POSITIVE_RATE holds it as likely abusive.
# 0 switches that step off.
SPAM_HOLD_FALSE_POSITIVE_RATE = _float("SPAM_HOLD_FALSE_POSITIVE_RATE", 0.01)
SPAM_DISCARD_FALSE_POSITIVE_RATE = _float("SPAM_DISCARD_FALSE_POSITIVE_RATE", 0.001)
ABUSE_HOLD_FALSE_POSITIVE_RATE = _float("ABUSE_HOLD_FALSE_POSITIVE_RATE", 0.01)
for _name in (
    "SPAM_HOLD_FALSE_POSITIVE_RATE",
    "SPAM_DISCARD_FALSE_POSITIVE_RATE",
    "ABUSE_HOLD_FALSE_POSITIVE_RATE",
):
    if not 0 <= globals()[_name] < 1:
        raise ImproperlyConfigured(f"{_name} must be from 0 up to (not including) 1")
if 0 < SPAM_HOLD_FALSE_POSITIVE_RATE < SPAM_DISCARD_FALSE_POSITIVE_RATE:
    raise ImproperlyConfigured(
        "SPAM_DISCARD_FALSE_POSITIVE_RATE must not exceed SPAM_HOLD_FALSE_POSITIVE_RATE: "
        "discarding is the stricter step"
    )

INSTALLED_APPS = [
    "broadsheet",
    "broadsheet.accounts",
    "broadsheet.publishing",
    "broadsheet.discussion",
    "broadsheet.moderation",
    "broadsheet.rights",
    "broadsheet.consent",
    "broadsheet.importers",
    "broadsheet.webhooks",
    "broadsheet.api",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.syndication",
    "django_tasks",
    "django_tasks_db",
    "ninja",  # serves the API docs' Swagger UI from its own static files, not a CDN
    "csp",  # only for its system checks, which catch settings written for django-csp 3
]

MIDDLEWARE = [
    # First: its log line and request id cover all below (broadsheet/lib/request_log.py).
    "broadsheet.lib.request_log.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages the page cache did not compress itself; then 304s for matching ETags.
    "django.middleware.gzip.GZipMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    "csp.middleware.CSPMiddleware",
    "broadsheet.lib.headers.PermissionsPolicyMiddleware",
    # Outside the session, CSRF and messages middleware, so it sees every cookie they set.
    "broadsheet.consent.middleware.ConsentMiddleware",
    "broadsheet.db.replicas.ReplicaMiddleware",  # inside consent, outside sessions
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After sessions, users and messages, so its 400 page renders like any other page.
    "broadsheet.lib.encoding.MalformedTextMiddleware",
    # Old addresses of imported sites: only asked about 404s and query strings.
    "broadsheet.importers.middleware.RedirectMiddleware",
    # Needs the user, session, messages and consent; everything above runs on every hit.
    "broadsheet.pagecache.middleware.PageCacheMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "broadsheet.urls"
WSGI_APPLICATION = "broadsheet.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"
# How long a link confirming a reader's email address stays valid.
ACCOUNT_CONFIRM_MAX_AGE_DAYS = _int("ACCOUNT_CONFIRM_MAX_AGE_DAYS", 3)

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "broadsheet.context_processors.site",
                "broadsheet.consent.context_processors.consent",
            ],
        },
    },
]
FORM_RENDERER = "broadsheet.lib.forms.FormRenderer"  # fields linked to their errors

# Database: SQLite under var/ unless DATABASE_URL says otherwise.
DATABASES = {
    "default": _url_setting(
        "DATABASE_URL",
        f"sqlite:///{VAR_DIR / 'broadsheet.sqlite3'}",
        {"sqlite": "", "postgres": "", "postgresql": "", "pgsql": ""},
        env.db_url_config,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django takes psycopg 3, or psycopg2 when that is what is installed.
    _require_driver("DATABASE_URL", "PostgreSQL", ("psycopg", "psycopg2"), "postgres")
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # Django's backend, with writers queued on a lock that wakes the next one at once
    # instead of SQLite's sleeping busy handler (broadsheet/db/sqlite/writelock.py).
    DATABASES["default"]["ENGINE"] = "broadsheet.db.sqlite"
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            # IMMEDIATE takes the write lock when a transaction starts, so concurrent writers
            # queue on the busy timeout instead of failing with "database is locked" on upgrade.
            "transaction_mode": "IMMEDIATE",
            "timeout": _int("SQLITE_BUSY_TIMEOUT", 20),
            # WAL lets readers run beside the writer; synchronous=FULL fsyncs every commit so
            # an acknowledged write survives power loss, not only a process crash.
            "init_command": (
                "PRAGMA journal_mode=WAL;"
                "PRAGMA synchronous=FULL;"
                "PRAGMA foreign_keys=ON;"
                # Per connection, and every worker thread has its own: 4 threads at 20 MB
                # took a worker past 150 MB on a big database (bench/run, bench/scale).
                f"PRAGMA cache_size=-{_int('SQLITE_CACHE_KB', 8000)};"
            ),
        }
    )
# Connections are kept between requests (each worker thread has its own): opening and
# closing one per request cost SQLite about 2 ms of a comment post (bench/run).
DATABASES["default"].setdefault("CONN_MAX_AGE", _int("CONN_MAX_AGE", 60))
DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)


def _replica_databases(primary: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """DATABASE_REPLICA_URLS as the DATABASES entries replica_1, replica_2, ..."""
    replicas: dict[str, dict[str, Any]] = {}
    urls = env.str("DATABASE_REPLICA_URLS", default="").replace(",", " ").split()
    for number, url in enumerate(urls, 1):
        # Entries are named by position, not shown: they may hold a password.
        name = f"DATABASE_REPLICA_URLS (entry {number})"
        if url.split("://", 1)[0] not in {"postgres", "postgresql", "pgsql"}:
            raise ImproperlyConfigured(f"{name} must be a postgres:// URL")
        if primary["ENGINE"] != "django.db.backends.postgresql":
            raise ImproperlyConfigured(f"{name} needs DATABASE_URL to be PostgreSQL too")
        try:
            config = dict(env.db_url_config(url))
        except (ValueError, KeyError) as exc:
            raise ImproperlyConfigured(f"{name} is not a valid URL: {exc}") from exc
        config.setdefault("CONN_MAX_AGE", primary["CONN_MAX_AGE"])
        config.setdefault("CONN_HEALTH_CHECKS", primary["CONN_HEALTH_CHECKS"])
        config["TEST"] = {"MIRROR": "default"}  # tests read the primary's test database
        replicas[f"replica_{number}"] = config
    return replicas


# Read replicas (broadsheet/db/replicas.py): PostgreSQL URLs like DATABASE_URL, separated
# by commas or spaces (percent-encode either in a password). Reads that need not be current
# go to one of them; writes, migrations and pages the page cache may store use the primary,
# and so does a client for READ_YOUR_WRITES_SECONDS after it wrote (0: only while writing).
DATABASES.update(_replica_databases(DATABASES["default"]))
DATABASE_REPLICAS = [alias for alias in DATABASES if alias != "default"]
DATABASE_ROUTERS = ["broadsheet.db.replicas.ReplicaRouter"]
READ_YOUR_WRITES_SECONDS = _int("READ_YOUR_WRITES_SECONDS", 10)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Files under var/ by default: shared by every worker process of one machine, which the
# page cache's invalidation and the rate limits need (a local-memory cache is not).
CACHES = {
    "default": _url_setting(
        "CACHE_URL",
        f"filecache://{VAR_DIR / 'cache'}",
        environ.Env.CACHE_SCHEMES,
        env.cache_url_config,
    )
}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    _require_driver("CACHE_URL", "Redis", ("redis",), "redis")
CACHES["default"].setdefault("KEY_PREFIX", env.str("CACHE_KEY_PREFIX", default="broadsheet"))
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.filebased.FileBasedCache":
    # Django's, with cheaper writes (see broadsheet/pagecache/file_cache.py).
    CACHES["default"]["BACKEND"] = "broadsheet.pagecache.file_cache.FileCache"
    # Django's default of 300 files would cull pages and tags all the time; past the limit
    # a third of the files are dropped at random, which the page cache survives.
    CACHES["default"].setdefault("OPTIONS", {}).setdefault("MAX_ENTRIES", 50_000)

_email = _url_setting(
    "EMAIL_URL", "consolemail://", environ.Env.EMAIL_SCHEMES, env.email_url_config
)
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email.get("EMAIL_HOST") or "localhost"
EMAIL_PORT = _email.get("EMAIL_PORT") or 25
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER") or ""
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD") or ""
EMAIL_USE_TLS = bool(_email.get("EMAIL_USE_TLS"))
EMAIL_USE_SSL = bool(_email.get("EMAIL_USE_SSL"))
EMAIL_FILE_PATH = _email.get("EMAIL_FILE_PATH") or str(VAR_DIR / "mail")
EMAIL_TIMEOUT = _int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Broadsheet <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Background tasks, outgoing mail first: rows in the site's own database, run by
# `broadsheet worker` (docs/mail.md). A queued mail is written in the caller's transaction.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
MAIL_MAX_ATTEMPTS = _int("MAIL_MAX_ATTEMPTS", 8)  # tries before a mail is given up as failed
MAIL_RETRY_BASE_SECONDS = _int("MAIL_RETRY_BASE_SECONDS", 30)  # doubles each retry, up to 6 h
# Webhook deliveries (docs/webhooks.md), on the same queue and worker as mail.
WEBHOOK_TIMEOUT_SECONDS = _float("WEBHOOK_TIMEOUT_SECONDS", 5)
WEBHOOK_MAX_ATTEMPTS = _int("WEBHOOK_MAX_ATTEMPTS", 8)
WEBHOOK_RETRY_BASE_SECONDS = _int("WEBHOOK_RETRY_BASE_SECONDS", 30)
# Endpoints on loopback and private addresses are refused (the site must not be a way
# into the network it runs in) unless this is on.
WEBHOOK_ALLOW_PRIVATE_ADDRESSES = _bool("WEBHOOK_ALLOW_PRIVATE_ADDRESSES", False)

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="en-gb")
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns at start-up without it
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
# Uploaded media go through Django's storage API: MEDIA_ROOT by default, which every server
# must then share; or an S3-compatible store when S3_BUCKET is set (pip install
# 'broadsheet[s3]' for django-storages; `broadsheet check` says when it is missing).
_media_storage: dict[str, Any] = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
if S3_BUCKET := env.str("S3_BUCKET", default=""):
    _media_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": env.str("S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("S3_REGION", default="") or None,
            "access_key": env.str("S3_ACCESS_KEY_ID", default="") or None,
            "secret_key": env.str("S3_SECRET_ACCESS_KEY", default="") or None,
            "custom_domain": env.str("S3_CUSTOM_DOMAIN", default="") or None,
            "location": env.str("S3_PREFIX", default="media"),
            "file_overwrite": False,
            # Public media (images in articles) are linked without expiring signatures.
            "querystring_auth": False,
        },
    }
STORAGES = {
    "default": _media_storage,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_MAX_AGE = 60 * 60 * 24 * 365

# Security headers and HTTPS (README "Security headers"). With HTTPS=true the site, served
# over TLS (here or at a proxy), passes `broadsheet check --deploy --fail-level WARNING`.
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
HTTPS = _bool("HTTPS", False)
# Off by default: a site reached over plain HTTP (development, tests) must keep working.
SECURE_SSL_REDIRECT = HTTPS and _bool("SECURE_SSL_REDIRECT", True)
# A load balancer's health probe usually speaks plain HTTP to the server itself.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = _int("SECURE_HSTS_SECONDS", 31_536_000) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
# check --deploy warns (security.W021) whenever HSTS is on without "preload", so it defaults
# on under HTTPS. The directive only makes the domain eligible for browsers' built-in lists
# (anyone may then submit it at hstspreload.org, and leaving is slow): a site with HTTP-only
# subdomains sets SECURE_HSTS_PRELOAD=false and accepts the warning.
SECURE_HSTS_PRELOAD = HTTPS and _bool("SECURE_HSTS_PRELOAD", True)
if TRUSTED_PROXY_COUNT > 0:
    # The proxy terminates TLS and says so; without a proxy the header is the client's word.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content-Security-Policy (django-csp 4). No inline scripts anywhere: ours are static files,
# and the JSON-LD block is data, which CSP does not block. The admin needs no exemption
# (Django 5.2's admin loads only script files); its change list's one inline <style>, when
# a model has no actions, is cosmetic and is blocked.
_analytics = urlsplit(ANALYTICS_SCRIPT_URL)
_analytics_origin = [f"{_analytics.scheme}://{_analytics.netloc}"] if _analytics.netloc else []
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        # An analytics script on another host loads from, and usually reports to, that host.
        "script-src": [SELF, *_analytics_origin],
        "connect-src": [SELF, *_analytics_origin],
        "style-src": [SELF],
        # Style attributes only, never <style> elements: article tables keep their
        # text-align (the only declaration the sanitiser lets through), admin widgets sizes.
        "style-src-attr": [UNSAFE_INLINE],
        # Editors may place images from other sites in article bodies.
        "img-src": [SELF, "https:"],
        # Video embeds, shown only after the reader consents (publishing/templatetags/embeds.py).
        "frame-src": ["https://www.youtube-nocookie.com", "https://player.vimeo.com"],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}
# Browser features no page uses; what embedded players need (fullscreen, encrypted-media,
# picture-in-picture) stays allowed. browsing-topics is the successor of FLoC's
# interest-cohort, which current browsers reject as an unknown feature.
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=(), browsing-topics=()"
)

# Logs go to standard error. LOG_FORMAT=json writes one JSON object a line, for a log
# collector: every record carries the request id, and every request logs its method, path,
# status and duration (broadsheet/lib/request_log.py); text keeps plain lines.
LOG_FORMAT = env.str("LOG_FORMAT", default="text").strip().lower()
if LOG_FORMAT not in {"text", "json"}:
    raise ImproperlyConfigured(f'LOG_FORMAT must be "text" or "json", got {LOG_FORMAT!r}')
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "broadsheet.lib.request_log.RequestIdFilter"}},
    "formatters": {"json": {"()": "broadsheet.lib.request_log.JsonFormatter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            **({"formatter": "json"} if LOG_FORMAT == "json" else {}),
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
