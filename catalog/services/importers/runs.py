"""One import at a time, and a record of every run."""

from __future__ import annotations

import contextlib
import fcntl
import gc
import hashlib
import os
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import Truncator

from catalog.models import Family, FieldLock, ImportRun, Listing, Offering, PriceRecord, Variant


@dataclass(kw_only=True)
class WriteTally:
    """What an import wrote, per kind of record, and the curator values it kept: every import's summary."""

    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    unchanged: Counter = field(default_factory=Counter)
    kept_by_lock: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(sum(self.created.values()) or sum(self.updated.values()))

    def _kinds(self) -> list[str]:
        return sorted(set(self.created) | set(self.updated) | set(self.unchanged))

    def kind_counts(self) -> dict:
        return {
            kind: {"created": self.created[kind], "updated": self.updated[kind], "unchanged": self.unchanged[kind]}
            for kind in self._kinds()
        }

    def kind_lines(self) -> list[str]:
        return [
            f"{kind}: {self.created[kind]} created, {self.updated[kind]} updated, {self.unchanged[kind]} unchanged"
            for kind in self._kinds()
        ]


class CuratorLocks:
    """The fields curators locked (FieldLock): no import writes them, and each one kept is noted."""

    def __init__(self):
        self.held = set(FieldLock.objects.values_list("content_type_id", "object_id", "field"))
        self._content_types: dict[type, int] = {}

    def content_type_id(self, model) -> int:
        if model not in self._content_types:
            self._content_types[model] = ContentType.objects.get_for_model(model).pk
        return self._content_types[model]

    def holds(self, obj, name: str) -> bool:
        return bool(self.held) and (self.content_type_id(type(obj)), obj.pk, name) in self.held

    def locked_ids(self, model) -> set[int]:
        content_type_id = self.content_type_id(model)
        return {object_id for ct, object_id, _name in self.held if ct == content_type_id}

    @staticmethod
    def kept(label: str, name: str, value, said_by: str, said) -> str:
        """The run's note for a value a lock kept."""
        return f"{label}: kept curator value {value!r} for {name}, {said_by} says {said!r}"


class ImportError_(Exception):  # noqa: N801 (the builtin ImportError means something else)
    """Bad input or a refused run: the message names the record or the reason."""


class ImportBusy(ImportError_):
    pass


ADVISORY_LOCK_ID = 0x6361_7461  # "cata"
MAX_NOTES, MAX_ERROR = 5000, 10_000  # what a run record keeps of a run's notes and of its error message


@contextlib.contextmanager
def import_lock():
    """Refuse to start while another import runs against the same database.

    PostgreSQL: a session advisory lock (works across hosts). SQLite: a file lock beside the database.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [ADVISORY_LOCK_ID])
            if not cursor.fetchone()[0]:
                raise ImportBusy("Another import is running against this database; try again when it has finished.")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [ADVISORY_LOCK_ID])
        return
    name = str(connection.settings_dict["NAME"])
    if "memory" in name:  # an in-memory database lives in one process only
        name = f"{name}-{os.getpid()}"
    lock_path = Path(tempfile.gettempdir()) / f"catalog-import-{hashlib.sha1(name.encode()).hexdigest()[:12]}.lock"
    with open(lock_path, "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ImportBusy(
                f"Another import is running against this database (lock file {lock_path}); "
                "try again when it has finished."
            ) from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def mark_stale_runs() -> int:
    """Runs still marked running when a new run starts under the import lock: their process died.

    Called with the lock held, so no run can really be in progress: each one found is marked failed.
    """
    now = timezone.now()
    return ImportRun.objects.filter(status=ImportRun.Status.RUNNING).update(
        status=ImportRun.Status.FAILED,
        finished_at=now,
        error=f"Interrupted: still marked running when the next import started at {now:%Y-%m-%d %H:%M:%S} UTC "
        "(the process was killed or lost its database connection); nothing of it was committed.",
    )


def start_run(source: str, dataset: str, raw: bytes, version: str = "", dry_run: bool = False) -> ImportRun:
    """Record a new run (call it with the import lock held); runs left `running` by a dead process are failed first."""
    mark_stale_runs()
    return ImportRun.objects.create(
        source=source,
        dataset=Truncator(dataset).chars(ImportRun._meta.get_field("dataset").max_length),
        dataset_version=Truncator(version).chars(ImportRun._meta.get_field("dataset_version").max_length),
        dataset_hash=hashlib.sha256(raw).hexdigest(),
        started_at=timezone.now(),
        status=ImportRun.Status.RUNNING,
    )


def finish_run(
    run: ImportRun, *, status: str, counts: dict | None = None, notes: list | None = None, error: str = ""
) -> None:
    run.status = status
    run.finished_at = timezone.now()
    run.counts = counts or {}
    run.notes = (notes or [])[:MAX_NOTES]
    run.error = Truncator(error).chars(MAX_ERROR)
    run.save(update_fields=["status", "finished_at", "counts", "notes", "error"])


class _DryRun(Exception):
    """Raised inside the run's transaction to roll a dry run back."""


@dataclass
class RunOutcome:
    """What the body of an `import_run` reports, for the run record: its counts and notes."""

    run: ImportRun
    counts: dict = field(default_factory=dict)
    notes: list = field(default_factory=list)
    family_ids: set | None = None  # the families the run changed, for the findings; None: every family


@contextlib.contextmanager
def fewer_collections(young: int = 100_000):
    """Python's cycle collector, run less often: an import makes hundreds of thousands of objects that live
    until its end, and each full collection walks them all (at 100,000 offerings, 1.3 s of a 13.6 s
    re-import became 0.3 s, for the same peak memory)."""
    thresholds = gc.get_threshold()
    gc.set_threshold(max(young, thresholds[0]), *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)


@contextlib.contextmanager
def import_run(source: str, dataset: str, raw: bytes, *, version: str = "", dry_run: bool = False):
    """One import, for every kind of source: the import lock, its ImportRun record, one transaction.

    The body writes inside the transaction and fills the yielded RunOutcome. A dry run is rolled back;
    an error rolls back, marks the run failed with its message and propagates. After a committed run the
    public pages' cache version is bumped (bulk writes send no signals) and the findings are refreshed: those of
    the families in `outcome.family_ids` (with their neighbours and the source rules), or all of them.
    """
    from catalog.services import quality  # the rules read the catalog through modules that import this one
    from catalog.services.page_cache import bump_catalog_version

    with import_lock(), fewer_collections():
        outcome = RunOutcome(start_run(source, dataset, raw, version=version, dry_run=dry_run))
        del raw  # hashed into the run record; not kept for the length of the run
        try:
            with transaction.atomic():
                yield outcome
                if dry_run:
                    raise _DryRun
        except _DryRun:
            pass
        except Exception as error:
            finish_run(outcome.run, status=ImportRun.Status.FAILED, error=str(error) or type(error).__name__)
            raise
        finish_run(
            outcome.run,
            status=ImportRun.Status.DRY_RUN if dry_run else ImportRun.Status.SUCCEEDED,
            counts=outcome.counts,
            notes=outcome.notes,
        )
    if not dry_run:
        bump_catalog_version()
        refresh_statistics()
        quality.check_after_import(outcome.family_ids)  # the work queue is fresh after every import


# The tables an import grows: PostgreSQL plans the pages' queries from their statistics, which autovacuum
# may not refresh for minutes after a big import (unanalyzed, /choose/ took 0.5 to 1 s instead of 0.1 s).
ANALYZED_MODELS = (Variant, Offering, Listing, PriceRecord, Family)


def refresh_statistics() -> None:
    """ANALYZE the tables an import writes, on PostgreSQL (SQLite's planner keeps no statistics for them)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        tables = ", ".join(connection.ops.quote_name(model._meta.db_table) for model in ANALYZED_MODELS)
        cursor.execute(f"ANALYZE {tables}")
