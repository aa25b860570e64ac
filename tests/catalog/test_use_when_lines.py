"""Use-when lines that tell siblings apart, and speak each model kind's language. Pure: unsaved instances."""

from collections import Counter
from datetime import date
from decimal import Decimal

from catalog import guidance
from catalog.models import Variant
from catalog.selectors.family_page import series_name


def variant(pk, name, **fields):
    defaults = {
        "status": "current",
        "input_modalities": ["text"],
        "release_date": date(2024, 1, 1),
        "release_precision": "day",
        "context_window": 32768,
        "parameters": 70 * 10**9,
    }
    v = Variant(**{**defaults, **fields, "name": name})
    v.pk = v.id = pk
    return v


def test_a_shared_line_gets_what_sets_each_sibling_apart():
    family = [
        variant(1, "Llama 3.3 70B Alpha", release_date=date(2024, 12, 6)),
        variant(2, "Llama 3.3 70B Beta"),
        variant(3, "Llama 3.3 70B Gamma", input_modalities=["text", "image"], context_window=32768),
        variant(4, "Llama 3.3 70B Delta", max_output_tokens=65536),
        variant(5, "Llama 3.3 70B Epsilon"),
        variant(6, "Llama 3.3 70B Zeta"),
    ]
    lines = guidance.family_lines(family, {2: (Decimal("0.10"), Decimal("0.20")), 5: (Decimal(1), Decimal(2))})
    base = "Use when the workload needs 32k context and 70B parameters."
    assert lines[1] == f"{base} The newest of the 5 with these signals (2024-12-06)."
    assert lines[2] == (
        f"{base} The cheapest of the 5 with these signals, at $0.10 input and $0.20 output per million tokens."
    )
    assert lines[3] == "Use when the workload needs 32k context, 70B parameters, and multimodal inputs."
    assert lines[4] == f"{base} Up to 64k output tokens."
    assert lines[5] == f"{base} From $1.00 input and $2.00 output per million tokens."
    assert lines[6] == (
        f"{base} The catalog lists nothing else that sets it apart from the 4 others with these "
        "signals: only its name (Zeta)."
    )
    assert len(set(lines.values())) == 6


def test_small_families_keep_the_seed_lines():
    twins = [
        variant(1, "LLaVA Vicuna 13B", parameters=13 * 10**9, context_window=None, base_model="Vicuna"),
        variant(2, "LLaVA Llama 2 13B", parameters=13 * 10**9, context_window=None, base_model="Llama 2"),
    ]
    lines = guidance.family_lines(twins)
    assert set(lines.values()) == {"Use when the workload needs 13B parameters."}


def test_kinds_speak_their_own_language():
    assert guidance.use_when(variant(1, "Whisper", kind="speech", open_weights=True, context_window=448)) == (
        "Use when the workload needs speech to text: it takes audio input and writes a transcript."
    )
    assert guidance.use_when(variant(1, "E", kind="embedding", context_window=8191)) == (
        "Use when the workload needs text embeddings of up to 8.2k tokens of input: search, clustering and retrieval."
    )
    assert guidance.use_when(variant(1, "F", kind="image", input_modalities=["text", "image"])) == (
        "Use when the workload needs image generation from text and image prompts."
    )
    router = variant(1, "Auto", kind="router")
    router.points_to_name = "Gemini 3.1 Pro"
    assert guidance.use_when(router) == (
        "An alias or router, not a model; it currently resolves to Gemini 3.1 Pro: "
        "pick the model itself for work that must stay the same."
    )


def test_replaced_and_no_longer_listed_say_what_to_use():
    new = variant(1, "New", tool_calling=True, context_window=131072)
    old = variant(2, "Old", status="legacy", replaced_by=new)
    gone = variant(3, "Gone", status="unlisted")
    lines = guidance.family_lines([new, old, gone])
    assert lines[2] == "Replaced by New: use New for new work."
    assert lines[3] == "No longer listed by any provider: use New for new work."
    assert guidance.most_capable([new, old, gone]) is new


def test_routers_are_never_the_pick():
    model = variant(1, "Model", context_window=8192)
    router = variant(2, "Router", kind="router", context_window=2_000_000, input_modalities=["text", "image"])
    assert guidance.most_capable([model, router]) is model


def test_every_line_in_a_big_family_is_its_own():
    family = [
        variant(i, f"Qwen3 {i}B", parameters=i * 10**9, release_date=date(2025, 1, i % 28 + 1)) for i in range(1, 40)
    ]
    counts = Counter(guidance.family_lines(family).values())
    assert max(counts.values()) == 1


def test_series_names():
    assert series_name("Qwen3 235B A22B") == "Qwen3"
    assert series_name("Qwen2.5 Coder 32B Instruct") == "Qwen2.5"
    assert series_name("Llama 3.1 8B Instruct") == "Llama 3.1"
    assert series_name("GPT-4o mini") == "GPT-4o"
    assert series_name("Qwen Max") == "Qwen Max"
    assert series_name("GPT-3.5 Turbo 0301") == "GPT-3.5"
