"""Reading source files, bounded: plain or gzipped JSON (or YAML for our own format), checked before any work.

Every limit is checked while reading or right after parsing, before a record is looked at, so a hostile
or broken file costs bounded memory and time and ends in a named error (ImportError_), never a traceback:

- the file, and a gzip file once decompressed, at most `CATALOG_IMPORT_MAX_BYTES` (decompressed in
  chunks, so a gzip bomb stops at the limit instead of filling memory);
- at most `CATALOG_IMPORT_MAX_VALUES` values (counted on the raw text before parsing: each value but the last of an
  array or object is followed by a comma);
- nesting at most MAX_DEPTH deep; text at most MAX_STRING characters and never a NUL character (which
  PostgreSQL refuses, so SQLite and PostgreSQL behave the same); whole numbers of at most
  MAX_INT_DIGITS digits, no NaN or Infinity, no number too large for a float;
- no duplicate keys; YAML through the safe loader, refusing aliases (the "billion laughs" expansion)
  and duplicate keys.
"""

from __future__ import annotations

import json
import math
import zlib
from decimal import Decimal, InvalidOperation
from pathlib import Path

import yaml
from django.conf import settings

from catalog.services.importers.runs import ImportError_

MAX_PRICE = Decimal("999999.999999")
MICRO = Decimal("0.000001")
MAX_TOKENS = 2_147_483_647  # PostgreSQL's integer, the column of every token count
# Defaults sized so that the worst file within them stays under 300 MB of memory (bench/bombs.py):
DEFAULT_MAX_BYTES = 16 * 1024 * 1024  # 4.5× the largest real source file (LiteLLM's, 3.5 MB)
DEFAULT_MAX_VALUES = 300_000  # commas; models.dev has 89k, LiteLLM 70k, a full export of both 154k
MAX_DEPTH = 32  # the real files nest 4 deep, our own format 5
MAX_STRING = 200_000  # characters; the longest real text is a family's about, a few thousand
MAX_INT_DIGITS = 30
CHUNK = 1024 * 1024


def _at(where: str) -> str:
    return f"{where}: " if where else ""


def max_bytes() -> int:
    return int(getattr(settings, "CATALOG_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))


def max_values() -> int:
    return int(getattr(settings, "CATALOG_IMPORT_MAX_VALUES", DEFAULT_MAX_VALUES))


def _too_big(where: str, limit: int, what: str = "the file") -> ImportError_:
    return ImportError_(
        f"{_at(where)}{what} is larger than the limit of {limit:,} bytes (CATALOG_IMPORT_MAX_BYTES); refused before reading it"
    )


def read_bytes(path: str | Path, *, limit: int | None = None) -> bytes:
    """The file's bytes, gunzipped when it is gzip; at most `limit` bytes either way."""
    path, limit = Path(path), limit or max_bytes()
    try:
        with path.open("rb") as handle:
            raw = handle.read(limit + 1)
    except OSError as error:
        raise ImportError_(f"{path}: cannot read: {error.strerror or error}") from error
    if len(raw) > limit:
        raise _too_big(str(path), limit)
    return decompressed(raw, str(path), limit=limit)


def decompressed(raw: bytes, where: str, *, limit: int | None = None) -> bytes:
    """Gunzip `raw` when it starts with gzip's magic bytes, stopping at `limit` bytes of output."""
    if raw[:2] != b"\x1f\x8b":
        return raw
    limit = limit or max_bytes()
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)  # gzip header, one member
    out = bytearray()
    try:
        data = raw
        while data:
            out += inflater.decompress(data, CHUNK)
            if len(out) > limit:
                raise _too_big(where, limit, "the decompressed file")
            data = inflater.unconsumed_tail
        if not inflater.eof:
            raise ImportError_(f"{_at(where)}not a valid gzip file: it ends before the end of the compressed data")
    except zlib.error as error:
        raise ImportError_(f"{_at(where)}not a valid gzip file: {error}") from error
    return bytes(out)


# --- Parsing ----------------------------------------------------------------------------------


def _no_duplicates(where: str):
    def hook(pairs):
        built = dict(pairs)  # in C; only an object with a repeated key is walked in Python
        if len(built) != len(pairs):
            seen = set()
            for key, _value in pairs:
                if key in seen:
                    raise ImportError_(f"{_at(where)}duplicate key {key!r}")
                seen.add(key)
        return built

    return hook


def _parse_int(where: str):
    def hook(text: str) -> int:
        if len(text.lstrip("-")) > MAX_INT_DIGITS:
            raise ImportError_(f"{_at(where)}the number {text[:40]}… has more than {MAX_INT_DIGITS} digits")
        return int(text)

    return hook


def _parse_float(where: str, exact: bool):
    def hook(text: str):
        if len(text) > 2 * MAX_INT_DIGITS:
            raise ImportError_(f"{_at(where)}the number {text[:40]}… is longer than {2 * MAX_INT_DIGITS} characters")
        value = float(text)
        if not math.isfinite(value):
            raise ImportError_(f"{_at(where)}the number {text} is too large")
        return Decimal(text) if exact else value

    return hook


def _refuse_constant(where: str):
    def hook(name: str):
        raise ImportError_(f"{_at(where)}{name} is not a number JSON allows")

    return hook


def json_hooks(where: str, *, exact: bool = False) -> dict:
    """json.loads arguments that refuse duplicate keys, oversized numbers, NaN and Infinity."""
    return {
        "object_pairs_hook": _no_duplicates(where),
        "parse_int": _parse_int(where),
        "parse_float": _parse_float(where, exact),
        "parse_constant": _refuse_constant(where),
    }


def parse_json(raw: bytes, where: str, *, exact: bool = False):
    """JSON text → Python values, within the limits above. `exact`: numbers with a point or exponent as Decimals."""
    count_values(raw, where)
    text = _decoded(raw, where)
    try:
        data = json.loads(text, **json_hooks(where, exact=exact))
    except json.JSONDecodeError as error:
        raise _malformed(where, error) from error
    except RecursionError as error:
        raise ImportError_(f"{_at(where)}nested more than {MAX_DEPTH} levels deep") from error
    _check_parsed(text, data, where)
    return data


def _check_parsed(text: str, data, where: str) -> None:
    """check_values for JSON, skipping what the text already rules out: the parsing hooks checked every
    number; no text can be longer than the text it came from; and a NUL can only be written as \\u0000.
    Then only the depth is left to walk, through the containers alone."""
    if len(text) > MAX_STRING or "\\u0000" in text or _too_deep(data):
        check_values(data, where)  # the full walk, which names the value at fault


def _too_deep(data) -> bool:
    stack = [(data, 0)] if isinstance(data, (dict, list)) else []
    while stack:
        value, depth = stack.pop()
        children = value.values() if isinstance(value, dict) else value
        if children and depth >= MAX_DEPTH:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False


def json_members(raw: bytes, where: str, *, what: str = "an object", exact: bool = False):
    """The members of the file's top-level object, one (key, value) at a time, within the limits above:
    a big file is never all in memory as Python values at once, only its text and one member.
    A file whose top level is not an object is refused, naming `what` was expected."""
    count_values(raw, where)
    text = _decoded(raw, where)
    position = _skip_space(text, 0)
    if not text.startswith("{", position):
        if not isinstance(parse_json(raw, where, exact=exact), dict):  # malformed JSON is named as such first
            raise ImportError_(f"{_at(where)}expected {what} at the top level")
    return _members(text, position + 1, where, exact)


def _members(text: str, position: int, where: str, exact: bool):
    decoder = json.JSONDecoder(**json_hooks(where, exact=exact))
    seen = set()
    position = _skip_space(text, position)
    if text.startswith("}", position):
        return _end(text, position + 1, where)
    while True:
        try:
            if not text.startswith('"', position):
                raise json.JSONDecodeError("Expecting property name enclosed in double quotes", text, position)
            start = position
            key, position = decoder.raw_decode(text, position)
            position = _skip_space(text, position)
            if not text.startswith(":", position):
                raise json.JSONDecodeError("Expecting ':' delimiter", text, position)
            value, position = decoder.raw_decode(text, _skip_space(text, position + 1))
        except json.JSONDecodeError as error:
            raise _malformed(where, error) from error
        except RecursionError as error:
            raise ImportError_(f"{_at(where)}nested more than {MAX_DEPTH} levels deep") from error
        if key in seen:
            raise ImportError_(f"{_at(where)}duplicate key {key!r}")
        seen.add(key)
        _check_parsed(text[start:position], {key: value}, where)
        yield key, value
        position = _skip_space(text, position)
        if text.startswith(",", position):
            position = _skip_space(text, position + 1)
            continue
        if text.startswith("}", position):
            return _end(text, position + 1, where)
        raise _malformed(where, json.JSONDecodeError("Expecting ',' delimiter", text, position))


def _end(text: str, position: int, where: str) -> None:
    if _skip_space(text, position) != len(text):
        raise _malformed(where, json.JSONDecodeError("Extra data", text, position))


def _skip_space(text: str, position: int) -> int:
    while position < len(text) and text[position] in " \t\n\r":
        position += 1
    return position


def _decoded(raw: bytes, where: str) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ImportError_(f"{_at(where)}not UTF-8 text ({error.reason} at byte {error.start})") from error


def _malformed(where: str, error: json.JSONDecodeError) -> ImportError_:
    return ImportError_(f"{_at(where)}malformed JSON at line {error.lineno}, column {error.colno}: {error.msg}")


def count_values(raw: bytes, where: str) -> None:
    if raw.count(b",") > (limit := max_values()):
        raise ImportError_(
            f"{_at(where)}more than {limit:,} values (CATALOG_IMPORT_MAX_VALUES); refused before parsing"
        )


class _SafeLoader(yaml.SafeLoader):
    """PyYAML's safe loader, refusing aliases (no expansion, so no "billion laughs") and duplicate keys."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(None, None, "aliases (*name) are not allowed", event.start_mark)
        return super().compose_node(parent, index)

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _value_node in node.value:
            key = self.construct_object(key_node, deep=deep)
            if isinstance(key, (list, dict)):
                raise yaml.constructor.ConstructorError(None, None, "a key must be text", key_node.start_mark)
            if key in seen:
                raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def parse_yaml(raw: bytes, where: str):
    """YAML text → Python values, within the limits above (values counted by line)."""
    if raw.count(b"\n") + raw.count(b",") > (limit := max_values()):
        raise ImportError_(
            f"{_at(where)}more than {limit:,} values (CATALOG_IMPORT_MAX_VALUES); refused before parsing"
        )
    text = _decoded(raw, where)
    try:
        data = yaml.load(text, Loader=_SafeLoader)  # noqa: S506 (_SafeLoader is yaml.SafeLoader, stricter)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
        problem = getattr(error, "problem", None) or str(error)
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ImportError_(f"{_at(where)}invalid YAML: {problem}{at}") from error
    except RecursionError as error:
        raise ImportError_(f"{_at(where)}nested more than {MAX_DEPTH} levels deep") from error
    check_values(data, where)
    return data


def _path(parts: list) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top level)"


def check_values(data, where: str) -> None:
    """Depth, text size, NUL characters and number sizes of everything parsed, without recursion.

    Each value's place is a (parent place, key) pair, spelled out only for an error: one small tuple per value.
    """
    stack = [(data, 0, None)]
    while stack:
        value, depth, place = stack.pop()
        if depth > MAX_DEPTH:
            raise ImportError_(
                f"{_at(where)}{_path(_parts(place)[:MAX_DEPTH])}…: nested more than {MAX_DEPTH} levels deep"
            )
        if isinstance(value, dict):
            for key, item in value.items():
                if not isinstance(key, str):
                    raise ImportError_(f"{_at(where)}{_path(_parts(place))}: the key {key!r} is not text")
                if len(key) > MAX_STRING or "\x00" in key:
                    _refuse_text(key, where, (place, key[:60]))
                stack.append((item, depth + 1, (place, key)))
        elif isinstance(value, list):
            stack.extend((item, depth + 1, (place, index)) for index, item in enumerate(value))
        elif isinstance(value, str):
            if len(value) > MAX_STRING or "\x00" in value:
                _refuse_text(value, where, place)
        elif isinstance(value, float) and not math.isfinite(value):  # YAML's .inf and .nan
            raise ImportError_(f"{_at(where)}{_path(_parts(place))}: {value!r} is not a finite number")
        elif isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**MAX_INT_DIGITS:
            raise ImportError_(f"{_at(where)}{_path(_parts(place))}: the number has more than {MAX_INT_DIGITS} digits")


def _parts(place) -> list:
    parts = []
    while place is not None:
        place, key = place
        parts.append(key)
    return parts[::-1]


def _refuse_text(value: str, where: str, place) -> None:
    parts = _parts(place)
    if len(value) > MAX_STRING:
        raise ImportError_(f"{_at(where)}{_path(parts)}: text longer than {MAX_STRING:,} characters")
    raise ImportError_(f"{_at(where)}{_path(parts)}: {value[:60]!r} contains a NUL character")


# --- Values -----------------------------------------------------------------------------------


def price(value, where: str, *, per_token: bool = False) -> Decimal | None:
    """A price in USD per million tokens, exact to 6 places; per-token prices are scaled up."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, str, Decimal)):
        raise ImportError_(f"{_at(where)}a price must be a number, not {value!r:.80}")
    try:
        amount = Decimal(str(value))
    except InvalidOperation as error:
        raise ImportError_(f"{_at(where)}a price must be a number, not {value!r:.80}") from error
    if not amount.is_finite():
        raise ImportError_(f"{_at(where)}a price must be finite, not {value!r}")
    if per_token:
        amount *= 1_000_000
    if amount < 0:
        raise ImportError_(f"{_at(where)}negative price {value!r}")
    if amount > MAX_PRICE or (amount := amount.quantize(MICRO)) > MAX_PRICE:
        raise ImportError_(f"{_at(where)}price {value!r} is beyond {MAX_PRICE} USD per million tokens")
    return amount


def tokens(value, where: str) -> int | None:
    """A token count; 0 or missing means unknown."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ImportError_(f"{_at(where)}a token count must be a whole number, not {value!r:.80}")
    if not math.isfinite(value) or value != int(value):
        raise ImportError_(f"{_at(where)}a token count must be a whole number, not {value!r}")
    if value < 0:
        raise ImportError_(f"{_at(where)}negative token count {value!r}")
    if value > MAX_TOKENS:
        raise ImportError_(f"{_at(where)}token count {value!r} is beyond {MAX_TOKENS:,}")
    return int(value) or None


def text(value, where: str, *, max_length: int, default: str = "") -> str:
    """A text value (or absent) of at most `max_length` characters (the catalog's column); anything else is
    refused, naming it: a cut value would be a different name or id."""
    if value is None or value == "":
        return default
    if not isinstance(value, str):
        raise ImportError_(f"{_at(where)}expected text, not {value!r:.80}")
    if len(value) > max_length:
        raise ImportError_(
            f"{_at(where)}{len(value):,} characters, more than the {max_length} the catalog holds: {value[:60]!r}…"
        )
    return value
