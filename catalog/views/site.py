"""Site-wide endpoints: /healthz for load balancers, /robots.txt for crawlers, the designed 503 page."""

from __future__ import annotations

import logging
import threading
import time
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import connection, connections
from django.db.utils import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.templatetags.static import static
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
    finally:
        connections.close_all()  # this thread's own connection: never left open by a probe
    return {"status": "ok", "ms": round((time.monotonic() - started) * 1000, 1)}


def _run_checks(probes: dict, timeout: float) -> dict:
    """Each probe in its own thread; one still running after `timeout` seconds has failed ("Timeout").

    A hung database or cache cannot hold the answer: the probe's thread is left to end on the
    connect and statement timeouts (settings), and the load balancer hears 503 in time.
    """
    results: dict[str, dict] = {}
    threads = {}
    for name, probe in probes.items():
        thread = threading.Thread(
            target=lambda name=name, probe=probe: results.__setitem__(name, _check(name, probe)),
            name=f"healthz-{name}",
            daemon=True,
        )
        thread.start()
        threads[name] = thread
    deadline = time.monotonic() + timeout
    for name, thread in threads.items():
        thread.join(max(0.0, deadline - time.monotonic()))
        if thread.is_alive():
            logger.error("Health check %s failed: no answer within %.1f s", name, timeout)
            results[name] = {"status": "error", "error": "Timeout"}
    return {name: results[name] for name in probes}


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
    """200 when the database and the cache answer, 503 otherwise (within HEALTHZ_TIMEOUT); JSON says which failed.

    Error details go to the log, not to the (public) response.
    """
    checks = _run_checks({"database": _database, "cache": _cache}, settings.HEALTHZ_TIMEOUT)
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


def database_unavailable(request=None, exception=None):
    """The designed 503 page: rendered without the database (no context processors, no session)."""
    try:
        stylesheet = static("css/site.css")
    except ValueError:  # no manifest (collectstatic not run): the unhashed name
        stylesheet = f"{settings.STATIC_URL}css/site.css"
    response = HttpResponse(render_to_string("503.html", {"stylesheet": stylesheet}), status=503)
    response["Retry-After"] = "30"
    response["Cache-Control"] = "no-store"
    return response


def server_error(request, *args, **kwargs):
    """handler500: a database that is away or timed out (raised outside a view) gets the 503 page too."""
    import sys

    from django.views.defaults import server_error as default_server_error

    error = sys.exc_info()[1]
    if isinstance(error, (OperationalError, InterfaceError)):
        return database_unavailable(request, error)
    return default_server_error(request, *args, **kwargs)


def login_locked_out(request, original_response=None, credentials=None):
    """django-axes' lockout answer (AXES_LOCKOUT_CALLABLE): 429 saying for how long, with Retry-After."""
    import math

    from axes.helpers import get_client_username, get_cool_off
    from django.shortcuts import render
    from django.utils import timezone

    cool_off = get_cool_off(request)
    seconds = int(cool_off.total_seconds()) if cool_off else 0
    context = {
        "username": get_client_username(request, credentials) or "",
        "minutes": max(1, math.ceil(seconds / 60)),
        "until": timezone.now() + cool_off if cool_off else None,
        "title": "Login locked",
    }
    response = render(request, "registration/lockout.html", context, status=429)
    if seconds:
        response["Retry-After"] = str(seconds)
    return response
