"""The chooser engine: constraints, the stated ranking rule, reasons, costs and relaxations. No database."""

from datetime import date
from decimal import Decimal

from catalog import guidance
from catalog.guidance import chooser
from catalog.guidance.chooser import Candidate, Needs, Price, Ref


def candidate(pk, name, **fields):
    defaults = {
        "slug": name.lower().replace(" ", "-"),
        "family_name": "Fam",
        "family_slug": "fam",
        "input_modalities": ["text"],
        "release_date": date(2024, 1, 1),
    }
    return Candidate(pk=pk, name=name, **{**defaults, **fields})


def price(provider, price_input, price_output, cache=None, model_id="m"):
    return Price(
        provider, model_id, Decimal(price_input), Decimal(price_output), None if cache is None else Decimal(cache)
    )


def catalog():
    return [
        candidate(
            1,
            "Vision Big",
            context_window=131072,
            parameters=70 * 10**9,
            input_modalities=["text", "image"],
            tool_calling=True,
            prices=[price("A", "3", "15"), price("B", "2.5", "10")],
        ),
        candidate(
            2,
            "Vision Small",
            context_window=32768,
            parameters=8 * 10**9,
            input_modalities=["text", "image"],
            open_weights=True,
            prices=[price("C", "0.15", "0.60")],
        ),
        candidate(
            3,
            "Text Only",
            context_window=8192,
            parameters=7 * 10**9,
            open_weights=True,
            prices=[price("C", "0.05", "0.10")],
        ),
        candidate(
            4,
            "Local Vision",
            context_window=4096,
            parameters=13 * 10**9,
            input_modalities=["text", "image"],
            open_weights=True,
        ),
        candidate(
            5,
            "Old Vision",
            context_window=131072,
            input_modalities=["text", "image"],
            status="legacy",
            replaced_by=Ref("Vision Big", "fam", "vision-big"),
            prices=[price("A", "0.01", "0.01")],
        ),
        candidate(6, "Unknown", prices=[price("D", "0.01", "0.02")]),
    ]


def names(choice):
    return [match.candidate.name for match in choice.matches]


def test_no_need_ranks_everything_by_the_rule():
    choice = chooser.choose(catalog(), Needs())
    # Priced before unpriced; current before replaced; cheapest input+output first.
    assert names(choice) == ["Unknown", "Text Only", "Vision Small", "Vision Big", "Old Vision", "Local Vision"]
    assert choice.compare_refs == ["fam/unknown", "fam/text-only", "fam/vision-small", "fam/vision-big"]


def test_needs_filter_and_unknown_never_matches():
    choice = chooser.choose(catalog(), Needs(modalities=("image",), context_min=32768))
    assert names(choice) == ["Vision Small", "Vision Big", "Old Vision"]
    assert chooser.choose(catalog(), Needs(tool_calling=True)).matches[0].candidate.name == "Vision Big"
    assert names(chooser.choose(catalog(), Needs(params_max=10 * 10**9))) == ["Text Only", "Vision Small"]
    # "Unknown" has no context window, no parameters: it meets no minimum and no maximum.
    assert "Unknown" not in names(chooser.choose(catalog(), Needs(context_min=1)))


def test_reasons_in_the_guidance_words():
    needs = Needs(modalities=("image",), context_min=32768, open_weights=True)
    (match,) = chooser.choose(catalog(), needs).matches
    assert match.reasons == [
        "needs image input: takes text and image",
        "needs 32k context: has 32k",
        "needs open weights: listed as supported",
        "cheapest matching offering: $0.15 per million input tokens at C",
    ]
    assert match.signals == ["32k context", "8B parameters", "multimodal inputs", "open weights"]
    old = next(
        m for m in chooser.choose(catalog(), Needs(modalities=("image",))).matches if m.candidate.name == "Old Vision"
    )
    assert old.reasons[-1] == "replaced by Vision Big: consider Vision Big"
    local = next(m for m in chooser.choose(catalog(), Needs()).matches if m.candidate.name == "Local Vision")
    assert local.reasons == ["no provider in the catalog"]


def test_monthly_volume_decides_the_cheapest_offering_and_the_order():
    needs = Needs(modalities=("image",), input_tokens=10_000_000, output_tokens=1_000_000)
    choice = chooser.choose(catalog(), needs)
    big = next(m for m in choice.matches if m.candidate.name == "Vision Big")
    assert big.price.provider == "B"  # $25 + $10 at B against $30 + $15 at A
    assert big.cost.total == Decimal(35)
    assert [(m.candidate.name, m.cost and guidance.format_cost(m.cost.total)) for m in choice.matches] == [
        ("Vision Small", "$2.10"),
        ("Vision Big", "$35.00"),
        ("Old Vision", "$0.11"),
        ("Local Vision", None),
    ]


def test_volume_can_change_which_offering_is_cheapest():
    cand = candidate(1, "X", prices=[price("In-heavy", "1", "1"), price("Out-heavy", "0.1", "5")])
    by_price = chooser.cheapest_price(cand, Needs())
    assert by_price.provider == "In-heavy"  # $2 against $5.10 per million in + out
    reading = chooser.cheapest_price(cand, Needs(input_tokens=10_000_000, output_tokens=10))
    assert reading.provider == "Out-heavy"  # mostly input: $1.00 at Out-heavy against $10.00


def test_price_limits_pick_one_offering_that_meets_both():
    needs = Needs(price_input_max=Decimal(3), price_output_max=Decimal(12))
    choice = chooser.choose(catalog()[:1], needs)
    (match,) = choice.matches
    assert match.price.provider == "B"
    assert match.reasons == [
        (
            "needs at most $3.00 per million input tokens and $12.00 per million output tokens: $2.50 input and "
            "$10.00 output at B"
        ),
        "cheapest matching offering: $2.50 per million input tokens at B",
    ]
    assert chooser.choose(catalog()[:1], Needs(price_input_max=Decimal(2))).matches == []


def test_ties_break_on_capability_then_name():
    twins = [
        candidate(2, "Beta", context_window=8192),
        candidate(1, "Alpha", context_window=8192),
        candidate(3, "Wide", context_window=16384),
        candidate(4, "New", context_window=8192, release_date=date(2025, 1, 1)),
    ]
    assert names(chooser.choose(twins, Needs())) == ["Wide", "New", "Alpha", "Beta"]
    # The input order does not matter: the rule is deterministic.
    assert names(chooser.choose(list(reversed(twins)), Needs())) == ["Wide", "New", "Alpha", "Beta"]


def test_no_match_explains_what_to_relax():
    needs = Needs(modalities=("image",), context_min=200_000, open_weights=True)
    choice = chooser.choose(catalog(), needs)
    assert choice.matches == []
    assert [(r.constraint.key, r.excludes, r.would_add, r.nearest) for r in choice.relaxations] == [
        ("context_min", 6, 2, "lower the minimum to 32k context"),
        ("open_weights", 3, 0, ""),
        ("modality:image", 2, 0, ""),
    ]
    assert choice.explanation == (
        'No variant meets every need. "at least 200k context" excluded the most: 6 variants of 6. Dropping '
        '"at least 200k context" alone would add 2 variants.'
    )
    assert choice.relaxations[0].nearest_params == (("context_min", "32768"),)


def test_no_single_relaxation_is_enough():
    needs = Needs(modalities=("audio",), context_min=10**6)
    choice = chooser.choose(catalog(), needs)
    assert [r.would_add for r in choice.relaxations] == [0, 0]
    assert choice.explanation.endswith("No single change is enough: drop two or more needs.")


def test_nearest_size_and_price():
    size = chooser.choose(catalog(), Needs(modalities=("image",), params_max=5 * 10**9, open_weights=True))
    relax = {r.constraint.key: r for r in size.relaxations}
    assert relax["params_max"].nearest == "raise the maximum to 8B parameters"
    assert relax["params_max"].nearest_params == (("params_max", "8"),)
    cheap = chooser.choose(catalog(), Needs(modalities=("image",), price_input_max=Decimal("0.001")))
    relax = {r.constraint.key: r for r in cheap.relaxations}
    assert relax["price"].would_add == 4  # Local Vision has no price at all: it fails the limit too
    assert relax["price"].nearest == "the cheapest of them is $0.01 input and $0.01 output per million tokens at A"


def test_empty_catalog():
    choice = chooser.choose([], Needs(context_min=1))
    assert choice.matches == [] and choice.considered == 0
    assert choice.explanation == "The catalog lists no variant to choose from yet."


def test_compare_url():
    assert chooser.compare_url(["llava/llava-13b"]) == ""
    assert chooser.compare_url(["llava/llava-13b", "llava-1-5/llava-1-5-7b"]) == (
        "/compare/?v=llava/llava-13b&v=llava-1-5/llava-1-5-7b"
    )


def test_zero_price_is_flagged():
    assert chooser.choose(catalog(), Needs(tool_calling=True)).shows_zero_price is False
    free = [candidate(1, "Free", prices=[price("Plan", "0", "0")])]
    assert chooser.choose(free, Needs()).shows_zero_price is True


# --- An offering meets a need itself; only pay-per-token offerings are priced ----------------------


def offer(provider, price_input, price_output, kind="pay_per_token", context=None):
    return Price(
        provider,
        f"{provider.lower()}-m",
        Decimal(price_input),
        Decimal(price_output),
        None,
        kind,
        context,
        provider.lower(),
    )


def test_context_is_the_offerings_own():
    gem = candidate(
        1,
        "Gem",
        context_window=1_048_576,
        prices=[
            offer("Copilot", "0", "0", kind="subscription", context=128_000),
            offer("Google", "2", "12", context=1_048_576),
        ],
    )
    (match,) = chooser.choose([gem], Needs(context_min=1_000_000)).matches
    assert match.price.provider == "Google"  # the subscription offering has 128k: it does not meet 1M
    assert "needs 1M context: has 1M" in match.reasons
    # Without a price need, the only pay-per-token offering sets the price; Copilot's $0 is never "cheapest".
    assert chooser.choose([gem], Needs()).matches[0].price.provider == "Google"
    short = candidate(2, "Short", context_window=1_048_576, prices=[offer("Copilot", "0", "0", context=128_000)])
    assert chooser.choose([short], Needs(context_min=1_000_000)).matches == []


def test_subscriptions_and_free_tiers_are_listed_apart_never_cheapest():
    paid = candidate(1, "Paid", prices=[offer("API", "5", "15")])
    plan = candidate(
        2, "Plan", prices=[offer("Kilo", "0", "0", kind="free_tier"), offer("Copilot", "0", "0", kind="subscription")]
    )
    choice = chooser.choose([plan, paid], Needs(output_tokens=2_000_000))
    assert [m.candidate.name for m in choice.ranked] == ["Paid"]
    assert [m.candidate.name for m in choice.apart] == ["Plan"]
    assert choice.apart[0].reasons[-1] == "no per-token price: free tier at Kilo and subscription at Copilot"
    assert choice.shows_zero_price is False
    # A price limit is met only by a pay-per-token offering.
    assert names(chooser.choose([plan, paid], Needs(price_output_max=Decimal(20)))) == ["Paid"]


def test_routers_are_never_ranked():
    router = candidate(1, "Auto Router", kind="router", prices=[offer("Kilo", "0", "0")])
    model = candidate(2, "Model", prices=[offer("Kilo", "1", "1"), offer("Router Co", "0", "0", kind="router")])
    choice = chooser.choose([router, model], Needs())
    assert names(choice) == ["Model"] and choice.considered == 1
    assert choice.matches[0].price.provider == "Kilo"


def test_kind_provider_and_deployment_needs():
    embed = candidate(1, "Embed", kind="embedding", prices=[offer("A", "0.02", "0")])
    chat = candidate(2, "Chat", open_weights=True, parameters=8 * 10**9, prices=[offer("B", "0.1", "0.2")])
    local = candidate(3, "Local", open_weights=True, parameters=7 * 10**9)
    every = [embed, chat, local]
    assert names(chooser.choose(every, Needs(kind="embedding"))) == ["Embed"]
    assert chooser.choose(every, Needs(kind="embedding")).considered == 1  # the kind is what it chooses among
    assert chooser.kind_words(Needs(kind="embedding")) == "embedding models"
    assert names(chooser.choose(every, Needs(provider="b", provider_name="B"))) == ["Chat"]
    assert names(chooser.choose(every, Needs(deployment="api"))) == ["Embed", "Chat"]
    assert names(chooser.choose(every, Needs(deployment="self_hosted", params_max=7 * 10**9))) == ["Local"]
