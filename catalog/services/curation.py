"""What a curator's save in the admin means beyond the row itself.

- Every field a curator changes on a record an import could overwrite is locked (FieldLock):
  later imports keep the curator's value and report what the source says instead.
- A price change closes the offering's current PriceRecord and opens a new one.
- Writes the admin makes beyond one form (bulk actions, reverts) are services here, so that locks,
  history, summaries and the cache version follow them as they follow a form's save.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from catalog.models import (
    PRICE_FIELD_NAMES,
    Family,
    FieldLock,
    Offering,
    Organization,
    PriceRecord,
    Provider,
    Variant,
)
from catalog.services import history, quality, summaries
from catalog.services.importers.matching import CREATORS
from catalog.services.page_cache import bump_catalog_version

LOCKABLE_MODELS = (Organization, Family, Variant, Provider, Offering)
NEVER_LOCKED = {"position", "published", "slug"}


def json_value(value):
    """A value as JSON keeps it: exact decimals as text, dates in ISO form, records by primary key."""
    if isinstance(value, Decimal):
        return _decimal_text(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [json_value(item) for item in value]
    if hasattr(value, "pk"):
        return value.pk
    return value


@lru_cache(maxsize=65536)  # an import writes the same few thousand prices again and again; equal Decimals give one text
def _decimal_text(value: Decimal) -> str:
    return format(value.normalize(), "f")


def lockable_fields(model) -> set[str]:
    return {
        f.name for f in model._meta.concrete_fields if f.editable and not f.primary_key and f.name not in NEVER_LOCKED
    }


def lock_fields(obj, fields, user=None) -> list[FieldLock]:
    """Lock `fields` of `obj` at their current values (an existing lock is refreshed)."""
    if not isinstance(obj, LOCKABLE_MODELS):
        return []
    content_type = ContentType.objects.get_for_model(obj)
    locks = []
    for name in sorted(set(fields) & lockable_fields(type(obj))):
        lock, _ = FieldLock.objects.update_or_create(
            content_type=content_type,
            object_id=obj.pk,
            field=name,
            defaults={"value": json_value(getattr(obj, name)), "locked_by": user if user and user.pk else None},
        )
        locks.append(lock)
    return locks


def record_price_change(offering: Offering, previous: dict, source: str = "admin", when=None) -> None:
    """Close the current PriceRecord (or record the old prices if none was kept) and open one for the new prices."""
    when = when or timezone.now()
    current = PriceRecord.objects.filter(offering=offering, valid_to__isnull=True).first()
    if current is not None:
        current.valid_to = when
        current.save(update_fields=["valid_to"])
    elif any(previous.get(name) is not None for name in PRICE_FIELD_NAMES):
        PriceRecord.objects.create(
            offering=offering,
            valid_from=min(offering.created_at, when),
            valid_to=when,
            source=offering.origin,
            **{name: previous.get(name) for name in PRICE_FIELD_NAMES},
        )
    PriceRecord.objects.create(
        offering=offering,
        valid_from=when,
        source=source,
        **{name: getattr(offering, name) for name in PRICE_FIELD_NAMES},
    )


def record_curator_edit(obj, changed_fields, user=None, *, created: bool = False, previous: dict | None = None) -> None:
    """Call after a curator saved `obj` in the admin with `changed_fields` changed."""
    changed = set(changed_fields or ())
    if isinstance(obj, Offering) and changed & set(PRICE_FIELD_NAMES):
        if created:
            record_price_change(obj, {}, source="admin")
        else:
            record_price_change(obj, previous or {}, source="admin")
    if not created:
        lock_fields(obj, changed, user)
    quality.check_after_commit(families_of(obj, previous or {}))


def families_of(obj, previous: dict | None = None) -> set[int]:
    """The families whose findings a change to `obj` may change (before and after a move)."""
    previous = previous or {}
    if isinstance(obj, Family):
        return {obj.pk}
    if isinstance(obj, Variant):
        return {obj.family_id, *([_pk(previous["family"])] if previous.get("family") else [])}
    if isinstance(obj, Offering):
        variant_ids = {obj.variant_id, *([_pk(previous["variant"])] if previous.get("variant") else [])}
        return set(Variant.objects.filter(pk__in=variant_ids).values_list("family_id", flat=True))
    if isinstance(obj, Provider):
        return set(Offering.objects.filter(provider=obj).values_list("variant__family_id", flat=True).distinct())
    if isinstance(obj, Organization):
        return set(obj.families.values_list("pk", flat=True))
    return set()


def _pk(value):
    return getattr(value, "pk", value)


# --- Admin writes beyond a single form: each keeps locks, history, summaries and the cache version ---


def set_variant_status(variants, status: str, user=None) -> int:
    """A bulk status change: one version per changed variant (who, when), the status locked, pages fresh."""
    now = timezone.now()
    changed = [variant for variant in variants if variant.status != status]
    for variant in changed:
        variant.status, variant.updated_at = status, now
    Variant.objects.bulk_update(changed, ["status", "updated_at"], batch_size=history.BATCH)
    summaries.refresh_rows([variant.pk for variant in changed])  # bulk_update sends no signal: /models/' rows follow
    history.record_updated(changed, reason="", when=now, user=user)
    for variant in changed:
        lock_fields(variant, ["status"], user)
    if changed:
        bump_catalog_version()
        quality.check_after_commit({variant.family_id for variant in changed})
    return len(changed)


def release_locks(locks) -> int:
    """Let imports update these fields again. Locks are bookkeeping: no public page changes."""
    count, _ = locks.delete()
    return count


def changed_fields(current, reverted) -> list[str]:
    """The editable fields whose value differs between the record as it is and as a revert would make it."""
    return [
        f.name
        for f in reverted._meta.concrete_fields
        if f.editable and not f.primary_key and getattr(current, f.attname) != getattr(reverted, f.attname)
    ]


def save_revert(obj, version_id, user=None) -> list[str]:
    """Save `obj` as the admin's revert form set it back to history version `version_id`; returns the fields changed.

    Recorded like a curator's edit (a version naming the user and the version reverted to; the
    fields it changes locked; a price change kept in the price history).
    """
    current = type(obj)._default_manager.get(pk=obj.pk)
    changed = changed_fields(current, obj)
    previous = {name: getattr(current, name) for name in changed}
    version = type(obj).history.filter(history_id=version_id).first()
    obj._history_user = user if user is not None and user.pk else None
    obj._change_reason = history.revert_reason(version) if version is not None else f"revert to version {version_id}"
    obj.save()
    record_curator_edit(obj, changed, user, created=False, previous=previous)
    return changed


def attribute_families(families, creator_slug: str, creator_name: str = "", user=None) -> tuple[Organization, int]:
    """Set the creator of `families` (one curator action from the work queue): one version per changed family
    (who, when), the creator locked so imports keep it, the spec table's rows and the public pages fresh.

    The organization is the one with `creator_slug`, made (with the name and website the importers know for
    that slug) when the catalog has none yet. Returns it and how many families changed.
    """
    slug = (creator_slug or "").strip()
    if not slug or slug == "unattributed":
        raise ValueError("Choose the organization that makes these models.")
    known = {s: (name, site) for _, s, name, site in CREATORS}
    name, website = known.get(slug, (creator_name or slug, ""))
    creator, _ = Organization.objects.get_or_create(
        slug=slug, defaults={"name": creator_name or name, "website": website}
    )
    now = timezone.now()
    changed = [family for family in families if family.creator_id != creator.pk]
    for family in changed:
        family.creator, family.updated_at = creator, now
    Family.objects.bulk_update(changed, ["creator", "updated_at"], batch_size=history.BATCH)
    history.record_updated(changed, reason="", when=now, user=user)
    for family in changed:
        lock_fields(family, ["creator"], user)
    if changed:
        summaries.refresh_rows(Variant.objects.filter(family__in=changed).values_list("pk", flat=True))
        bump_catalog_version()
        quality.check_after_commit({family.pk for family in changed})
    return creator, len(changed)
