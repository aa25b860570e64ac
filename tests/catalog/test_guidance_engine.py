"""The guidance engine's newer answers: family FAQ questions, variant comparison, hardware fit, cost.

Pure functions on unsaved instances: each sentence with fixed data, and again with changed data.
"""

from dataclasses import replace
from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest

from catalog import guidance
from catalog.models import Family, Offering, Provider, Variant


def make_variant(**fields):
    defaults = {
        "name": "V",
        "status": "current",
        "input_modalities": [],
        "release_date": date(2023, 4, 1),
        "release_precision": "month",
    }
    return Variant(**{**defaults, **fields})


def make_offering(variant, provider="Prov", model_id="m", price_input=None, price_output=None, **fields):
    if variant is not None:
        fields["variant"] = variant
    return Offering(
        provider=Provider(name=provider, slug=provider.lower()),
        model_id=model_id,
        price_input=None if price_input is None else Decimal(str(price_input)),
        price_output=None if price_output is None else Decimal(str(price_output)),
        **fields,
    )


def llava_variants():
    """The seed's LLaVA, unsaved."""
    return [
        make_variant(name="LLaVA Vicuna 13B", parameters=13 * 10**9, input_modalities=["text"]),
        make_variant(name="LLaVA Llama 2 13B", parameters=13 * 10**9, input_modalities=["text"]),
        make_variant(name="LLaVA Llama 2 7B", parameters=7 * 10**9, input_modalities=["text"]),
        make_variant(name="LLaVA 13B", parameters=13 * 10**9, context_window=4096, input_modalities=["text", "image"]),
    ]


# --- Context --------------------------------------------------------------------------------


def test_context_answer_seed():
    assert guidance.context_answer("LLaVA", llava_variants()) == (
        "LLaVA 13B supports 4k context (4,096 tokens). 3 of 4 listed LLaVA variants have no context window in the "
        "catalog."
    )


def test_context_answer_changes_with_the_data():
    variants = llava_variants()
    variants[2].context_window = 131072
    assert guidance.context_answer("LLaVA", variants) == (
        "LLaVA variants support from 4k to 128k context. The widest, 128k (131,072 tokens), is on LLaVA Llama 2 7B; "
        "the narrowest, 4k, is on LLaVA 13B. 2 of 4 listed LLaVA variants have no context window in the catalog."
    )
    for variant in variants:
        variant.context_window = 8192
    assert guidance.context_answer("LLaVA", variants) == (
        "LLaVA Vicuna 13B, LLaVA Llama 2 13B, LLaVA Llama 2 7B, and LLaVA 13B support 8k context (8,192 tokens)."
    )


def test_context_question_needs_a_context_window():
    assert guidance.context_answer("X", [make_variant()]) is None


# --- Inputs ---------------------------------------------------------------------------------


def test_modality_answer_seed():
    assert guidance.modality_answer("LLaVA", llava_variants(), "image") == (
        "LLaVA 13B accepts images. LLaVA Vicuna 13B, LLaVA Llama 2 13B, and LLaVA Llama 2 7B do not, by their listed "
        "inputs."
    )
    assert guidance.modality_answer("LLaVA", llava_variants(), "audio") is None


def test_modality_answer_changes_with_the_data():
    variants = llava_variants()
    variants[0].input_modalities = ["text", "image"]
    variants[1].input_modalities = []
    assert guidance.modality_answer("LLaVA", variants, "image") == (
        "LLaVA Vicuna 13B and LLaVA 13B accept images. LLaVA Llama 2 7B does not, by its listed inputs. 1 of 4 "
        "listed LLaVA variants has no listed inputs in the catalog."
    )


# --- Open weights and license ------------------------------------------------------------------


def test_open_weights_not_asked_without_data():
    assert guidance.open_weights_answer("LLaVA", llava_variants()) is None


def test_open_weights_answer_seed_llava_1_5():
    variants = [
        make_variant(name="LLaVA 1.5 7B", open_weights=True, license="Llama 2 Community License"),
        make_variant(name="LLaVA 1.5 13B", open_weights=True, license="Llama 2 Community License"),
    ]
    assert guidance.open_weights_answer("LLaVA 1.5", variants, "Llama 2 Community License") == (
        "All 2 listed LLaVA 1.5 variants are open weights. The listed license is Llama 2 Community License."
    )


def test_open_weights_answer_changes_with_the_data():
    variants = [
        make_variant(name="A", open_weights=True, license="Apache 2.0"),
        make_variant(name="B", open_weights=False, license="Proprietary"),
        make_variant(name="C"),
    ]
    assert guidance.open_weights_answer("Fam", variants) == (
        "A is open weights; B is not. The catalog does not say for 1 other variant. Licenses differ by variant: "
        "Apache 2.0 (A); Proprietary (B). No license is listed for 1 other variant."
    )
    # A family license covers the variants that list none.
    assert guidance.open_weights_answer("Fam", variants[2:], "MIT") == (
        "The catalog does not say whether Fam's weights are open. The listed license is MIT."
    )


# --- Providers and prices ----------------------------------------------------------------------


def test_providers_answer_seed():
    variant = llava_variants()[3]
    assert guidance.providers_answer("LLaVA", [make_offering(variant, "Ollama", "llava:13b")]) == (
        "1 provider offers LLaVA in the catalog: Ollama. The catalog has no price for that offering, so check the "
        "provider."
    )
    assert guidance.providers_answer("LLaVA", []) is None


def test_providers_answer_changes_with_the_data():
    variants = llava_variants()
    offerings = [
        make_offering(variants[3], "Ollama", "llava:13b"),
        make_offering(variants[3], "Some API", "llava-13b", "0.20", "0.60"),
        make_offering(variants[2], "Together AI", "llava-7b", "0.10", "0.30"),
    ]
    assert guidance.providers_answer("LLaVA", offerings) == (
        "3 providers offer LLaVA in the catalog: Together AI, Some API, and Ollama. The lowest listed price is $0.10 "
        "per million input tokens and $0.30 per million output tokens, for LLaVA Llama 2 7B at Together AI. 1 of 3 "
        "offerings has no price in the catalog."
    )


# --- Replacement and release ---------------------------------------------------------------------


def test_replaced_answer():
    variants = llava_variants()
    assert guidance.replaced_answer("LLaVA", variants) is None
    new = make_variant(name="LLaVA 1.5 13B", family=Family(name="LLaVA 1.5"))
    variants[3].replaced_by = new
    assert guidance.replaced_answer("LLaVA", variants) == (
        "LLaVA 13B was replaced by LLaVA 1.5 13B (LLaVA 1.5): use LLaVA 1.5 13B for new work."
    )
    variants[3].retirement_date = date(2025, 1, 31)
    assert guidance.replaced_answer("LLaVA", variants) == (
        "LLaVA 13B was replaced by LLaVA 1.5 13B (LLaVA 1.5), retired 2025-01-31: use LLaVA 1.5 13B for new work."
    )


def test_released_answer_seed():
    assert (
        guidance.released_answer("LLaVA", llava_variants()) == "All 4 listed LLaVA variants were released in 2023-04."
    )


def test_released_answer_changes_with_the_data():
    variants = llava_variants()
    variants[3].release_date, variants[3].release_precision = date(2024, 1, 30), "day"
    variants[0].release_date = None
    assert guidance.released_answer("LLaVA", variants) == (
        "The first listed LLaVA release is LLaVA Llama 2 13B and LLaVA Llama 2 7B, in 2023-04; the latest is "
        "LLaVA 13B, on 2024-01-30. 1 of 4 listed LLaVA variants has no release date in the catalog."
    )
    assert guidance.released_answer("LLaVA", [variants[3]]) == "LLaVA 13B was released on 2024-01-30."
    assert guidance.released_answer("LLaVA", [variants[0]]) is None


# --- All of a family's questions -----------------------------------------------------------------


def facts(name="LLaVA", variants=None, **fields):
    return guidance.FamilyFacts(name=name, creator="Haotian Liu", variants=variants or llava_variants(), **fields)


def test_family_questions_keep_the_seed_three_first():
    related = [facts("LLaVA 1.5", [make_variant(name="x", context_window=4096)], strengths=["structured outputs"])]
    family = facts(use_cases=["vision and multimodal work"])
    seed_three = guidance.family_faq(family, [], related[0])
    questions = guidance.family_questions(family, [], related)
    assert questions[:3] == seed_three
    assert [item.key for item in questions] == [
        "used_for",
        "compare",
        "which_model",
        "context",
        "inputs:image",
        "released",
    ]


def test_each_related_family_gets_a_comparison():
    one = facts("LLaVA 1.5", [make_variant(name="x", context_window=4096)])
    two = facts("BakLLaVA", [make_variant(name="y", context_window=32768)])
    questions = guidance.family_questions(facts(), [], [one, two])
    assert [item.question for item in questions[:3]] == [
        "How does LLaVA compare to LLaVA 1.5?",
        "How does LLaVA compare to BakLLaVA?",
        "Which LLaVA model should I use?",
    ]
    assert "while BakLLaVA reaches up to 32k context" in questions[1].answer


def test_a_question_is_asked_only_when_the_data_answers_it():
    bare = facts("Bare", [make_variant(name="B", release_date=None)])
    assert [item.key for item in guidance.family_questions(bare, [])] == ["which_model"]


def test_license_question_uses_the_family_license():
    family = replace(facts(), license="Apache 2.0")
    answers = {item.key: item.answer for item in guidance.family_questions(family, [])}
    assert answers["open_weights"] == (
        "The catalog does not say whether LLaVA's weights are open. The listed license is Apache 2.0."
    )


def test_same_question():
    assert guidance.same_question("What is LLaVA used for?", " what is  llava used for ")
    assert not guidance.same_question("What is LLaVA used for?", "What is LLaVA 1.5 used for?")


# --- A variant against its family's pick ---------------------------------------------------------


def test_variant_comparison_seed():
    variants = llava_variants()
    assert guidance.variant_comparison(variants[2], variants, "LLaVA") == (
        "Compared with LLaVA 13B, the most capable current LLaVA variant: LLaVA 13B has 4k context and multimodal "
        "inputs, which LLaVA Llama 2 7B does not list; LLaVA Llama 2 7B is smaller at 7B parameters against 13B."
    )
    assert guidance.variant_comparison(variants[0], variants, "LLaVA") == (
        "Compared with LLaVA 13B, the most capable current LLaVA variant: LLaVA 13B has 4k context and multimodal "
        "inputs, which LLaVA Vicuna 13B does not list."
    )
    assert guidance.variant_comparison(variants[3], variants, "LLaVA") == (
        "LLaVA 13B is the most capable current LLaVA variant in the catalog, so the family guidance points to it."
    )


def test_variant_comparison_changes_with_the_data():
    variants = llava_variants()
    variants[2].context_window, variants[2].tool_calling = 32768, True
    variants[2].input_modalities = ["text", "image"]
    # Now the 7B has the longest context, so it becomes the family's pick.
    assert guidance.most_capable(variants) is variants[2]
    assert guidance.variant_comparison(variants[3], variants, "LLaVA") == (
        "Compared with LLaVA Llama 2 7B, the most capable current LLaVA variant: LLaVA 13B has 4k context against "
        "32k; LLaVA Llama 2 7B has tool calling, which LLaVA 13B does not list; LLaVA 13B is larger at 13B "
        "parameters against 7B."
    )
    twin = make_variant(
        name="Twin",
        parameters=7 * 10**9,
        context_window=32768,
        tool_calling=True,
        input_modalities=["text", "image"],
        release_date=date(2020, 1, 1),
    )
    assert guidance.variant_comparison(twin, [*variants, twin], "LLaVA").endswith(
        "Twin lists the same signals as LLaVA Llama 2 7B."
    )
    assert guidance.variant_comparison(twin, [], "LLaVA") is None


# --- Hardware fit ---------------------------------------------------------------------------------


def test_hardware_fit_llava_13b():
    rows = guidance.hardware_fit(13 * 10**9)
    assert [(row.bits, guidance.format_gb(row.weights_gb), guidance.format_gb(row.total_gb)) for row in rows] == [
        (16, "26 GB", "31.2 GB"),
        (8, "13 GB", "15.6 GB"),
        (4, "6.5 GB", "7.8 GB"),
    ]
    sizes = dict(zip(guidance.ACCELERATOR_SIZES_GB, rows[0].fits, strict=True))
    assert sizes == {8: False, 12: False, 16: False, 24: False, 48: True, 80: True}
    assert [row.smallest for row in rows] == [48, 16, 8]
    assert guidance.hardware_summary("LLaVA 13B", rows) == (
        "LLaVA 13B needs 26 GB for its weights at 16-bit (31.2 GB with overhead). The smallest common accelerator "
        "that holds it is 8 GB, at 4-bit."
    )


def test_hardware_fit_changes_with_the_size():
    rows = guidance.hardware_fit(7 * 10**9)
    assert guidance.format_gb(rows[0].weights_gb) == "14 GB" and rows[0].smallest == 24
    huge = guidance.hardware_fit(405 * 10**9)
    assert guidance.format_gb(huge[0].weights_gb) == "810 GB" and all(row.smallest is None for row in huge)
    assert guidance.hardware_summary("Big", huge).endswith("Even at 4-bit it needs more than one 80 GB accelerator.")
    assert guidance.hardware_fit(None) == [] and guidance.hardware_summary("X", []) is None
    assert guidance.format_gb(Decimal("1620.04")) == "1,620 GB"


# --- Cost -----------------------------------------------------------------------------------------


def test_monthly_cost():
    offering = make_offering(None, price_input="0.15", price_output="0.60", price_cache_read=Decimal("0.075"))
    cost = guidance.monthly_cost(offering, guidance.Usage(10_000_000, 2_000_000, 4_000_000))
    assert (cost.input, cost.cached, cost.output, cost.total) == (
        Decimal("0.9"),
        Decimal("0.3"),
        Decimal("1.2"),
        Decimal("2.4"),
    )
    assert not cost.cached_at_input_price
    offering.price_cache_read = None  # no cached price: cached tokens pay the input price
    cost = guidance.monthly_cost(offering, guidance.Usage(10_000_000, 2_000_000, 4_000_000))
    assert cost.total == Decimal("2.7") and cost.cached_at_input_price
    assert guidance.monthly_cost(make_offering(None, price_input="1"), guidance.Usage(1, 1)) is None


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        ("0", "$0.00"),
        ("0.004", "under $0.01"),
        ("0.005", "$0.01"),
        ("2.4", "$2.40"),
        ("12345.678", "$12,345.68"),
    ],
)
def test_format_cost(amount, expected):
    assert guidance.format_cost(Decimal(amount)) == expected


def test_cost_table_cheapest_first_with_checked_dates():
    usage = guidance.Usage(1_000_000, 1_000_000)
    offerings = [
        make_offering(None, "Zeta", "z", "1", "1", price_checked=date(2026, 1, 5)),
        make_offering(None, "Unpriced", "u"),
        make_offering(None, "Alpha", "a", "1", "1"),
        make_offering(None, "Cheap", "c", "0.1", "0.2"),
    ]
    rows = guidance.cost_table(offerings, usage)
    assert [
        (row.offering.provider.name, row.cost and guidance.format_cost(row.cost.total), row.checked.describe())
        for row in rows
    ] == [
        ("Cheap", "$0.30", "not checked"),
        ("Alpha", "$2.00", "not checked"),
        ("Zeta", "$2.00", "2026-01-05 (curator)"),
        ("Unpriced", None, "not checked"),
    ]


def test_price_check_prefers_the_curator_then_the_latest_import():
    offering = SimpleNamespace(price_checked=None)
    runs = {"models.dev": date(2026, 11, 20), "litellm": date(2026, 11, 25), "catalog": None}
    assert guidance.price_check(offering, ["models.dev", "litellm"], runs).describe() == "2026-11-25 (litellm import)"
    assert guidance.price_check(offering, ["models.dev"], runs).describe() == "2026-11-20 (models.dev import)"
    assert guidance.price_check(offering, [], runs).describe() == "not checked"
    offering.price_checked = date(2026, 1, 1)
    assert guidance.price_check(offering, ["litellm"], runs).describe() == "2026-01-01 (curator)"


def test_usage_describe():
    assert guidance.Usage(10_000_000, 2_000_000).describe() == "10,000,000 input and 2,000,000 output tokens a month"
    assert guidance.Usage(3, 2, 1).describe() == "3 input, 2 output, and 1 cached input tokens a month"


# --- Site FAQ and structured data ----------------------------------------------------------------


def test_site_faq_states_the_rules_and_the_data():
    items = guidance.site_faq(
        {"families": 2, "variants": 6, "providers": 1, "offerings": 1}, {"models.dev": date(2026, 11, 26)}, "RULE"
    )
    answers = {item.key: item.answer for item in items}
    assert "It now holds 2 families, 6 variants, 1 provider and 1 offering." in answers["sources"]
    assert "Last successful imports: models.dev on 2026-11-26." in answers["sources"]
    assert answers["chooser"] == "RULE"
    assert answers["hardware"] == guidance.HARDWARE_RULE and "20% overhead" in guidance.HARDWARE_RULE
    assert answers["cost"] == guidance.COST_RULE
    empty = {item.key: item.answer for item in guidance.site_faq({}, {}, "RULE")}
    assert (
        "It now holds 0 families, 0 variants, 0 providers and 0 offerings. No import has run yet." in empty["sources"]
    )


def test_faq_jsonld():
    assert guidance.faq_jsonld([("Q?", "A.")]) == {
        "@context": "https://schema.org",
        "@type": "FAQPage",
        "mainEntity": [{"@type": "Question", "name": "Q?", "acceptedAnswer": {"@type": "Answer", "text": "A."}}],
    }


def test_name_list():
    assert guidance.name_list(["A", "B", "A"]) == "A and B"
    assert guidance.name_list(list("ABCDEFG"), limit=3) == "A, B, C, and 4 more"
