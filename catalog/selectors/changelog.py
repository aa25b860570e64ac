"""What changed, in public words: a variant's spec changes (its history) and price changes (PriceRecords).

Two queries per variant whatever its history's length; the feed of price changes reuses the
price wording. Who made a change is not public: the changelog says what and when.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from catalog import guidance
from catalog.fields import Modality
from catalog.models import PRICE_FIELD_NAMES, PriceRecord, Status, Variant

UNKNOWN = "unknown"


def _tokens(value):
    return guidance.format_tokens(value) if value else UNKNOWN


def _parameters(value):
    return guidance.format_parameters(value) if value else UNKNOWN


def _yes_no(value):
    return UNKNOWN if value is None else ("yes" if value else "no")


def _modalities(values):
    return ", ".join(Modality(name).label.lower() for name in values) if values else UNKNOWN


def _status(value):
    return Status(value).label.lower() if value in Status.values else str(value)


def _date(value):
    return value.isoformat() if value else UNKNOWN


def _text(value):
    return value or UNKNOWN


# (field, label, format) in the order a change lists them.
SPEC_FIELDS: list[tuple[str, str, Callable]] = [
    ("status", "Status", _status),
    ("retirement_date", "Retirement date", _date),
    ("release_date", "Release date", _date),
    ("context_window", "Context window", _tokens),
    ("max_output_tokens", "Max output", _tokens),
    ("parameters", "Parameters", _parameters),
    ("active_parameters", "Active parameters", _parameters),
    ("input_modalities", "Input", _modalities),
    ("output_modalities", "Output", _modalities),
    ("tool_calling", "Tool calling", _yes_no),
    ("reasoning", "Reasoning", _yes_no),
    ("structured_output", "Structured output", _yes_no),
    ("open_weights", "Open weights", _yes_no),
    ("knowledge_cutoff", "Knowledge cutoff", _text),
    ("license", "License", _text),
    ("base_model", "Base model", _text),
    ("name", "Name", _text),
]
PRICE_LABELS = {
    "price_input": "input",
    "price_output": "output",
    "price_cache_read": "cached input",
    "price_cache_write": "cache write",
}


@dataclass
class Change:
    when: datetime
    kind: str  # "added", "spec" or "price"
    summary: str
    details: list[str] = field(default_factory=list)


def _price(value) -> str:
    return "no price" if value is None else guidance.format_price(value)


def describe_price_record(record: PriceRecord, previous: PriceRecord | None) -> Change | None:
    """A price record as a change from the one before it (None when nothing a visitor sees changed)."""
    offering = record.offering
    where = f"{offering.provider.name} ({offering.model_id})"
    if previous is None:
        if all(getattr(record, name) is None for name in PRICE_FIELD_NAMES):
            return None
        details = [f"{PRICE_LABELS[name]} {_price(getattr(record, name))}"
                   for name in PRICE_FIELD_NAMES if getattr(record, name) is not None]
        return Change(record.valid_from, "price", f"Price listed at {where}", details)
    details = [
        f"{PRICE_LABELS[name]} {_price(getattr(previous, name))} → {_price(getattr(record, name))}"
        for name in PRICE_FIELD_NAMES
        if getattr(previous, name) != getattr(record, name)
    ]
    if not details:
        return None
    return Change(record.valid_from, "price", f"Price change at {where}", details)


def price_changes(records: Iterable[PriceRecord]) -> list[Change]:
    """Changes from price records ordered by offering, then valid_from."""
    changes, previous = [], None
    for record in records:
        if previous is not None and previous.offering_id != record.offering_id:
            previous = None
        change = describe_price_record(record, previous)
        if change is not None:
            changes.append(change)
        previous = record
    return changes


def spec_changes(history_rows: list[dict]) -> list[Change]:
    """Changes between consecutive history rows (dicts of the SPEC_FIELDS, oldest first)."""
    changes = []
    for index, row in enumerate(history_rows):
        if row["history_type"] == "+":
            changes.append(Change(row["history_date"], "added", "Added to the catalog"))
            continue
        if index == 0:
            continue  # no earlier state to compare with
        before = history_rows[index - 1]
        details = [
            f"{label} {fmt(before[name])} → {fmt(row[name])}"
            for name, label, fmt in SPEC_FIELDS
            if before[name] != row[name]
        ]
        if details:
            changes.append(Change(row["history_date"], "spec", "Specification change", details))
    return changes


def variant_changelog(variant: Variant, limit: int = 10) -> list[Change]:
    """The latest spec and price changes of `variant`, newest first."""
    rows = list(
        variant.history.order_by("history_date", "history_id")
        .values("history_date", "history_type", *(name for name, _, _ in SPEC_FIELDS))
    )
    records = (PriceRecord.objects.filter(offering__variant=variant)
               .select_related("offering", "offering__provider")
               .order_by("offering_id", "valid_from", "id"))
    changes = spec_changes(rows) + price_changes(records)
    changes.sort(key=lambda change: change.when, reverse=True)
    return changes[:limit]


def recent_price_changes(limit: int = 50) -> list[tuple[PriceRecord, Change]]:
    """The latest price records of published variants with what each changed, in two queries."""
    records = list(
        PriceRecord.objects.filter(offering__variant__family__published=True)
        .select_related("offering", "offering__provider", "offering__variant", "offering__variant__family")
        .order_by("-valid_from", "-id")[:limit]
    )
    previous = {
        (record.offering_id, record.valid_to): record
        for record in PriceRecord.objects.filter(
            offering_id__in={r.offering_id for r in records}, valid_to__in={r.valid_from for r in records}
        )
    }
    result = []
    for record in records:
        change = describe_price_record(record, previous.get((record.offering_id, record.valid_from)))
        if change is not None:
            result.append((record, change))
    return result
