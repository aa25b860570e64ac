"""The model chooser: which variants meet a workload's needs, in a stated, deterministic order.

Pure functions over plain data (`Candidate`, `Price`, `Needs`): no queries. The selector turns flat
rows into candidates; everything a visitor reads (reasons, costs, what to relax) is decided here,
in the guidance engine's words.

Over 400 lines on purpose: the needs, the constraints they state, the ranking rule and the reasons
and relaxations that quote them are one vocabulary; split, each half would import the other's
private rules.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from urllib.parse import urlencode

from catalog import guidance

RANKING_RULE = (
    "A need is met by an offering that meets it itself: its own context window (the model's where the provider "
    "lists none), its own price, its provider and how it is sold; a model no provider serves is judged by its own "
    "specifications, as you would run it yourself. Aliases and routers are never ranked. "
    "Models that meet every stated need are ranked by five rules, each breaking the ties of the one before: "
    "(1) models with a pay-per-token offering that meets the needs first; the others (offered only by "
    "subscription, on a free tier, as a self-hosted runtime, or with no price in the catalog) are listed apart, "
    "after them, and never called the cheapest; "
    "(2) current variants before replaced or legacy ones; "
    "(3) the lowest estimated monthly cost first at each model's cheapest such offering (without monthly tokens, "
    "the lowest input plus output price per million); "
    "(4) the most capable first, as the family guidance judges it: more input modalities, then longer context, "
    "more listed capabilities, more parameters, a later release; "
    "(5) family and variant name, alphabetically. "
    "Unknown values never meet a need: a variant without a listed context window does not meet a minimum context."
)

ZERO_PRICE_NOTE = (
    "A $0.00 price is what the source lists for that pay-per-token offering. Check the provider's terms before "
    "relying on it."
)

# Offering kinds (catalog.models.OfferingKind values; the engine does not import models).
PAY_PER_TOKEN = "pay_per_token"
SELF_HOSTED = "self_hosted"
ROUTER = "router"
API_KINDS = ("pay_per_token", "subscription", "free_tier")
OFFERING_KIND_WORDS = {
    "pay_per_token": "pay per token",
    "subscription": "subscription",
    "free_tier": "free tier",
    "self_hosted": "self-hosted runtime",
    "router": "router",
}
DEPLOYMENTS = {"api": "served by an API", "self_hosted": "runs on your own hardware (open weights)"}

COMPARE_PATH = "/compare/"
COMPARE_TOP = 4

KIND_WORDS = {
    "chat": "chat",
    "embedding": "embedding",
    "speech": "speech-to-text",
    "tts": "text-to-speech",
    "image": "image generation",
    "video": "video generation",
    "rerank": "rerank",
    "moderation": "moderation",
}

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
    kind: str = PAY_PER_TOKEN
    context_window: int | None = None  # the provider's own limit; None: the model's
    provider_slug: str = ""

    @property
    def is_priced(self) -> bool:
        """Only a pay-per-token offering with both prices has a price the chooser ranks by."""
        return self.kind == PAY_PER_TOKEN and self.price_input is not None and self.price_output is not None

    @property
    def kind_words(self) -> str:
        return OFFERING_KIND_WORDS.get(self.kind, self.kind)


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
    kind: str = "chat"
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

    @property
    def usable_prices(self) -> list[Price]:
        """Offerings that can serve a need: routers are not the model."""
        return [price for price in self.prices if price.kind != ROUTER]


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
    kind: str = ""  # a ModelKind value: what to choose among; "" for every kind (routers are never ranked)
    provider: str = ""  # a provider's slug
    provider_name: str = ""
    deployment: str = ""  # "api", "self_hosted" or "" for either

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
    """One stated need: how to test it, how to say why a variant meets it, and how to relax it.

    A variant-level need (`offer_test` None) is tested on the model. An offering-level need is met by
    an offering that meets it itself (`offer_test`); a model with no usable offering is judged by
    `fallback` on its own specifications (None: it cannot meet the need).
    """

    key: str
    label: str
    test_variant: Callable[[Candidate], bool] | None
    reason: Callable[[Candidate], str]
    params: tuple[tuple[str, str | None], ...]  # (GET name, value or None for every value) that state it
    offer_test: Callable[[Candidate, Price], bool] | None = None
    fallback: Callable[[Candidate], bool] | None = None

    @property
    def per_offering(self) -> bool:
        return self.offer_test is not None

    def test(self, candidate: Candidate) -> bool:
        """Does the candidate meet this need alone?"""
        if self.offer_test is None:
            return self.test_variant(candidate)
        usable = candidate.usable_prices
        if not usable:
            return self.fallback is not None and self.fallback(candidate)
        return any(self.offer_test(candidate, price) for price in usable)


def offering_context(candidate: Candidate, price: Price) -> int | None:
    return price.context_window or candidate.context_window


def matching_prices(candidate: Candidate, stated: Sequence[Constraint]) -> list[Price]:
    """The candidate's offerings that meet every offering-level need together."""
    per_offering = [c for c in stated if c.per_offering]
    return [p for p in candidate.usable_prices if all(c.offer_test(candidate, p) for c in per_offering)]


def meets(candidate: Candidate, stated: Sequence[Constraint]) -> bool:
    """Every variant-level need, and one offering that meets every offering-level need by itself."""
    if candidate.kind == ROUTER:
        return False
    if not all(c.test_variant(candidate) for c in stated if not c.per_offering):
        return False
    per_offering = [c for c in stated if c.per_offering]
    if not per_offering:
        return True
    if not candidate.usable_prices:
        return all(c.fallback is not None and c.fallback(candidate) for c in per_offering)
    return bool(matching_prices(candidate, stated))


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
        found.append(
            Constraint(
                f"modality:{modality}",
                f"accepts {word}",
                lambda c, m=modality: m in (c.input_modalities or []),
                lambda c, m=modality: f"needs {m} input: takes {guidance.join_words(c.input_modalities)}",
                (("modality", modality),),
            )
        )
    if needs.context_min:
        wanted = guidance.format_tokens(needs.context_min)

        def context_reason(c: Candidate) -> str:
            windows = [offering_context(c, p) for p in c.usable_prices]
            windows = [w for w in windows if w and w >= needs.context_min] or [c.context_window]
            return f"needs {wanted} context: has {guidance.format_tokens(max(windows))}"

        found.append(
            Constraint(
                "context_min",
                f"at least {wanted} context",
                None,
                context_reason,
                (("context_min", None),),
                offer_test=lambda c, p: (offering_context(c, p) or 0) >= needs.context_min,
                fallback=lambda c: bool(c.context_window) and c.context_window >= needs.context_min,
            )
        )
    for name, words in FLAG_NEEDS:
        if getattr(needs, name):
            found.append(
                Constraint(
                    name,
                    words,
                    lambda c, n=name: getattr(c, n) is True,
                    lambda c, w=words: f"needs {w}: listed as supported",
                    ((name, None),),
                )
            )
    if needs.params_max:
        limit = guidance.format_parameters(needs.params_max)
        found.append(
            Constraint(
                "params_max",
                f"at most {limit} parameters",
                lambda c: bool(c.parameters) and c.parameters <= needs.params_max,
                lambda c: f"needs at most {limit} parameters: has {guidance.format_parameters(c.parameters)}",
                (("params_max", None),),
            )
        )
    if needs.deployment == "self_hosted":
        found.append(
            Constraint(
                "deployment",
                DEPLOYMENTS["self_hosted"],
                lambda c: c.open_weights is True or any(p.kind == SELF_HOSTED for p in c.prices),
                lambda c: (
                    "needs to run on your own hardware: "
                    + ("open weights" if c.open_weights is True else "a self-hosted runtime serves it")
                ),
                (("deployment", None),),
            )
        )
    elif needs.deployment == "api":
        found.append(
            Constraint(
                "deployment",
                DEPLOYMENTS["api"],
                None,
                lambda c: (
                    "needs an API: "
                    + guidance.join_words(sorted({p.provider for p in c.usable_prices if p.kind in API_KINDS})[:3])
                ),
                (("deployment", None),),
                offer_test=lambda c, p: p.kind in API_KINDS,
            )
        )
    if needs.provider:
        where = needs.provider_name or needs.provider
        found.append(
            Constraint(
                "provider",
                f"served by {where}",
                None,
                lambda c: f"needs {where}: served there",
                (("provider", None),),
                offer_test=lambda c, p: p.provider_slug == needs.provider,
            )
        )
    if needs.limits_price:

        def price_reason(c: Candidate) -> str:
            best = cheapest_price(c, needs)
            return (
                f"needs at most {_per_million(needs)}: {guidance.format_price(best.price_input)} input and "
                f"{guidance.format_price(best.price_output)} output at {best.provider}"
            )

        found.append(
            Constraint(
                "price",
                f"at most {_per_million(needs)}",
                None,
                price_reason,
                (("price_input_max", None), ("price_output_max", None)),
                offer_test=lambda c, p: _within(p, needs),
            )
        )
    return found


# --- Cost and price at the cheapest matching offering ---------------------------------------


def cheapest_price(candidate: Candidate, needs: Needs) -> Price | None:
    """The pay-per-token offering that meets every offering-level need and costs least for the usage.

    Without monthly tokens, the lowest input plus output price (input price, provider and model id
    break ties), as the family guidance picks its cheapest offering.
    """
    usage = needs.usage
    matching = [p for p in matching_prices(candidate, constraints(needs)) if p.is_priced]
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
    return (
        money[0],
        candidate.is_replaced,
        money[1],
        *_capability_key(candidate),
        candidate.family_name.lower(),
        candidate.name.lower(),
        candidate.pk,
    )


@dataclass(frozen=True)
class Match:
    rank: int
    candidate: Candidate
    reasons: list[str]
    price: Price | None
    cost: guidance.Cost | None
    signals: list[str]


def reasons_for(
    candidate: Candidate, needs: Needs, stated: Sequence[Constraint], price: Price | None = None
) -> list[str]:
    """Why a matching variant is listed, in the guidance's words (`price`: its cheapest_price, when known)."""
    found = [constraint.reason(candidate) for constraint in stated if constraint.key != "price"]
    price = price or cheapest_price(candidate, needs)
    if any(constraint.key == "price" for constraint in stated):
        found.append(next(c for c in stated if c.key == "price").reason(candidate))
    if price is not None:
        found.append(
            f"cheapest matching offering: {guidance.format_price(price.price_input)} per million input tokens "
            f"at {price.provider}"
        )
    elif apart := [p for p in matching_prices(candidate, stated) if p.kind != PAY_PER_TOKEN]:
        ways = sorted({f"{p.kind_words} at {p.provider}" for p in apart})
        found.append(f"no per-token price: {guidance.name_list(ways, 3)}")
    elif candidate.usable_prices:
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
            return (
                f"raise the maximum to {guidance.format_parameters(best)} parameters",
                (("params_max", f"{billions:f}"),),
            )
    if constraint.key == "price":
        prices = [p for c in near for p in c.usable_prices if p.is_priced]
        if prices:
            low = min(prices, key=lambda p: (p.price_input + p.price_output, p.provider.lower(), p.model_id))
            text = (
                f"the cheapest of them is {guidance.format_price(low.price_input)} input and "
                f"{guidance.format_price(low.price_output)} output per million tokens at {low.provider}"
            )
            return (
                text,
                (
                    ("price_input_max", f"{low.price_input.normalize():f}"),
                    ("price_output_max", f"{low.price_output.normalize():f}"),
                ),
            )
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
        f'No variant meets every need. "{worst.constraint.label}" excluded the most: '
        f"{guidance.plural(worst.excludes, 'variant')} of {considered}."
    )
    helpful = [r for r in relaxed if r.would_add]
    if helpful:
        best = max(helpful, key=lambda r: r.would_add)
        text += f' Dropping "{best.constraint.label}" alone would add {guidance.plural(best.would_add, "variant")}.'
    else:
        text += " No single change is enough: drop two or more needs."
    return text


# --- The answer ----------------------------------------------------------------------------------


@dataclass
class Choice:
    needs: Needs
    constraints: list[Constraint]
    considered: int
    matches: list[Match]  # priced ones first, then those listed apart (no pay-per-token offering)
    relaxations: list[Relaxation]
    explanation: str
    compare_refs: list[str]

    @property
    def ranked(self) -> list[Match]:
        """Matches with a pay-per-token offering that meets the needs: the only ones ranked by price."""
        return [m for m in self.matches if m.price is not None]

    @property
    def apart(self) -> list[Match]:
        """Matches without such an offering: subscription, free tier, self-hosted or no price; listed apart."""
        return [m for m in self.matches if m.price is None]

    @property
    def shows_zero_price(self) -> bool:
        """Some match's cheapest offering is listed at $0 for input and output (see ZERO_PRICE_NOTE)."""
        return any(m.price is not None and not m.price.price_input and not m.price.price_output for m in self.matches)


def in_pool(candidate: Candidate, needs: Needs) -> bool:
    """What the chooser chooses among: models of the stated kind (any kind when none is), never a router."""
    return candidate.kind != ROUTER and (not needs.kind or candidate.kind == needs.kind)


def kind_words(needs: Needs) -> str:
    """ "chat models", "embedding models", "models of every kind"."""
    return f"{KIND_WORDS.get(needs.kind, needs.kind)} models" if needs.kind else "models of every kind"


def choose(candidates: Iterable[Candidate], needs: Needs) -> Choice:
    """Every candidate that meets every need, ranked; or, when none does, what to relax."""
    candidates = [c for c in candidates if in_pool(c, needs)]
    stated = constraints(needs)
    meeting = [c for c in candidates if meets(c, stated)]
    meeting.sort(key=lambda c: rank_key(c, needs))
    matches = []
    for rank, candidate in enumerate(meeting, start=1):
        price = cheapest_price(candidate, needs)
        cost = guidance.monthly_cost(price, needs.usage) if price is not None and needs.usage else None
        matches.append(
            Match(
                rank, candidate, reasons_for(candidate, needs, stated, price), price, cost, guidance.signals(candidate)
            )
        )
    relaxed = [] if matches else relaxations(candidates, stated, needs)
    explanation = "" if matches else explain_no_match(relaxed, len(candidates))
    return Choice(
        needs, stated, len(candidates), matches, relaxed, explanation, [m.candidate.ref for m in matches[:COMPARE_TOP]]
    )


def compare_url(refs: Sequence[str]) -> str:
    """/compare/?v=family/variant&v=… for the given refs ("" when fewer than two)."""
    if len(refs) < 2:
        return ""
    return f"{COMPARE_PATH}?{urlencode([('v', ref) for ref in refs], safe='/')}"
