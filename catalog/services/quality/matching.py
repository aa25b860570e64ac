"""Rules on matching: variants placed with doubt, families without a creator."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from catalog.formatting import plural
from catalog.models import (
    Family,
    Listing,
    Variant,
)

from .registry import (
    Found,
    Severity,
    admin_change_url,
    rule,
)
from .snapshot import (
    Snapshot,
    _variant_ids,
)


@rule("ambiguous-match", "Import could not place it with confidence", Severity.WARNING, "matching")
def ambiguous_match(data: Snapshot) -> Iterator[Found]:
    """An import placed a variant's offerings with doubt (providers named different families, or the
    id matched several variants). Check the variant's family; a curator's choice of family is locked
    and settles it."""
    notes: dict[int, list] = defaultdict(list)
    for offering_id, rows in data.listings_by_offering.items():
        for row in rows:
            if row.listed and row.match == Listing.Match.AMBIGUOUS:
                notes[data.offerings[offering_id].variant_id].append(row)
    for variant_id, rows in sorted(notes.items()):
        if variant_id in data.family_locked_variants:
            continue
        variant = data.variants[variant_id]
        reasons = sorted({row.match_note or "ambiguous" for row in rows})
        yield Found(
            subject=f"variant:{variant_id}",
            message=(f"{variant.name} was placed in {data.family_name(variant.family_id)} with doubt "
                     f"({'; '.join(reasons)}; {plural(len(rows), 'listing')}). Check its "
                     "family: choosing one in the admin locks it."),
            fix_url=admin_change_url(Variant, variant_id),
            evidence=sorted([row.source, row.key, row.match_note] for row in rows),
            **_variant_ids(variant),
        )


@rule("family-unattributed", "Family without a creator", Severity.WARNING, "matching")
def family_unattributed(data: Snapshot) -> Iterator[Found]:
    """Every family has a creator: an import that could not tell who makes a model filed its family under
    "Unattributed" (a rare exception). Choose the creator in the admin; the choice is locked."""
    for family in data.families.values():
        if family.creator__slug == "unattributed":
            yield Found(
                subject=f"family:{family.id}",
                message=f"{family.name} has no creator: nothing in the sources names who makes it. Choose one.",
                fix_url=admin_change_url(Family, family.id),
                evidence=None,
                family_id=family.id,
            )
