"""export_catalog / import_catalog: our own format, both directions, byte-identical round trips."""

import copy
import io
import json
import os
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import jsonschema
import pytest
import yaml
from django.core.management import call_command
from django.core.management.base import CommandError
from pydantic_core import PydanticUndefined

from catalog.models import (
    Family,
    FamilyRelation,
    FamilyTag,
    FAQEntry,
    Offering,
    Organization,
    Provider,
    Source,
    Tag,
    Variant,
)
from catalog.services.catalog_export import dump_document, export_catalog, load_document
from catalog.services.catalog_format import (
    CatalogDocument,
    FamilyRecord,
    FAQRecord,
    OfferingRecord,
    OrganizationRecord,
    ProviderRecord,
    RelationRecord,
    SourceRecord,
    VariantRecord,
)
from catalog.services.catalog_import import CatalogImportError, validate_document

ROOT = Path(__file__).resolve().parents[2]
SCHEMA_FILE = ROOT / "docs" / "catalog-format.schema.json"
EMPTY_DOCUMENT = {
    "format": "model-catalog",
    "version": 1,
    "organizations": [],
    "providers": [],
    "families": [],
    "offerings": [],
}


# Data ------------------------------------------------------------------------------------------


@pytest.fixture
def full_catalog(seed):
    """The seed plus records that give every field of the format a non-default value."""
    haotian = Organization.objects.get(slug="haotian-liu")
    acme = Organization.objects.create(
        slug="acme-ai", name="Acme AI — Zürich", kind=Organization.Kind.COMPANY, website="https://acme.example/"
    )
    guild = Organization.objects.create(slug="open-guild", name="Open Guild", kind=Organization.Kind.COMMUNITY)
    cloud = Provider.objects.create(
        slug="cloudco",
        name="CloudCo",
        kind=Provider.Kind.CLOUD,
        website="https://cloud.example/",
        docs_url="https://cloud.example/docs",
        api_base_url="https://api.cloud.example/v1",
    )
    api = Provider.objects.create(slug="apico", name="ApiCo", kind=Provider.Kind.API)

    family = Family.objects.create(
        slug="acme",
        name="Acme",
        creator=acme,
        about="Acme models are small and fast [1].\n\nThey cost little — “cheap” even [2].\n",
        license="Apache-2.0",
        homepage="https://acme.example/models",
        repository="https://github.com/acme/acme",
        published=False,
    )
    family.collaborators.add(guild, haotian)
    for position, (kind, name, slug) in enumerate(
        [
            (Tag.Kind.STRENGTH, "long context", "long-context"),
            (Tag.Kind.USE_CASE, "agents", "agents"),
            (Tag.Kind.USE_CASE, "coding", "coding"),
        ]
    ):
        tag, _ = Tag.objects.get_or_create(kind=kind, slug=slug, defaults={"name": name})
        FamilyTag.objects.create(family=family, tag=tag, position=position * 5)
    Source.objects.create(family=family, number=2, title="Acme pricing", url="https://acme.example/pricing")
    Source.objects.create(
        family=family,
        number=1,
        title="Acme 2 model card",
        url="https://acme.example/acme-2",
        publisher="Acme AI",
        date_checked=date(2025, 1, 15),
    )
    FamilyRelation.objects.create(family=family, related=Family.objects.get(slug="llava-1-5"), position=3)
    FamilyRelation.objects.create(
        family=family, related=Family.objects.get(slug="llava"), note="Also reads images.", position=1
    )
    FAQEntry.objects.create(
        family=family,
        question="Which Acme model should I use?",
        answer="Acme 2, unless you need **audio**.",
        replaces=FAQEntry.Replaces.WHICH_MODEL,
        position=2,
    )
    FAQEntry.objects.create(  # as the admin's textarea saves it: Windows line ends
        family=family, question="Is Acme free?", answer="No.\r\n\r\nSee [pricing][2].  \r\n", position=1
    )

    acme_2 = Variant.objects.create(
        family=family,
        slug="acme-2",
        name="Acme 2",
        position=0,
        release_date=date(2024, 5, 13),
        release_precision="day",
        context_window=128000,
        max_output_tokens=16384,
        parameters=70_000_000_000,
        active_parameters=12_000_000_000,
        input_modalities=["pdf", "text", "image", "audio", "video"],
        output_modalities=["text", "audio"],
        tool_calling=True,
        reasoning=True,
        structured_output=True,
        open_weights=True,
        base_model="Acme base",
        knowledge_cutoff="2023-12",
        license="Apache-2.0",
    )
    acme_1 = Variant.objects.create(
        family=family,
        slug="acme-1",
        name="Acme 1",
        position=1,
        release_date=date(2023, 1, 1),
        release_precision="year",
        input_modalities=["text"],
        output_modalities=["text"],
        tool_calling=False,
        reasoning=False,
        structured_output=False,
        open_weights=False,
        knowledge_cutoff="2022",
        status="retired",
        retirement_date=date(2025, 6, 30),
        replaced_by=acme_2,
    )
    Variant.objects.create(  # no release date, everything unknown
        family=family,
        slug="acme-mini",
        name="Acme Mini",
        position=2,
        status="legacy",
    )
    Variant.objects.create(
        family=family,
        slug="acme-beta",
        name="Acme Beta",
        position=2,
        release_date=date(2024, 3, 1),
        release_precision="month",
        knowledge_cutoff="2024-03-01",
        status="deprecated",
        tool_calling=True,
        reasoning=None,
        structured_output=False,
    )
    # A replacement across families, to a family later in the file.
    llava_13b = Variant.objects.get(family__slug="llava", slug="llava-13b")
    llava_13b.status, llava_13b.replaced_by = "legacy", Variant.objects.get(slug="llava-1-5-13b")
    llava_13b.save()

    Offering.objects.create(
        provider=cloud,
        variant=acme_2,
        model_id="acme-2-2024-05-13",
        price_input=Decimal("0.075"),
        price_output=Decimal("1234.567891"),
        price_cache_read=Decimal("0.000001"),
        price_cache_write=Decimal("2"),
        price_checked=date(2025, 2, 1),
        context_window=64000,
        max_output_tokens=8192,
        status=Offering.Status.PREVIEW,
        url="https://cloud.example/models/acme-2",
    )
    Offering.objects.create(
        provider=api, variant=acme_2, model_id="acme/acme-2", price_input=Decimal("0"), price_output=Decimal("0.6")
    )
    Offering.objects.create(
        provider=api, variant=acme_1, model_id="acme/acme-1", status=Offering.Status.RETIRED, listed=False
    )  # a backup holds what visitors saw: "no longer listed"
    Offering.objects.create(
        provider=cloud,
        variant=llava_13b,
        model_id="llava-13b",
        status=Offering.Status.DEPRECATED,
        price_input=Decimal("999999.999999"),
        price_output=Decimal("0.100000"),
    )


def empty_catalog():
    """Delete every catalog record, leaving a database the catalog format sees as empty."""
    Offering.objects.all().delete()
    Variant.objects.all().delete()
    Family.objects.all().delete()
    Tag.objects.all().delete()
    Provider.objects.all().delete()
    Organization.objects.all().delete()
    assert export_catalog() == EMPTY_DOCUMENT


def export_text(fmt="json") -> str:
    out = io.StringIO()
    call_command("export_catalog", "-", format=fmt, stdout=out, verbosity=0)
    return out.getvalue()


def run_import(path, **options) -> str:
    out = io.StringIO()
    call_command("import_catalog", str(path), stdout=out, **options)
    return out.getvalue()


# Round trips -----------------------------------------------------------------------------------


def _empty_the_catalog():
    """Every catalog row gone (no signals, no history: the test only needs an empty catalog to import into)."""
    from catalog.models import Disagreement, FieldLock, ImportRun, Listing, PriceRecord, VariantAlias

    Variant.objects.update(replaced_by=None, points_to=None)
    for model in (
        Disagreement,
        Listing,
        PriceRecord,
        FieldLock,
        ImportRun,
        Offering,
        VariantAlias,
        FamilyTag,
        FamilyRelation,
        Source,
        FAQEntry,
        Variant,
        Tag,
        Family,
        Provider,
        Organization,
    ):
        model.objects.all()._raw_delete(model.objects.db)
    Family.collaborators.through.objects.all()._raw_delete(Family.objects.db)


def test_round_trip_of_the_real_imports_is_byte_identical(seed, litellm_json, tmp_path):
    """Issue 12.8: whatever the source imports produce, export → import into an empty catalog → export is identical."""
    call_command("import_modelsdev", stdout=io.StringIO())
    call_command("import_litellm", str(litellm_json), stdout=io.StringIO())
    first = tmp_path / "first.json"
    call_command("export_catalog", str(first), verbosity=0)
    assert Offering.objects.filter(listed=True).count() > 7000
    _empty_the_catalog()
    assert export_text().count('"slug"') == 0
    run_import(first, verbosity=0)
    again = tmp_path / "again.json"
    call_command("export_catalog", str(again), verbosity=0)
    assert again.read_bytes() == first.read_bytes()


@pytest.mark.parametrize("fmt", ["json", "yaml"])
def test_round_trip_through_an_empty_database_is_byte_identical(full_catalog, tmp_path, fmt):
    first = tmp_path / f"catalog.{fmt}"
    call_command("export_catalog", str(first), verbosity=0)

    empty_catalog()
    assert "catalog imported." in run_import(first)
    again = tmp_path / f"again.{fmt}"
    call_command("export_catalog", str(again), verbosity=0)

    assert again.read_bytes() == first.read_bytes()
    assert "nothing changed" in run_import(first)  # and importing it once more writes nothing


@pytest.mark.parametrize("fmt", ["json", "yaml"])
def test_round_trip_of_the_seed_alone(seed, tmp_path, fmt):
    first = export_text(fmt)
    empty_catalog()
    call_command("import_catalog", "-", format=fmt, stdin=io.StringIO(first), stdout=io.StringIO(), verbosity=0)
    assert export_text(fmt) == first


def test_round_trip_keeps_the_values(full_catalog, tmp_path):
    path = tmp_path / "catalog.yml"
    call_command("export_catalog", str(path), verbosity=0)
    empty_catalog()
    run_import(path, verbosity=0)

    offering = Offering.objects.get(model_id="acme-2-2024-05-13")
    assert (offering.price_input, offering.price_output, offering.price_cache_read, offering.price_cache_write) == (
        Decimal("0.075"),
        Decimal("1234.567891"),
        Decimal("0.000001"),
        Decimal("2"),
    )
    assert Offering.objects.get(model_id="acme/acme-1").price_input is None
    acme_1 = Variant.objects.get(slug="acme-1")
    assert (acme_1.release_date, acme_1.release_precision, acme_1.released_display) == (
        date(2023, 1, 1),
        "year",
        "2023",
    )
    assert (acme_1.status, acme_1.retirement_date, acme_1.replaced_by.slug) == ("retired", date(2025, 6, 30), "acme-2")
    assert [acme_1.tool_calling, acme_1.reasoning, acme_1.structured_output, acme_1.open_weights] == [False] * 4
    assert Variant.objects.get(slug="llava-13b").replaced_by.slug == "llava-1-5-13b"
    mini = Variant.objects.get(slug="acme-mini")
    assert (mini.release_date, mini.tool_calling, mini.input_modalities) == (None, None, [])
    family = Family.objects.get(slug="acme")
    assert family.published is False
    assert family.about == "Acme models are small and fast [1].\n\nThey cost little — “cheap” even [2]."
    assert sorted(family.collaborators.values_list("slug", flat=True)) == ["haotian-liu", "open-guild"]
    assert FAQEntry.objects.get(family=family, replaces="which_model").question == "Which Acme model should I use?"


def test_export_holds_every_field_of_the_format(full_catalog):
    document = export_catalog()
    CatalogDocument.model_validate(document)
    families = document["families"]
    groups = [
        (OrganizationRecord, document["organizations"]),
        (ProviderRecord, document["providers"]),
        (FamilyRecord, families),
        (SourceRecord, [source for family in families for source in family["sources"]]),
        (RelationRecord, [relation for family in families for relation in family["related"]]),
        (FAQRecord, [entry for family in families for entry in family["faq"]]),
        (VariantRecord, [variant for family in families for variant in family["variants"]]),
        (OfferingRecord, document["offerings"]),
    ]
    for model, records in groups:
        for record in records:
            assert list(record) == list(model.model_fields), f"{model.__name__}: keys missing or out of order"
        for name, field in model.model_fields.items():
            default = field.get_default(call_default_factory=True)
            assert default is PydanticUndefined or any(record[name] != default for record in records), (
                f"the test data never gives {model.__name__}.{name} a value"
            )
    variants = groups[6][1]
    for capability in ("tool_calling", "reasoning", "structured_output", "open_weights"):
        assert {variant[capability] for variant in variants} == {True, False, None}, capability
    assert {len(v["released"]) for v in variants if v["released"]} == {4, 7, 10}  # YYYY, YYYY-MM, YYYY-MM-DD


def test_export_order_and_exact_prices(full_catalog):
    document = export_catalog()
    assert [o["slug"] for o in document["organizations"]] == sorted(o["slug"] for o in document["organizations"])
    assert [f["slug"] for f in document["families"]] == ["acme", "llava", "llava-1-5"]
    acme = document["families"][0]
    assert acme["use_cases"] == ["agents", "coding"] and acme["strengths"] == ["long context"]
    assert acme["collaborators"] == ["haotian-liu", "open-guild"]
    assert [s["number"] for s in acme["sources"]] == [1, 2]
    assert [r["family"] for r in acme["related"]] == ["llava", "llava-1-5"]
    assert [q["question"] for q in acme["faq"]] == ["Is Acme free?", "Which Acme model should I use?"]
    assert [v["slug"] for v in acme["variants"]] == ["acme-2", "acme-1", "acme-beta", "acme-mini"]
    assert [v["released"] for v in acme["variants"]] == ["2024-05-13", "2023", "2024-03", None]
    assert acme["variants"][1]["replaced_by"] == "acme/acme-2"
    assert [(o["provider"], o["model_id"]) for o in document["offerings"]] == [
        ("apico", "acme/acme-1"),
        ("apico", "acme/acme-2"),
        ("cloudco", "acme-2-2024-05-13"),
        ("cloudco", "llava-13b"),
        ("ollama", "llava:13b"),
    ]

    text = export_text("json")
    for line in [
        '"price_input": 0.075,',
        '"price_output": 1234.567891,',
        '"price_cache_read": 0.000001,',
        '"price_cache_write": 2,',
        '"price_input": 999999.999999,',
        '"price_output": 0.1,',
        '"price_input": 0,',
        '"price_input": null,',
        '"name": "Acme AI — Zürich",',
    ]:
        assert line in text
    assert text.endswith("}\n")
    yaml_text = export_text("yaml")
    for line in [
        "price_input: 0.075\n",
        "price_output: 1234.567891\n",
        "price_cache_read: 0.000001\n",
        "price_cache_write: 2\n",
        "price_input: null\n",
        "name: Acme AI — Zürich\n",
        "released: '2023'\n",
    ]:
        assert line in yaml_text


def test_exported_json_follows_the_documented_schema(full_catalog):
    jsonschema.validate(json.loads(export_text("json")), json.loads(SCHEMA_FILE.read_text()))


def test_json_output_is_what_json_dumps_writes(seed):
    document = export_catalog()  # the seed has no prices, so json.dumps can write it too
    assert dump_document(document, "json") == json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def test_yaml_and_json_read_prices_as_exact_decimals():
    text = '{"format": "model-catalog", "offerings": [{"price_input": 0.075, "price_output": 1234.567891}]}'
    assert load_document(text, "json")["offerings"][0] == {
        "price_input": Decimal("0.075"),
        "price_output": Decimal("1234.567891"),
    }
    loaded = load_document(
        "format: model-catalog\nofferings:\n- price_input: 0.075\n  price_output: 1234.567891\n  price_checked: 2025-02-01\n",
        "yaml",
    )
    assert loaded["offerings"][0] == {
        "price_input": Decimal("0.075"),
        "price_output": Decimal("1234.567891"),
        "price_checked": "2025-02-01",
    }


def test_export_reads_in_a_fixed_number_of_queries(full_catalog, django_assert_max_num_queries):
    with django_assert_max_num_queries(10):
        export_catalog()


# Commands --------------------------------------------------------------------------------------


def test_stdout_and_stdin(full_catalog):
    out, err = io.StringIO(), io.StringIO()
    call_command("export_catalog", "-", stdout=out, stderr=err)
    text = out.getvalue()
    assert json.loads(text)["format"] == "model-catalog"  # '-' means JSON unless told otherwise
    assert err.getvalue().startswith("Wrote ") and "to stdout (json)" in err.getvalue()
    assert "variants: 10" in err.getvalue() and "offerings: 5" in err.getvalue()
    yaml_text = export_text("yaml")
    assert yaml.safe_load(yaml_text)["format"] == "model-catalog"

    empty_catalog()
    out = io.StringIO()
    call_command("import_catalog", "-", stdin=io.StringIO(yaml_text), format="yaml", stdout=out)
    assert "offerings: 5 created, 0 updated, 0 unchanged" in out.getvalue()
    assert "<stdin>: catalog imported." in out.getvalue()
    assert export_text("json") == text


def test_format_from_extension_or_option(seed, tmp_path):
    call_command("export_catalog", str(tmp_path / "a.yml"), verbosity=0)
    call_command("export_catalog", str(tmp_path / "b.txt"), format="yaml", verbosity=0)
    assert (tmp_path / "a.yml").read_text() == (tmp_path / "b.txt").read_text() == export_text("yaml")
    with pytest.raises(CommandError, match=r"b\.txt: cannot tell the format from the extension '\.txt'"):
        call_command("import_catalog", str(tmp_path / "b.txt"), verbosity=0)
    assert "nothing changed" in run_import(tmp_path / "b.txt", format="yaml")
    assert "nothing changed" in run_import(tmp_path / "a.yml")


def test_dry_run_reports_and_writes_nothing(seed, tmp_path):
    document = export_catalog()
    document["families"][0]["variants"][3]["context_window"] = 8192
    document["organizations"].append({"slug": "new-lab", "name": "New Lab"})
    path = tmp_path / "changed.json"
    path.write_text(dump_document(document, "json"))
    before = export_text()

    out = run_import(path, dry_run=True)

    assert "organizations: 1 created, 0 updated, 4 unchanged" in out
    assert "variants: 0 created, 1 updated, 5 unchanged" in out
    assert "Dry run: nothing was written." in out
    assert "the import would change the catalog" in out
    assert export_text() == before
    assert "variants: 0 created, 1 updated, 5 unchanged" in run_import(path)  # the real run does write
    after = json.loads(export_text())
    assert after["families"][0]["variants"][3]["context_window"] == 8192
    assert "new-lab" in [organization["slug"] for organization in after["organizations"]]


def test_dry_run_into_an_empty_database(full_catalog, tmp_path):
    path = tmp_path / "catalog.json"
    call_command("export_catalog", str(path), verbosity=0)
    empty_catalog()
    out = run_import(path, dry_run=True)
    assert "families: 3 created" in out and "Dry run" in out
    assert export_catalog() == EMPTY_DOCUMENT


def test_quiet_under_verbosity_0(full_catalog, tmp_path):
    out, err = io.StringIO(), io.StringIO()
    call_command("export_catalog", str(tmp_path / "c.json"), stdout=out, stderr=err, verbosity=0)
    call_command("import_catalog", str(tmp_path / "c.json"), stdout=out, stderr=err, verbosity=0)
    call_command("import_catalog", str(tmp_path / "c.json"), dry_run=True, stdout=out, stderr=err, verbosity=0)
    assert out.getvalue() == err.getvalue() == ""


# Bad input -------------------------------------------------------------------------------------


def _mutate(change):
    def mutated(fmt):
        document = copy.deepcopy(export_catalog())
        document["organizations"][0]["name"] = "Renamed before the bad record"  # must not be written either
        change(document)
        return dump_document(document, fmt)

    return mutated


def _duplicate_variant(document):
    llava = document["families"][1]
    llava["variants"].append({**llava["variants"][0], "name": "Another"})


BAD_DOCUMENTS = [
    pytest.param(
        _mutate(lambda d: d["offerings"][2].update(price_input=Decimal("-1"))),
        ["offerings.2.price_input (acme-2-2024-05-13): Input should be greater than or equal to 0"],
        id="negative-price",
    ),
    pytest.param(
        _mutate(lambda d: d["families"][1]["variants"][0].update(status="alive")),
        ["families.1.variants.0.status (llava / llava-vicuna-13b)", "Input should be 'current'"],
        id="unknown-status",
    ),
    pytest.param(
        _mutate(_duplicate_variant),
        [
            "families.1.variants.4 (llava / llava-vicuna-13b): duplicate variant slug in family 'llava'",
            "families.1.variants.0",
        ],
        id="duplicate-variant-slug",
    ),
    pytest.param(
        _mutate(lambda d: d["offerings"][4].update(variant="llava/nope")),
        ["offerings.ollama/llava:13b: unknown variant 'llava/nope'"],
        id="unknown-variant",
    ),
    pytest.param(
        _mutate(lambda d: d["families"][0].update(creator="nobody")),
        ["families.acme: unknown organization 'nobody'"],
        id="unknown-organization",
    ),
    pytest.param(
        _mutate(lambda d: d["families"][0]["variants"][0].update(colour="red")),
        ["families.0.variants.0.colour (acme / acme-2): Extra inputs are not permitted"],
        id="unknown-key",
    ),
]


@pytest.mark.parametrize("fmt", ["json", "yaml"])
@pytest.mark.parametrize(("make_text", "messages"), BAD_DOCUMENTS)
def test_bad_record_names_file_and_record_and_writes_nothing(full_catalog, tmp_path, fmt, make_text, messages):
    path = tmp_path / f"bad.{fmt}"
    path.write_text(make_text(fmt), encoding="utf-8")
    before = export_text()
    with pytest.raises(CommandError) as error:
        run_import(path)
    assert str(error.value).startswith(f"{path}: ")
    for message in messages:
        assert message in str(error.value)
    assert export_text() == before
    with pytest.raises(CommandError):
        run_import(path, dry_run=True)
    assert export_text() == before


def _json_error(text: str) -> str:
    """json's own wording for the error (it varies between Python versions), with its line and column."""
    try:
        json.loads(text)
    except json.JSONDecodeError as error:
        return f"invalid JSON: {error.msg} at line {error.lineno}, column {error.colno}"
    raise AssertionError("valid JSON")


TRAILING_COMMA = '{\n  "format": "model-catalog",\n  "organizations": [\n    {"slug": "x",}\n  ]\n}\n'


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("bad.json", TRAILING_COMMA, _json_error(TRAILING_COMMA)),
        ("bad.json", "", "invalid JSON: Expecting value at line 1, column 1"),
        (
            "bad.yaml",
            "organizations:\n  - slug: x\n    name: [unclosed\n",
            "invalid YAML: expected ',' or ']', but got '<stream end>' at line 4, column 1",
        ),
        (
            "bad.yml",
            "format: model-catalog\n  version: 1\n",
            "invalid YAML: mapping values are not allowed here at line 2, column 10",
        ),
        ("list.json", "[]", "expected a catalog document"),
    ],
)
def test_malformed_text_names_file_line_and_column(full_catalog, tmp_path, name, text, message):
    path = tmp_path / name
    path.write_text(text)
    before = export_text()
    with pytest.raises(CommandError) as error:
        run_import(path)
    assert str(error.value).startswith(f"{path}: {message}")
    assert export_text() == before


def test_every_matched_key_must_be_unique():
    organization = {"slug": "lab", "name": "Lab"}
    offering = {"provider": "p", "variant": "f/v", "model_id": "m{1}"}
    source = {"number": 1, "title": "T", "url": "https://x.example/"}
    family = {"slug": "f", "name": "F", "creator": "lab", "sources": [source, source]}
    with pytest.raises(CatalogImportError) as error:
        validate_document(
            {"organizations": [organization, organization], "families": [family], "offerings": [offering, offering]}
        )
    assert str(error.value).split("; ") == [
        "organizations.1 (lab): duplicate organization slug, the same as organizations.0",
        "families.0.sources.1 (f / 1): duplicate source number in family 'f', the same as families.0.sources.0",
        "offerings.1 (p/m{1}): duplicate provider and model id, the same as offerings.0",
    ]


def test_malformed_stdin_is_named(db):
    with pytest.raises(CommandError, match=r"^<stdin>: invalid JSON: .* at line 1, column 2"):
        call_command("import_catalog", "-", stdin=io.StringIO("{oops"), verbosity=0)


def test_export_refuses_what_it_could_not_import_again(seed, tmp_path):
    Organization.objects.filter(slug="uw-madison").update(website="ftp://wisc.example/")
    with pytest.raises(CommandError, match=r"organizations\.3\.website \(uw-madison\): .*http or https URL"):
        call_command("export_catalog", str(tmp_path / "out.json"), verbosity=0)
    assert not (tmp_path / "out.json").exists()


def test_missing_file(db, tmp_path):
    with pytest.raises(CommandError, match="nope.json: No such file"):
        call_command("import_catalog", str(tmp_path / "nope.json"), verbosity=0)


def test_bad_input_exits_non_zero_from_the_command_line(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('{"format": "model-catalog",\n "organizations": [}\n')
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}"}
    result = subprocess.run(
        [sys.executable, "manage.py", "import_catalog", str(path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert f"{path}: invalid JSON: Expecting value at line 2, column 20" in result.stderr
