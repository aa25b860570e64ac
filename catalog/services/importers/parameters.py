"""Parameter counts from what ids and names say ("70b", "8x22b", "30b-a3b", "17b-128e"), and the counts makers
state for models whose ids do not say them (provenance `name` and `maker`: docs/matching.md). Pure.
"""

from __future__ import annotations

import re
from decimal import Decimal

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
