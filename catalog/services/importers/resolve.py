"""Source authority: what the catalog says about an offering or a variant, from every source's current listings.

Values are a function of the listings that are current now, never of the order imports ran in, so any
sequence of imports run twice writes nothing the second time (docs/matching.md, "Authority"):
- an offering takes each value from its sources in SOURCE_ORDER, the first that gives one;
- a variant takes each value from the maker's own listing, then sources in SOURCE_ORDER, then the value most
  current listings agree on (the earliest release date, since resellers date their own listing);
- a listing that is no longer listed supplies nothing; a value no current listing gives is kept, not erased;
- records a source did not create only have their unknown fields filled; curator-locked fields are kept.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict, namedtuple
from datetime import date
from decimal import Decimal
from itertools import batched

from django.db import connection

from catalog.models import (
    PRICE_FIELD_NAMES,
    Family,
    Listing,
    ModelKind,
    Offering,
    PriceRecord,
    Provider,
    Status,
    Variant,
)
from catalog.services import bulk
from catalog.services.importers.identity import NAME_PREFIX, model_kind, offering_kind
from catalog.services.importers.makers import MAKER_PROVIDERS
from catalog.services.importers.parameters import parameters_from_id, stated_parameters

SOURCE_ORDER = ("models.dev", "litellm")
# Parameter provenances an import may replace; a curator's count ("curator") or a source's stays.
DERIVED_PARAMETER_SOURCES = ("name", "maker")
CHUNK = 1000  # variants resolved at a time (with all their offerings and listings)
IMPORT_SOURCES = frozenset(SOURCE_ORDER)
OFFERING_VALUES = (*PRICE_FIELD_NAMES, "context_window", "max_output_tokens", "status")
VARIANT_VALUES = (
    "name",
    "knowledge_cutoff",
    "context_window",
    "max_output_tokens",
    "input_modalities",
    "output_modalities",
    "tool_calling",
    "reasoning",
    "structured_output",
    "open_weights",
)
TIER_WORDS = re.compile(r"\s*\((?:free|fast|beta|thinking|turbo|nitro|exacto)\)\s*$", re.IGNORECASE)


def _rank(source: str) -> int:
    return SOURCE_ORDER.index(source) if source in SOURCE_ORDER else len(SOURCE_ORDER)


def _typed(name: str, value):
    """A listing's JSON value back in the model field's type."""
    if value is None or value == "" or value == []:
        return None
    if name in PRICE_FIELD_NAMES:
        return Decimal(str(value))
    if name == "release_date":
        return date.fromisoformat(value)
    return value


def clean_name(name: str) -> str:
    name = TIER_WORDS.sub("", name.strip())
    if ": " in name:
        name = NAME_PREFIX.sub("", name)
    return name.strip()


def _majority(values: list):
    """The value most give; a tie goes to the first in sort order, so the order listings are read in never matters."""
    if len(values) == 1:  # most tiers: one listing
        return values[0]
    counts = Counter(repr(value) for value in values)
    best = max(counts.values())
    return min((value for value in values if counts[repr(value)] == best), key=repr)


def _pick_variant_value(name: str, tiers: list[list[dict]]):
    for tier in tiers:
        present = [_typed(name, values.get(f"variant.{name}")) for values in tier]
        present = [value for value in present if value is not None]
        if name == "name":
            present = [clean_name(value) for value in present if clean_name(value)]
        if present:
            return _majority(present)
    return None


def _pick_release(tiers: list[list[dict]], first_party: bool):
    """(date, precision): the maker's own listing's date; else the earliest any current listing gives."""
    for index, tier in enumerate(tiers):
        # A date before 2000 is a placeholder (the Unix epoch some listings give), never a release.
        dated = [
            (_typed("release_date", v.get("variant.release_date")), v.get("variant.release_precision") or "day")
            for v in tier
            if v.get("variant.release_date") and v["variant.release_date"] >= "2000"
        ]
        if dated:
            if index == 0 and first_party:
                return _majority(dated)
            return min(dated)
    return None


def parameters_for(variant, ids, name) -> dict:
    """The maker's stated count (curated table) for the model, else what its ids and name say ("70b")."""
    if variant.match_key and (stated := stated_parameters(variant.match_key)):
        total, active = stated
        return {"parameters": total, "active_parameters": active, "parameters_source": "maker"}
    said = [parameters_from_id(text) for text in (*ids, name or "")]
    totals = [total for total, _a in said if total]
    actives = [active for _t, active in said if active]
    total = _majority(totals) if totals else None
    active = _majority(actives) if actives else None
    if total and active and active > total:
        active = None
    if not (total or active):
        return {}
    return {"parameters": total, "active_parameters": active, "parameters_source": "name"}


def variant_values(variant, creator: str, rows: list[tuple[str, str, dict]], ids: list[str]) -> dict:
    """What the current listings say about a variant, by authority: [(provider slug, source, listing values)].

    Used for variants already in the catalog and, before they are written, for the ones an import makes.
    """
    first = [values for slug, _s, values in rows if MAKER_PROVIDERS.get(slug) == creator]
    tiers = [first] if first else []
    for source in sorted({s for _p, s, _v in rows}, key=_rank):
        tiers.append([values for _p, s, values in rows if s == source])
    values = {}
    if rows:
        values = {name: _pick_variant_value(name, tiers) for name in VARIANT_VALUES}
        if release := _pick_release(tiers, bool(first)):
            values["release_date"], values["release_precision"] = release
        values = {name: value for name, value in values.items() if value is not None}
    ids = sorted(ids)
    kind = model_kind(
        ids[0] if ids else variant.match_key or variant.slug,
        values.get("name", variant.name),
        values.get("input_modalities", variant.input_modalities),
        values.get("output_modalities", variant.output_modalities),
    )
    if any(model_kind(model_id, "", [], []) == ModelKind.ROUTER for model_id in ids):
        kind = ModelKind.ROUTER
    if variant.origin in IMPORT_SOURCES:
        values["kind"] = kind
    if variant.parameters is None or variant.parameters_source in DERIVED_PARAMETER_SOURCES:
        values.update(parameters_for(variant, ids, values.get("name", variant.name)))
    return values


class Resolver:
    def __init__(self, ctx):
        self.ctx = ctx
        self.applier = ctx.applier
        self.providers = {p.pk: p for p in Provider.objects.only("pk", "slug", "kind")}  # a few hundred, read once

    def run(self, offering_ids: set[int], variant_ids: set[int]) -> None:
        """Resolve whole variants, a chunk at a time, so memory stays flat however many an import touches."""
        variant_ids = set(variant_ids) | variants_of(offering_ids)
        for chunk in batched(sorted(variant_ids), CHUNK, strict=False):
            self._run_chunk(chunk)

    def _run_chunk(self, variant_ids: tuple[int, ...]) -> None:
        # A variant this run made from its entries alone already holds what resolution would say: only its
        # price history is left to write (sources.fresh_variants says which).
        fresh = set() if self.ctx.resolve_all else set(variant_ids) & self.ctx.fresh_variants
        stale = [pk for pk in variant_ids if pk not in fresh]
        offerings, priced = self._offerings(variant_ids, fresh)
        listed: dict[int, list[tuple[str, dict]]] = defaultdict(list)
        self.with_listings = set()
        for offering_id, source, values, is_listed in (
            Listing.objects.filter(offering__variant_id__in=stale)
            .values_list("offering_id", "source", "values", "listed")
            .iterator(chunk_size=2000)
        ):
            self.with_listings.add(offering_id)
            if is_listed:
                listed[offering_id].append((source, values))
        by_variant: dict[int, list[Offering]] = defaultdict(list)
        for offering in offerings:
            by_variant[offering.variant_id].append(offering)
        variants = list(Variant.objects.filter(pk__in=stale))
        self.creators = dict(
            Family.objects.filter(pk__in={v.family_id for v in variants}).values_list("pk", "creator__slug")
        )
        kinds = self._resolve_variants(variants, by_variant, listed)
        self._resolve_offerings([o for o in offerings if o.variant_id not in fresh], listed, kinds)
        self._price_history(priced, variant_ids)

    @staticmethod
    def _offerings(variant_ids, fresh: set[int]) -> tuple[list[Offering], list]:
        """The offerings of these variants, in the model's order: instances of those resolved, and every one
        for the price history, where a fresh variant's offering is only its key and prices (no instance)."""
        names = [field.attname for field in Offering._meta.concrete_fields]
        at = {name: index for index, name in enumerate(names)}
        pick = [at["id"], *(at[name] for name in PRICE_FIELD_NAMES)]
        offerings, priced = [], []
        for row in Offering.objects.filter(variant_id__in=variant_ids).values_list(*names):
            if row[at["variant_id"]] in fresh:
                priced.append(PriceRow._make(row[i] for i in pick))
            else:
                offerings.append(Offering.from_db(connection.alias, names, row))
                priced.append(offerings[-1])  # its prices as resolution leaves them
        return offerings, priced

    # --- Variants ---------------------------------------------------------------------------------

    def _resolve_variants(self, variants, by_variant, listed) -> dict[int, str]:
        changed, fields, unchanged = [], set(), 0
        kinds = {}
        for variant in variants:
            offerings = by_variant.get(variant.pk, [])
            creator = self.creators.get(variant.family_id) or ""
            rows = [
                (self.providers[o.provider_id].slug, source, values)
                for o in offerings
                for source, values in listed.get(o.pk, [])
            ]
            values = variant_values(variant, creator, rows, [o.model_id for o in offerings])
            owned = variant.origin in IMPORT_SOURCES
            status = self._status(variant, offerings, rows, self.with_listings)
            if status:
                values["status"] = status
            changes = self.applier.apply(variant, values, f"variant {variant.slug}", owned=owned)
            kinds[variant.pk] = variant.kind
            if changes:
                changed.append(variant)
                fields.update(changes)
            elif (Variant, variant.pk) not in self.ctx.created:
                unchanged += 1
        from catalog.services.importers.sources import _bulk_update

        _bulk_update(Variant, changed, fields, self.ctx.now)
        self.ctx.report.updated["variants"] += len(changed)
        self.ctx.report.unchanged["variants"] += unchanged
        return kinds

    @staticmethod
    def _status(variant, offerings, rows, with_listings) -> str | None:
        """Current ↔ no longer listed, as the offerings come and go; a curator's other status stays."""
        if not offerings:
            return None
        # Offerings with listings are listed when a listing is current; the others (seed, curated) by their flag.
        any_listed = bool(rows) or any(o.listed and o.pk not in with_listings for o in offerings)
        if variant.status == Status.CURRENT and not any_listed:
            return Status.UNLISTED
        if variant.status == Status.UNLISTED and any_listed:
            return Status.CURRENT
        return None

    # --- Offerings --------------------------------------------------------------------------------

    def _resolve_offerings(self, offerings, listed, kinds) -> None:
        now, report = self.ctx.now, self.ctx.report
        changed, fields, unchanged = [], set(), 0
        for offering in offerings:
            provider = self.providers[offering.provider_id]
            rows = sorted(listed.get(offering.pk, []), key=lambda row: _rank(row[0]))
            values = {}
            if rows:
                for name in OFFERING_VALUES:
                    for _source, said in rows:
                        if (value := _typed(name, said.get(name))) is not None:
                            values[name] = value
                            break
            owned = offering.origin in IMPORT_SOURCES
            changes = self.applier.apply(offering, values, f"offering {provider.slug}/{offering.model_id}", owned=owned)
            if rows and not offering.listed:
                offering.listed, offering.delisted_at = True, None
                changes += ["listed", "delisted_at"]
            elif not rows and offering.listed and offering.pk in self.with_listings:
                offering.listed, offering.delisted_at = False, now
                changes += ["listed", "delisted_at"]
            kind = offering_kind(
                provider.slug,
                provider.kind,
                offering.model_id,
                kinds.get(offering.variant_id, ModelKind.CHAT),
                offering.price_input,
                offering.price_output,
            )
            kind_changes = self.applier.apply(offering, {"kind": kind}, f"offering {offering.model_id}", owned=True)
            changes += kind_changes
            if changes:
                changed.append(offering)
                fields.update(changes)
            elif (Offering, offering.pk) not in self.ctx.created:
                unchanged += 1
        from catalog.services.importers.sources import _bulk_update

        _bulk_update(Offering, changed, fields, now)
        report.updated["offerings"] += len(changed)
        report.unchanged["offerings"] += unchanged

    def _price_history(self, offerings, variant_ids: tuple[int, ...]) -> None:
        """Open a price record where an offering's prices differ from its open record; close the old one."""
        now, snapshot = self.ctx.now, self.ctx.snapshot_at
        open_records = {
            r.offering_id: r
            for r in PriceRecord.objects.filter(offering__variant_id__in=variant_ids, valid_to__isnull=True)
        }
        closed, opened = [], []
        for offering in offerings:
            prices = {name: getattr(offering, name) for name in PRICE_FIELD_NAMES}
            record = open_records.get(offering.pk)
            priced = any(value is not None for value in prices.values())
            new_record = {"offering_id": offering.pk, "recorded_at": now, "source": self.ctx.source, **prices}
            if record is None:
                if priced:
                    opened.append({**new_record, "valid_from": snapshot})
                continue
            if all(_equal(getattr(record, name), value) for name, value in prices.items()):
                continue
            start = max(snapshot, record.valid_from)
            record.valid_to = start
            closed.append(record)
            if priced:
                opened.append({**new_record, "valid_from": start})
        bulk.update(PriceRecord, closed, ["valid_to"])
        bulk.insert_rows(PriceRecord, opened)
        self.ctx.report.created["price records"] += len(opened)


PriceRow = namedtuple("PriceRow", ["pk", *PRICE_FIELD_NAMES])


def _equal(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return Decimal(str(a)) == Decimal(str(b))


def variants_of(offering_ids: set[int]) -> set[int]:
    """The variants of these offerings, asked a chunk at a time (one IN () of 100,000 keys costs tens of MB)."""
    variant_ids = set()
    for chunk in batched(sorted(offering_ids), 2000, strict=False):
        variant_ids.update(Offering.objects.filter(pk__in=chunk).values_list("variant_id", flat=True))
    return variant_ids


def resolve(ctx, offering_ids: set[int], variant_ids: set[int]) -> None:
    Resolver(ctx).run(offering_ids, variant_ids)


__all__ = ["IMPORT_SOURCES", "SOURCE_ORDER", "resolve", "variant_values"]
