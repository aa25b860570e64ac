"""Write the whole catalog to a JSON or YAML file in our catalog format (docs/catalog-format.md)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from catalog.services.catalog_export import FORMATS, count_records, dump_document, export_catalog, format_for_path
from catalog.services.catalog_import import CatalogImportError, validate_document


class Command(BaseCommand):
    help = (
        "Export the whole catalog as a catalog document. The format follows the extension (.json, .yaml, .yml) "
        "unless --format is given; '-' writes to stdout (JSON unless --format yaml). "
        "Importing the file into an empty database and exporting again gives the same bytes."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="The file to write, or '-' for stdout.")
        parser.add_argument(
            "--format", dest="fmt", choices=FORMATS, help="json or yaml; default: from the extension, json for '-'."
        )

    def handle(self, *args, path, fmt=None, verbosity=1, **options):
        try:
            fmt = format_for_path(path, fmt)
        except ValueError as error:
            raise CommandError(f"{path}: {error}") from error
        document = export_catalog()
        try:
            validate_document(document)  # a file we could not import again is not an export
        except CatalogImportError as error:
            raise CommandError(f"the database holds data the catalog format cannot represent: {error}") from error
        text = dump_document(document, fmt)
        if path == "-":
            self.stdout.write(text, ending="")
            self.stdout.flush()
        else:
            try:
                with Path(path).open("w", encoding="utf-8", newline="\n") as file:
                    file.write(text)
            except OSError as error:
                raise CommandError(f"{path}: {error.strerror or error}") from error
        if verbosity >= 1:
            counts = count_records(document)
            where = "stdout" if path == "-" else path
            detail = ", ".join(f"{kind}: {count}" for kind, count in counts.items())
            self.stderr.write(
                f"Wrote {sum(counts.values())} records to {where} ({fmt}): {detail}.", style_func=lambda text: text
            )
