"""Fault injection (issue 15, "Done when"): every importer fed truncated, empty, bomb, huge, deep, NUL,
wrong-type, duplicate-key and out-of-range input exits non-zero with a message naming the problem,
and the catalog's export is unchanged. Runs on SQLite and PostgreSQL alike (CI runs both).

The bombs here are small (the limit is lowered to 1 MB); bench/bombs.py measures real ones' memory.
"""

import gzip
import io
import json
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

LIMIT = 1_000_000

MODELSDEV = {
    "prov": {
        "id": "prov",
        "name": "Prov",
        "api": "https://api.prov.example/v1",
        "models": {
            "model-a": {
                "id": "model-a",
                "name": "Model A",
                "family": "model",
                "release_date": "2025-01-02",
                "limit": {"context": 128000, "output": 8192},
                "cost": {"input": 1.5, "output": 6},
                "modalities": {"input": ["text"], "output": ["text"]},
                "tool_call": True,
            },
        },
    }
}
LITELLM = {
    "sample_spec": {"mode": "chat"},
    "model-a": {
        "litellm_provider": "openai",
        "mode": "chat",
        "max_input_tokens": 128000,
        "max_output_tokens": 8192,
        "input_cost_per_token": 1.5e-06,
        "output_cost_per_token": 6e-06,
        "supports_function_calling": True,
    },
}


def _export() -> str:
    out = io.StringIO()
    call_command("export_catalog", "-", stdout=out, verbosity=0)
    return out.getvalue()


def _catalog_document() -> dict:
    return json.loads(_export())


def _set(document, path, value):
    node = document
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    return document


# Where each importer keeps a text, a token count and a record key, for the mutations below.
TEXT = {
    "modelsdev": ("prov", "models", "model-a", "name"),
    "litellm": ("model-a", "litellm_provider"),
    "catalog": ("families", 0, "name"),
}
COUNT = {
    "modelsdev": ("prov", "models", "model-a", "limit", "context"),
    "litellm": ("model-a", "max_input_tokens"),
    "catalog": ("families", 0, "variants", 0, "context_window"),
}


def _valid(importer):
    """A fresh copy of a valid document for the importer (the mutations below change it in place)."""
    source = {"modelsdev": MODELSDEV, "litellm": LITELLM}.get(importer)
    return json.loads(json.dumps(source)) if source else _catalog_document()


def _json(document) -> bytes:
    return json.dumps(document).encode()


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def _with_raw_count(importer, token: str) -> bytes:
    """The valid document with its token count replaced by `token`, as written (1e400, 3e9, 400 digits)."""
    document = _valid(importer)
    _set(document, COUNT[importer], "@@COUNT@@")
    return _json(document).replace(b'"@@COUNT@@"', token.encode())


CASES = {
    # name: (make the bytes, what the message says)
    "truncated": (lambda imp: _json(_valid(imp))[:-7], r"malformed JSON|invalid JSON"),
    "empty": (lambda imp: b"", r"malformed JSON at line 1, column 1|invalid JSON: Expecting value at line 1"),
    "gzip-bomb": (lambda imp: gzip.compress(b"[" + b" " * (LIMIT * 20) + b"]", 9), r"decompressed file is larger"),
    "huge-file": (lambda imp: b"[" + b" " * (LIMIT + 10) + b"]", r"larger than the limit of 1,000,000 bytes"),
    "huge-text": (lambda imp: _json(_set(_valid(imp), TEXT[imp], "x" * 300_000)), r"text longer than 200,000"),
    "deep": (
        lambda imp: _json(_set(_valid(imp), TEXT[imp], "@@")).replace(b'"@@"', _nested(5000).encode()),
        r"nested more than 32 levels deep",
    ),
    "many-values": (lambda imp: ("[" + "0," * 1_500 + "0]").encode(), r"more than 1,000 values"),
    "nul": (lambda imp: _json(_set(_valid(imp), TEXT[imp], "bad\x00name")), r"contains a NUL character"),
    "wrong-type": (
        lambda imp: _json(_set(_valid(imp), TEXT[imp], ["a", "list"])),
        r"text|provider name|Input should be a valid string",
    ),
    "duplicate-key": (lambda imp: _json(_valid(imp))[:-1] + b", " + _json(_valid(imp))[1:], r"duplicate key '"),
    "count-1e400": (lambda imp: _with_raw_count(imp, "1e400"), r"the number 1e400 is too large"),
    "count-3e9": (
        lambda imp: _with_raw_count(imp, "3000000000"),
        r"beyond 2,147,483,647|less than or equal to 2147483647",
    ),
    "count-400-digits": (lambda imp: _with_raw_count(imp, "9" * 400), r"more than 30 digits"),
    "count-negative": (lambda imp: _with_raw_count(imp, "-5"), r"negative token count|greater than 0"),
    "nan": (lambda imp: _with_raw_count(imp, "NaN"), r"NaN is not a number JSON allows"),
    "top-level-list": (lambda imp: b"[]", r"expected an object|expected a catalog document"),
}

COMMANDS = {
    "modelsdev": ("import_modelsdev", ".json"),
    "litellm": ("import_litellm", ".json"),
    "catalog": ("import_catalog", ".json"),
}


@pytest.fixture
def loaded(seed, tmp_path, settings):
    """The seed plus one model from each source; then imports are limited to 1 MB and 1,000 values."""
    for importer, data in (("modelsdev", MODELSDEV), ("litellm", LITELLM)):
        path = tmp_path / f"{importer}-valid.json"
        path.write_text(json.dumps(data))
        call_command(COMMANDS[importer][0], str(path), stdout=io.StringIO())
    settings.CATALOG_IMPORT_MAX_BYTES = LIMIT
    settings.CATALOG_IMPORT_MAX_VALUES = 1_000
    return _export()


def _run(importer, name, raw, tmp_path) -> str:
    command, suffix = COMMANDS[importer]
    path = tmp_path / f"{name}{suffix}"
    path.write_bytes(raw)
    with pytest.raises(CommandError) as error:
        call_command(command, str(path), stdout=io.StringIO(), stderr=io.StringIO())
    message = str(error.value)
    assert message.startswith(str(path)), message  # the file is named
    return message


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("importer", sorted(COMMANDS))
def test_bad_input_is_a_named_error_and_changes_nothing(loaded, tmp_path, importer, case):
    make, expected = CASES[case]
    message = _run(importer, case, make(importer), tmp_path)
    assert re.search(expected, message), message
    assert _export() == loaded


def test_the_record_and_field_are_named(loaded, tmp_path):
    message = _run("modelsdev", "count", _with_raw_count("modelsdev", "3000000000"), tmp_path)
    assert "prov/model-a limit.context: token count 3000000000 is beyond" in message
    message = _run("litellm", "nul", _json(_set(_valid("litellm"), ("model-a", "litellm_provider"), "a\x00")), tmp_path)
    assert "model-a.litellm_provider: 'a\\x00' contains a NUL character" in message
    document = _set(_valid("catalog"), ("families", 0, "variants", 0, "context_window"), 3_000_000_000)
    message = _run("catalog", "range", _json(document), tmp_path)
    assert "families.0.variants.0.context_window (llava / llava-vicuna-13b)" in message
    assert _export() == loaded


# --- Our own format: YAML, the format key -----------------------------------------------------------

YAML_CASES = {
    "alias-bomb": (
        "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
        "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n",
        r"aliases \(\*name\) are not allowed",
    ),
    "duplicate-key": ("format: model-catalog\nformat: model-catalog\n", r"duplicate key 'format'"),
    "truncated": ("format: model-catalog\nfamilies:\n  - {slug: x, name: [unclosed\n", r"invalid YAML"),
    "infinity": ("format: model-catalog\nversion: .inf\n", r"not a finite number"),
    "nul": ('format: model-catalog\nfamilies:\n  - {slug: x, name: "a\\0b"}\n', r"contains a NUL character"),
    "deep": ("format: model-catalog\nx: " + "[" * 200 + "]" * 200 + "\n", r"nested more than 32 levels deep"),
    "no-format": ("organizations: []\n", r'no "format" key'),
    "python-tag": ("format: !!python/object/apply:os.system ['true']\n", r"invalid YAML"),
}


@pytest.mark.parametrize("case", sorted(YAML_CASES))
def test_bad_yaml_is_a_named_error_and_changes_nothing(loaded, tmp_path, case):
    text, expected = YAML_CASES[case]
    path = tmp_path / f"{case}.yaml"
    path.write_text(text)
    with pytest.raises(CommandError, match=expected):
        call_command("import_catalog", str(path), stdout=io.StringIO())
    assert _export() == loaded


def test_a_catalog_without_its_format_key_is_refused(loaded, tmp_path):
    document = _valid("catalog")
    del document["format"]
    path = tmp_path / "no-format.json"
    path.write_bytes(_json(document))
    with pytest.raises(CommandError, match=r'no "format" key'):
        call_command("import_catalog", str(path), stdout=io.StringIO())
    assert _export() == loaded


@pytest.mark.parametrize(
    ("importer", "path", "value", "expected"),
    [
        ("modelsdev", ("prov", "models", "model-a", "family"), ["a", "list"], r"model-a family: expected text"),
        ("modelsdev", ("prov", "name"), {"an": "object"}, r"provider prov name: expected text"),
        ("modelsdev", ("prov", "name"), "P" * 201, r"provider prov name: 201 characters, more than the 200"),
        (
            "modelsdev",
            ("prov", "models", "model-a", "name"),
            "N" * 250,
            r"model-a name: 250 characters, more than the 200",
        ),
        ("modelsdev", ("prov", "models", "model-a", "cost", "input"), "free", r"cost.input: a price must be a number"),
        ("modelsdev", ("prov", "models", "model-a", "modalities", "input"), "text", r"expected a list of modalities"),
        ("modelsdev", ("prov", "models", "model-a", "release_date"), 20250102, r"expected YYYY, YYYY-MM"),
        ("litellm", ("model-a", "max_input_tokens"), "128000", r"a token count must be a whole number"),
        ("litellm", ("model-a", "supports_function_calling"), "yes", r"expected true, false or absent"),
        ("litellm", ("model-a", "mode"), ["chat"], r"mode: expected text"),
        ("litellm", ("model-a", "input_cost_per_token"), 1e300, r"beyond 999999.999999"),
        ("catalog", ("families", 0, "variants", 0, "parameters"), 2**64, r"less than or equal to"),
        ("catalog", ("families", 0, "sources", 0, "number"), 40_000, r"less than or equal to 32767"),
        ("catalog", ("providers", 0, "api_base_url"), "https://${HOST}/v1", r"http or https URL"),
    ],
)
def test_a_wrong_value_is_named_by_record_and_field(loaded, tmp_path, importer, path, value, expected):
    message = _run(importer, "wrong", _json(_set(_valid(importer), path, value)), tmp_path)
    assert re.search(expected, message), message
    assert _export() == loaded
