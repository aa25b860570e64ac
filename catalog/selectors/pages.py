"""Reads: every page's data in a fixed number of queries, whatever the size of the family."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property, partial

from django.db.models import Count, Min, Q
from django.db.models.functions import Lower
from django.http import Http404

from catalog import guidance
from catalog.models import (
    Family,
    FAQEntry,
    Offering,
    OfferingKind,
    Organization,
    Provider,
    Variant,
    _url_of,
)
from catalog.selectors.flat_rows import flat_rows

# --- Sorting of small, in-memory tables --------------------------------------------------


@dataclass(frozen=True)
class SortKey:
    key: str
    label: str
    value: Callable


def sort_rows(rows: list, keys: dict[str, SortKey], requested: str | None, default: str) -> tuple[list, str]:
    """Sort by a whitelisted key ("-key" descends); unknown values last; the original order breaks ties.

    An unknown key falls back to `default`, so a bad parameter never breaks the page.
    """
    requested = requested or default
    name = requested.removeprefix("-")
    if name not in keys:
        requested, name = default, default.removeprefix("-")
    descending = requested.startswith("-")
    getter = keys[name].value
    known = [row for row in rows if getter(row) is not None]
    unknown = [row for row in rows if getter(row) is None]
    known.sort(key=getter, reverse=descending)  # sort is stable: ties keep the catalog order
    return known + unknown, requested


SPEC_SORT_KEYS = {
    key.key: key
    for key in (
        SortKey("model", "Model", lambda v: v.name.lower()),
        SortKey("released", "Released", lambda v: v.release_date),
        SortKey("context", "Context", lambda v: v.context_window),
        SortKey("parameters", "Parameters", lambda v: v.parameters),
        SortKey("vision", "Vision", lambda v: v.has_vision),
        SortKey("multimodal", "Multimodal", lambda v: v.is_multimodal),
    )
}


# --- Family page ---------------------------------------------------------------------------


@dataclass
class ProviderOfferings:
    provider: Provider
    offerings: list[Offering]

    @property
    def priced(self) -> list[Offering]:
        return [o for o in self.offerings if o.is_priced]


ORIGIN_LABELS = {"": "curated", "seed": "seed", "catalog": "catalog", "models.dev": "models.dev", "litellm": "LiteLLM"}


def merge_faq(curated: list[FAQEntry], generated: list[guidance.FAQItem]) -> list:
    """Curator entries first; a curator entry that replaces a generated question hides it."""
    replaced = {entry.replaces for entry in curated if entry.replaces}
    return [*curated, *(item for item in generated if item.key not in replaced)]


def group_by_provider(offerings: list[Offering]) -> list[ProviderOfferings]:
    groups: dict[int, ProviderOfferings] = {}
    for offering in sorted(offerings, key=lambda o: (o.provider.name.lower(), o.model_id)):
        groups.setdefault(offering.provider_id, ProviderOfferings(offering.provider, [])).offerings.append(offering)
    return list(groups.values())


# --- Variant page --------------------------------------------------------------------------


@dataclass
class VariantPage:
    variant: Variant
    use_when: str
    signals: list[str]
    offerings: list[VariantOffering]
    replaces: list[Variant]
    cheapest: VariantOffering | None
    # Every variant of the family (the siblings and the variant itself), as the guidance compares them:
    # read by the sections kept per catalog version (the comparison, the siblings list), so on a miss only.
    read_family_variants: Callable[[], list] = list  # family_page.FamilyVariant rows

    @cached_property
    def family_variants(self) -> list:
        return self.read_family_variants()

    @cached_property
    def siblings(self) -> list:
        return [v for v in self.family_variants if v.pk != self.variant.pk]


class ProviderRef:
    """A provider as the variant page reads it (name, slug, URL), from the offerings' flat rows."""

    __slots__ = ("name", "slug")

    def __init__(self, name: str, slug: str):
        self.name, self.slug = name, slug

    def get_absolute_url(self):
        return _url_of("catalog:provider-detail", provider=self.slug)


class VariantOffering:
    """One offering as the variant page, its calculator, charts and structured data read it (the
    attributes of Offering they use), from one flat row: a variant with 71 offerings would otherwise
    be 71 offerings and 71 providers made as model instances on every request."""

    __slots__ = (
        "pk",
        "variant",
        "provider",
        "model_id",
        "price_input",
        "price_output",
        "price_cache_read",
        "price_cache_write",
        "price_checked",
        "context_window",
        "max_output_tokens",
        "kind",
        "status",
        "listed",
        "delisted_at",
    )

    def __init__(self, variant, provider, values):
        self.variant, self.provider = variant, provider
        (
            self.pk,
            self.model_id,
            self.price_input,
            self.price_output,
            self.price_cache_read,
            self.price_cache_write,
            self.price_checked,
            self.context_window,
            self.max_output_tokens,
            self.kind,
            self.status,
            self.listed,
            self.delisted_at,
        ) = values

    is_priced = Offering.is_priced  # both prices known (the calculator and the chooser add the kind)

    def get_kind_display(self) -> str:
        return OfferingKind(self.kind).label if self.kind in OfferingKind.values else self.kind


VARIANT_PAGE_OFFERING_COLUMNS = (
    "provider__name",
    "provider__slug",
    "pk",
    "model_id",
    "price_input",
    "price_output",
    "price_cache_read",
    "price_cache_write",
    "price_checked",
    "context_window",
    "max_output_tokens",
    "kind",
    "status",
    "listed",
    "delisted_at",
)


def variant_offerings(variant: Variant) -> list[VariantOffering]:
    """The variant's offerings in Offering's order (provider name, model id), as flat rows: one query."""
    rows = flat_rows(
        Offering.objects.filter(variant=variant)
        .values_list(*VARIANT_PAGE_OFFERING_COLUMNS)
        .order_by("provider__name", "model_id")
    )
    providers: dict[str, ProviderRef] = {}
    found = []
    for row in rows:
        provider = providers.get(row[1])
        if provider is None:
            provider = providers[row[1]] = ProviderRef(row[0], row[1])
        found.append(VariantOffering(variant, provider, row[2:]))
    return found


def variant_page(family_slug: str, variant_slug: str) -> VariantPage:
    from catalog.selectors.family_page import family_variants

    variant = (
        Variant.objects.filter(family__slug=family_slug, slug=variant_slug, family__published=True)
        .with_family()
        .order_by()  # one row at most (family and slug are unique): no ordering by the family's name to compile
        .first()
    )
    if variant is None:
        raise Http404(f"No variant {variant_slug!r} in family {family_slug!r}.")
    # Listed pay-per-token prices first, cheapest first; subscriptions and free tiers next; delisted last.
    offerings = sorted(
        variant_offerings(variant),
        key=lambda o: (
            not o.listed,
            o.kind != OfferingKind.PAY_PER_TOKEN,
            not o.is_priced,
            (o.price_input or 0) + (o.price_output or 0),
            o.provider.name.lower(),
        ),
    )
    return VariantPage(
        variant=variant,
        use_when=guidance.use_when(variant),
        signals=guidance.signals(variant),
        offerings=offerings,
        replaces=list(Variant.objects.filter(replaced_by=variant).select_related("family")),
        cheapest=guidance.cheapest_offering(offerings),
        read_family_variants=partial(family_variants, variant.family),
    )


# --- Lists ---------------------------------------------------------------------------------


def home_page(newest: int = 10) -> dict:
    families = Family.objects.published().with_creator().annotate(variant_count=Count("variants"))
    by_creator: dict[Organization, list[Family]] = {}
    # Alphabetical as a reader sorts: "abliteration.ai" among the As, not after "Zhipu AI".
    for family in families.order_by(Lower("creator__name"), "creator__name", Lower("name"), "name"):
        by_creator.setdefault(family.creator, []).append(family)
    return {
        "newest": list(
            Variant.objects.listed()
            .filter(release_date__isnull=False)
            .with_family()
            .order_by("-release_date", "family__name", "position", "name")[:newest]
        ),
        "families_by_creator": list(by_creator.items()),
        "counts": {
            "families": Family.objects.published().count(),
            "variants": Variant.objects.filter(family__published=True).count(),
            "providers": Provider.objects.count(),
            "offerings": Offering.objects.count(),
        },
    }


def provider_list_queryset():
    return Provider.objects.annotate(
        offering_count=Count("offerings", distinct=True),
        priced_count=Count("offerings", filter=Q(offerings__price_input__isnull=False), distinct=True),
        lowest_input=Min("offerings__price_input"),
    ).order_by("name")
