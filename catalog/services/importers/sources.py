"""The one writer behind every source importer: match, write in bulk, remember what each source said.

Rules (docs/matching.md has the long form):
- A record a source created (origin = source) follows that source; a record from elsewhere only has
  its unknown fields filled.
- A field a curator locked is never written; the run notes "kept curator value X, source says Y".
- Price changes close the current PriceRecord and open a new one.
- A listing the source no longer has is marked not listed; nothing is deleted.
- Every write is a bulk write, so the query count grows with batches, not records.

The stages of one import, in the order they run (`_write_stages`), in one module past 400 lines on purpose:
each stage is a function reading the run context; the pure parts live in `grouping` and `identity`, values in
`resolve`, the run itself in `runs`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import batched

from django.db.models import Count
from django.utils import timezone
from django.utils.text import Truncator

from catalog.models import (
    PRICE_FIELD_NAMES,
    Disagreement,
    Family,
    ImportRun,
    Listing,
    ModelKind,
    Offering,
    Organization,
    Provider,
    Status,
    Variant,
    VariantAlias,
)
from catalog.services import bulk, history, summaries
from catalog.services.curation import json_value
from catalog.services.importers import grouping, resolve
from catalog.services.importers.identity import (
    canonical_key,
    offering_kind,
)
from catalog.services.importers.runs import CuratorLocks, WriteTally

BATCH = 500
# Column sizes, read from the models (parsers refuse longer values; generated slugs stay within them).
NAME_LENGTH = Variant._meta.get_field("name").max_length
PROVIDER_NAME_LENGTH = Provider._meta.get_field("name").max_length
MODEL_ID_LENGTH = Offering._meta.get_field("model_id").max_length
NOTE_LENGTH = Listing._meta.get_field("match_note").max_length
OFFERING_FIELDS = (*PRICE_FIELD_NAMES, "context_window", "max_output_tokens", "status")
PROVIDER_FIELDS = ("name", "kind", "website", "docs_url", "api_base_url")
COMPARED_FIELDS = (*PRICE_FIELD_NAMES, "context_window", "max_output_tokens")
# More variants than this changed: the findings run after the import is a full one, not one scoped to families.
FAMILY_SCOPE_VARIANTS = 10_000


@dataclass(frozen=True)
class ProviderInfo:
    slug: str
    name: str
    kind: str = Provider.Kind.API
    website: str = ""
    docs_url: str = ""
    api_base_url: str = ""


class SharedValues:
    """One object for each distinct value the entries of a file hold (prices, counts, dates, modality lists):
    100,000 entries repeat a few thousand values. Keyed by type too, so True, 1 and Decimal(1) stay apart.
    The shared lists are never changed in place."""

    def __init__(self):
        self.seen: dict = {}

    def of(self, values: dict) -> dict:
        for name, value in values.items():
            if value is None or isinstance(value, bool):
                continue
            key = (type(value), tuple(value) if isinstance(value, list) else value)
            values[name] = self.seen.setdefault(key, value)
        return values


@dataclass(slots=True)
class SourceEntry:
    """One model at one provider, as a source describes it, already in catalog units."""

    key: str
    provider: ProviderInfo
    model_id: str
    family_hint: str = ""
    offering: dict = field(default_factory=dict)
    variant: dict = field(default_factory=dict)
    match_key: str = field(init=False)  # the model id's identity key, worked out once

    def __post_init__(self):
        self.match_key = canonical_key(self.model_id)


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
    matched_new_keys: set = field(default_factory=set)
    family_ids: set | None = None  # the families this run changed (None: too many to name, or every one)

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
        lines.append(
            f"kept by curator lock: {len(self.kept_by_lock)}; no longer listed: {self.not_listed}; "
            f"listed again: {self.relisted}; records skipped: {self.skipped_records}"
        )
        return lines


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


class _Applier:
    """Applies source values to an existing record under the ownership and lock rules."""

    def __init__(self, source: str, report: ImportReport, locks: CuratorLocks):
        self.source, self.report, self.locks = source, report, locks

    def apply(self, obj, values: dict, label: str, owned: bool | None = None) -> list[str]:
        owned = obj.origin == self.source if owned is None else owned
        changed = []
        for name, value in values.items():
            current = getattr(obj, name)
            if _same(current, value) or (value is None and not owned):
                continue
            if self.locks.holds(obj, name):
                if not _blank(value):
                    self.report.kept_by_lock.append(
                        self.locks.kept(label, name, json_value(current), self.source, json_value(value))
                    )
                continue
            if owned or _blank(current):
                setattr(obj, name, value)
                changed.append(name)
        return changed


def _bulk_update(model, objects: list, fields: set[str], now) -> None:
    if not objects:
        return
    for obj in objects:
        obj.updated_at = now
    bulk.update(model, objects, sorted({*fields, "updated_at"}))
    # Bulk writes skip django-simple-history's signals: record the changes here (naming the import run).
    history.record_updated(objects, when=now)


def apply_entries(
    source: str,
    entries: list[SourceEntry],
    run: ImportRun,
    *,
    dry_run: bool = False,
    snapshot_at=None,
    resolve_all: bool = False,
    progress: Callable[[Iterable], Iterable] = lambda items: items,
) -> ImportReport:
    """Write what a source lists, inside the run's transaction (`runs.import_run`, which rolls a dry run back).

    snapshot_at: when the source's data was taken (price records start then); the import time otherwise.
    """
    report = ImportReport(source=source, dry_run=dry_run)
    now = timezone.now()
    ctx = _Run(
        source, run, report, _Applier(source, report, CuratorLocks()), now, snapshot_at or now, resolve_all=resolve_all
    )
    with history.reason_for_writes(history.import_reason(run)):  # every version this run writes names it
        _write_stages(ctx, entries, progress)
    return report


@dataclass
class _Run:
    """What every stage of one import shares."""

    source: str
    run: ImportRun
    report: ImportReport
    applier: _Applier
    now: object
    snapshot_at: object
    created: set = field(default_factory=set)  # (model, pk) of what this run made, not counted twice
    resolve_all: bool = False
    # Variants this run made whose every offering it made too, from this source's entries alone, in a family of
    # their own maker: their values are what resolution would give, so it only writes their price history.
    fresh_variants: set = field(default_factory=set)
    every_family_changed: bool = False  # a provider changed: findings about every offering of it name it
    renamed_variants: set = field(default_factory=set)  # existing variants whose match key this run set


def _write_stages(ctx: _Run, entries, progress) -> None:
    source, now, report = ctx.source, ctx.now, ctx.report
    providers = _write_providers(ctx, entries)
    group_variant, group_note = _write_variants(ctx, entries, progress)
    touched = _write_offerings(ctx, entries, providers, group_variant)
    relisted_ids = _write_listings(ctx, entries, touched, group_note)
    offering_ids, variant_ids = _to_resolve(ctx, touched, group_variant, relisted_ids)
    resolve.resolve(ctx, offering_ids, variant_ids)
    if merged := _merge_same_named(ctx):
        resolve.resolve(ctx, set(), merged)
    _record_disagreements(source, offering_ids, now, report)
    if not ctx.every_family_changed:
        report.family_ids = _families_of(variant_ids | merged | ctx.renamed_variants)
    summaries.refresh()  # every summary and spec-table row, written only where it differs


def _to_resolve(ctx: _Run, touched, group_variant, relisted_ids: set[int]) -> tuple[set[int], set[int]]:
    """The offerings and variants whose values this run may change: those whose listing from this source is new,
    changed or gone, those made now, and those changed since this source's last run (a curator's edit, a lock
    released). The others' listings all say what they said, so resolving them again would change nothing;
    they are counted unchanged. `resolve_all` resolves every record the source lists (after a rules change)."""
    offering_ids = set(relisted_ids)
    variant_ids = {pk for model, pk in ctx.created if model is Variant}
    offering_ids |= {pk for model, pk in ctx.created if model is Offering}
    if ctx.resolve_all:
        offering_ids |= set(touched.values())
        variant_ids |= {variant.pk for variant in group_variant.values()}
    elif (
        last := ImportRun.objects.filter(source=ctx.source, status=ImportRun.Status.SUCCEEDED)
        .exclude(pk=ctx.run.pk)
        .order_by("-started_at")
        .first()
    ):
        since = last.finished_at or last.started_at  # what that run wrote itself is older than its end
        offering_ids |= set(Offering.objects.filter(updated_at__gt=since).values_list("pk", flat=True))
        variant_ids |= set(Variant.objects.filter(updated_at__gt=since).values_list("pk", flat=True))
    else:  # this source's first run: everything it lists
        offering_ids |= set(touched.values())
        variant_ids |= {variant.pk for variant in group_variant.values()}
    # A variant's values come from all its offerings' listings: resolve whole variants, never part of one.
    variant_ids |= resolve.variants_of(offering_ids)
    skipped_offerings = set(touched.values()) - offering_ids
    skipped_variants = {variant.pk for variant in group_variant.values()} - variant_ids
    ctx.report.unchanged["offerings"] += len(skipped_offerings)
    ctx.report.unchanged["variants"] += len(skipped_variants)
    return offering_ids, variant_ids


def _families_of(variant_ids: set[int]) -> set[int] | None:
    """The families of these variants; None when there are more than a findings run is worth scoping to."""
    if len(variant_ids) > FAMILY_SCOPE_VARIANTS:
        return None
    families = set()
    for chunk in batched(sorted(variant_ids), 2000, strict=False):
        families.update(Variant.objects.filter(pk__in=chunk).values_list("family_id", flat=True))
    return families


def _merge_same_named(ctx: _Run) -> set[int]:
    """Two current variants an import made that one maker names alike are one model: the older keeps the
    offerings, the newer's keys become aliases of it. Curated or locked variants are left for curators."""
    from catalog.services.variant_merge import merge_variants  # the curators' merge, which imports this module

    locked = ctx.applier.locks.locked_ids(Variant)
    creators = dict(Family.objects.values_list("pk", "creator_id"))
    first: dict[tuple[int, str], int] = {}
    kept: set[int] = set()
    for pk, family_id, name, origin in (
        Variant.objects.filter(status=Status.CURRENT)
        .exclude(kind=ModelKind.ROUTER)
        .order_by("pk")
        .values_list("pk", "family_id", "name", "origin")
        .iterator(chunk_size=5000)
    ):
        keep_pk = first.setdefault((creators[family_id], canonical_key(name)), pk)
        if keep_pk == pk or origin not in resolve.IMPORT_SOURCES or pk in locked:
            continue
        keep, variant = Variant.objects.get(pk=keep_pk), Variant.objects.get(pk=pk)  # a few per import
        merge_variants(keep, variant, refresh=False)  # offerings, listings, locks, aliases, history move
        ctx.fresh_variants.discard(keep.pk)  # it holds offerings it did not make now: resolved in full
        ctx.report.ambiguous.append(f"{ctx.source}: {variant.slug} merged into {keep.slug} (same maker, same name)")
        ctx.report.updated["variants merged"] += 1
        kept.add(keep.pk)
    return kept


def _write_providers(ctx: _Run, entries: list[SourceEntry]) -> dict[str, Provider]:
    providers = {p.slug: p for p in Provider.objects.all()}
    infos: dict[str, ProviderInfo] = {}
    for entry in entries:
        infos.setdefault(entry.provider.slug, entry.provider)
    new_providers, changed_providers, provider_fields = [], [], set()
    for slug, info in infos.items():
        values = {name: getattr(info, name) for name in PROVIDER_FIELDS}
        existing = providers.get(slug)
        if existing is None:
            provider = Provider(slug=slug, origin=ctx.source, **values)
            new_providers.append(provider)
            providers[slug] = provider
        elif changed := ctx.applier.apply(existing, values, f"provider {slug}"):
            changed_providers.append(existing)
            provider_fields.update(changed)
        else:
            ctx.report.unchanged["providers"] += 1
    Provider.objects.bulk_create(new_providers, batch_size=BATCH)
    history.record_created(new_providers, when=ctx.now)  # baselines, in bulk
    _bulk_update(Provider, changed_providers, provider_fields, ctx.now)
    ctx.every_family_changed |= bool(changed_providers)
    ctx.report.created["providers"] += len(new_providers)
    ctx.report.updated["providers"] += len(changed_providers)
    return providers


def _write_variants(ctx: _Run, entries: list[SourceEntry], progress):
    """Find each group's variant (aliases, match keys, slugs) or make it, with its family and creator."""
    source, report = ctx.source, ctx.report
    variants = list(Variant.objects.select_related("family__creator"))
    by_key: dict[str, Variant] = {}
    for variant in variants:
        if variant.match_key:
            by_key.setdefault(variant.match_key, variant)
            by_key.setdefault(canonical_key(variant.match_key), variant)
    by_pk = {variant.pk: variant for variant in variants}
    aliases = {
        alias: by_pk[variant_id]
        for alias, variant_id in VariantAlias.objects.values_list("alias", "variant_id")
        if variant_id in by_pk
    }
    by_slug: dict[str, list[Variant]] = defaultdict(list)
    for variant in variants:
        by_slug[variant.slug].append(variant)
    grouped = grouping.group_entries(entries, set(by_key))
    groups, creators = grouped.groups, grouped.creators
    families = {f.slug: f for f in Family.objects.select_related("creator")}
    by_name = {(v.family.creator.slug, canonical_key(v.name)): v for v in variants if v.kind != ModelKind.ROUTER}
    organizations = {o.slug: o for o in Organization.objects.all()}
    taken_slugs: dict[int, set[str]] = defaultdict(set)
    for variant in variants:
        taken_slugs[variant.family_id].add(variant.slug)
    new_organizations, new_families = [], []
    group_variant: dict[str, Variant] = {}
    group_note: dict[str, tuple[str, str]] = {}
    pending_new: list[tuple[str, Variant, Family]] = []
    changed_variants = []

    for key, members in progress(sorted(groups.items())):
        members.sort(key=lambda m: (m.provider.slug, m.model_id))
        creator_slug = creators[key][0]
        family_slug, ambiguous = grouping.family_of(key, members, creator_slug, families)
        found = grouping.find_variant(key, members, aliases, by_key, by_slug) or grouping.find_by_name(
            creators[key], members, by_name
        )
        if found is not None:
            variant, how = found
            exact = any(m.model_id.lower() == key for m in members)
            note = (Listing.Match.EXACT if exact else Listing.Match.NORMALIZED, how)
            if not variant.match_key:
                variant.match_key = key
                by_key[key] = variant
                changed_variants.append(variant)
        else:
            family = _family_record(
                source, creators[key], family_slug, organizations, families, new_organizations, new_families
            )
            variant = _new_variant(source, key, members, creator_slug)
            pending_new.append((key, variant, family))
            by_key[key] = variant
            note = (Listing.Match.NEW, "")
        if ambiguous:  # a property of what the providers say, whether or not the variant is new
            report.ambiguous.append(f"{source} {key}: {ambiguous}")
            note = (Listing.Match.AMBIGUOUS, Truncator(ambiguous).chars(NOTE_LENGTH))
        group_variant[key] = variant
        for member in members:
            group_note[member.key] = note

    Organization.objects.bulk_create(new_organizations, batch_size=BATCH)
    report.created["organizations"] += len(new_organizations)
    for family in new_families:
        family.creator_id = family.creator.pk
    Family.objects.bulk_create(new_families, batch_size=BATCH)
    history.record_created(new_families, when=ctx.now)
    report.created["families"] += len(new_families)
    new_variants = []
    for _key, variant, family in pending_new:
        variant.family_id = family.pk
        slug, n = variant.slug, 2
        while slug in taken_slugs[variant.family_id]:
            slug, n = f"{variant.slug}-{n}", n + 1
        variant.slug = slug
        taken_slugs[variant.family_id].add(slug)
        new_variants.append(variant)
    bulk.insert(Variant, new_variants)
    ctx.created |= {(Variant, variant.pk) for variant in new_variants}
    ctx.fresh_variants = {variant.pk for key, variant, family in pending_new if family.creator.slug == creators[key][0]}
    history.record_created(new_variants, when=ctx.now)
    _bulk_update(Variant, changed_variants, {"match_key"}, ctx.now)
    ctx.renamed_variants = {variant.pk for variant in changed_variants}
    new_aliases = grouping.aliases_to_write(source, grouped, group_variant, aliases, by_key)
    VariantAlias.objects.bulk_create(new_aliases, batch_size=BATCH)
    report.created["aliases"] += len(new_aliases)
    report.created["variants"] += len(new_variants)
    # Keyed by each entry's own key from here on.
    by_entry = {}
    for key, members in groups.items():
        for member in members:
            by_entry[member.key] = group_variant[key]
    report.matched_new_keys = {member.key for key, variant, _ in pending_new for member in groups[key]}
    return by_entry, group_note


def _family_record(source, creator, family_slug, organizations, families, new_organizations, new_families):
    """The family a new variant goes in, made (with its creator) when the catalog has none by that slug."""
    slug, name, site = creator
    if slug not in organizations:
        organizations[slug] = Organization(
            slug=slug, name=name, website=site, origin=source, kind=Organization.Kind.COMPANY
        )
        new_organizations.append(organizations[slug])
    family = families.get(family_slug)
    if family is None:
        family = Family(
            slug=family_slug,
            name=grouping.family_display_name(family_slug, organizations[slug]),
            creator=organizations[slug],
            origin=source,
        )
        families[family_slug] = family
        new_families.append(family)
    return family


def _write_offerings(ctx: _Run, entries, providers, group_variant) -> dict[str, int]:
    """Make the offerings a source lists for the first time (written a batch at a time, so memory stays flat);
    values come from resolution afterwards. Returns each entry's offering's primary key."""
    report = ctx.report
    # Only what matching needs, as plain values: resolution loads the offerings it works on in full.
    offerings = {
        (provider_id, model_id): pk
        for pk, provider_id, model_id in Offering.objects.values_list("pk", "provider_id", "model_id").iterator(
            chunk_size=5000
        )
    }
    pending: dict[tuple[int, str], Offering] = {}
    entry_offering: list[tuple[str, tuple[int, str]]] = []
    made_variants = set()
    new_keys = getattr(report, "matched_new_keys", set())

    def write_pending():
        made = list(pending.values())
        bulk.insert(Offering, made)
        history.record_created(made, when=ctx.now)
        report.created["offerings"] += len(made)
        ctx.created.update((Offering, offering.pk) for offering in made)
        offerings.update((ident, offering.pk) for ident, offering in pending.items())
        pending.clear()

    for entry in entries:
        provider = providers[entry.provider.slug]
        ident = (provider.pk, entry.model_id)
        entry_offering.append((entry.key, ident))
        variant = group_variant[entry.key]
        if ident in offerings or ident in pending:
            report.matched_existing += 1
            ctx.fresh_variants.discard(variant.pk)  # holds an offering it did not make, or one twice
            continue
        values = {name: entry.offering.get(name) for name in OFFERING_FIELDS}
        offering = Offering(
            provider_id=provider.pk,
            variant_id=variant.pk,
            model_id=entry.model_id,
            origin=ctx.source,
            first_seen=ctx.now,
            **{k: v for k, v in values.items() if v is not None},
        )
        offering.kind = offering_kind(
            provider.slug, provider.kind, entry.model_id, variant.kind, offering.price_input, offering.price_output
        )
        pending[ident] = offering
        if entry.key not in new_keys:
            report.matched_existing += 1
        elif id(variant) in made_variants:
            report.joined_new += 1
        else:
            made_variants.add(id(variant))
            report.matched_new += 1
        if len(pending) >= BATCH * 4:
            write_pending()
    write_pending()
    return {key: offerings[ident] for key, ident in entry_offering}


def _new_variant(source: str, key: str, members: list[SourceEntry], creator_slug: str) -> Variant:
    """A variant an import makes, in its resolved state (what resolution would say from these listings),
    so it is written once, not written and then updated."""
    variant = Variant(
        match_key=key,
        origin=source,
        slug=grouping.variant_slug(members),
        name=members[0].model_id,
        release_precision="day",
    )
    rows = [(m.provider.slug, source, listing_values(m, variant_only=True)) for m in members]
    for name, value in resolve.variant_values(variant, creator_slug, rows, [m.model_id for m in members]).items():
        setattr(variant, name, value)
    return variant


def listing_values(entry: SourceEntry, *, variant_only: bool = False) -> dict:
    """What a Listing keeps of an entry: catalog units, as JSON (`variant_only`: the "variant." values alone,
    all that working out a variant's values reads)."""
    if variant_only:
        return {f"variant.{k}": json_value(v) for k, v in entry.variant.items() if v is not None}
    return {
        "provider": entry.provider.slug,
        "model_id": entry.model_id,
        "family": entry.family_hint,
        **{k: json_value(v) for k, v in entry.offering.items()},
        **{f"variant.{k}": json_value(v) for k, v in entry.variant.items() if v is not None},
    }


def _write_listings(ctx: _Run, entries, touched, group_note) -> set[int]:
    """What this source says, and what it no longer says. Returns the offerings whose listing from this source
    is new, changed or gone. The source's listings are read a chunk at a time and only the changed ones kept;
    new ones are written a batch at a time: memory stays flat in the number of listings."""
    source, report, now, run = ctx.source, ctx.report, ctx.now, ctx.run
    by_key = {entry.key: entry for entry in entries}
    affected: set[int] = set()
    changed, seen = [], set()
    # Plain values, not instances: most listings say what they said, and only the changed ones are built.
    for pk, key, stored, listed, offering_id, match, match_note in (
        Listing.objects.filter(source=source)
        .values_list("pk", "key", "values", "listed", "offering_id", "match", "match_note")
        .iterator(chunk_size=2000)
    ):
        seen.add(key)
        entry = by_key.get(key)
        if entry is None:
            if listed:  # no longer listed
                changed.append(
                    Listing(
                        pk=pk,
                        values=stored,
                        listed=False,
                        delisted_at=now,
                        offering_id=offering_id,
                        match=match,
                        match_note=match_note,
                        changed_at=now,
                        last_run=run,
                    )
                )
                report.not_listed += 1
                affected.add(offering_id)
            continue
        new_offering_id, values = touched[entry.key], listing_values(entry)
        new_match, new_note = group_note[entry.key]
        # A listing keeps the match it was first made with, unless it becomes or stops being ambiguous.
        ambiguity_changed = (new_match == Listing.Match.AMBIGUOUS) != (match == Listing.Match.AMBIGUOUS)
        if stored != values or not listed or offering_id != new_offering_id or ambiguity_changed:
            if not listed:
                report.relisted += 1
            if ambiguity_changed:
                match, match_note = new_match, new_note
            if offering_id != new_offering_id:  # the offering it leaves loses a listing too
                affected.add(offering_id)
            changed.append(
                Listing(
                    pk=pk,
                    values=values,
                    listed=True,
                    delisted_at=None,
                    offering_id=new_offering_id,
                    match=match,
                    match_note=match_note,
                    changed_at=now,
                    last_run=run,
                )
            )
            report.updated["listings"] += 1
            affected.add(new_offering_id)
        else:
            report.unchanged["listings"] += 1
    # Written once the reading is done: SQLite gives no isolation between a read in progress and writes to its table.
    bulk.update(
        Listing,
        changed,
        ["values", "listed", "delisted_at", "offering", "match", "match_note", "changed_at", "last_run"],
    )
    new_listings = []
    for entry in entries:
        if entry.key in seen:
            continue
        seen.add(entry.key)
        match, note = group_note[entry.key]
        new_listings.append(
            {
                "source": source,
                "key": entry.key,
                "offering_id": touched[entry.key],
                "values": listing_values(entry),
                "match": match,
                "match_note": note,
                "first_seen_at": now,
                "changed_at": now,
                "last_run_id": run.pk,
            }
        )
        affected.add(touched[entry.key])
        if len(new_listings) >= BATCH * 4:
            report.created["listings"] += bulk.insert_rows(Listing, new_listings)
            new_listings = []
    report.created["listings"] += bulk.insert_rows(Listing, new_listings)
    return affected


def _record_disagreements(source: str, offering_ids: set[int], now, report: ImportReport) -> None:
    """Disagreements between sources on the offerings whose values this run may have changed. Only offerings
    two sources list, or that hold a disagreement already, can gain, change or lose one: asked once, up front."""
    if not offering_ids:
        return
    several = (
        Listing.objects.filter(listed=True)
        .values("offering_id")
        .annotate(sources=Count("source", distinct=True))
        .filter(sources__gt=1)
        .values_list("offering_id", flat=True)
    )
    candidates = set(several.iterator(chunk_size=5000)) | set(
        Disagreement.objects.values_list("offering_id", flat=True)
    )
    offering_ids = offering_ids & candidates
    for chunk in batched(sorted(offering_ids), 2000, strict=False):  # a chunk at a time: memory stays flat
        _record_disagreements_of(chunk, now, report)


def _record_disagreements_of(offering_ids: tuple[int, ...], now, report: ImportReport) -> None:
    said: dict[int, dict[str, dict]] = defaultdict(dict)
    listed = Listing.objects.filter(offering_id__in=offering_ids, listed=True)
    several = (  # offerings two or more sources list: the only ones that can disagree
        listed.values("offering_id").annotate(sources=Count("source", distinct=True)).filter(sources__gt=1)
    )
    for offering_id, other_source, values in (
        listed.filter(offering_id__in=several.values("offering_id"))
        .values_list("offering_id", "source", "values")
        .iterator(chunk_size=2000)
    ):
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
