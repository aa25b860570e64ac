"""Load-test /models/ under gunicorn with wrk: requests/s and p50/p99, beside a static file's ceiling.

    .venv/bin/python bench/load_models.py --database sqlite:////tmp/real.sqlite3 --label real
    .venv/bin/python bench/load_models.py --database sqlite:////tmp/synthetic.sqlite3 --label synthetic

Needs wrk (apt-get install -y wrk). Runs gunicorn with production settings (DJANGO_DEBUG=false),
uncached (the local-memory cache is per worker and the page cache is switched off with
CATALOG_PAGE_CACHE_SECONDS=0), on 127.0.0.1, 2 workers for 2 cores.
"""

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
URLS = {
    "static file (ceiling)": "/static/css/site.css",
    "/models/ unfiltered": "/models/",
    "/models/ filtered+sorted": "/models/?modality=image&context_min=32000&price_in_max=1&sort=price_in_min",
    "/models/ filtered+sorted JSON": "/models/?modality=image&context_min=32000&price_in_max=1&sort=price_in_min"
    "&format=json",
}


def wait_for(url: str, seconds: float = 30) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"server did not answer {url}")


def single_request_p50(url: str, n: int = 40) -> float:
    timings = []
    for _ in range(n):
        started = time.perf_counter()
        urllib.request.urlopen(url, timeout=30).read()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def wrk(url: str, seconds: int, connections: int) -> tuple[float, str, str]:
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    # The latency distribution lines ("     50%   12.34ms"), not a "72.50%" of the thread stats.
    p50 = re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1)
    p99 = re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1)
    return rps, p50, p99


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", required=True, help="DATABASE_URL of a loaded catalog")
    parser.add_argument("--label", default="")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed: apt-get install -y wrk")
    env = {
        **os.environ,
        "DATABASE_URL": args.database,
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "bench-" + "x" * 50,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "CATALOG_PAGE_CACHE_SECONDS": "0",
        "DJANGO_LOG_LEVEL": "WARNING",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
    }
    env.pop("REDIS_URL", None)
    python = sys.executable
    subprocess.run([python, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    server = subprocess.Popen(
        [
            str(Path(python).parent / "gunicorn"),
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{args.port}",
            "--workers",
            str(args.workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    base = f"http://127.0.0.1:{args.port}"
    try:
        wait_for(base + "/models/")
        print(
            f"{args.label or args.database}: gunicorn {args.workers} workers, wrk 2 threads "
            f"{args.connections} connections {args.seconds} s, uncached"
        )
        print(f"{'page':<34}{'req/s':>9}{'p50':>10}{'p99':>10}{'single p50':>12}")
        for label, path in URLS.items():
            single = single_request_p50(base + path)
            rps, p50, p99 = wrk(base + path, args.seconds, args.connections)
            print(f"{label:<34}{rps:>9.1f}{p50:>10}{p99:>10}{single:>10.1f}ms")
    finally:
        server.terminate()
        server.wait(10)


if __name__ == "__main__":
    main()
