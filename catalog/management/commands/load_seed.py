"""Load the seed families (LLaVA, LLaVA 1.5) and their provider. Idempotent: a second run writes nothing.

It only fills what is missing: a value already in the database (a curator's edit) is kept and reported.
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from catalog.services.catalog_import import CatalogImportError, import_catalog

SEED_FILE = Path(__file__).resolve().parents[2] / "seed" / "seed.json"


class Command(BaseCommand):
    help = "Load the seed catalog data (catalog/seed/seed.json). Safe to run again: unchanged data is not rewritten."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Report what would change; write nothing.")

    def handle(self, *args, dry_run=False, verbosity=1, **options):
        try:
            raw = SEED_FILE.read_bytes()
            summary = import_catalog(
                json.loads(raw), dry_run=dry_run, origin="seed", dataset=str(SEED_FILE), raw=raw, only_fill_missing=True
            )
        except (CatalogImportError, json.JSONDecodeError) as error:
            raise CommandError(f"{SEED_FILE}: {error}") from error
        if verbosity < 1:
            return
        for line in summary.lines():
            self.stdout.write(f"  {line}")
        if dry_run:
            self.stdout.write("Dry run: nothing was written.")
        verdict = "Seed data loaded." if summary.changed else "Seed data already up to date; nothing changed."
        self.stdout.write(self.style.SUCCESS(verdict))
