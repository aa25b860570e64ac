"""One model, one variant: the rules that tell which ids and names from any source name the same model.

Pure functions, no database. `docs/matching.md` explains them with examples; `VariantAlias` rows (curated,
or written by imports) are consulted before any of these rules.
"""

from __future__ import annotations

import re
from decimal import Decimal
from functools import lru_cache

from catalog.models import ModelKind, OfferingKind, Provider, Variant

# Keys are stored as Variant.match_key (and aliases) and double as slugs: they are cut to the column's size.
KEY_LENGTH = Variant._meta.get_field("match_key").max_length

# --- Keys ---------------------------------------------------------------------------------------

# Aggregator routing suffixes: the same model served another way.
ROUTING_SUFFIX = re.compile(r":(free|beta|extended|nitro|floor|online|exacto|thinking)$")
# Cloud region and vendor prefixes: "us.anthropic.claude-…", "meta.llama3-…".
CLOUD_PREFIX = re.compile(r"^(?:(?:us|eu|apac|global|jp|au|ca)\.)?(?:[a-z][a-z0-9-]*\.)(?=[a-z])")
CLOUD_VERSION = re.compile(r"-v?\d+:\d+$|-v\d+$")
# Anthropic-style dates name one model with its undated alias; OpenAI-style YYYY-MM-DD snapshots stay apart.
DATE_SUFFIX = re.compile(r"-(?:20\d{6}|\d{2}-20\d{2}|latest)$")
# "Anthropic: Claude Opus 4.7" (a reseller's display prefix).
NAME_PREFIX = re.compile(r"^[A-Za-z0-9 .&_-]{2,40}:\s+")
# Words for how a model is served, not which model it is: tiers, quantizations, packaging.
SERVING_WORDS = {
    "fast",
    "free",
    "turbo-fp8",
    "fp8",
    "fp16",
    "bf16",
    "fp4",
    "int4",
    "int8",
    "awq",
    "gptq",
    "gguf",
    "mlx",
    "4bit",
    "6bit",
    "8bit",
    "3bit",
    "hf",
    "maas",
    "basic",
    "instruct",
    "it",
    "tput",
    "tee",
    "serverless",
    "dynamic",
    "nvfp4",
    "w4a16",
    "w8a8",
    "mxfp4",
    "original",
    "online",
    "versatile",
}
# Reasoning-effort settings of one model ("claude-opus-4-6-thinking-low"); only for makers that sell one model.
EFFORT = re.compile(r"-(?:thinking|think|reasoning|nothink|non-thinking)(?:-(?:low|medium|high|max|min|minimal|\d+))?$")
EFFORT_FAMILIES = ("claude", "gemini", "grok", "gpt")
# Prefixes resellers put before the maker's id ("databricks-claude-…", "anthropic-claude-…").
RESELLER_PREFIXES = (
    "databricks",
    "anthropic",
    "openai",
    "google",
    "meta",
    "mistralai",
    "cerebras",
    "groq",
    "coding",
    "xiaomi",
    "deepseek-ai",
    "accounts-fireworks-models",
    "fireworks",
    "together",
    "azure",
    "vertex",
    "bedrock",
    "cf",
    "workers-ai",
    "hf",
    "nim",
    "aws",
    "gcp",
    "moonshotai",
    "zai-org",
    "qwen",
    "baidu",
    "tencent",
    "duo-chat",
    "cohere",
    "amazon",
    "microsoft",
    "ibm",
    "nvidia",
    "alibaba",
    "fw",
    "meta-textgeneration",
    "system-ai",
    "ai",
    "zai",
    "umans",
    "cc",
    "alicloud",
    "deep",
)
CLAUDE_TIER = re.compile(r"^claude-((?:\d+-)*\d+)-(opus|sonnet|haiku)(?=-|$)")
SIZE = re.compile(r"^(?:a?\d+(?:-\d+)?[bmk]|\d+e|\d+x\d+b)$")


def _split_letters_digits(key: str) -> str:
    """ "opus4-6" → "opus-4-6", "llama3" → "llama-3"; "4o", "a3b", "128k" stay (a digit first)."""
    return re.sub(r"(?<=[a-z])(?=\d)", "-", key)


@lru_cache(maxsize=65536)
def canonical_key(text: str) -> str:
    """The identity key of a model id or a display name: every spelling of one model gives the same key.

    "anthropic/claude-opus-4.6", "claude-opus4-6", "databricks-claude-opus-4-6", "Claude 4.6 Opus Thinking Low"
    and "Anthropic: Claude Opus 4.6 (Fast)" all give "claude-opus-4-6".
    """
    key = text.strip().lower()
    key = NAME_PREFIX.sub("", key) if " " in key else key
    key = key.rsplit("/", 1)[-1]
    key = key.split("@", 1)[0]
    key = ROUTING_SUFFIX.sub("", key)
    for _ in range(3):  # "us-gov.xai.grok-4", "system.ai.deepseek-v4"; "deepseek.v3.1" keeps its maker
        match = CLOUD_PREFIX.match(key)
        if not match:
            break
        rest = key[match.end() :]
        if re.match(r"v?\d", rest):
            key = match.group(0).rstrip(".").rsplit(".", 1)[-1] + "-" + rest
            break
        key = rest
    key = CLOUD_VERSION.sub("", key)
    key = re.sub(r"\((?:fast|free|beta|thinking|preview)\)", " ", key)
    key = re.sub(r"(\d)p(\d)", r"\1.\2", key)  # fireworks: "v3p1" → "v3.1"
    key = re.sub(r"[^a-z0-9]+", "-", key).strip("-")
    key = re.sub(r"(?<=-)v(?=\d)|^v(?=\d)", "", key)  # "llama-v2-13b" → "llama-2-13b", "mimo-v2-5" → "mimo-2-5"
    key = "-".join(word for word in key.split("-") if word and word not in SERVING_WORDS)
    key = _split_letters_digits(key)
    for _ in range(2):
        key = DATE_SUFFIX.sub("", key)
    changed = True
    while changed:
        changed = False
        for prefix in RESELLER_PREFIXES:
            if key.startswith(prefix + "-") and len(key) > len(prefix) + 3:
                rest = key[len(prefix) + 1 :]
                if not rest[0].isdigit():
                    key, changed = rest, True
    words = [word for word in key.split("-") if word and word not in SERVING_WORDS]
    key = "-".join(words)
    if key.startswith(EFFORT_FAMILIES):
        key = EFFORT.sub("", key)
    key = CLAUDE_TIER.sub(r"claude-\2-\1", key)  # "claude-4-6-opus" → "claude-opus-4-6"
    key = re.sub(r"(?<=-\d)-0$", "", key)  # "claude-opus-4-0" is "claude-opus-4"
    for _ in range(2):
        key = DATE_SUFFIX.sub("", key)
    return re.sub(r"-{2,}", "-", key).strip("-")[:KEY_LENGTH] or "unnamed"


def without_sizes(key: str) -> str:
    """The key without parameter-size words ("llama-4-maverick-17b-128e" → "llama-4-maverick")."""
    return "-".join(word for word in key.split("-") if not SIZE.match(word))


# --- Kinds ----------------------------------------------------------------------------------------

ROUTER_IDS = re.compile(r"(?:^|/)(?:auto|router|openrouter/auto|switchpoint.*|.*-router|best|default)$")
KIND_PATTERNS = [
    (ModelKind.EMBEDDING, re.compile(r"embed|(?:^|-)bge(?:-|$)|(?:^|-)e5-|(?:^|-)gte-|minilm|mpnet|(?:^|-)nomic")),
    (ModelKind.RERANK, re.compile(r"rerank")),
    (ModelKind.MODERATION, re.compile(r"moderation|(?:^|-)guard(?:-|$)|llama-guard|shieldgemma|safeguard")),
    (ModelKind.SPEECH, re.compile(r"whisper|transcri|(?:^|-)asr(?:-|$)|speech-to-text|(?:^|-)stt(?:-|$)")),
    (ModelKind.TTS, re.compile(r"(?:^|-)tts(?:-|$)|text-to-speech|eleven-|(?:^|-)voice(?:-|$)")),
    (
        ModelKind.IMAGE,
        re.compile(
            r"dall-e|(?:^|-)flux|imagen|stable-diffusion|sdxl|sd-3|(?:^|-)sd3|gpt-image|"
            r"ideogram|recraft|seedream|(?:^|-)image-(?:gen|\d)|hidream|playground-v"
        ),
    ),
    (
        ModelKind.VIDEO,
        re.compile(
            r"(?:^|-)veo(?:-|$)|(?:^|-)sora(?:-|$)|kling|seedance|(?:^|-)wan-\d|hailuo|"
            r"video"
        ),
    ),
]


def model_kind(model_id: str, name: str, input_modalities: list[str], output_modalities: list[str]) -> str:
    """What a model does, from its id and name first, then its modalities."""
    lowered = model_id.strip().lower()
    if ROUTER_IDS.search(lowered) or re.search(r"\bauto router\b|^auto$", name.strip().lower()):
        return ModelKind.ROUTER
    key = canonical_key(model_id)
    for kind, pattern in KIND_PATTERNS:
        if pattern.search(key):
            return kind
    outputs, inputs = set(output_modalities), set(input_modalities)
    if outputs and "text" not in outputs:
        if "image" in outputs:
            return ModelKind.IMAGE
        if "video" in outputs:
            return ModelKind.VIDEO
        if outputs == {"audio"}:
            return ModelKind.TTS if inputs <= {"text"} else ModelKind.CHAT
    return ModelKind.CHAT


# Providers that sell a subscription (a coding plan, a chat product), not tokens: their $0 is not a price.
SUBSCRIPTION_PROVIDERS = re.compile(
    r"coding-plan|token-plan|for-coding|^github-copilot$|^gitlab$|^v0$|^poe$|"
    r"^kimi-for-coding$|^claudinio$|^firepass$"
)


def offering_kind(
    provider_slug: str,
    provider_kind: str,
    model_id: str,
    variant_kind: str,
    price_input: Decimal | None,
    price_output: Decimal | None,
) -> str:
    """How an offering is sold. Only pay-per-token offerings have prices that count as prices."""
    if variant_kind == ModelKind.ROUTER:
        return OfferingKind.ROUTER
    if SUBSCRIPTION_PROVIDERS.search(provider_slug):
        return OfferingKind.SUBSCRIPTION
    if provider_kind == Provider.Kind.LOCAL:
        return OfferingKind.SELF_HOSTED
    lowered = model_id.lower()
    if lowered.endswith((":free", "-free")) or (price_input == 0 and price_output == 0):
        return OfferingKind.FREE_TIER
    return OfferingKind.PAY_PER_TOKEN


# --- Parameter counts -----------------------------------------------------------------------------

_EXPERTS = re.compile(r"(?:^|[-_/ :])(\d+)x(\d+(?:\.\d+)?)b(?=$|[-_/ .:])")
_TOTAL = re.compile(r"(?:^|[-_/ :])(\d+(?:\.\d+)?)([bmt])(?=$|[-_/ .:])")
_EXPERT_COUNT = re.compile(r"(?:^|[-_/ ])(\d+(?:\.\d+)?)b[-_ ](\d+)e(?=$|[-_/ .:])")
_ACTIVE = re.compile(r"(?:^|[-_/ ])a(\d+(?:\.\d+)?)b(?=$|[-_/ .:])")
# Mixture-of-experts totals the makers state, where "NxMb" is not the product.
STATED_TOTALS = {"8x7b": 46_700_000_000, "8x22b": 141_000_000_000}


def parameters_from_id(text: str) -> tuple[int | None, int | None]:
    """(total, active) parameters written in an id or name: "70b", "1.5B", "400m", "8x22b", "30b-a3b"."""
    lowered = text.lower().replace(",", "")
    total = active = None
    if match := _EXPERTS.search(lowered):
        stated = STATED_TOTALS.get(f"{match.group(1)}x{match.group(2)}b")
        total = stated or int(Decimal(match.group(1)) * Decimal(match.group(2)) * 1_000_000_000)
    else:
        scale = {"t": 1_000_000_000_000, "b": 1_000_000_000, "m": 1_000_000}
        sizes = [int(Decimal(number) * scale[unit]) for number, unit in _TOTAL.findall(lowered)]
        sizes = [size for size in sizes if 10_000_000 <= size <= 10_000_000_000_000]
        if sizes:
            total = max(sizes)
    if match := _EXPERT_COUNT.search(lowered):  # Llama 4's "17b-128e": 17B active of 128 experts
        total, active = None, int(Decimal(match.group(1)) * 1_000_000_000)
        return total, active
    if match := _ACTIVE.search(lowered):
        active = int(Decimal(match.group(1)) * 1_000_000_000)
        if total is not None and active > total:
            active = None
    return total, active


# --- Attribution ----------------------------------------------------------------------------------

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


# Parameter counts the makers state for models whose ids do not say them: (key pattern, total, active).
# Matched on the identity key; "maker" is the provenance the catalog shows for these.
B = 1_000_000_000
M = 1_000_000
STATED_PARAMETERS = [
    (r"kimi-k-2(?!-[56])(?:-|$)", 1000 * B, 32 * B),
    (r"deepseek-(?:3|chat|reasoner|r-1(?!-distill))(?:-|$)(?!.*distill)", 671 * B, 37 * B),
    (r"glm-4-[567](?:-|$)(?!.*(?:air|flash|v(?:-|$)))", 355 * B, 32 * B),
    (r"glm-4-5-air|glm-4-[56]v|intellect-3", 106 * B, 12 * B),
    (r"minimax-m-2(?:-[15])?(?:-|$)", 230 * B, 10 * B),
    (r"minimax-(?:text-)?01", 456 * B, 45_900 * M),
    (r"mimo-2-flash", 309 * B, 15 * B),
    (r"mistral-large-(?:2(?:$|-)|24)", 123 * B, None),
    (r"mistral-nemo(?:-|$)(?!tron)", 12 * B, None),
    (r"mistral-small-(?:24|25|2506|2503|2501|3)", 24 * B, None),
    (r"(?:devstral-small|magistral-small)", 24 * B, None),
    (r"devstral-2(?:-|$)|devstral-2512", 123 * B, None),
    (r"pixtral-large", 124 * B, None),
    (r"phi-3-5-moe", 41_900 * M, 6_600 * M),
    (r"phi-3(?:-5)?-mini|phi-4-mini", 3_800 * M, None),
    (r"phi-3-small", 7 * B, None),
    (r"phi-3-medium|phi-4(?:$|-reasoning)", 14 * B, None),
    (r"phi-3(?:-5)?-vision", 4_200 * M, None),
    (r"phi-4-multimodal", 5_600 * M, None),
    (r"whisper-large-3-turbo", 809 * M, None),
    (r"whisper-large", 1_550 * M, None),
    (r"command-r-plus", 104 * B, None),
    (r"command-r-7b", 7 * B, None),
    (r"command-r(?:$|-0)", 35 * B, None),
    (r"command-a(?:$|-reasoning|-translate)", 111 * B, None),
    (r"command-a-vision", 112 * B, None),
    (r"flux-(?:1-)?(?:schnell|dev|kontext-dev)", 12 * B, None),
    (r"stable-diffusion-3-5-large", 8_100 * M, None),
    (r"e-5-large", 335 * M, None),
    (r"gte-large", 434 * M, None),
    (r"all-mini-lm-l-6", 22_700 * M // 1000, None),
    (r"mpnet-base", 110 * M, None),
    (r"bge-m-3|bge-reranker-2-m-3", 568 * M, None),
    (r"bge-en-icl", 7_100 * M, None),
    (r"granite-4-0-h-micro", 3 * B, None),
    (r"sarvam-m(?:$|-)", 24 * B, None),
    (r"reka-flash-3", 21 * B, None),
    (r"paligemma(?:$|-)", 3 * B, None),
    (r"multi-qa-mpnet-base", 110 * M, None),
    (r"schnell$", 12 * B, None),
    (r"sdxl$", 3_500 * M, None),
    (r"kimi-k-2-5|moonshot-kimi-k-2", 1000 * B, 32 * B),
    (r"(?:step|stepfun)-3-5-flash", 196 * B, 11 * B),
    (r"deepseek-ocr(?:$|-2)", 3 * B, 570 * M),
    (r"trinity-mini", 26 * B, 3 * B),
    (r"trinity-large", 400 * B, 13 * B),
    (r"(?:tng-r-1t|deepseek-r-1t)", 671 * B, 37 * B),
    (r"reka-edge", 7 * B, None),
    (r"paddleocr-vl", 900 * M, None),
    (r"kb-whisper-large", 1_550 * M, None),
]
_STATED = [(re.compile(rf"^(?:{pattern})"), total, active) for pattern, total, active in STATED_PARAMETERS]


def stated_parameters(key: str) -> tuple[int | None, int | None] | None:
    """The maker's stated (total, active) for an identity key, from the curated table; None if not in it."""
    for pattern, total, active in _STATED:
        if pattern.match(key):
            return total, active
    return None
