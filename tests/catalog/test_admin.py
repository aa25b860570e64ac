"""The curation admin: every page renders, filters filter, bulk edits edit, forms save, queries stay flat."""

import datetime
from decimal import Decimal

import pytest
from django import forms
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog.models import (
    Disagreement,
    Family,
    FamilyRelation,
    FamilyTag,
    FAQEntry,
    FieldLock,
    Finding,
    ImportRun,
    Listing,
    Offering,
    Organization,
    PriceRecord,
    Provider,
    Source,
    Tag,
    Variant,
    VariantAlias,
)

pytestmark = pytest.mark.django_db

CATALOG_ADMINS = sorted(
    (model for model in admin.site._registry if model._meta.app_label == "catalog"),
    key=lambda model: model._meta.model_name,
)
# Records that imports and curator saves write: curators read them (and release locks), never edit them.
READ_ONLY_ADMINS = {ImportRun, Listing, PriceRecord, Disagreement, FieldLock, Finding}


def add_import_records(offering, suffix=""):
    now = datetime.datetime(2026, 11, 1, tzinfo=datetime.UTC)
    run = ImportRun.objects.create(
        source="models.dev",
        dataset=f"api{suffix}.json",
        started_at=now,
        finished_at=now,
        status=ImportRun.Status.SUCCEEDED,
        notes=["a note"],
    )
    Listing.objects.create(
        source="models.dev",
        key=f"cloudy/{offering.model_id}{suffix}",
        offering=offering,
        values={"price_input": "3"},
        first_seen_at=now,
        changed_at=now,
        last_run=run,
    )
    PriceRecord.objects.create(
        offering=offering, price_input=Decimal("3"), valid_from=now, valid_to=now, source="models.dev"
    )
    Disagreement.objects.create(
        offering=offering, field=f"price_input{suffix}", values={"models.dev": "3", "litellm": "4"}, detected_at=now
    )
    FieldLock.objects.create(
        content_type=ContentType.objects.get_for_model(offering),
        object_id=offering.pk,
        field=f"price_output{suffix}",
        value="15",
    )
    Finding.objects.create(
        rule="price-missing",
        severity=Finding.Severity.WARNING,
        subject=f"offering:{offering.pk}",
        family_id=offering.variant.family_id,
        variant_id=offering.variant_id,
        offering=offering,
        message="No price.",
        fingerprint="f",
        first_seen_at=now,
        changed_at=now,
    )


def admin_url(model, view, *args):
    return reverse(f"admin:catalog_{model._meta.model_name}_{view}", args=args)


# Data ------------------------------------------------------------------------------------------


@pytest.fixture
def catalog():
    org = Organization.objects.create(name="Acme AI", slug="acme-ai", kind=Organization.Kind.LAB)
    tag = Tag.objects.create(kind=Tag.Kind.USE_CASE, name="Coding", slug="coding")
    family = Family.objects.create(name="Acme", slug="acme", creator=org, license="Apache-2.0")
    other = Family.objects.create(name="Bolt", slug="bolt", creator=org, published=False)
    family.collaborators.add(org)
    FamilyTag.objects.create(family=family, tag=tag, position=1)
    FamilyRelation.objects.create(family=family, related=other, note="Smaller sibling")
    Source.objects.create(family=family, number=1, title="Acme paper", url="https://example.com/acme")
    FAQEntry.objects.create(
        family=family, question="What is Acme used for?", answer="Coding.", replaces=FAQEntry.Replaces.USED_FOR
    )
    large = Variant.objects.create(
        family=family,
        name="Acme Large",
        slug="acme-large",
        release_date=datetime.date(2024, 3, 1),
        release_precision="month",
        context_window=128_000,
        parameters=70_000_000_000,
        input_modalities=["image", "text"],
        output_modalities=["text"],
        tool_calling=True,
        open_weights=True,
        base_model="acme-base",
    )
    small = Variant.objects.create(
        family=family,
        name="Acme Small",
        slug="acme-small",
        position=1,
        release_date=datetime.date(2023, 6, 15),
        context_window=4096,
        input_modalities=["text"],
        open_weights=False,
        status="legacy",
        replaced_by=large,
    )
    provider = Provider.objects.create(name="Cloudy", slug="cloudy", website="https://cloudy.example")
    offering = Offering.objects.create(
        provider=provider,
        variant=large,
        model_id="acme/large-v1",
        price_input=Decimal("3"),
        price_output=Decimal("15"),
        price_checked=datetime.date(2025, 1, 2),
    )
    add_import_records(offering)
    VariantAlias.objects.create(alias="acme-large-latest", variant=large, source="models.dev")
    return {
        "org": org,
        "tag": tag,
        "family": family,
        "other": other,
        "large": large,
        "small": small,
        "provider": provider,
        "offering": offering,
    }


def grow(catalog, n=20):
    """Add n more variants and offerings, and n more of every other row a changelist shows."""
    org, tag, provider = catalog["org"], catalog["tag"], catalog["provider"]
    for i in range(n):
        family = Family.objects.create(name=f"Family {i}", slug=f"family-{i}", creator=org)
        FamilyTag.objects.create(family=family, tag=tag)
        FamilyRelation.objects.create(family=family, related=catalog["family"])
        Source.objects.create(family=family, number=1, title=f"Source {i}", url=f"https://example.com/{i}")
        FAQEntry.objects.create(family=family, question=f"Question {i}?", answer="Answer.")
        variant = Variant.objects.create(
            family=catalog["family"],
            name=f"Acme Extra {i}",
            slug=f"acme-extra-{i}",
            release_date=datetime.date(2020 + i % 5, 1, 1),
            input_modalities=["text", "audio"],
            replaced_by=catalog["large"],
        )
        extra = Offering.objects.create(provider=provider, variant=variant, model_id=f"acme/extra-{i}")
        add_import_records(extra, suffix=f"-{i}")
        VariantAlias.objects.create(alias=f"acme-extra-{i}-v1", variant=variant)
        Organization.objects.create(name=f"Org {i}", slug=f"org-{i}")
        Tag.objects.create(kind=Tag.Kind.STRENGTH, name=f"Strength {i}", slug=f"strength-{i}")
        Provider.objects.create(name=f"Provider {i}", slug=f"provider-{i}")


# Helpers ---------------------------------------------------------------------------------------


def _unwrap(widget):
    while hasattr(widget, "widget"):  # RelatedFieldWidgetWrapper
        widget = widget.widget
    return widget


def _put(data, name, field, value):
    """Write a form field's value into POST data the way its widget would submit it."""
    value = field.prepare_value(value)
    widget = _unwrap(field.widget)
    if isinstance(field, forms.NullBooleanField):
        data[name] = {True: "true", False: "false"}.get(value, "unknown")
    elif isinstance(field, forms.BooleanField):
        if value:
            data[name] = "on"
    elif isinstance(widget, forms.MultiWidget):
        parts = value if isinstance(value, (list, tuple)) else widget.decompress(value)
        for suffix, part in zip(widget.widgets_names, parts, strict=True):
            data[name + suffix] = "" if part is None else str(part)
    elif isinstance(value, (list, tuple)):
        data[name] = [str(item) for item in value]
    else:
        data[name] = "" if value is None else str(value)


def _form_data(form, data):
    for name, field in form.fields.items():
        _put(data, form.add_prefix(name), field, form[name].value())


def change_form_data(response):
    """POST data that resubmits an admin add/change page as rendered, inlines included."""
    data = {"_save": "Save"}
    _form_data(response.context["adminform"].form, data)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        _form_data(formset.management_form, data)
        for form in formset.forms:
            _form_data(form, data)
    return data


def form_errors(response):
    if response.status_code != 200 or not response.context:
        return ""
    errors = [response.context["adminform"].form.errors]
    for inline in response.context["inline_admin_formsets"]:
        errors.append(inline.formset.errors)
        errors.append(inline.formset.non_form_errors())
    return repr(errors)


def results(response):
    return {str(obj) for obj in response.context["cl"].result_list}


# Every page ------------------------------------------------------------------------------------


def test_all_catalog_models_are_registered():
    from catalog import models

    expected = {getattr(models, name) for name in models.__all__} - {
        models.Modality,
        models.ModelKind,
        models.OfferingKind,
    }
    assert expected <= set(CATALOG_ADMINS)


@pytest.mark.parametrize("model", CATALOG_ADMINS, ids=lambda model: model._meta.model_name)
def test_changelist_add_and_change_pages_render(admin_client, catalog, model):
    obj = model._default_manager.first()
    assert obj is not None, f"the fixture has no {model.__name__}"
    for url in (
        admin_url(model, "changelist"),
        admin_url(model, "change", obj.pk),
    ):
        response = admin_client.get(url)
        assert response.status_code == 200, url
    add = admin_client.get(admin_url(model, "add"))
    assert add.status_code == (403 if model in READ_ONLY_ADMINS else 200)


@pytest.mark.parametrize("model", CATALOG_ADMINS, ids=lambda model: model._meta.model_name)
def test_change_form_resubmits_unchanged(admin_client, catalog, model):
    """Every change form, with its inlines, saves as rendered: no widget loses a value."""
    if model in READ_ONLY_ADMINS:
        pytest.skip("read-only in the admin")
    obj = model._default_manager.first()
    url = admin_url(model, "change", obj.pk)
    response = admin_client.post(url, change_form_data(admin_client.get(url)))
    assert response.status_code == 302, form_errors(response)


def test_view_on_site_redirects_to_the_public_page(admin_client, catalog):
    family = catalog["family"]
    content_type = ContentType.objects.get_for_model(Family)
    response = admin_client.get(reverse("admin:view_on_site", args=[content_type.pk, family.pk]))
    assert response.status_code == 302
    assert response["Location"].endswith(family.get_absolute_url())


# Variant changelist ----------------------------------------------------------------------------


def test_variant_changelist_shows_precision_and_modalities(admin_client, catalog):
    response = admin_client.get(admin_url(Variant, "changelist"))
    content = response.content.decode()
    assert "2024-03<" in content  # month precision, not 2024-03-01
    assert "2023-06-15" in content
    assert "Text, Image" in content


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, {"Acme Large", "Acme Small", "Bolt Mini"}),
        ({"family__id__exact": "<bolt>"}, {"Bolt Mini"}),
        ({"status__exact": "legacy"}, {"Acme Small"}),
        ({"status__exact": "current"}, {"Acme Large", "Bolt Mini"}),
        ({"input_modality": "image"}, {"Acme Large"}),
        ({"input_modality": "text"}, {"Acme Large", "Acme Small"}),
        ({"input_modality": "audio"}, set()),
        ({"release_year": "2024"}, {"Acme Large"}),
        ({"release_year": "2023"}, {"Acme Small"}),
        ({"open_weights__exact": "1"}, {"Acme Large"}),
        ({"open_weights__isnull": "True"}, {"Bolt Mini"}),
        ({"input_modality": "text", "release_year": "2023"}, {"Acme Small"}),
    ],
)
def test_variant_changelist_filters(admin_client, catalog, params, expected):
    Variant.objects.create(family=catalog["other"], name="Bolt Mini", slug="bolt-mini")
    params = {key: str(catalog["other"].pk) if value == "<bolt>" else value for key, value in params.items()}
    response = admin_client.get(admin_url(Variant, "changelist"), params)
    assert response.status_code == 200
    assert results(response) == expected


def test_variant_filter_choices_come_from_the_data(admin_client, catalog):
    response = admin_client.get(admin_url(Variant, "changelist"))
    specs = {spec.title: spec for spec in response.context["cl"].filter_specs}
    assert [value for value, _ in specs["release year"].lookup_choices] == ["2024", "2023"]
    assert [value for value, _ in specs["input modality"].lookup_choices] == [
        "text",
        "image",
        "audio",
        "video",
        "pdf",
    ]


@pytest.mark.parametrize("params", [{"release_year": "soon"}, {"input_modality": "smell"}])
def test_variant_changelist_ignores_bad_filter_values(admin_client, catalog, params):
    response = admin_client.get(admin_url(Variant, "changelist"), params)
    assert response.status_code == 200
    assert results(response) == {"Acme Large", "Acme Small"}


@pytest.mark.parametrize(
    ("model", "term", "expected"),
    [
        (Variant, "large", {"Acme Large"}),
        (Variant, "acme-base", {"Acme Large"}),  # base model
        (Variant, "Acme", {"Acme Large", "Acme Small"}),  # family name
        (Family, "Acme AI", {"Acme", "Bolt"}),  # creator name
        (Offering, "Cloudy", {"acme/large-v1 at Cloudy"}),
        (Offering, "Acme Large", {"acme/large-v1 at Cloudy"}),
        (Provider, "cloud", {"Cloudy"}),
        (Organization, "acme", {"Acme AI"}),
        (Tag, "cod", {"Coding (use case)"}),
    ],
)
def test_search(admin_client, catalog, model, term, expected):
    response = admin_client.get(admin_url(model, "changelist"), {"q": term})
    assert response.status_code == 200
    assert results(response) == expected


def test_family_changelist_counts_variants(admin_client, catalog):
    response = admin_client.get(admin_url(Family, "changelist"), {"tags__id__exact": catalog["tag"].pk})
    counts = {family.name: family.variant_count for family in response.context["cl"].result_list}
    assert counts == {"Acme": 2}


def test_provider_changelist_counts_offerings(admin_client, catalog):
    response = admin_client.get(admin_url(Provider, "changelist"))
    counts = {provider.name: provider.offering_count for provider in response.context["cl"].result_list}
    assert counts == {"Cloudy": 1}


# Bulk actions ----------------------------------------------------------------------------------


def test_mark_legacy_and_current_actions(admin_client, catalog):
    large, small = catalog["large"], catalog["small"]
    url = admin_url(Variant, "changelist")
    pks = [large.pk, small.pk]

    response = admin_client.post(url, {"action": "mark_legacy", "_selected_action": pks}, follow=True)
    assert response.status_code == 200
    assert set(Variant.objects.values_list("status", flat=True)) == {"legacy"}
    assert "2 variants marked as legacy." in [str(m) for m in response.context["messages"]]

    response = admin_client.post(url, {"action": "mark_current", "_selected_action": [small.pk]}, follow=True)
    assert "1 variant marked as current." in [str(m) for m in response.context["messages"]]
    small.refresh_from_db()
    large.refresh_from_db()
    assert (small.status, large.status) == ("current", "legacy")
    assert small.updated_at > small.created_at


# Variant forms ---------------------------------------------------------------------------------


def test_variant_change_form_saves_context_window(admin_client, catalog):
    variant = catalog["large"]
    url = admin_url(Variant, "change", variant.pk)
    data = change_form_data(admin_client.get(url))
    data["context_window"] = "8192"
    response = admin_client.post(url, data)
    assert response.status_code == 302, form_errors(response)
    variant.refresh_from_db()
    assert variant.context_window == 8192
    assert variant.input_modalities == ["text", "image"]  # untouched
    assert variant.offerings.get().price_output == Decimal("15")  # the inline survived


def test_variant_change_form_saves_modalities(admin_client, catalog):
    variant = catalog["small"]
    url = admin_url(Variant, "change", variant.pk)
    response = admin_client.get(url)
    content = response.content.decode()
    assert 'name="input_modalities" value="text"' in content  # rendered as checkboxes
    data = change_form_data(response)
    assert data["input_modalities"] == ["text"]
    data["input_modalities"] = ["image", "text"]
    data["output_modalities"] = []
    response = admin_client.post(url, data)
    assert response.status_code == 302, form_errors(response)
    variant.refresh_from_db()
    assert variant.input_modalities == ["text", "image"]
    assert variant.output_modalities == []
    with connection.cursor() as cursor:
        cursor.execute("SELECT input_modalities FROM catalog_variant WHERE id = %s", [variant.pk])
        assert cursor.fetchone()[0] == "text,image"  # canonical order


def test_variant_change_form_clears_modalities(admin_client, catalog):
    variant = catalog["large"]
    url = admin_url(Variant, "change", variant.pk)
    data = change_form_data(admin_client.get(url))
    del data["input_modalities"]  # no box ticked: the browser sends nothing
    response = admin_client.post(url, data)
    assert response.status_code == 302, form_errors(response)
    variant.refresh_from_db()
    assert variant.input_modalities == []


def test_variant_change_form_rejects_unknown_modality(admin_client, catalog):
    variant = catalog["large"]
    url = admin_url(Variant, "change", variant.pk)
    data = change_form_data(admin_client.get(url))
    data["input_modalities"] = ["text", "smell"]
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "input_modalities" in response.context["adminform"].form.errors


def test_variant_add_form_saves(admin_client, catalog):
    url = admin_url(Variant, "add")
    data = change_form_data(admin_client.get(url))
    data.update(
        family=str(catalog["family"].pk),
        name="Acme Vision",
        slug="acme-vision",
        release_date="2025-02-01",
        release_precision="month",
        input_modalities=["video", "text", "image"],
        output_modalities=["text"],
        reasoning="true",
        **{
            "offerings-TOTAL_FORMS": "1",
            "offerings-0-provider": str(catalog["provider"].pk),
            "offerings-0-model_id": "acme/vision",
            "offerings-0-price_input": "1.5",
            "offerings-0-status": "preview",
        },
    )
    response = admin_client.post(url, data)
    assert response.status_code == 302, form_errors(response)
    variant = Variant.objects.get(slug="acme-vision")
    assert variant.input_modalities == ["text", "image", "video"]
    assert variant.output_modalities == ["text"]
    assert variant.reasoning is True
    assert variant.tool_calling is None
    assert variant.released_display == "2025-02"
    assert variant.offerings.get().model_id == "acme/vision"


def test_variant_form_runs_model_clean(admin_client, catalog):
    variant = catalog["small"]
    url = admin_url(Variant, "change", variant.pk)
    data = change_form_data(admin_client.get(url))
    data["status"] = "retired"  # without a retirement date
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "retirement_date" in response.context["adminform"].form.errors


# Query counts ----------------------------------------------------------------------------------


def _count_queries(client, url):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize("model", CATALOG_ADMINS, ids=lambda model: model._meta.model_name)
def test_changelist_queries_do_not_grow_with_rows(admin_client, catalog, model, django_assert_max_num_queries):
    url = admin_url(model, "changelist")
    admin_client.get(url)  # warm up the session and content types
    small = _count_queries(admin_client, url)
    grow(catalog)
    with django_assert_max_num_queries(12):
        admin_client.get(url)
    large = _count_queries(admin_client, url)
    assert large == small, f"{model.__name__}: {small} queries for the fixture, {large} after adding 20 rows"


@pytest.mark.parametrize(
    "params",
    [{"input_modality": "text"}, {"release_year": "2021"}, {"family__id__exact": "<acme>"}, {"q": "Acme"}],
)
def test_filtered_variant_changelist_queries_do_not_grow(admin_client, catalog, params):
    params = {key: str(catalog["family"].pk) if value == "<acme>" else value for key, value in params.items()}
    url = admin_url(Variant, "changelist")
    admin_client.get(url, params)
    with CaptureQueriesContext(connection) as before:
        admin_client.get(url, params)
    grow(catalog)
    with CaptureQueriesContext(connection) as after:
        admin_client.get(url, params)
    assert len(after.captured_queries) == len(before.captured_queries)


# Autocomplete ----------------------------------------------------------------------------------


def test_variant_autocomplete_for_offerings(admin_client, catalog):
    response = admin_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "catalog", "model_name": "offering", "field_name": "variant", "term": "large"},
    )
    assert response.status_code == 200
    assert [item["text"] for item in response.json()["results"]] == ["Acme Large"]


@pytest.mark.parametrize(
    ("model_name", "field_name", "term", "expected"),
    [
        ("family", "creator", "acme", ["Acme AI"]),
        ("familytag", "tag", "cod", ["Coding (use case)"]),
        ("familyrelation", "related", "bol", ["Bolt"]),
        ("variant", "replaced_by", "large", ["Acme Large"]),
        ("offering", "variant", "acme", ["Acme Large", "Acme Small"]),
        ("offering", "provider", "clou", ["Cloudy"]),
    ],
)
def test_other_autocompletes(admin_client, catalog, model_name, field_name, term, expected):
    response = admin_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "catalog", "model_name": model_name, "field_name": field_name, "term": term},
    )
    assert response.status_code == 200
    assert [item["text"] for item in response.json()["results"]] == expected


def _add_inline_rows(catalog, n):
    """n more rows in each inline that has an autocomplete column, on the fixture's Acme, Acme Large, Cloudy."""
    family, large, provider = catalog["family"], catalog["large"], catalog["provider"]
    for i in range(n):
        other = Family.objects.create(name=f"Related {i}", slug=f"related-{i}", creator=catalog["org"])
        tag = Tag.objects.create(kind=Tag.Kind.STRENGTH, name=f"Strength {i}", slug=f"strength-{i}")
        FamilyTag.objects.create(family=family, tag=tag)
        FamilyRelation.objects.create(family=family, related=other)
        Source.objects.create(family=family, number=i + 2, title=f"Source {i}", url=f"https://example.com/{i}")
        FAQEntry.objects.create(family=family, question=f"Question {i}?", answer="Answer.")
        Variant.objects.create(family=family, name=f"Acme Extra {i}", slug=f"acme-extra-{i}")
        host = Provider.objects.create(name=f"Host {i}", slug=f"host-{i}")
        Offering.objects.create(provider=host, variant=large, model_id=f"acme/large-{i}")
        Offering.objects.create(provider=provider, variant=catalog["small"], model_id=f"acme/small-{i}")


@pytest.mark.parametrize(
    ("model", "key", "autocomplete_inlines"),
    [(Family, "family", 2), (Variant, "large", 1), (Provider, "provider", 1)],
)
def test_change_form_queries_grow_only_by_autocomplete_lookups(admin_client, catalog, model, key, autocomplete_inlines):
    """Inline rows' labels (str(obj)) follow foreign keys; the inlines select them with the rows.

    What is left is Django's AutocompleteSelect, which looks up each row's selected option: one
    query per row of an inline with an autocomplete column.
    """
    url = admin_url(model, "change", catalog[key].pk)
    admin_client.get(url)
    before = _count_queries(admin_client, url)
    _add_inline_rows(catalog, 10)
    after = _count_queries(admin_client, url)
    assert after - before <= 10 * autocomplete_inlines
