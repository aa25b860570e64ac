"""The data every rule reads: flat rows, one query per kind of row, fetched on first use."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime, timedelta
from functools import cached_property

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Max, Q
from django.db.models.fields.json import KT
from django.utils import timezone

from catalog.models import (
    PRICE_FIELD_NAMES,
    Disagreement,
    Family,
    FamilyTag,
    FAQEntry,
    FieldLock,
    ImportRun,
    Listing,
    ModelKind,
    Offering,
    Organization,
    Provider,
    Source,
    Variant,
)

from .registry import LISTED_STATUSES, SERVING, stale_after_days


class Snapshot:
    """The catalog as flat rows. Each property runs one query the first time a rule asks for it.

    Rows come in id order (no joins for Meta.ordering), so findings come out in a stable order.
    """

    def __init__(self, now: datetime | None = None, stale_days: int | None = None, family_ids=None):
        # family_ids: only these families' offerings and listings are read (a check after a curator's save).
        self.family_ids = None if family_ids is None else set(family_ids)
        self.now = now or timezone.now()
        self.today = timezone.localdate(self.now) if timezone.is_aware(self.now) else self.now.date()
        self.stale_days = stale_after_days() if stale_days is None else stale_days
        self.stale_before = self.now - timedelta(days=self.stale_days)

    @cached_property
    def families(self) -> dict:
        rows = (
            self._scoped(Family.objects, "id")
            .order_by("id")
            .values_list("id", "name", "slug", "about", "published", "creator__slug", named=True)
        )
        return {row.id: row for row in rows}

    @cached_property
    def family_tags(self) -> dict[int, list]:
        tags = defaultdict(list)
        for row in self._scoped(FamilyTag.objects, "family_id").values_list(
            "family_id", "tag__name", "tag__kind", named=True
        ):
            tags[row.family_id].append(row)
        return tags

    @cached_property
    def sources(self) -> list:
        return list(
            self._scoped(Source.objects, "family_id").values_list(
                "id", "family_id", "number", "title", "date_checked", named=True
            )
        )

    @cached_property
    def source_numbers(self) -> dict[int, set[int]]:
        numbers = defaultdict(set)
        for row in self.sources:
            numbers[row.family_id].add(row.number)
        return numbers

    @cached_property
    def faq_answers(self) -> dict[int, list[str]]:
        answers = defaultdict(list)
        for family_id, answer in self._scoped(FAQEntry.objects, "family_id").values_list("family_id", "answer"):
            answers[family_id].append(answer)
        return answers

    @cached_property
    def variants(self) -> dict:
        variants = Variant.objects
        if self.family_ids is not None:  # and the successors of theirs that other families hold
            variants = variants.filter(Q(family_id__in=self.family_ids) | Q(replaces__family_id__in=self.family_ids))
        rows = (
            variants.distinct()
            .order_by("id")
            .values_list(
                "id",
                "family_id",
                "name",
                "status",
                "release_date",
                "context_window",
                "parameters",
                "open_weights",
                "input_modalities",
                "retirement_date",
                "replaced_by_id",
                "slug",
                "match_key",
                named=True,
            )
        )
        return {row.id: row for row in rows}

    @cached_property
    def variants_by_family(self) -> dict[int, list]:
        by_family = defaultdict(list)
        for row in self.variants.values():
            by_family[row.family_id].append(row)
        return by_family

    @cached_property
    def identity_rows(self) -> list:
        """Variants with their creator, to find likely duplicates. A duplicate group never crosses creators, so a
        check scoped to some families reads every variant of those families' creators (one query)."""
        variants = Variant.objects.exclude(kind=ModelKind.ROUTER)
        if self.family_ids is not None:
            creators = Family.objects.filter(id__in=self.family_ids).values("creator_id")
            variants = variants.filter(family__creator_id__in=creators)
        return list(
            variants.order_by("id").values_list(
                "id",
                "family_id",
                "name",
                "slug",
                "kind",
                "parameters",
                "status",
                "provider_count",
                "family__name",
                "family__slug",
                "family__creator_id",
                "family__creator__slug",
                "family__creator__name",
                named=True,
            )
        )

    @cached_property
    def organizations(self) -> dict:
        """Organizations by slug: (id, name)."""
        return {slug: (pk, name) for pk, slug, name in Organization.objects.values_list("id", "slug", "name")}

    @cached_property
    def providers(self) -> dict:
        return {row.id: row for row in Provider.objects.values_list("id", "name", "slug", "kind", named=True)}

    @cached_property
    def offerings(self) -> dict:
        rows = (
            self._scoped(Offering.objects, "variant__family_id")
            .order_by("id")
            .values_list(
                "id",
                "variant_id",
                "provider_id",
                "model_id",
                "price_input",
                "price_output",
                "price_cache_read",
                "price_cache_write",
                "price_checked",
                "status",
                "listed",
                "delisted_at",
                named=True,
            )
        )
        return {row.id: row for row in rows}

    @cached_property
    def offerings_by_variant(self) -> dict[int, list]:
        by_variant = defaultdict(list)
        for row in self.offerings.values():
            by_variant[row.variant_id].append(row)
        return by_variant

    @cached_property
    def listed_by_source(self) -> Counter:
        """How many listings each source lists now (one aggregate, not every listing)."""
        rows = (
            self._scoped(Listing.objects, "offering__variant__family_id")
            .filter(listed=True)
            .values_list("source")
            .annotate(listed=Count("id"))
            .order_by()
        )
        return Counter(dict(rows))

    @cached_property
    def listings_by_offering(self) -> dict[int, list]:
        """What each source says of each offering; only the fields the rules read (prices as text)."""
        rows = (
            self._scoped(Listing.objects, "offering__variant__family_id")
            .order_by("id")
            .annotate(
                said_input=KT("values__price_input"),
                said_output=KT("values__price_output"),
            )
            .values_list(
                "offering_id",
                "source",
                "key",
                "listed",
                "delisted_at",
                "match",
                "match_note",
                "said_input",
                "said_output",
                named=True,
            )
        )
        by_offering = defaultdict(list)
        for row in rows:
            by_offering[row.offering_id].append(row)
        return by_offering

    @cached_property
    def disagreements(self) -> list:
        return list(
            self._scoped(Disagreement.objects, "offering__variant__family_id")
            .filter(field__in=PRICE_FIELD_NAMES)
            .values_list("offering_id", "field", "values", named=True)
        )

    @cached_property
    def import_runs(self) -> dict:
        """Per source: when its last successful run finished, and when its last failed run started."""
        rows = (
            ImportRun.objects.values("source")
            .annotate(
                last_ok=Max("finished_at", filter=Q(status=ImportRun.Status.SUCCEEDED)),
                last_failed=Max("started_at", filter=Q(status=ImportRun.Status.FAILED)),
            )
            .order_by()
        )
        return {row["source"]: row for row in rows}

    @cached_property
    def family_locked_variants(self) -> set[int]:
        """Variants whose family a curator set by hand (a FieldLock): their family is decided."""
        content_type = ContentType.objects.get_for_model(Variant)
        return set(
            FieldLock.objects.filter(content_type=content_type, field="family").values_list("object_id", flat=True)
        )

    # Helpers shared by rules ---------------------------------------------------------------

    def _scoped(self, queryset, family_path: str):
        return queryset if self.family_ids is None else queryset.filter(**{f"{family_path}__in": self.family_ids})

    def family_name(self, family_id) -> str:
        family = self.families.get(family_id)
        return family.name if family else "?"

    def offering_label(self, offering) -> str:
        return f"{offering.model_id} at {self.providers[offering.provider_id].name}"

    def offering_ids(self, offering) -> dict:
        variant = self.variants[offering.variant_id]
        return {"family_id": variant.family_id, "variant_id": variant.id, "offering_id": offering.id}


def _in_family(data: Snapshot, variant) -> str:
    """“Claude Haiku 3.5 (Claude Haiku)”; the variant's name alone when the family's adds nothing."""
    family = data.family_name(variant.family_id)
    return variant.name if variant.name.lower() == family.lower() else f"{variant.name} ({family})"


def _variant_ids(variant) -> dict:
    return {"family_id": variant.family_id, "variant_id": variant.id}


def is_serving(data: Snapshot, offering) -> bool:
    """Offered now, and of a variant visitors are shown."""
    variant = data.variants[offering.variant_id]
    return offering.listed and offering.status in SERVING and variant.status in LISTED_STATUSES
