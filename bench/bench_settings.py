"""Settings for bench/compare.py: the project's settings plus one bare page (bench/bench_urls.py)."""

from config.settings import *  # noqa: F403 (the project's settings, unchanged but for the URLconf)

ROOT_URLCONF = "bench.bench_urls"
