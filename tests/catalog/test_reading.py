"""Reading a source file's top-level object a member at a time (json_members): same values, same errors."""

import json

import pytest

from catalog.services.importers.reading import json_members, parse_json
from catalog.services.importers.runs import ImportError_

DOCUMENT = {"a": {"models": {"x": {"cost": {"input": 1.5}}}}, "b": {"models": {}}, "c": [1, 2, {"d": None}]}


@pytest.mark.parametrize("indent", [None, 2])
def test_members_are_the_parsed_object(indent):
    raw = json.dumps(DOCUMENT, indent=indent).encode()
    assert dict(json_members(raw, "f.json")) == parse_json(raw, "f.json") == DOCUMENT


def test_an_empty_object_has_no_members():
    assert list(json_members(b" { } \n", "f.json")) == []


def test_members_come_one_at_a_time_before_a_later_fault_is_read():
    members = json_members(b'{"a": 1, "b": [1,', "f.json")
    assert next(members) == ("a", 1)
    with pytest.raises(ImportError_, match=r"f.json: malformed JSON at line 1, column 18"):
        next(members)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b'{"a": 1 "b": 2}', r"malformed JSON at line 1, column 9: Expecting ',' delimiter"),
        (b'{"a" 1}', r"malformed JSON at line 1, column 6: Expecting ':' delimiter"),
        (b"{a: 1}", r"malformed JSON at line 1, column 2: Expecting property name"),
        (b'{"a": 1} x', r"malformed JSON at line 1, column 9: Extra data"),
        (b'{"a": 1, "a": 2}', r"duplicate key 'a'"),
        (b'{"a": {"b": 1, "b": 2}}', r"duplicate key 'b'"),
        (b'{"a": "bad\\u0000"}', r"a: 'bad\\x00' contains a NUL character"),
        (b"[1, 2]", r"expected an object of providers at the top level"),
        (b"[1, 2", r"malformed JSON"),
        (b"\xff{}", r"not UTF-8 text"),
    ],
)
def test_faults_are_named(raw, message):
    with pytest.raises(ImportError_, match=message):
        list(json_members(raw, "f.json", what="an object of providers"))


@pytest.mark.parametrize("depth", [30, 31, 40])
def test_depth_is_checked_in_members_and_whole_files(depth):
    raw = b'{"a": ' + b"[" * depth + b"1" + b"]" * depth + b"}"  # the 1 is depth + 1 levels down
    if depth + 1 <= 32:
        assert list(json_members(raw, "f.json")) and parse_json(raw, "f.json")
        return
    for read in (lambda: list(json_members(raw, "f.json")), lambda: parse_json(raw, "f.json")):
        with pytest.raises(ImportError_, match=r"nested more than 32 levels deep"):
            read()


def test_a_nul_in_a_key_is_refused():
    with pytest.raises(ImportError_, match=r"contains a NUL character"):
        list(json_members(b'{"a": {"k\\u0000": 1}}', "f.json"))
