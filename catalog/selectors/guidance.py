"""Reads for the guidance pages: family FAQ, site FAQ, and the variant page's calculator, hardware
fit and comparison (the chooser's reads are in catalog.selectors.chooser). Each in a fixed number of queries, whatever the size of the data.

The words come from `catalog.guidance` (signals, FAQ, chooser); this module only
fetches what they need and shapes it for the templates.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property, partial

from django.db.models import (
    Max,
    OuterRef,
    Subquery,
)
from django.utils.html import strip_tags
from django.utils.safestring import SafeString, mark_safe

from catalog import guidance
from catalog.guidance import chooser
from catalog.models import (
    Family,
    FAQEntry,
    ImportRun,
    Listing,
    Offering,
    OfferingKind,
    Provider,
    Tag,
    Variant,
)
from catalog.selectors.family_page import (
    family_offerings,
    family_relations,
    family_variants,
    published_family,
    related_facts,
)
from catalog.selectors.pages import VariantPage, merge_faq
from catalog.services.fragments import kept_once
from catalog.services.markdown import render_markdown

_JSON_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def jsonld_text(data: dict) -> SafeString:
    """JSON for a <script type="application/ld+json"> element: <, > and & escaped so it cannot close the tag."""
    return mark_safe(json.dumps(data, ensure_ascii=False).translate(_JSON_ESCAPES))


def plain_text(html_text: str) -> str:
    """What a visitor reads of rendered HTML: tags dropped, entities decoded, whitespace collapsed."""
    return " ".join(html.unescape(strip_tags(html_text)).split())


# --- FAQ pages ----------------------------------------------------------------------------


@dataclass
class FAQRow:
    question: str
    text: str  # the answer as plain text: what the JSON-LD says
    html: SafeString | None  # a curator answer rendered from Markdown; None for generated answers
    anchor: str
    curated: bool


@dataclass
class FAQPage:
    rows: list[FAQRow]
    jsonld: SafeString
    family: Family | None = None
    sources: list = field(default_factory=list)
    counts: dict = field(default_factory=dict)


def merge_family_faq(curated: list[FAQEntry], generated: list[guidance.FAQItem]) -> list:
    """Curator entries first. An entry hides the generated question it `replaces`, or one it asks again."""
    asked = [entry.question for entry in curated]
    kept = [item for item in generated if not any(guidance.same_question(item.question, q) for q in asked)]
    return merge_faq(curated, kept)


def _rows(items: list, source_numbers: set[int]) -> list[FAQRow]:
    rows = []
    for item in items:
        if isinstance(item, FAQEntry):
            rendered = mark_safe(render_markdown(item.answer, source_numbers))
            rows.append(FAQRow(item.question, plain_text(rendered), rendered, f"faq-entry-{item.pk}", True))
        else:
            anchor = "faq-" + item.key.replace(":", "-").replace(" ", "-").lower()
            rows.append(FAQRow(item.question, item.answer, None, anchor, False))
    return rows


def family_faq_page(slug: str) -> FAQPage:
    """/families/<family>/faq/: every generated question the data answers, curator entries first.

    The offerings are read as flat rows (every one, delisted too), in the order the questions have
    always seen them: by variant in catalog order, then by provider name and model id.
    """
    family = published_family(slug)
    variants = family_variants(family)
    order = {variant.pk: index for index, variant in enumerate(variants)}
    offerings = family_offerings(family, {v.pk: v for v in variants}, listed_only=False)
    offerings.sort(key=lambda offering: order[offering.variant.pk])  # stable: provider and model id order kept
    family_tags = list(family.family_tags.all())
    facts = guidance.FamilyFacts(
        name=family.name,
        creator=family.creator.name,
        variants=variants,
        use_cases=[ft.tag.name for ft in family_tags if ft.tag.kind == Tag.Kind.USE_CASE],
        strengths=[ft.tag.name for ft in family_tags if ft.tag.kind == Tag.Kind.STRENGTH],
        license=family.license,
    )
    generated = guidance.family_questions(facts, offerings, related_facts(family_relations(family)))
    sources = list(family.sources.all())
    rows = _rows(merge_family_faq(list(family.faq_entries.all()), generated), {s.number for s in sources})
    cited = sources if any(row.curated for row in rows) else []  # curator answers may cite [n]
    return FAQPage(rows, jsonld_text(guidance.faq_jsonld((r.question, r.text) for r in rows)), family, cited)


def last_imports() -> dict:
    """{source: date its latest successful import finished}, in one query."""
    return {
        source: finished.date()
        for source, finished in ImportRun.objects.filter(status=ImportRun.Status.SUCCEEDED, finished_at__isnull=False)
        .values("source")
        .annotate(last=Max("finished_at"))
        .values_list("source", "last")
        .order_by("source")
    }


def site_faq_page() -> FAQPage:
    """/faq/: how the catalog works, with today's counts and import dates."""
    counts = {
        "families": Family.objects.published().count(),
        "variants": Variant.objects.filter(family__published=True).count(),
        "providers": Provider.objects.count(),
        "offerings": Offering.objects.count(),
    }
    items = guidance.site_faq(counts, last_imports(), chooser.RANKING_RULE)
    rows = _rows(items, set())
    return FAQPage(rows, jsonld_text(guidance.faq_jsonld((r.question, r.text) for r in rows)), counts=counts)


# --- The variant page's guidance ------------------------------------------------------------


@dataclass
class VariantGuidance:
    hardware: list[guidance.PrecisionFit]
    hardware_summary: str | None
    sizes: tuple[int, ...]
    usage: guidance.Usage | None
    costs: list[guidance.CostRow]
    # (the comparison line, the compare link), worked out from the family's variants when first read: the
    # comparison is a section kept per catalog version, so on most requests the family is never read.
    compare: Callable[[], tuple[str | None, str]] = partial(tuple, (None, ""))
    cost_rule: str = guidance.COST_RULE
    hardware_rule: str = guidance.HARDWARE_RULE

    @cached_property
    def _comparison(self) -> tuple[str | None, str]:
        return self.compare()

    @property
    def comparison(self) -> str | None:
        return self._comparison[0]

    @property
    def compare_url(self) -> str:
        return self._comparison[1]

    @property
    def any_priced(self) -> bool:
        return any(row.cost is not None for row in self.costs)

    @property
    def any_cached_at_input_price(self) -> bool:
        return any(row.cost is not None and row.cost.cached_at_input_price for row in self.costs)


def price_checks(offerings: list[Offering]) -> dict[int, guidance.PriceCheck]:
    """When each offering's price was last confirmed, in one query for any number of offerings.

    A curator's date needs no query; otherwise the sources still listing the offering, each with the
    date its latest successful import finished (that run saw every listing still marked listed).
    """
    ids = [o.pk for o in offerings if o.is_priced and not o.price_checked]
    sources: dict[int, set[str]] = {}
    runs: dict[str, object] = {}
    if ids:
        last_run = (
            ImportRun.objects.filter(
                source=OuterRef("source"), status=ImportRun.Status.SUCCEEDED, finished_at__isnull=False
            )
            .order_by("-finished_at")
            .values("finished_at")[:1]
        )
        rows = (
            Listing.objects.filter(offering_id__in=ids, listed=True)
            .annotate(last=Subquery(last_run))
            .values_list("offering_id", "source", "last")
        )
        for offering_id, source, finished in rows:
            sources.setdefault(offering_id, set()).add(source)
            if finished is not None:
                runs[source] = finished.date()
    return {o.pk: guidance.price_check(o, sources.get(o.pk, ()), runs) for o in offerings}


def _comparison(page: VariantPage) -> tuple[str | None, str]:
    """The variant against its family's pick: the comparison line and a link comparing the two."""
    variant = page.variant
    family_variants = page.family_variants
    best = guidance.most_capable(family_variants)
    family_slug = variant.family.slug
    compare_url = (
        chooser.compare_url([f"{family_slug}/{variant.slug}", f"{family_slug}/{best.slug}"])
        if best is not None and best.pk != variant.pk
        else ""
    )
    return guidance.variant_comparison(variant, family_variants, variant.family.name), compare_url


def variant_price_checks(page: VariantPage) -> dict[int, guidance.PriceCheck]:
    """`price_checks` of every offering of the page, worked out once per catalog version (catalog data only:
    listings and import runs; the providers table, a section kept per version, shows them too)."""
    return kept_once("variant-price-checks", (page.variant.pk,), partial(price_checks, page.offerings))


def variant_guidance(page: VariantPage, usage: guidance.Usage | None) -> VariantGuidance:
    """Comparison with the family's pick, hardware fit and the cost calculator for a variant page."""
    variant = page.variant
    fits = guidance.hardware_fit(variant.parameters)
    # Only current per-token prices are costs: no delisted offering, subscription or free tier.
    priced = [o for o in page.offerings if o.listed and o.kind == OfferingKind.PAY_PER_TOKEN]
    costs = guidance.cost_table(priced, usage, variant_price_checks(page)) if usage else []
    return VariantGuidance(
        compare=partial(_comparison, page),
        hardware=fits,
        hardware_summary=guidance.hardware_summary(variant.name, fits),
        sizes=guidance.ACCELERATOR_SIZES_GB,
        usage=usage,
        costs=costs,
    )
