"""The shared shape of the source import commands: options, progress, summary, exit status."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError

from catalog.services.importers.runner import run_import
from catalog.services.importers.runs import ImportError_


class SourceImportCommand(BaseCommand):
    source = ""
    path_required = True

    def add_arguments(self, parser):
        parser.add_argument("path", nargs=None if self.path_required else "?", help="The file to import.")
        parser.add_argument("--dry-run", action="store_true", help="Report what would change; write nothing.")
        parser.add_argument(
            "--allow-shrink",
            action="store_true",
            help="Apply the file even if it would delist, or strip the prices of, more than CATALOG_IMPORT_MAX_SHRINK "
            "(default 20 %%) of what this source lists now.",
        )
        parser.add_argument(
            "--resolve-all",
            action="store_true",
            help="Work out every offering's and variant's values again from all current listings, not only those "
            "whose listings changed (after an upgrade that changes the matching or resolution rules).",
        )

    def default_dataset(self):  # pragma: no cover - overridden where a default exists
        raise CommandError("a PATH is required")

    def parse(self, raw: bytes, where: str):
        raise NotImplementedError

    def progress(self, verbosity: int):
        if verbosity < 1 or not sys.stderr.isatty():
            return lambda items: items
        from tqdm import tqdm

        return lambda items: tqdm(list(items), desc=f"{self.source} models", unit="model", file=sys.stderr, leave=False)

    def handle(self, *args, path=None, dry_run=False, allow_shrink=False, resolve_all=False, verbosity=1, **options):
        version = ""
        if path is None:
            path, version = self.default_dataset()
        try:
            report, run = run_import(
                self.source,
                path,
                self.parse,
                version=version,
                dry_run=dry_run,
                allow_shrink=allow_shrink,
                resolve_all=resolve_all,
                progress=self.progress(verbosity),
            )
        except ImportError_ as error:
            raise CommandError(str(error)) from error
        if verbosity >= 1:
            self.stdout.write(f"{self.source} import from {path}{f' ({version})' if version else ''}:")
            for line in report.lines():
                self.stdout.write(f"  {line}")
            shown = 20 if verbosity < 2 else None
            for note in report.notes()[:shown]:
                self.stdout.write(f"  - {note}")
            if shown and len(report.notes()) > shown:
                self.stdout.write(
                    f"  … and {len(report.notes()) - shown} more notes in import run #{run.pk} "
                    "(admin, or --verbosity 2)"
                )
            if dry_run:
                self.stdout.write("Dry run: nothing was written.")
            verdict = "Changes written." if report.changed else "No change: the catalog already matches the source."
            if dry_run:
                verdict = "Would change the catalog." if report.changed else "Would change nothing."
            self.stdout.write(self.style.SUCCESS(verdict))
