"""The importers' bulk writes (catalog/services/bulk.py) store what Django's own writes would store."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.forms.models import model_to_dict

from catalog.models import Listing, Offering, Variant
from catalog.services import bulk
from tests import factories

pytestmark = pytest.mark.django_db

WHEN = datetime(2026, 5, 4, 3, 2, 1, 123456, tzinfo=UTC)


def _variant(fam, slug, **fields):
    return Variant(
        family=fam,
        slug=slug,
        name="Model 1",
        release_date=date(2025, 3, 1),
        input_modalities=["image", "text"],
        output_modalities=["text"],
        tool_calling=True,
        **fields,
    )


def test_insert_stores_what_save_stores_and_sets_the_keys():
    fam = factories.family()
    mine, django = _variant(fam, "mine"), _variant(fam, "django")
    bulk.insert(Variant, [mine])
    django.save()
    assert mine.pk and not mine._state.adding
    stored, expected = Variant.objects.get(pk=mine.pk), Variant.objects.get(pk=django.pk)
    ignored = {"id", "slug", "created_at", "updated_at"}
    assert {k: v for k, v in model_to_dict(stored).items() if k not in ignored} == {
        k: v for k, v in model_to_dict(expected).items() if k not in ignored
    }
    assert stored.input_modalities == ["text", "image"]
    assert stored.created_at and stored.updated_at  # auto_now_add and auto_now filled


def test_insert_many_in_batches_keeps_the_order_of_keys():
    fam = factories.family()
    variants = [Variant(family=fam, slug=f"v{n}", name=f"V{n}") for n in range(bulk.BATCH * 2 + 7)]
    bulk.insert(Variant, variants)
    assert [v.slug for v in Variant.objects.filter(pk__in=[v.pk for v in variants]).order_by("pk")] == [
        v.slug for v in variants
    ]
    assert all(Variant.objects.get(pk=v.pk).slug == v.slug for v in variants[:: bulk.BATCH // 2])


def test_insert_refuses_saved_records():
    saved = factories.variant(factories.family(), "saved")
    with pytest.raises(ValueError, match="new Variant records only"):
        bulk.insert(Variant, [saved])


def test_insert_rows_takes_defaults_and_converts_json_decimals_and_times():
    var = factories.variant(factories.family(), "v")
    off = factories.offering(var, factories.provider(), "m")
    values = {"price_input": "1.5", "variant.name": "M", "list": [1, True, None]}
    written = bulk.insert_rows(
        Listing,
        [
            {
                "source": "s",
                "key": "p/m",
                "offering_id": off.pk,
                "values": values,
                "first_seen_at": WHEN,
                "changed_at": WHEN,
            }
        ],
    )
    listing = Listing.objects.get()
    assert written == 1
    assert (listing.values, listing.first_seen_at, listing.listed, listing.match) == (values, WHEN, True, "exact")
    with pytest.raises(ValueError, match="no concrete field named nope"):
        bulk.insert_rows(Listing, [{"nope": 1}])


def test_update_writes_only_the_named_fields():
    var = factories.variant(factories.family(), "v")
    off = factories.offering(var, factories.provider(), "m", price_input=1)
    off.price_input, off.model_id = Decimal("2.250000"), "not-written"
    bulk.update(Offering, [off], ["price_input"])
    stored = Offering.objects.get(pk=off.pk)
    assert (stored.price_input, stored.model_id) == (Decimal("2.25"), "m")
    with pytest.raises(ValueError, match="no concrete field named nope"):
        bulk.update(Offering, [off], ["nope"])
