"""The catalog's data and its rules: fields, constraints, indexes, clean() and cheap properties.

Reads live in `catalog.selectors`, writes in `catalog.services`.

One module, past 400 lines on purpose: Django's app layout, and the models read best side by side
(their relations, constraints and the choices they share); each model is one self-contained class.
"""

import re

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.urls import get_script_prefix, reverse
from simple_history.models import HistoricalRecords

from .fields import Modality, ModalitySetField

__all__ = [
    "Disagreement",
    "FieldLock",
    "ImportRun",
    "Listing",
    "PriceRecord",
    "FAQEntry",
    "Family",
    "FamilyRelation",
    "FamilyTag",
    "Modality",
    "ModelKind",
    "Offering",
    "OfferingKind",
    "Organization",
    "Provider",
    "Source",
    "Tag",
    "Variant",
    "VariantAlias",
]


class Timestamped(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class Imported(Timestamped):
    """Where a record came from. When a source last listed it is on its Listings."""

    origin = models.CharField(
        max_length=40,
        blank=True,
        help_text="The source that created the record: catalog, models.dev, litellm; blank: a curator.",
    )

    class Meta:
        abstract = True


class Organization(Imported):
    class Kind(models.TextChoices):
        COMPANY = "company", "Company"
        LAB = "lab", "Research lab"
        UNIVERSITY = "university", "University"
        PERSON = "person", "Person"
        COMMUNITY = "community", "Community"

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    kind = models.CharField(max_length=20, choices=Kind, default=Kind.COMPANY)
    website = models.URLField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Tag(models.Model):
    """A use case ("coding") or a strength ("structured outputs") a family is known for."""

    class Kind(models.TextChoices):
        USE_CASE = "use_case", "Use case"
        STRENGTH = "strength", "Strength"

    kind = models.CharField(max_length=20, choices=Kind)
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120)

    class Meta:
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "slug"], name="tag_unique_kind_slug"),
        ]

    def __str__(self):
        return f"{self.name} ({self.get_kind_display().lower()})"


class FamilyQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published=True)

    def with_creator(self):
        return self.select_related("creator")


class Family(Imported):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    creator = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="families")
    collaborators = models.ManyToManyField(Organization, blank=True, related_name="collaborations")
    about = models.TextField(
        blank=True,
        help_text="Markdown. Cite sources by number in brackets, e.g. [1][2]; they render as footnote links.",
    )
    tags = models.ManyToManyField(Tag, through="FamilyTag", blank=True, related_name="families")
    related = models.ManyToManyField(
        "self", through="FamilyRelation", symmetrical=False, blank=True, related_name="related_from"
    )
    license = models.CharField(max_length=200, blank=True)
    homepage = models.URLField(blank=True)
    repository = models.URLField(blank=True)
    published = models.BooleanField(default=True)

    objects = FamilyQuerySet.as_manager()
    history = HistoricalRecords()  # who changed what, when; the admin reverts from it

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "families"

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return _url_of("catalog:family-detail", family=self.slug)


class FamilyTag(models.Model):
    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="family_tags")
    tag = models.ForeignKey(Tag, on_delete=models.PROTECT, related_name="family_tags")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["family", "tag"], name="familytag_unique_family_tag"),
        ]

    def __str__(self):
        return f"{self.family}: {self.tag}"


class FamilyRelation(models.Model):
    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="relations")
    related = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="inbound_relations")
    note = models.CharField(max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["family", "related"], name="familyrelation_unique_pair"),
            models.CheckConstraint(condition=~Q(family=F("related")), name="familyrelation_not_self"),
        ]

    def __str__(self):
        return f"{self.family} → {self.related}"

    def clean(self):
        if self.family_id and self.family_id == self.related_id:
            raise ValidationError({"related": "A family cannot be related to itself."})


class Source(Timestamped):
    """A citation: the about text cites it as [number]."""

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="sources")
    number = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    title = models.CharField(max_length=300)
    url = models.URLField(max_length=500)
    publisher = models.CharField(max_length=200, blank=True)
    date_checked = models.DateField(
        null=True, blank=True, help_text="When a curator last confirmed the source says what we cite."
    )

    class Meta:
        ordering = ["family", "number"]
        constraints = [
            models.UniqueConstraint(fields=["family", "number"], name="source_unique_family_number"),
            models.CheckConstraint(condition=Q(number__gte=1), name="source_number_positive"),
        ]

    def __str__(self):
        return f"[{self.number}] {self.title}"


class Status(models.TextChoices):
    CURRENT = "current", "Current"
    LEGACY = "legacy", "Legacy"
    DEPRECATED = "deprecated", "Deprecated"
    RETIRED = "retired", "Retired"
    # No current offering lists it any more (set by imports; a curator status wins over it).
    UNLISTED = "unlisted", "No longer listed"


class ModelKind(models.TextChoices):
    """What a model does: keeps unlike models apart in families, tables and the chooser."""

    CHAT = "chat", "Chat"
    EMBEDDING = "embedding", "Embedding"
    SPEECH = "speech", "Speech to text"
    TTS = "tts", "Text to speech"
    IMAGE = "image", "Image generation"
    VIDEO = "video", "Video generation"
    RERANK = "rerank", "Rerank"
    MODERATION = "moderation", "Moderation"
    # A moving alias (`*-latest`) or a router (`openrouter/auto`): listed, never ranked as a model.
    ROUTER = "router", "Router or alias"


class OfferingKind(models.TextChoices):
    """How an offering is sold. Only pay-per-token prices are prices."""

    PAY_PER_TOKEN = "pay_per_token", "Pay per token"
    SUBSCRIPTION = "subscription", "Subscription"
    FREE_TIER = "free_tier", "Free tier"
    SELF_HOSTED = "self_hosted", "Self-hosted runtime"
    ROUTER = "router", "Router"


class DatePrecision(models.TextChoices):
    YEAR = "year", "Year"
    MONTH = "month", "Month"
    DAY = "day", "Day"


class VariantQuerySet(models.QuerySet):
    def listed(self):
        """Variants visitors see by default: current and legacy, of published families."""
        return self.filter(status__in=[Status.CURRENT, Status.LEGACY], family__published=True)

    def with_family(self):
        return self.select_related("family", "family__creator", "replaced_by", "replaced_by__family")


partial_date_validator = RegexValidator(r"^\d{4}(-\d{2}(-\d{2})?)?$", "Use YYYY, YYYY-MM or YYYY-MM-DD.")


class Variant(Imported):
    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="variants")
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200)
    position = models.PositiveSmallIntegerField(default=0, help_text="Order within the family's tables.")
    release_date = models.DateField(null=True, blank=True)
    release_precision = models.CharField(
        max_length=5,
        choices=DatePrecision,
        default=DatePrecision.DAY,
        help_text="How much of the release date is known; 2023-04 is month precision.",
    )
    context_window = models.PositiveIntegerField(null=True, blank=True, help_text="Tokens.")
    max_output_tokens = models.PositiveIntegerField(null=True, blank=True)
    parameters = models.PositiveBigIntegerField(null=True, blank=True, help_text="Total parameters.")
    active_parameters = models.PositiveBigIntegerField(
        null=True, blank=True, help_text="Active parameters per token, for mixture-of-experts models."
    )
    input_modalities = ModalitySetField(help_text="None ticked means unknown.")
    output_modalities = ModalitySetField(help_text="None ticked means unknown.")
    tool_calling = models.BooleanField(null=True, blank=True)
    reasoning = models.BooleanField(null=True, blank=True)
    structured_output = models.BooleanField(null=True, blank=True)
    open_weights = models.BooleanField(null=True, blank=True)
    base_model = models.CharField(max_length=200, blank=True)
    kind = models.CharField(max_length=12, choices=ModelKind, default=ModelKind.CHAT, db_index=True)
    points_to = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="aliased_by",
        help_text="For a router or moving alias: the model it currently resolves to, where known.",
    )
    parameters_source = models.CharField(
        max_length=40,
        blank=True,
        help_text="Where the parameter count comes from: a source name, 'name' (derived from the id), or 'curator'.",
    )
    knowledge_cutoff = models.CharField(max_length=10, blank=True, validators=[partial_date_validator])
    license = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=12, choices=Status, default=Status.CURRENT)
    retirement_date = models.DateField(null=True, blank=True)
    replaced_by = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="replaces")
    match_key = models.CharField(
        max_length=200,
        blank=True,
        help_text="Normalized model id that imports match offerings on (claude-opus-4-1); blank: match by slug only.",
    )
    # The offer summary, kept by catalog.services.summaries so tables filter and sort on plain columns.
    provider_count = models.PositiveIntegerField(default=0, editable=False)
    price_in_min = models.DecimalField(max_digits=12, decimal_places=6, null=True, blank=True, editable=False)
    price_out_min = models.DecimalField(max_digits=12, decimal_places=6, null=True, blank=True, editable=False)

    objects = VariantQuerySet.as_manager()
    # Who changed what, when; the admin reverts from it. Derived summaries stay as they are on a revert.
    history = HistoricalRecords(excluded_fields=["provider_count", "price_in_min", "price_out_min"])

    class Meta:
        ordering = ["family", "position", "release_date", "name"]
        constraints = [
            models.UniqueConstraint(fields=["family", "slug"], name="variant_unique_family_slug"),
            models.CheckConstraint(condition=~Q(replaced_by=F("id")), name="variant_not_replaced_by_self"),
            models.CheckConstraint(
                condition=Q(context_window__gt=0) | Q(context_window__isnull=True),
                name="variant_context_window_positive",
            ),
            models.CheckConstraint(
                condition=Q(active_parameters__isnull=True)
                | Q(parameters__isnull=True)
                | Q(active_parameters__lte=F("parameters")),
                name="variant_active_parameters_within_total",
            ),
            models.CheckConstraint(
                condition=Q(release_date__isnull=False) | Q(release_precision="day"),
                name="variant_precision_needs_date",
            ),
            models.UniqueConstraint(fields=["match_key"], condition=~Q(match_key=""), name="variant_unique_match_key"),
        ]
        indexes = [
            models.Index(fields=["status", "release_date"], name="variant_status_released_idx"),
            models.Index(fields=["context_window"], name="variant_context_idx"),
            models.Index(fields=["parameters"], name="variant_parameters_idx"),
            models.Index(fields=["release_date"], name="variant_released_idx"),
            models.Index(fields=["name"], name="variant_name_idx"),
            models.Index(fields=["price_in_min"], name="variant_price_in_min_idx"),
            models.Index(fields=["price_out_min"], name="variant_price_out_min_idx"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return _url_of("catalog:variant-detail", family=self.family.slug, variant=self.slug)

    def clean(self):
        errors = {}
        if self.replaced_by_id and self.pk and self.replaced_by_id == self.pk:
            errors["replaced_by"] = "A variant cannot replace itself."
        if self.release_date is None and self.release_precision != DatePrecision.DAY:
            errors["release_precision"] = "A precision needs a release date."
        if self.active_parameters and self.parameters and self.active_parameters > self.parameters:
            errors["active_parameters"] = "Active parameters cannot exceed total parameters."
        if self.status == Status.RETIRED and self.retirement_date is None:
            errors["retirement_date"] = "A retired variant needs its retirement date."
        if errors:
            raise ValidationError(errors)

    @property
    def released_display(self) -> str:
        if self.release_date is None:
            return ""
        formats = {DatePrecision.YEAR: "%Y", DatePrecision.MONTH: "%Y-%m", DatePrecision.DAY: "%Y-%m-%d"}
        return self.release_date.strftime(formats[self.release_precision])

    @property
    def release_month(self) -> str:
        """The release month as YYYY-MM, or the year for year precision; "" when unknown."""
        if self.release_date is None:
            return ""
        if self.release_precision == DatePrecision.YEAR:
            return self.release_date.strftime("%Y")
        return self.release_date.strftime("%Y-%m")

    @property
    def has_vision(self) -> bool | None:
        if not self.input_modalities:
            return None
        return Modality.IMAGE in self.input_modalities

    @property
    def is_multimodal(self) -> bool | None:
        if not self.input_modalities:
            return None
        return len(self.input_modalities) > 1


_URL_TEMPLATES: dict[tuple, str] = {}
_SLUG = re.compile(r"[-a-zA-Z0-9_]+")


def url_template(name: str, *parts: str) -> str:
    """The URL `name` with `{part}` placeholders for its slugs, reversed once per name and script prefix."""
    key = (name, get_script_prefix())
    template = _URL_TEMPLATES.get(key)
    if template is None:
        template = reverse(name, kwargs={part: f"--{part}--" for part in parts})
        for part in parts:
            template = template.replace(f"--{part}--", "{" + part + "}")
        template = _URL_TEMPLATES[key] = template
    return template


def is_slug(value: str) -> bool:
    return bool(_SLUG.fullmatch(value))


def _url_of(name: str, **slugs: str) -> str:
    """reverse() for slug-only URLs, at the cost of a format: a page of 50 rows links 150 times. The
    template is reversed once per URL name and script prefix (placeholders then filled in)."""
    if not all(_SLUG.fullmatch(slug) for slug in slugs.values()):
        return reverse(name, kwargs=slugs)  # what the <slug:> converter refuses fails as before
    return url_template(name, *slugs).format(**slugs)


class FamilyRef:
    """A table row's family as templates and columns read it (slug, name, creator, URL), without a query."""

    __slots__ = ("slug", "name", "creator")

    def __init__(self, slug: str, name: str, creator):
        self.slug, self.name, self.creator = slug, name, creator

    def get_absolute_url(self):
        return _url_of("catalog:family-detail", family=self.slug)


class CreatorRef:
    __slots__ = ("slug", "name")

    def __init__(self, slug: str, name: str):
        self.slug, self.name = slug, name


class VariantRow(models.Model):
    """One row of /models/: a variant with its family, creator and offer summary in one narrow table.

    Derived, never edited: catalog.services.summaries rebuilds it wherever it refreshes the offer
    summaries (the end of every import) and after single saves of variants, families, creators and
    offerings (signals). The spec table filters, sorts, counts its facets and exports from it without
    a join. Reads it like a Variant: `row.family.slug`, `row.get_absolute_url()`, `row.released_display`.
    """

    variant = models.OneToOneField(Variant, on_delete=models.CASCADE, primary_key=True, related_name="table_row")
    published = models.BooleanField()
    family_slug = models.SlugField(max_length=200, db_index=False)
    family_name = models.CharField(max_length=200)
    creator_slug = models.SlugField(max_length=200, db_index=False)
    creator_name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, db_index=False)
    name = models.CharField(max_length=200)
    position = models.PositiveSmallIntegerField()
    release_date = models.DateField(null=True)
    release_precision = models.CharField(max_length=5, choices=DatePrecision)
    context_window = models.PositiveIntegerField(null=True)
    max_output_tokens = models.PositiveIntegerField(null=True)
    parameters = models.PositiveBigIntegerField(null=True)
    active_parameters = models.PositiveBigIntegerField(null=True)
    input_modalities = ModalitySetField()
    output_modalities = ModalitySetField()
    tool_calling = models.BooleanField(null=True)
    reasoning = models.BooleanField(null=True)
    structured_output = models.BooleanField(null=True)
    open_weights = models.BooleanField(null=True)
    kind = models.CharField(max_length=12, choices=ModelKind)
    status = models.CharField(max_length=12, choices=Status)
    provider_count = models.PositiveIntegerField()
    price_in_min = models.DecimalField(max_digits=12, decimal_places=6, null=True)
    price_out_min = models.DecimalField(max_digits=12, decimal_places=6, null=True)

    # The columns copied from each table, in the order of the fields above (summaries.refresh_rows).
    FROM_VARIANT = (
        "slug",
        "name",
        "position",
        "release_date",
        "release_precision",
        "context_window",
        "max_output_tokens",
        "parameters",
        "active_parameters",
        "input_modalities",
        "output_modalities",
        "tool_calling",
        "reasoning",
        "structured_output",
        "open_weights",
        "kind",
        "status",
        "provider_count",
        "price_in_min",
        "price_out_min",
    )

    class Meta:
        # The default sort (newest first, unknown dates last), the price and context sorts, each with the
        # table's tie-break, so a page of 50 reads an index in order instead of sorting every row. SQLite
        # takes no NULLS LAST in an index, but its DESC order puts NULLs last and its ASC first; PostgreSQL's
        # is the other way round, so migration 0007 adds the DESC … NULLS LAST ones there.
        indexes = [
            models.Index(
                F("release_date").desc(), "family_name", "position", "name", "variant", name="row_released_idx"
            ),
            models.Index(
                F("context_window").desc(), "family_name", "position", "name", "variant", name="row_context_idx"
            ),
            models.Index(
                fields=["price_in_min", "family_name", "position", "name", "variant"], name="row_price_in_idx"
            ),
            models.Index(fields=["family_name", "position", "name", "variant"], name="row_family_idx"),
            models.Index(fields=["family_slug"], name="row_family_slug_idx"),
            # Covers the facet queries (catalog.selectors.tables.facet_groups, the creators, the providers'
            # subquery) for the common filters: the counts read this index alone, never the table.
            models.Index(
                fields=[
                    "published",
                    "status",
                    "input_modalities",
                    "tool_calling",
                    "reasoning",
                    "structured_output",
                    "open_weights",
                    "context_window",
                    "price_in_min",
                    "creator_slug",
                    "creator_name",
                ],
                name="row_facets_idx",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return _url_of("catalog:variant-detail", family=self.family_slug, variant=self.slug)

    @property
    def family(self) -> FamilyRef:
        return FamilyRef(self.family_slug, self.family_name, CreatorRef(self.creator_slug, self.creator_name))

    released_display = Variant.released_display
    release_month = Variant.release_month


class ProviderQuerySet(models.QuerySet):
    def with_offering_counts(self):
        return self.annotate(offering_count=models.Count("offerings", distinct=True))


class Provider(Imported):
    class Kind(models.TextChoices):
        API = "api", "API"
        CLOUD = "cloud", "Cloud platform"
        LOCAL = "local", "Local runtime"

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    kind = models.CharField(max_length=10, choices=Kind, default=Kind.API)
    website = models.URLField(blank=True)
    docs_url = models.URLField(blank=True)
    api_base_url = models.URLField(blank=True)

    objects = ProviderQuerySet.as_manager()
    history = HistoricalRecords()  # who changed what, when; the admin reverts from it

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return _url_of("catalog:provider-detail", provider=self.slug)


PRICE_FIELD_NAMES = ("price_input", "price_output", "price_cache_read", "price_cache_write")

price_field_kwargs = {
    "max_digits": 12,
    "decimal_places": 6,
    "null": True,
    "blank": True,
    "validators": [MinValueValidator(0)],
}


class Offering(Imported):
    """A variant as one provider serves it. Prices are USD per million tokens."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        PREVIEW = "preview", "Preview"
        DEPRECATED = "deprecated", "Deprecated"
        RETIRED = "retired", "Retired"

    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="offerings")
    variant = models.ForeignKey(Variant, on_delete=models.CASCADE, related_name="offerings")
    model_id = models.CharField(max_length=300, help_text="The provider's own id for the model.")
    price_input = models.DecimalField("input price", **price_field_kwargs)
    price_output = models.DecimalField("output price", **price_field_kwargs)
    price_cache_read = models.DecimalField("cached input price", **price_field_kwargs)
    price_cache_write = models.DecimalField("cache write price", **price_field_kwargs)
    price_checked = models.DateField(null=True, blank=True, help_text="When the prices were last confirmed.")
    context_window = models.PositiveIntegerField(null=True, blank=True)
    max_output_tokens = models.PositiveIntegerField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status, default=Status.ACTIVE)
    kind = models.CharField(max_length=16, choices=OfferingKind, default=OfferingKind.PAY_PER_TOKEN, db_index=True)
    url = models.URLField(max_length=500, blank=True, help_text="The provider's page for this model.")
    first_seen = models.DateTimeField(null=True, blank=True)
    listed = models.BooleanField(default=True, help_text="False once no source lists it any more; never deleted.")
    delisted_at = models.DateTimeField(null=True, blank=True)

    # Who changed what, when; the admin reverts from it. What imports observe stays as it is on a revert.
    history = HistoricalRecords(excluded_fields=["first_seen", "listed", "delisted_at"])

    class Meta:
        ordering = ["provider__name", "model_id"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "model_id"], name="offering_unique_provider_model_id"),
            *[
                models.CheckConstraint(
                    condition=Q(**{f"{name}__gte": 0}) | Q(**{f"{name}__isnull": True}),
                    name=f"offering_{name}_not_negative",
                )
                for name in PRICE_FIELD_NAMES
            ],
        ]
        indexes = [
            # A variant's offerings by input price, and (covering) every column the chooser's per-variant
            # cheapest-offering and "is priced" subqueries read: they need not visit the table.
            models.Index(
                fields=["variant", "price_input", "kind", "price_output", "listed", "status", "context_window"],
                name="offering_variant_prices_idx",
            ),
            models.Index(fields=["price_input"], name="offering_price_input_idx"),
            models.Index(fields=["price_output"], name="offering_price_output_idx"),
        ]

    def __str__(self):
        return f"{self.model_id} at {self.provider}"

    @property
    def is_priced(self) -> bool:
        return self.price_input is not None and self.price_output is not None


class FAQEntry(Timestamped):
    """A curator-written question on a family; it may replace a generated one."""

    class Replaces(models.TextChoices):
        USED_FOR = "used_for", "What is <family> used for?"
        COMPARE = "compare", "How does <family> compare to <related>?"
        WHICH_MODEL = "which_model", "Which <family> model should I use?"

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="faq_entries")
    question = models.CharField(max_length=300)
    answer = models.TextField(help_text="Markdown.")
    position = models.PositiveSmallIntegerField(default=0)
    replaces = models.CharField(
        max_length=20, choices=Replaces, blank=True, help_text="Show this instead of a generated question."
    )

    class Meta:
        ordering = ["family", "position", "id"]
        verbose_name = "FAQ entry"
        verbose_name_plural = "FAQ entries"
        constraints = [
            models.UniqueConstraint(
                fields=["family", "replaces"], condition=~Q(replaces=""), name="faqentry_one_replacement_per_key"
            ),
        ]

    def __str__(self):
        return self.question


# --- Imports: runs, what each source lists, curator locks, price history, disagreements -----


class ImportRun(models.Model):
    """One run of an importer: what it read, when, and what it did."""

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"
        DRY_RUN = "dry_run", "Dry run (nothing written)"

    source = models.CharField(max_length=40)
    dataset = models.CharField(max_length=500, help_text="File path or package and version.")
    dataset_version = models.CharField(max_length=100, blank=True)
    dataset_hash = models.CharField(max_length=64, blank=True, help_text="SHA-256 of the bytes read.")
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status, default=Status.RUNNING)
    counts = models.JSONField(default=dict, blank=True)
    notes = models.JSONField(default=list, blank=True, help_text="Kept curator values, ambiguous matches, skips.")
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["source", "-started_at"], name="importrun_source_started_idx")]

    def __str__(self):
        return f"{self.source} {self.started_at:%Y-%m-%d %H:%M} ({self.get_status_display()})"


class Listing(models.Model):
    """What one source says about one offering, as it last said it."""

    class Match(models.TextChoices):
        EXACT = "exact", "Exact id"
        NORMALIZED = "normalized", "Normalized id"
        NEW = "new", "Made a new variant"
        AMBIGUOUS = "ambiguous", "Ambiguous: review"

    source = models.CharField(max_length=40)
    key = models.CharField(max_length=400, help_text="The record's key in the source (provider/model id).")
    offering = models.ForeignKey(Offering, on_delete=models.CASCADE, related_name="listings")
    values = models.JSONField(default=dict, help_text="The values the source gave, normalized to catalog units.")
    match = models.CharField(max_length=12, choices=Match, default=Match.EXACT)
    match_note = models.CharField(max_length=300, blank=True)
    listed = models.BooleanField(default=True, help_text="False once the source stopped listing it.")
    first_seen_at = models.DateTimeField()
    changed_at = models.DateTimeField(help_text="When the source's values last changed.")
    delisted_at = models.DateTimeField(null=True, blank=True)
    last_run = models.ForeignKey(
        ImportRun,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The run that last changed this listing. Every later successful run of the source saw it too.",
    )

    class Meta:
        ordering = ["source", "key"]
        constraints = [models.UniqueConstraint(fields=["source", "key"], name="listing_unique_source_key")]
        indexes = [models.Index(fields=["match"], name="listing_match_idx")]

    def __str__(self):
        return f"{self.source}: {self.key}"


class FieldLock(models.Model):
    """A field a curator set by hand: imports keep it and report what the source says instead."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    field = models.CharField(max_length=100)
    value = models.JSONField(null=True, blank=True, help_text="The curator's value when the lock was taken.")
    locked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    locked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-locked_at"]
        constraints = [
            models.UniqueConstraint(fields=["content_type", "object_id", "field"], name="fieldlock_unique_field"),
        ]

    def __str__(self):
        return f"{self.content_type.model} #{self.object_id}: {self.field}"


class PriceRecord(models.Model):
    """A price an offering held, and from when to when (valid_to is null for the current one)."""

    offering = models.ForeignKey(Offering, on_delete=models.CASCADE, related_name="price_history")
    price_input = models.DecimalField(**price_field_kwargs)
    price_output = models.DecimalField(**price_field_kwargs)
    price_cache_read = models.DecimalField(**price_field_kwargs)
    price_cache_write = models.DecimalField(**price_field_kwargs)
    valid_from = models.DateTimeField()
    valid_to = models.DateTimeField(null=True, blank=True)
    source = models.CharField(max_length=40, blank=True)
    recorded_at = models.DateTimeField(
        null=True, blank=True, help_text="When the import or curator recorded it (valid_from is the source's date)."
    )

    class Meta:
        ordering = ["offering", "valid_from"]
        indexes = [models.Index(fields=["offering", "valid_from"], name="pricerecord_offering_from_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")), name="pricerecord_valid_range"
            ),
            models.UniqueConstraint(
                fields=["offering"], condition=Q(valid_to__isnull=True), name="pricerecord_one_current_per_offering"
            ),
        ]

    def __str__(self):
        return f"{self.offering} from {self.valid_from:%Y-%m-%d}"


class VariantAlias(models.Model):
    """An id that names a variant: imports resolve it before any normalization rule. Curators edit them."""

    alias = models.CharField(max_length=300, unique=True, help_text="A normalized model id (claude-opus-4-6).")
    variant = models.ForeignKey(Variant, on_delete=models.CASCADE, related_name="aliases")
    source = models.CharField(max_length=40, blank=True, help_text="Blank: added by a curator.")
    note = models.CharField(max_length=300, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["alias"]
        verbose_name_plural = "variant aliases"

    def __str__(self):
        return f"{self.alias} → {self.variant}"


class Disagreement(models.Model):
    """Two sources give different values for the same field of the same offering."""

    offering = models.ForeignKey(Offering, on_delete=models.CASCADE, related_name="disagreements")
    field = models.CharField(max_length=60)
    values = models.JSONField(help_text="{source: value}")
    detected_at = models.DateTimeField()

    class Meta:
        ordering = ["offering", "field"]
        constraints = [models.UniqueConstraint(fields=["offering", "field"], name="disagreement_unique_field")]

    def __str__(self):
        return f"{self.offering}: {self.field}"


# --- Data quality: what the checks in catalog/services/quality/ found ----------------------


class Finding(models.Model):
    """One problem a data-quality rule found, kept so that curators can dismiss it with a reason.

    `subject` names what the rule looked at ("variant:12", "offering:7:price_input"); a rule finds
    each subject at most once. `fingerprint` is a hash of the data the rule judged: a dismissal
    remembers it, and the finding stays dismissed while that data stays the same.
    """

    class Severity(models.IntegerChoices):
        INFO = 10, "Info"
        WARNING = 20, "Warning"
        ERROR = 30, "Error"

    class State(models.TextChoices):
        OPEN = "open", "Open"
        DISMISSED = "dismissed", "Dismissed"
        RESOLVED = "resolved", "Resolved"

    rule = models.CharField(max_length=60)
    severity = models.PositiveSmallIntegerField(choices=Severity)
    subject = models.CharField(max_length=200)
    family = models.ForeignKey(Family, on_delete=models.CASCADE, null=True, blank=True, related_name="findings")
    variant = models.ForeignKey(Variant, on_delete=models.CASCADE, null=True, blank=True, related_name="findings")
    offering = models.ForeignKey(Offering, on_delete=models.CASCADE, null=True, blank=True, related_name="findings")
    message = models.TextField()
    public_note = models.CharField(
        max_length=300, blank=True, help_text="What visitors read on the public page while the finding is open."
    )
    fix_url = models.CharField(max_length=500, blank=True, help_text="The admin page where a curator fixes it.")
    fingerprint = models.CharField(max_length=64)
    state = models.CharField(max_length=10, choices=State, default=State.OPEN)
    first_seen_at = models.DateTimeField()
    changed_at = models.DateTimeField(help_text="When the rule last found different data.")
    resolved_at = models.DateTimeField(null=True, blank=True)
    dismissed_reason = models.TextField(blank=True)
    dismissed_fingerprint = models.CharField(max_length=64, blank=True)
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    dismissed_at = models.DateTimeField(null=True, blank=True)
    suggestion = models.JSONField(
        null=True,
        blank=True,
        help_text='One curator action that fixes it, e.g. {"action": "attribute", "creator": "meta"} or '
        '{"action": "merge", "variants": [3, 9]}; the work queue groups findings by it.',
    )

    class Meta:
        ordering = ["-severity", "rule", "subject"]
        constraints = [
            models.UniqueConstraint(fields=["rule", "subject"], name="finding_unique_rule_subject"),
            models.CheckConstraint(
                condition=~Q(state="dismissed") | ~Q(dismissed_reason=""), name="finding_dismissal_has_reason"
            ),
        ]
        indexes = [
            models.Index(fields=["state", "-severity"], name="finding_state_severity_idx"),
            models.Index(fields=["family", "state"], name="finding_family_state_idx"),
            models.Index(fields=["variant", "state"], name="finding_variant_state_idx"),
        ]

    def __str__(self):
        return f"{self.rule}: {self.subject}"


__all__ += ["Finding"]  # kept beside the model it names


class CuratorVisit(models.Model):
    """When a curator last marked the work queue as seen: "since your last visit" starts there, whatever the browser."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="curator_visit")
    seen_at = models.DateTimeField()

    def __str__(self):
        return f"{self.user} saw the work queue at {self.seen_at:%Y-%m-%d %H:%M}"


# CuratorVisit stays out of __all__ (the catalog's data, each with an admin): it is the queue's bookkeeping per
# user, written by the work queue's "Mark as seen" only, with nothing for a curator to browse or edit.
