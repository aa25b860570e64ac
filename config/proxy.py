"""The client's address behind the reverse proxies this deployment trusts (DJANGO_TRUSTED_PROXY_COUNT).

Each trusted proxy appends the address it received the request from to X-Forwarded-For, so the
client is the entry that many places from the right. Anything further left was sent by the client
and is not trusted. With no trusted proxy the socket's address (REMOTE_ADDR) is the client.
"""

from django.conf import settings


def client_ip(request) -> str | None:
    count = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    remote = request.META.get("REMOTE_ADDR") or None
    if count <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < count:
        return remote
    return forwarded[-count]
