"""Production: settings from the environment, check --deploy, HTTPS and cookies, static files,
gunicorn, the health check, security headers on every page, and the failed-login throttle.

Production settings are read once at start-up, so the tests that need them run Django in a
subprocess with a production environment (a throwaway SQLite database and static root).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import textwrap
import time
import urllib.request
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.urls import reverse

ROOT = Path(__file__).resolve().parent.parent
SECRET = "a-production-secret-key-" + "x7Qz" * 10


def production_env(tmp_path: Path, **extra) -> dict:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL", "CATALOG_"))
    }
    env.update(
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=SECRET,
        DJANGO_ALLOWED_HOSTS="catalog.example.org,127.0.0.1",
        DJANGO_SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto",
        DJANGO_TRUSTED_PROXY_COUNT="1",
        DATABASE_URL=f"sqlite:///{tmp_path / 'prod.sqlite3'}",
        DJANGO_STATIC_ROOT=str(tmp_path / "static"),
    )
    env.update(extra)
    return env


def run(args, env, timeout=300):
    return subprocess.run(
        [sys.executable, *args], check=False, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )


def settings_value(env: dict, expression: str) -> str:
    result = run(["-c", f"import config.settings as s; print({expression})"], env)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.fixture(scope="module")
def prepared(tmp_path_factory):
    """A migrated production database and collected static files."""
    tmp_path = tmp_path_factory.mktemp("production")
    env = production_env(tmp_path)
    for command in (["migrate", "--noinput"], ["collectstatic", "--noinput"]):
        result = run(["manage.py", *command, "--verbosity", "0"], env)
        assert result.returncode == 0, result.stderr
    return tmp_path


# --- Settings ------------------------------------------------------------------------------------


def test_check_deploy_is_clean(tmp_path):
    for extra in ({}, {"REDIS_URL": "redis://127.0.0.1:6379/0", "DJANGO_ADMIN_PATH": "curation"}):
        result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], production_env(tmp_path, **extra))
        assert result.returncode == 0, result.stdout + result.stderr
        assert "System check identified no issues (0 silenced)." in result.stdout


def test_production_security_settings(tmp_path):
    env = production_env(tmp_path)
    assert (
        settings_value(env, "s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_HSTS_PRELOAD")
        == "31536000 True True"
    )
    assert (
        settings_value(env, "s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE") == "True True True"
    )
    assert settings_value(env, "s.SESSION_COOKIE_HTTPONLY, s.CSRF_COOKIE_HTTPONLY") == "True True"
    assert settings_value(env, "s.SECURE_PROXY_SSL_HEADER") == "('HTTP_X_FORWARDED_PROTO', 'https')"
    assert (
        settings_value({**env, "DJANGO_SECURE_PROXY_SSL_HEADER": ""}, "hasattr(s, 'SECURE_PROXY_SSL_HEADER')")
        == "False"
    )


def test_development_keeps_http(tmp_path):
    env = production_env(tmp_path, DJANGO_DEBUG="true")
    assert (
        settings_value(env, "s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE") == "False 0 False"
    )


def test_redis_url_switches_on_the_redis_cache(tmp_path):
    env = production_env(tmp_path)
    assert settings_value(env, "s.CACHES['default']['BACKEND']") == "django.core.cache.backends.locmem.LocMemCache"
    env["REDIS_URL"] = "redis://cache.example.org:6379/2"
    assert (
        settings_value(env, "s.CACHES['default']['BACKEND'], s.CACHES['default']['LOCATION']")
        == "django.core.cache.backends.redis.RedisCache redis://cache.example.org:6379/2"
    )


def test_logs_go_to_stdout(tmp_path):
    env = production_env(tmp_path)
    script = (
        "import django; django.setup(); import logging; logging.getLogger('catalog').warning('hello from the catalog')"
    )
    result = run(["-c", script], {**env, "DJANGO_SETTINGS_MODULE": "config.settings"})
    assert result.returncode == 0, result.stderr
    assert "WARNING catalog" in result.stdout and "hello from the catalog" in result.stdout
    assert "hello" not in result.stderr


def test_the_admin_path_is_configurable(tmp_path):
    env = {**production_env(tmp_path, DJANGO_ADMIN_PATH="/curation/"), "DJANGO_SETTINGS_MODULE": "config.settings"}
    result = run(
        [
            "-c",
            textwrap.dedent("""
        import django; django.setup()
        from django.urls import reverse, resolve, Resolver404
        print(reverse("admin:index"))
        try:
            resolve("/admin/")
            print("admin/ resolves")
        except Resolver404:
            print("admin/ is gone")
    """),
        ],
        env,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["/curation/", "admin/", "is", "gone"]


# --- A production process: HTTPS, cookies, static files -------------------------------------------

PROBE = textwrap.dedent("""
    import json, django
    django.setup()
    from django.contrib.auth.models import User
    from django.test import Client
    User.objects.filter(username="root").delete()
    User.objects.create_superuser("root", "root@example.org", "correct horse battery staple")
    out = {}
    http = Client(HTTP_HOST="catalog.example.org")
    r = http.get("/families/")
    out["http_status"], out["http_location"] = r.status_code, r.get("Location")
    out["healthz_http"] = http.get("/healthz").status_code
    https = Client(HTTP_HOST="catalog.example.org", HTTP_X_FORWARDED_PROTO="https")
    r = https.get("/")
    out["page"] = {"status": r.status_code, "headers": dict(r.items()), "html": r.content.decode()}
    r = https.get("/admin/login/")
    csrf = r.cookies["csrftoken"]
    out["csrf_cookie"] = {"secure": bool(csrf["secure"]), "httponly": bool(csrf["httponly"]),
                          "samesite": csrf["samesite"]}
    r = https.post("/admin/login/?next=/admin/", {"username": "root", "password": "correct horse battery staple",
                   "csrfmiddlewaretoken": csrf.value, "next": "/admin/"},
                   HTTP_REFERER="https://catalog.example.org/admin/login/")
    session = r.cookies.get("sessionid")
    out["login_status"] = r.status_code
    out["session_cookie"] = session and {"secure": bool(session["secure"]), "httponly": bool(session["httponly"])}
    import re
    css = re.search(r'href="(/static/css/site\\.[0-9a-f]{12}\\.css)"', out["page"]["html"]).group(1)
    r = https.get(css, HTTP_ACCEPT_ENCODING="gzip")
    out["static"] = {"url": css, "status": r.status_code, "headers": dict(r.items())}
    r = https.get("/static/css/site.css")
    out["static_unhashed"] = {"status": r.status_code, "cache_control": r.get("Cache-Control")}
    del out["page"]["html"]
    print(json.dumps(out))
""")


@pytest.fixture(scope="module")
def probe(prepared):
    env = {**production_env(prepared), "DJANGO_SETTINGS_MODULE": "config.settings"}
    result = run(["-c", PROBE], env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_http_redirects_to_https_except_the_health_check(probe):
    assert probe["http_status"] == 301
    assert probe["http_location"] == "https://catalog.example.org/families/"
    assert probe["healthz_http"] == 200


def test_security_headers_in_production(probe):
    headers = probe["page"]["headers"]
    assert probe["page"]["status"] == 200
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"


def test_cookies_are_secure_and_http_only(probe):
    assert probe["csrf_cookie"] == {"secure": True, "httponly": True, "samesite": "Lax"}
    assert probe["login_status"] == 302
    assert probe["session_cookie"] == {"secure": True, "httponly": True}


def test_static_files_are_hashed_compressed_and_cached_for_ever(probe):
    static = probe["static"]
    assert static["status"] == 200
    assert static["headers"]["Content-Encoding"] == "gzip"
    cache_control = static["headers"]["Cache-Control"]
    assert "max-age=315360000" in cache_control and "immutable" in cache_control
    assert probe["static_unhashed"]["status"] == 200
    assert "immutable" not in (probe["static_unhashed"]["cache_control"] or "")


# --- gunicorn -----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_gunicorn_serves_the_site_with_production_settings(prepared):
    port = free_port()
    env = production_env(prepared, GUNICORN_BIND=f"127.0.0.1:{port}", WEB_CONCURRENCY="1")
    gunicorn = Path(sys.executable).with_name("gunicorn")
    process = subprocess.Popen(
        [str(gunicorn), "--config", "config/gunicorn.py"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        body, deadline = None, time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
                    body = json.loads(response.read())
                    break
            except OSError:
                time.sleep(0.3)
        assert body == {
            "status": "ok",
            "checks": {"database": body["checks"]["database"], "cache": body["checks"]["cache"]},
        }
        assert body["checks"]["database"]["status"] == "ok" and body["checks"]["cache"]["status"] == "ok"
    finally:
        process.terminate()
        stdout, _stderr = process.communicate(timeout=30)
    assert '"GET /healthz HTTP/1.1" 200' in stdout  # the access log, on stdout
    assert "Booting worker" in stdout


def test_make_serve_runs_checks_static_and_gunicorn():
    result = subprocess.run(["make", "-n", "serve"], check=False, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    lines = result.stdout
    assert "check --deploy --fail-level WARNING" in lines
    assert "collectstatic --noinput" in lines
    assert "gunicorn --config config/gunicorn.py" in lines
    assert "DJANGO_DEBUG=${DJANGO_DEBUG:-false}" in lines


# --- In this process: the health check, headers on every page, the login throttle ------------------


@pytest.mark.django_db
def test_healthz_answers_ok_with_the_database_and_the_cache(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    data = response.json()
    assert data["status"] == "ok"
    assert {name: check["status"] for name, check in data["checks"].items()} == {"database": "ok", "cache": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthz_is_503_when_the_database_fails(client, monkeypatch):
    def broken(*args, **kwargs):
        raise connection.Database.OperationalError("the database is away")

    monkeypatch.setattr("catalog.views.site._database", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    data = response.json()
    assert data["status"] == "error"
    assert data["checks"]["database"] == {"status": "error", "error": "OperationalError"}
    assert "away" not in response.content.decode()  # details go to the log, not to the public


EVERY_PAGE = [
    "/",
    "/families/",
    "/families/llava/",
    "/families/llava/llava-13b/",
    "/families/llava/faq/",
    "/models/",
    "/models/?format=json",
    "/compare/?v=llava/llava-13b&v=llava-1-5/llava-1-5-13b",
    "/providers/",
    "/providers/ollama/",
    "/sitemap.xml",
    "/robots.txt",
    "/feeds/variants.atom",
    "/feeds/prices.atom",
    "/healthz",
    "/families/nope/",
    "/admin/login/",
    "/admin/",
]


@pytest.mark.parametrize("url", EVERY_PAGE)
def test_security_headers_on_every_page(client, seed, settings, url):
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = settings.SECURE_HSTS_PRELOAD = True
    response = client.get(url, secure=True)
    assert response.status_code in (200, 302, 404), url
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "object-src 'none'" in policy and "frame-ancestors 'none'" in policy
    assert "'unsafe-inline'" not in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


@pytest.fixture
def admin_user(db):
    return User.objects.create_superuser("root", "root@example.org", "correct horse battery staple")


def login(client, username, password, address="203.0.113.7"):
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password, "next": reverse("admin:index")},
        REMOTE_ADDR=address,
    )


def test_failed_admin_logins_lock_that_user_at_that_address_only(client, admin_user, settings):
    """Issue 15.11: counted per user and address together, and the lockout says for how long."""
    limit = settings.AXES_FAILURE_LIMIT
    for attempt in range(limit - 1):
        assert login(client, "root", "wrong").status_code == 200, attempt  # the login form again, with an error
    response = login(client, "root", "wrong")
    assert response.status_code == 429  # the limit-th failure
    assert "Try again in 15 minutes" in response.content.decode()
    assert response["Retry-After"] == "900"
    # Locked there: even the right password from that address is refused …
    assert login(client, "root", "correct horse battery staple").status_code == 429
    assert "_auth_user_id" not in client.session
    # … but nobody can lock the superuser out from elsewhere.
    assert login(client, "root", "correct horse battery staple", address="198.51.100.200").status_code == 302


def test_failures_spread_over_many_addresses_or_users_lock_nobody(client, admin_user, settings):
    for attempt in range(settings.AXES_FAILURE_LIMIT + 2):
        assert login(client, "root", "wrong", address=f"198.51.100.{attempt + 1}").status_code == 200
        assert login(client, f"nobody{attempt}", "wrong").status_code == 200
    assert login(client, "root", "correct horse battery staple").status_code == 302


def test_check_deploy_warns_when_the_proxy_count_is_unset_behind_a_proxy(tmp_path):
    result = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        production_env(tmp_path, DJANGO_TRUSTED_PROXY_COUNT="0"),
    )
    assert result.returncode != 0
    assert "catalog.W001" in result.stdout + result.stderr
    assert "DJANGO_TRUSTED_PROXY_COUNT" in result.stdout + result.stderr


def test_a_successful_login_below_the_limit_works(client, admin_user, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        login(client, "root", "wrong")
    assert login(client, "root", "correct horse battery staple").status_code == 302


def test_the_throttle_counts_the_client_behind_the_proxy(rf, settings):
    from config.proxy import client_ip

    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7")
    assert client_ip(request) == "10.0.0.2"
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request) == "203.0.113.7"  # what the client wrote (6.6.6.6) is not trusted
    settings.TRUSTED_PROXY_COUNT = 3
    assert client_ip(request) == "10.0.0.2"  # fewer hops than proxies: fall back to the socket
