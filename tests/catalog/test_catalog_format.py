"""The documented format stays in step with the code, and the seed file follows it."""

import json
from pathlib import Path

import jsonschema

from catalog.management.commands.load_seed import SEED_FILE
from catalog.services.catalog_format import json_schema

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "docs" / "catalog-format.schema.json"


def test_committed_schema_is_current():
    committed = json.loads(SCHEMA_FILE.read_text())
    assert committed == json_schema(), "Run: python manage.py catalog_schema > docs/catalog-format.schema.json"


def test_seed_file_is_valid_against_the_documented_schema():
    jsonschema.validate(json.loads(SEED_FILE.read_text()), json.loads(SCHEMA_FILE.read_text()))


def test_schema_rejects_what_the_importer_rejects():
    document = json.loads(SEED_FILE.read_text())
    document["offerings"][0]["price_input"] = -1
    errors = list(jsonschema.Draft202012Validator(json_schema()).iter_errors(document))
    assert errors and "price_input" in str(errors[0].path)
