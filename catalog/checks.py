"""System checks for deployment (`manage.py check --deploy`, run by `make serve`)."""

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def proxy_count_matches_the_proxy(app_configs=None, **kwargs):
    """Behind a proxy (it sets the scheme header) with no trusted proxy count, every client has the proxy's address:
    five failed logins from anyone would lock every curator out (the throttle counts per user and address)."""
    behind_proxy = bool(getattr(settings, "SECURE_PROXY_SSL_HEADER", None)) or settings.USE_X_FORWARDED_HOST
    if behind_proxy and getattr(settings, "TRUSTED_PROXY_COUNT", 0) <= 0:
        return [
            Warning(
                "The app is behind a proxy (DJANGO_SECURE_PROXY_SSL_HEADER or DJANGO_USE_X_FORWARDED_HOST is set) but "
                "DJANGO_TRUSTED_PROXY_COUNT is 0, so every client looks like the proxy's address to the login throttle.",
                hint="Set DJANGO_TRUSTED_PROXY_COUNT to the number of proxies that append to X-Forwarded-For (usually 1).",
                id="catalog.W001",
            )
        ]
    return []
