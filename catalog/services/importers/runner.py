"""Run one source import: lock, record the run, parse, write, finish the record."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from catalog.models import ImportRun
from catalog.services.importers.reading import read_bytes
from catalog.services.importers.runs import finish_run, import_lock, start_run
from catalog.services.importers.sources import ImportReport, SourceEntry, apply_entries
from catalog.services.page_cache import bump_catalog_version


def snapshot_time(path):
    """When a source file's data was taken: its modification time (the data carries none), else None."""
    try:
        return datetime.fromtimestamp(os.stat(path).st_mtime, tz=UTC)
    except (OSError, TypeError, ValueError):
        return None


Parser = Callable[[bytes, str], tuple[list[SourceEntry], list[str], int]]


def run_import(
    source: str,
    path,
    parse: Parser,
    *,
    version: str = "",
    dry_run: bool = False,
    progress: Callable[[Iterable], Iterable] = lambda items: items,
) -> tuple[ImportReport, ImportRun]:
    with import_lock():
        raw = read_bytes(path)
        run = start_run(source, str(path), raw, version=version, dry_run=dry_run)
        try:
            entries, notes, skipped = parse(raw, str(path))
            report = apply_entries(source, entries, run, dry_run=dry_run, progress=progress,
                                   snapshot_at=snapshot_time(path))
            report.skipped.extend(notes)
            report.skipped_records = skipped
        except Exception as error:
            finish_run(run, status=ImportRun.Status.FAILED, error=str(error))
            raise
        finish_run(run, status=ImportRun.Status.DRY_RUN if dry_run else ImportRun.Status.SUCCEEDED,
                   counts=report.counts(), notes=report.notes())
    if not dry_run:
        bump_catalog_version()  # bulk writes send no signals: make the public pages fresh
    return report, run
