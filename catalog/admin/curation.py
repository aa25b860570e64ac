"""The admin's shared machinery: curator saves lock fields and keep price history; read-only admins.

Every editable catalog admin derives from CurationAdmin (or CurationHistoryAdmin, with History and
Revert); the admins of what imports and rules write (runs, listings, price records, disagreements,
locks, findings) derive from ReadOnlyAdmin.
"""

from django.contrib import admin
from django.contrib.contenttypes.admin import GenericTabularInline
from django.urls import reverse
from simple_history.admin import SimpleHistoryAdmin

from ..models import FieldLock
from ..services import curation


class ReadOnlyAdmin(admin.ModelAdmin):
    """What imports or rules write: curators read it (and may delete where the admin allows), never add or edit."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


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
                curation.record_curator_edit(
                    inline_form.instance, inline_form.changed_data, request.user, created=created, previous=previous
                )

    def get_inline_instances(self, request, obj=None):
        instances = super().get_inline_instances(request, obj)
        if obj is None:
            return instances
        too_big = {
            inline
            for inline, (related, _) in self.bounded_inlines.items()
            if getattr(obj, related).count() > INLINE_ROW_LIMIT
        }
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

    A revert saves like a curator's edit (curation.save_revert): the fields it changes are locked
    against imports, a price it changes is kept in the price history, and its version names the
    version it went back to. Its form starts from the old values, so the change is measured against
    the record as it is now, not against the form.
    """

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        request._catalog_revert = version_id
        return super().history_form_view(request, object_id, version_id, extra_context)

    def save_model(self, request, obj, form, change):
        version_id = getattr(request, "_catalog_revert", None)
        if not (change and version_id is not None):
            return super().save_model(request, obj, form, change)
        curation.save_revert(obj, version_id, request.user)
