"""/models/ side by side with its peers in one run: datasette, a bare Django page, a static file.

    make bench-install      # datasette (the `bench` extra) and Debian's wrk
    .venv/bin/python bench/compare.py --database sqlite:////tmp/real.sqlite3 --label real
    .venv/bin/python bench/compare.py --database postgres://postgres@127.0.0.1:5432/catalog --label real-pg

What runs, all on 127.0.0.1 and at the same time:
- the project under gunicorn, production settings, 2 sync workers, the page cache off ("uncached"):
  /models/, the biggest family's page, the variant with most offerings, /choose/ with no needs and
  with issue 13's vision + tool calling + monthly tokens needs. The family and variant pages keep their
  sections per catalog version (catalog.services.fragments, CATALOG_FRAGMENT_SECONDS), as in production
  with the page cache off: "sections kept". The same two pages are also served by another gunicorn
  with CATALOG_FRAGMENT_SECONDS=0, every section rendered per request, as right after a catalog write:
  "cold"; plus /bench/bare/ (bench/bench_urls.py: the same filter, sort and 50 rows in plain Django, no
  facets, no count, no layout: the practical limit) and a static file through whitenoise (the ceiling);
- datasette (one process, its defaults but a 30 s SQL time limit, so a loaded machine gets pages rather
  than its 1 s time-out errors) over the same rows flattened into one SQLite table (with
  indexes on the filter and sort columns), its default table page with the same filter and sort;
- a second gunicorn of the project with the page cache on, for "a cached page against the static file",
  and a third one whose hits go down the whole middleware stack (without CachedPageHitMiddleware):
  the same comparison before that change, in the same run. `--only static,cached` runs just those.

Each round runs wrk on every target in turn (alternating, so the noise of a shared machine falls on
all of them alike); the figures are medians over the rounds. Beside req/s, each run's server CPU time
per request (the answering processes' user + system time from /proc, over the requests wrk counted):
what a request costs whatever else the machine is doing. Then single-request p50s (sequential),
a CSV export of every row (rows/s, the worker's peak RSS before and after), and each worker's RSS.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FILTER = "modality=image&context_min=32000&price_in_max=1&sort=price_in_min"
DATASETTE_FILTER = (
    "input_modalities__contains=image&context_window__gte=32000&price_in_min__lte=1"
    "&status__in=current,legacy&_sort=price_in_min&_size=50"
)
# The guidance pages' needs (issue 13): vision and tool calling, 10M input / 2M output tokens a month.
CHOOSER_NEEDS = "modality=image&tool_calling=1&input_tokens=10000000&output_tokens=2000000"
FLAT_COLUMNS = (
    ("family", "family__slug"),
    ("variant", "slug"),
    ("name", "name"),
    ("creator", "family__creator__name"),
    ("release_date", "release_date"),
    ("context_window", "context_window"),
    ("max_output_tokens", "max_output_tokens"),
    ("parameters", "parameters"),
    ("input_modalities", "input_modalities"),
    ("output_modalities", "output_modalities"),
    ("tool_calling", "tool_calling"),
    ("reasoning", "reasoning"),
    ("structured_output", "structured_output"),
    ("open_weights", "open_weights"),
    ("status", "status"),
    ("providers", "provider_count"),
    ("price_in_min", "price_in_min"),
    ("price_out_min", "price_out_min"),
)


def django_setup(database: str) -> None:
    os.environ["DATABASE_URL"] = database
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def flatten(path: Path) -> int:
    """The variants of published families as one SQLite table `models`, as datasette serves it."""
    from catalog.models import Variant

    path.unlink(missing_ok=True)
    db = sqlite3.connect(path)
    names = [name for name, _ in FLAT_COLUMNS]
    db.execute(f"CREATE TABLE models (id INTEGER PRIMARY KEY, {', '.join(names)})")
    rows = Variant.objects.filter(family__published=True).values_list("pk", *[f for _, f in FLAT_COLUMNS])

    def plain(value):
        if isinstance(value, (list, set, frozenset, tuple)):
            return ",".join(sorted(str(v) for v in value))
        if value is None or isinstance(value, (int, float, str)):
            return value
        return float(value) if hasattr(value, "as_integer_ratio") else str(value)

    count = 0
    batch = []
    for row in rows.iterator(chunk_size=5000):
        batch.append([plain(v) for v in row])
        if len(batch) == 5000:
            db.executemany(f"INSERT INTO models VALUES ({', '.join('?' * (len(names) + 1))})", batch)
            count += len(batch)
            batch = []
    db.executemany(f"INSERT INTO models VALUES ({', '.join('?' * (len(names) + 1))})", batch)
    count += len(batch)
    for column in ("price_in_min", "context_window", "release_date", "status"):
        db.execute(f"CREATE INDEX models_{column} ON models ({column})")
    db.commit()
    db.close()
    return count


def sample_paths() -> dict[str, str]:
    """A variant page (the variant with most offerings) and the biggest family, from the data."""
    from django.db.models import Count

    from catalog.models import Family, Variant

    variant = (
        Variant.objects.filter(family__published=True)
        .select_related("family")
        .annotate(n=Count("offerings"))
        .order_by("-n", "pk")
        .first()
    )
    family = Family.objects.published().annotate(n=Count("variants")).order_by("-n", "pk").first()
    return {
        "variant": variant.get_absolute_url(),
        "family": family.get_absolute_url(),
        "family_size": family.n,
        "variant_offerings": variant.n,
    }


def wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=5).read()
            return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"server did not answer {url}")


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of these processes so far (from /proc: what they used, whatever the load)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def wrk(url: str, seconds: int, connections: int, servers: list[int]) -> tuple[float, float, float, float]:
    """(req/s, p50 ms, p99 ms, server CPU ms per request) of one wrk run; `servers`: the pids that answer."""
    cpu_before = cpu_seconds(servers)
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "30s", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    cpu = cpu_seconds(servers) - cpu_before  # before the drain: the few requests still queued are not counted
    drain(url)
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    if non2xx:
        print(f"  ({url}: {non2xx.group(1)} error responses under load, counted in its req/s)")

    def ms(label):
        value = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)\b", out, re.M)
        number, unit = float(value.group(1)), value.group(2)
        return number / 1000 if unit == "us" else number * 1000 if unit == "s" else number

    # No request finished within the run (a target slower than wrk's time): no CPU per request to speak of.
    return rps, ms("50"), ms("99"), cpu * 1000 / requests if requests else None


def drain(url: str) -> None:
    """Wait until the server behind `url` has answered what wrk left queued (sync workers finish every
    request they accepted), so that one target's backlog does not fall on the next one's run."""
    root = url.split("/", 3)
    urllib.request.urlopen(f"{root[0]}//{root[2]}/", timeout=300).read()


def single_p50(url: str, n: int) -> float:
    timings = []
    for _ in range(n):
        started = time.perf_counter()
        with urllib.request.urlopen(url, timeout=60) as response:
            response.read()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(p) for p in (task / "children").read_text().split()]
    return found


def memory(pid: int) -> tuple[float, float]:
    """(RSS, peak RSS) in MB of one process."""
    status = Path(f"/proc/{pid}/status").read_text()
    rss = int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024
    peak = int(re.search(r"VmHWM:\s+(\d+)", status).group(1)) / 1024
    return rss, peak


def csv_export(url: str) -> tuple[int, float, int]:
    """(rows, seconds, bytes) of one full CSV download, read in chunks as a client would."""
    started = time.perf_counter()
    lines = size = 0
    with urllib.request.urlopen(url, timeout=600) as response:
        while chunk := response.read(1 << 16):
            lines += chunk.count(b"\n")
            size += len(chunk)
    return lines - 1, time.perf_counter() - started, size


def main() -> None:  # noqa: C901 (one linear script: start, measure, print, stop)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", required=True, help="DATABASE_URL of a loaded catalog")
    parser.add_argument("--label", default="")
    parser.add_argument(
        "--port", type=int, default=8014, help="the project; +1 cached, +2 datasette, +3 whole stack, +4 cold"
    )
    parser.add_argument("--seconds", type=int, default=5, help="per wrk run")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--single", type=int, default=30, help="sequential requests for the single-request p50")
    parser.add_argument("--no-csv", action="store_true")
    parser.add_argument("--only", default="", help="comma-separated parts of target labels: run just those")
    args = parser.parse_args()
    for tool in ("wrk", "datasette"):
        if not shutil.which(tool) and not (Path(sys.executable).parent / tool).exists():
            raise SystemExit(f"{tool} is missing: make bench-install")

    django_setup(args.database)
    workdir = Path(tempfile.mkdtemp(prefix="bench-compare-"))
    flat = workdir / "models.db"
    flat_rows = flatten(flat)
    paths = sample_paths()

    env = {
        **os.environ,
        "DATABASE_URL": args.database,
        "DJANGO_DEBUG": "false",
        "DJANGO_SETTINGS_MODULE": "bench.bench_settings",
        "DJANGO_SECRET_KEY": "bench-" + "x" * 50,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "CATALOG_PAGE_CACHE_SECONDS": "0",
        "CATALOG_FRAGMENT_SECONDS": "600",  # sections kept per catalog version, the page cache off
        "DJANGO_LOG_LEVEL": "WARNING",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        # docs/deploy.md's production value: a worker keeps its database connection (PostgreSQL's costs
        # milliseconds to open; the default, 0, opens one per request)
        "DATABASE_CONN_MAX_AGE": os.environ.get("DATABASE_CONN_MAX_AGE", "60"),
    }
    env.pop("REDIS_URL", None)
    cached_env = {**env, "CATALOG_PAGE_CACHE_SECONDS": "600"}
    whole_stack_env = {**cached_env, "BENCH_HITS_THROUGH_WHOLE_STACK": "1"}
    cold_env = {**env, "CATALOG_FRAGMENT_SECONDS": "0"}  # every section rendered per request
    bin_dir = Path(sys.executable).parent
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)

    def gunicorn(port, environment):
        return subprocess.Popen(
            [
                str(bin_dir / "gunicorn"),
                "config.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(args.workers),
                "--log-level",
                "warning",
                "--no-control-socket",
                # A full CSV export on a loaded machine can outlast gunicorn's 30 s default.
                "--timeout",
                "600",
            ],
            cwd=ROOT,
            env=environment,
        )

    ours, cached_port, datasette_port, whole_stack_port = args.port, args.port + 1, args.port + 2, args.port + 3
    cold_port = args.port + 4
    servers = [
        gunicorn(ours, env),
        gunicorn(cached_port, cached_env),
        subprocess.Popen(
            [
                str(bin_dir / "datasette"),
                "serve",
                str(flat),
                "--port",
                str(datasette_port),
                "--host",
                "127.0.0.1",
                "--setting",
                "sql_time_limit_ms",
                "30000",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        ),
        gunicorn(whole_stack_port, whole_stack_env),
        gunicorn(cold_port, cold_env),
    ]
    base, cached_base = f"http://127.0.0.1:{ours}", f"http://127.0.0.1:{cached_port}"
    cold_base = f"http://127.0.0.1:{cold_port}"
    targets = {
        "/models/ filtered+sorted+facets": f"{base}/models/?{FILTER}",
        "/models/ unfiltered": f"{base}/models/",
        "/models/ filtered JSON": f"{base}/models/?{FILTER}&format=json",
        f"variant page ({paths['variant_offerings']} offerings), kept": base + paths["variant"],
        f"variant page ({paths['variant_offerings']} offerings), cold": cold_base + paths["variant"],
        f"family page ({paths['family_size']} variants), kept": base + paths["family"],
        f"family page ({paths['family_size']} variants), cold": cold_base + paths["family"],
        "/choose/ (no needs)": f"{base}/choose/?kind=",
        "/choose/ (five needs)": f"{base}/choose/?{CHOOSER_NEEDS}",
        "datasette table page": f"http://127.0.0.1:{datasette_port}/models/models?{DATASETTE_FILTER}",
        "bare Django 50 rows": f"{base}/bench/bare/",
        "static file": f"{base}/static/css/site.css",
        "cached /models/ filtered": f"{cached_base}/models/?{FILTER}",
        "cached, hits through whole stack": f"http://127.0.0.1:{whole_stack_port}/models/?{FILTER}",
    }
    if args.only:
        wanted = [part.strip() for part in args.only.split(",") if part.strip()]
        targets = {label: url for label, url in targets.items() if any(part in label for part in wanted)}
    try:
        for url in targets.values():
            wait_for(url)
            for _ in range(2 * args.workers):  # warm every worker's caches where there are any
                urllib.request.urlopen(url, timeout=60).read()
        title = args.label or args.database
        print(
            f"{title}: {flat_rows} variants; gunicorn {args.workers} sync workers, wrk -t2 -c{args.connections} "
            f"{args.seconds}s x {args.rounds} rounds (alternating; medians); page cache off except 'cached'; "
            "family and variant pages: 'kept' keeps their sections per catalog version, 'cold' renders them all"
        )
        ports = {
            ours: servers[0],
            cached_port: servers[1],
            datasette_port: servers[2],
            whole_stack_port: servers[3],
            cold_port: servers[4],
        }

        def answering(url):  # the processes that serve `url`: a gunicorn's workers, or datasette
            server = ports[int(url.split(":")[2].split("/")[0])]
            return children(server.pid) or [server.pid]

        results = {label: [] for label in targets}
        for _ in range(args.rounds):
            for label, url in targets.items():
                results[label].append(wrk(url, args.seconds, args.connections, answering(url)))
        singles = {label: single_p50(url, args.single) for label, url in targets.items()}
        rps = {label: statistics.median(r[0] for r in runs) for label, runs in results.items()}
        cpu = {
            label: statistics.median([r[3] for r in runs if r[3] is not None] or [0]) for label, runs in results.items()
        }
        print(f"{'target':<42}{'req/s':>9}{'wrk p50':>10}{'wrk p99':>10}{'single p50':>12}{'server CPU/req':>16}")
        for label, runs in results.items():
            p50 = statistics.median(r[1] for r in runs)
            p99 = statistics.median(r[2] for r in runs)
            print(
                f"{label:<42}{rps[label]:>9.1f}{p50:>8.1f}ms{p99:>8.1f}ms{singles[label]:>10.1f}ms"
                + (f"{cpu[label]:>14.2f}ms" if cpu[label] else f"{'n/a':>16}")
            )
        page = "/models/ filtered+sorted+facets"

        def ratio(a, b):
            return f"{rps[a] / rps[b]:6.2f}x" if rps.get(a) and rps.get(b) else "   n/a"

        def cpu_ratio(a, b):  # how many of a's requests one CPU second serves, against b's
            return f"{cpu[b] / cpu[a]:6.2f}x" if cpu.get(a) and cpu.get(b) else "   n/a"

        print("ratios:                               req/s  server CPU per request (load-independent)")
        for a, b, name in (
            (page, "datasette table page", "/models/ filtered / datasette"),
            (page, "bare Django 50 rows", "/models/ filtered / bare Django"),
            ("cached /models/ filtered", "static file", "cached /models/ / static file"),
            ("cached, hits through whole stack", "static file", "  (hits through whole stack)"),
        ):
            print(f"  {name:<34}{ratio(a, b)}  {cpu_ratio(a, b)}")

        workers = children(servers[0].pid)
        if not args.no_csv and not args.only:
            before = {pid: memory(pid) for pid in workers}
            rows, seconds, size = csv_export(
                f"{base}/models/?format=csv&status=current&status=legacy"
                "&status=deprecated&status=retired&status=unlisted"
            )
            after = {pid: memory(pid) for pid in workers}
            print(
                f"CSV export of every row: {rows} rows, {size / 1e6:.1f} MB in {seconds:.2f} s = "
                f"{rows / seconds:,.0f} rows/s"
            )
            for pid in workers:
                print(f"  worker {pid}: peak RSS {before[pid][1]:.0f} MB before, {after[pid][1]:.0f} MB after")
        for pid in workers:
            rss, peak = memory(pid)
            print(f"worker {pid} after the benchmark: RSS {rss:.0f} MB, peak {peak:.0f} MB")
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            try:
                server.wait(30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
