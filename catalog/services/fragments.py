"""Page fragments rendered once per catalog version: the parts of a page that read catalog data only.

A fragment (a changelog, a chart, a table of a variant's offerings) is the same for every visitor
and every query string until the catalog changes, so it is rendered once and kept under the
catalog version of `catalog.services.page_cache`, which every write bumps (saves and deletes by
signal, every import at its end, every admin POST). A new version makes every fragment
unreachable at once; the old ones expire. The page around them is still rendered per request:
this is not a page cache, and a fragment never holds anything that depends on the request.

The same rules as the page cache: inside a transaction with uncommitted catalog writes, or while
the cache is unavailable, fragments are rendered and not kept; without Redis each process has its
own memory (and its own catalog version), so a change made by another process shows after at most
CATALOG_FRAGMENT_SECONDS, the longest a fragment is kept. That setting is the fragments' own: with the
page cache off (CATALOG_PAGE_CACHE_SECONDS=0) fragments are still kept; CATALOG_FRAGMENT_SECONDS=0
renders every fragment on every request.

The work behind a fragment is skipped on a hit only if the view hands it over lazily (`once`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.utils.functional import SimpleLazyObject

from catalog.services import page_cache


def fragment_key(version: int, name: str, *parts) -> str:
    return f"catalog:fragment:{version}:{name}:" + ":".join(str(part) for part in parts)


def rendered_once(name: str, parts: tuple, render: Callable[[], str]) -> str:
    """The fragment `name` for `parts` under the current catalog version, rendered on a miss."""
    return kept_once(name, parts, render)


def kept_once(name: str, parts: tuple, compute: Callable):
    """`compute()` for `name` and `parts` under the current catalog version, computed on a miss and kept
    as a fragment is (a value the cache can pickle, never None; shared: callers must not change it)."""
    seconds = settings.CATALOG_FRAGMENT_SECONDS
    if seconds <= 0 or page_cache.has_uncommitted_changes():
        return compute()
    version = page_cache.current_version()
    if version is None:
        return compute()
    key = fragment_key(version, name, *parts)
    try:
        found = cache.get(key)
    except Exception:  # noqa: BLE001 (a failing cache: compute as if there were none)
        return compute()
    if found is not None:
        return found
    value = compute()
    try:
        cache.set(key, value, timeout=seconds)
    except Exception:  # noqa: BLE001 (a failing cache: the page is served all the same)
        pass
    return value


def once(compute: Callable, *args, **kwargs) -> SimpleLazyObject:
    """`compute(*args, **kwargs)`, run the first time a template reads the value, and only then."""
    return SimpleLazyObject(functools.partial(compute, *args, **kwargs))
