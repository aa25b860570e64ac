"""CPU time per /models/ request, in one process (no server, no network): figures a loaded machine does not blur.

    .venv/bin/python bench/models_cpu.py --database sqlite:////tmp/real.sqlite3
    .venv/bin/python bench/models_cpu.py --database sqlite:////tmp/synthetic.sqlite3 --csv

Production settings (debug off, page cache off), Django's test client, each URL requested `--requests`
times after one warm-up; prints the median and the lowest CPU time (time.process_time) per request.
`/bench/bare/` is the practical limit bench/compare.py serves beside it (the same 50 rows, plain Django).
With --csv, one export of every row: rows per CPU second and the process's peak RSS before and after.

/models/ keeps an index of the catalog version, and the rows and drawn rows its pages read
(catalog.selectors.model_index): "rows not kept" forgets those rows before each request (a page of rows no
request of this version read), "new catalog version" bumps the version before each request (the index is built
again: the first request after a write), and "the index's build" times model_index.build() alone.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FILTER = "modality=image&context_min=32000&price_in_max=1&sort=price_in_min"
URLS = {
    "/models/ filtered+sorted+facets": f"/models/?{FILTER}",
    "/models/ filtered, htmx results": f"/models/?{FILTER}",
    "/models/ unfiltered": "/models/",
    "/models/ filtered JSON": f"/models/?{FILTER}&format=json",
    "bare Django 50 rows": "/bench/bare/",
    "empty Django page (the floor)": "/bench/empty/",
}
COLD = {
    "/models/ filtered, rows not kept": "rows",
    "/models/ filtered, new catalog version": "version",
}
ALL_ROWS_CSV = "/models/?format=csv&status=current&status=legacy&status=deprecated&status=retired&status=unlisted"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", required=True, help="DATABASE_URL of a loaded catalog")
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--csv", action="store_true", help="also export every row as CSV once")
    args = parser.parse_args()
    os.environ.update(
        DATABASE_URL=args.database,
        DJANGO_SETTINGS_MODULE="bench.bench_settings",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="bench-" + "x" * 50,
        DJANGO_ALLOWED_HOSTS="testserver",
        CATALOG_PAGE_CACHE_SECONDS="0",
        DJANGO_SECURE_SSL_REDIRECT="false",
        DJANGO_LOG_LEVEL="ERROR",
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.test import Client

    from catalog.services import page_cache

    try:
        from catalog.selectors import model_index
    except ImportError:  # a checkout from before the index (before/after runs): no cold lines
        model_index = None
    cold = COLD if model_index else {}

    def forget(what: str) -> None:
        if what == "rows":
            index = page_cache.once_per_version("models:index", model_index.build)
            index.rows.clear()
            index.fragments.clear()
        elif what == "version":
            page_cache.bump_now()

    client = Client()
    print(f"{args.database}: CPU per request over {args.requests} requests (median, lowest)")
    for label, url in {**URLS, **{label: URLS["/models/ filtered+sorted+facets"] for label in cold}}.items():
        headers = {"HTTP_HX_REQUEST": "true"} if "htmx" in label else {}
        response = client.get(url, secure=True, **headers)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
        timings = []
        for _ in range(args.requests if COLD.get(label) != "version" else max(3, args.requests // 4)):
            forget(COLD.get(label, ""))
            started = time.process_time()
            client.get(url, secure=True, **headers)
            timings.append((time.process_time() - started) * 1000)
        print(
            f"  {label:<40}{statistics.median(timings):8.1f} ms{min(timings):8.1f} ms"
            f"{len(response.content) / 1000:8.0f} KB"
        )
    timings = []
    for _ in range(3 if model_index else 0):
        started = time.process_time()
        model_index.build()
        timings.append((time.process_time() - started) * 1000)
    if timings:
        print(f"  {"the index's build":<40}{statistics.median(timings):8.1f} ms{min(timings):8.1f} ms")
    if args.csv:
        peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        started = time.process_time()
        rows = -1
        for chunk in client.get(ALL_ROWS_CSV, secure=True).streaming_content:
            rows += chunk.count(b"\n")
        seconds = time.process_time() - started
        peak_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"  CSV of every row: {rows} rows in {seconds:.2f} CPU s = {rows / seconds:,.0f} rows per CPU second; "
            f"peak RSS {peak_before:.0f} MB before, {peak_after:.0f} MB after"
        )


if __name__ == "__main__":
    main()
