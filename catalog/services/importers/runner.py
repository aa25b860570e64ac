"""Run one source import (`runs.import_run`: lock, run record, transaction): parse, guard against shrinking, write."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from django.conf import settings

from catalog.models import PRICE_FIELD_NAMES, ImportRun, Listing
from catalog.services.importers.reading import read_bytes
from catalog.services.importers.runs import ImportError_, import_run
from catalog.services.importers.sources import ImportReport, SourceEntry, apply_entries


def snapshot_time(path):
    """When a source file's data was taken: its modification time (the data carries none), else None."""
    try:
        return datetime.fromtimestamp(os.stat(path).st_mtime, tz=UTC)
    except (OSError, TypeError, ValueError):
        return None


Parser = Callable[[bytes, str], tuple[list[SourceEntry], list[str], int]]

DEFAULT_MAX_SHRINK = 0.20  # share of a source's listed records one run may delist, or strip of their prices
SHRINK_FLOOR = 10  # fewer records than this never trip the guard (a small catalog loses 20 % with one model)


class ShrinkRefused(ImportError_):
    """The file would take too much off the catalog: an empty or partial download, most likely."""


def shrink_problems(source: str, entries: list[SourceEntry], *, max_share: float | None = None) -> list[str]:
    """What the entries would take off the public pages compared with what `source` lists now, beyond the share."""
    if max_share is None:
        max_share = float(getattr(settings, "CATALOG_IMPORT_MAX_SHRINK", DEFAULT_MAX_SHRINK))
    by_key = {entry.key: entry for entry in entries}
    listed = gone = priced = unpriced = 0
    for key, values in (
        Listing.objects.filter(source=source, listed=True).values_list("key", "values").iterator(chunk_size=2000)
    ):
        listed += 1
        entry = by_key.get(key)
        gone += entry is None
        if any(values.get(name) is not None for name in PRICE_FIELD_NAMES):
            priced += 1
            unpriced += entry is None or all(entry.offering.get(name) is None for name in PRICE_FIELD_NAMES)
    problems = []
    for lost, of, what in (
        (gone, listed, "listed offerings would be marked no longer listed"),
        (unpriced, priced, "priced offerings would lose every price"),
    ):
        if lost >= SHRINK_FLOOR and lost > max_share * of:
            problems.append(
                f"{lost} of {source}'s {of} {what} ({lost / of:.0%}, more than the {max_share:.0%} allowed)"
            )
    return problems


def run_import(
    source: str,
    path,
    parse: Parser,
    *,
    version: str = "",
    dry_run: bool = False,
    allow_shrink: bool = False,
    resolve_all: bool = False,
    progress: Callable[[Iterable], Iterable] = lambda items: items,
) -> tuple[ImportReport, ImportRun]:
    raw = read_bytes(path)
    with import_run(source, str(path), raw, version=version, dry_run=dry_run) as outcome:
        entries, notes, skipped = parse(raw, str(path))
        del raw  # the entries hold what the run needs; the file's bytes can go
        if not allow_shrink and (problems := shrink_problems(source, entries)):
            raise ShrinkRefused(
                f"{path}: refused, nothing written: "
                + "; ".join(problems)
                + ". Is the file complete? To apply it anyway, run again with --allow-shrink."
            )
        report = apply_entries(
            source,
            entries,
            outcome.run,
            dry_run=dry_run,
            progress=progress,
            snapshot_at=snapshot_time(path),
            resolve_all=resolve_all,
        )
        del entries  # written: let them go before the findings run that follows the commit
        report.skipped.extend(notes)
        report.skipped_records = skipped
        outcome.counts, outcome.notes = report.counts(), report.notes()
        outcome.family_ids = report.family_ids
    return report, outcome.run
