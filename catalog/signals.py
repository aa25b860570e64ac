"""Catalog writes make the public page cache fresh (catalog.services.page_cache); a released lock marks its record.

Every save, delete and many-to-many change of a catalog model bumps the catalog version once its
transaction commits. Bulk writes (`bulk_create`, `bulk_update`, `QuerySet.update`) send no signal:
the importers bump once at the end of a run, and the admin after every successful POST.
"""

from django.apps import apps
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone

from catalog.models import FieldLock
from catalog.services.page_cache import bump_catalog_version

# Bookkeeping no public page shows: an import run's record, a curator's field locks; and the spec
# table's rows, derived from records whose own writes bump already.
NOT_PUBLIC = {"importrun", "fieldlock", "variantrow"}


def _is_public_model(sender) -> bool:
    meta = getattr(sender, "_meta", None)
    return (
        meta is not None
        and meta.app_label == "catalog"
        and meta.model_name not in NOT_PUBLIC
        # History rows are written with the record they follow, which bumps already.
        and not meta.model_name.startswith("historical")
    )


def catalog_changed(sender, using=None, **kwargs):
    if _is_public_model(sender):
        bump_catalog_version(using=using)


def catalog_m2m_changed(sender, instance, action, using=None, **kwargs):
    if action in {"post_add", "post_remove", "post_clear"} and _is_public_model(type(instance)):
        bump_catalog_version(using=using)


def lock_released(sender, instance, **kwargs):
    """A released field lock marks its record updated: the next import of each source works the record's
    values out again (imports resolve only what changed since their last run)."""
    model = instance.content_type.model_class()
    if model is not None and any(f.name == "updated_at" for f in model._meta.concrete_fields):
        model._default_manager.filter(pk=instance.object_id).update(updated_at=timezone.now())


def connect() -> None:
    post_delete.connect(lock_released, sender=FieldLock, dispatch_uid="catalog-lock-released")
    for model in apps.get_app_config("catalog").get_models():
        if _is_public_model(model):
            post_save.connect(catalog_changed, sender=model, dispatch_uid=f"catalog-fresh-save-{model._meta.label}")
            post_delete.connect(catalog_changed, sender=model, dispatch_uid=f"catalog-fresh-delete-{model._meta.label}")
    m2m_changed.connect(catalog_m2m_changed, dispatch_uid="catalog-fresh-m2m")
