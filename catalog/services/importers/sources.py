"""The one writer behind every source importer: match, write in bulk, remember what each source said.

Rules (docs/matching.md has the long form):
- A record a source created (origin = source) follows that source; a record from elsewhere only has
  its unknown fields filled.
- A field a curator locked is never written; the run notes "kept curator value X, source says Y".
- Price changes close the current PriceRecord and open a new one.
- A listing the source no longer has is marked not listed; nothing is deleted.
- Every write is a bulk write, so the query count grows with batches, not records.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from catalog.models import (
    PRICE_FIELD_NAMES,
    Disagreement,
    Family,
    FieldLock,
    ImportRun,
    Listing,
    Offering,
    Organization,
    PriceRecord,
    Provider,
    Variant,
)
from catalog.services import history, summaries
from catalog.services.curation import json_value
from catalog.services.importers.matching import (
    creator_for,
    derive_family,
    family_name,
    normalize_model_id,
    slug_of,
)
from catalog.services.importers.runs import WriteTally

BATCH = 500
OFFERING_FIELDS = (*PRICE_FIELD_NAMES, "context_window", "max_output_tokens", "status")
VARIANT_FIELDS = (
    "name", "release_date", "release_precision", "knowledge_cutoff", "context_window", "max_output_tokens",
    "input_modalities", "output_modalities", "tool_calling", "reasoning", "structured_output", "open_weights",
)
# What "unknown" is for the variant fields that cannot be null.
EMPTY_VARIANT_VALUES = {"knowledge_cutoff": "", "input_modalities": [], "output_modalities": [], "release_precision": "day"}
PROVIDER_FIELDS = ("name", "kind", "website", "docs_url", "api_base_url")
COMPARED_FIELDS = (*PRICE_FIELD_NAMES, "context_window", "max_output_tokens")


@dataclass(frozen=True)
class ProviderInfo:
    slug: str
    name: str
    kind: str = Provider.Kind.API
    website: str = ""
    docs_url: str = ""
    api_base_url: str = ""


@dataclass
class SourceEntry:
    """One model at one provider, as a source describes it, already in catalog units."""

    key: str
    provider: ProviderInfo
    model_id: str
    family_hint: str = ""
    offering: dict = field(default_factory=dict)
    variant: dict = field(default_factory=dict)

    @property
    def match_key(self) -> str:
        return normalize_model_id(self.model_id)


@dataclass
class ImportReport(WriteTally):
    source: str
    dry_run: bool = False
    ambiguous: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # notes on records or values left out, with reasons
    skipped_records: int = 0
    not_listed: int = 0
    relisted: int = 0
    matched_existing: int = 0
    matched_new: int = 0
    joined_new: int = 0

    @property
    def changed(self) -> bool:
        return super().changed or bool(self.not_listed or self.relisted)

    def counts(self) -> dict:
        return {
            **self.kind_counts(),
            "kept_by_lock": len(self.kept_by_lock),
            "not_listed": self.not_listed,
            "relisted": self.relisted,
            "ambiguous": len(self.ambiguous),
            "records_skipped": self.skipped_records,
            "offerings_matched_existing_variant": self.matched_existing,
            "offerings_made_new_variant": self.matched_new,
            "offerings_joined_variant_made_this_run": self.joined_new,
        }

    def notes(self) -> list[str]:
        return [*self.kept_by_lock, *self.ambiguous, *self.skipped]

    def lines(self) -> list[str]:
        lines = self.kind_lines()
        lines.append(
            f"matching: {self.matched_existing} offerings matched a variant already in the catalog, "
            f"{self.matched_new} made a new variant, {self.joined_new} joined a variant made in this run; "
            f"{len(self.ambiguous)} ambiguous"
        )
        lines.append(f"kept by curator lock: {len(self.kept_by_lock)}; no longer listed: {self.not_listed}; "
                     f"listed again: {self.relisted}; records skipped: {self.skipped_records}")
        return lines


class _Rollback(Exception):
    pass


def _blank(value) -> bool:
    return value is None or value == "" or value == []


def _same(a, b) -> bool:
    if isinstance(a, Decimal) or isinstance(b, Decimal):
        try:
            return a is not None and b is not None and Decimal(str(a)) == Decimal(str(b))
        except ArithmeticError:
            return False
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return list(a) == list(b)
    return a == b


def _pick(values: list) -> object:
    """The value most entries agree on; the first one seen wins a tie."""
    present = [value for value in values if not _blank(value)]
    if not present:
        return None
    counts = Counter(json.dumps(json_value(value), sort_keys=True) for value in present)
    best = max(counts.values())
    return next(value for value in present if counts[json.dumps(json_value(value), sort_keys=True)] == best)


class _Applier:
    """Applies source values to an existing record under the ownership and lock rules."""

    def __init__(self, source: str, report: ImportReport, locks: set[tuple[int, int, str]]):
        self.source, self.report, self.locks = source, report, locks
        self.content_types: dict[type, int] = {}

    def content_type_id(self, model) -> int:
        if model not in self.content_types:
            self.content_types[model] = ContentType.objects.get_for_model(model).pk
        return self.content_types[model]

    def apply(self, obj, values: dict, label: str) -> list[str]:
        owned = obj.origin == self.source
        ct = self.content_type_id(type(obj))
        changed = []
        for name, value in values.items():
            current = getattr(obj, name)
            if _same(current, value) or (value is None and not owned):
                continue
            if (ct, obj.pk, name) in self.locks:
                if not _blank(value):
                    self.report.kept_by_lock.append(
                        f"{label}: kept curator value {json_value(current)!r} for {name}, "
                        f"{self.source} says {json_value(value)!r}"
                    )
                continue
            if owned or _blank(current):
                setattr(obj, name, value)
                changed.append(name)
        return changed


def _bulk_update(model, objects: list, fields: set[str], now, reason: str = "") -> None:
    if not objects:
        return
    for obj in objects:
        obj.updated_at = now
    model.objects.bulk_update(objects, sorted({*fields, "updated_at"}), batch_size=BATCH)
    # Bulk writes skip django-simple-history's signals: record the changes here, naming the run.
    history.record_updated(objects, reason=reason, when=now)


def apply_entries(
    source: str,
    entries: list[SourceEntry],
    run: ImportRun,
    *,
    dry_run: bool = False,
    progress: Callable[[Iterable], Iterable] = lambda items: items,
) -> ImportReport:
    """Write what a source lists, in one transaction (rolled back for a dry run)."""
    report = ImportReport(source=source, dry_run=dry_run)
    try:
        with transaction.atomic():
            _apply(source, entries, run, report, progress)
            if dry_run:
                raise _Rollback
    except _Rollback:
        pass
    return report


def _apply(source, entries, run, report, progress) -> None:  # noqa: C901 (one pass, in order)
    now = timezone.now()
    reason = history.import_reason(run)
    locks = set(FieldLock.objects.values_list("content_type_id", "object_id", "field"))
    applier = _Applier(source, report, locks)

    # --- Providers ------------------------------------------------------------------------
    providers = {p.slug: p for p in Provider.objects.all()}
    infos: dict[str, ProviderInfo] = {}
    for entry in entries:
        infos.setdefault(entry.provider.slug, entry.provider)
    new_providers, changed_providers, provider_fields = [], [], set()
    for slug, info in infos.items():
        values = {name: getattr(info, name) for name in PROVIDER_FIELDS}
        existing = providers.get(slug)
        if existing is None:
            provider = Provider(slug=slug, origin=source, **values)
            new_providers.append(provider)
            providers[slug] = provider
        elif changed := applier.apply(existing, values, f"provider {slug}"):
            changed_providers.append(existing)
            provider_fields.update(changed)
        else:
            report.unchanged["providers"] += 1
    Provider.objects.bulk_create(new_providers, batch_size=BATCH)
    history.record_created(new_providers, reason=reason, when=now)
    _bulk_update(Provider, changed_providers, provider_fields, now, reason)
    report.created["providers"] += len(new_providers)
    report.updated["providers"] += len(changed_providers)

    # --- Variants: group entries by normalized id, match each group once --------------------
    groups: dict[str, list[SourceEntry]] = defaultdict(list)
    for entry in entries:
        groups[entry.match_key].append(entry)

    variants = list(Variant.objects.all())
    by_match_key = {v.match_key: v for v in variants if v.match_key}
    by_slug: dict[str, list[Variant]] = defaultdict(list)
    for variant in variants:
        by_slug[variant.slug].append(variant)
    family_slugs = dict(Family.objects.values_list("slug", "id"))
    families_by_id = {}
    taken_slugs: dict[int, set[str]] = defaultdict(set)
    for variant in variants:
        taken_slugs[variant.family_id].add(variant.slug)

    organizations = {o.slug: o for o in Organization.objects.all()}
    new_organizations, new_families = [], []
    group_variant: dict[str, Variant] = {}
    group_note: dict[str, tuple[str, str]] = {}
    new_variants, changed_variants, variant_fields = [], [], set()
    pending_new: list[tuple[str, Variant, str]] = []  # (group key, variant, family slug)

    def family_hint_for(key: str, members: list[SourceEntry]) -> str:
        hints = Counter(slug_of(m.family_hint) for m in members if m.family_hint)
        if not hints:
            return slug_of(derive_family(key))
        top = max(hints.values())
        chosen = sorted(h for h, n in hints.items() if n == top)[0]
        if len(hints) > 1:
            others = ", ".join(sorted(h for h in hints if h != chosen))
            report.ambiguous.append(f"{source} {key}: providers disagree on the family ({chosen} chosen; also {others})")
            group_note[key] = (Listing.Match.AMBIGUOUS, f"family hints differ: {chosen} chosen over {others}")
        return chosen

    def aggregate(key: str, members: list[SourceEntry], creator_slug: str) -> dict:
        first_party = [m for m in members if m.provider.slug.startswith(creator_slug.split("-")[0])]
        ordered = first_party + [m for m in members if m not in first_party]
        values = {name: _pick([m.variant.get(name) for m in ordered]) for name in VARIANT_FIELDS}
        return {**values, **{name: empty for name, empty in EMPTY_VARIANT_VALUES.items() if values[name] is None}}

    unchanged_variants = 0
    for key, members in progress(sorted(groups.items())):
        members.sort(key=lambda m: (m.provider.slug, m.model_id))
        hint = family_hint_for(key, members)
        creator_slug, creator_name, creator_site = creator_for(hint, key)
        values = aggregate(key, members, creator_slug)
        exact = by_match_key.get(key)
        if exact is not None:
            group_variant[key] = exact
            group_note.setdefault(key, (Listing.Match.EXACT if any(m.model_id == key for m in members)
                                        else Listing.Match.NORMALIZED, ""))
        elif candidates := by_slug.get(key):
            chosen = sorted(candidates, key=lambda v: (family_slugs.get(hint) != v.family_id, v.pk))[0]
            group_variant[key] = chosen
            if len(candidates) > 1:
                note = f"id {key} matches {len(candidates)} variants by slug; attached to variant #{chosen.pk}"
                report.ambiguous.append(f"{source} {key}: {note}")
                group_note[key] = (Listing.Match.AMBIGUOUS, note)
            else:
                group_note.setdefault(key, (Listing.Match.NORMALIZED, "matched an existing variant by slug"))
            if not chosen.match_key:
                chosen.match_key = key
                by_match_key[key] = chosen
                changed_variants.append(chosen)
                variant_fields.add("match_key")
        else:
            if hint not in family_slugs:
                if creator_slug not in organizations:
                    org = Organization(slug=creator_slug, name=creator_name, website=creator_site, origin=source,
                                       kind=Organization.Kind.COMPANY)
                    organizations[creator_slug] = org
                    new_organizations.append(org)
                family = Family(slug=hint, name=family_name(hint), creator=organizations[creator_slug], origin=source)
                new_families.append(family)
                family_slugs[hint] = None  # id assigned after bulk_create
                families_by_id[hint] = family
            variant = Variant(match_key=key, origin=source, slug=slug_of(key)[:190],
                              **{k: v for k, v in values.items() if v is not None})
            if not variant.name:
                variant.name = members[0].model_id
            if variant.release_date is None:
                variant.release_precision = "day"
            pending_new.append((key, variant, hint))
            group_variant[key] = variant
            by_match_key[key] = variant
            group_note.setdefault(key, (Listing.Match.NEW, ""))
            continue
        variant = group_variant[key]
        if changed := applier.apply(variant, values, f"variant {variant.slug}"):
            if variant not in changed_variants:
                changed_variants.append(variant)
            variant_fields.update(changed)
        elif variant not in changed_variants:
            unchanged_variants += 1

    Organization.objects.bulk_create(new_organizations, batch_size=BATCH)
    report.created["organizations"] += len(new_organizations)
    Family.objects.bulk_create(new_families, batch_size=BATCH)
    history.record_created(new_families, reason=reason, when=now)
    report.created["families"] += len(new_families)
    for slug, family in families_by_id.items():
        family_slugs[slug] = family.pk
    for _key, variant, hint in pending_new:
        variant.family_id = family_slugs[hint]
        slug, n = variant.slug, 2
        while slug in taken_slugs[variant.family_id]:
            slug, n = f"{variant.slug}-{n}", n + 1
        variant.slug = slug
        taken_slugs[variant.family_id].add(slug)
        new_variants.append(variant)
    Variant.objects.bulk_create(new_variants, batch_size=BATCH)
    history.record_created(new_variants, reason=reason, when=now)
    _bulk_update(Variant, changed_variants, variant_fields, now, reason)
    report.created["variants"] += len(new_variants)
    report.updated["variants"] += len(changed_variants)
    report.unchanged["variants"] += unchanged_variants

    # --- Offerings --------------------------------------------------------------------------
    new_keys, made_keys = {key for key, _, _ in pending_new}, set()
    offerings = {(o.provider_id, o.model_id): o for o in Offering.objects.all()}
    new_offerings, changed_offerings, offering_fields = [], [], set()
    price_changes: dict[int, dict] = {}  # offering pk → its prices before the change
    touched: dict[str, Offering] = {}
    for entry in entries:
        provider = providers[entry.provider.slug]
        existing = offerings.get((provider.pk, entry.model_id))
        values = {name: entry.offering.get(name) for name in OFFERING_FIELDS}
        if existing is None:
            variant = group_variant[entry.match_key]
            offering = Offering(provider=provider, variant=variant, model_id=entry.model_id, origin=source,
                                first_seen=now, **{k: v for k, v in values.items() if v is not None})
            new_offerings.append(offering)
            offerings[(provider.pk, entry.model_id)] = offering
            touched[entry.key] = offering
            if entry.match_key not in new_keys:
                report.matched_existing += 1
            elif entry.match_key in made_keys:
                report.joined_new += 1
            else:
                made_keys.add(entry.match_key)
                report.matched_new += 1
            continue
        report.matched_existing += 1
        touched[entry.key] = existing
        before = {name: getattr(existing, name) for name in PRICE_FIELD_NAMES}
        changed = applier.apply(existing, values, f"offering {entry.provider.slug}/{entry.model_id}")
        if not existing.listed:
            existing.listed, existing.delisted_at = True, None
            changed += ["listed", "delisted_at"]
            report.relisted += 1
        if changed:
            changed_offerings.append(existing)
            offering_fields.update(changed)
            if set(changed) & set(PRICE_FIELD_NAMES):
                price_changes[existing.pk] = before
        else:
            report.unchanged["offerings"] += 1
    Offering.objects.bulk_create(new_offerings, batch_size=BATCH)
    history.record_created(new_offerings, reason=reason, when=now)
    _bulk_update(Offering, changed_offerings, offering_fields, now, reason)
    report.created["offerings"] += len(new_offerings)
    report.updated["offerings"] += len(changed_offerings)

    # --- Price history ----------------------------------------------------------------------
    open_records = {r.offering_id: r for r in PriceRecord.objects.filter(valid_to__isnull=True)}
    closed, opened = [], []
    for offering in new_offerings:
        if any(getattr(offering, name) is not None for name in PRICE_FIELD_NAMES):
            opened.append(PriceRecord(offering=offering, valid_from=now, source=source,
                                      **{name: getattr(offering, name) for name in PRICE_FIELD_NAMES}))
    by_pk = {o.pk: o for o in changed_offerings}
    for pk, before in price_changes.items():
        record = open_records.get(pk)
        if record is not None:
            record.valid_to = now
            closed.append(record)
        elif any(value is not None for value in before.values()):
            closed.append(PriceRecord(offering_id=pk, valid_from=by_pk[pk].created_at, valid_to=now,
                                      source=by_pk[pk].origin, **before))
        offering = by_pk[pk]
        opened.append(PriceRecord(offering=offering, valid_from=now, source=source,
                                  **{name: getattr(offering, name) for name in PRICE_FIELD_NAMES}))
    PriceRecord.objects.bulk_update([r for r in closed if r.pk], ["valid_to"], batch_size=BATCH)
    PriceRecord.objects.bulk_create([r for r in closed if not r.pk] + opened, batch_size=BATCH)
    report.created["price records"] += len(opened) + len([r for r in closed if not r.pk])

    # --- Listings: what this source says, and what it no longer says ------------------------
    listings = {listing.key: listing for listing in Listing.objects.filter(source=source)}
    new_listings, changed_listings = [], []
    for entry in entries:
        offering = touched[entry.key]
        values = {"provider": entry.provider.slug, "model_id": entry.model_id, "family": entry.family_hint,
                  **{k: json_value(v) for k, v in entry.offering.items()},
                  **{f"variant.{k}": json_value(v) for k, v in entry.variant.items() if v is not None}}
        match, note = group_note[entry.match_key]
        listing = listings.get(entry.key)
        if listing is None:
            new_listings.append(Listing(source=source, key=entry.key, offering=offering, values=values, match=match,
                                        match_note=note, first_seen_at=now, changed_at=now, last_run=run))
            continue
        # A listing keeps the match it was first made with, unless it becomes or stops being ambiguous.
        ambiguity_changed = (match == Listing.Match.AMBIGUOUS) != (listing.match == Listing.Match.AMBIGUOUS)
        if listing.values != values or not listing.listed or listing.offering_id != offering.pk or ambiguity_changed:
            listing.values, listing.listed, listing.delisted_at, listing.offering = values, True, None, offering
            if ambiguity_changed:
                listing.match, listing.match_note = match, note
            listing.changed_at, listing.last_run = now, run
            changed_listings.append(listing)
        else:
            report.unchanged["listings"] += 1
    seen = {entry.key for entry in entries}
    gone = [listing for key, listing in listings.items() if key not in seen and listing.listed]
    for listing in gone:
        listing.listed, listing.delisted_at, listing.changed_at, listing.last_run = False, now, now, run
    Listing.objects.bulk_create(new_listings, batch_size=BATCH)
    Listing.objects.bulk_update([*changed_listings, *gone], ["values", "listed", "delisted_at", "offering", "match",
                                                             "match_note", "changed_at", "last_run"],
                                batch_size=BATCH)
    report.created["listings"] += len(new_listings)
    report.updated["listings"] += len(changed_listings)
    report.not_listed += len(gone)
    if gone:
        gone_offering_ids = {listing.offering_id for listing in gone}
        still_listed = set(Listing.objects.filter(offering_id__in=gone_offering_ids, listed=True)
                           .values_list("offering_id", flat=True))
        Offering.objects.filter(pk__in=gone_offering_ids - still_listed, listed=True).update(
            listed=False, delisted_at=now, updated_at=now)

    # --- Disagreements between sources, and the variants' offer summaries ------------------
    _record_disagreements(source, touched, now, report)
    summaries.refresh()


def _record_disagreements(source: str, touched: dict[str, Offering], now, report: ImportReport) -> None:
    offering_ids = {offering.pk for offering in touched.values()}
    said: dict[int, dict[str, dict]] = defaultdict(dict)
    for offering_id, other_source, values in Listing.objects.filter(
        offering_id__in=offering_ids, listed=True
    ).values_list("offering_id", "source", "values").iterator(chunk_size=2000):
        said[offering_id][other_source] = values
    multi = {pk: by_source for pk, by_source in said.items() if len(by_source) > 1}
    existing = {(d.offering_id, d.field): d for d in Disagreement.objects.filter(offering_id__in=offering_ids)}
    wanted: dict[tuple[int, str], dict] = {}
    for pk, by_source in multi.items():
        for name in COMPARED_FIELDS:
            values = {src: vals.get(name) for src, vals in sorted(by_source.items()) if vals.get(name) is not None}
            distinct = {str(Decimal(str(v)).normalize()) for v in values.values()}
            if len(distinct) > 1:
                wanted[(pk, name)] = values
    new, changed = [], []
    for (pk, name), values in wanted.items():
        current = existing.get((pk, name))
        if current is None:
            new.append(Disagreement(offering_id=pk, field=name, values=values, detected_at=now))
        elif current.values != values:
            current.values, current.detected_at = values, now
            changed.append(current)
    stale = [d.pk for key, d in existing.items() if key not in wanted]
    Disagreement.objects.bulk_create(new, batch_size=BATCH)
    Disagreement.objects.bulk_update(changed, ["values", "detected_at"], batch_size=BATCH)
    if stale:
        Disagreement.objects.filter(pk__in=stale).delete()
    report.created["disagreements"] += len(new)
    report.updated["disagreements"] += len(changed) + len(stale)
