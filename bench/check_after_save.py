"""How long the data-quality checks take after a curator's save (one family) and after an import (all).

    DATABASE_URL=sqlite:////tmp/real.sqlite3 .venv/bin/python bench/check_after_save.py [--repeat 5]

Reads a catalog database (the `make run` chain: load_seed, import_modelsdev, import_litellm). Writes
findings, as the hooks do (`quality.check_after_commit` after every import and curator save); prints,
for a full run and for runs scoped to the largest family and to a small one, the median CPU seconds
(process_time: the machine is shared), the median wall seconds, the queries, and the load average.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402 (settings first)

django.setup()

from django.db import connection  # noqa: E402 (after django.setup)
from django.db.models import Count  # noqa: E402 (after django.setup)
from django.test.utils import CaptureQueriesContext  # noqa: E402 (after django.setup)

from catalog.models import Family, Finding  # noqa: E402 (after django.setup)
from catalog.services import quality  # noqa: E402 (after django.setup)


def measure(repeat, **kwargs) -> tuple[float, float, int]:
    """Median CPU seconds, median wall seconds, and queries of one run."""
    cpu, wall, queries = [], [], 0
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        with CaptureQueriesContext(connection) as captured:
            quality.run_checks(**kwargs)
        cpu.append(time.process_time() - started_cpu)
        wall.append(time.perf_counter() - started)
        queries = len(captured)
    return statistics.median(cpu), statistics.median(wall), queries


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    families = Family.objects.annotate(n=Count("variants__offerings")).order_by("-n")
    largest, small = families.first(), families.filter(n__gt=0).last()
    print(
        f"catalog: {Family.objects.count()} families, {Finding.objects.count()} findings; "
        f"load average {os.getloadavg()[0]:.2f}; median of {args.repeat}"
    )
    cpu, wall, queries = measure(args.repeat)
    print(f"full run (after an import):  {cpu:.3f} s CPU, {wall:.3f} s wall, {queries} queries")
    for family in (largest, small):
        cpu, wall, queries = measure(args.repeat, family_ids={family.pk})
        print(
            f"one family (after a save), {family.slug} ({family.n} offerings): {cpu:.3f} s CPU, {wall:.3f} s wall, "
            f"{queries} queries"
        )
    print(f"open findings now: {Finding.objects.filter(state=Finding.State.OPEN).count()}")


if __name__ == "__main__":
    main()
