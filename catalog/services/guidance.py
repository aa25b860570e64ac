"""Guidance generated from catalog data: signals, use-when lines and the family FAQ.

Pure functions over model instances (or anything with the same attributes): no queries, no
writes. Every sentence is derived from the data passed in, never stored.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

CAPABILITY_SIGNALS = (
    ("tool_calling", "tool calling"),
    ("reasoning", "reasoning"),
    ("structured_output", "structured outputs"),
    ("open_weights", "open weights"),
)


# --- Formatting ---------------------------------------------------------------------------


def _trim(number: float) -> str:
    text = f"{number:.1f}"
    return text[:-2] if text.endswith(".0") else text


def format_tokens(tokens: int) -> str:
    """4096 → "4k", 131072 → "128k", 200000 → "200k", 1000000 → "1M"."""
    for decimal, binary, suffix in ((1_000_000, 1_048_576, "M"), (1000, 1024, "k")):
        if tokens >= decimal:
            base = binary if tokens % decimal and not tokens % binary else decimal
            return f"{_trim(tokens / base)}{suffix}"
    return str(tokens)


def format_parameters(parameters: int) -> str:
    """7e9 → "7B", 1.5e9 → "1.5B", 400e6 → "400M", 1.8e12 → "1.8T"."""
    for scale, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K")):
        if parameters >= scale:
            return f"{_trim(parameters / scale)}{suffix}"
    return str(parameters)


def format_price(price: Decimal) -> str:
    """USD with two decimals, or more where the price needs them: $3.00, $0.15, $0.075."""
    exponent = price.normalize().as_tuple().exponent
    places = max(2, -exponent) if isinstance(exponent, int) else 2
    return f"${price:.{places}f}"


def join_words(items: Sequence[str]) -> str:
    """"a", "a and b", "a, b, and c"."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    if len(items) == 2:
        return f"{items[0]} and {items[1]}"
    return f"{', '.join(items[:-1])}, and {items[-1]}"


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    return f"{count} {singular if count == 1 else (plural_form or singular + 's')}"


# --- Variants -----------------------------------------------------------------------------


def context_signal(variant) -> str | None:
    return f"{format_tokens(variant.context_window)} context" if variant.context_window else None


def parameter_signal(variant) -> str | None:
    return f"{format_parameters(variant.parameters)} parameters" if variant.parameters else None


def is_multimodal(variant) -> bool:
    return len(variant.input_modalities or []) > 1


def signals(variant) -> list[str]:
    """What a variant offers a workload, in a fixed order: context, size, inputs, capabilities."""
    found = [context_signal(variant), parameter_signal(variant)]
    if variant.active_parameters and variant.parameters and variant.active_parameters < variant.parameters:
        found.append(f"{format_parameters(variant.active_parameters)} active parameters")
    if is_multimodal(variant):
        found.append("multimodal inputs")
    found.extend(label for field, label in CAPABILITY_SIGNALS if getattr(variant, field) is True)
    return [signal for signal in found if signal]


def use_when(variant) -> str:
    """The one-line guidance for a variant."""
    replacement = getattr(variant, "replaced_by", None)
    if replacement is not None:
        return f"Replaced by {replacement.name}: use {replacement.name} for new work."
    found = signals(variant)
    if not found:
        return "No use-when signal yet: the catalog lists no context, size or capability for it."
    return f"Use when the workload needs {join_words(found)}."


def capability_rank(variant) -> tuple:
    """Higher is more capable; ties go to the later release."""
    true_capabilities = sum(getattr(variant, field) is True for field, _ in CAPABILITY_SIGNALS)
    return (
        len(variant.input_modalities or []),
        variant.context_window or 0,
        true_capabilities,
        variant.parameters or 0,
        variant.release_date or date.min,
    )


def most_capable(variants: Iterable) -> object | None:
    """The most capable current variant (or most capable of all when none is current).

    Among equals, the first in the given order wins, so the result is deterministic.
    """
    variants = list(variants)
    current = [v for v in variants if v.status == "current" and getattr(v, "replaced_by", None) is None]
    pool = current or variants
    if not pool:
        return None
    best = pool[0]
    for variant in pool[1:]:
        if capability_rank(variant) > capability_rank(best):
            best = variant
    return best


def family_line(variants: Iterable) -> str:
    best = most_capable(variants)
    if best is None:
        return "The catalog lists no variant of this family yet."
    return use_when(best)


def max_context(variants: Iterable) -> int | None:
    windows = [v.context_window for v in variants if v.context_window]
    return max(windows) if windows else None


# --- Family FAQ ---------------------------------------------------------------------------


@dataclass(frozen=True)
class FAQItem:
    key: str
    question: str
    answer: str


def focus(use_cases: Sequence[str], strengths: Sequence[str]) -> str:
    """What a family is best at: its first strength, else its first use case."""
    if strengths:
        return strengths[0]
    if use_cases:
        return use_cases[0]
    return "its listed workloads"


def reach(variants: Sequence) -> str:
    widest = max_context(variants)
    if widest is None:
        return "lists no context window"
    return f"reaches up to {format_tokens(widest)} context"


def used_for_answer(family_name: str, use_cases: Sequence[str]) -> str | None:
    if not use_cases:
        return None
    return (
        f"{family_name} is used for {join_words(use_cases)} use cases. The family description and listed "
        "model capabilities point to those workloads as the best fit."
    )


@dataclass(frozen=True)
class FamilyFacts:
    """What the comparison needs to know about one family."""

    name: str
    creator: str
    variants: Sequence
    use_cases: Sequence[str] = ()
    strengths: Sequence[str] = ()


def compare_answer(family: FamilyFacts, related: FamilyFacts) -> str:
    return (
        f"{family.name} by {family.creator} is strongest where you need "
        f"{focus(family.use_cases, family.strengths)}, while {related.name} by {related.creator} is the "
        f"closest related family to check for {focus(related.use_cases, related.strengths)}. "
        f"{family.name} has {plural(len(family.variants), 'listed variant')} and {reach(family.variants)}, "
        f"while {related.name} {reach(related.variants)}, so compare the specs and pricing tables before "
        "choosing a production model."
    )


def pricing_is_complete(offerings: Sequence) -> bool:
    return bool(offerings) and all(o.price_input is not None and o.price_output is not None for o in offerings)


def cheapest_offering(offerings: Sequence):
    """The priced offering with the lowest input plus output price (input price breaks ties)."""
    priced = [o for o in offerings if o.price_input is not None and o.price_output is not None]
    if not priced:
        return None
    return min(priced, key=lambda o: (o.price_input + o.price_output, o.price_input, o.model_id))


def which_model_answer(family_name: str, variants: Sequence, offerings: Sequence) -> str | None:
    best = most_capable(variants)
    if best is None:
        return None
    if pricing_is_complete(offerings):
        cheapest = cheapest_offering(offerings)
        price_part = (
            f"If price is the main constraint, start with {cheapest.variant.name} at {cheapest.provider.name}, "
            f"the cheapest listed offering at {format_price(cheapest.price_input)} per million input tokens "
            f"and {format_price(cheapest.price_output)} per million output tokens."
        )
    else:
        price_part = (
            "If price is the main constraint, use the pricing table first because "
            f"{family_name} does not have complete provider pricing in the local data."
        )
    strengths = [s for s in signals(best) if s != parameter_signal(best)]
    with_part = f" with {join_words(strengths)}" if strengths else ""
    return f"{price_part} For the most capable/latest local choice, evaluate {best.name}{with_part}."


def family_faq(
    family: FamilyFacts,
    offerings: Sequence,
    related: FamilyFacts | None = None,
) -> list[FAQItem]:
    """The generated questions, in the seed's order; a question is asked only when data answers it."""
    items = []
    if answer := used_for_answer(family.name, family.use_cases):
        items.append(FAQItem("used_for", f"What is {family.name} used for?", answer))
    if related is not None:
        items.append(
            FAQItem("compare", f"How does {family.name} compare to {related.name}?", compare_answer(family, related))
        )
    if answer := which_model_answer(family.name, family.variants, offerings):
        items.append(FAQItem("which_model", f"Which {family.name} model should I use?", answer))
    return items


# --- Release timeline ---------------------------------------------------------------------


@dataclass(frozen=True)
class ReleaseGroup:
    label: str
    variants: list


def release_groups(variants: Iterable) -> list[ReleaseGroup]:
    """Variants grouped by release month, oldest first; unknown dates last."""
    groups: dict[str, list] = {}
    for variant in sorted(variants, key=lambda v: (v.release_date is None, v.release_date or date.min)):
        label = variant.release_month or "Release date unknown"
        groups.setdefault(label, []).append(variant)
    return [ReleaseGroup(label, members) for label, members in groups.items()]
