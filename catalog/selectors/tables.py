"""Reads behind the table pages: /models/, /families/, a provider's offerings, /compare/.

Every table is a queryset with its joins and summary columns declared here; the views filter,
sort and page it, and the facet counts come in a fixed number of grouped queries.

Over 400 lines, kept whole: the tables' querysets and the facets counted over them change together.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass, field

from django.db import connections
from django.db.models import CharField, Count, FloatField, Max, Prefetch, Q, QuerySet
from django.db.models.functions import Cast
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from catalog.fields import Modality
from catalog.models import (
    CreatorRef,
    Family,
    FamilyRef,
    FamilyTag,
    Offering,
    Provider,
    Status,
    Variant,
    VariantRow,
    is_slug,
    url_template,
)
from catalog.services.page_cache import once_per_version


def variant_table() -> QuerySet:
    """One row per variant of a published family, from the narrow VariantRow table (family, creator,
    provider count and lowest prices are its own columns, kept current by catalog.services.summaries):
    /models/ filters, sorts, counts and exports without a join."""
    return VariantRow.objects.filter(published=True)


class ExportRow(tuple):
    """A /models/ row for the CSV export, read like a VariantRow but a plain tuple (its fields, then its
    family and the variant URL's template): no model instance, no Decimal or date conversion (prices
    come as floats, the release date as its text)."""

    FIELDS = (
        "variant_id",
        "family_slug",
        "family_name",
        "creator_slug",
        "creator_name",
        "slug",
        "name",
        "release_text",
        "release_precision",
        "context_window",
        "max_output_tokens",
        "parameters",
        "input_modalities",
        "output_modalities",
        "tool_calling",
        "reasoning",
        "structured_output",
        "open_weights",
        "status",
        "provider_count",
        "price_in_min",
        "price_out_min",
    )
    BOOLEANS = ("tool_calling", "reasoning", "structured_output", "open_weights")
    MODALITIES = ("input_modalities", "output_modalities")
    __slots__ = ()
    RELEASE_TEXT = {"year": 4, "month": 7, "day": 10}

    def __new__(cls, values, url_template: str = ""):
        # url_template: the variant page's URL with {family} and {variant} to fill in
        family = FamilyRef(values[1], values[2], CreatorRef(values[3], values[4]))
        return super().__new__(cls, (*values, family, url_template))

    @property
    def pk(self):
        return self[0]

    def get_absolute_url(self):
        family, variant = self[1], self[5]
        if self.url_template and is_slug(family) and is_slug(variant):
            return self.url_template.format(family=family, variant=variant)
        return VariantRow.get_absolute_url(self)

    @property
    def released_display(self) -> str:
        return self.release_text[: self.RELEASE_TEXT[self.release_precision]] if self.release_text else ""


for _index, _name in enumerate((*ExportRow.FIELDS, "family", "url_template")):  # row.name…: its items, read in C
    setattr(ExportRow, _name, property(operator.itemgetter(_index)))

# Database values as the model fields read them (what Django's per-value converters do, done per row in bulk):
# SQLite gives booleans as 0/1, and a set of modalities is stored as "text,image".
_BOOLEAN = {0: False, 1: True, None: None}


def variant_export_rows(queryset: QuerySet):
    """Every row of a /models/ queryset as ExportRows, read in chunks from a server-side cursor where the
    database has one (memory stays flat), without Django's per-value converters (the export's hot path)."""
    fields = [
        f"_{name}" if name in {"release_text", "price_in_min", "price_out_min"} else name for name in ExportRow.FIELDS
    ]
    rows = queryset.annotate(
        _release_text=Cast("release_date", CharField()),
        _price_in_min=Cast("price_in_min", FloatField()),
        _price_out_min=Cast("price_out_min", FloatField()),
    ).values_list(*fields)
    booleans = [ExportRow.FIELDS.index(name) for name in ExportRow.BOOLEANS]
    modalities = [ExportRow.FIELDS.index(name) for name in ExportRow.MODALITIES]
    template = url_template("catalog:variant-detail", "family", "variant")
    width = len(ExportRow.FIELDS)
    sql, params = rows.query.sql_with_params()
    connection = connections[rows.db]
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while chunk := cursor.fetchmany(2000):
            for values in chunk:
                values = list(values[:width])  # DISTINCT (?family=) adds the sort columns after the fields
                for index in booleans:
                    values[index] = _BOOLEAN[values[index]]
                for index in modalities:
                    values[index] = values[index].split(",") if values[index] else []
                yield ExportRow(values, template)


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
    return Offering.objects.filter(provider=provider, variant__family__published=True).select_related(
        "variant", "variant__family"
    )


# --- Facets --------------------------------------------------------------------------------


@dataclass
class FacetChoice:
    value: str
    label: str
    count: int | None  # None: not counted (the result was too large to count every choice)
    selected: bool = False


# A facet's choice as the /models/ sidebar draws it (templates/catalog/model_list.html): drawn in Python,
# since the sidebar has some 60 of them a page.
FACET_CHOICE = (
    '<label><input type="{kind}" name="{name}" value="{value}" id="f-{name}-{value}"{checked}> {label} {count}</label>'
)
FACET_COUNT = '<span class="facet-count">{}</span>'


@dataclass
class Facet:
    name: str
    label: str
    choices: list[FacetChoice] = field(default_factory=list)

    @property
    def choices_html(self) -> SafeString:
        """Each choice's box (a radio for a capability: one of yes, no, unknown) with its count."""
        kind = "radio" if self.name in CAPABILITY_NAMES else "checkbox"
        name = conditional_escape(self.name)
        return mark_safe(  # noqa: S308 (every part escaped)
            "".join(
                FACET_CHOICE.format(
                    kind=kind,
                    name=name,
                    value=conditional_escape(choice.value),
                    checked=" checked" if choice.selected else "",
                    label=conditional_escape(choice.label),
                    count=""
                    if choice.count is None
                    else FACET_COUNT.format(conditional_escape(localize(choice.count))),
                )
                for choice in self.choices
            )
        )


ANY = object()  # a capability nobody filters on
TRI_STATE_VALUES = {"yes": True, "no": False, "unknown": None}
TRI_STATE_NAMES = {True: "yes", False: "no", None: "unknown"}
CAPABILITY_FACETS = (
    ("tool_calling", "Tool calling"),
    ("reasoning", "Reasoning"),
    ("structured_output", "Structured output"),
    ("open_weights", "Open weights"),
)
CAPABILITY_NAMES = frozenset(name for name, _ in CAPABILITY_FACETS)


def variant_facets(
    filterset, limit: int = 12, counts: bool = True, groups: FacetGroups | None = None, indexed=None
) -> list[Facet]:
    """The facets of /models/ and how many rows each choice would give: three grouped queries.

    `filterset` is the page's valid ModelFilter. A facet's own parameter is left out of its counts
    (choices within a facet are alternatives), except modalities, which must all hold. Status,
    modality and the capabilities come from one query: the rows the other filters leave, grouped by
    the combination of those five columns (a few hundred groups at most), each count then summed in
    Python over the groups its other facets allow (`facet_groups`, which also gives the row count:
    pass it as `groups` when the caller has it). Creators and providers are one grouped query each.
    With `counts=False` (very large results) no query runs: the fixed choices come without counts and
    creator and provider show only what is chosen. With `indexed` (the request over the catalog version's
    index, catalog.selectors.model_index) the same counts come from the index, without a query.
    """
    data = filterset.data
    if counts and indexed is not None:
        found = (groups or indexed.facet_groups()).counts
        creators = indexed.creator_counts()
    elif counts:
        found = (groups or facet_groups(filterset)).counts
        creators = [
            {"slug": slug, "name": name, "n": n}
            for slug, name, n in filterset.rows_without("creator")
            .values_list("creator_slug", "creator_name")
            .annotate(n=Count("*"))
            .order_by("-n", "creator_name", "creator_slug")  # two creators of one name: by slug
        ]
    else:
        found, creators = {}, []

    def count_of(key) -> int | None:
        return found.get(key, 0) if counts else None

    facets = []
    selected = set(data.getlist("status")) or {Status.CURRENT, Status.LEGACY}
    facets.append(
        Facet(
            "status",
            "Status",
            [
                FacetChoice(value, label, count_of(f"status__{value}"), value in selected)
                for value, label in Status.choices
            ],
        )
    )
    chosen = set(data.getlist("modality"))
    facets.append(
        Facet(
            "modality",
            "Takes input",
            [
                FacetChoice(value, label, count_of(f"modality__{value}"), value in chosen)
                for value, label in Modality.choices
            ],
        )
    )
    for name, label in CAPABILITY_FACETS:
        current = data.get(name)
        facets.append(
            Facet(
                name,
                label,
                [
                    FacetChoice(value, value.capitalize(), count_of(f"{name}__{value}"), current == value)
                    for value in ("yes", "no", "unknown")
                ],
            )
        )

    chosen = set(data.getlist("creator"))
    if not counts:
        creators = [
            {"slug": o.slug, "name": o.name, "n": None} for o in filterset.form.cleaned_data.get("creator") or []
        ]
    facets.append(_top(Facet("creator", "Creator"), creators, "slug", "name", chosen, limit))

    chosen = set(data.getlist("provider"))
    if counts and indexed is not None:
        providers = indexed.provider_counts()
    elif counts:
        providers = provider_counts(filterset.rows_without("provider").values_list("variant_id", flat=True))
    else:
        providers = [
            {"provider__slug": p.slug, "provider__name": p.name, "n": None}
            for p in filterset.form.cleaned_data.get("provider") or []
        ]
    facets.append(_top(Facet("provider", "Provider"), providers, "provider__slug", "provider__name", chosen, limit))
    return facets


@dataclass(frozen=True)
class ListedProviders:
    """Who lists each variant: {variant id: its providers' ids}, and each provider's (slug, name)."""

    by_variant: dict[int, tuple[int, ...]]
    names: dict[int, tuple[str, str]]
    name_order: dict[int, int]  # each provider's place by name, as the database orders them (its collation)


def listed_providers() -> ListedProviders:
    """Every variant's providers (listed offerings only), read once per catalog version (in chunks: at
    100k variants the map is about 15 MB, and the 300k pairs it is read from are never all in memory)."""
    by_variant: dict[int, list[int]] = {}
    pairs = Offering.objects.filter(listed=True).values_list("variant_id", "provider_id").order_by().distinct()
    for variant_id, provider_id in pairs.iterator(chunk_size=5000):
        by_variant.setdefault(variant_id, []).append(provider_id)
    providers = list(Provider.objects.order_by("name", "pk").values_list("pk", "slug", "name"))
    return ListedProviders(
        by_variant={variant: tuple(ids) for variant, ids in by_variant.items()},
        names={pk: (slug, name) for pk, slug, name in providers},
        name_order={pk: place for place, (pk, _, _) in enumerate(providers)},
    )


def provider_counts(variant_ids) -> list[dict]:
    """How many of these variants each provider lists, most first (then by name): the provider facet.

    The same counts as a grouped query over the offerings (COUNT(DISTINCT variant) per provider), but
    counted in Python over `listed_providers()`, kept once per catalog version: the grouped query was
    the page's costliest (a join of every matching variant's offerings, about 3.5 ms on the real data).
    """
    listed = once_per_version("models:listed-providers", listed_providers)
    counts: dict[int, int] = {}
    for variant_id in variant_ids:
        for provider_id in listed.by_variant.get(variant_id, ()):
            counts[provider_id] = counts.get(provider_id, 0) + 1
    ranked = sorted(counts, key=lambda pk: (-counts[pk], listed.name_order[pk]))
    return [
        {"provider__slug": listed.names[pk][0], "provider__name": listed.names[pk][1], "n": counts[pk]} for pk in ranked
    ]


@dataclass
class FacetGroups:
    counts: dict[str, int]  # "status__current", "modality__image", "tool_calling__yes"… → rows
    total: int  # the rows every filter leaves: the table's count


def facet_groups(filterset) -> FacetGroups:
    """The status, modality and capability counts and the row count, from one grouped query."""
    data = filterset.data
    statuses = set(data.getlist("status")) or set(filterset.DEFAULT_STATUS)
    modalities = set(data.getlist("modality"))
    wanted = {name: TRI_STATE_VALUES.get(data.get(name), ANY) for name, _ in CAPABILITY_FACETS}
    columns = ("status", "input_modalities", *wanted)
    groups = (
        filterset.rows_without("status", "modality", *wanted).values_list(*columns).annotate(n=Count("*")).order_by()
    )
    found: dict[str, int] = {}
    total = 0

    def add(key, n):
        found[key] = found.get(key, 0) + n

    for status, inputs, *capabilities, n in groups:
        misses = [
            name
            for name, value in zip(wanted, capabilities, strict=True)
            if wanted[name] is not ANY and value is not wanted[name]
        ]
        status_ok, modality_ok = status in statuses, modalities.issubset(inputs)
        if modality_ok and not misses:
            add(f"status__{status}", n)
        if not status_ok or not modality_ok:
            continue
        if not misses:
            total += n
            for modality in inputs:
                add(f"modality__{modality}", n)
        for name, value in zip(wanted, capabilities, strict=True):
            if not [m for m in misses if m != name]:
                add(f"{name}__{TRI_STATE_NAMES[value]}", n)
    return FacetGroups(found, total)


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
        Offering.objects.filter(variant__in=variants, listed=True)
        .select_related("provider")
        .order_by("provider__name", "model_id")
    ):
        offerings[offering.variant_id].append(offering)
    return variants, missing, offerings
