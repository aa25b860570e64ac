"""Bad catalog input: a clear error naming the record, and nothing written."""

import copy
import json

import pytest

from catalog.management.commands.load_seed import SEED_FILE
from catalog.models import Family, Organization, Variant
from catalog.services.catalog_import import CatalogImportError, import_catalog


@pytest.fixture
def document():
    return json.loads(SEED_FILE.read_text())


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (
            lambda d: d["families"][0]["variants"][3].update(context_window=-5),
            "families.0.variants.3.context_window (llava / llava-13b): Input should be greater than 0",
        ),
        (
            lambda d: d["families"][0]["variants"][0].update(status="alive"),
            "families.0.variants.0.status (llava / llava-vicuna-13b)",
        ),
        (lambda d: d["families"][0]["variants"][0].update(input_modalities=["smell"]), "unknown modality smell"),
        (
            lambda d: d["offerings"][0].update(price_input=-1),
            "offerings.0.price_input (llava:13b): Input should be greater than or equal to 0",
        ),
        (lambda d: d["families"][0].update(creator="nobody"), "families.llava: unknown organization 'nobody'"),
        (
            lambda d: d["offerings"][0].update(variant="llava/nope"),
            "offerings.ollama/llava:13b: unknown variant 'llava/nope'",
        ),
        (
            lambda d: d["families"][0]["sources"][0].update(url="javascript:alert(1)"),
            "families.0.sources.0.url (llava / 1): Value error, must be an http or https URL",
        ),
        (lambda d: d["families"][0].update(colour="red"), "families.0.colour (llava): Extra inputs are not permitted"),
    ],
)
def test_bad_input_names_the_record_and_writes_nothing(db, document, mutate, message):
    bad = copy.deepcopy(document)
    mutate(bad)
    with pytest.raises(CatalogImportError) as error:
        import_catalog(bad)
    assert message in str(error.value)
    assert Organization.objects.count() == 0  # atomic: the organizations before the bad record are gone too


def test_failure_midway_leaves_existing_data_unchanged(db, document):
    import_catalog(document)
    changed = copy.deepcopy(document)
    changed["families"][0]["variants"][3]["context_window"] = 8192
    changed["offerings"][0]["variant"] = "llava/nope"
    with pytest.raises(CatalogImportError):
        import_catalog(changed)
    assert Variant.objects.get(slug="llava-13b").context_window == 4096
    assert Family.objects.count() == 2
