"""Build a synthetic catalog for load tests: 100,000 variants and 300,000 offerings by default.

    DATABASE_URL=sqlite:////tmp/synthetic.sqlite3 .venv/bin/python bench/build_synthetic_catalog.py [--variants N]

The database is migrated first; existing catalog rows in it are replaced. Values are spread so
every filter and sort of /models/ has work to do: modalities, capabilities (with unknowns),
contexts from 4k to 2M, parameters, release dates over six years, prices with gaps.
"""

import argparse
import os
import random
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# One statement refreshes every /models/ row at the end: longer than the 30 s a web request may take on PostgreSQL.
os.environ.setdefault("DATABASE_STATEMENT_TIMEOUT", "0")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", type=int, default=100_000)
    parser.add_argument("--offerings-per-variant", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction

    from catalog.models import Family, Offering, Organization, Provider, Variant
    from catalog.services import summaries

    call_command("migrate", verbosity=0)
    rng = random.Random(args.seed)
    started = time.perf_counter()
    with transaction.atomic():
        Offering.objects.all().delete()
        Variant.objects.all().delete()
        Family.objects.all().delete()
        Provider.objects.all().delete()
        Organization.objects.all().delete()
        orgs = Organization.objects.bulk_create([Organization(slug=f"lab-{i}", name=f"Lab {i}") for i in range(60)])
        families = Family.objects.bulk_create(
            [Family(slug=f"family-{i}", name=f"Family {i}", creator=orgs[i % len(orgs)]) for i in range(2_000)]
        )
        providers = Provider.objects.bulk_create(
            [Provider(slug=f"provider-{i}", name=f"Provider {i}") for i in range(150)]
        )
        modalities = [
            ["text"],
            ["text", "image"],
            ["text", "image", "pdf"],
            ["text", "audio"],
            ["text", "image", "video"],
            [],
        ]
        contexts = [None, 4096, 8192, 32768, 128000, 131072, 200000, 1_000_000, 2_000_000]
        flags = [True, False, None]
        start = date(2020, 1, 1)
        batch = []
        variants_made = 0
        for i in range(args.variants):
            batch.append(
                Variant(
                    family=families[i % len(families)],
                    slug=f"v-{i}",
                    name=f"Model {i}",
                    position=i % 50,
                    release_date=start + timedelta(days=rng.randrange(6 * 365)),
                    release_precision="day",
                    context_window=rng.choice(contexts),
                    max_output_tokens=rng.choice([None, 4096, 8192, 65536]),
                    parameters=rng.choice([None, 1_500_000_000, 7_000_000_000, 13_000_000_000, 70_000_000_000]),
                    input_modalities=rng.choice(modalities),
                    output_modalities=["text"],
                    tool_calling=rng.choice(flags),
                    reasoning=rng.choice(flags),
                    structured_output=rng.choice(flags),
                    open_weights=rng.choice(flags),
                    status=rng.choice(["current"] * 6 + ["legacy", "deprecated"]),
                )
            )
            if len(batch) == 5_000:
                Variant.objects.bulk_create(batch)
                variants_made += len(batch)
                batch = []
        Variant.objects.bulk_create(batch)
        ids = list(Variant.objects.values_list("pk", flat=True))
        offerings = []
        for variant_id in ids:
            for provider in rng.sample(providers, args.offerings_per_variant):
                priced = rng.random() < 0.85
                price_in = Decimal(rng.randrange(1, 30_000)) / 1000 if priced else None
                offerings.append(
                    Offering(
                        variant_id=variant_id,
                        provider=provider,
                        model_id=f"m-{variant_id}-{provider.pk}",
                        price_input=price_in,
                        price_output=price_in * 4 if priced else None,
                        context_window=rng.choice(contexts),
                    )
                )
            if len(offerings) >= 15_000:
                Offering.objects.bulk_create(offerings)
                offerings = []
        Offering.objects.bulk_create(offerings)
        summaries.refresh()
    print(
        f"built {Variant.objects.count()} variants, {Offering.objects.count()} offerings, "
        f"{Family.objects.count()} families, {Provider.objects.count()} providers "
        f"in {time.perf_counter() - started:.0f} s"
    )


if __name__ == "__main__":
    main()
