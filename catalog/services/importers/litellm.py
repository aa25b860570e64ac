"""LiteLLM's model_prices_and_context_window.json: one object per model key, per-token prices and flags.

Only chat models are imported ("mode": "chat"). A `supports_*` flag that is missing means unknown,
never false. See docs/matching.md, section "LiteLLM".
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date

from django.utils import timezone

from catalog.fields import canonical_modalities
from catalog.models import Offering, Provider
from catalog.services.importers import modelsdev
from catalog.services.importers.matching import slug_of
from catalog.services.importers.reading import parse_json, price, text, tokens
from catalog.services.importers.runs import ImportError_
from catalog.services.importers.sources import (
    MODEL_ID_LENGTH,
    NAME_LENGTH,
    PROVIDER_NAME_LENGTH,
    ProviderInfo,
    SourceEntry,
)

SOURCE = "litellm"
SPEC_KEY = "sample_spec"
CHAT = "chat"
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

# litellm_provider → the provider slug models.dev uses for the same company and service, so both
# sources land on one Provider and, for the same model id, one Offering. Every "vertex_ai-…" provider
# (vertex_ai-language-models, vertex_ai-anthropic_models, …) is Vertex AI too; see provider_slug().
PROVIDER_ALIASES = {
    "bedrock": "amazon-bedrock",
    "bedrock_converse": "amazon-bedrock",
    "vertex_ai": "google-vertex",
    "gemini": "google",
    "together_ai": "togetherai",
    "fireworks_ai": "fireworks-ai",
    "cohere": "cohere",
    "cohere_chat": "cohere",
    "novita": "novita-ai",
    "gmi": "gmicloud",
    "vercel_ai_gateway": "vercel",
    "github_copilot": "github-copilot",
    "github": "github-models",
    "cloudflare": "cloudflare-workers-ai",
    "moonshot": "moonshotai",
    "xiaomi_mimo": "xiaomi",
    "friendliai": "friendli",
    "abliteration": "abliteration-ai",
    "amazon_nova": "nova",
    "meta_llama": "llama",
    "meta": "llama",
    "dashscope": "alibaba",
    "bigmodel": "zhipuai",
    "gradient_ai": "digitalocean",
    "nvidia_nim": "nvidia",
    "lm_studio": "lmstudio",
    "ollama_chat": "ollama",
    "opencode_go": "opencode-go",
    "huggingface": "huggingface",
}
VERTEX_PREFIX = "vertex_ai-"

# Names for the slugs above (as models.dev spells them, so the import order does not change a name)
# and for LiteLLM-only providers whose readable form would be poor.
PROVIDER_NAMES = {
    "abliteration-ai": "abliteration.ai",
    "aihubmix": "AIHubMix",
    "alibaba": "Alibaba",
    "amazon-bedrock": "Amazon Bedrock",
    "anthropic": "Anthropic",
    "azure": "Azure",
    "baseten": "Baseten",
    "cerebras": "Cerebras",
    "cloudflare-workers-ai": "Cloudflare Workers AI",
    "cohere": "Cohere",
    "databricks": "Databricks",
    "deepinfra": "Deep Infra",
    "deepseek": "DeepSeek",
    "digitalocean": "DigitalOcean",
    "fireworks-ai": "Fireworks AI",
    "friendli": "Friendli",
    "github-copilot": "GitHub Copilot",
    "github-models": "GitHub Models",
    "gmicloud": "GMI Cloud",
    "google": "Google",
    "google-vertex": "Vertex",
    "groq": "Groq",
    "huggingface": "Hugging Face",
    "inception": "Inception",
    "llama": "Llama",
    "lmstudio": "LMStudio",
    "minimax": "MiniMax (minimax.io)",
    "mistral": "Mistral",
    "moonshotai": "Moonshot AI",
    "morph": "Morph",
    "nebius": "Nebius Token Factory",
    "nova": "Nova",
    "novita-ai": "NovitaAI",
    "nvidia": "Nvidia",
    "openai": "OpenAI",
    "opencode-go": "OpenCode Go",
    "openrouter": "OpenRouter",
    "ovhcloud": "OVHcloud AI Endpoints",
    "perplexity": "Perplexity",
    "sarvam": "Sarvam AI",
    "scaleway": "Scaleway",
    "togetherai": "Together AI",
    "v0": "v0",
    "vercel": "Vercel AI Gateway",
    "wandb": "Weights & Biases",
    "xai": "xAI",
    "xiaomi": "Xiaomi",
    "zai": "Z.AI",
    "zhipuai": "Zhipu AI",
    # LiteLLM only
    "azure-ai": "Azure AI Foundry",
    "bedrock-mantle": "Amazon Bedrock (Mantle)",
    "codestral": "Codestral (Mistral)",
    "ollama": "Ollama",
    "oci": "Oracle Cloud Infrastructure (OCI)",
    "sagemaker": "Amazon SageMaker",
    "snowflake": "Snowflake Cortex",
    "watsonx": "IBM watsonx.ai",
    "ai21": "AI21 Labs",
    "anyscale": "Anyscale",
    "replicate": "Replicate",
    "sambanova": "SambaNova",
    "hyperbolic": "Hyperbolic",
    "lambda-ai": "Lambda",
    "volcengine": "Volcano Engine",
    "tencent": "Tencent Cloud",
    "heroku": "Heroku",
    "nscale": "Nscale",
}
CLOUD_PROVIDERS = {
    *(slug for slug, kind in modelsdev.PROVIDER_KINDS.items() if kind == Provider.Kind.CLOUD),
    "azure-ai",
    "bedrock-mantle",
    "sagemaker",
    "watsonx",
    "oci",
    "snowflake",
    "heroku",
}
LOCAL_PROVIDERS = {
    "ollama",
    "lmstudio",
    "lemonade",
    "llamafile",
    "vllm",
    "hosted-vllm",
    "xinference",
    "docker-model-runner",
    "llamacpp",
}
ACRONYMS = {"ai", "api", "gmi", "ibm", "llm", "nlp", "nim", "oci", "ovh", "sap", "scx"}

PRICE_KEYS = {
    "price_input": "input_cost_per_token",
    "price_output": "output_cost_per_token",
    "price_cache_read": "cache_read_input_token_cost",
    "price_cache_write": "cache_creation_input_token_cost",
}
INPUT_FLAGS = {  # flag → the input modality it adds
    "supports_vision": "image",
    "supports_image_input": "image",
    "supports_audio_input": "audio",
    "supports_pdf_input": "pdf",
    "supports_video_input": "video",
}
CAPABILITY_FLAGS = {  # variant field → the flags that say so (true if any says true)
    "tool_calling": ("supports_function_calling", "supports_tool_choice"),
    "reasoning": ("supports_reasoning",),
    "structured_output": ("supports_response_schema",),
}


def provider_slug(litellm_provider: str) -> str:
    if litellm_provider.startswith(VERTEX_PREFIX):
        return "google-vertex"
    return PROVIDER_ALIASES.get(litellm_provider) or slug_of(litellm_provider)


def provider_name(slug: str, litellm_provider: str) -> str:
    """models.dev's name for an aliased provider; otherwise a readable form: "fireworks_ai" → "Fireworks AI"."""
    if slug in PROVIDER_NAMES:
        return PROVIDER_NAMES[slug]
    words = [word for word in re.split(r"[_\-\s]+", litellm_provider) if word]
    return " ".join(word.upper() if word.lower() in ACRONYMS else word[0].upper() + word[1:] for word in words)


def provider_kind(slug: str) -> str:
    if slug in CLOUD_PROVIDERS:
        return Provider.Kind.CLOUD
    if slug in LOCAL_PROVIDERS:
        return Provider.Kind.LOCAL
    return Provider.Kind.API


def model_id_for(key: str, litellm_provider: str) -> str:
    """The key without its routing prefix: "openrouter/anthropic/claude-3.5-sonnet" → "anthropic/claude-3.5-sonnet".

    The prefix is the provider's own name, or the name it extends: "vertex_ai/…" for
    "vertex_ai-anthropic_models", "bedrock/…" for "bedrock_converse", "amazon-nova/…" for "amazon_nova".
    """
    head, slash, rest = key.partition("/")
    if not slash or not rest:
        return key
    head_slug, provider = slug_of(head), slug_of(litellm_provider)
    if head_slug == provider or provider.startswith(f"{head_slug}-"):
        return rest
    return key


def _today() -> date:
    return timezone.now().date()


def _flag(model: dict, name: str, at: str) -> bool | None:
    value = model.get(name)
    if value is None or isinstance(value, bool):
        return value
    raise ImportError_(f"{at} {name}: expected true, false or absent, not {value!r}")


def _price(model: dict, name: str, at: str):
    value = model.get(name)
    if isinstance(value, str):  # LiteLLM's prices are JSON numbers; "0.000003" or "free" is a mistake
        raise ImportError_(f"{at} {name}: a price must be a number, not {value!r}")
    return price(value, f"{at} {name}", per_token=True)


def _deprecation(value, at: str) -> date | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str) or not ISO_DATE.match(value):
        raise ImportError_(f"{at} deprecation_date: expected YYYY-MM-DD, not {value!r}")
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise ImportError_(f"{at} deprecation_date: {value!r} is not a real date") from error


def _entry(key: str, model: dict, litellm_provider: str, at: str, today: date) -> SourceEntry:
    slug = provider_slug(litellm_provider)
    info = ProviderInfo(
        slug=slug,
        kind=provider_kind(slug),
        name=text(provider_name(slug, litellm_provider), f"{at} litellm_provider", max_length=PROVIDER_NAME_LENGTH),
    )
    model_id = text(model_id_for(key, litellm_provider), f"{at} (its model id)", max_length=MODEL_ID_LENGTH)

    context = tokens(model.get("max_input_tokens"), f"{at} max_input_tokens")
    if context is None:
        context = tokens(model.get("max_tokens"), f"{at} max_tokens")
    output = tokens(model.get("max_output_tokens"), f"{at} max_output_tokens")

    flags = {name: _flag(model, name, at) for name in INPUT_FLAGS}
    if any(value is not None for value in flags.values()):
        input_modalities = canonical_modalities(["text", *(INPUT_FLAGS[name] for name, on in flags.items() if on)])
    else:
        input_modalities = []  # no modality flag at all: unknown
    audio_out = _flag(model, "supports_audio_output", at)
    output_modalities = ["text", "audio"] if audio_out else ["text"]
    capabilities = {}
    for field_name, names in CAPABILITY_FLAGS.items():
        said = [value for value in (_flag(model, name, at) for name in names) if value is not None]
        capabilities[field_name] = any(said) if said else None

    deprecated_on = _deprecation(model.get("deprecation_date"), at)
    status = Offering.Status.DEPRECATED if deprecated_on and deprecated_on <= today else Offering.Status.ACTIVE

    return SourceEntry(
        key=key,
        provider=info,
        model_id=model_id,
        offering={
            **{field_name: _price(model, name, at) for field_name, name in PRICE_KEYS.items()},
            "context_window": context,
            "max_output_tokens": output,
            "status": status,
        },
        variant={
            "name": text(model_id.rsplit("/", 1)[-1], f"{at} (its name)", max_length=NAME_LENGTH),
            "context_window": context,
            "max_output_tokens": output,
            "input_modalities": input_modalities,
            "output_modalities": output_modalities,
            **capabilities,
        },
    )


def parse(raw: bytes, where: str, *, today: date | None = None) -> tuple[list[SourceEntry], list[str], int]:
    """Every chat model as a SourceEntry, notes on what was skipped, and how many records were skipped.

    Bad input raises, naming the key.
    """
    today = today or _today()
    data = parse_json(raw, where)
    if not isinstance(data, dict):
        raise ImportError_(f"{where}: expected an object of model keys at the top level")
    by_offering: dict[tuple[str, str], list[SourceEntry]] = {}
    skipped_modes: Counter = Counter()
    for key, model in data.items():
        if key == SPEC_KEY:
            continue
        at = f"{where}: {key}"
        if not isinstance(model, dict):
            raise ImportError_(f"{at}: expected an object, not {type(model).__name__} {model!r:.60}")
        mode = model.get("mode")
        if mode is not None and not isinstance(mode, str):
            raise ImportError_(f"{at} mode: expected text, not {mode!r}")
        if mode != CHAT:
            skipped_modes[mode] += 1
            continue
        litellm_provider = model.get("litellm_provider")
        if not isinstance(litellm_provider, str) or not litellm_provider.strip():
            raise ImportError_(f"{at} litellm_provider: expected a provider name, not {litellm_provider!r}")
        entry = _entry(key, model, litellm_provider.strip(), at, today)
        by_offering.setdefault((entry.provider.slug, entry.model_id), []).append(entry)

    notes = [
        f"skipped {count} {'entry' if count == 1 else 'entries'} "
        + (f"with mode {mode!r}" if mode is not None else "without a mode (aliases and pricing tiers)")
        + ": only chat models are imported"
        for mode, count in sorted(skipped_modes.items(), key=lambda item: (-item[1], str(item[0])))
    ]
    entries = []
    for (slug, model_id), spellings in by_offering.items():
        # Several keys for one offering ("deepseek-chat" and "deepseek/deepseek-chat"): the key routed
        # explicitly to the provider wins, then the first in sort order, so the choice does not depend on file order.
        spellings.sort(key=lambda e: (e.key == e.model_id, e.key))
        kept, *others = spellings
        entries.append(kept)
        for other in others:
            differs = "" if other.offering == kept.offering else " (with different prices, limits or status)"
            notes.append(
                f"skipped key {other.key!r}: another spelling of {kept.key!r}, "
                f"the same offering {slug}/{model_id}{differs}"
            )
    skipped = sum(skipped_modes.values()) + sum(len(spellings) - 1 for spellings in by_offering.values())
    return entries, notes, skipped
