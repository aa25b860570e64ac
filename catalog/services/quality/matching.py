"""Rules on matching: variants placed with doubt, variants that are likely one model, families without a creator."""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterator

from django.urls import reverse

from catalog.formatting import format_parameters, join_words, plural
from catalog.models import (
    Family,
    Listing,
    Status,
    Variant,
)
from catalog.services.importers.identity import SIZE, canonical_key
from catalog.services.importers.makers import namespace_of
from catalog.services.importers.matching import CREATORS, UNATTRIBUTED, creator_for

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

UNATTRIBUTED_SLUG = UNATTRIBUTED[0]
CREATOR_NAMES = {slug: name for _, slug, name, _ in CREATORS}
SUBJECT_LIMIT = 200  # Finding.subject's max_length


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
            message=(
                f"{variant.name} was placed in {data.family_name(variant.family_id)} with doubt "
                f"({'; '.join(reasons)}; {plural(len(rows), 'listing')}). Check its "
                "family: choosing one in the admin locks it."
            ),
            fix_url=admin_change_url(Variant, variant_id),
            evidence=sorted([row.source, row.key, row.match_note] for row in rows),
            **_variant_ids(variant),
        )


@rule("likely-same-model", "Variants that are likely one model", Severity.WARNING, "matching")
def likely_same_model(data: Snapshot) -> Iterator[Found]:
    """Two or more variants of one creator and kind whose names the identity code reads as one model: the same
    key once spellings are normalized (`canonical_key`), or the same key without its size words
    (as `without_sizes` reads them) and the same parameter count; names that state different sizes never group. Usually one model filed twice (a dated snapshot, a
    reseller's spelling); merge them into the one with the most providers, or dismiss if they differ."""
    for (creator_id, kind, key, parameters), rows in _same_model_groups(data.identity_rows):
        rows.sort(key=lambda r: (-r.provider_count, r.status != Status.CURRENT, r.id))
        keep = rows[0]
        why = (
            f"the same name without sizes and {format_parameters(parameters)} parameters each"
            if parameters
            else "the same name once spellings are normalized"
        )
        listed = "; ".join(
            f"{r.name} ({r.family__slug}/{r.slug}, {plural(r.provider_count, 'provider')}, {r.status})" for r in rows
        )
        ids = [r.id for r in rows]
        subject = f"same-model:{creator_id}:{kind}:{key}:{parameters or '-'}"
        if len(subject) > SUBJECT_LIMIT:
            subject = "same-model:" + hashlib.sha256(subject.encode()).hexdigest()
        yield Found(
            subject=subject,
            message=(
                f"{len(rows)} variants by {keep.family__creator__name} look like one model ({why}): {listed}. "
                f"Merge them into {keep.name}, or dismiss if they differ."
            ),
            fix_url=merge_url(ids),
            evidence=sorted(ids),
            family_id=keep.family_id,
            variant_id=keep.id,
            suggestion={"action": "merge", "variants": ids, "keep": keep.id},
        )


def _size_words(key: str) -> frozenset:
    """The parameter-size words of an identity key ("70b", "a12b", "8x7b"); context words ("128k") are not sizes."""
    return frozenset(word for word in key.split("-") if SIZE.match(word) and not word.endswith("k"))


def _same_model_groups(rows) -> Iterator[tuple[tuple, list]]:
    """Groups of two or more rows that the identity code reads as one model; names that state different sizes
    ("8b", "671b") never group, and a name without a size joins only a group whose names state one size."""
    coarse: dict[tuple, list] = defaultdict(list)
    for row in rows:
        if row.family__creator__slug == UNATTRIBUTED_SLUG:
            continue  # two unknown makers are not one maker
        key = canonical_key(row.name)
        sizes = _size_words(key)
        if row.parameters:
            base = "-".join(word for word in key.split("-") if word not in sizes)
            coarse[(row.family__creator_id, row.kind, base, row.parameters)].append((sizes, row))
        else:
            coarse[(row.family__creator_id, row.kind, key, None)].append((sizes, row))
    for group_key, members in coarse.items():
        stated = {sizes for sizes, _ in members if sizes}
        if len(stated) > 1:
            for sizes in stated:
                same = [row for said, row in members if said == sizes]
                if len(same) > 1:
                    yield (*group_key[:2], f"{group_key[2]}:{'-'.join(sorted(sizes))}", group_key[3]), same
        elif len(members) > 1:
            yield group_key, [row for _, row in members]


def merge_url(variant_ids) -> str:
    """The admin's merge form with these variants chosen (the first one to keep)."""
    return reverse("admin:catalog_variant_merge") + "?ids=" + ",".join(str(pk) for pk in variant_ids)


def suggested_creator(data: Snapshot, family) -> tuple[str, str, list[str]] | None:
    """(organization slug, name, evidence) that the family's ids and names point to, or None.

    Evidence, as the importers read it: the namespace of each offering's model id ("meta-llama/…" → Meta)
    and the creator patterns on the family's slug and its variants' keys and names."""
    votes: Counter = Counter()
    said: dict[str, list[str]] = defaultdict(list)
    names: dict[str, str] = {}
    for variant in data.variants_by_family.get(family.id, []):
        slug, name, _ = creator_for(family.slug, variant.match_key or "", canonical_key(variant.name))
        if slug != UNATTRIBUTED_SLUG:
            votes[slug] += 1
            names.setdefault(slug, name)
            said[slug].append(f"the name {variant.name}")
        for offering in data.offerings_by_variant.get(variant.id, []):
            found = namespace_of(offering.model_id)
            if found and found[0] != UNATTRIBUTED_SLUG:
                votes[found[0]] += 1
                if found[1]:
                    names.setdefault(found[0], found[1])
                said[found[0]].append(f"the id {offering.model_id}")
    if not votes:
        return None
    slug, _ = votes.most_common(1)[0]
    known = data.organizations.get(slug)
    name = known[1] if known else names.get(slug) or CREATOR_NAMES.get(slug) or slug
    return slug, name, sorted(set(said[slug]))


@rule("family-unattributed", "Family without a creator", Severity.WARNING, "matching")
def family_unattributed(data: Snapshot) -> Iterator[Found]:
    """Every family has a creator: an import that could not tell who makes a model filed its family under
    "Unattributed" (a rare exception). Choose the creator in the admin; the choice is locked. Where an id
    namespace or a name pattern points to a maker, the finding suggests it, and the work queue offers to
    attribute every family that points to the same maker in one action."""
    for family in data.families.values():
        if family.creator__slug != UNATTRIBUTED_SLUG:
            continue
        suggestion = suggested_creator(data, family)
        hint = ""
        if suggestion:
            slug, name, evidence = suggestion
            hint = f" The evidence points to {name} ({join_words(evidence[:3])})."
        yield Found(
            subject=f"family:{family.id}",
            message=f"{family.name} has no creator: no source names who makes it.{hint} Choose one.",
            fix_url=admin_change_url(Family, family.id),
            evidence=suggestion[0] if suggestion else None,
            family_id=family.id,
            suggestion=(
                {"action": "attribute", "creator": suggestion[0], "creator_name": suggestion[1]} if suggestion else None
            ),
        )
