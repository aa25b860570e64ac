"""Who makes a model, from its id: gateway and cloud segments skipped, the namespace's organization (aliases
of the same maker joined), the providers that are a maker's own API, and a family's base name. Pure.
"""

from __future__ import annotations

import re

# Path segments of ids that name a gateway, region, plan or packaging, never the model's maker.
GATEWAY_SEGMENTS = {
    "accounts",
    "fireworks",
    "models",
    "routers",
    "@cf",
    "workers-ai",
    "us",
    "eu",
    "global",
    "global-standard",
    "us-gov",
    "*",
    "1-month-commitment",
    "6-month-commitment",
    "tee",
    "pro",
    "route",
    "public",
    "chat-completion",
    "completion",
    "openrouter",
    "kilo-auto",
    "claude_platform",
    "cerebras",
    "novita",
    "siliconflow",
    "fal-ai",
    "ps",
    "@oi",
    "hf",
    "unsloth",
    "lmstudio-community",
    "mlx-community",
    "bedrock",
    "vertex_ai",
    "azure",
    "azure_ai",
    "together",
    "togethercomputer",
    "sambanova",
    "@hf",
    "thebloke",
    "deepinfra",
    "nebius",
    "baseten",
    "chutes",
    "featherless",
}
CLOUD_VENDOR = re.compile(r"^(?:(?:us|eu|apac|global|jp|au|ca|us-gov)\.)?([a-z][a-z0-9-]*)\.(?=[a-z])")
REGION_SEGMENT = re.compile(r"^[a-z]{2}(?:-[a-z]+)+-\d$|^[a-z]{2}-[a-z]+$")
# Namespaces and id prefixes → the organization that makes the model (slug of CREATORS in matching.py).
ORG_ALIASES = {
    "openai": "openai",
    "qwen": "alibaba-qwen",
    "qwenlm": "alibaba-qwen",
    "alibaba": "alibaba-qwen",
    "google": "google",
    "deepseek-ai": "deepseek",
    "deepseek": "deepseek",
    "anthropic": "anthropic",
    "zai-org": "zhipu-ai",
    "z-ai": "zhipu-ai",
    "zai": "zhipu-ai",
    "thudm": "zhipu-ai",
    "moonshotai": "moonshot-ai",
    "kimi": "moonshot-ai",
    "meta-llama": "meta",
    "meta": "meta",
    "meta-models": "meta",
    "mistralai": "mistral-ai",
    "mistral": "mistral-ai",
    "mistral-ai": "mistral-ai",
    "nvidia": "nvidia",
    "minimax": "minimax",
    "minimaxai": "minimax",
    "xai": "xai",
    "x-ai": "xai",
    "baidu": "baidu",
    "microsoft": "microsoft",
    "xiaomi": "xiaomi",
    "xiaomimimo": "xiaomi",
    "amazon": "amazon",
    "cohere": "cohere",
    "arcee-ai": "arcee-ai",
    "arcee_ai": "arcee-ai",
    "perplexity": "perplexity",
    "inclusionai": "inclusion-ai",
    "tencent": "tencent",
    "ibm": "ibm",
    "ibm-granite": "ibm",
    "allenai": "ai2",
    "bytedance": "bytedance",
    "bytedance-seed": "bytedance",
    "volcengine": "bytedance",
    "stepfun": "stepfun",
    "stepfun-ai": "stepfun",
    "nousresearch": "nous-research",
    "baai": "baai",
    "black-forest-labs": "black-forest-labs",
    "bfl": "black-forest-labs",
    "meituan": "meituan",
    "voyage": "voyage-ai",
    "ai21": "ai21-labs",
    "ai21-labs": "ai21-labs",
    "inception": "inception",
    "liquid": "liquid-ai",
    "kwaipilot": "kuaishou",
    "deepcogito": "deep-cogito",
    "prime-intellect": "prime-intellect",
    "upstage": "upstage",
    "rekaai": "reka",
    "core42": "g42",
    "elevenlabs": "elevenlabs",
    "ideogramai": "ideogram",
    "intfloat": "microsoft",
    "sentence-transformers": "sentence-transformers",
    "thenlper": "alibaba-qwen",
    "alibaba-nlp": "alibaba-qwen",
    "gte": "alibaba-qwen",
    "sdaia": "sdaia",
    "groq": "groq",
    "cognitivecomputations": "cognitive-computations",
}
# Providers that are a maker's own API: their listing is the maker's word on the model.
MAKER_PROVIDERS = {
    "anthropic": "anthropic",
    "openai": "openai",
    "google": "google",
    "mistral": "mistral-ai",
    "xai": "xai",
    "deepseek": "deepseek",
    "moonshotai": "moonshot-ai",
    "moonshotai-cn": "moonshot-ai",
    "minimax": "minimax",
    "minimax-cn": "minimax",
    "zai": "zhipu-ai",
    "zhipuai": "zhipu-ai",
    "xiaomi": "xiaomi",
    "cohere": "cohere",
    "perplexity": "perplexity",
    "llama": "meta",
    "upstage": "upstage",
    "sarvam": "sarvam-ai",
    "inception": "inception",
    "stepfun": "stepfun",
    "alibaba": "alibaba-qwen",
    "alibaba-cn": "alibaba-qwen",
    "nova": "amazon",
}


def namespace_of(model_id: str) -> tuple[str, str] | None:
    """(organization slug, display name) named by an id's path ("undi95/remm-slerp-l2-13b" → Undi95).

    Gateway, region and plan segments are skipped; a known namespace maps to its maker's slug; an unknown one
    (a community author) becomes an organization of its own. None when the id names no maker.
    """
    parts = model_id.strip().split("/")[:-1]
    for raw in parts:
        segment = re.sub(r"^(?:hf:|~)", "", raw.strip()).strip()
        segment = re.sub(r"\s+\d+$", "", segment)  # "NousResearch 2" (a reseller's copy)
        lowered = segment.lower()
        if not lowered or lowered in GATEWAY_SEGMENTS or REGION_SEGMENT.match(lowered):
            continue
        if lowered in ORG_ALIASES:
            return ORG_ALIASES[lowered], ""
        if re.fullmatch(r"[A-Za-z][A-Za-z0-9._-]{1,38}", segment):
            return re.sub(r"[^a-z0-9]+", "-", lowered).strip("-"), segment
        return None
    if match := CLOUD_VENDOR.match(model_id.strip().lower().rsplit("/", 1)[-1]):  # "ai21.j2-mid-v1"
        vendor = match.group(1)
        if vendor in ORG_ALIASES:
            return ORG_ALIASES[vendor], ""
        if vendor in VENDOR_ORGS:
            return vendor, VENDOR_ORGS[vendor]
    return None


VENDOR_ORGS = {"twelvelabs": "TwelveLabs", "writer": "Writer", "stability": "Stability AI", "luma": "Luma AI"}


def base_family(hint: str) -> str:
    """A family slug without its version words: "kimi-k2.6" → "kimi", "qwen3.6" → "qwen", "claude-opus" stays."""
    words = []
    for word in re.split(r"[-_.\s]+", hint.strip().lower()):
        if not word:
            continue
        if any(ch.isdigit() for ch in word):
            stem = re.sub(r"\d.*$", "", word)
            if not words and stem:
                words.append(stem)
            break
        words.append(word)
    return "-".join(words)
