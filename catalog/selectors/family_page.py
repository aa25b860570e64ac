"""The family page: the seed's six sections, bounded whatever the size of the family.

A small family (up to SMALL_FAMILY variants) reads as the seed page does: every variant in one
table, a timeline by release month, every specification, every provider. A big one shows its
variants grouped by series (Qwen3, Qwen2.5 …), current first, the newest series open and older ones
collapsed; a timeline by quarter; the first rows of the specifications; and one providers-and-prices
table (variant × provider, cheapest marked). Everything else is a link to /models/?family=…, which
pages. Queries are fixed (the family with its prefetches, its variants, its offerings as flat rows,
its related families' sizes); the HTML is bounded by the constants below. What the page says of its
offerings (prices, providers, use-when lines, FAQ), its relations and its timeline are read lazily,
by the sections kept per catalog version (catalog.services.fragments): a kept page reads none of it.
Past 400 lines on purpose: the page's six sections are read here in the order the page shows them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property, partial
from types import SimpleNamespace

from django.db.models import Count, Max, Prefetch
from django.http import Http404

from catalog import guidance
from catalog.models import Family, FamilyRef, FamilyRelation, FamilyTag, Offering, OfferingKind, Tag, Variant, _url_of
from catalog.selectors.flat_rows import flat_rows
from catalog.selectors.pages import SPEC_SORT_KEYS, merge_faq, sort_rows

SMALL_FAMILY = 12  # up to this many variants, the page lists them all, as the seed page does
SERIES_SHOWN = 8  # series with their own group; the rest are one "Other" group
ROWS_PER_SERIES = 6  # variants shown per series group
SPEC_ROWS = 10  # specification rows on a big family's page
PRICE_ROWS = 8  # variants in the providers-and-prices table
PRICE_PROVIDERS = 5  # provider columns in it
PROVIDER_NAMES = 30  # providers named in the "offered by" line
UNPRICED_SHOWN = 3  # offerings without a price, said in words
TIMELINE_NAMES = 4  # names per timeline quarter
# The timeline chart draws a small family's variants; a big family's timeline is the list by quarter.


# --- Series ---------------------------------------------------------------------------------

_SIZE = re.compile(r"^\d+(\.\d+)?[bmkt]$", re.IGNORECASE)  # 8B, 1.5B, 400M
_DATE = re.compile(r"^\(?\d{4}(-\d{2}(-\d{2})?)?\)?$|^\d{6,8}$")  # 0301, 2024-05-13, 20250101


def series_name(name: str) -> str:
    """The series a variant belongs to, read from its name: the words up to its version.

    "Qwen3 235B A22B" → "Qwen3", "Qwen2.5 Coder 32B" → "Qwen2.5", "Llama 3.1 8B Instruct" →
    "Llama 3.1", "GPT-4o mini" → "GPT-4o", "Qwen Max" → "Qwen Max".
    """
    words = []
    for word in name.split():
        if _SIZE.match(word) or _DATE.match(word):
            break
        words.append(word)
        if any(ch.isdigit() for ch in word):
            break
    return " ".join(words) or name


@dataclass
class Row:
    variant: Variant
    lines: Callable[[], dict]  # the family's use-when lines (they read its offerings' prices): asked when shown
    signals: list[str]

    @property
    def use_when(self) -> str:
        return self.lines()[self.variant.pk]


@dataclass
class SeriesGroup:
    name: str
    rows: list[Row]  # shown: current first, newest first
    total: int
    current: int
    newest: str
    open: bool = False

    @property
    def hidden(self) -> int:
        return self.total - len(self.rows)


@dataclass
class TimelineGroup:
    label: str
    variants: list  # the ones named
    count: int

    @property
    def more(self) -> int:
        return self.count - len(self.variants)


@dataclass
class OfferingRow:
    """One offering as the page and the FAQ engine read it (attribute names as on Offering)."""

    pk: int
    variant: Variant
    provider: SimpleNamespace
    model_id: str
    price_input: Decimal | None
    price_output: Decimal | None
    kind: str
    listed: bool = True  # the page reads listed offerings only

    @property
    def is_priced(self) -> bool:
        return (
            self.kind == OfferingKind.PAY_PER_TOKEN and self.price_input is not None and (self.price_output is not None)
        )

    @property
    def kind_label(self) -> str:
        return OfferingKind(self.kind).label if self.kind in OfferingKind.values else self.kind


@dataclass
class PriceCell:
    offering: OfferingRow | None
    cheapest: bool = False


@dataclass
class PriceRow:
    variant: Variant
    cells: list[PriceCell]
    cheapest: OfferingRow | None
    elsewhere: int  # offerings at providers without a column


@dataclass
class Offered:
    """The family page's reads of its offerings: prices, providers, the use-when lines and the FAQ."""

    lines: dict  # variant pk → use-when line (the lines compare prices)
    about_summary: str
    provider_count: int
    price_providers: list  # column heads
    price_rows: list[PriceRow]
    price_variant_total: int
    unpriced: list[OfferingRow]
    unpriced_total: int
    provider_names: list
    faq: list


@dataclass
class FamilyPage:
    family: Family
    variants: list[Variant]
    small: bool
    rows: list[Row]  # a small family: every variant
    series: list[SeriesGroup]  # a big family: its series
    family_line: str
    timeline_variants: list[Variant]
    spec_rows: list[Variant]
    spec_sort: str
    spec_total: int
    sources: list
    use_cases: list[str]
    strengths: list[str]
    collaborators: list
    read_offered: Callable[[], Offered] | None = None  # set by family_page

    @cached_property
    def relations(self) -> list[FamilyRelation]:
        return family_relations(self.family)

    @cached_property
    def release_groups(self) -> list:
        """guidance.ReleaseGroup (small) or TimelineGroup (big): read by the timeline's fragment only."""
        return guidance.release_groups(self.variants) if self.small else _quarters(self.variants)

    @cached_property
    def offered(self) -> Offered:
        """What the page says of the family's offerings, read the first time a section shows it: the
        sections that do are fragments kept per catalog version, so on most requests it is never read."""
        return self.read_offered()

    about_summary = property(lambda self: self.offered.about_summary)
    provider_count = property(lambda self: self.offered.provider_count)
    price_providers = property(lambda self: self.offered.price_providers)
    price_rows = property(lambda self: self.offered.price_rows)
    price_variant_total = property(lambda self: self.offered.price_variant_total)
    unpriced = property(lambda self: self.offered.unpriced)
    unpriced_total = property(lambda self: self.offered.unpriced_total)
    provider_names = property(lambda self: self.offered.provider_names)
    faq = property(lambda self: self.offered.faq)
    lines = property(lambda self: self.offered.lines)

    @property
    def guidance_basis(self) -> str:
        from catalog.selectors.pages import ORIGIN_LABELS

        label = ORIGIN_LABELS.get(self.family.origin, self.family.origin)
        return f"Use-when guidance is derived from {label} capabilities, context, release, and replacement fields."

    @property
    def shown_variants(self) -> list[Variant]:
        """The variants the page names in its variant table (what JSON-LD lists)."""
        if self.small:
            return [row.variant for row in self.rows]
        return [row.variant for group in self.series for row in group.rows]

    @property
    def provider_more(self) -> int:
        return self.provider_count - len(self.provider_names)

    @property
    def current_count(self) -> int:
        return sum(1 for v in self.variants if guidance.is_current(v))


# --- Reading --------------------------------------------------------------------------------


def published_family(slug: str) -> Family:
    """The published family with what every request of its pages reads: sources, tags, collaborators.
    Its relations and curated FAQ are read by fragments (family_relations, family.faq_entries)."""
    family = (
        Family.objects.published()
        .with_creator()
        .prefetch_related(
            "sources",
            Prefetch("family_tags", queryset=FamilyTag.objects.select_related("tag")),
            "collaborators",
        )
        .filter(slug=slug)
        .first()
    )
    if family is None:
        raise Http404(f"No family with slug {slug!r}.")
    return family


def family_relations(family: Family) -> list[FamilyRelation]:
    """The family's related families with their makers and tags, in two queries."""
    return list(
        FamilyRelation.objects.filter(family=family)
        .select_related("related", "related__creator")
        .prefetch_related(Prefetch("related__family_tags", queryset=FamilyTag.objects.select_related("tag")))
    )


def family_offerings(family: Family, variants: dict[int, Variant], listed_only: bool = True) -> list[OfferingRow]:
    """The family's offerings as flat rows, by provider name and model id (delisted ones too if asked)."""
    rows = Offering.objects.filter(variant__family=family)
    if listed_only:
        rows = rows.filter(listed=True)
    rows = rows.values_list(
        "pk",
        "variant_id",
        "provider__name",
        "provider__slug",
        "model_id",
        "price_input",
        "price_output",
        "kind",
        "listed",
    ).order_by("provider__name", "model_id")
    providers: dict[str, SimpleNamespace] = {}
    found = []
    for pk, variant_id, name, slug, model_id, price_in, price_out, kind, listed in flat_rows(rows):
        provider = providers.get(slug)
        if provider is None:
            provider = providers[slug] = SimpleNamespace(name=name, slug=slug, url=f"/providers/{slug}/")
        found.append(OfferingRow(pk, variants[variant_id], provider, model_id, price_in, price_out, kind, listed))
    return found


def related_facts(relations: list[FamilyRelation]) -> list[guidance.FamilyFacts]:
    """The related families as the FAQ compares them: names, tags, and their sizes in one query."""
    if not relations:
        return []
    sizes = {
        row["family_id"]: row
        for row in Variant.objects.filter(family__in=[r.related_id for r in relations])
        .order_by()
        .values("family_id")
        .annotate(count=Count("pk"), widest=Max("context_window"))
    }
    facts = []
    for relation in relations:
        related = relation.related
        size = sizes.get(related.pk, {"count": 0, "widest": None})
        tags = list(related.family_tags.all())
        facts.append(
            guidance.FamilyFacts(
                name=related.name,
                creator=related.creator.name,
                variants=(),
                use_cases=[ft.tag.name for ft in tags if ft.tag.kind == Tag.Kind.USE_CASE],
                strengths=[ft.tag.name for ft in tags if ft.tag.kind == Tag.Kind.STRENGTH],
                variant_count=size["count"],
                widest=size["widest"],
            )
        )
    return facts


def _lowest_prices(offerings: list[OfferingRow]) -> dict[int, tuple]:
    lowest: dict[int, tuple] = {}
    for o in offerings:
        if o.is_priced and o.listed:
            key = (o.price_input + o.price_output, o.price_input)
            if o.variant.pk not in lowest or key < lowest[o.variant.pk][2]:
                lowest[o.variant.pk] = (o.price_input, o.price_output, key)
    return {pk: value[:2] for pk, value in lowest.items()}


def _newest_first(variant: Variant) -> tuple:
    return (
        not guidance.is_current(variant),
        -(variant.release_date.toordinal() if variant.release_date else 0),
        variant.name.lower(),
    )


def _series(variants: list[Variant], lines: Callable[[], dict]) -> list[SeriesGroup]:
    by_name: dict[str, list[Variant]] = {}
    for variant in variants:
        by_name.setdefault(series_name(variant.name), []).append(variant)
    groups = []
    other: list[Variant] = []
    ranked = sorted(
        by_name.items(),
        key=lambda item: (
            -sum(guidance.is_current(v) for v in item[1]) > 0,
            -max((v.release_date.toordinal() for v in item[1] if v.release_date), default=0),
            item[0].lower(),
        ),
    )
    for name, members in ranked:
        if len(members) < 2 or len(groups) >= SERIES_SHOWN:
            other.extend(members)
            continue
        groups.append((name, members))
    if other:
        groups.append(("Other", other))
    result = []
    for name, members in groups:
        members = sorted(members, key=_newest_first)
        dated = [v for v in members if v.release_date]
        newest = max(dated, key=lambda v: v.release_date).released_display if dated else ""
        shown = members[:ROWS_PER_SERIES]
        result.append(
            SeriesGroup(
                name=name,
                rows=[Row(v, lines, guidance.signals(v)) for v in shown],
                total=len(members),
                current=sum(guidance.is_current(v) for v in members),
                newest=newest,
            )
        )
    if result:
        result[0].open = True
    return result


def _quarters(variants: list[Variant]) -> list[TimelineGroup]:
    groups: dict[str, list[Variant]] = {}
    for variant in sorted(variants, key=lambda v: (v.release_date is None, v.release_date or 0, v.name)):
        if variant.release_date is None:
            label = "Release date unknown"
        else:
            label = f"{variant.release_date.year} Q{(variant.release_date.month - 1) // 3 + 1}"
        groups.setdefault(label, []).append(variant)
    result = []
    for label, members in groups.items():
        named = sorted(members, key=_newest_first)[:TIMELINE_NAMES]
        result.append(TimelineGroup(label, named, len(members)))
    return result


def _lowest(offers: list[OfferingRow]) -> OfferingRow:
    """The cheapest of one variant's priced offerings: input plus output, then input, provider and model id."""
    return min(offers, key=lambda o: (o.price_input + o.price_output, o.price_input, o.provider.name, o.model_id))


def _price_table(offerings: list[OfferingRow]) -> tuple[list, list[PriceRow], int]:
    """Variant × provider for pay-per-token offerings; the cheapest offering of each row marked."""
    priced = [o for o in offerings if o.is_priced and o.listed]
    if not priced:
        return [], [], 0
    per_provider: dict[str, int] = {}
    for o in priced:
        per_provider[o.provider.slug] = per_provider.get(o.provider.slug, 0) + 1
    columns_slugs = sorted(per_provider, key=lambda slug: (-per_provider[slug], slug))[:PRICE_PROVIDERS]
    providers = {o.provider.slug: o.provider for o in priced}
    by_variant: dict[int, list[OfferingRow]] = {}
    for o in priced:
        by_variant.setdefault(o.variant.pk, []).append(o)
    order = sorted(
        by_variant,
        key=lambda pk: (
            _newest_first(by_variant[pk][0].variant)[:2],
            -len(by_variant[pk]),
            by_variant[pk][0].variant.name.lower(),
        ),
    )
    rows = []
    for pk in order[:PRICE_ROWS]:
        offers = by_variant[pk]
        cheapest = _lowest(offers)
        cells = []
        for slug in columns_slugs:
            at = [o for o in offers if o.provider.slug == slug]
            best = _lowest(at) if at else None
            cells.append(PriceCell(best, best is not None and best is cheapest))
        elsewhere = sum(1 for o in offers if o.provider.slug not in columns_slugs)
        rows.append(PriceRow(offers[0].variant, cells, cheapest, elsewhere))
    return [providers[slug] for slug in columns_slugs], rows, len(by_variant)


def _about_summary(family: Family, variants: list[Variant], provider_count: int) -> str:
    """What the data says about a family that has no about text yet, so that "About" is never empty."""
    dated = sorted(v.release_date for v in variants if v.release_date)
    span = ""
    if dated:
        first, last = dated[0], dated[-1]
        span = (
            f", released in {first:%Y-%m}"
            if first.strftime("%Y-%m") == last.strftime("%Y-%m")
            else f", released from {first:%Y-%m} to {last:%Y-%m}"
        )
    current = sum(guidance.is_current(v) for v in variants)
    offered = (
        f" {guidance.plural(provider_count, 'provider')} in the catalog offer{'s' if provider_count == 1 else ''} them."
        if provider_count
        else " No provider in the catalog offers them yet."
    )
    return (
        f"{family.name} is a family of {guidance.plural(len(variants), 'model')} by {family.creator.name}"
        f"{span}; {current} {'is' if current == 1 else 'are'} current.{offered}"
    )


VARIANT_FIELDS = (
    "family_id",
    "name",
    "slug",
    "position",
    "release_date",
    "release_precision",
    "context_window",
    "max_output_tokens",
    "parameters",
    "active_parameters",
    "input_modalities",
    "tool_calling",
    "reasoning",
    "structured_output",
    "open_weights",
    "base_model",
    "kind",
    "knowledge_cutoff",
    "license",
    "status",
    "retirement_date",
    "replaced_by",
    "points_to",
)


# The plain fields; the two links are read with what their pages show of them.
_ROW_FIELDS = tuple(name for name in VARIANT_FIELDS if name not in ("replaced_by", "points_to"))
_STATUS_LABELS = dict(Variant._meta.get_field("status").flatchoices)
_KIND_LABELS = dict(Variant._meta.get_field("kind").flatchoices)


class ReplacementRef:
    """The variant that replaces a family's variant, as pages and guidance read it (name, slug, family, URL)."""

    __slots__ = ("pk", "name", "slug", "family")

    def __init__(self, pk, name, slug, family_name, family_slug):
        self.pk, self.name, self.slug = pk, name, slug
        self.family = FamilyRef(family_slug, family_name, None)

    @property
    def id(self):
        return self.pk

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return _url_of("catalog:variant-detail", family=self.family.slug, variant=self.slug)


class FamilyVariant:
    """A family's variant as its pages, its FAQ and the guidance read it: the fields of VARIANT_FIELDS and
    Variant's display properties, from one flat row. A big family's 155 variants as model instances cost
    about 4 ms on every request of its page; as rows, a third of that. Slots: reading a field it does not
    hold fails loudly instead of querying."""

    __slots__ = ("pk", "family", "url", *_ROW_FIELDS, "replaced_by_id", "replaced_by", "points_to_id", "points_to_name")

    @property
    def id(self):
        return self.pk

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return self.url

    def get_status_display(self):
        return str(_STATUS_LABELS.get(self.status, self.status))

    def get_kind_display(self):
        return str(_KIND_LABELS.get(self.kind, self.kind))

    released_display = Variant.released_display
    release_month = Variant.release_month
    has_vision = Variant.has_vision
    is_multimodal = Variant.is_multimodal


_ROW_COLUMNS = (
    "pk",
    *_ROW_FIELDS,
    "replaced_by_id",
    "points_to_id",
    "points_to__name",
    "replaced_by__name",
    "replaced_by__slug",
    "replaced_by__family__name",
    "replaced_by__family__slug",
)


def family_variants(family: Family) -> list[FamilyVariant]:
    """The family's variants in catalog order, with what guidance and links read: one query, flat rows."""
    rows = flat_rows(
        Variant.objects.filter(family=family).values_list(*_ROW_COLUMNS).order_by("position", "release_date", "name")
    )
    base = family.get_absolute_url()
    names = ("pk", *_ROW_FIELDS, "replaced_by_id", "points_to_id", "points_to_name")
    count = len(names)
    variants = []
    for row in rows:
        variant = FamilyVariant()
        for name, value in zip(names, row[:count], strict=True):
            setattr(variant, name, value)
        variant.input_modalities = list(variant.input_modalities)  # its own list, as a model instance has
        variant.replaced_by = ReplacementRef(variant.replaced_by_id, *row[count:]) if variant.replaced_by_id else None
        variant.family = family  # links need its slug: no query per row
        # One URL format for the page instead of one reverse() per link (a big family names a few hundred).
        variant.url = f"{base}{variant.slug}/"
        variants.append(variant)
    return variants


def _offered(family: Family, variants: list[Variant], facts: guidance.FamilyFacts, relations: Callable) -> Offered:
    offerings = family_offerings(family, {v.pk: v for v in variants})
    listed_offerings = [o for o in offerings if o.listed]
    provider_slugs = {o.provider.slug: o.provider for o in listed_offerings}
    price_providers, price_rows, price_variant_total = _price_table(offerings)
    unpriced = [o for o in listed_offerings if not o.is_priced]
    pick_counts = sorted(provider_slugs.values(), key=lambda p: p.name.lower())
    return Offered(
        lines=guidance.family_lines(variants, _lowest_prices(offerings)),
        about_summary="" if family.about.strip() else _about_summary(family, variants, len(provider_slugs)),
        provider_count=len(provider_slugs),
        price_providers=price_providers,
        price_rows=price_rows,
        price_variant_total=price_variant_total,
        unpriced=unpriced[:UNPRICED_SHOWN],
        unpriced_total=len(unpriced),
        provider_names=pick_counts[:PROVIDER_NAMES],
        faq=merge_faq(
            list(family.faq_entries.all()),
            guidance.family_faq(facts, listed_offerings, next(iter(related_facts(relations()[:1])), None)),
        ),
    )


def family_page(slug: str, spec_sort: str | None = None) -> FamilyPage:
    family = published_family(slug)
    variants = family_variants(family)
    family_tags = list(family.family_tags.all())
    facts = guidance.FamilyFacts(
        name=family.name,
        creator=family.creator.name,
        variants=variants,
        use_cases=[ft.tag.name for ft in family_tags if ft.tag.kind == Tag.Kind.USE_CASE],
        strengths=[ft.tag.name for ft in family_tags if ft.tag.kind == Tag.Kind.STRENGTH],
    )
    small = len(variants) <= SMALL_FAMILY
    spec_rows, spec_sort = sort_rows(variants, SPEC_SORT_KEYS, spec_sort, default="model")
    if spec_sort == "model":
        spec_rows = variants if small else sorted(variants, key=_newest_first)
    page = FamilyPage(
        family=family,
        variants=variants,
        small=small,
        rows=[],
        series=[],
        family_line=guidance.family_line(variants),
        timeline_variants=variants if small else [],
        spec_rows=spec_rows if small else spec_rows[:SPEC_ROWS],
        spec_sort=spec_sort,
        spec_total=len(variants),
        sources=list(family.sources.all()),
        use_cases=list(facts.use_cases),
        strengths=list(facts.strengths),
        collaborators=list(family.collaborators.all()),
    )
    page.read_offered = partial(_offered, family, variants, facts, partial(getattr, page, "relations"))
    lines = partial(getattr, page, "lines")
    if small:
        page.rows = [Row(v, lines, guidance.signals(v)) for v in variants]
    else:
        page.series = _series(variants, lines)
    return page
