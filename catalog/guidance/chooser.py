"""The model chooser: which variants meet a workload's needs, in a stated, deterministic order.

Pure functions over plain data (`Candidate`, `Price`, `Needs`): no queries. The selector turns flat
rows into candidates; everything a visitor reads (reasons, costs, what to relax) is decided here,
in the guidance engine's words.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from urllib.parse import urlencode

from catalog import guidance

RANKING_RULE = (
    "Variants that meet every stated need are ranked by four rules, each breaking the ties of the one before: "
    "(1) current variants before replaced or legacy ones; "
    "(2) priced variants before unpriced ones, the lowest estimated monthly cost first at each variant's "
    "cheapest matching offering (without monthly tokens, the lowest input plus output price per million); "
    "(3) the most capable first, as the family guidance judges it: more input modalities, then longer context, "
    "more listed capabilities, more parameters, a later release; "
    "(4) family and variant name, alphabetically. "
    "Unknown values never meet a need: a variant without a listed context window does not meet a minimum context."
)

ZERO_PRICE_NOTE = (
    "A $0.00 price is what the source lists for that offering: usually a free tier, or a subscription plan that "
    "does not charge per token. Check the provider's terms before relying on it."
)

COMPARE_PATH = "/compare/"
COMPARE_TOP = 4

FLAG_NEEDS = (
    ("tool_calling", "tool calling"),
    ("reasoning", "reasoning"),
    ("structured_output", "structured outputs"),
    ("open_weights", "open weights"),
)


@dataclass(frozen=True)
class Price:
    """One offering as the chooser sees it."""

    provider: str
    model_id: str
    price_input: Decimal | None
    price_output: Decimal | None
    price_cache_read: Decimal | None = None

    @property
    def is_priced(self) -> bool:
        return self.price_input is not None and self.price_output is not None


@dataclass(frozen=True)
class Ref:
    """A variant named by another (its replacement)."""

    name: str
    family_slug: str = ""
    slug: str = ""


@dataclass
class Candidate:
    """A variant as the chooser sees it; attribute names match Variant, so the guidance functions apply."""

    pk: int
    name: str
    slug: str
    family_name: str
    family_slug: str
    status: str = "current"
    context_window: int | None = None
    parameters: int | None = None
    active_parameters: int | None = None
    input_modalities: list[str] = field(default_factory=list)
    tool_calling: bool | None = None
    reasoning: bool | None = None
    structured_output: bool | None = None
    open_weights: bool | None = None
    release_date: date | None = None
    replaced_by: Ref | None = None
    prices: list[Price] = field(default_factory=list)

    @property
    def is_replaced(self) -> bool:
        return self.replaced_by is not None or self.status != "current"

    @property
    def ref(self) -> str:
        return f"{self.family_slug}/{self.slug}"


@dataclass(frozen=True)
class Needs:
    """What the workload needs. None or False means "no need stated"."""

    modalities: tuple[str, ...] = ()
    context_min: int | None = None
    tool_calling: bool = False
    reasoning: bool = False
    structured_output: bool = False
    open_weights: bool = False
    params_max: int | None = None
    price_input_max: Decimal | None = None
    price_output_max: Decimal | None = None
    input_tokens: int | None = None
    output_tokens: int | None = None

    @property
    def usage(self) -> guidance.Usage | None:
        if not self.input_tokens and not self.output_tokens:
            return None
        return guidance.Usage(self.input_tokens or 0, self.output_tokens or 0)

    @property
    def limits_price(self) -> bool:
        return self.price_input_max is not None or self.price_output_max is not None


# --- Constraints ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Constraint:
    """One stated need: how to test it, how to say why a variant meets it, and how to relax it."""

    key: str
    label: str
    test: Callable[[Candidate], bool]
    reason: Callable[[Candidate], str]
    params: tuple[tuple[str, str | None], ...]  # (GET name, value or None for every value) that state it


def _within(price: Price, needs: Needs) -> bool:
    if not price.is_priced:
        return False
    if needs.price_input_max is not None and price.price_input > needs.price_input_max:
        return False
    return needs.price_output_max is None or price.price_output <= needs.price_output_max


def _per_million(needs: Needs) -> str:
    parts = []
    if needs.price_input_max is not None:
        parts.append(f"{guidance.format_price(needs.price_input_max)} per million input tokens")
    if needs.price_output_max is not None:
        parts.append(f"{guidance.format_price(needs.price_output_max)} per million output tokens")
    return guidance.join_words(parts)


def constraints(needs: Needs) -> list[Constraint]:
    """The needs as constraints, in the form's order."""
    found = []
    for modality in needs.modalities:
        word = guidance.MODALITY_WORDS.get(modality, modality)
        found.append(Constraint(
            f"modality:{modality}", f"accepts {word}",
            lambda c, m=modality: m in (c.input_modalities or []),
            lambda c, m=modality: f"needs {m} input: takes {guidance.join_words(c.input_modalities)}",
            (("modality", modality),),
        ))
    if needs.context_min:
        wanted = guidance.format_tokens(needs.context_min)
        found.append(Constraint(
            "context_min", f"at least {wanted} context",
            lambda c: bool(c.context_window) and c.context_window >= needs.context_min,
            lambda c: f"needs {wanted} context: has {guidance.format_tokens(c.context_window)}",
            (("context_min", None),),
        ))
    for name, words in FLAG_NEEDS:
        if getattr(needs, name):
            found.append(Constraint(
                name, words,
                lambda c, n=name: getattr(c, n) is True,
                lambda c, w=words: f"needs {w}: listed as supported",
                ((name, None),),
            ))
    if needs.params_max:
        limit = guidance.format_parameters(needs.params_max)
        found.append(Constraint(
            "params_max", f"at most {limit} parameters",
            lambda c: bool(c.parameters) and c.parameters <= needs.params_max,
            lambda c: f"needs at most {limit} parameters: has {guidance.format_parameters(c.parameters)}",
            (("params_max", None),),
        ))
    if needs.limits_price:
        def price_reason(c: Candidate) -> str:
            best = cheapest_price(c, needs)
            return (f"needs at most {_per_million(needs)}: {guidance.format_price(best.price_input)} input and "
                    f"{guidance.format_price(best.price_output)} output at {best.provider}")
        found.append(Constraint(
            "price", f"at most {_per_million(needs)}",
            lambda c: any(_within(p, needs) for p in c.prices),
            price_reason,
            (("price_input_max", None), ("price_output_max", None)),
        ))
    return found


# --- Cost and price at the cheapest matching offering ---------------------------------------


def cheapest_price(candidate: Candidate, needs: Needs) -> Price | None:
    """The priced offering that meets the price limits and costs least for the stated usage.

    Without monthly tokens, the lowest input plus output price (input price, provider and model id
    break ties), as the family guidance picks its cheapest offering.
    """
    usage = needs.usage
    matching = [p for p in candidate.prices if _within(p, needs)]
    if not matching:
        return None

    def key(price: Price):
        cost = guidance.monthly_cost(price, usage).total if usage else price.price_input + price.price_output
        return (cost, price.price_input, price.provider.lower(), price.model_id)

    return min(matching, key=key)


# --- Ranking ----------------------------------------------------------------------------------


def _capability_key(candidate: Candidate) -> tuple:
    modalities, context, capabilities, parameters, released = guidance.capability_rank(candidate)
    return (-modalities, -context, -capabilities, -parameters, -released.toordinal())


def rank_key(candidate: Candidate, needs: Needs) -> tuple:
    """The ranking rule (RANKING_RULE) as a sort key: lower sorts first."""
    price = cheapest_price(candidate, needs)
    if price is None:
        money: tuple = (1, Decimal(0))
    elif needs.usage:
        money = (0, guidance.monthly_cost(price, needs.usage).total)
    else:
        money = (0, price.price_input + price.price_output)
    return (candidate.is_replaced, *money, *_capability_key(candidate), candidate.family_name.lower(),
            candidate.name.lower(), candidate.pk)


@dataclass(frozen=True)
class Match:
    rank: int
    candidate: Candidate
    reasons: list[str]
    price: Price | None
    cost: guidance.Cost | None
    signals: list[str]


def reasons_for(candidate: Candidate, needs: Needs, stated: Sequence[Constraint]) -> list[str]:
    """Why a matching variant is listed, in the guidance's words."""
    found = [constraint.reason(candidate) for constraint in stated if constraint.key != "price"]
    price = cheapest_price(candidate, needs)
    if any(constraint.key == "price" for constraint in stated):
        found.append(next(c for c in stated if c.key == "price").reason(candidate))
    if price is not None:
        found.append(
            f"cheapest matching offering: {guidance.format_price(price.price_input)} per million input tokens "
            f"at {price.provider}"
        )
    elif candidate.prices:
        found.append("no price in the catalog: check its providers")
    else:
        found.append("no provider in the catalog")
    if candidate.replaced_by is not None:
        found.append(f"replaced by {candidate.replaced_by.name}: consider {candidate.replaced_by.name}")
    elif candidate.status != "current":
        found.append(f"{candidate.status}: prefer a current variant for new work")
    return found


# --- When nothing matches ----------------------------------------------------------------------


@dataclass(frozen=True)
class Relaxation:
    constraint: Constraint
    excludes: int  # variants that fail this need
    would_add: int  # variants that meet every other need but this one
    nearest: str  # the value that would let the closest of them in ("" when it does not apply)
    nearest_params: tuple[tuple[str, str], ...] = ()  # GET values that set it


def _nearest(constraint: Constraint, near: Sequence[Candidate], needs: Needs) -> tuple[str, tuple]:
    if constraint.key == "context_min":
        windows = [c.context_window for c in near if c.context_window]
        if windows:
            best = max(windows)
            return f"lower the minimum to {guidance.format_tokens(best)} context", (("context_min", str(best)),)
    if constraint.key == "params_max":
        sizes = [c.parameters for c in near if c.parameters]
        if sizes:
            best = min(sizes)
            billions = (Decimal(best) / Decimal(10**9)).normalize()
            return (f"raise the maximum to {guidance.format_parameters(best)} parameters",
                    (("params_max", f"{billions:f}"),))
    if constraint.key == "price":
        prices = [p for c in near for p in c.prices if p.is_priced]
        if prices:
            low = min(prices, key=lambda p: (p.price_input + p.price_output, p.provider.lower(), p.model_id))
            text = (f"the cheapest of them is {guidance.format_price(low.price_input)} input and "
                    f"{guidance.format_price(low.price_output)} output per million tokens at {low.provider}")
            return (text,
                    (("price_input_max", f"{low.price_input.normalize():f}"),
                     ("price_output_max", f"{low.price_output.normalize():f}")))
    return "", ()


def relaxations(candidates: Sequence[Candidate], stated: Sequence[Constraint], needs: Needs) -> list[Relaxation]:
    """For each need: how many variants it excludes and how many dropping it alone would add.

    Most excluding first; the form's order breaks ties.
    """
    failing = {constraint.key: [c for c in candidates if not constraint.test(c)] for constraint in stated}
    found = []
    for constraint in stated:
        others = [o for o in stated if o.key != constraint.key]
        near = [c for c in failing[constraint.key] if all(o.test(c) for o in others)]
        nearest, params = _nearest(constraint, near, needs)
        found.append(Relaxation(constraint, len(failing[constraint.key]), len(near), nearest, params))
    order = {constraint.key: i for i, constraint in enumerate(stated)}
    return sorted(found, key=lambda r: (-r.excludes, order[r.constraint.key]))


def explain_no_match(relaxed: Sequence[Relaxation], considered: int) -> str:
    """One sentence naming the need that excluded the most variants."""
    if not considered or not relaxed:
        return "The catalog lists no variant to choose from yet."
    worst = relaxed[0]
    text = (
        f"No variant meets every need. \"{worst.constraint.label}\" excluded the most: "
        f"{guidance.plural(worst.excludes, "variant")} of {considered}."
    )
    helpful = [r for r in relaxed if r.would_add]
    if helpful:
        best = max(helpful, key=lambda r: r.would_add)
        text += f" Dropping \"{best.constraint.label}\" alone would add {guidance.plural(best.would_add, "variant")}."
    else:
        text += " No single change is enough: drop two or more needs."
    return text


# --- The answer ----------------------------------------------------------------------------------


@dataclass
class Choice:
    needs: Needs
    constraints: list[Constraint]
    considered: int
    matches: list[Match]
    relaxations: list[Relaxation]
    explanation: str
    compare_refs: list[str]

    @property
    def shows_zero_price(self) -> bool:
        """Some match's cheapest offering is listed at $0 for input and output (see ZERO_PRICE_NOTE)."""
        return any(m.price is not None and not m.price.price_input and not m.price.price_output for m in self.matches)


def choose(candidates: Iterable[Candidate], needs: Needs) -> Choice:
    """Every candidate that meets every need, ranked; or, when none does, what to relax."""
    candidates = list(candidates)
    stated = constraints(needs)
    meeting = [c for c in candidates if all(constraint.test(c) for constraint in stated)]
    meeting.sort(key=lambda c: rank_key(c, needs))
    matches = []
    for rank, candidate in enumerate(meeting, start=1):
        price = cheapest_price(candidate, needs)
        cost = guidance.monthly_cost(price, needs.usage) if price is not None and needs.usage else None
        matches.append(Match(rank, candidate, reasons_for(candidate, needs, stated), price, cost,
                             guidance.signals(candidate)))
    relaxed = [] if matches else relaxations(candidates, stated, needs)
    explanation = "" if matches else explain_no_match(relaxed, len(candidates))
    return Choice(needs, stated, len(candidates), matches, relaxed, explanation,
                  [m.candidate.ref for m in matches[:COMPARE_TOP]])


def compare_url(refs: Sequence[str]) -> str:
    """/compare/?v=family/variant&v=… for the given refs ("" when fewer than two)."""
    if len(refs) < 2:
        return ""
    return f"{COMPARE_PATH}?{urlencode([('v', ref) for ref in refs], safe='/')}"
