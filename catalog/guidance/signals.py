"""Signals and use-when lines: what a variant offers a workload, in the seed's words.

Pure functions over model instances (or anything with the same attributes): no queries, no writes.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from catalog.formatting import format_parameters, format_price, format_tokens, join_words

CAPABILITY_SIGNALS = (
    ("tool_calling", "tool calling"),
    ("reasoning", "reasoning"),
    ("structured_output", "structured outputs"),
    ("open_weights", "open weights"),
)


def context_signal(variant) -> str | None:
    return f"{format_tokens(variant.context_window)} context" if variant.context_window else None


def parameter_signal(variant) -> str | None:
    return f"{format_parameters(variant.parameters)} parameters" if variant.parameters else None


def is_multimodal(variant) -> bool:
    return len(variant.input_modalities or []) > 1


def signals(variant) -> list[str]:
    """What a variant offers a workload, in a fixed order: context, size, inputs, capabilities."""
    found = [context_signal(variant), parameter_signal(variant)]
    if variant.active_parameters and variant.parameters and variant.active_parameters < variant.parameters:
        found.append(f"{format_parameters(variant.active_parameters)} active parameters")
    if is_multimodal(variant):
        found.append("multimodal inputs")
    found.extend(label for field, label in CAPABILITY_SIGNALS if getattr(variant, field) is True)
    return [signal for signal in found if signal]


MODALITY_NAMES = {"text": "text", "image": "image", "audio": "audio", "video": "video", "pdf": "PDF"}
UNLISTED = "unlisted"  # catalog.models.Status.UNLISTED: no current offering lists it any more
ROUTER = "router"  # catalog.models.ModelKind.ROUTER


def _inputs(variant, leave_out: str = "") -> str:
    names = [MODALITY_NAMES.get(m, m) for m in (variant.input_modalities or []) if m != leave_out]
    return join_words(names)


def kind_line(variant) -> str | None:
    """The use-when line of a model that is not a chat model, in its kind's own words (None for chat)."""
    kind = getattr(variant, "kind", "chat") or "chat"
    if kind == "chat":
        return None
    window = f"{format_tokens(variant.context_window)}" if variant.context_window else ""
    if kind == "embedding":
        tail = f" of up to {window} tokens of input" if window else ""
        inputs = _inputs(variant, "text")
        also = f", with {inputs} input too" if inputs else ""
        return f"Use when the workload needs text embeddings{tail}{also}: search, clustering and retrieval."
    if kind == "speech":
        return "Use when the workload needs speech to text: it takes audio input and writes a transcript."
    if kind == "tts":
        return "Use when the workload needs text to speech: it reads text aloud as audio."
    if kind == "image":
        inputs = _inputs(variant)
        prompt = f" from {inputs} prompts" if inputs and inputs != "text" else ""
        return f"Use when the workload needs image generation{prompt}."
    if kind == "video":
        return "Use when the workload needs video generation."
    if kind == "rerank":
        tail = f" of up to {window} tokens" if window else ""
        return f"Use when the workload needs search results reranked by relevance{tail}."
    if kind == "moderation":
        return "Use when the workload needs content moderation: it flags text that breaks a policy."
    if kind == ROUTER:
        target = getattr(variant, "points_to_name", None)
        if target is None and getattr(variant, "points_to_id", None):
            target = variant.points_to.name
        where = f"; it currently resolves to {target}" if target else ""
        return f"An alias or router, not a model{where}: pick the model itself for work that must stay the same."
    return None


def use_when(variant, pick=None) -> str:
    """The one-line guidance for a variant.

    `pick`, the family's most capable current variant, is named for a variant that is no longer
    listed and names no replacement.
    """
    replacement = getattr(variant, "replaced_by", None)
    if replacement is not None:
        return f"Replaced by {replacement.name}: use {replacement.name} for new work."
    if getattr(variant, "status", "") == UNLISTED:
        if pick is not None and pick is not variant and getattr(pick, "pk", None) != getattr(variant, "pk", 0):
            return f"No longer listed by any provider: use {pick.name} for new work."
        return "No longer listed by any provider: the catalog keeps it for reference."
    if line := kind_line(variant):
        return line
    found = signals(variant)
    if not found:
        return "No use-when signal yet: the catalog lists no context, size or capability for it."
    return f"Use when the workload needs {join_words(found)}."


# --- Lines that tell siblings apart --------------------------------------------------------


_ALIAS_NAME = re.compile(r"\blatest\b", re.IGNORECASE)
_MERGE_NAME = re.compile(r"\b(slerp|merged?|frankenmerge|ties|dare)\b", re.IGNORECASE)


def is_own_model(variant) -> bool:
    """Not an alias, a router, a community merge, or a model no provider lists any more."""
    if (getattr(variant, "kind", "chat") or "chat") == ROUTER or getattr(variant, "points_to_id", None):
        return False
    if getattr(variant, "status", "") == UNLISTED:
        return False
    return not (_ALIAS_NAME.search(variant.name) or _MERGE_NAME.search(variant.name))


def is_pickable(variant) -> bool:
    """A variant guidance may name as the pick: current, and its own model (see is_own_model)."""
    return is_current(variant) and is_own_model(variant)


def is_current(variant) -> bool:
    return (
        getattr(variant, "status", "current") == "current"
        and getattr(variant, "replaced_by", None) is None
        and (getattr(variant, "kind", "chat") or "chat") != ROUTER
    )


def _unique_extreme(group: list, value, highest: bool):
    """The one member of `group` whose value is strictly highest (lowest); None on a tie or no values."""
    known = [(value(v), v) for v in group if value(v) is not None]
    if len(known) < 2:
        return None
    known.sort(key=lambda pair: pair[0], reverse=highest)
    return known[0][1] if known[0][0] != known[1][0] else None


def _only(group: list, test) -> object | None:
    having = [v for v in group if test(v)]
    return having[0] if len(having) == 1 else None


def _price_words(price) -> str:
    return f"{format_price(price[0])} input and {format_price(price[1])} output per million tokens"


def distinctions(group: list, prices: dict) -> dict:
    """For variants that share one use-when line: what sets each apart from the others, from the data.

    `prices` maps a variant's pk to its lowest pay-per-token (input, output) price. Facts are tried in
    order (the newest, the cheapest, the only one with an input, the longest output, then each one's
    own release month, price, output limit or base model where no other member shares it); a
    variant gets the first fact that is its alone. One with no such fact keeps the shared line.
    """
    found: dict = {}
    count = len(group)

    def claim(variant, text):
        if variant is not None and variant.pk not in found:
            found[variant.pk] = text

    def cost(v):
        price = prices.get(v.pk)
        return None if price is None else price[0] + price[1]

    newest = _unique_extreme(group, lambda v: v.release_date, highest=True)
    if newest is not None:
        claim(newest, f"The newest of the {count} with these signals ({newest.released_display}).")
    cheapest = _unique_extreme(group, cost, highest=False)
    if cheapest is not None:
        claim(cheapest, f"The cheapest of the {count} with these signals, at {_price_words(prices[cheapest.pk])}.")
    for modality in ("image", "audio", "video", "pdf"):
        only = _only(group, lambda v, m=modality: m in (v.input_modalities or []))
        claim(only, f"The only one of the {count} with these signals that takes {MODALITY_NAMES[modality]} input.")

    def output_limit(v):  # an embedding's or a reranker's "output" is not text it writes
        writes = (getattr(v, "kind", "chat") or "chat") not in ("embedding", "rerank", "moderation")
        return getattr(v, "max_output_tokens", None) if writes else None

    longest = _unique_extreme(group, output_limit, highest=True)
    if longest is not None:
        claim(
            longest,
            f"The longest output of the {count} with these signals "
            f"({format_tokens(longest.max_output_tokens)} tokens).",
        )
    oldest = _unique_extreme(group, lambda v: v.release_date, highest=False)
    if oldest is not None:
        claim(oldest, f"The earliest of the {count} with these signals ({oldest.released_display}).")
    # Each one's own value, where no other member shares it.
    for label, value in (
        ("Released {}", lambda v: v.released_display or None),
        ("With {} context", lambda v: format_tokens(v.context_window) if v.context_window else None),
        ("At {} parameters", lambda v: format_parameters(v.parameters) if v.parameters else None),
        ("From {}", lambda v: _price_words(prices[v.pk]) if v.pk in prices else None),
        ("Up to {} output tokens", lambda v: format_tokens(output_limit(v)) if output_limit(v) else None),
        ("Built on {}", lambda v: getattr(v, "base_model", "") or None),
        ("Knowledge to {}", lambda v: getattr(v, "knowledge_cutoff", "") or None),
    ):
        values = [value(v) for v in group]
        for variant, own in zip(group, values, strict=True):
            if own is not None and values.count(own) == 1:
                claim(variant, label.format(own) + ".")
    # Nothing in the data: say so, and name the part of its name that differs.
    for variant, own in zip(group, _name_parts(group), strict=True):
        if own:
            claim(
                variant,
                f"The catalog lists nothing else that sets it apart from the {count - 1} others with "
                f"these signals: only its name ({own}).",
            )
    return found


def _name_parts(group: list) -> list[str]:
    """The words of each name that most of the group's names do not share: "Anthrobomination"."""
    names = [v.name.split() for v in group]
    common = Counter(word.lower() for words in names for word in set(words))
    half = len(group) / 2
    parts = [" ".join(w for w in words if common[w.lower()] <= half) for words in names]
    return [part if parts.count(part) == 1 else "" for part in parts]


DISTINGUISH_FROM = 5  # current variants a family needs before siblings' shared lines are told apart


def family_lines(variants: Iterable, prices: dict | None = None) -> dict:
    """{pk: use-when line} for a family's variants, current ones told apart from their siblings.

    A current variant's line is its signals line; where siblings share it, a second sentence says
    what sets each apart (see `distinctions`). In a family of fewer than DISTINGUISH_FROM current
    variants the table itself shows the difference, and lines stay as the seed page words them.
    Replaced and no-longer-listed variants name what to use instead.
    """
    variants = list(variants)
    prices = prices or {}
    pick = most_capable(variants)
    lines = {v.pk: use_when(v, pick) for v in variants}
    if sum(is_current(v) for v in variants) < DISTINGUISH_FROM:
        return lines
    groups: dict[str, list] = {}
    for variant in variants:
        if is_current(variant):
            groups.setdefault(lines[variant.pk], []).append(variant)
    for line, group in groups.items():
        if len(group) < 2:
            continue
        for pk, extra in distinctions(group, prices).items():
            lines[pk] = f"{line} {extra}"
    return lines


def capability_rank(variant) -> tuple:
    """Higher is more capable; ties go to the later release."""
    true_capabilities = sum(getattr(variant, field) is True for field, _ in CAPABILITY_SIGNALS)
    return (
        len(variant.input_modalities or []),
        variant.context_window or 0,
        true_capabilities,
        variant.parameters or 0,
        variant.release_date or date.min,
    )


def most_capable(variants: Iterable) -> object | None:
    """The most capable current variant (or most capable of all when none is current).

    Among equals, the first in the given order wins, so the result is deterministic.
    """
    variants = [v for v in variants if (getattr(v, "kind", "chat") or "chat") != ROUTER]
    pool = [v for v in variants if is_pickable(v)] or [v for v in variants if is_current(v)] or variants
    if not pool:
        return None
    best = pool[0]
    for variant in pool[1:]:
        if capability_rank(variant) > capability_rank(best):
            best = variant
    return best


def family_line(variants: Iterable) -> str:
    best = most_capable(variants)
    if best is None:
        return "The catalog lists no variant of this family yet."
    return use_when(best)


def max_context(variants: Iterable) -> int | None:
    windows = [v.context_window for v in variants if v.context_window]
    return max(windows) if windows else None


# --- Release timeline ---------------------------------------------------------------------


@dataclass(frozen=True)
class ReleaseGroup:
    label: str
    variants: list


def release_groups(variants: Iterable) -> list[ReleaseGroup]:
    """Variants grouped by release month, oldest first; unknown dates last."""
    groups: dict[str, list] = {}
    for variant in sorted(variants, key=lambda v: (v.release_date is None, v.release_date or date.min)):
        label = variant.release_month or "Release date unknown"
        groups.setdefault(label, []).append(variant)
    return [ReleaseGroup(label, members) for label, members in groups.items()]


# --- Variant against its family's pick -----------------------------------------------------


def _is_parameter_signal(signal: str) -> bool:
    return signal.endswith(" parameters")


def _same_variant(a, b) -> bool:
    if a is b:
        return True
    return getattr(a, "pk", None) is not None and getattr(a, "pk", None) == getattr(b, "pk", None)


def variant_comparison(variant, family_variants: Iterable, family_name: str) -> str | None:
    """How a variant compares with its family's most capable current variant, in the guidance's words."""
    best = most_capable(family_variants)
    if best is None:
        return None
    if _same_variant(variant, best):
        return (
            f"{variant.name} is the most capable current {family_name} variant in the catalog, so the family "
            "guidance points to it."
        )
    clauses = []
    mine, theirs = signals(variant), signals(best)
    if variant.context_window and best.context_window and variant.context_window != best.context_window:
        clauses.append(
            f"{variant.name} has {format_tokens(variant.context_window)} context against "
            f"{format_tokens(best.context_window)}"
        )
        mine = [s for s in mine if s != context_signal(variant)]
        theirs = [s for s in theirs if s != context_signal(best)]
    only_best = [s for s in theirs if s not in mine and not _is_parameter_signal(s)]
    only_mine = [s for s in mine if s not in theirs and not _is_parameter_signal(s)]
    if only_best:
        clauses.append(f"{best.name} has {join_words(only_best)}, which {variant.name} does not list")
    if only_mine:
        clauses.append(f"{variant.name} has {join_words(only_mine)}, which {best.name} does not list")
    if variant.parameters and best.parameters and variant.parameters != best.parameters:
        size = "smaller" if variant.parameters < best.parameters else "larger"
        clauses.append(
            f"{variant.name} is {size} at {format_parameters(variant.parameters)} parameters against "
            f"{format_parameters(best.parameters)}"
        )
    if not clauses:
        clauses.append(f"{variant.name} lists the same signals as {best.name}")
    return f"Compared with {best.name}, the most capable current {family_name} variant: {'; '.join(clauses)}."
