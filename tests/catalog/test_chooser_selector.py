"""The chooser's database side: the SQL filter and order agree with the engine's rule, offering by offering."""

from datetime import date
from decimal import Decimal

import pytest

from catalog.guidance import chooser
from catalog.models import ModelKind, OfferingKind, Status
from catalog.selectors import chooser as selectors
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def mixed():
    fam = factories.family("mix", "Mix")
    api, plan, free = (
        factories.provider("api", "API Co"),
        factories.provider("plan", "Plan Co"),
        factories.provider("free", "Free Co"),
    )
    specs = [
        (
            "gem",
            dict(context_window=1_048_576, input_modalities=["text", "image"], tool_calling=True, reasoning=True),
            [(api, "2", "12", OfferingKind.PAY_PER_TOKEN, None), (plan, "0", "0", OfferingKind.SUBSCRIPTION, 128_000)],
        ),
        (
            "flash",
            dict(context_window=1_048_576, input_modalities=["text", "image"], tool_calling=True),
            [(api, "0.3", "2.5", OfferingKind.PAY_PER_TOKEN, None)],
        ),
        (
            "mini",
            dict(context_window=128_000, tool_calling=True, parameters=8 * 10**9, open_weights=True),
            [(api, "0.1", "0.1", OfferingKind.PAY_PER_TOKEN, None), (free, "0", "0", OfferingKind.FREE_TIER, None)],
        ),
        (
            "only-plan",
            dict(context_window=200_000, input_modalities=["text", "image"], tool_calling=True),
            [(plan, "0", "0", OfferingKind.SUBSCRIPTION, None)],
        ),
        (
            "router",
            dict(kind=ModelKind.ROUTER, context_window=2_000_000, input_modalities=["text", "image"]),
            [(free, "0", "0", OfferingKind.ROUTER, None)],
        ),
        ("local", dict(context_window=32_768, parameters=7 * 10**9, open_weights=True), []),
        (
            "old",
            dict(context_window=1_048_576, status=Status.LEGACY, input_modalities=["text", "image"]),
            [(api, "0.01", "0.01", OfferingKind.PAY_PER_TOKEN, None)],
        ),
        (
            "embed",
            dict(kind=ModelKind.EMBEDDING, context_window=8192),
            [(api, "0.02", "0", OfferingKind.PAY_PER_TOKEN, None)],
        ),
        ("twin-b", dict(context_window=8192, release_date=date(2024, 1, 1)), []),
        ("twin-a", dict(context_window=8192, release_date=date(2024, 1, 1)), []),
    ]
    for slug, fields, offers in specs:
        var = factories.variant(fam, slug, slug.title(), **fields)
        for prov, price_input, price_output, kind, context in offers:
            factories.offering(
                var,
                prov,
                f"{prov.slug}/{slug}",
                Decimal(price_input),
                Decimal(price_output),
                kind=kind,
                context_window=context,
            )
    return fam


NEEDS = [
    chooser.Needs(),
    chooser.Needs(modalities=("image",), tool_calling=True, input_tokens=10_000_000, output_tokens=2_000_000),
    chooser.Needs(context_min=1_000_000),
    chooser.Needs(reasoning=True, price_output_max=Decimal(2)),
    chooser.Needs(open_weights=True, params_max=24 * 10**9),
    chooser.Needs(kind="embedding"),
    chooser.Needs(deployment="self_hosted"),
    chooser.Needs(deployment="api", provider="plan", provider_name="Plan Co"),
    chooser.Needs(context_min=100_000, price_input_max=Decimal("0.5")),
]


@pytest.mark.parametrize("needs", NEEDS, ids=range(len(NEEDS)))
def test_the_database_ranks_as_the_engine_does(mixed, needs):
    engine = chooser.choose(selectors.chooser_candidates(), needs)
    page = selectors.choose(needs)
    assert [m.candidate.name for m in page.page_obj] == [m.candidate.name for m in engine.matches]
    assert page.count == len(engine.matches)
    assert page.priced_count == len(engine.ranked)
    assert [m.price and m.price.provider for m in page.page_obj] == [
        m.price and m.price.provider for m in engine.matches
    ]


def test_offerings_meet_needs_themselves(mixed):
    page = selectors.choose(chooser.Needs(context_min=1_000_000))
    assert [(m.candidate.name, m.price.provider if m.price else None) for m in page.page_obj] == [
        ("Flash", "API Co"),
        ("Gem", "API Co"),
        ("Old", "API Co"),
    ]
    page = selectors.choose(chooser.Needs(modalities=("image",), tool_calling=True))
    assert [m.candidate.name for m in page.ranked] == ["Flash", "Gem"]
    assert [m.candidate.name for m in page.apart] == ["Only-Plan"]
    assert page.apart[0].reasons[-1] == "no per-token price: subscription at Plan Co"
    assert "Router" not in [m.candidate.name for m in selectors.choose(chooser.Needs()).page_obj]


@pytest.mark.parametrize(
    "needs",
    [
        chooser.Needs(modalities=("image",), context_min=4_000_000, open_weights=True),
        chooser.Needs(open_weights=True, params_max=10**9, context_min=100_000),
        chooser.Needs(modalities=("image",), price_input_max=Decimal("0.001")),
    ],
    ids=["none-helps", "size", "price"],
)
def test_no_match_relaxations_agree_with_the_engine(mixed, needs):
    engine = chooser.choose(selectors.chooser_candidates(), needs)
    page = selectors.choose(needs)
    assert page.count == 0 and page.choice.relaxations
    assert page.choice.explanation == engine.explanation
    assert [
        (r.constraint.key, r.excludes, r.would_add, r.nearest, r.nearest_params) for r in page.choice.relaxations
    ] == [(r.constraint.key, r.excludes, r.would_add, r.nearest, r.nearest_params) for r in engine.relaxations]
