"""Rules on lifecycle: ended variants without a successor, ended successors, passed retirement dates."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from catalog.formatting import join_words, plural
from catalog.models import (
    Status,
    Variant,
)

from .registry import (
    ENDED_STATUSES,
    LISTED_STATUSES,
    SERVING,
    Found,
    Severity,
    admin_change_url,
    rule,
)
from .snapshot import (
    Snapshot,
    _in_family,
    _variant_ids,
)


@rule("ended-without-successor", "Deprecated or retired without a successor", Severity.WARNING, "lifecycle")
def ended_without_successor(data: Snapshot) -> Iterator[Found]:
    """A deprecated or retired variant does not say which variant replaces it, so its page cannot
    point visitors to what to use instead."""
    for variant in data.variants.values():
        if variant.status in ENDED_STATUSES and variant.replaced_by_id is None:
            yield Found(
                subject=f"variant:{variant.id}",
                message=(f"{_in_family(data, variant)} is {variant.status} but names no successor. Set “replaced by”."),
                fix_url=admin_change_url(Variant, variant.id),
                evidence=variant.status,
                **_variant_ids(variant),
            )


@rule("successor-ended", "Successor is itself retired", Severity.WARNING, "lifecycle")
def successor_ended(data: Snapshot) -> Iterator[Found]:
    """A variant is replaced by a variant that is itself deprecated or retired: visitors would be sent
    from one ended model to another."""
    for variant in data.variants.values():
        successor = data.variants.get(variant.replaced_by_id)
        if successor is None or successor.status not in ENDED_STATUSES:
            continue
        further = data.variants.get(successor.replaced_by_id)
        hint = f" {successor.name} is replaced by {further.name}." if further else ""
        yield Found(
            subject=f"variant:{variant.id}",
            message=(
                f"{variant.name} is replaced by {successor.name}, which is itself {successor.status}."
                f"{hint} Point “replaced by” at a current variant."
            ),
            fix_url=admin_change_url(Variant, variant.id),
            evidence=[successor.id, successor.status],
            **_variant_ids(variant),
        )


@rule("retirement-date-passed", "Retirement date passed, still current", Severity.ERROR, "lifecycle")
def retirement_date_passed(data: Snapshot) -> Iterator[Found]:
    """A current or legacy variant has a retirement date in the past: it is probably retired and
    visitors are still offered it."""
    for variant in data.variants.values():
        if variant.status in LISTED_STATUSES and variant.retirement_date and variant.retirement_date < data.today:
            yield Found(
                subject=f"variant:{variant.id}",
                message=(
                    f"{variant.name} was to retire on {variant.retirement_date.isoformat()} but is still "
                    f"marked {variant.status}. Mark it retired (or correct the date)."
                ),
                fix_url=admin_change_url(Variant, variant.id),
                evidence=[variant.status, variant.retirement_date.isoformat()],
                public_note=(
                    f"The status of {variant.name} is unverified: its retirement date, "
                    f"{variant.retirement_date.isoformat()}, has passed."
                ),
                **_variant_ids(variant),
            )


@rule("ended-upstream", "Ended upstream, still current", Severity.WARNING, "lifecycle")
def ended_upstream(data: Snapshot) -> Iterator[Found]:
    """A current variant none of whose providers still offers it: every offering is deprecated or
    retired, or no source lists it any more. The variant is probably legacy, deprecated or retired."""
    for variant_id, offerings in data.offerings_by_variant.items():
        variant = data.variants[variant_id]
        if variant.status != Status.CURRENT:
            continue
        if not any(data.listings_by_offering.get(o.id) for o in offerings):
            continue  # only curated offerings: nothing upstream to compare with
        if any(o.listed and o.status in SERVING for o in offerings):
            continue
        states = Counter("no longer listed" if not o.listed else o.status for o in offerings)
        said = join_words([f"{count} {state}" for state, count in sorted(states.items())])
        yield Found(
            subject=f"variant:{variant_id}",
            message=(
                f"{variant.name} is current, but none of its {plural(len(offerings), 'offering')} is available "
                f"({said}). Mark it legacy, deprecated or retired, with its successor."
            ),
            fix_url=admin_change_url(Variant, variant_id),
            evidence=sorted([o.id, o.status, o.listed] for o in offerings),
            public_note=f"The status of {variant.name} is unverified: its providers no longer offer it.",
            **_variant_ids(variant),
        )
