"""Benchmark: server time, queries and HTML size of the guidance pages on the database you point it at.

Renders each page in-process with Django's test client (no network, page cache off), a few warm-up
requests then N timed ones, and prints the median and best wall time, the median CPU time of the
process (SQLite runs in it; on a shared, loaded machine this moves less than wall time), the query
count and the HTML size. The page cache is off, but the fragments kept per catalog version
(catalog.services.fragments) are kept between requests, as in production; "cold cpu" is the median
CPU time of the first request after a catalog write (the version bumped before each one), when
every fragment is rendered again.
Run it on the real data (make seed, then import_litellm) in your worktree's db.sqlite3:

    .venv/bin/python bench/guidance_pages.py [--runs 15] [--family qwen] [URL ...]

Without URLs: the family page and FAQ, the variant with most offerings, /choose/ with issue 13's needs.
Targets (issues 13 and 14): /choose/ <= 50 ms, the biggest family page <= 30 ms and < 150 KB, a variant
page <= 15 ms.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

CHOOSER = [
    "/choose/?kind=",
    "/choose/?modality=image&tool_calling=1&input_tokens=10000000&output_tokens=2000000",
    "/choose/?context_min=1000000",
    "/choose/?reasoning=1&price_output_max=2",
    "/choose/?open_weights=1&params_max=24",
    "/choose/?kind=embedding",
    "/choose/?modality=video&context_min=4000000&open_weights=1",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--family", default="qwen")
    parser.add_argument("urls", nargs="*")
    options = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    settings.ALLOWED_HOSTS = ["*"]
    # As in production: no query log, no template debug info (static files keep the development storage).
    settings.DEBUG = False
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if "PageCache" not in m]  # the page, not the cache
    if not options.urls:
        from django.db.models import Count

        from catalog.models import Variant

        busiest = (
            Variant.objects.filter(family__published=True)
            .select_related("family")
            .annotate(n=Count("offerings"))
            .order_by("-n", "pk")
            .first()
        )
    urls = options.urls or [
        f"/families/{options.family}/",
        f"/families/{options.family}/faq/",
        *([busiest.get_absolute_url()] if busiest else []),
        *CHOOSER,
    ]
    client = Client()
    from catalog.services import page_cache

    print(
        f"{'url':<90} {'status':>6} {'median ms':>9} {'best ms':>8} {'cpu ms':>7} {'cold cpu':>8} {'queries':>7} "
        f"{'KB':>7}"
    )
    for url in urls:
        for _ in range(3):
            client.get(url)
        times, cpu = [], []
        for _ in range(options.runs):
            started, started_cpu = time.perf_counter(), time.process_time()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
        cold = []
        for _ in range(options.runs):
            page_cache.bump_now()  # what every write does: every fragment is rendered again
            started_cpu = time.process_time()
            client.get(url)
            cold.append((time.process_time() - started_cpu) * 1000)
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        print(
            f"{url:<90} {response.status_code:>6} {statistics.median(times):>9.1f} {min(times):>8.1f} "
            f"{statistics.median(cpu):>7.1f} {statistics.median(cold):>8.1f} "
            f"{len(captured):>7} {len(response.content) / 1024:>7.1f}"
        )


if __name__ == "__main__":
    main()
