"""The guidance engine: the seed's sentences exactly, and how they change with the data."""

from datetime import date
from decimal import Decimal

import pytest

from catalog import guidance, selectors
from catalog.models import Family, Offering, Provider, Variant
from tests import factories

SEED_FAMILY_LINE = "Use when the workload needs 4k context, 13B parameters, and multimodal inputs."
SEED_USED_FOR = (
    "LLaVA is used for vision and multimodal work, coding, and chatbot and role-playing use cases. The family "
    "description and listed model capabilities point to those workloads as the best fit."
)
SEED_COMPARE = (
    "LLaVA by Haotian Liu is strongest where you need vision and multimodal work, while LLaVA 1.5 by Haotian Liu "
    "is the closest related family to check for structured outputs. LLaVA has 4 listed variants and reaches up to "
    "4k context, while LLaVA 1.5 reaches up to 4k context, so compare the specs and pricing tables before choosing "
    "a production model."
)
SEED_WHICH = (
    "If price is the main constraint, use the pricing table first because LLaVA does not have complete provider "
    "pricing in the local data. For the most capable/latest local choice, evaluate LLaVA 13B with 4k context and "
    "multimodal inputs."
)


def make_variant(**fields):
    """An unsaved variant: the engine needs no database."""
    defaults = {"name": "V", "status": "current", "input_modalities": [], "release_date": date(2024, 1, 1)}
    return Variant(**{**defaults, **fields})


@pytest.mark.parametrize(
    ("tokens", "expected"),
    [
        (4096, "4k"),
        (8192, "8k"),
        (131072, "128k"),
        (128000, "128k"),
        (200000, "200k"),
        (1000000, "1M"),
        (1048576, "1M"),
        (2000000, "2M"),
        (512, "512"),
        (1500, "1.5k"),
    ],
)
def test_format_tokens(tokens, expected):
    assert guidance.format_tokens(tokens) == expected


@pytest.mark.parametrize(
    ("parameters", "expected"),
    [(7e9, "7B"), (13e9, "13B"), (1.5e9, "1.5B"), (400e6, "400M"), (70.6e9, "70.6B"), (1.8e12, "1.8T")],
)
def test_format_parameters(parameters, expected):
    assert guidance.format_parameters(int(parameters)) == expected


@pytest.mark.parametrize(
    ("price", "expected"),
    [("3", "$3.00"), ("0.15", "$0.15"), ("0.075", "$0.075"), ("0.150000", "$0.15"), ("0", "$0.00")],
)
def test_format_price(price, expected):
    assert guidance.format_price(Decimal(price)) == expected


def test_join_words():
    assert guidance.join_words(["a"]) == "a"
    assert guidance.join_words(["a", "b"]) == "a and b"
    assert guidance.join_words(["a", "b", "c"]) == "a, b, and c"


def test_signals_order_and_unknowns():
    variant = make_variant(
        context_window=131072,
        parameters=int(7e9),
        input_modalities=["text", "image"],
        tool_calling=True,
        reasoning=None,
        structured_output=False,
    )
    assert guidance.signals(variant) == ["128k context", "7B parameters", "multimodal inputs", "tool calling"]
    assert guidance.signals(make_variant()) == []


def test_use_when_lines():
    assert guidance.use_when(make_variant(parameters=int(13e9))) == "Use when the workload needs 13B parameters."
    assert guidance.use_when(make_variant(context_window=4096, parameters=int(7e9))) == (
        "Use when the workload needs 4k context and 7B parameters."
    )
    assert "no context, size or capability" in guidance.use_when(make_variant())


def test_replaced_variant_names_its_replacement():
    new = make_variant(name="LLaVA 1.5 13B", context_window=4096)
    old = make_variant(name="LLaVA 13B", context_window=4096, replaced_by=new, status="legacy")
    assert guidance.use_when(old) == "Replaced by LLaVA 1.5 13B: use LLaVA 1.5 13B for new work."
    # A replaced variant is never the family's pick while a current one exists.
    assert guidance.most_capable([old, new]) is new


# --- On the seed data, through the selector the page uses ----------------------------------


@pytest.fixture
def llava(seed):
    return selectors.family_page("llava")


def test_seed_family_line_and_rows(llava):
    assert llava.family_line == SEED_FAMILY_LINE
    assert [(row.variant.name, row.use_when, row.signals) for row in llava.rows] == [
        ("LLaVA Vicuna 13B", "Use when the workload needs 13B parameters.", ["13B parameters"]),
        ("LLaVA Llama 2 13B", "Use when the workload needs 13B parameters.", ["13B parameters"]),
        ("LLaVA Llama 2 7B", "Use when the workload needs 7B parameters.", ["7B parameters"]),
        ("LLaVA 13B", SEED_FAMILY_LINE, ["4k context", "13B parameters", "multimodal inputs"]),
    ]


def test_seed_faq_answers_exactly(llava):
    assert [(item.question, item.answer) for item in llava.faq] == [
        ("What is LLaVA used for?", SEED_USED_FOR),
        ("How does LLaVA compare to LLaVA 1.5?", SEED_COMPARE),
        ("Which LLaVA model should I use?", SEED_WHICH),
    ]


def test_seed_release_groups(llava):
    assert [(group.label, len(group.variants)) for group in llava.release_groups] == [("2023-04", 4)]


def faq(slug="llava"):
    return {item.key: item.answer for item in selectors.family_page(slug).faq}


def test_bigger_context_window_changes_every_sentence(seed):
    Variant.objects.filter(slug="llava-13b").update(context_window=32768)
    page = selectors.family_page("llava")
    assert page.family_line == "Use when the workload needs 32k context, 13B parameters, and multimodal inputs."
    answers = faq()
    assert (
        "LLaVA has 4 listed variants and reaches up to 32k context, while LLaVA 1.5 reaches up to 4k"
        in (answers["compare"])
    )
    assert answers["which_model"].endswith("evaluate LLaVA 13B with 32k context and multimodal inputs.")


def test_replaced_variant_is_not_the_pick(seed):
    best = Variant.objects.get(slug="llava-1-5-13b")
    Variant.objects.filter(slug="llava-13b").update(replaced_by=best, status="legacy")
    page = selectors.family_page("llava")
    row = next(row for row in page.rows if row.variant.slug == "llava-13b")
    assert row.use_when == "Replaced by LLaVA 1.5 13B: use LLaVA 1.5 13B for new work."
    # The pick falls to the most capable remaining current variant: 13B parameters beats 7B.
    assert page.family_line == "Use when the workload needs 13B parameters."
    assert faq()["which_model"].endswith("evaluate LLaVA Vicuna 13B.")


def test_complete_pricing_names_the_cheapest_offering(seed):
    Offering.objects.filter(model_id="llava:13b").update(price_input=Decimal("0.20"), price_output=Decimal("0.60"))
    api = factories.provider("together", "Together AI")
    factories.offering(Variant.objects.get(slug="llava-llama-2-7b"), api, "llava-7b", "0.10", "0.30")
    assert faq()["which_model"] == (
        "If price is the main constraint, start with LLaVA Llama 2 7B at Together AI, the cheapest listed offering "
        "at $0.10 per million input tokens and $0.30 per million output tokens. For the most capable/latest local "
        "choice, evaluate LLaVA 13B with 4k context and multimodal inputs."
    )


def test_one_unpriced_offering_keeps_pricing_incomplete(seed):
    factories.offering(Variant.objects.get(slug="llava-llama-2-7b"), factories.provider(), "llava-7b", "0.10", "0.30")
    assert faq()["which_model"].startswith(
        "If price is the main constraint, start with LLaVA Llama 2 7B at Prov, the cheapest pay-per-token offering "
        "at $0.10 per million input tokens and $0.30 per million output tokens. 1 of 2 offerings has no per-token "
        "price in the catalog, so check the pricing table too."
    )


def test_a_subscription_price_is_not_the_cheapest(seed):
    factories.offering(
        Variant.objects.get(slug="llava-llama-2-7b"),
        factories.provider("plan", "Plan"),
        "p",
        "0",
        "0",
        kind="subscription",
    )
    assert "does not have complete provider pricing" in faq()["which_model"]


def test_family_without_related_family_has_no_comparison(seed):
    Family.objects.get(slug="llava").relations.all().delete()
    answers = faq()
    assert "compare" not in answers
    assert list(answers) == ["used_for", "which_model"]


def test_other_related_family_gives_other_comparison(seed):
    other = factories.family("bakllava", "BakLLaVA", creator=factories.organization("skunkworks", "SkunkworksAI"))
    factories.variant(other, "bakllava-1", "BakLLaVA 1", context_window=32768)
    llava = Family.objects.get(slug="llava")
    llava.relations.all().delete()
    llava.relations.create(related=other)
    answers = faq()
    assert answers["compare"].startswith(
        "LLaVA by Haotian Liu is strongest where you need vision and multimodal work, while BakLLaVA by "
        "SkunkworksAI is the closest related family to check for its listed workloads."
    )
    assert "while BakLLaVA reaches up to 32k context" in answers["compare"]


def test_family_with_one_variant(seed):
    Variant.objects.filter(family__slug="llava").exclude(slug="llava-13b").delete()
    answers = faq()
    assert "LLaVA has 1 listed variant and reaches up to 4k context" in answers["compare"]
    assert selectors.family_page("llava").family_line == SEED_FAMILY_LINE


def test_family_with_no_variants_asks_only_what_data_answers(seed):
    Variant.objects.filter(family__slug="llava").delete()
    page = selectors.family_page("llava")
    assert page.family_line == "The catalog lists no variant of this family yet."
    assert [item.key for item in page.faq] == ["used_for", "compare"]
    assert "LLaVA has 0 listed variants and lists no context window" in faq()["compare"]


def test_curator_faq_entry_replaces_generated_answer(seed):
    llava = Family.objects.get(slug="llava")
    llava.faq_entries.create(
        question="Which LLaVA should I pick?", answer="Start with **LLaVA 13B**.", replaces="which_model"
    )
    llava.faq_entries.create(question="Is LLaVA free?", answer="The weights are public.")
    questions = [item.question for item in selectors.family_page("llava").faq]
    assert questions == [
        "Which LLaVA should I pick?",
        "Is LLaVA free?",
        "What is LLaVA used for?",
        "How does LLaVA compare to LLaVA 1.5?",
    ]


def test_provider_kind_does_not_matter_to_completeness(seed):
    assert Provider.objects.get(slug="ollama").kind == Provider.Kind.LOCAL
    assert guidance.pricing_is_complete(list(Offering.objects.all())) is False
