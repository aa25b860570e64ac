"""How long the data-quality checks take after a curator's save (one family) and after an import (all).

    .venv/bin/python bench/check_after_save.py [--repeat 3]

Reads the worktree's database (run `make seed` and import LiteLLM first). Writes findings, as the
admin would; prints the seconds of a full run and of a run scoped to the largest family, and to a
small one.
"""

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402 (settings first)

django.setup()

from django.db.models import Count  # noqa: E402 (after django.setup)

from catalog.models import Family, Finding  # noqa: E402 (after django.setup)
from catalog.services import quality  # noqa: E402 (after django.setup)


def best_of(repeat, **kwargs) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        quality.run_checks(**kwargs)
        times.append(time.perf_counter() - started)
    return min(times)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    families = Family.objects.annotate(n=Count("variants__offerings")).order_by("-n")
    largest, small = families.first(), families.filter(n__gt=0).last()
    print(f"catalog: {Family.objects.count()} families, {Finding.objects.count()} findings")
    print(f"full run (after an import):           {best_of(args.repeat):.3f} s")
    for family in (largest, small):
        seconds = best_of(args.repeat, family_ids={family.pk})
        print(f"one family (after a save), {family.slug} ({family.n} offerings): {seconds:.3f} s")


if __name__ == "__main__":
    main()
