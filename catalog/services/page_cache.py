"""The public page cache and the catalog version that keeps it fresh.

Design
------
- The cache holds one number, the **catalog version**. Every cached page's key includes it, so
  bumping the version makes every cached page unreachable at once: the next request renders the
  page from the database and caches it under the new version. Old entries simply expire.
- The version is bumped **after the commit** of any transaction that wrote catalog data
  (`transaction.on_commit`): by signals on every save, delete and many-to-many change of a catalog
  model (catalog.signals), once at the end of every import (the importers write in bulk, which
  sends no signal), and after every successful admin POST (bulk actions that use `update()`).
  After the commit, not before: a page rendered between the two would otherwise be cached under
  the new version with the old data.
- A request that runs inside a transaction with uncommitted catalog writes (tests do, and any
  code that renders a page mid-transaction) bypasses the cache, so it never serves or stores a
  page that disagrees with what it can see.
- With Redis (REDIS_URL) the version and the pages are shared by every process and app server.
  Without it each process has its own memory: a change made by another process shows after at
  most CATALOG_PAGE_CACHE_SECONDS.
- If the cache fails (Redis down), pages are served uncached: the failure is logged once, and
  the cache is left alone for RETRY_AFTER seconds before it is tried again (so a dead Redis costs
  one timeout per process every few seconds, not one per request). On recovery the version is
  bumped once, since changes made meanwhile could not bump it.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections, transaction

logger = logging.getLogger(__name__)

VERSION_KEY = "catalog:version"
RETRY_AFTER = 5.0  # seconds without touching a failed cache


class _State(threading.local):
    pending = False  # this thread wrote catalog data whose transaction has not committed yet


_local = _State()


class _Breaker:
    def __init__(self):
        self.lock = threading.Lock()
        self.down_until = 0.0
        self.missed = False  # a failure happened: bump the version once the cache answers again

    def available(self) -> bool:
        return time.monotonic() >= self.down_until

    def trip(self, error: Exception) -> None:
        with self.lock:
            first = self.available()
            self.down_until = time.monotonic() + RETRY_AFTER
            self.missed = True
        if first:
            logger.warning(
                "Page cache unavailable (%s: %s); serving pages uncached for %ss.",
                type(error).__name__,
                error,
                RETRY_AFTER,
            )


_breaker = _Breaker()


def cache_available() -> bool:
    return _breaker.available()


def reset_breaker() -> None:
    """Forget earlier failures (tests; an operator's shell after fixing Redis)."""
    _breaker.down_until, _breaker.missed = 0.0, False


def _initial_version() -> int:
    # Milliseconds since the epoch: a version lost with an evicted or restarted cache comes back
    # larger than any version used before it, so no old page entry can match it again.
    return time.time_ns() // 1_000_000


def _incr_version() -> int:
    try:
        return cache.incr(VERSION_KEY)
    except ValueError:  # no version yet (new or flushed cache)
        version = _initial_version()
        if cache.add(VERSION_KEY, version, timeout=None):
            return version
        return cache.incr(VERSION_KEY)


def _recover_if_needed() -> None:
    if _breaker.missed:
        _incr_version()
        _breaker.missed = False
        logger.info("Page cache available again; catalog version bumped.")


def current_version() -> int | None:
    """The catalog version, or None when the cache is unavailable (then nothing is cached)."""
    if not _breaker.available():
        return None
    try:
        _recover_if_needed()
        version = cache.get(VERSION_KEY)
        if version is None:
            version = _initial_version()
            if not cache.add(VERSION_KEY, version, timeout=None):
                version = cache.get(VERSION_KEY, version)
        return int(version)
    except Exception as error:  # noqa: BLE001 (any cache failure: serve uncached)
        _breaker.trip(error)
        return None


def bump_now() -> None:
    """Bump the version at once (use `bump_catalog_version` inside transactions)."""
    _local.pending = False
    if not _breaker.available():
        _breaker.missed = True
        logger.error("Catalog changed while the page cache is unavailable; its pages will be refreshed on recovery.")
        return
    try:
        _recover_if_needed()
        _incr_version()
    except Exception as error:  # noqa: BLE001 (any cache backend failure trips the breaker; pages are served uncached)
        _breaker.trip(error)


def _flush_pending() -> None:
    if _local.pending:
        bump_now()


def bump_catalog_version(using: str | None = None) -> None:
    """Make every cached page fresh once the current transaction commits (at once outside one).

    Cheap to call once per written row: however many rows a transaction writes, the version is
    bumped once when it commits.
    """
    _local.pending = True
    transaction.on_commit(_flush_pending, using=using)


def has_uncommitted_changes(using: str = DEFAULT_DB_ALIAS) -> bool:
    """True inside a transaction that wrote catalog data not committed yet."""
    return _local.pending and connections[using].in_atomic_block


def forget_uncommitted_changes() -> None:
    """Tests: the previous test's transaction was rolled back, its pending bump with it."""
    _local.pending = False


# --- Page entries -------------------------------------------------------------------------------


@dataclass
class CachedPage:
    content: bytes  # the body, with the CSP nonce replaced by NONCE_PLACEHOLDER
    status: int
    headers: list[tuple[str, str]]
    etag: str
    last_modified: float
    attributes: dict = field(default_factory=dict)  # per-response CSP overrides (_csp_config…)


def nonce_placeholder() -> str:
    """A marker for the CSP nonce in stored pages; derived from the secret so no visitor can forge it."""
    digest = hashlib.sha256(f"csp-nonce-placeholder:{settings.SECRET_KEY}".encode()).hexdigest()[:24]
    return f"csp-nonce-{digest}"


def page_key(version: int, request) -> str:
    """One entry per version, scheme, host, path, query string and htmx-ness of the request."""
    query = "&".join(sorted(request.META.get("QUERY_STRING", "").split("&")))
    parts = [
        request.scheme,
        request.get_host(),
        request.path,
        query,
        request.headers.get("HX-Request", ""),
        request.headers.get("HX-History-Restore-Request", ""),
    ]
    digest = hashlib.sha256("\n".join(parts).encode()).hexdigest()
    return f"catalog:page:{version}:{digest}"


def admit_variant(version: int | None, request) -> bool:
    """May one more query string of this page be cached under this version? At most CATALOG_PAGE_CACHE_VARIANTS."""
    if version is None or not _breaker.available():
        return False
    digest = hashlib.sha256(f"{request.get_host()}\n{request.path}".encode()).hexdigest()[:32]
    key = f"catalog:variants:{version}:{digest}"
    try:
        if cache.add(key, 1, timeout=settings.CATALOG_PAGE_CACHE_SECONDS):
            return True
        return cache.incr(key) <= settings.CATALOG_PAGE_CACHE_VARIANTS
    except ValueError:  # expired between add and incr
        return True
    except Exception as error:  # noqa: BLE001 (any cache backend failure trips the breaker; pages are served uncached)
        _breaker.trip(error)
        return False


def get_page(key: str) -> CachedPage | None:
    if not _breaker.available():
        return None
    try:
        return cache.get(key)
    except Exception as error:  # noqa: BLE001 (any cache backend failure trips the breaker; pages are served uncached)
        _breaker.trip(error)
        return None


def set_page(key: str, page: CachedPage) -> None:
    if not _breaker.available():
        return
    try:
        cache.set(key, page, timeout=settings.CATALOG_PAGE_CACHE_SECONDS)
    except Exception as error:  # noqa: BLE001 (any cache backend failure trips the breaker; pages are served uncached)
        _breaker.trip(error)


# --- Values computed once per catalog version ---------------------------------------------------

LOCAL_MAX_AGE = 60.0  # seconds: with a per-process cache, another process's writes cannot bump ours


class _PerVersion(threading.local):
    version: int | None = None
    computed_at = 0.0
    values: dict | None = None


_per_version = _PerVersion()


def once_per_version(name: str, compute):
    """`compute()`, computed once per catalog version in this process (the /models/ page's unfiltered counts).

    Every write bumps the version, so the value is fresh at once after a change this process can see:
    with Redis, every process's. With a per-process cache (no REDIS_URL) another process's writes (a cron
    import) cannot bump this process's version, so a value is also recomputed after LOCAL_MAX_AGE seconds,
    as the page cache's pages expire; the same while the cache is down. Inside a transaction with
    uncommitted catalog writes it is computed every time. Kept per thread (one per gunicorn worker with
    the default GUNICORN_THREADS=1). The value is shared: callers must not change it.
    """
    if has_uncommitted_changes():
        return compute()
    version = current_version()
    state, now = _per_version, time.monotonic()
    # With the cache down (no version), values are kept LOCAL_MAX_AGE seconds, as with a per-process cache:
    # the /models/ index takes seconds to build at 100,000 variants, far too long to build per request.
    local = version is None or not settings.CACHES["default"]["BACKEND"].endswith("RedisCache")
    if state.version != version or state.values is None or (local and now - state.computed_at > LOCAL_MAX_AGE):
        state.version, state.computed_at, state.values = version, now, {}
    if name not in state.values:
        state.values[name] = compute()
    return state.values[name]
