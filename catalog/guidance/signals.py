"""Signals and use-when lines: what a variant offers a workload, in the seed's words.

Pure functions over model instances (or anything with the same attributes): no queries, no writes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from catalog.formatting import format_parameters, format_tokens, join_words

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


def use_when(variant) -> str:
    """The one-line guidance for a variant."""
    replacement = getattr(variant, "replaced_by", None)
    if replacement is not None:
        return f"Replaced by {replacement.name}: use {replacement.name} for new work."
    found = signals(variant)
    if not found:
        return "No use-when signal yet: the catalog lists no context, size or capability for it."
    return f"Use when the workload needs {join_words(found)}."


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
    variants = list(variants)
    current = [v for v in variants if v.status == "current" and getattr(v, "replaced_by", None) is None]
    pool = current or variants
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
