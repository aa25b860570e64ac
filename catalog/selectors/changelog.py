"""What changed, in public words: one changelog per variant, family and provider, and the Atom feeds of each.

A changelog merges the records' history versions (specs, capabilities, status, names: every
version from the first, whoever wrote it) with price changes (PriceRecords). Each change says
where it came from: "a curator", or the source and import run (never a curator's name).
A fixed number of queries whatever the history's length: two for a variant, three for a family
or a provider. Past 400 lines on purpose: the wording of every kind of change, and the feeds built on
the same entries, live beside the reads.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from types import SimpleNamespace

from django.http import Http404
from django.urls import reverse

from catalog import guidance
from catalog.fields import Modality
from catalog.models import PRICE_FIELD_NAMES, Family, Offering, PriceRecord, Provider, Status, Variant
from catalog.services import history

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
FAMILY_FIELDS: list[tuple[str, str, Callable]] = [
    ("name", "Name", _text),
    ("license", "License", _text),
    ("homepage", "Homepage", _text),
    ("repository", "Repository", _text),
]
PROVIDER_FIELDS: list[tuple[str, str, Callable]] = [
    ("name", "Name", _text),
    ("kind", "Kind", _text),
    ("website", "Website", _text),
    ("api_base_url", "API base URL", _text),
]
OFFERING_FIELDS: list[tuple[str, str, Callable]] = [
    ("status", "Status", _text),
    ("model_id", "Model id", _text),
    ("context_window", "Context window", _tokens),
    ("max_output_tokens", "Max output", _tokens),
]
PRICE_LABELS = {
    "price_input": "input",
    "price_output": "output",
    "price_cache_read": "cached input",
    "price_cache_write": "cache write",
}
PRICE_SOURCES = {
    "admin": "by a curator",
    "models.dev": "from models.dev",
    "litellm": "from LiteLLM",
    "seed": "from the seed data",
    "catalog": "from a catalog file",
}
HISTORY_COLUMNS = ("id", "history_id", "history_date", "history_type", "history_change_reason", "history_user_id")


@dataclass
class Change:
    when: datetime
    kind: str  # "added", "removed", "spec" or "price"
    summary: str
    details: list[str] = field(default_factory=list)
    source: str = ""  # "by a curator", "from models.dev, import run 12"…; "" when not known
    subject: str = ""  # in a family's or provider's changelog: the variant or offering it is about
    url: str = ""  # the page of the subject, where it has one
    key: str = ""  # stable id for feeds ("variant-version-123", "price-record-7")


def _price(value) -> str:
    return "no price" if value is None else guidance.format_price(value)


def _price_source(record: PriceRecord) -> str:
    return PRICE_SOURCES.get(record.source, f"from {record.source}" if record.source else "")


def describe_price_record(record: PriceRecord, previous: PriceRecord | None) -> Change | None:
    """A price record as a change from the one before it (None when nothing a visitor sees changed)."""
    offering = record.offering
    where = f"{offering.provider.name} ({offering.model_id})"
    source, key = _price_source(record), f"price-record-{record.pk}"
    if previous is None:
        if all(getattr(record, name) is None for name in PRICE_FIELD_NAMES):
            return None
        details = [
            f"{PRICE_LABELS[name]} {_price(getattr(record, name))}"
            for name in PRICE_FIELD_NAMES
            if getattr(record, name) is not None
        ]
        return Change(record.valid_from, "price", f"Price listed at {where}", details, source=source, key=key)
    details = [
        f"{PRICE_LABELS[name]} {_price(getattr(previous, name))} → {_price(getattr(record, name))}"
        for name in PRICE_FIELD_NAMES
        if getattr(previous, name) != getattr(record, name)
    ]
    if not details:
        return None
    return Change(record.valid_from, "price", f"Price change at {where}", details, source=source, key=key)


def price_changes(records: Iterable[PriceRecord], subject=None) -> list[Change]:
    """Changes from price records ordered by offering, then valid_from; `subject(record)` gives (label, url)."""
    changes, previous = [], None
    for record in records:
        if previous is not None and previous.offering_id != record.offering_id:
            previous = None
        change = describe_price_record(record, previous)
        if change is not None:
            if subject is not None:
                change.subject, change.url = subject(record)
            changes.append(change)
        previous = record
    return changes


def history_changes(
    rows: list[dict], fields, *, noun: str = "Specification", subject=None, prefix: str = ""
) -> list[Change]:
    """Changes between consecutive versions of each record (rows ordered by record, then date, oldest first).

    The first version of a record is its arrival ("Added to the catalog"); a "-" version its removal
    (a merge, a deletion). `subject(row)` gives the (label, url) of the record in a wider changelog.
    """
    changes, before = [], None
    for row in rows:
        if before is not None and before["id"] != row["id"]:
            before = None
        change = _history_change(row, before, fields, noun, subject, prefix)
        if change is not None:
            changes.append(change)
        before = row
    return changes


def _history_change(row: dict, before: dict | None, fields, noun: str, subject, prefix: str) -> Change | None:
    """What one version changed from the version `before` it (None: its record's first version, or nothing shown)."""
    if row["history_type"] != "+" and before is None:
        return None
    who = history.origin(row["history_change_reason"], row["history_user_id"]).label
    label, url = subject(row) if subject is not None else ("", "")
    key = f"{prefix}version-{row['history_id']}"
    if row["history_type"] == "+":
        return Change(row["history_date"], "added", "Added to the catalog", source=who, subject=label, url=url, key=key)
    if row["history_type"] == "-":
        return Change(
            row["history_date"],
            "removed",
            "Removed from the catalog",
            [row["history_change_reason"]] if row["history_change_reason"] else [],
            source=who,
            subject=label,
            key=key,
        )
    details = [
        f"{label_} {fmt(before[name])} → {fmt(row[name])}" for name, label_, fmt in fields if before[name] != row[name]
    ]
    if not details:
        return None
    return Change(row["history_date"], "spec", f"{noun} change", details, source=who, subject=label, url=url, key=key)


# --- The latest changes only (what pages show) ------------------------------------------------
# A page shows the newest few changes of a record with a long history (a family of 150 variants has
# thousands of versions and price records). One query reads every version of the records that the
# newest rows belong to (so each newest row has its predecessor), a wider batch when too few of them
# change what a visitor sees: the same changes, in the same order, as the whole history's newest
# `limit`. Ties on the date keep the whole history's order (record, then version).


def _latest(queryset, *, limit: int, record: str, version_order: tuple[str, str], columns, describe) -> list[Change]:
    """Up to `limit` changes, newest first: `describe(row, previous_row, newest_row_of_its_record)`."""
    when, tie = version_order
    end = max(limit * 2, 10)
    while True:
        newest = queryset.order_by(f"-{when}", record, tie).values(record)[:end]
        rows = list(queryset.filter(**{f"{record}__in": newest}).order_by(record, when, tie).values(*columns))
        previous, last = {}, {}
        for row in rows:
            previous[id(row)] = last.get(row[record])
            last[row[record]] = row
        window = sorted(rows, key=lambda row: (row[when], -row[record], -row[tie]), reverse=True)[:end]
        changes = [
            change for row in window if (change := describe(row, previous[id(row)], last[row[record]])) is not None
        ]
        if len(changes) >= limit or len(window) < end:
            return changes[:limit]
        end *= 2


def latest_history_changes(
    queryset,
    fields,
    limit: int,
    *,
    noun: str = "Specification",
    subject=None,
    prefix: str = "",
    extra: tuple[str, ...] = (),
) -> list[Change]:
    """The newest `limit` changes of a history queryset, as `history_changes` over all its versions gives them.

    `subject(row)` reads the newest version of the record (its current name), with the `extra` columns.
    """

    def describe(row, before, newest):
        label = (lambda _row: subject(newest)) if subject is not None else None
        return _history_change(row, before, fields, noun, label, prefix)

    return _latest(
        queryset,
        limit=limit,
        record="id",
        version_order=("history_date", "history_id"),
        columns=[*HISTORY_COLUMNS, *extra, *(name for name, _, _ in fields)],
        describe=describe,
    )


def latest_price_changes(queryset, limit: int, subject=None) -> list[Change]:
    """The newest `limit` changes of a PriceRecord queryset, as `price_changes` over all its records gives them.

    Narrow rows: `subject` and the description read record.offering.model_id, .provider.name and
    .variant.name/.slug, as on a PriceRecord.
    """

    def describe(row, before, _newest):
        record = SimpleNamespace(
            pk=row["id"],
            offering_id=row["offering_id"],
            valid_from=row["valid_from"],
            source=row["source"],
            **{name: row[name] for name in PRICE_FIELD_NAMES},
            offering=SimpleNamespace(
                model_id=row["offering__model_id"],
                provider=SimpleNamespace(name=row["offering__provider__name"]),
                variant=SimpleNamespace(name=row["offering__variant__name"], slug=row["offering__variant__slug"]),
            ),
        )
        change = describe_price_record(record, before and SimpleNamespace(**before))
        if change is not None and subject is not None:
            change.subject, change.url = subject(record)
        return change

    columns = [
        "id",
        "offering_id",
        "valid_from",
        "source",
        *PRICE_FIELD_NAMES,
        "offering__model_id",
        "offering__provider__name",
        "offering__variant__name",
        "offering__variant__slug",
    ]
    return _latest(
        queryset,
        limit=limit,
        record="offering_id",
        version_order=("valid_from", "id"),
        columns=columns,
        describe=describe,
    )


def spec_changes(history_rows: list[dict]) -> list[Change]:
    """Changes between consecutive versions of one variant (dicts of the SPEC_FIELDS, oldest first)."""
    rows = [
        {"id": 0, "history_id": i, "history_change_reason": None, "history_user_id": None, **row}
        for i, row in enumerate(history_rows)
    ]
    return history_changes(rows, SPEC_FIELDS)


def _newest(changes: list[Change], limit: int | None) -> list[Change]:
    changes.sort(key=lambda change: change.when, reverse=True)
    return changes if limit is None else changes[:limit]


@functools.cache
def history_of(model):
    """`model.history` (every version of every record of `model`), made once per model: simple-history
    makes a new manager class on every access (Django's from_queryset inspects the queryset class):
    about 0.1 ms each, measured."""
    return model.history


def _variant_rows(queryset) -> list[dict]:
    return list(
        queryset.order_by("id", "history_date", "history_id").values(
            *HISTORY_COLUMNS, "family_id", "slug", *(name for name, _, _ in SPEC_FIELDS)
        )
    )


def variant_changelog(variant: Variant, limit: int | None = 10) -> list[Change]:
    """The latest changes of `variant` (its versions, its offerings' prices), newest first. Two queries."""
    versions = history_of(Variant).filter(id=variant.pk)
    records = PriceRecord.objects.filter(offering__variant=variant).select_related("offering", "offering__provider")
    if limit is not None:
        return _newest(
            latest_history_changes(versions, SPEC_FIELDS, limit) + latest_price_changes(records, limit), limit
        )
    rows = _variant_rows(versions)
    return _newest(
        history_changes(rows, SPEC_FIELDS) + price_changes(records.order_by("offering_id", "valid_from", "id")), limit
    )


def family_changelog(family: Family, limit: int | None = 20) -> list[Change]:
    """The family's own versions, every version of its variants (removed ones too) and their prices. Three queries."""
    own = history_of(Family).filter(id=family.pk)
    versions = history_of(Variant).filter(family_id=family.pk)
    records = PriceRecord.objects.filter(offering__variant__family=family).select_related(
        "offering", "offering__provider", "offering__variant"
    )

    def price_subject(record):
        return record.offering.variant.name, f"/families/{family.slug}/{record.offering.variant.slug}/"

    if limit is not None:
        return _newest(
            latest_history_changes(own, FAMILY_FIELDS, limit, noun="Family", prefix="family-")
            + latest_history_changes(
                versions,
                SPEC_FIELDS,
                limit,
                prefix="variant-",
                extra=("slug",),
                subject=lambda newest: (newest["name"], f"/families/{family.slug}/{newest['slug']}/"),
            )
            + latest_price_changes(records, limit, subject=price_subject),
            limit,
        )
    own_rows = list(
        own.order_by("history_date", "history_id").values(*HISTORY_COLUMNS, *(name for name, _, _ in FAMILY_FIELDS))
    )
    variant_rows = _variant_rows(versions)
    names = {}
    for row in variant_rows:
        names[row["id"]] = (row["name"], f"/families/{family.slug}/{row['slug']}/")
    changes = (
        history_changes(own_rows, FAMILY_FIELDS, noun="Family", prefix="family-")
        + history_changes(variant_rows, SPEC_FIELDS, subject=lambda row: names[row["id"]], prefix="variant-")
        + price_changes(records.order_by("offering_id", "valid_from", "id"), subject=price_subject)
    )
    return _newest(changes, limit)


def provider_changelog(provider: Provider, limit: int | None = 20) -> list[Change]:
    """The provider's own versions, its offerings' versions and their prices. Three queries (plus labels)."""
    own = list(
        history_of(Provider)
        .filter(id=provider.pk)
        .order_by("history_date", "history_id")
        .values(*HISTORY_COLUMNS, *(name for name, _, _ in PROVIDER_FIELDS))
    )
    offering_rows = list(
        history_of(Offering)
        .filter(provider_id=provider.pk)
        .order_by("id", "history_date", "history_id")
        .values(*HISTORY_COLUMNS, *(name for name, _, _ in OFFERING_FIELDS))
    )
    labels = {row["id"]: row["model_id"] for row in offering_rows}
    records = (
        PriceRecord.objects.filter(offering__provider=provider)
        .select_related("offering", "offering__provider", "offering__variant", "offering__variant__family")
        .order_by("offering_id", "valid_from", "id")
    )
    changes = (
        history_changes(own, PROVIDER_FIELDS, noun="Provider", prefix="provider-")
        + history_changes(
            offering_rows,
            OFFERING_FIELDS,
            noun="Offering",
            prefix="offering-",
            subject=lambda row: (labels[row["id"]], ""),
        )
        + price_changes(records, subject=lambda r: (r.offering.variant.name, r.offering.variant.get_absolute_url()))
    )
    return _newest(changes, limit)


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


@dataclass
class ChangelogSubject:
    """What a changelog is about: its title, its page, its feed and its changes."""

    title: str
    page_url: str
    feed_url: str
    record: object

    def changes(self, limit: int | None = 20) -> list[Change]:
        if isinstance(self.record, Variant):
            return variant_changelog(self.record, limit)
        if isinstance(self.record, Family):
            return family_changelog(self.record, limit)
        return provider_changelog(self.record, limit)


def changelog_subject(*, family: str = "", variant: str = "", provider: str = "") -> ChangelogSubject:
    """The variant, family or provider a changelog feed URL names (404 when there is none, or it is unpublished)."""
    if provider:
        record = Provider.objects.filter(slug=provider).first()
        if record is None:
            raise Http404("No such provider.")
        return ChangelogSubject(
            record.name,
            reverse("catalog:provider-detail", args=[record.slug]),
            reverse("feed-provider-changes", args=[record.slug]),
            record,
        )
    found = Family.objects.filter(slug=family, published=True).select_related("creator").first()
    if found is None:
        raise Http404("No such family.")
    if not variant:
        return ChangelogSubject(
            found.name,
            reverse("catalog:family-detail", args=[found.slug]),
            reverse("feed-family-changes", args=[found.slug]),
            found,
        )
    record = Variant.objects.filter(family=found, slug=variant).select_related("family").first()
    if record is None:
        raise Http404("No such variant.")
    return ChangelogSubject(
        f"{record.name} ({found.name})",
        record.get_absolute_url(),
        reverse("feed-variant-changes", args=[found.slug, record.slug]),
        record,
    )


def merged_into(family_slug: str, variant_slug: str) -> Variant | None:
    """The variant a merged-away variant's page now lives at (its slug is an alias noting the merge), if any."""
    from catalog.models import VariantAlias
    from catalog.services.variant_merge import merged_note

    alias = (
        VariantAlias.objects.filter(note=merged_note(family_slug, variant_slug), variant__family__published=True)
        .select_related("variant", "variant__family")
        .first()
    )
    return alias.variant if alias is not None else None
