"""Reads for /choose/: the variants that meet a workload's needs, ranked in the database.

The database filters and orders; Python ranks only the page it shows. The rule the engine states
(chooser.RANKING_RULE, chooser.rank_key) is written here once more as SQL, and a test holds the two
to the same order. Queries: one aggregate of the counts (the pool, the matches, the priced ones), one
page of ranked rows, one for the page's offerings; with no match, one grouped count of which needs each
model meets (what each need excludes) and at most three for the nearest values.

Past 400 lines on purpose: the ranking SQL and the reads that explain an empty result belong together (one
rule, written once as SQL here and once in the engine).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.core.paginator import Paginator
from django.db.models import (
    Case,
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Length, Lower, Replace

from catalog import guidance
from catalog.guidance import chooser
from catalog.models import ModelKind, Offering, OfferingKind, Status, Variant

CHOOSER_PAGE_SIZE = 25

_VARIANT_FIELDS = (
    "pk",
    "name",
    "slug",
    "family__name",
    "family__slug",
    "status",
    "kind",
    "context_window",
    "parameters",
    "active_parameters",
    "input_modalities",
    "tool_calling",
    "reasoning",
    "structured_output",
    "open_weights",
    "release_date",
    "replaced_by__name",
    "replaced_by__family__slug",
    "replaced_by__slug",
)
_FLAGS = ("tool_calling", "reasoning", "structured_output", "open_weights")


def _usable_offerings(of_variant: bool = True):
    """Offerings that can serve a need: listed, not retired, not a router.

    With `of_variant`, those of the outer query's variant (a correlated subquery, with no join: the
    variant's context window comes from the outer row).
    """
    offers = (
        Offering.objects.filter(listed=True).exclude(status=Offering.Status.RETIRED).exclude(kind=OfferingKind.ROUTER)
    )
    if of_variant:
        return offers.filter(variant=OuterRef("pk")).alias(
            effective_context=Coalesce("context_window", OuterRef("context_window"), output_field=IntegerField())
        )
    return offers.alias(effective_context=Coalesce("context_window", "variant__context_window"))


def _variant_q(constraint: chooser.Constraint, needs: chooser.Needs) -> Q:
    key = constraint.key
    if key.startswith("modality:"):
        return Q(input_modalities__contains=key.removeprefix("modality:"))
    if key in _FLAGS:
        return Q(**{key: True})
    if key == "params_max":
        return Q(parameters__lte=needs.params_max)
    if key == "deployment":  # self-hosted; "api" is per offering
        return Q(open_weights=True) | Exists(
            Offering.objects.filter(variant=OuterRef("pk"), kind=OfferingKind.SELF_HOSTED, listed=True)
        )
    raise ValueError(f"unknown variant need {key!r}")


def _offering_q(constraint: chooser.Constraint, needs: chooser.Needs) -> Q:
    key = constraint.key
    if key == "context_min":
        return Q(effective_context__gte=needs.context_min)
    if key == "deployment":
        return Q(kind__in=chooser.API_KINDS)
    if key == "provider":
        return Q(provider__slug=needs.provider)
    if key == "price":
        q = Q(kind=OfferingKind.PAY_PER_TOKEN, price_input__isnull=False, price_output__isnull=False)
        if needs.price_input_max is not None:
            q &= Q(price_input__lte=needs.price_input_max)
        if needs.price_output_max is not None:
            q &= Q(price_output__lte=needs.price_output_max)
        return q
    raise ValueError(f"unknown offering need {key!r}")


def _fallback_q(constraint: chooser.Constraint, needs: chooser.Needs) -> Q | None:
    """How a model no provider serves meets an offering-level need on its own specs (None: it cannot)."""
    if constraint.key == "context_min":
        return Q(context_window__gte=needs.context_min)
    return None


def _variant_needs_q(stated: list[chooser.Constraint], needs: chooser.Needs) -> Q:
    """Q on Variant: the stated needs tested on the model itself (not on its offerings)."""
    q = Q()
    for constraint in stated:
        if not constraint.per_offering:
            q &= _variant_q(constraint, needs)
    return q


def _meets_q(stated: list[chooser.Constraint], needs: chooser.Needs, only: list | None = None) -> Q:
    """Q on Variant: the stated needs (or `only` those), as chooser.meets judges them."""
    chosen = stated if only is None else only
    q = _variant_needs_q(chosen, needs)
    per_offering = [c for c in chosen if c.per_offering]
    if per_offering:
        offers = _usable_offerings()
        for constraint in per_offering:
            offers = offers.filter(_offering_q(constraint, needs))
        fallbacks = [_fallback_q(c, needs) for c in per_offering]
        served = Exists(_usable_offerings())
        alone = ~served
        for fallback in fallbacks:
            alone = alone & fallback if fallback is not None else Q(pk__in=[])
        q &= Exists(offers) | alone
    return q


def _priced_offerings(stated: list[chooser.Constraint], needs: chooser.Needs):
    """Pay-per-token offerings with both prices that meet every offering-level need, with their cost."""
    offers = _usable_offerings().filter(
        kind=OfferingKind.PAY_PER_TOKEN, price_input__isnull=False, price_output__isnull=False
    )
    for constraint in stated:
        if constraint.per_offering:
            offers = offers.filter(_offering_q(constraint, needs))
    usage = needs.usage
    if usage:
        cost = (
            Value(Decimal(usage.input_tokens)) * F("price_input")
            + Value(Decimal(usage.output_tokens)) * F("price_output")
        ) / Value(guidance.MILLION)
    else:
        cost = F("price_input") + F("price_output")
    return offers.annotate(cost=ExpressionWrapper(cost, output_field=DecimalField(max_digits=30, decimal_places=12)))


def _candidate_pool(needs: chooser.Needs):
    """Every variant the chooser considers: listed, of a published family, of the kind asked for, not a router."""
    pool = Variant.objects.listed().exclude(kind=ModelKind.ROUTER)
    return pool.filter(kind=needs.kind) if needs.kind else pool


class _Lowest(Func):
    """MIN over a correlated subquery's rows, with no GROUP BY: the lowest cost or NULL when none."""

    function = "MIN"
    output_field = DecimalField(max_digits=30, decimal_places=12)


def _ranked(pool, meets: Q, priced):
    """The pool that `meets` the needs, in RANKING_RULE's order, as flat rows (`priced`: _priced_offerings).

    The cheapest cost is one aggregate subquery per row; whether a row is priced is an EXISTS (it stops at the
    first offering) so that ordering by it does not run the costlier subquery again.
    """
    best = priced.order_by().annotate(lowest=_Lowest("cost")).values("lowest")
    modalities = Case(
        When(input_modalities="", then=Value(0)),
        default=Length("input_modalities") - Length(Replace("input_modalities", Value(","), Value(""))) + 1,
    )
    capabilities = sum((Case(When(**{flag: True}, then=Value(1)), default=Value(0)) for flag in _FLAGS), Value(0))
    replaced = Case(When(Q(status=Status.CURRENT, replaced_by__isnull=True), then=Value(0)), default=Value(1))
    return (
        pool.filter(meets)
        .alias(
            rank_priced=Exists(priced),
            rank_replaced=replaced,
            rank_modalities=modalities,
            rank_capabilities=capabilities,
            rank_family=Lower("family__name"),
            rank_name=Lower("name"),
        )
        .annotate(best_cost=Subquery(best))
        .order_by(
            F("rank_priced").desc(),
            "rank_replaced",
            "best_cost",
            "-rank_modalities",
            F("context_window").desc(nulls_last=True),
            "-rank_capabilities",
            F("parameters").desc(nulls_last=True),
            F("release_date").desc(nulls_last=True),
            "rank_family",
            "rank_name",
            "pk",
        )
    )


def _counts(pool, meets: Q, variant_needs: Q, priced) -> dict[str, int]:
    """The pool's size, how many of it meet the needs and how many of those are priced: one aggregate.

    A priced offering meets every offering-level need itself, so "priced" tests only the model's own needs
    besides it (not the offering-level EXISTS a second time).
    """
    return pool.aggregate(
        considered=Count("pk"),
        matches=Count("pk", filter=meets),
        priced=Count("pk", filter=variant_needs & Q(Exists(priced))),
    )


def _candidate(values: dict) -> chooser.Candidate:
    replaced = (
        chooser.Ref(values["replaced_by__name"], values["replaced_by__family__slug"], values["replaced_by__slug"])
        if values["replaced_by__name"]
        else None
    )
    return chooser.Candidate(
        pk=values["pk"],
        name=values["name"],
        slug=values["slug"],
        family_name=values["family__name"],
        family_slug=values["family__slug"],
        status=values["status"],
        kind=values["kind"],
        context_window=values["context_window"],
        parameters=values["parameters"],
        active_parameters=values["active_parameters"],
        input_modalities=list(values["input_modalities"] or []),
        tool_calling=values["tool_calling"],
        reasoning=values["reasoning"],
        structured_output=values["structured_output"],
        open_weights=values["open_weights"],
        release_date=values["release_date"],
        replaced_by=replaced,
    )


def _with_prices(candidates: list[chooser.Candidate]) -> list[chooser.Candidate]:
    """Attach each candidate's usable offerings, in one query."""
    by_pk = {c.pk: c for c in candidates}
    rows = (
        Offering.objects.filter(variant_id__in=list(by_pk), listed=True)
        .exclude(status=Offering.Status.RETIRED)
        .values_list(
            "variant_id",
            "provider__name",
            "model_id",
            "price_input",
            "price_output",
            "price_cache_read",
            "kind",
            "context_window",
            "provider__slug",
        )
        .order_by("pk")
    )
    for variant_id, *price in rows:
        by_pk[variant_id].prices.append(chooser.Price(*price))
    return candidates


def chooser_candidates() -> list[chooser.Candidate]:
    """Every candidate with its offerings: for tests and benchmarks, never per request."""
    rows = _candidate_pool(chooser.Needs()).values_list(*_VARIANT_FIELDS).order_by("pk")
    return _with_prices([_candidate(dict(zip(_VARIANT_FIELDS, row, strict=True))) for row in rows])


@dataclass
class ChooserPage:
    choice: chooser.Choice
    page_obj: object
    paginator: Paginator
    compare_url: str
    count: int = 0  # models that meet every need
    priced_count: int = 0  # of them, those with a pay-per-token offering that meets the needs
    kind_words: str = "models"

    @property
    def ranked(self) -> list[chooser.Match]:
        return [m for m in self.page_obj if m.price is not None]

    @property
    def apart(self) -> list[chooser.Match]:
        return [m for m in self.page_obj if m.price is None]


class _CountedPaginator(Paginator):
    """A paginator told its count (from the aggregate query) instead of asking for it."""

    def __init__(self, object_list, per_page, count: int):
        super().__init__(object_list, per_page, allow_empty_first_page=True)
        self.__dict__["count"] = count


def _relaxations(pool, stated, needs) -> list[chooser.Relaxation]:
    """What each need excludes and what dropping it alone would add, and the nearest values.

    One grouped query counts the pool by which needs each model meets (at most 2^needs groups, each need's SQL
    compiled once); the counts per need are sums over those groups. A need whose test is unknown (NULL) is not met.
    """
    singles = {c.key: _meets_q(stated, needs, only=[c]) for c in stated}
    flags = {f"meets_{i}": Case(When(singles[c.key], then=Value(1)), default=Value(0)) for i, c in enumerate(stated)}
    groups = list(pool.annotate(**flags).values_list(*flags).annotate(n=Count("pk")).order_by())
    found = []
    for i, constraint in enumerate(stated):
        failing = [(row[:-1], row[-1]) for row in groups if not row[i]]
        excludes = sum(n for _, n in failing)
        would_add = sum(n for met, n in failing if all(met[j] for j in range(len(stated)) if j != i))
        nearest, params = ("", ())
        if would_add:
            near = Q()
            for other in stated:
                if other.key != constraint.key:
                    near &= singles[other.key]
            nearest, params = _nearest(constraint, pool.filter(near).exclude(singles[constraint.key]))
        found.append(chooser.Relaxation(constraint, excludes, would_add, nearest, params))
    order = {constraint.key: i for i, constraint in enumerate(stated)}
    return sorted(found, key=lambda r: (-r.excludes, order[r.constraint.key]))


def _nearest(constraint, near_pool) -> tuple[str, tuple]:
    """The value that would let the closest excluded model in, as chooser._nearest words it: one query."""
    if constraint.key == "context_min":
        offered = (
            _usable_offerings(of_variant=False)
            .filter(variant__in=near_pool)
            .aggregate(m=Max(Coalesce("context_window", "variant__context_window")))["m"]
        )
        own = near_pool.aggregate(m=Max("context_window"))["m"] if offered is None else None
        best = offered or own
        if best:
            return f"lower the minimum to {guidance.format_tokens(best)} context", (("context_min", str(best)),)
    if constraint.key == "params_max":
        best = near_pool.aggregate(m=Min("parameters"))["m"]
        if best:
            billions = (Decimal(best) / Decimal(10**9)).normalize()
            return (
                f"raise the maximum to {guidance.format_parameters(best)} parameters",
                (("params_max", f"{billions:f}"),),
            )
    if constraint.key == "price":
        low = (
            _usable_offerings(of_variant=False)
            .filter(
                variant__in=near_pool,
                kind=OfferingKind.PAY_PER_TOKEN,
                price_input__isnull=False,
                price_output__isnull=False,
            )
            .annotate(total=F("price_input") + F("price_output"))
            .order_by("total", Lower("provider__name"), "model_id")
            .values_list("price_input", "price_output", "provider__name")
            .first()
        )
        if low:
            price_input, price_output, provider = low
            text = (
                f"the cheapest of them is {guidance.format_price(price_input)} input and "
                f"{guidance.format_price(price_output)} output per million tokens at {provider}"
            )
            return text, (
                ("price_input_max", f"{price_input.normalize():f}"),
                ("price_output_max", f"{price_output.normalize():f}"),
            )
    return "", ()


def choose(needs: chooser.Needs, page: int | None = None) -> ChooserPage:
    stated = chooser.constraints(needs)
    pool = _candidate_pool(needs)
    # The needs as SQL, built once for the counts and the page.
    meets, priced = _meets_q(stated, needs), _priced_offerings(stated, needs)
    counts = _counts(pool, meets, _variant_needs_q(stated, needs), priced)
    last = max(1, -(-counts["matches"] // CHOOSER_PAGE_SIZE))
    page = min(page or 1, last)  # past the last page: show the last one, as Paginator.get_page does
    rows = []
    if counts["matches"]:
        ranked = _ranked(pool, meets, priced).values_list(*_VARIANT_FIELDS)
        rows = list(ranked[(page - 1) * CHOOSER_PAGE_SIZE : page * CHOOSER_PAGE_SIZE])
    paginator = _CountedPaginator([], CHOOSER_PAGE_SIZE, counts["matches"])
    page_obj = paginator.get_page(page)
    candidates = _with_prices([_candidate(dict(zip(_VARIANT_FIELDS, row, strict=True))) for row in rows])
    start = page_obj.start_index() if rows else 1
    matches = [
        chooser.Match(
            start + i,
            c,
            chooser.reasons_for(c, needs, stated, price := chooser.cheapest_price(c, needs)),
            price,
            guidance.monthly_cost(price, needs.usage) if price is not None and needs.usage else None,
            guidance.signals(c),
        )
        for i, c in enumerate(candidates)
    ]
    page_obj.object_list = matches
    relaxed = [] if counts["matches"] else _relaxations(pool, stated, needs)
    explanation = "" if counts["matches"] else chooser.explain_no_match(relaxed, counts["considered"])
    top = [m.candidate.ref for m in matches[: chooser.COMPARE_TOP]] if page_obj.number == 1 else []
    choice = chooser.Choice(needs, stated, counts["considered"], matches, relaxed, explanation, top)
    return ChooserPage(
        choice,
        page_obj,
        paginator,
        chooser.compare_url(top),
        counts["matches"],
        counts["priced"],
        chooser.kind_words(needs),
    )
