"""Merge two variants into one, or split offerings off into a new variant, losing nothing.

A merge moves everything that hangs on the absorbed variant to the one kept: offerings (their
listings and price history go with them), field locks (a field the kept variant locks already
keeps its lock), aliases, and references to it (`replaced_by`, `points_to`). The absorbed
variant's match key and slug become aliases of the kept one, so the next import resolves its ids
there instead of making it again. Both records keep their history; the kept one gets a version
that says what it absorbed, the absorbed one a last version saying where it went.

A split makes a new variant in the same family with the specs of the old one and moves the chosen
offerings to it. Either way the offer summaries are recomputed and the public pages made fresh.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.text import Truncator, slugify

from catalog.models import FieldLock, Finding, Offering, Variant, VariantAlias
from catalog.services import history, quality, summaries
from catalog.services.page_cache import bump_catalog_version

# Copied to a new variant by a split; its identity (name, slug, match key) and summaries are its own.
NOT_COPIED = {
    "id",
    "name",
    "slug",
    "match_key",
    "created_at",
    "updated_at",
    "provider_count",
    "price_in_min",
    "price_out_min",
}


class MergeError(ValueError):
    """A merge or split that cannot be done as asked (the message says why)."""


@dataclass
class MergeReport:
    keep: Variant
    offerings: int = 0
    locks: int = 0
    aliases: int = 0
    references: int = 0
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"{self.offerings} offerings, {self.locks} locks, {self.aliases} aliases and "
            f"{self.references} references moved to {self.keep}."
        )


def merged_note(family_slug: str, variant_slug: str) -> str:
    """The note on the aliases a merge adds: the public page of the absorbed variant redirects by it."""
    return f"merged from {family_slug}/{variant_slug}"


def _user(by):
    return by if by is not None and by.pk else None


def _move_offerings(offerings: list[Offering], target: Variant, reason: str, by, now) -> None:
    for offering in offerings:
        offering.variant, offering.updated_at = target, now
    Offering.objects.bulk_update(offerings, ["variant", "updated_at"], batch_size=history.BATCH)
    history.record_updated(offerings, reason=reason, when=now, user=by)


def _alias(alias: str, target: Variant, note: str) -> bool:
    """Point `alias` at `target` (a curator's alias); False when it is blank or already points there."""
    if not alias:
        return False
    existing = VariantAlias.objects.filter(alias=alias).first()
    if existing is None:
        VariantAlias.objects.create(alias=alias, variant=target, note=note)
        return True
    if existing.variant_id != target.pk:
        existing.variant, existing.note = target, note
        existing.save(update_fields=["variant", "note"])
        return True
    return False


def merge_variants(keep: Variant, absorb: Variant, *, by=None, refresh: bool = True) -> MergeReport:
    """Move everything of `absorb` to `keep`, then delete `absorb` (its history stays).

    refresh=False: the caller refreshes summaries, the cache version and findings once for all its writes
    (an import merging the variants it made)."""
    if keep.pk == absorb.pk:
        raise MergeError("A variant cannot be merged into itself.")
    report = MergeReport(keep=keep)
    by = _user(by)
    now = timezone.now()
    reason = f"merge: variant {absorb.pk} ({absorb.slug}) into {keep.pk}"
    with transaction.atomic():
        keep = Variant.objects.select_for_update().get(pk=keep.pk)
        absorb = Variant.objects.select_for_update().get(pk=absorb.pk)
        report.keep = keep

        offerings = list(absorb.offerings.all())
        _move_offerings(offerings, keep, reason, by, now)
        report.offerings = len(offerings)

        variant_type = ContentType.objects.get_for_model(Variant)
        kept_fields = set(
            FieldLock.objects.filter(content_type=variant_type, object_id=keep.pk).values_list("field", flat=True)
        )
        absorbed_locks = FieldLock.objects.filter(content_type=variant_type, object_id=absorb.pk)
        report.locks = absorbed_locks.exclude(field__in=kept_fields).update(object_id=keep.pk)
        if dropped := absorbed_locks.count():
            report.notes.append(f"{dropped} locks of {absorb} dropped: {keep} locks the same fields.")
            absorbed_locks.delete()

        report.aliases = VariantAlias.objects.filter(variant=absorb).update(variant=keep)
        note = merged_note(absorb.family.slug, absorb.slug)
        for alias in (absorb.match_key, absorb.slug):
            if alias and alias != keep.match_key:
                report.aliases += _alias(alias, keep, note)

        referring = list(Variant.objects.filter(replaced_by=absorb).exclude(pk=keep.pk)) + list(
            Variant.objects.filter(points_to=absorb).exclude(pk=keep.pk)
        )
        for variant in {v.pk: v for v in referring}.values():
            if variant.replaced_by_id == absorb.pk:
                variant.replaced_by = keep
            if variant.points_to_id == absorb.pk:
                variant.points_to = keep
            variant.updated_at = now
        changed_refs = list({v.pk: v for v in referring}.values())
        Variant.objects.bulk_update(changed_refs, ["replaced_by", "points_to", "updated_at"])
        history.record_updated(changed_refs, reason=reason, when=now, user=by)
        report.references = len(changed_refs)

        if keep.replaced_by_id == absorb.pk:
            keep.replaced_by = None
        if keep.points_to_id == absorb.pk:
            keep.points_to = None
        Finding.objects.filter(variant=absorb).update(variant=keep)

        absorb._history_user, absorb._change_reason = by, f"merged into variant {keep.pk} ({keep.slug})"
        absorb.delete()
        keep._history_user, keep._change_reason = (
            by,
            Truncator(f"merged variant {absorb.slug} into this one").chars(history.REASON_LENGTH),
        )
        keep.updated_at = now
        keep.save()
        if refresh:
            summaries.refresh({keep.pk})
            bump_catalog_version()
            quality.check_after_commit({keep.family_id, absorb.family_id})
    return report


def split_variant(variant: Variant, offerings, *, name: str, slug: str = "", by=None) -> Variant:
    """A new variant in `variant`'s family with its specs, holding `offerings` (which must be `variant`'s)."""
    by = _user(by)
    name = (name or "").strip()
    if not name:
        raise MergeError("The new variant needs a name.")
    slug = slugify(slug or name)
    if not slug:
        raise MergeError(f"No slug can be made from {name!r}: give one.")
    chosen = list(offerings)
    if not chosen:
        raise MergeError("Choose at least one offering to move to the new variant.")
    if any(offering.variant_id != variant.pk for offering in chosen):
        raise MergeError(f"Only offerings of {variant} can be split off it.")
    if Variant.objects.filter(family_id=variant.family_id, slug=slug).exists():
        raise MergeError(f"The family already has a variant with the slug {slug!r}.")
    now = timezone.now()
    with transaction.atomic():
        values = {
            f.attname: getattr(variant, f.attname) for f in Variant._meta.concrete_fields if f.name not in NOT_COPIED
        }
        new = Variant(**values, name=name, slug=slug)
        new._history_user, new._change_reason = (
            by,
            Truncator(f"split from variant {variant.pk} ({variant.slug})").chars(history.REASON_LENGTH),
        )
        new.save()
        _move_offerings(chosen, new, f"split: from variant {variant.pk} to {new.pk}", by, now)
        variant._history_user = by
        variant._change_reason = Truncator(
            f"split: {len(chosen)} offerings moved to variant {new.pk} ({new.slug})"
        ).chars(history.REASON_LENGTH)
        variant.save(update_fields=["updated_at"])
        summaries.refresh({variant.pk, new.pk})
        bump_catalog_version()
        quality.check_after_commit({variant.family_id})
    return new
