"""Settings for bench/compare.py: the project's settings plus one bare page (bench/bench_urls.py)."""

import os

from config.settings import *  # noqa: F403 (the project's settings, unchanged but for the URLconf)

ROOT_URLCONF = "bench.bench_urls"

# bench/compare.py's "whole stack" cached server: page-cache hits go down every middleware, as before
# CachedPageHitMiddleware answered them early (the before/after of that change, in one run).
if os.environ.get("BENCH_HITS_THROUGH_WHOLE_STACK"):
    MIDDLEWARE = [path for path in MIDDLEWARE if path != "catalog.middleware.CachedPageHitMiddleware"]  # noqa: F405
