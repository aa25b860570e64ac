"""Rules on prices: missing, zero without a source, swapped, disputed between sources, spread across providers."""

from __future__ import annotations

from collections.abc import Iterator

from catalog.formatting import join_words
from catalog.models import (
    Offering,
    Provider,
    Variant,
)

from .registry import (
    BILLING_KINDS,
    FIELD_LABELS,
    FREE_ID,
    INPUT_OVER_OUTPUT_FACTOR,
    PRICE_SPREAD_FACTOR,
    Found,
    Severity,
    _decimal,
    _price,
    _ratio,
    _source,
    _times,
    admin_change_url,
    rule,
)
from .snapshot import (
    Snapshot,
    _variant_ids,
    is_serving,
)


@rule("price-missing", "Price missing at a paid provider", Severity.WARNING, "prices")
def price_missing(data: Snapshot) -> Iterator[Found]:
    """An active offering at a provider that bills per token (an API or a cloud platform) has no input
    or no output price, so the page says “the catalog has no price for it”. Local runtimes are free."""
    for offering in data.offerings.values():
        provider = data.providers[offering.provider_id]
        if provider.kind not in BILLING_KINDS or not is_serving(data, offering):
            continue
        missing = [
            label
            for name, label in (("price_input", "input"), ("price_output", "output"))
            if getattr(offering, name) is None
        ]
        if missing:
            yield Found(
                subject=f"offering:{offering.id}",
                message=(
                    f"{data.offering_label(offering)} ({Provider.Kind(provider.kind).label}) has no "
                    f"{join_words(missing)} price, so visitors read that the catalog has none."
                ),
                fix_url=admin_change_url(Offering, offering.id),
                evidence=missing,
                **data.offering_ids(offering),
            )


@rule("price-zero-unsourced", "Zero price no source gives", Severity.WARNING, "prices")
def price_zero_unsourced(data: Snapshot) -> Iterator[Found]:
    """An offering shows an input or output price of $0, but no source that lists it says 0 (and its
    model id does not say “free”): a price typed as 0 for “unknown”, or a curator value a source
    contradicts."""
    for offering in data.offerings.values():
        if FREE_ID.search(offering.model_id) or not is_serving(data, offering):
            continue
        listings = [row for row in data.listings_by_offering.get(offering.id, []) if row.listed]
        zero = []
        for name, said_attr, label in (
            ("price_input", "said_input", "input"),
            ("price_output", "said_output", "output"),
        ):
            if getattr(offering, name) != 0:
                continue
            said = [_decimal(getattr(row, said_attr)) for row in listings]
            if any(value == 0 for value in said):
                continue
            others = [
                f"{_source(row.source)} says {_price(value)}"
                for row, value in zip(listings, said, strict=True)
                if value is not None
            ]
            zero.append((label, others))
        if zero:
            labels = join_words([label for label, _ in zero])
            sources = "; ".join(text for _, others in zero for text in others)
            yield Found(
                subject=f"offering:{offering.id}",
                message=(
                    f"{data.offering_label(offering)} shows a $0 {labels} price, but no source says it is "
                    f"free{f' ({sources})' if sources else ''}. Enter the real price, or clear it if unknown."
                ),
                fix_url=admin_change_url(Offering, offering.id),
                evidence={"zero": [label for label, _ in zero], "sources": [o for _, others in zero for o in others]},
                public_note=(
                    f"The $0 {labels} price at {data.providers[offering.provider_id].name} is "
                    "unverified: no source says the model is free there."
                ),
                **data.offering_ids(offering),
            )


@rule("price-input-above-output", "Input priced far above output", Severity.WARNING, "prices")
def price_input_above_output(data: Snapshot) -> Iterator[Found]:
    """An offering's input price is more than twice its output price. Output tokens almost always cost
    more than input tokens, so the two are probably swapped or one is wrong."""
    for offering in data.offerings.values():
        low, high = offering.price_output, offering.price_input
        if not low or not high or high <= INPUT_OVER_OUTPUT_FACTOR * low or not is_serving(data, offering):
            continue
        yield Found(
            subject=f"offering:{offering.id}",
            message=(
                f"{data.offering_label(offering)}: input {_price(high)} is {_times(high / low)} the output "
                f"{_price(low)} per million tokens. Check whether the two prices are swapped."
            ),
            fix_url=admin_change_url(Offering, offering.id),
            evidence=[str(high), str(low)],
            public_note=(
                f"Prices at {data.providers[offering.provider_id].name} are unverified: input is "
                "priced far above output."
            ),
            **data.offering_ids(offering),
        )


@rule("price-sources-disagree", "Sources' prices more than 3× apart", Severity.ERROR, "prices")
def price_sources_disagree(data: Snapshot) -> Iterator[Found]:
    """Two sources give prices for the same offering that are more than three times apart (or one
    says free and the other does not). Both values are in admin → Disagreements; the offering shows
    the price of the source that created it."""
    for row in data.disagreements:
        offering = data.offerings.get(row.offering_id)
        said = {source: _decimal(value) for source, value in sorted(row.values.items())}
        said = {source: value for source, value in said.items() if value is not None}
        if offering is None or len(said) < 2:
            continue
        low, high = min(said.values()), max(said.values())
        if high == 0 or (low and high <= PRICE_SPREAD_FACTOR * low):
            continue
        side_by_side = ", ".join(f"{_source(source)} says {_price(value)}" for source, value in said.items())
        yield Found(
            subject=f"offering:{offering.id}:{row.field}",
            message=(
                f"{data.offering_label(offering)}: sources disagree on the {FIELD_LABELS[row.field]} "
                f"({side_by_side}; {_ratio(low, high)}). Set the right price; your edit is kept by "
                "later imports."
            ),
            fix_url=admin_change_url(Offering, offering.id),
            evidence={source: str(value) for source, value in said.items()},
            **data.offering_ids(offering),
        )


@rule("price-providers-spread", "Providers' prices more than 3× apart", Severity.INFO, "prices")
def price_providers_spread(data: Snapshot) -> Iterator[Found]:
    """The cheapest and the dearest provider of one variant charge more than three times apart for
    input or for output. Resellers differ, but a wide spread is often a unit error (per token, per
    thousand) or a different model behind the same name."""
    for variant_id, offerings in data.offerings_by_variant.items():
        serving = [o for o in offerings if is_serving(data, o)]
        for name in ("price_input", "price_output"):
            priced = sorted(
                (getattr(o, name), data.providers[o.provider_id].name, o.model_id, o.id)
                for o in serving
                if getattr(o, name)
            )
            if len({p[1] for p in priced}) < 2:
                continue
            low, high = priced[0], priced[-1]
            if high[0] <= PRICE_SPREAD_FACTOR * low[0]:
                continue
            variant = data.variants[variant_id]
            yield Found(
                subject=f"variant:{variant_id}:{name}",
                message=(
                    f"{variant.name}: the {FIELD_LABELS[name]} runs from {_price(low[0])} ({low[2]} at "
                    f"{low[1]}) to {_price(high[0])} ({high[2]} at {high[1]}), {_ratio(low[0], high[0])}, "
                    f"across {len(priced)} offerings. Check the outliers."
                ),
                fix_url=admin_change_url(Variant, variant_id),
                evidence=[[str(low[0]), low[3]], [str(high[0]), high[3]]],
                **_variant_ids(variant),
            )
