"""How the catalog writes numbers and lists in prose: tokens, parameters, prices, costs, word lists.

One definition for every page, table, chart and finding. Pure functions, no Django.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal


def _trim(number: float) -> str:
    text = f"{number:.1f}"
    return text[:-2] if text.endswith(".0") else text


def format_tokens(tokens: int) -> str:
    """4096 → "4k", 131072 → "128k", 200000 → "200k", 1000000 → "1M"."""
    for decimal, binary, suffix in ((1_000_000, 1_048_576, "M"), (1000, 1024, "k")):
        if tokens >= decimal:
            base = binary if tokens % decimal and not tokens % binary else decimal
            return f"{_trim(tokens / base)}{suffix}"
    return str(tokens)


def format_parameters(parameters: int) -> str:
    """7e9 → "7B", 1.5e9 → "1.5B", 400e6 → "400M", 1.8e12 → "1.8T"."""
    for scale, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K")):
        if parameters >= scale:
            return f"{_trim(parameters / scale)}{suffix}"
    return str(parameters)


def format_price(price: Decimal) -> str:
    """USD with two decimals, or more where the price needs them: $3.00, $0.15, $0.075."""
    exponent = price.normalize().as_tuple().exponent
    places = max(2, -exponent) if isinstance(exponent, int) else 2
    return f"${price:.{places}f}"


def join_words(items: Sequence[str]) -> str:
    """ "a", "a and b", "a, b, and c"."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    if len(items) == 2:
        return f"{items[0]} and {items[1]}"
    return f"{', '.join(items[:-1])}, and {items[-1]}"


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    return f"{count} {singular if count == 1 else (plural_form or singular + 's')}"


def name_list(names: Sequence[str], limit: int = 5) -> str:
    """Distinct names joined as words; past `limit` the rest are counted: "A, B, C, and 4 more"."""
    names = list(dict.fromkeys(names))
    if len(names) <= limit:
        return join_words(names)
    return join_words([*names[:limit], f"{len(names) - limit} more"])


def format_gb(value: Decimal) -> str:
    """26 → "26 GB", 6.5 → "6.5 GB", 31.2 → "31.2 GB", 1620 → "1,620 GB"."""
    rounded = value.quantize(Decimal("0.1"))
    return f"{f'{rounded:,.1f}'.removesuffix('.0')} GB"


def format_cost(amount: Decimal) -> str:
    """Dollars and cents with thousands separators; "under $0.01" for a cost that rounds to nothing."""
    if 0 < amount < Decimal("0.005"):
        return "under $0.01"
    return f"${amount.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,.2f}"


def article(word: str) -> str:
    """ "a chat model", "an embedding model", "an 8B model": the indefinite article for a word as spoken."""
    first = word.lstrip()[:1].lower()
    spoken_vowel = first in "aeio" or (first == "8") or word.lower().startswith(("11", "18", "un", "hour"))
    return f"{'an' if spoken_vowel and first else 'a'} {word}"
