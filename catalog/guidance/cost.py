"""Monthly cost of a usage at an offering, and when each price was last checked."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from catalog.formatting import join_words

MILLION = Decimal(1_000_000)

COST_RULE = (
    "Monthly cost = input tokens not read from cache × input price + cached input tokens × cached input price "
    "(the input price where the provider lists no cached price) + output tokens × output price, with prices in "
    "USD per million tokens. Cache writes, taxes and volume discounts are not included."
)


@dataclass(frozen=True)
class Usage:
    """Tokens a month. Cached input tokens are the part of the input tokens read from a prompt cache."""

    input_tokens: int = 0
    output_tokens: int = 0
    cached_tokens: int = 0

    def describe(self) -> str:
        parts = [f"{self.input_tokens:,} input", f"{self.output_tokens:,} output"]
        if self.cached_tokens:
            parts.append(f"{self.cached_tokens:,} cached input")
        return f"{join_words(parts)} tokens a month"


@dataclass(frozen=True)
class Cost:
    total: Decimal
    input: Decimal
    cached: Decimal
    output: Decimal
    cached_at_input_price: bool


def monthly_cost(offering, usage: Usage) -> Cost | None:
    """The month's cost of `usage` at one offering; None when the offering has no input or output price."""
    if not is_priced(offering):
        return None
    cached_tokens = min(usage.cached_tokens, usage.input_tokens)
    cache_price = getattr(offering, "price_cache_read", None)
    at_input = cache_price is None
    input_cost = Decimal(usage.input_tokens - cached_tokens) * offering.price_input / MILLION
    cached_cost = Decimal(cached_tokens) * (offering.price_input if at_input else cache_price) / MILLION
    output_cost = Decimal(usage.output_tokens) * offering.price_output / MILLION
    return Cost(
        input_cost + cached_cost + output_cost, input_cost, cached_cost, output_cost, at_input and cached_tokens > 0
    )


PAY_PER_TOKEN = "pay_per_token"  # catalog.models.OfferingKind.PAY_PER_TOKEN


def is_priced(offering) -> bool:
    """Only a pay-per-token offering's prices are prices: a subscription's or a free tier's $0 is not."""
    return (
        getattr(offering, "kind", PAY_PER_TOKEN) == PAY_PER_TOKEN
        and offering.price_input is not None
        and offering.price_output is not None
    )


@dataclass(frozen=True)
class PriceCheck:
    """When a price was last confirmed, and by whom."""

    date: date | None
    basis: str  # "curator", a source's name, or "" when never checked

    def describe(self) -> str:
        if self.date is None:
            return "not checked"
        return f"{self.date:%Y-%m-%d} ({self.basis})"


def price_check(offering, listing_sources: Iterable[str] = (), last_runs: dict | None = None) -> PriceCheck:
    """A curator's `price_checked` date wins; else the last successful import of a source that lists it.

    `listing_sources` are the sources that list the offering now; `last_runs` maps a source to the
    date its latest successful import finished (that run saw every listing still marked listed).
    """
    if getattr(offering, "price_checked", None):
        return PriceCheck(offering.price_checked, "curator")
    last_runs = last_runs or {}
    seen = sorted(((last_runs[s], s) for s in set(listing_sources) if last_runs.get(s)), reverse=True)
    if seen:
        return PriceCheck(seen[0][0], f"{seen[0][1]} import")
    return PriceCheck(None, "")


@dataclass(frozen=True)
class CostRow:
    offering: object
    cost: Cost | None
    checked: PriceCheck


def cost_table(offerings: Sequence, usage: Usage, checks: dict | None = None) -> list[CostRow]:
    """One row per offering: priced ones cheapest first (provider and model id break ties), then unpriced.

    `checks` maps an offering's pk to its PriceCheck; offerings without one are "not checked".
    """
    checks = checks or {}
    rows = [CostRow(o, monthly_cost(o, usage), checks.get(getattr(o, "pk", None), price_check(o))) for o in offerings]
    return sorted(
        rows,
        key=lambda row: (
            row.cost is None,
            row.cost.total if row.cost else 0,
            row.offering.provider.name.lower(),
            row.offering.model_id,
        ),
    )
