"""What imports write and curators review: runs, listings, aliases, price history, disagreements, locks."""

from django.contrib import admin, messages
from django.utils.translation import ngettext

from ..models import Disagreement, FieldLock, ImportRun, Listing, PriceRecord, VariantAlias
from ..services import curation
from .curation import ReadOnlyAdmin

# Imports: runs, listings, price history, disagreements, locks ----------------------------------


@admin.register(ImportRun)
class ImportRunAdmin(ReadOnlyAdmin):
    list_display = ["started_at", "source", "status", "dataset_version", "duration", "note_count"]
    list_filter = ["source", "status"]
    readonly_fields = [
        "source",
        "dataset",
        "dataset_version",
        "dataset_hash",
        "started_at",
        "finished_at",
        "status",
        "counts",
        "notes_text",
        "error",
    ]
    exclude = ["notes"]
    date_hierarchy = "started_at"

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
class ListingAdmin(ReadOnlyAdmin):
    """What each source says about each offering; ambiguous matches are here for review."""

    list_display = ["key", "source", "offering", "match", "match_note", "listed", "changed_at"]
    list_filter = ["source", "match", "listed"]
    list_select_related = ["offering", "offering__provider"]
    search_fields = ["key", "offering__model_id", "offering__variant__name"]
    readonly_fields = [
        "source",
        "key",
        "offering",
        "values",
        "match",
        "match_note",
        "listed",
        "first_seen_at",
        "changed_at",
        "delisted_at",
        "last_run",
    ]


@admin.register(VariantAlias)
class VariantAliasAdmin(admin.ModelAdmin):
    """Ids that name a variant: imports resolve them first. Move an alias to re-point every later import."""

    list_display = ["alias", "variant", "source", "note", "created"]
    list_filter = ["source"]
    list_select_related = ["variant", "variant__family"]
    search_fields = ["alias", "variant__name", "variant__slug"]
    autocomplete_fields = ["variant"]


@admin.register(PriceRecord)
class PriceRecordAdmin(ReadOnlyAdmin):
    list_display = ["offering", "price_input", "price_output", "price_cache_read", "valid_from", "valid_to", "source"]
    list_filter = ["source"]
    list_select_related = ["offering", "offering__provider"]
    search_fields = ["offering__model_id", "offering__provider__name"]
    date_hierarchy = "valid_from"


@admin.register(Disagreement)
class DisagreementAdmin(ReadOnlyAdmin):
    """Fields where two sources give different values for the same offering."""

    list_display = ["offering", "field", "values_text", "detected_at"]
    list_filter = ["field"]
    list_select_related = ["offering", "offering__provider"]
    search_fields = ["offering__model_id", "offering__provider__name"]

    @admin.display(description="values by source")
    def values_text(self, obj):
        return "; ".join(f"{source}: {value}" for source, value in obj.values.items())


@admin.register(FieldLock)
class FieldLockAdmin(ReadOnlyAdmin):
    """Fields curators set by hand. Imports keep them; delete a lock to let imports update the field."""

    list_display = ["target_display", "content_type", "field", "value", "locked_by", "locked_at"]
    list_filter = ["content_type", "field"]
    list_select_related = ["content_type", "locked_by"]
    actions = ["release_locks"]

    @admin.display(description="record")
    def target_display(self, obj):
        return f"{obj.content_type.model} #{obj.object_id}"

    @admin.action(description="Release selected locks (imports may update these fields again)", permissions=["delete"])
    def release_locks(self, request, queryset):
        count = curation.release_locks(queryset)
        self.message_user(request, ngettext("%d lock released.", "%d locks released.", count) % count, messages.SUCCESS)
