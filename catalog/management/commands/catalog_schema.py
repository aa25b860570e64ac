"""Print the JSON Schema of the catalog file format (docs/catalog-format.schema.json is its output)."""

import json

from django.core.management.base import BaseCommand

from catalog.services.catalog_format import json_schema


class Command(BaseCommand):
    help = "Print the JSON Schema of the catalog import/export format."

    def handle(self, *args, **options):
        self.stdout.write(json.dumps(json_schema(), indent=2, ensure_ascii=False))
