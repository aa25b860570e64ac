"""How a provider's model id becomes a variant, a family and a creator. See docs/matching.md."""

from __future__ import annotations

import re
from functools import lru_cache

from django.utils.text import slugify

from catalog.services.importers.identity import KEY_LENGTH

# Routing suffixes of aggregators: the same model, served another way.
ROUTING_SUFFIX = re.compile(r":(free|beta|extended|nitro|floor|online|exacto)$")
# Region and vendor prefixes of cloud ids: "us.anthropic.claude-…", "meta.llama3-…".
CLOUD_PREFIX = re.compile(r"^(?:(?:us|eu|apac|global|jp|au|ca)\.)?(?:[a-z][a-z0-9-]*\.)(?=[a-z])")
CLOUD_VERSION = re.compile(r"-v\d+(?::\d+)?$")
DATE_SUFFIX = re.compile(r"-(?:20\d{6}|20\d{2}-\d{2}-\d{2}|latest)$")


@lru_cache(maxsize=65536)  # pure; matching asks it of each id several times
def normalize_model_id(model_id: str) -> str:
    """One key for the ids that name the same model.

    "anthropic/claude-opus-4.1", "claude-opus-4-1" and "claude-opus-4-1@20250805" all give
    "claude-opus-4-1".
    """
    key = model_id.strip().lower()
    key = key.rsplit("/", 1)[-1]
    key = key.split("@", 1)[0]
    key = ROUTING_SUFFIX.sub("", key)
    key = CLOUD_PREFIX.sub("", key)
    key = CLOUD_VERSION.sub("", key)
    key = re.sub(r"[^a-z0-9-]+", "-", key)  # keys double as URL slugs: "a+b (c)" → "a-b-c"
    key = DATE_SUFFIX.sub("", key)
    key = DATE_SUFFIX.sub("", key)  # "…-20240620-latest"
    return re.sub(r"-{2,}", "-", key).strip("-")[:KEY_LENGTH] or "unnamed"


@lru_cache(maxsize=65536)  # pure, and an import asks for the same few thousand hints and ids again and again
def slug_of(text: str) -> str:
    """A slug that keeps version dots apart: "kimi-k2.6" → "kimi-k2-6"."""
    return slugify(re.sub(r"[._:/]+", "-", text)) or "unnamed"


def derive_family(key: str) -> str:
    """A family slug from a normalized key, for sources that give none: leading words without digits."""
    words = []
    for word in key.split("-"):
        if any(ch.isdigit() for ch in word):
            break
        words.append(word)
    if not words:
        words = [re.sub(r"\d.*$", "", key.split("-")[0]) or key.split("-")[0]]
    return "-".join(words[:2])


ACRONYMS = {
    "gpt",
    "glm",
    "oss",
    "vl",
    "llm",
    "ai",
    "bge",
    "r1",
    "qvq",
    "qwq",
    "tts",
    "ocr",
    "moe",
    "mai",
    "glmv",
    "rnj",
}


def family_name(slug: str) -> str:
    """ "claude-haiku" → "Claude Haiku", "gpt-oss" → "GPT OSS", "kimi-k2.6" → "Kimi K2.6"."""
    words = []
    for word in re.split(r"[-_\s]+", slug):
        if not word:
            continue
        words.append(word.upper() if word.lower() in ACRONYMS else word[0].upper() + word[1:])
    return " ".join(words) or slug


# (pattern on a family slug or normalized key, organization slug, name, website)
CREATORS = [
    (r"claude", "anthropic", "Anthropic", "https://www.anthropic.com/"),
    (
        r"gpt|o\d|o-|o$|chatgpt|dall-e|whisper|text-embedding|sora|codex|davinci|babbage|tts-|omni-moderation|computer-use",
        "openai",
        "OpenAI",
        "https://openai.com/",
    ),
    (r"gemini|gemma|imagen|veo|lyria|nano-banana|learnlm|palm", "google", "Google", "https://ai.google/"),
    (r"llama|meta-llama|muse", "meta", "Meta", "https://ai.meta.com/"),
    (
        r"mistral|mixtral|ministral|codestral|devstral|magistral|pixtral|voxtral|open-mistral|open-mixtral",
        "mistral-ai",
        "Mistral AI",
        "https://mistral.ai/",
    ),
    (r"deepseek", "deepseek", "DeepSeek", "https://www.deepseek.com/"),
    (r"qwen|qwq|qvq", "alibaba-qwen", "Alibaba Cloud (Qwen)", "https://qwen.ai/"),
    (r"grok", "xai", "xAI", "https://x.ai/"),
    (r"glm|chatglm|cogview|codegeex", "zhipu-ai", "Zhipu AI (Z.ai)", "https://z.ai/"),
    (r"kimi|moonshot", "moonshot-ai", "Moonshot AI", "https://www.moonshot.ai/"),
    (r"minimax|abab", "minimax", "MiniMax", "https://www.minimax.io/"),
    (r"command|c4ai|aya|cohere|embed-(english|multilingual)|rerank", "cohere", "Cohere", "https://cohere.com/"),
    (r"phi|mai-|wizardlm", "microsoft", "Microsoft", "https://www.microsoft.com/en-us/ai"),
    (r"nova|titan|amazon", "amazon", "Amazon", "https://aws.amazon.com/ai/"),
    (r"nemotron|nvidia|llama-nemotron", "nvidia", "NVIDIA", "https://www.nvidia.com/en-us/ai/"),
    (r"mimo", "xiaomi", "Xiaomi", "https://www.mi.com/global/"),
    (r"ernie", "baidu", "Baidu", "https://yiyan.baidu.com/"),
    (r"hunyuan|hy\d|hy$", "tencent", "Tencent", "https://hunyuan.tencent.com/"),
    (r"seed|doubao", "bytedance", "ByteDance", "https://seed.bytedance.com/"),
    (r"sonar|pplx", "perplexity", "Perplexity", "https://www.perplexity.ai/"),
    (r"jamba", "ai21-labs", "AI21 Labs", "https://www.ai21.com/"),
    (r"granite", "ibm", "IBM", "https://www.ibm.com/granite"),
    (r"hermes|nous", "nous-research", "Nous Research", "https://nousresearch.com/"),
    (r"ling|ring", "inclusion-ai", "inclusionAI (Ant Group)", "https://github.com/inclusionAI"),
    (r"step", "stepfun", "StepFun", "https://www.stepfun.com/"),
    (r"yi-|yi$", "01-ai", "01.AI", "https://www.01.ai/"),
    (r"voyage", "voyage-ai", "Voyage AI", "https://www.voyageai.com/"),
    (r"bge", "baai", "BAAI", "https://www.baai.ac.cn/"),
    (r"flux", "black-forest-labs", "Black Forest Labs", "https://bfl.ai/"),
    (r"stable-diffusion|sdxl|sd3", "stability-ai", "Stability AI", "https://stability.ai/"),
    (r"solar", "upstage", "Upstage", "https://www.upstage.ai/"),
    (r"reka", "reka", "Reka AI", "https://reka.ai/"),
    (r"mercury", "inception", "Inception Labs", "https://www.inceptionlabs.ai/"),
    (r"olmo|allenai|tulu|molmo", "ai2", "Allen Institute for AI", "https://allenai.org/"),
    (r"llava", "haotian-liu", "Haotian Liu", ""),
    (r"longcat", "meituan", "Meituan", "https://longcat.ai/"),
    (r"kat-", "kuaishou", "Kuaishou", "https://www.kuaishou.com/"),
    (r"lfm|liquid", "liquid-ai", "Liquid AI", "https://www.liquid.ai/"),
    (r"sarvam", "sarvam-ai", "Sarvam AI", "https://www.sarvam.ai/"),
    (r"palmyra", "writer", "Writer", "https://writer.com/"),
    (r"cogito", "deep-cogito", "Deep Cogito", "https://www.deepcogito.com/"),
    (r"trinity", "arcee-ai", "Arcee AI", "https://www.arcee.ai/"),
    (r"intellect", "prime-intellect", "Prime Intellect", "https://www.primeintellect.ai/"),
    (r"baichuan", "baichuan", "Baichuan", "https://www.baichuan-ai.com/"),
    (r"ideogram", "ideogram", "Ideogram", "https://ideogram.ai/"),
    (r"recraft", "recraft", "Recraft", "https://www.recraft.ai/"),
    (r"elevenlabs|eleven-", "elevenlabs", "ElevenLabs", "https://elevenlabs.io/"),
    (r"jais", "g42", "G42 (Inception)", "https://www.g42.ai/"),
    (r"plamo", "preferred-networks", "Preferred Networks", "https://www.preferred.jp/"),
    (r"all-mini|minilm|mpnet|multi-qa", "sentence-transformers", "Sentence Transformers", "https://sbert.net/"),
    (r"e-?5-|multilingual-e-?5", "microsoft", "Microsoft", "https://www.microsoft.com/en-us/ai"),
    (r"gte-", "alibaba-qwen", "Alibaba Cloud (Qwen)", "https://qwen.ai/"),
    (r"codegemma|medlm", "google", "Google", "https://ai.google/"),
    (r"code-?llama|textgeneration-llama", "meta", "Meta", "https://ai.meta.com/"),
    (r"code-?qwen|wan-?\d|z-image", "alibaba-qwen", "Alibaba Cloud (Qwen)", "https://qwen.ai/"),
    (r"mamba-codestral", "mistral-ai", "Mistral AI", "https://mistral.ai/"),
    (r"starcoder", "bigcode", "BigCode", "https://www.bigcode-project.org/"),
    (r"pythia", "eleutherai", "EleutherAI", "https://www.eleuther.ai/"),
    (r"dbrx", "databricks", "Databricks", "https://www.databricks.com/"),
    (r"intern", "shanghai-ai-lab", "Shanghai AI Laboratory", "https://internlm.intern-ai.org.cn/"),
    (r"openchat", "openchat", "OpenChat", "https://github.com/imoneoi/openchat"),
    (r"openhermes|chronos-hermes", "teknium", "Teknium", ""),
    (r"j2-|j-2", "ai21-labs", "AI21 Labs", "https://www.ai21.com/"),
    (r"pegasus|marengo", "twelvelabs", "TwelveLabs", "https://www.twelvelabs.io/"),
    (r"allam", "sdaia", "SDAIA", "https://sdaia.gov.sa/"),
    (r"stablecode|stable-", "stability-ai", "Stability AI", "https://stability.ai/"),
    (r"snowflake|arctic", "snowflake", "Snowflake", "https://www.snowflake.com/"),
    (r"gigachat", "sber", "Sber", "https://giga.chat/"),
    (r"dolphin", "cognitive-computations", "Cognitive Computations", "https://erichartford.com/"),
    (
        r"fire(function|llava|search|router)|fare-|ember-|ultramarine|auto-instant|spot-",
        "fireworks-ai",
        "Fireworks AI",
        "https://fireworks.ai/",
    ),
    (r"swe-", "cognition", "Cognition", "https://cognition.ai/"),
    (r"venice", "venice", "Venice AI", "https://venice.ai/"),
    (r"morph", "morph", "Morph", "https://morphllm.com/"),
    (r"kling", "kuaishou", "Kuaishou", "https://www.kuaishou.com/"),
    (r"hidream", "hidream", "HiDream.ai", "https://hidream.ai/"),
    (r"perplexity", "perplexity", "Perplexity", "https://www.perplexity.ai/"),
    (r"exa-", "exa", "Exa", "https://exa.ai/"),
    (r"brave", "brave", "Brave", "https://brave.com/"),
    (r"fastgpt|universal-summarizer", "kagi", "Kagi", "https://kagi.com/"),
    (r"lucidquery", "lucidquery", "LucidQuery", ""),
    (r"xpersona", "xpersona", "Xpersona", ""),
    (r"claudinio", "claudinio", "Claudinio", ""),
    (r"asi-?\d", "asi-alliance", "ASI Alliance", ""),
    (r"agnes", "agnes-ai", "Agnes AI", ""),
    (r"abliterated", "abliteration-ai", "abliteration.ai", ""),
    (r"toppy", "undi95", "Undi95", ""),
    (r"openorca", "open-orca", "Open-Orca", ""),
    (r"openthinker", "open-thoughts", "Open Thoughts", ""),
    (r"snorkel", "snorkel-ai", "Snorkel AI", "https://snorkel.ai/"),
    (r"dobby", "sentient", "Sentient", "https://www.sentient.xyz/"),
    (r"rolm", "reducto", "Reducto", ""),
    (r"chatdolphin", "cognitive-computations", "Cognitive Computations", ""),
]
UNATTRIBUTED = ("unattributed", "Unattributed", "")
_CREATOR_PATTERNS = [(re.compile(rf"^(?:{pattern})"), slug, name, site) for pattern, slug, name, site in CREATORS]


@lru_cache(maxsize=4096)
def creator_for(*candidates: str) -> tuple[str, str, str]:
    """(slug, name, website) of the lab that makes a model, from its family and key; unattributed if unknown."""
    for candidate in candidates:
        if not candidate:
            continue
        for pattern, slug, name, site in _CREATOR_PATTERNS:
            if pattern.match(candidate):
                return slug, name, site
    return UNATTRIBUTED
