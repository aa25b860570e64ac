"""Settings come from the environment; production refuses to start without a secret key."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def load_settings(**env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import config.settings as s; print(s.DEBUG, s.DATABASES['default']['ENGINE'], "
            "s.ALLOWED_HOSTS, s.STORAGES['staticfiles']['BACKEND'])",
        ],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
    )


def test_development_defaults():
    result = load_settings()
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("True django.db.backends.sqlite3")


def test_production_without_secret_key_fails_with_a_clear_error():
    result = load_settings(DJANGO_DEBUG="false")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def test_production_settings():
    result = load_settings(
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="x" * 50,
        DJANGO_ALLOWED_HOSTS="catalog.example.org",
        DATABASE_URL="postgres://u@db.example.org:5432/catalog",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split(" ", 2)[:2] == ["False", "django.db.backends.postgresql"]
    assert "['catalog.example.org']" in result.stdout
    assert "CompressedManifestStaticFilesStorage" in result.stdout


def test_bad_boolean_is_named():
    result = load_settings(DJANGO_DEBUG="maybe")
    assert result.returncode != 0
    assert "DJANGO_DEBUG='maybe' is not a boolean" in result.stderr


def test_security_headers(client, db):
    response = client.get("/")
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
