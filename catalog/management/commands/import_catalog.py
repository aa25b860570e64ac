"""Import a catalog document (JSON or YAML, our catalog format) into the database: validated, atomic, idempotent."""

import sys

from django.core.management.base import BaseCommand, CommandError

from catalog.services.catalog_export import FORMATS, format_for_path, load_document
from catalog.services.catalog_import import CatalogImportError, import_catalog
from catalog.services.importers import reading
from catalog.services.importers.runs import ImportError_


class Command(BaseCommand):
    help = (
        "Import a catalog document. The format follows the extension (.json, .yaml, .yml) unless --format is "
        "given; '-' reads stdin (JSON unless --format yaml). All or nothing; records are matched on their "
        "slugs and saved only when a value differs; nothing is deleted."
    )
    stealth_options = ("stdin",)

    def add_arguments(self, parser):
        parser.add_argument("path", help="The file to read, or '-' for stdin.")
        parser.add_argument(
            "--format", dest="fmt", choices=FORMATS, help="json or yaml; default: from the extension, json for '-'."
        )
        parser.add_argument("--dry-run", action="store_true", help="Report what would change; write nothing.")

    def handle(self, *args, path, fmt=None, dry_run=False, verbosity=1, **options):
        name = "<stdin>" if path == "-" else path
        try:
            fmt = format_for_path(path, fmt)
        except ValueError as error:
            raise CommandError(f"{name}: {error}") from error
        try:
            if path == "-":
                text = (options.get("stdin") or sys.stdin).read(reading.max_bytes() + 1)
                raw = text.encode("utf-8") if isinstance(text, str) else text
                if len(raw) > reading.max_bytes():
                    raise ImportError_(f"{name}: more than {reading.max_bytes():,} bytes (CATALOG_IMPORT_MAX_BYTES)")
            else:
                raw = reading.read_bytes(path)  # bounded; gzip is read too
        except ImportError_ as error:
            raise CommandError(str(error).replace("cannot read: ", "", 1)) from error
        try:
            summary = import_catalog(load_document(raw, fmt), dry_run=dry_run, origin="catalog", dataset=name, raw=raw)
        except CatalogImportError as error:
            raise CommandError(f"{name}: {error}") from error
        if verbosity < 1:
            return
        for line in summary.lines():
            self.stdout.write(f"  {line}")
        if dry_run:
            self.stdout.write("Dry run: nothing was written.")
        if not summary.changed:
            verdict = f"{name}: catalog already up to date; nothing changed."
        elif dry_run:
            verdict = f"{name}: the import would change the catalog."
        else:
            verdict = f"{name}: catalog imported."
        self.stdout.write(self.style.SUCCESS(verdict))
