"""Benchmark: what a hung database costs a request (issue 15). Prints the time and status of /healthz
and of a page when the database (1) accepts connections and never answers (a TCP black hole) and
(2, with --postgres URL) answers but a table is locked by another session.

    .venv/bin/python bench/hung_database.py [--postgres postgres://postgres@127.0.0.1:5432/catalog_wt15]

Serves on a free local port (BENCH_PORT to choose) with gunicorn (one worker, 8 threads; debug off), no Redis.
"""

import argparse
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


PORT = int(os.environ.get("BENCH_PORT") or _free_port())  # a free port: 8015 may be taken by someone else


def black_hole() -> int:
    """A port that accepts every connection and never sends a byte."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(100)
    held = []

    def accept():
        while True:
            connection, _ = server.accept()
            held.append(connection)

    threading.Thread(target=accept, daemon=True).start()
    return server.getsockname()[1]


def get(path: str) -> tuple[int, float]:
    started = time.monotonic()
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{PORT}{path}", timeout=120) as response:
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    return status, time.monotonic() - started


def serve(database_url: str, extra: dict | None = None) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "bench",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        **(extra or {}),
    }
    env.pop("REDIS_URL", None)
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen(
        [
            str(gunicorn),
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{PORT}",
            "--workers",
            "1",
            "--threads",
            "8",
            "--timeout",
            "120",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(200):
        if server.poll() is not None:
            raise SystemExit(f"the server exited ({server.returncode})")
        try:
            socket.create_connection(("127.0.0.1", PORT), timeout=0.2).close()
            return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("the server did not start")


def report(label: str, paths: list[str]) -> None:
    status, seconds = get("/robots.txt")  # warm-up: the first request imports the views (no database)
    print(f"{label:<55} {'(warm-up) /robots.txt':<22} {status}  {seconds:6.2f} s")
    for path in paths:
        status, seconds = get(path)
        print(f"{label:<55} {path:<22} {status}  {seconds:6.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--postgres", help="a PostgreSQL database with the catalog migrated (for the lock case)")
    args = parser.parse_args()
    port = black_hole()
    server = serve(f"postgres://postgres@127.0.0.1:{port}/catalog")
    try:
        report(
            "database accepts and never answers (connect 3 s)", ["/healthz", "/healthz", "/healthz", "/families/", "/"]
        )
    finally:
        server.terminate()
        server.wait()
    if not args.postgres:
        return
    import psycopg

    with psycopg.connect(args.postgres.replace("postgres://", "postgresql://"), autocommit=False) as locker:
        locker.execute("LOCK TABLE catalog_family IN ACCESS EXCLUSIVE MODE")
        server = serve(args.postgres, {"DATABASE_STATEMENT_TIMEOUT": "5"})
        try:
            report("catalog_family locked by another session (statement 5 s)", ["/healthz", "/healthz", "/families/"])
        finally:
            server.terminate()
            server.wait()
            locker.rollback()


if __name__ == "__main__":
    main()
