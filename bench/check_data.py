"""Benchmark: every data-quality rule over the seed plus the full bundled models.dev import (SQLite).

Builds a fresh database (migrate, load_seed, import_modelsdev; with --litellm PATH also LiteLLM),
then runs all rules twice: a first run that writes every finding, and an unchanged re-run. Prints
wall time and query counts of each run, and the findings per rule. Target (issue 8): < 10 s, in a
number of queries that does not grow with the catalog.

    .venv/bin/python bench/check_data.py [--litellm model_prices_and_context_window.json]
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from measured import measure  # noqa: E402 (bench/ is not a package)

CHECKS = """
from catalog.services import quality
report = quality.run_checks()
result["rules"] = [[s.rule.code, s.rule.severity_label, s.found, s.open, round(s.seconds, 3)] for s in report.summaries]
"""


def manage(env, *args):
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


def child(env) -> dict:
    return measure(CHECKS, env)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--litellm", help="Also import LiteLLM's model_prices_and_context_window.json.")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{directory}/bench.sqlite3", "DJANGO_DEBUG": "true"}
        started = time.perf_counter()
        manage(env, "migrate", "--noinput", "-v0")
        manage(env, "load_seed", "-v0")
        manage(env, "import_modelsdev", "-v0")
        data = "seed + models.dev (bundled)"
        if options.litellm:
            manage(env, "import_litellm", options.litellm, "-v0")
            data += " + LiteLLM"
        print(f"data: {data}, built in {time.perf_counter() - started:.1f} s")
        first = child(env)
        second = child(env)

    print(f"{'rule':<30}{'severity':<9}{'found':>7}{'seconds':>9}")
    for code, severity, found, _, seconds in first["rules"]:
        print(f"{code:<30}{severity:<9}{found:>7}{seconds:>9.3f}")
    total = sum(rule[2] for rule in first["rules"])
    print(f"{'all rules':<39}{total:>7}")
    print(f"{'run':<30}{'seconds':>9}{'queries':>9}")
    print(f"{'first (writes every finding)':<30}{first['seconds']:>9.2f}{first['queries']:>9}")
    print(f"{'unchanged re-run':<30}{second['seconds']:>9.2f}{second['queries']:>9}")
    print("target: < 10 s; queries: one per kind of row read, plus writes in batches of 500")


if __name__ == "__main__":
    main()
