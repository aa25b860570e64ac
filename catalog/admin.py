"""The curation admin: every catalog model, with the joins, inlines and bulk edits daily work needs.

Changelists declare their joins (`list_select_related`) and annotate their counts in
`get_queryset()`, so the number of queries per page does not grow with the rows shown.
"""

from django.contrib import admin, messages
from django.contrib.contenttypes.admin import GenericTabularInline
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from .fields import MODALITY_ORDER, Modality
from .models import (
    Disagreement,
    Family,
    FamilyRelation,
    FamilyTag,
    FAQEntry,
    FieldLock,
    ImportRun,
    Listing,
    Offering,
    Organization,
    PriceRecord,
    Provider,
    Source,
    Tag,
    Variant,
    VariantAlias,
)
from .models import Status as VariantStatus
from .services import curation

# Curation: locks and price history follow every save ---------------------------------------------

INLINE_ROW_LIMIT = 100


class FieldLockInline(GenericTabularInline):
    """The fields a curator locked on this record. Delete a row to release its lock."""

    model = FieldLock
    fields = ["field", "value", "locked_by", "locked_at"]
    readonly_fields = fields
    extra = 0
    can_delete = True
    verbose_name = "curator lock (delete to let imports update the field again)"
    verbose_name_plural = "curator locks (imports keep these fields; delete a row to release it)"

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("locked_by")


class CurationAdmin(admin.ModelAdmin):
    """Locks the fields a curator changes and keeps price history, for the form and its inlines.

    Inlines listed in `bounded_inlines` are left out of the form when the parent has more than
    INLINE_ROW_LIMIT rows of them (the form would be too large to use or to post); the change form
    then links to the filtered changelist instead.
    """

    bounded_inlines: dict = {}

    def save_model(self, request, obj, form, change):
        previous = {name: form.initial.get(name) for name in form.changed_data}
        super().save_model(request, obj, form, change)
        curation.record_curator_edit(obj, form.changed_data, request.user, created=not change, previous=previous)

    def save_formset(self, request, form, formset, change):
        new_or_changed = [
            (f, {name: f.initial.get(name) for name in f.changed_data}, f.instance.pk is None)
            for f in formset.forms
            if f.has_changed() and not (formset.can_delete and formset._should_delete_form(f))
        ]
        super().save_formset(request, form, formset, change)
        for inline_form, previous, created in new_or_changed:
            if inline_form.instance.pk:
                curation.record_curator_edit(inline_form.instance, inline_form.changed_data, request.user,
                                             created=created, previous=previous)

    def get_inline_instances(self, request, obj=None):
        instances = super().get_inline_instances(request, obj)
        if obj is None:
            return instances
        too_big = {inline for inline, (related, _) in self.bounded_inlines.items()
                   if getattr(obj, related).count() > INLINE_ROW_LIMIT}
        return [inline for inline in instances if type(inline) not in too_big]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        obj = self.get_object(request, object_id)
        links = []
        for inline, (related, lookup) in self.bounded_inlines.items():
            count = getattr(obj, related).count() if obj is not None else 0
            if count > INLINE_ROW_LIMIT:
                changelist = reverse(f"admin:catalog_{inline.model._meta.model_name}_changelist")
                links.append((inline.model._meta.verbose_name_plural, count, f"{changelist}?{lookup}={obj.pk}"))
        extra_context["bounded_links"] = links
        return super().change_view(request, object_id, form_url, extra_context)


class CurationHistoryAdmin(SimpleHistoryAdmin, CurationAdmin):
    """CurationAdmin with django-simple-history: a History page (who changed what, when) and Revert.

    A revert saves like a curator's edit: the fields it changes are locked against imports and a
    price it changes is kept in the price history. Its form starts from the old values, so the
    change is measured against the record as it is now, not against the form.
    """

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        request._catalog_revert = True
        return super().history_form_view(request, object_id, version_id, extra_context)

    def save_model(self, request, obj, form, change):
        if not (change and getattr(request, "_catalog_revert", False)):
            return super().save_model(request, obj, form, change)
        current = type(obj)._default_manager.get(pk=obj.pk)
        changed = [f.name for f in obj._meta.concrete_fields
                   if f.editable and not f.primary_key and getattr(current, f.attname) != getattr(obj, f.attname)]
        previous = {name: getattr(current, name) for name in changed}
        obj._history_user = request.user
        admin.ModelAdmin.save_model(self, request, obj, form, change)
        curation.record_curator_edit(obj, changed, request.user, created=False, previous=previous)


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
        return [self.other_side, "model_id", "price_input", "price_output", "price_cache_read", "price_cache_write",
                "price_checked", "status"]

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
    actions = ["mark_legacy", "mark_current"]
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
        updated = queryset.update(status=status, updated_at=timezone.now())
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

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), **quality_badge_context(Variant, object_id)}
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


# Imports: runs, listings, price history, disagreements, locks ----------------------------------


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    list_display = ["started_at", "source", "status", "dataset_version", "duration", "note_count"]
    list_filter = ["source", "status"]
    readonly_fields = ["source", "dataset", "dataset_version", "dataset_hash", "started_at", "finished_at", "status",
                       "counts", "notes_text", "error"]
    exclude = ["notes"]
    date_hierarchy = "started_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="duration")
    def duration(self, obj):
        if obj.finished_at is None:
            return "—"
        return f"{(obj.finished_at - obj.started_at).total_seconds():.1f} s"

    @admin.display(description="notes")
    def note_count(self, obj):
        return len(obj.notes)

    @admin.display(description="notes (kept curator values, ambiguous matches, skips)")
    def notes_text(self, obj):
        return "\n".join(obj.notes) or "—"


@admin.register(Listing)
class ListingAdmin(admin.ModelAdmin):
    """What each source says about each offering; ambiguous matches are here for review."""

    list_display = ["key", "source", "offering", "match", "match_note", "listed", "changed_at"]
    list_filter = ["source", "match", "listed"]
    list_select_related = ["offering", "offering__provider"]
    search_fields = ["key", "offering__model_id", "offering__variant__name"]
    readonly_fields = ["source", "key", "offering", "values", "match", "match_note", "listed", "first_seen_at",
                       "changed_at", "delisted_at", "last_run"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(VariantAlias)
class VariantAliasAdmin(admin.ModelAdmin):
    """Ids that name a variant: imports resolve them first. Move an alias to re-point every later import."""

    list_display = ["alias", "variant", "source", "note", "created"]
    list_filter = ["source"]
    list_select_related = ["variant", "variant__family"]
    search_fields = ["alias", "variant__name", "variant__slug"]
    autocomplete_fields = ["variant"]


@admin.register(PriceRecord)
class PriceRecordAdmin(admin.ModelAdmin):
    list_display = ["offering", "price_input", "price_output", "price_cache_read", "valid_from", "valid_to", "source"]
    list_filter = ["source"]
    list_select_related = ["offering", "offering__provider"]
    search_fields = ["offering__model_id", "offering__provider__name"]
    date_hierarchy = "valid_from"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Disagreement)
class DisagreementAdmin(admin.ModelAdmin):
    """Fields where two sources give different values for the same offering."""

    list_display = ["offering", "field", "values_text", "detected_at"]
    list_filter = ["field"]
    list_select_related = ["offering", "offering__provider"]
    search_fields = ["offering__model_id", "offering__provider__name"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="values by source")
    def values_text(self, obj):
        return "; ".join(f"{source}: {value}" for source, value in obj.values.items())


@admin.register(FieldLock)
class FieldLockAdmin(admin.ModelAdmin):
    """Fields curators set by hand. Imports keep them; delete a lock to let imports update the field."""

    list_display = ["target_display", "content_type", "field", "value", "locked_by", "locked_at"]
    list_filter = ["content_type", "field"]
    list_select_related = ["content_type", "locked_by"]
    actions = ["release_locks"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="record")
    def target_display(self, obj):
        return f"{obj.content_type.model} #{obj.object_id}"

    @admin.action(description="Release selected locks (imports may update these fields again)",
                  permissions=["delete"])
    def release_locks(self, request, queryset):
        count, _ = queryset.delete()
        self.message_user(request, ngettext("%d lock released.", "%d locks released.", count) % count,
                          messages.SUCCESS)


# Data quality: the findings of the rules in catalog/services/quality.py -------------------------

from django import forms  # noqa: E402 (this section is self-contained)
from django.db.models import Q  # noqa: E402
from django.shortcuts import redirect  # noqa: E402
from django.template.response import TemplateResponse  # noqa: E402
from django.urls import path  # noqa: E402
from django.utils.html import format_html  # noqa: E402
from django.utils.http import url_has_allowed_host_and_scheme  # noqa: E402

from .models import Finding  # noqa: E402
from .selectors import quality as quality_selectors  # noqa: E402
from .services import quality  # noqa: E402


def quality_badge_context(model, object_id) -> dict:
    """The data-quality badge for a family's or a variant's change form (FamilyAdmin, VariantAdmin)."""
    try:
        pk = int(object_id)
    except (TypeError, ValueError):
        return {}
    changelist = reverse("admin:catalog_finding_changelist")
    if model is Family:
        badge = quality_selectors.admin_badge(family_id=pk, list_url=f"{changelist}?family={pk}&state=all")
    else:
        badge = quality_selectors.admin_badge(variant_id=pk, list_url=f"{changelist}?variant__id__exact={pk}&state=all")
    return {"quality_badge": badge}


class FindingStateFilter(admin.SimpleListFilter):
    """Open findings unless asked otherwise: the list is a to-do list."""

    title = "state"
    parameter_name = "state"
    default = Finding.State.OPEN
    ALL = "all"

    def lookups(self, request, model_admin):
        return [*Finding.State.choices, (self.ALL, "All")]

    def value(self):
        value = super().value()
        return value if value in {*Finding.State.values, self.ALL} else self.default

    def queryset(self, request, queryset):
        value = self.value()
        return queryset if value == self.ALL else queryset.filter(state=value)

    def get_facet_counts(self, pk_attname, filtered_qs):
        return {
            f"{i}__c": Count(pk_attname) if code == self.ALL else Count(pk_attname, filter=Q(state=code))
            for i, (code, _) in enumerate(self.lookup_choices)
        }

    def choices(self, changelist):
        counts = self.get_facet_queryset(changelist) if changelist.add_facets else {}
        for i, (code, label) in enumerate(self.lookup_choices):
            count = counts.get(f"{i}__c")
            yield {
                "selected": self.value() == code,
                "query_string": changelist.get_query_string({self.parameter_name: code}),
                "display": label if count is None else f"{label} ({count})",
            }


class FindingRuleFilter(admin.SimpleListFilter):
    title = "rule"
    parameter_name = "rule"

    def lookups(self, request, model_admin):
        return [(code, r.title) for code, r in quality.RULES.items()]

    def queryset(self, request, queryset):
        return queryset.filter(rule=self.value()) if self.value() else queryset

    def get_facet_counts(self, pk_attname, filtered_qs):
        return {f"{i}__c": Count(pk_attname, filter=Q(rule=code)) for i, (code, _) in enumerate(self.lookup_choices)}


class FindingFamilyFilter(admin.SimpleListFilter):
    """Families that have findings (the admin lists thousands of families otherwise)."""

    title = "family"
    parameter_name = "family"

    def lookups(self, request, model_admin):
        # Filters are built again for each facet count: ask the database once per request.
        if not hasattr(request, "_finding_families"):
            request._finding_families = list(
                Family.objects.filter(pk__in=Finding.objects.values("family_id")).order_by("name")
                .values_list("pk", "name")
            )
        return [(str(pk), name) for pk, name in request._finding_families]

    def queryset(self, request, queryset):
        value = self.value()
        return queryset.filter(family_id=int(value)) if value and value.isdigit() else queryset

    def get_facet_counts(self, pk_attname, filtered_qs):
        return {f"{i}__c": Count(pk_attname, filter=Q(family_id=int(pk)))
                for i, (pk, _) in enumerate(self.lookup_choices)}


class DismissForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80}), max_length=2000,
        help_text="Why this is not a problem. The finding stays dismissed until the data it is about changes.",
    )


@admin.register(Finding)
class FindingAdmin(admin.ModelAdmin):
    """What the data-quality rules found. Findings are written by `check_data` (or “Run checks now”);
    curators fix the data (each finding links to the page) or dismiss a finding with a reason."""

    list_display = ["severity_display", "rule_title", "message", "family", "fix_link", "state", "changed_at"]
    list_display_links = ["rule_title"]
    list_filter = [FindingStateFilter, "severity", FindingRuleFilter, FindingFamilyFilter]
    list_select_related = ["family"]
    search_fields = ["message", "subject", "family__name", "variant__name"]
    show_facets = admin.ShowFacets.ALWAYS
    ordering = ["-severity", "rule", "subject"]
    actions = ["dismiss_findings", "reopen_findings"]
    fields = ["rule_title", "severity", "state", "message", "fix_link", "public_note", "family", "variant",
              "offering", "subject", "first_seen_at", "changed_at", "resolved_at", "dismissed_reason",
              "dismissed_by", "dismissed_at"]
    readonly_fields = ["rule_title", "fix_link"]
    list_per_page = 100

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # findings are the rules' output; curators fix the data or dismiss

    def has_delete_permission(self, request, obj=None):
        return False  # a deleted finding would come back, without its dismissal

    def has_dismiss_permission(self, request, obj=None):
        return request.user.has_perm(f"{self.opts.app_label}.change_{self.opts.model_name}")

    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path("run/", self.admin_site.admin_view(self.run_view), name=f"{prefix}_run"),
            path("<path:object_id>/dismiss/", self.admin_site.admin_view(self.dismiss_view), name=f"{prefix}_dismiss"),
            *super().get_urls(),
        ]

    @admin.display(description="severity", ordering="severity")
    def severity_display(self, obj):
        return format_html('<span class="quality-severity quality-{}">{}</span>',
                           obj.get_severity_display().lower(), obj.get_severity_display())

    @admin.display(description="rule", ordering="rule")
    def rule_title(self, obj):
        found = quality.RULES.get(obj.rule)
        return found.title if found else obj.rule

    @admin.display(description="fix")
    def fix_link(self, obj):
        return format_html('<a href="{}">Fix it</a>', obj.fix_url) if obj.fix_url else "—"

    # Dismissing ---------------------------------------------------------------------------------

    def _dismiss(self, request, queryset, *, action=None, next_url=None):
        """The dismissal form for `queryset`; on a valid POST, dismiss and return None (or a redirect)."""
        form = DismissForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            count = quality.dismiss(queryset, form.cleaned_data["reason"], request.user)
            self.message_user(request, ngettext("%d finding dismissed.", "%d findings dismissed.", count) % count,
                              messages.SUCCESS)
            return redirect(next_url) if next_url else None
        findings = list(queryset.select_related("family")[:100])
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Dismiss findings",
            "form": form,
            "findings": findings,
            "count": queryset.count(),
            "action": action,
            "selected": request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME),
            "select_across": request.POST.get("select_across", "0"),
            "next_url": next_url,
        }
        return TemplateResponse(request, "admin/catalog/finding/dismiss.html", context)

    @admin.action(description="Dismiss selected findings (with a reason)…", permissions=["dismiss"])
    def dismiss_findings(self, request, queryset):
        return self._dismiss(request, queryset.filter(state=Finding.State.OPEN), action="dismiss_findings")

    @admin.action(description="Reopen selected dismissed findings", permissions=["dismiss"])
    def reopen_findings(self, request, queryset):
        count = quality.reopen(queryset)
        self.message_user(request, ngettext("%d finding reopened.", "%d findings reopened.", count) % count,
                          messages.SUCCESS)

    def dismiss_view(self, request, object_id):
        if not self.has_dismiss_permission(request):
            raise PermissionDenied
        finding = self.get_object(request, object_id)
        if finding is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        next_url = request.GET.get("next") or request.POST.get("next")
        if not next_url or not url_has_allowed_host_and_scheme(next_url, {request.get_host()},
                                                               require_https=request.is_secure()):
            next_url = reverse("admin:catalog_finding_changelist")
        return self._dismiss(request, Finding.objects.filter(pk=finding.pk, state=Finding.State.OPEN),
                             next_url=next_url)

    def run_view(self, request):
        if request.method != "POST":
            return redirect("admin:catalog_finding_changelist")
        if not self.has_dismiss_permission(request):
            raise PermissionDenied
        report = quality.run_checks()
        new = sum(s.new for s in report.summaries)
        resolved = sum(s.resolved for s in report.summaries)
        self.message_user(request, f"Checked the catalog in {report.seconds:.1f} s: {report.open} open findings "
                                   f"({new} new, {resolved} resolved).", messages.SUCCESS)
        return redirect("admin:catalog_finding_changelist")
