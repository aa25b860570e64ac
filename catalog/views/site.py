"""Site-wide endpoints: /healthz for load balancers, /robots.txt for crawlers."""

from __future__ import annotations

import logging
import time
import uuid

from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from catalog.middleware import public_page

logger = logging.getLogger(__name__)


def _check(name: str, probe) -> dict:
    started = time.monotonic()
    try:
        probe()
    except Exception as error:  # noqa: BLE001 (any failure is a failed check)
        logger.error("Health check %s failed: %s: %s", name, type(error).__name__, error)
        return {"status": "error", "error": type(error).__name__}
    return {"status": "ok", "ms": round((time.monotonic() - started) * 1000, 1)}


def _database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        if cursor.fetchone()[0] != 1:
            raise RuntimeError("SELECT 1 did not return 1")


def _cache():
    key, value = f"healthz:{uuid.uuid4().hex}", uuid.uuid4().hex
    cache.set(key, value, timeout=10)
    if cache.get(key) != value:
        raise RuntimeError("the cache did not return what was stored")
    cache.delete(key)


@never_cache
@require_safe
def healthz(request):
    """200 when the database and the cache answer, 503 otherwise; JSON says which failed.

    Error details go to the log, not to the (public) response.
    """
    checks = {"database": _check("database", _database), "cache": _check("cache", _cache)}
    healthy = all(check["status"] == "ok" for check in checks.values())
    return JsonResponse({"status": "ok" if healthy else "error", "checks": checks}, status=200 if healthy else 503)


@public_page
@require_safe
def robots_txt(request):
    lines = [
        "User-agent: *",
        # Combinations of filters and comparisons are endless; the pages they lead to are in the sitemap.
        "Disallow: /compare/",
        "Disallow: /*?*format=",
        "",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
