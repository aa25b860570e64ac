"""Record history: every record has a version from the moment it enters the catalog, and every change after.

django-simple-history keeps the versions (Family, Variant, Provider, Offering). Its signals record
single saves (the admin, the shell); bulk writes send no signal, so the importers call
`record_created` and `record_updated` once per batch: one INSERT per 500 versions, never one per row.

Each version says who made it: `history_user` for a curator, and `history_change_reason` for the
rest, in a form `origin()` reads back ("import run 12 (models.dev)", "revert to version 345").
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.db import connection
from django.utils import timezone

BATCH = 500
REASON_LENGTH = 100  # django-simple-history's history_change_reason column

IMPORT_REASON = re.compile(r"^import run (?P<run>\d+) \((?P<source>[^)]*)\)$")
REVERT_REASON = re.compile(r"^revert to version (?P<version>\d+)")
SOURCE_LABELS = {"models.dev": "models.dev", "litellm": "LiteLLM", "seed": "the seed data", "catalog": "a catalog file"}


@dataclass
class _Batch:
    """The versions one import writes: records it creates get their baseline when it ends, in their final state."""

    reason: str
    when: object = None
    created: dict = field(default_factory=lambda: defaultdict(set))  # model -> pks


_batch: ContextVar[_Batch | None] = ContextVar("catalog_history_batch", default=None)


@contextmanager
def reason_for_writes(reason: str, when=None):
    """Versions written in bulk inside this block name `reason` (an import run wraps its stages in it).

    A record created inside the block gets one baseline version when the block ends, holding its
    values as the block left them (an import creates, then resolves values): not a baseline of an
    empty record followed by a change.
    """
    batch = _Batch(reason, when)
    token = _batch.set(batch)
    try:
        yield
    finally:
        _batch.reset(token)
    for model, pks in batch.created.items():
        insert_baselines(model, sorted(pks), reason=reason, when=batch.when or timezone.now())


def insert_baselines(model, pks: list[int], *, reason: str, when) -> None:
    """The '+' versions of these records as they are now, copied in SQL (INSERT … SELECT, a batch per
    statement): an import making 100,000 records builds no historical objects in Python."""
    historical = model.history.model
    copied = [f.column for f in historical._meta.concrete_fields if not f.name.startswith("history_")]
    quote = connection.ops.quote_name
    into = ", ".join(
        quote(c) for c in [*copied, "history_date", "history_change_reason", "history_type", "history_user_id"]
    )
    select = ", ".join(quote(c) for c in copied)
    when = connection.ops.adapt_datetimefield_value(when)
    with connection.cursor() as cursor:
        for start in range(0, len(pks), BATCH):
            chunk = pks[start : start + BATCH]
            cursor.execute(
                f"INSERT INTO {quote(historical._meta.db_table)} ({into}) SELECT {select}, %s, %s, '+', NULL "
                f"FROM {quote(model._meta.db_table)} WHERE {quote(model._meta.pk.column)} IN "
                f"({', '.join(['%s'] * len(chunk))}) ORDER BY {quote(model._meta.pk.column)}",
                [when, reason, *chunk],
            )


def import_reason(run) -> str:
    """The change reason of every version an import run writes."""
    return f"import run {run.pk} ({run.source})"


def revert_reason(version) -> str:
    return f"revert to version {version.history_id} of {version.history_date:%Y-%m-%d %H:%M}"


def _tracked(objs: Iterable) -> dict[type, list]:
    by_model = defaultdict(list)
    for obj in objs:
        by_model[type(obj)].append(obj)
    # Asked once per model: simple-history builds a new manager class on every `.history` access.
    return {model: items for model, items in by_model.items() if hasattr(model, "history")}


def record_created(objs: Iterable, *, reason: str | None = None, when=None) -> int:
    """The baseline version ('+') of records written in bulk; returns how many versions were written."""
    batch = _batch.get()
    written = 0
    for model, items in _tracked(objs).items():
        if batch is not None and reason is None:
            batch.created[model].update(obj.pk for obj in items)
            batch.when = batch.when or when
            written += len(items)
            continue
        model.history.bulk_history_create(
            items, default_change_reason=reason or "", default_date=when, batch_size=BATCH
        )
        written += len(items)
    return written


def record_updated(objs: Iterable, *, reason: str | None = None, when=None, user=None) -> int:
    """A version ('~') of records changed in bulk; returns how many versions were written."""
    batch = _batch.get()
    if reason is None:
        reason = batch.reason if batch is not None else ""
    written = 0
    for model, items in _tracked(objs).items():
        if batch is not None:  # a record this batch created gets its baseline at the end instead
            items = [obj for obj in items if obj.pk not in batch.created.get(model, ())]
        model.history.bulk_history_create(
            items,
            update=True,
            default_change_reason=reason,
            default_date=when,
            default_user=user if user is not None and user.pk else None,
            batch_size=BATCH,
        )
        written += len(items)
    return written


@dataclass(frozen=True)
class Origin:
    """Who or what made a version, in public words (a curator's name is not public)."""

    kind: str  # "curator", "import", "revert" or "unknown"
    label: str  # "by a curator", "from models.dev, import run 12", "by a curator (a revert)"; "" when unknown
    run_id: int | None = None


def origin(change_reason: str | None, user_id: int | None) -> Origin:
    reason = change_reason or ""
    if match := IMPORT_REASON.match(reason):
        source = match["source"]
        return Origin(
            "import", f"from {SOURCE_LABELS.get(source, source)}, import run {match['run']}", int(match["run"])
        )
    if REVERT_REASON.match(reason):
        return Origin("revert", "by a curator (a revert)")
    if user_id is not None:
        return Origin("curator", "by a curator")
    return Origin("unknown", "")
