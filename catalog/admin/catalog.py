"""The catalog's own records: organizations, tags, families, variants, providers, offerings and family details.

One ModelAdmin per record kind, with its inlines and actions; past 400 lines because the six belong together
(their inlines cross: a family's variants, a variant's offerings). Shared behaviour lives in `curation.py`.

Changelists declare their joins (`list_select_related`) and annotate their counts in
`get_queryset()`, so the number of queries per page does not grow with the rows shown.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import ngettext

from ..fields import MODALITY_ORDER, Modality
from ..models import (
    Family,
    FamilyRelation,
    FamilyTag,
    FAQEntry,
    Offering,
    Organization,
    Provider,
    Source,
    Tag,
    Variant,
)
from ..models import Status as VariantStatus
from ..services import curation, variant_merge
from .curation import CurationAdmin, CurationHistoryAdmin, FieldLockInline
from .findings import quality_badge_context

# Filters ---------------------------------------------------------------------------------------


class InputModalityFilter(admin.SimpleListFilter):
    title = "input modality"
    parameter_name = "input_modality"

    def lookups(self, request, model_admin):
        return Modality.choices

    def queryset(self, request, queryset):
        value = self.value()
        if value in MODALITY_ORDER:
            # Stored in canonical order as "text,image"; no modality name is a substring of another.
            return queryset.filter(input_modalities__contains=value)
        return queryset


class ReleaseYearFilter(admin.SimpleListFilter):
    title = "release year"
    parameter_name = "release_year"

    def lookups(self, request, model_admin):
        years = Variant.objects.dates("release_date", "year", order="DESC")
        return [(str(day.year), str(day.year)) for day in years]

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(release_date__year=int(value))
        return queryset


# Organizations and tags ------------------------------------------------------------------------


@admin.register(Organization)
class OrganizationAdmin(CurationAdmin):
    list_display = ["name", "kind", "website"]
    list_filter = ["kind"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "slug"]
    list_filter = ["kind"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


# Families --------------------------------------------------------------------------------------


class FamilyTagInline(admin.TabularInline):
    model = FamilyTag
    fields = ["tag", "position"]
    autocomplete_fields = ["tag"]
    extra = 0

    def get_queryset(self, request):
        # Each row's label is str(obj), which follows these foreign keys.
        return super().get_queryset(request).select_related("family", "tag")


class FamilyRelationInline(admin.TabularInline):
    model = FamilyRelation
    fk_name = "family"
    fields = ["related", "note", "position"]
    autocomplete_fields = ["related"]
    extra = 0
    verbose_name = "related family"
    verbose_name_plural = "related families"

    def get_queryset(self, request):
        # Each row's label is str(obj), which follows these foreign keys.
        return super().get_queryset(request).select_related("family", "related")


class SourceInline(admin.TabularInline):
    model = Source
    fields = ["number", "title", "url", "publisher", "date_checked"]
    extra = 0


class VariantInline(admin.TabularInline):
    model = Variant
    fields = [
        "name",
        "slug",
        "position",
        "release_date",
        "release_precision",
        "context_window",
        "parameters",
        "status",
    ]
    show_change_link = True
    extra = 0


class FAQEntryInline(admin.StackedInline):
    model = FAQEntry
    fields = ["question", "answer", "position", "replaces"]
    extra = 0


@admin.register(Family)
class FamilyAdmin(CurationHistoryAdmin):
    list_display = ["name", "creator", "published", "variant_count", "updated_at"]
    list_filter = ["published", "creator", "tags"]
    list_select_related = ["creator"]
    search_fields = ["name", "slug", "creator__name"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["creator", "collaborators"]
    inlines = [FamilyTagInline, FamilyRelationInline, SourceInline, VariantInline, FAQEntryInline, FieldLockInline]
    bounded_inlines = {VariantInline: ("variants", "family__id__exact")}
    # Explicit: Django drops Meta.ordering from GROUP BY queries, and the count annotation groups,
    # so autocomplete pages would otherwise be unordered.
    ordering = ["name"]

    def get_queryset(self, request):
        # distinct: the tags filter joins a second multi-valued relation into the same query.
        return super().get_queryset(request).annotate(variant_count=Count("variants", distinct=True))

    @admin.display(description="variants", ordering="variant_count")
    def variant_count(self, obj):
        return obj.variant_count

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), **quality_badge_context(Family, object_id)}
        return super().change_view(request, object_id, form_url, extra_context)


# Variants --------------------------------------------------------------------------------------


class OfferingInline(admin.TabularInline):
    """Offerings under their variant or their provider; `other_side` is the foreign key shown."""

    model = Offering
    other_side = ""
    extra = 0

    def get_fields(self, request, obj=None):
        return [
            self.other_side,
            "model_id",
            "price_input",
            "price_output",
            "price_cache_read",
            "price_cache_write",
            "price_checked",
            "status",
        ]

    def get_autocomplete_fields(self, request):
        return [self.other_side]

    def get_queryset(self, request):
        # Each row's label is str(obj), which follows the provider.
        return super().get_queryset(request).select_related("provider")


class VariantOfferingInline(OfferingInline):
    other_side = "provider"


@admin.register(Variant)
class VariantAdmin(CurationHistoryAdmin):
    list_display = [
        "name",
        "family",
        "released",
        "context_window",
        "parameters",
        "input_modalities_display",
        "tool_calling",
        "reasoning",
        "structured_output",
        "open_weights",
        "status",
    ]
    list_filter = ["family", "status", InputModalityFilter, ReleaseYearFilter, "open_weights"]
    list_select_related = ["family", "replaced_by"]
    search_fields = ["name", "slug", "family__name", "base_model"]
    autocomplete_fields = ["family", "replaced_by"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [VariantOfferingInline, FieldLockInline]
    bounded_inlines = {VariantOfferingInline: ("offerings", "variant__id__exact")}
    actions = ["mark_legacy", "mark_current", "merge_variants"]
    fieldsets = [
        ("Identity", {"fields": ["family", "name", "slug", "position"]}),
        (
            "Release & lifecycle",
            {"fields": ["release_date", "release_precision", "status", "retirement_date", "replaced_by"]},
        ),
        ("Specs", {"fields": ["context_window", "max_output_tokens", "parameters", "active_parameters"]}),
        (
            "Modalities & capabilities",
            {
                "fields": [
                    ("input_modalities", "output_modalities"),
                    ("tool_calling", "reasoning", "structured_output", "open_weights"),
                ]
            },
        ),
        ("Notes", {"fields": ["base_model", "license", "knowledge_cutoff"]}),
    ]

    @admin.display(description="released", ordering="release_date")
    def released(self, obj):
        return obj.released_display

    @admin.display(description="input")
    def input_modalities_display(self, obj):
        return ", ".join(Modality(name).label for name in obj.input_modalities)

    def _set_status(self, request, queryset, status):
        variants = list(queryset)
        curation.set_variant_status(variants, status, request.user)  # writes only those that change
        updated = len(variants)
        self.message_user(
            request,
            ngettext(
                "%(count)d variant marked as %(status)s.",
                "%(count)d variants marked as %(status)s.",
                updated,
            )
            % {"count": updated, "status": VariantStatus(status).label.lower()},
            messages.SUCCESS,
        )

    @admin.action(description="Mark selected variants as legacy", permissions=["change"])
    def mark_legacy(self, request, queryset):
        self._set_status(request, queryset, VariantStatus.LEGACY)

    @admin.action(description="Mark selected variants as current", permissions=["change"])
    def mark_current(self, request, queryset):
        self._set_status(request, queryset, VariantStatus.CURRENT)

    @admin.action(description="Merge selected variants into one…", permissions=["change"])
    def merge_variants(self, request, queryset):
        variants = list(
            queryset.select_related("family")
            .annotate(offering_count=Count("offerings"))
            .order_by("-offering_count", "pk")
        )
        if len(variants) < 2:
            self.message_user(request, "Choose two or more variants to merge.", messages.WARNING)
            return None
        error = ""
        if "apply" in request.POST:
            keep = next((v for v in variants if str(v.pk) == request.POST.get("keep")), None)
            if keep is None:
                error = "Choose the variant to keep."
            else:
                try:
                    reports = [
                        variant_merge.merge_variants(keep, other, by=request.user)
                        for other in variants
                        if other.pk != keep.pk
                    ]
                except variant_merge.MergeError as problem:
                    error = str(problem)
                else:
                    moved = sum(r.offerings for r in reports)
                    self.message_user(
                        request,
                        f"Merged {len(reports)} variant{'s' if len(reports) != 1 else ''} "
                        f"into {keep}: {moved} offerings moved.",
                        messages.SUCCESS,
                    )
                    return redirect("admin:catalog_variant_change", keep.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Merge variants",
            "variants": variants,
            "error": error,
        }
        return TemplateResponse(request, "admin/catalog/variant/merge.html", context)

    def get_urls(self):
        return [
            path("<int:object_id>/split/", self.admin_site.admin_view(self.split_view), name="catalog_variant_split"),
            path("merge/", self.admin_site.admin_view(self.merge_view), name="catalog_variant_merge"),
            *super().get_urls(),
        ]

    def merge_view(self, request):
        """The merge form for the variants in `?ids=3,9,12` (a work-queue suggestion, the first one to keep);
        it posts to the changelist's merge action."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        ids = [int(pk) for pk in request.GET.get("ids", "").split(",") if pk.strip().isdigit()]
        found = {
            v.pk: v
            for v in Variant.objects.filter(pk__in=ids)
            .select_related("family")
            .annotate(offering_count=Count("offerings"))
        }
        variants = [found[pk] for pk in dict.fromkeys(ids) if pk in found]
        if len(variants) < 2:
            self.message_user(
                request, "Those variants are no longer there to merge (already merged?).", messages.WARNING
            )
            return redirect("admin:catalog_finding_queue")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Merge variants",
            "variants": variants,
            "error": "",
            "form_url": reverse("admin:catalog_variant_changelist"),
        }
        return TemplateResponse(request, "admin/catalog/variant/merge.html", context)

    def split_view(self, request, object_id):
        variant = Variant.objects.select_related("family").filter(pk=object_id).first()
        if variant is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, str(object_id))
        if not self.has_change_permission(request, variant):
            raise PermissionDenied
        offerings = list(variant.offerings.select_related("provider").order_by("provider__name", "model_id"))
        error, chosen = "", set()
        if request.method == "POST":
            chosen = {int(pk) for pk in request.POST.getlist("offering") if pk.isdigit()}
            try:
                new = variant_merge.split_variant(
                    variant,
                    [o for o in offerings if o.pk in chosen],
                    name=request.POST.get("name", ""),
                    slug=request.POST.get("slug", ""),
                    by=request.user,
                )
            except variant_merge.MergeError as problem:
                error = str(problem)
            else:
                self.message_user(request, f"Split {len(chosen)} offerings off {variant} into {new}.", messages.SUCCESS)
                return redirect("admin:catalog_variant_change", new.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Split {variant}",
            "variant": variant,
            "offerings": offerings,
            "chosen": chosen,
            "error": error,
            "name": request.POST.get("name", ""),
            "slug": request.POST.get("slug", ""),
        }
        return TemplateResponse(request, "admin/catalog/variant/split.html", context, status=400 if error else 200)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), **quality_badge_context(Variant, object_id)}
        if str(object_id).isdigit():
            extra_context["split_url"] = reverse("admin:catalog_variant_split", args=[object_id])
        return super().change_view(request, object_id, form_url, extra_context)


# Providers and offerings -----------------------------------------------------------------------


class ProviderOfferingInline(OfferingInline):
    other_side = "variant"


@admin.register(Provider)
class ProviderAdmin(CurationHistoryAdmin):
    list_display = ["name", "kind", "website", "offering_count"]
    list_filter = ["kind"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [ProviderOfferingInline, FieldLockInline]
    bounded_inlines = {ProviderOfferingInline: ("offerings", "provider__id__exact")}
    ordering = ["name"]  # see FamilyAdmin.ordering

    def get_queryset(self, request):
        return super().get_queryset(request).with_offering_counts()

    @admin.display(description="offerings", ordering="offering_count")
    def offering_count(self, obj):
        return obj.offering_count

    # Only a superuser deletes a provider that has offerings (curators may delete empty ones).
    def has_delete_permission(self, request, obj=None):
        if not super().has_delete_permission(request, obj):
            return False
        return obj is None or request.user.is_superuser or not obj.offerings.exists()

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        if not request.user.is_superuser:
            with_offerings = [p for p in objs if p.offerings.exists()]
            if with_offerings:
                perms_needed = set(perms_needed) | {
                    f"provider {p.name} (it has offerings: only a superuser may delete it)" for p in with_offerings
                }
        return deleted, counts, perms_needed, protected

    def delete_queryset(self, request, queryset):
        if not request.user.is_superuser and queryset.filter(offerings__isnull=False).exists():
            raise PermissionDenied("Only a superuser may delete a provider that has offerings.")
        super().delete_queryset(request, queryset)


@admin.register(Offering)
class OfferingAdmin(CurationHistoryAdmin):
    list_display = ["model_id", "provider", "variant", "price_input", "price_output", "status", "price_checked"]
    list_filter = ["provider", "status"]
    list_select_related = ["provider", "variant", "variant__family"]
    search_fields = ["model_id", "variant__name", "provider__name"]
    autocomplete_fields = ["provider", "variant"]


# Family details edited on their own ------------------------------------------------------------


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["title", "number", "family", "publisher", "date_checked"]
    list_select_related = ["family"]
    search_fields = ["title", "url", "publisher", "family__name"]
    autocomplete_fields = ["family"]


@admin.register(FAQEntry)
class FAQEntryAdmin(admin.ModelAdmin):
    list_display = ["question", "family", "replaces", "position"]
    list_filter = ["replaces"]
    list_select_related = ["family"]
    search_fields = ["question", "answer", "family__name"]
    autocomplete_fields = ["family"]


@admin.register(FamilyRelation)
class FamilyRelationAdmin(admin.ModelAdmin):
    list_display = ["family", "related", "note", "position"]
    list_select_related = ["family", "related"]
    search_fields = ["family__name", "related__name", "note"]
    autocomplete_fields = ["family", "related"]


@admin.register(FamilyTag)
class FamilyTagAdmin(admin.ModelAdmin):
    list_display = ["family", "tag", "position"]
    list_filter = ["tag__kind"]
    list_select_related = ["family", "tag"]
    search_fields = ["family__name", "tag__name"]
    autocomplete_fields = ["family", "tag"]
