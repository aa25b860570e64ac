"""The family FAQ: questions asked only when the family's data answers them, and FAQPage JSON-LD.

Pure functions; every sentence is derived from the data passed in, never stored. One module past 400
lines on purpose: one answer function per question, in the order the page asks them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from catalog.formatting import format_price, format_tokens, join_words, name_list, plural
from catalog.guidance.cost import is_priced
from catalog.guidance.signals import is_own_model, is_pickable, max_context, most_capable, parameter_signal, signals

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
    variant_count: int | None = None  # when `variants` is not given: how many there are
    widest: int | None = None  # and the widest context among them

    @property
    def size(self) -> int:
        return len(self.variants) if self.variant_count is None else self.variant_count

    @property
    def reach(self) -> str:
        widest = max_context(self.variants) if self.variant_count is None else self.widest
        return f"reaches up to {format_tokens(widest)} context" if widest else "lists no context window"


UNATTRIBUTED = ("", "Unattributed")  # the importers' creator for a family no source attributes


def _by(facts: FamilyFacts) -> str:
    """ " by Haotian Liu", or nothing where the catalog does not know the maker."""
    return "" if facts.creator in UNATTRIBUTED else f" by {facts.creator}"


def compare_answer(family: FamilyFacts, related: FamilyFacts) -> str:
    return (
        f"{family.name}{_by(family)} is strongest where you need "
        f"{focus(family.use_cases, family.strengths)}, while {related.name}{_by(related)} is the "
        f"closest related family to check for {focus(related.use_cases, related.strengths)}. "
        f"{family.name} has {plural(family.size, 'listed variant')} and {family.reach}, "
        f"while {related.name} {related.reach}, so compare the specs and pricing tables before "
        "choosing a production model."
    )


def pricing_is_complete(offerings: Sequence) -> bool:
    return bool(offerings) and all(is_priced(o) for o in offerings)


def cheapest_offering(offerings: Sequence):
    """The priced offering with the lowest input plus output price (input price breaks ties)."""
    pickable: dict[int, bool] = {}

    def pick(o) -> bool:
        key = id(getattr(o, "variant", None))
        if key not in pickable:
            pickable[key] = _pickable_offering(o)
        return pickable[key]

    # A subscription's, free tier's or router's $0 is not a price; an offering no source lists any more has none.
    priced = [o for o in offerings if is_priced(o) and getattr(o, "listed", True) and pick(o)]
    if not priced:
        return None
    return min(priced, key=lambda o: (o.price_input + o.price_output, o.price_input, o.model_id))


def _pickable_offering(offering) -> bool:
    variant = getattr(offering, "variant", None)
    return variant is None or is_pickable(variant)


def which_model_answer(family_name: str, variants: Sequence, offerings: Sequence) -> str | None:
    best = most_capable(variants)
    if best is None:
        return None
    cheapest = cheapest_offering(offerings)
    if cheapest is not None:
        complete = pricing_is_complete(offerings)
        price_part = (
            f"If price is the main constraint, start with {cheapest.variant.name} at {cheapest.provider.name}, "
            f"the cheapest {'listed' if complete else 'pay-per-token'} offering at "
            f"{format_price(cheapest.price_input)} per million input tokens "
            f"and {format_price(cheapest.price_output)} per million output tokens."
        )
        if not complete:
            unpriced = sum(1 for o in offerings if not is_priced(o))
            price_part += (
                f" {unpriced} of {plural(len(offerings), 'offering')} {_verb(unpriced, 'has', 'have')} "
                "no per-token price in the catalog, so check the pricing table too."
            )
    else:
        price_part = (
            "If price is the main constraint, use the pricing table first because "
            f"{family_name} does not have complete provider pricing in the local data."
        )
    if not is_pickable(best):
        return (
            f"{price_part} Every current {family_name} variant is an alias, a router or a community merge, so "
            "the catalog names none as the pick: compare them in the specifications."
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


def _verb(count: int, singular: str, plural_form: str) -> str:
    return singular if count == 1 else plural_form


def _unknown_count(unknown: int, total: int, family_name: str, what: str) -> str:
    """ " 3 of 4 listed LLaVA variants have no context window in the catalog." (empty when none)."""
    if not unknown:
        return ""
    return f" {unknown} of {plural(total, f'listed {family_name} variant')} {_verb(unknown, 'has', 'have')} no {what} in the catalog."


def _on_or_in(variant) -> str:
    """ "on 2024-05-13" for a day, "in 2023-04" for a month or a year."""
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
        weights = (
            f"{yes[0]} is open weights."
            if len(yes) == 1
            else f"All {len(yes)} listed {family_name} variants are open weights."
        )
    elif no and not yes and not unknown:
        weights = (
            f"{no[0]} is not open weights."
            if len(no) == 1
            else f"None of the {len(no)} listed {family_name} variants is open weights."
        )
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
        license_part = ""  # the question then asks only about the weights
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
        price = (offering.price_input + offering.price_output) if is_priced(offering) else None
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
        retired = f", retired {variant.retirement_date:%Y-%m-%d}" if getattr(variant, "retirement_date", None) else ""
        sentences.append(f"{variant.name} was replaced by {new.name}{where}{retired}: use {new.name} for new work.")
    if len(replaced) > limit:
        sentences.append(
            f"{plural(len(replaced) - limit, 'more variant')} also {_verb(len(replaced) - limit, 'names', 'name')} a replacement."
        )
    return " ".join(sentences)


def released_answer(family_name: str, variants: Sequence) -> str | None:
    """When was X released? The first and the latest listed release."""
    variants = list(variants)
    dated = [v for v in variants if v.release_date]
    if not dated:
        return None
    known = len(dated)
    dated = [v for v in dated if is_own_model(v)] or dated  # no alias, router or merge is named
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
    return answer + _unknown_count(len(variants) - known, len(variants), family_name, "release date")


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
                FAQItem(
                    f"compare:{other.name}",
                    f"How does {family.name} compare to {other.name}?",
                    compare_answer(family, other),
                )
                for other in related[1:]
            )
    name, variants = family.name, family.variants
    candidates = [
        ("context", f"What context window does {name} support?", context_answer(name, variants)),
        *(
            (f"inputs:{modality}", f"Which {name} models accept {word}?", modality_answer(name, variants, modality))
            for modality, word in MODALITY_WORDS.items()
        ),
        (
            "open_weights",
            f"Is {name} open weights, and under what license?" if _any_license(family) else f"Is {name} open weights?",
            open_weights_answer(name, variants, family.license),
        ),
        ("providers", f"Which providers offer {name}, and at what price?", providers_answer(name, offerings)),
        ("replaced", f"What replaced {name}?", replaced_answer(name, variants)),
        ("released", f"When was {name} released?", released_answer(name, variants)),
    ]
    items.extend(FAQItem(key, question, answer) for key, question, answer in candidates if answer)
    return items


def _any_license(family: FamilyFacts) -> bool:
    return bool(family.license or any((getattr(v, "license", "") or "").strip() for v in family.variants))


def same_question(a: str, b: str) -> bool:
    """Questions match when they differ only in case, spacing and the final question mark."""

    def norm(text: str) -> str:
        return " ".join(text.lower().replace("?", " ").split())

    return norm(a) == norm(b)


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
