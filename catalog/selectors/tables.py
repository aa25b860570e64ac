"""Reads behind the table pages: /models/, /families/, a provider's offerings, /compare/.

Every table is a queryset with its joins and summary columns declared here; the views filter,
sort and page it, and the facet counts come in a fixed number of grouped queries.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Max, Prefetch, Q, QuerySet

from catalog.fields import Modality
from catalog.models import Family, FamilyTag, Offering, Provider, Status, Variant


def variant_table() -> QuerySet:
    """One row per variant of a published family; its provider count and lowest prices are columns
    kept current by catalog.services.summaries."""
    return Variant.objects.filter(family__published=True).select_related("family", "family__creator")


def family_table() -> QuerySet:
    return (
        Family.objects.published()
        .select_related("creator")
        .annotate(
            variant_count=Count("variants", distinct=True),
            max_context=Max("variants__context_window"),
            latest_release=Max("variants__release_date"),
            current_count=Count("variants", filter=Q(variants__status=Status.CURRENT), distinct=True),
        )
        .prefetch_related(Prefetch("family_tags", queryset=FamilyTag.objects.select_related("tag")))
    )


def offering_table(provider: Provider) -> QuerySet:
    return (
        Offering.objects.filter(provider=provider, variant__family__published=True)
        .select_related("variant", "variant__family")
    )


# --- Facets --------------------------------------------------------------------------------


@dataclass
class FacetChoice:
    value: str
    label: str
    count: int | None  # None: not counted (the result was too large to count every choice)
    selected: bool = False


@dataclass
class Facet:
    name: str
    label: str
    choices: list[FacetChoice] = field(default_factory=list)


CAPABILITY_FACETS = (
    ("tool_calling", "Tool calling"),
    ("reasoning", "Reasoning"),
    ("structured_output", "Structured output"),
    ("open_weights", "Open weights"),
)


def variant_facets(filterset, limit: int = 12, counts: bool = True) -> list[Facet]:
    """The facets of /models/ and how many rows each choice would give, in a few grouped queries.

    `filterset` is the page's valid ModelFilter. A facet's own parameter is left out of its counts
    (choices within a facet are alternatives), except modalities, which must all hold. With
    `counts=False` (very large results) no query runs: the fixed choices come without counts and
    creator and provider show only what is chosen.
    """
    data = filterset.data
    rows_without = filterset.rows_without

    def count_of(found: dict, key) -> int | None:
        return found.get(key, 0) if counts else None

    facets = []
    selected = set(data.getlist("status")) or {Status.CURRENT, Status.LEGACY}
    found = dict(rows_without("status").values_list("status").annotate(n=Count("pk")).order_by()) if counts else {}
    facets.append(Facet("status", "Status", [
        FacetChoice(value, label, count_of(found, value), value in selected) for value, label in Status.choices
    ]))

    chosen = set(data.getlist("modality"))
    found = rows_without().aggregate(**{
        value: Count("pk", filter=Q(input_modalities__contains=value)) for value in Modality.values
    }) if counts else {}
    facets.append(Facet("modality", "Takes input", [
        FacetChoice(value, label, count_of(found, value), value in chosen) for value, label in Modality.choices
    ]))

    # Capabilities nobody filters on share one query; a filtered one is counted without its own filter.
    found = {}
    unfiltered = [name for name, _ in CAPABILITY_FACETS if not data.get(name)]
    groups = [unfiltered] if unfiltered else []
    groups += [[name] for name, _ in CAPABILITY_FACETS if data.get(name)]
    for names in groups if counts else []:
        found.update(rows_without(*[n for n in names if data.get(n)]).aggregate(**{
            f"{name}__{value}": Count("pk", filter=condition)
            for name in names
            for value, condition in (("yes", Q(**{name: True})), ("no", Q(**{name: False})),
                                     ("unknown", Q(**{f"{name}__isnull": True})))
        }))
    for name, label in CAPABILITY_FACETS:
        current = data.get(name)
        facets.append(Facet(name, label, [
            FacetChoice(value, value.capitalize(), count_of(found, f"{name}__{value}"), current == value)
            for value in ("yes", "no", "unknown")
        ]))

    chosen = set(data.getlist("creator"))
    if counts:
        creators = (
            rows_without("creator").values("family__creator__slug", "family__creator__name")
            .annotate(n=Count("pk")).order_by("-n", "family__creator__name")
        )
    else:
        creators = [{"family__creator__slug": o.slug, "family__creator__name": o.name, "n": None}
                    for o in filterset.form.cleaned_data.get("creator") or []]
    facets.append(_top(Facet("creator", "Creator"), creators, "family__creator__slug", "family__creator__name",
                       chosen, limit))

    chosen = set(data.getlist("provider"))
    if counts:
        providers = (
            Offering.objects.filter(listed=True, variant__in=rows_without("provider"))
            .values("provider__slug", "provider__name").annotate(n=Count("variant", distinct=True))
            .order_by("-n", "provider__name")
        )
    else:
        providers = [{"provider__slug": p.slug, "provider__name": p.name, "n": None}
                     for p in filterset.form.cleaned_data.get("provider") or []]
    facets.append(_top(Facet("provider", "Provider"), providers, "provider__slug", "provider__name", chosen, limit))
    return facets


def _top(facet: Facet, rows, value_key: str, label_key: str, chosen: set[str], limit: int) -> Facet:
    rows = list(rows)
    shown = rows[:limit] + [row for row in rows[limit:] if row[value_key] in chosen]
    facet.choices = [FacetChoice(r[value_key], r[label_key], r["n"], r[value_key] in chosen) for r in shown]
    return facet


# --- Compare -------------------------------------------------------------------------------


def compare_rows(refs: list[tuple[str, str]]):
    """The variants named by (family slug, variant slug), in the order asked, with their offerings.

    Two flat queries whatever the number of variants: one for the variants, one for the offerings.
    Returns (variants, missing refs, offerings by variant pk).
    """
    condition = Q(pk__in=[])
    for family_slug, variant_slug in refs:
        condition |= Q(family__slug=family_slug, slug=variant_slug)
    found = {
        (v.family.slug, v.slug): v
        for v in Variant.objects.filter(condition, family__published=True).select_related("family", "family__creator")
    }
    variants = [found[ref] for ref in refs if ref in found]
    missing = [ref for ref in refs if ref not in found]
    offerings: dict[int, list] = {v.pk: [] for v in variants}
    for offering in (
        Offering.objects.filter(variant__in=variants, listed=True).select_related("provider")
        .order_by("provider__name", "model_id")
    ):
        offerings[offering.variant_id].append(offering)
    return variants, missing, offerings
