"""CPU time per /models/ request, in one process (no server, no network): figures a loaded machine does not blur.

    .venv/bin/python bench/models_cpu.py --database sqlite:////tmp/real.sqlite3
    .venv/bin/python bench/models_cpu.py --database sqlite:////tmp/synthetic.sqlite3 --csv

Production settings (debug off, page cache off), Django's test client, each URL requested `--requests`
times after one warm-up; prints the median and the lowest CPU time (time.process_time) per request.
`/bench/bare/` is the practical limit bench/compare.py serves beside it (the same 50 rows, plain Django).
With --csv, one export of every row: rows per CPU second and the process's peak RSS before and after.
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

    client = Client()
    print(f"{args.database}: CPU per request over {args.requests} requests (median, lowest)")
    for label, url in URLS.items():
        headers = {"HTTP_HX_REQUEST": "true"} if "htmx" in label else {}
        response = client.get(url, secure=True, **headers)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
        timings = []
        for _ in range(args.requests):
            started = time.process_time()
            client.get(url, secure=True, **headers)
            timings.append((time.process_time() - started) * 1000)
        print(
            f"  {label:<34}{statistics.median(timings):8.1f} ms{min(timings):8.1f} ms"
            f"{len(response.content) / 1000:8.0f} KB"
        )
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
