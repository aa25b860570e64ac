"""Each variant's offer summary (providers, lowest prices), kept on the variant so tables sort and filter
on plain columns instead of grouping every offering on every request.

Refreshed explicitly after bulk writes (imports) and by signals after single saves (admin, shell).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterable

from django.db.models import Count, Min, Q

from catalog.models import Offering, OfferingKind, Variant

SUMMARY_FIELDS = ("provider_count", "price_in_min", "price_out_min")
BATCH = 500


class _Deferred(threading.local):
    active = False


_deferred = _Deferred()


@contextlib.contextmanager
def deferred():
    """Single saves skip their summary refresh inside; the caller refreshes once at the end (catalog imports)."""
    _deferred.active = True
    try:
        yield
    finally:
        _deferred.active = False


def compute(variant_ids: Iterable[int] | None = None) -> dict[int, tuple]:
    """{variant id: (providers, lowest input price, lowest output price)} over listed offerings.

    Only pay-per-token prices count: a subscription's or free tier's $0 is not a price.
    """
    offerings = Offering.objects.filter(listed=True)
    if variant_ids is not None:
        offerings = offerings.filter(variant_id__in=list(variant_ids))
    rows = offerings.values("variant_id").annotate(
        providers=Count("provider_id", distinct=True),
        price_in=Min("price_input", filter=Q(kind=OfferingKind.PAY_PER_TOKEN)),
        price_out=Min("price_output", filter=Q(kind=OfferingKind.PAY_PER_TOKEN)),
    ).order_by()
    return {row["variant_id"]: (row["providers"], row["price_in"], row["price_out"]) for row in rows}


def refresh(variant_ids: Iterable[int] | None = None) -> int:
    """Bring the summaries of these variants (all when None) up to date; returns how many changed."""
    ids = None if variant_ids is None else set(variant_ids)
    if ids is not None and not ids:
        return 0
    summaries = compute(ids)
    variants = Variant.objects.only("pk", *SUMMARY_FIELDS)
    if ids is not None:
        variants = variants.filter(pk__in=ids)
    changed = []
    for variant in variants.iterator(chunk_size=2000):
        wanted = summaries.get(variant.pk, (0, None, None))
        if (variant.provider_count, variant.price_in_min, variant.price_out_min) != wanted:
            variant.provider_count, variant.price_in_min, variant.price_out_min = wanted
            changed.append(variant)
    Variant.objects.bulk_update(changed, SUMMARY_FIELDS, batch_size=BATCH)
    return len(changed)


def remember_variant(sender, instance, **kwargs):
    """An offering as loaded: remember its variant, so that moving it refreshes the variant it left."""
    instance._summary_variant_id = instance.__dict__.get("variant_id")  # None when deferred: nothing to refresh


def refresh_after_offering_change(sender, instance, **kwargs):
    """A single offering saved or deleted (admin, shell): its variant's summary follows, and the one it left."""
    if kwargs.get("raw") or _deferred.active:
        return
    ids = {instance.variant_id}
    previous = getattr(instance, "_summary_variant_id", None)
    if previous and previous != instance.variant_id:
        ids.add(previous)
    refresh(ids)
    instance._summary_variant_id = instance.variant_id


def connect() -> None:
    from django.db.models.signals import post_delete, post_init, post_save

    post_init.connect(remember_variant, sender=Offering, dispatch_uid="summaries.offering_loaded")
    post_save.connect(refresh_after_offering_change, sender=Offering, dispatch_uid="summaries.offering_saved")
    post_delete.connect(refresh_after_offering_change, sender=Offering, dispatch_uid="summaries.offering_deleted")
