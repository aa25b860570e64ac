"""Settings, read from the environment once.

Safe defaults for development; production (DJANGO_DEBUG off) refuses to start without a secret key
and turns on HTTPS-only cookies, HSTS and the redirect to HTTPS. Every variable is listed in the
README's settings table and in docs/deploy.md.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean; use 1/0, true/false, yes/no or on/off.")


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None


_env = os.environ

DEBUG = env_bool("DJANGO_DEBUG", True)

SECRET_KEY = _env.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. It is required when DJANGO_DEBUG is off; "
            "set it to a long random string (python -c 'import secrets; print(secrets.token_urlsafe(50))')."
        )
    SECRET_KEY = "django-insecure-development-only-key"  # noqa: S105 (development default)

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver" if DEBUG else "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "django_filters",
    "django_htmx",
    "simple_history",
    "axes",
    "catalog",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Page-cache hits answered here, before sessions, CSRF, auth…: nearly the cost of a static file.
    "catalog.middleware.CachedPageHitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # A database that is away or timed out: the designed 503 page instead of a 500.
    "catalog.middleware.DatabaseUnavailableMiddleware",
    # Inside the CSP middleware: a cached page gets a fresh nonce and its own CSP header.
    "catalog.middleware.PublicPageCacheMiddleware",
    # Last, as django-axes asks: throttles failed logins.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        _env.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(_env.get("DATABASE_CONN_MAX_AGE", "0")),
    )
}
# A database that hangs must not hang every request: connecting gives up after this many seconds
# and (PostgreSQL) any statement after this many; the request then gets the designed 503 page
# (catalog.middleware.DatabaseUnavailableMiddleware). 0 turns the statement timeout off.
DATABASE_CONNECT_TIMEOUT = env_int("DATABASE_CONNECT_TIMEOUT", 3)
DATABASE_STATEMENT_TIMEOUT = env_int("DATABASE_STATEMENT_TIMEOUT", 30)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "connect_timeout": DATABASE_CONNECT_TIMEOUT,
            "options": f"-c statement_timeout={DATABASE_STATEMENT_TIMEOUT * 1000}",
        }
    )
# /healthz answers within this many seconds whatever hangs (a probe still running counts as failed).
HEALTHZ_TIMEOUT = float(_env.get("HEALTHZ_TIMEOUT", "1.5"))

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(_env.get("DJANGO_STATIC_ROOT") or BASE_DIR / "staticfiles")
# Content-hashed files (site.3f9a….css) are served with a ten-year, immutable Cache-Control by
# whitenoise; the rest (robots of the static world: favicon, unhashed names) for this long.
WHITENOISE_MAX_AGE = 0 if DEBUG else env_int("DJANGO_STATIC_MAX_AGE", 3600)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# --- HTTPS, cookies and the proxy in front ---------------------------------------------------
# Production is HTTPS only: HSTS, redirect to HTTPS, cookies marked Secure. TLS ends at the
# reverse proxy, so Django learns the scheme from a header the proxy sets (and overwrites):
# DJANGO_SECURE_PROXY_SSL_HEADER=X-Forwarded-Proto. Never set it without such a proxy.
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers probe over plain HTTP
SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", not DEBUG)
if _proxy_header := _env.get("DJANGO_SECURE_PROXY_SSL_HEADER", "").strip():
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + _proxy_header.upper().replace("-", "_"), "https")
USE_X_FORWARDED_HOST = env_bool("DJANGO_USE_X_FORWARDED_HOST", False)
# How many proxies append to X-Forwarded-For in front of the app (0: use the socket's address).
# The login throttle counts failures per client address, so this must match the deployment.
TRUSTED_PROXY_COUNT = env_int("DJANGO_TRUSTED_PROXY_COUNT", 0)
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", "")

SESSION_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"

# --- Admin: its path and the failed-login throttle (django-axes) -------------------------------
ADMIN_PATH = _env.get("DJANGO_ADMIN_PATH", "admin").strip().strip("/") + "/"
if ADMIN_PATH == "/":
    raise ImproperlyConfigured("DJANGO_ADMIN_PATH must not be empty; use e.g. 'curation'.")
AXES_FAILURE_LIMIT = env_int("DJANGO_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("DJANGO_LOGIN_COOLOFF_MINUTES", 15))
# Failures count per user name and address together: nobody can lock a curator out from elsewhere,
# and (with DJANGO_TRUSTED_PROXY_COUNT set; `check --deploy` warns otherwise) one client behind the
# proxy cannot lock out every curator. The lockout page says for how long (catalog.views.site).
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_CALLABLE = "catalog.views.site.login_locked_out"
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "config.proxy.client_ip"
AXES_HTTP_RESPONSE_CODE = 429
AXES_VERBOSE = False

# --- Cache: Redis when REDIS_URL is set (shared by every app server), else this process's memory ---
REDIS_URL = _env.get("REDIS_URL", "").strip()
CACHE_KEY_PREFIX = _env.get("CACHE_KEY_PREFIX", "catalog")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": CACHE_KEY_PREFIX,
            "TIMEOUT": 3600,
            # Fail fast when Redis is away: pages are then served uncached (catalog.services.page_cache).
            "OPTIONS": {
                "socket_connect_timeout": float(_env.get("REDIS_CONNECT_TIMEOUT", "0.5")),
                "socket_timeout": float(_env.get("REDIS_TIMEOUT", "0.5")),
            },
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "catalog",
            "KEY_PREFIX": CACHE_KEY_PREFIX,
            "TIMEOUT": 3600,
            "OPTIONS": {"MAX_ENTRIES": 5000},
        }
    }
# Public pages are cached this long at most. Every catalog change makes them fresh at once in
# the processes that share the cache; without Redis each process has its own memory, so a change
# made by another process (a cron import, another worker) shows after at most this long.
CATALOG_PAGE_CACHE_SECONDS = env_int("CATALOG_PAGE_CACHE_SECONDS", 600 if REDIS_URL else 60)
# Page fragments (sections that read catalog data only, catalog.services.fragments) are kept this long
# at most, whether or not whole pages are cached. They are keyed by the catalog version, so a change
# refreshes them at once wherever the version is shared (Redis); without Redis a change made by another
# process shows after at most this long, as for cached pages. 0: every section rendered per request.
CATALOG_FRAGMENT_SECONDS = env_int("CATALOG_FRAGMENT_SECONDS", 600 if REDIS_URL else 60)
# The most distinct query strings cached per page and catalog version (unknown parameters are
# redirected away first, see catalog.middleware): a crawler's endless combinations cannot fill the cache.
CATALOG_PAGE_CACHE_VARIANTS = env_int("CATALOG_PAGE_CACHE_VARIANTS", 500)
# Imports: the largest file (after gunzip) read, and the share of a source's listed offerings one
# run may delist or strip of prices before it is refused (--allow-shrink overrides).
# Both bound an import's memory (under 300 MB at the defaults, bench/bombs.py); raise them together
# for a catalog backup larger than the defaults allow (a full export of models.dev + LiteLLM: 5 MB, 154k).
CATALOG_IMPORT_MAX_BYTES = env_int("CATALOG_IMPORT_MAX_BYTES", 16 * 1024 * 1024)
CATALOG_IMPORT_MAX_VALUES = env_int("CATALOG_IMPORT_MAX_VALUES", 300_000)
CATALOG_IMPORT_MAX_SHRINK = env_int("CATALOG_IMPORT_MAX_SHRINK_PERCENT", 20) / 100
# Canonical links, feeds and sitemaps use this origin (https://catalog.example.org) when set,
# else the request's own.
SITE_URL = _env.get("DJANGO_SITE_URL", "").strip().rstrip("/")

SIMPLE_HISTORY_REVERT_DISABLED = False

# --- Logs: one line per record on stdout (gunicorn's own logs go there too: config/gunicorn.py) ---
LOG_LEVEL = _env.get("DJANGO_LOG_LEVEL", "INFO").upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "line": {"format": "%(asctime)s %(levelname)s %(name)s %(process)d %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout", "formatter": "line"},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Django's defaults add a stderr handler in debug and mail in production; one stdout stream instead.
        "django": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},
    },
}
