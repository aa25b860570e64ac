"""Each variant's offer summary (providers, lowest prices), kept on the variant so tables sort and filter
on plain columns instead of grouping every offering on every request; and the spec table's rows
(VariantRow: the variant, its family, creator and summary in one narrow table), rebuilt from them.

Refreshed explicitly after bulk writes (imports call `refresh()` at their end) and by signals after
single saves and deletes of offerings, variants, families and organizations (admin, shell).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import Count, Min, Q

from catalog.models import Family, Offering, OfferingKind, Organization, Variant, VariantRow
from catalog.services import bulk

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
    rows = (
        offerings.values("variant_id")
        .annotate(
            providers=Count("provider_id", distinct=True),
            price_in=Min("price_input", filter=Q(kind=OfferingKind.PAY_PER_TOKEN)),
            price_out=Min("price_output", filter=Q(kind=OfferingKind.PAY_PER_TOKEN)),
        )
        .order_by()
    )
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
    bulk.update(Variant, changed, SUMMARY_FIELDS)
    refresh_rows(ids)
    return len(changed)


def remember_variant(sender, instance, **kwargs):
    """An offering as loaded: remember its variant, so that moving it refreshes the variant it left."""
    instance._summary_variant_id = instance.__dict__.get("variant_id")  # None when deferred: nothing to refresh


def refresh_rows(variant_ids: Iterable[int] | None = None) -> int:
    """Bring the spec table's rows of these variants (all when None) up to date with the variants,
    their families and creators, in SQL on any database; returns how many rows were written.

    Some variants: one DELETE and one INSERT … SELECT per batch. All (the end of every import): only
    the rows that differ are deleted and written again, so an unchanged re-import writes nothing.
    """
    ids = None if variant_ids is None else sorted(set(variant_ids))
    if ids is not None and not ids:
        return 0
    quote = connection.ops.quote_name
    table = quote(VariantRow._meta.db_table)
    sources = [
        ("published", "f", "published"),
        ("family_slug", "f", "slug"),
        ("family_name", "f", "name"),
        ("creator_slug", "o", "slug"),
        ("creator_name", "o", "name"),
    ]
    sources += [(name, "v", Variant._meta.get_field(name).column) for name in VariantRow.FROM_VARIANT]
    joined = (
        f"FROM {quote(Variant._meta.db_table)} v "
        f"JOIN {quote(Family._meta.db_table)} f ON f.{quote('id')} = v.{quote('family_id')} "
        f"JOIN {quote(Organization._meta.db_table)} o ON o.{quote('id')} = f.{quote('creator_id')}"
    )
    insert = (
        f"INSERT INTO {table} ({quote('variant_id')}, {', '.join(quote(name) for name, _, _ in sources)}) "
        f"SELECT v.{quote('id')}, {', '.join(f'{alias}.{quote(column)}' for _, alias, column in sources)} {joined}"
    )
    delete = f"DELETE FROM {table}"
    written = 0
    with transaction.atomic(), connection.cursor() as cursor:
        if ids is None:
            distinct = "IS NOT" if connection.vendor == "sqlite" else "IS DISTINCT FROM"
            differs = " OR ".join(
                f"r.{quote(name)} {distinct} {alias}.{quote(column)}" for name, alias, column in sources
            )
            cursor.execute(
                f"{delete} WHERE {quote('variant_id')} IN (SELECT r.{quote('variant_id')} {joined} "
                f"JOIN {table} r ON r.{quote('variant_id')} = v.{quote('id')} WHERE {differs})"
            )
            cursor.execute(
                f"{delete} WHERE NOT EXISTS (SELECT 1 FROM {quote(Variant._meta.db_table)} v "
                f"WHERE v.{quote('id')} = {table}.{quote('variant_id')})"
            )
            cursor.execute(
                f"{insert} WHERE NOT EXISTS (SELECT 1 FROM {table} r WHERE r.{quote('variant_id')} = v.{quote('id')})"
            )
            written = cursor.rowcount
            if written:
                # Fresh statistics, so the planner knows status and publication hardly narrow the rows and
                # pages read the sort indexes in order (without them SQLite takes the facets' index).
                cursor.execute(f"ANALYZE {table}")
            return written
        for start in range(0, len(ids), BATCH):
            batch = ids[start : start + BATCH]
            marks = ", ".join(["%s"] * len(batch))
            cursor.execute(f"{delete} WHERE {quote('variant_id')} IN ({marks})", batch)
            cursor.execute(f"{insert} WHERE v.{quote('id')} IN ({marks})", batch)
            written += cursor.rowcount
    return written


def refresh_rows_after_variant_save(sender, instance, **kwargs):
    if not kwargs.get("raw"):
        refresh_rows([instance.pk])


def drop_row_after_variant_delete(sender, instance, **kwargs):
    """Deleting a variant deletes its offerings first, whose signals rebuild its row: drop it again."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {connection.ops.quote_name(VariantRow._meta.db_table)} "
            f"WHERE {connection.ops.quote_name('variant_id')} = %s",
            [instance.pk],
        )


def refresh_rows_after_family_save(sender, instance, **kwargs):
    if not kwargs.get("raw"):
        refresh_rows(Variant.objects.filter(family=instance).values_list("pk", flat=True))


def refresh_rows_after_organization_save(sender, instance, **kwargs):
    if not kwargs.get("raw"):
        refresh_rows(Variant.objects.filter(family__creator=instance).values_list("pk", flat=True))


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
    # A variant's row goes with it (on_delete CASCADE); saves of what a row copies rebuild it.
    post_save.connect(refresh_rows_after_variant_save, sender=Variant, dispatch_uid="summaries.variant_saved")
    post_delete.connect(drop_row_after_variant_delete, sender=Variant, dispatch_uid="summaries.variant_deleted")
    post_save.connect(refresh_rows_after_family_save, sender=Family, dispatch_uid="summaries.family_saved")
    post_save.connect(
        refresh_rows_after_organization_save, sender=Organization, dispatch_uid="summaries.organization_saved"
    )
