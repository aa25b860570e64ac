"""Public pages: cached per catalog version, answered with 304 when unchanged.

Placed inside Django's CSP middleware, so each response (cached or not) still gets its own CSP
header; CachedPageHitMiddleware answers most hits much earlier, with the same headers. A cached body is stored with its nonce replaced by a secret placeholder and served with
the nonce of the request that reads it: nonces stay unique per response.

Query parameters: a request with a parameter its view does not read (`known_parameters`) is
redirected (302) to the URL without it, so junk parameters cannot multiply the cached copies of a
page; and at most CATALOG_PAGE_CACHE_VARIANTS query strings are cached per page and catalog version.

Which views: every view of the `catalog` URL namespace, and views marked with `public_page`
(sitemap, robots.txt, feeds). Only GET and HEAD, only 200 responses that set no cookie, vary on
nothing but the request's encoding and htmx headers, are not streamed, and do not say
`Cache-Control: private/no-store/no-cache`.

Every public response carries an ETag (a hash of the body without its nonce, so it is stable
across requests) and a Last-Modified, and `Cache-Control: no-cache`: browsers and proxies keep
the page but ask each time, and get a 304 when it has not changed. A 304 carries no CSP header:
the browser keeps the policy it stored with the body, whose nonce matches it.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import time

from django.conf import settings
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date

from catalog.services import page_cache

logger = logging.getLogger(__name__)

CACHE_ATTRIBUTE = "cache_public_page"
REQUEST_STATE = "_public_page"
LOOKUP_ATTRIBUTE = "_page_cache_lookup"  # (version, key) of a miss, so the lookup is not repeated
SAFE_VARY = {"accept-encoding", "hx-request", "hx-history-restore-request"}
SKIPPED_HEADERS = {"content-length", "etag", "last-modified", "cache-control", "vary", "set-cookie", "expires"}
RESPONSE_ATTRIBUTES = ("_csp_config", "_csp_ro_config")
CLIENT_CACHE_CONTROL = "public, no-cache"


def public_page(view=None, *, parameters=()):
    """A view outside the catalog namespace, marked as a cacheable public page reading only `parameters`."""
    if view is None:
        return functools.partial(public_page, parameters=parameters)

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        return view(*args, **kwargs)

    setattr(wrapper, CACHE_ATTRIBUTE, True)
    wrapper.query_parameters = frozenset(parameters)
    return wrapper


def known_parameters(view_func) -> frozenset | None:
    """The query parameters a public view reads, or None when it does not say (then nothing is redirected).

    A class-based view says so with `query_parameters` (a set) or `get_query_parameters()` (derived
    from its filters or form); a function view through `public_page(parameters=…)`.
    """
    explicit = getattr(view_func, "query_parameters", None)
    if explicit is not None:
        return frozenset(explicit)
    view_class = getattr(view_func, "view_class", None)
    if view_class is None:
        return None
    if hasattr(view_class, "get_query_parameters"):
        return frozenset(view_class.get_query_parameters())
    declared = getattr(view_class, "query_parameters", None)
    return None if declared is None else frozenset(declared)


def _canonical_redirect(request, known: frozenset):
    """A 302 to the same URL without the parameters the page does not read (utm_…, junk, cache busters)."""
    from django.http import HttpResponseRedirect

    query = request.GET.copy()
    for name in [name for name in query if name not in known]:
        del query[name]
    encoded = query.urlencode()
    response = HttpResponseRedirect(request.path + (f"?{encoded}" if encoded else ""))
    response["Cache-Control"] = "no-cache"
    return response


def _is_public(request, view_func) -> bool:
    if getattr(view_func, CACHE_ATTRIBUTE, False):
        return True
    match = request.resolver_match
    return match is not None and "catalog" in match.namespaces


def _nonce_of(request) -> str | None:
    nonce = getattr(request, "_csp_nonce", None)
    return str(nonce) if nonce else None  # a LazyNonce is truthy only once it was used


def _normalized(content: bytes, request) -> bytes:
    nonce = _nonce_of(request)
    if nonce:
        return content.replace(nonce.encode(), page_cache.nonce_placeholder().encode())
    return content


def _etag(content: bytes) -> str:
    return f'"{hashlib.sha256(content).hexdigest()[:32]}"'


def _cacheable_response(request, response) -> bool:
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    # Outer middleware would add a session Vary/cookie or a CSRF cookie to a page that used them.
    session = getattr(request, "session", None)
    if (session is not None and session.accessed) or request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        return False
    cache_control = response.get("Cache-Control", "").lower()
    if any(word in cache_control for word in ("private", "no-store", "no-cache")):
        return False
    vary = {part.strip().lower() for part in response.get("Vary", "").split(",") if part.strip()}
    return vary <= SAFE_VARY


class PublicPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    # -- request side: serve from the cache ---------------------------------------------------

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method not in ("GET", "HEAD") or not _is_public(request, view_func):
            return None
        known = known_parameters(view_func)
        if known is not None and any(name not in known for name in request.GET):
            return _canonical_redirect(request, known)  # one cache entry per page, not one per junk parameter
        state = {"key": None, "version": None}
        setattr(request, REQUEST_STATE, state)
        if page_cache.has_uncommitted_changes():
            return None
        looked_up = getattr(request, LOOKUP_ATTRIBUTE, None)
        if looked_up is not None:
            (version, key), page = looked_up, None  # CachedPageHitMiddleware looked and missed
        else:
            version = page_cache.current_version()
            if version is None:
                return None
            key = page_cache.page_key(version, request)
            page = page_cache.get_page(key)
        if page is None:
            state["key"], state["version"] = key, version
            return None
        return self._from_cache(request, page)

    def _from_cache(self, request, page: page_cache.CachedPage):
        from django.http import HttpResponse

        content = page.content
        placeholder = page_cache.nonce_placeholder().encode()
        nonce = getattr(request, "_csp_nonce", None)
        if nonce is not None and placeholder in content:
            content = content.replace(placeholder, str(nonce).encode())
        response = HttpResponse(content, status=page.status)
        for name, value in page.headers:
            response[name] = value
        for name, value in page.attributes.items():
            setattr(response, name, value)
        response["X-Page-Cache"] = "hit"
        return self._finish(request, response, page.etag, page.last_modified)

    # -- response side: store, validate ------------------------------------------------------

    def __call__(self, request):
        response = self.get_response(request)
        state = getattr(request, REQUEST_STATE, None)
        if state is None or response.get("X-Page-Cache") == "hit":
            if request.method == "POST" and self._is_admin_write(request, response):
                page_cache.bump_catalog_version()
            return response
        if not _cacheable_response(request, response):
            return response
        content = _normalized(response.content, request)
        etag, modified = _etag(content), time.time()
        if state["key"] is not None and page_cache.admit_variant(state["version"], request):
            page_cache.set_page(
                state["key"],
                page_cache.CachedPage(
                    content=content,
                    status=response.status_code,
                    headers=[(name, value) for name, value in response.items() if name.lower() not in SKIPPED_HEADERS],
                    etag=etag,
                    last_modified=modified,
                    attributes={
                        name: getattr(response, name) for name in RESPONSE_ATTRIBUTES if hasattr(response, name)
                    },
                ),
            )
            response["X-Page-Cache"] = "miss"
        else:
            response["X-Page-Cache"] = "bypass"
        return self._finish(request, response, etag, modified)

    def _finish(self, request, response, etag: str, last_modified: float):
        response["ETag"] = etag
        response["Last-Modified"] = http_date(last_modified)
        response["Cache-Control"] = CLIENT_CACHE_CONTROL
        patch_vary_headers(response, ["HX-Request"])
        conditional = get_conditional_response(request, etag=etag, last_modified=int(last_modified), response=response)
        if conditional is not response:
            # The browser keeps the CSP it stored with the body; a new nonce here would not match it.
            conditional._csp_config = {}
            conditional._csp_ro_config = {}
        return conditional

    @staticmethod
    def _is_admin_write(request, response) -> bool:
        """A curator's successful POST in the admin: bulk actions change rows without signals."""
        if response.status_code >= 400 or not request.path.startswith(f"/{settings.ADMIN_PATH}"):
            return False
        user = getattr(request, "user", None)
        return bool(user is not None and user.is_authenticated and user.is_staff)


# The middleware whose headers a page-cache hit still needs, run in this order around it.
HIT_MIDDLEWARE = (
    "django.middleware.common.CommonMiddleware",  # Content-Length; disallowed user agents
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",  # the nonce and the CSP header
)


class CachedPageHitMiddleware:
    """Serves page-cache hits early (right after WhiteNoise), without the rest of the stack.

    An entry exists only for a key PublicPageCacheMiddleware stored: a public page, no junk
    parameters, no session, cookie or CSRF token used. Sessions, CSRF, auth, history and messages
    would do nothing to it; what they skip costs most of a hit. The headers a hit needs come from
    the middleware of HIT_MIDDLEWARE (those listed in MIDDLEWARE, in its order) and from
    PublicPageCacheMiddleware's own finish (ETag, Last-Modified, Cache-Control, Vary, 304).
    A miss, or anything uncertain, goes down the whole stack as before.
    """

    def __init__(self, get_response):
        from django.utils.module_loading import import_string

        self.get_response = get_response
        self.page_cache = PublicPageCacheMiddleware(get_response)
        serve = self._serve
        for path in reversed([path for path in settings.MIDDLEWARE if path in HIT_MIDDLEWARE]):
            serve = import_string(path)(serve)
        self.serve_hit = serve

    def __call__(self, request):
        page = self._lookup(request)
        if page is None:
            return self.get_response(request)
        request._cached_page = page
        return self.serve_hit(request)

    @staticmethod
    def _lookup(request) -> page_cache.CachedPage | None:
        from django.core.exceptions import DisallowedHost

        if request.method not in ("GET", "HEAD") or settings.CATALOG_PAGE_CACHE_SECONDS <= 0:
            return None  # nothing to serve (with the page cache off, nothing is ever stored)
        if page_cache.has_uncommitted_changes():
            return None
        version = page_cache.current_version()
        if version is None:
            return None
        try:
            key = page_cache.page_key(version, request)
        except DisallowedHost:
            return None  # the whole stack answers it with its 400
        page = page_cache.get_page(key)
        if page is None:
            setattr(request, LOOKUP_ATTRIBUTE, (version, key))
        return page

    def _serve(self, request):
        return self.page_cache._from_cache(request, request._cached_page)


class DatabaseUnavailableMiddleware:
    """A view that meets a database that is away or timed out answers the designed 503 page.

    The connect and statement timeouts (DATABASE_CONNECT_TIMEOUT, DATABASE_STATEMENT_TIMEOUT) turn a
    hung database into an OperationalError; this turns that into a 503 with Retry-After, logged as
    one warning line instead of a 500 with a traceback.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from django.db.utils import InterfaceError, OperationalError

        from catalog.views.site import database_unavailable

        if isinstance(exception, (OperationalError, InterfaceError)):
            logger.warning(
                "Database unavailable for %s %s: %s: %s",
                request.method,
                request.path,
                type(exception).__name__,
                exception,
            )
            return database_unavailable(request, exception)
        return None
