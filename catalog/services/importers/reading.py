"""Reading source files: plain or gzipped JSON, duplicate keys refused, errors with line and column."""

from __future__ import annotations

import gzip
import json
from decimal import Decimal, InvalidOperation
from pathlib import Path

from catalog.services.importers.runs import ImportError_

MAX_PRICE = Decimal("999999.999999")
MICRO = Decimal("0.000001")


def read_bytes(path: str | Path) -> bytes:
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise ImportError_(f"{path}: cannot read: {error.strerror or error}") from error
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as error:
            raise ImportError_(f"{path}: not a valid gzip file: {error}") from error
    return raw


def _no_duplicates(where: str):
    def hook(pairs):
        seen = {}
        for key, value in pairs:
            if key in seen:
                raise ImportError_(f"{where}: duplicate key {key!r}")
            seen[key] = value
        return seen

    return hook


def parse_json(raw: bytes, where: str):
    try:
        return json.loads(raw.decode("utf-8"), object_pairs_hook=_no_duplicates(where))
    except UnicodeDecodeError as error:
        raise ImportError_(f"{where}: not UTF-8 text ({error.reason} at byte {error.start})") from error
    except json.JSONDecodeError as error:
        raise ImportError_(f"{where}: malformed JSON at line {error.lineno}, column {error.colno}: {error.msg}") from error


def price(value, where: str, *, per_token: bool = False) -> Decimal | None:
    """A price in USD per million tokens, exact to 6 places; per-token prices are scaled up."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ImportError_(f"{where}: a price must be a number, not {value!r}")
    try:
        amount = Decimal(str(value))
    except InvalidOperation as error:
        raise ImportError_(f"{where}: a price must be a number, not {value!r}") from error
    if not amount.is_finite():
        raise ImportError_(f"{where}: a price must be finite, not {value!r}")
    if per_token:
        amount *= 1_000_000
    if amount < 0:
        raise ImportError_(f"{where}: negative price {value!r}")
    amount = amount.quantize(MICRO)
    if amount > MAX_PRICE:
        raise ImportError_(f"{where}: price {value!r} is beyond {MAX_PRICE} USD per million tokens")
    return amount


def tokens(value, where: str) -> int | None:
    """A token count; 0 or missing means unknown."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != int(value):
        raise ImportError_(f"{where}: a token count must be a whole number, not {value!r}")
    if value < 0:
        raise ImportError_(f"{where}: negative token count {value!r}")
    return int(value) or None
