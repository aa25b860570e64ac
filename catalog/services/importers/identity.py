"""One model, one variant: the rules that tell which ids and names from any source name the same model.

Pure functions, no database. `docs/matching.md` explains them with examples; `VariantAlias` rows (curated,
or written by imports) are consulted before any of these rules. Who makes a model: `makers`; how big it
is: `parameters`.
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


# The substitutions of canonical_key, compiled once.
SERVING_PAREN = re.compile(r"\((?:fast|free|beta|thinking|preview)\)")
FIREWORKS_POINT = re.compile(r"(\d)p(\d)")  # fireworks: "v3p1" → "v3.1"
NOT_KEY_CHARS = re.compile(r"[^a-z0-9]+")
VERSION_V = re.compile(r"(?<=-)v(?=\d)|^v(?=\d)")  # "llama-v2-13b" → "llama-2-13b", "mimo-v2-5" → "mimo-2-5"
LETTERS_DIGITS = re.compile(r"(?<=[a-z])(?=\d)")
VERSION_ZERO = re.compile(r"(?<=-\d)-0$")  # "claude-opus-4-0" is "claude-opus-4"
DASHES = re.compile(r"-{2,}")
# A reseller prefix can only apply to a key whose first word is the prefix's first word.
RESELLER_FIRST_WORDS = frozenset(prefix.split("-", 1)[0] for prefix in RESELLER_PREFIXES)


def _split_letters_digits(key: str) -> str:
    """ "opus4-6" → "opus-4-6", "llama3" → "llama-3"; "4o", "a3b", "128k" stay (a digit first)."""
    return LETTERS_DIGITS.sub("-", key)


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
    key = SERVING_PAREN.sub(" ", key)
    key = FIREWORKS_POINT.sub(r"\1.\2", key)
    key = NOT_KEY_CHARS.sub("-", key).strip("-")
    key = VERSION_V.sub("", key)
    key = "-".join(word for word in key.split("-") if word and word not in SERVING_WORDS)
    key = _split_letters_digits(key)
    for _ in range(2):
        key = DATE_SUFFIX.sub("", key)
    changed = key.split("-", 1)[0] in RESELLER_FIRST_WORDS
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
    key = VERSION_ZERO.sub("", key)
    for _ in range(2):
        key = DATE_SUFFIX.sub("", key)
    return DASHES.sub("-", key).strip("-")[:KEY_LENGTH] or "unnamed"


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
