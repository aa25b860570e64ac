"""Change history: who changed what and when in the admin, revert, and the public changelog of a variant."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from catalog.models import FieldLock, Offering, PriceRecord, Provider, Variant
from catalog.selectors.changelog import variant_changelog
from tests import factories
from tests.html import form_data, visible_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def curator(client):
    user = User.objects.create_superuser("ada", "ada@example.org", "x")
    client.force_login(user)
    return user


def post_form(client, url, **changes):
    data = form_data(client.get(url).content.decode())
    data.update({name: [value] for name, value in changes.items()})
    response = client.post(url, {k: v if len(v) > 1 else v[0] for k, v in data.items()})
    assert response.status_code == 302, visible_text(response.content.decode())[:2000]
    return response


@pytest.mark.parametrize("model", [Variant, Offering, Provider])
def test_every_tracked_model_has_history_in_the_admin(client, curator, seed, model):
    obj = model.objects.first()
    change = reverse(f"admin:catalog_{model._meta.model_name}_change", args=[obj.pk])
    history = reverse(f"admin:catalog_{model._meta.model_name}_history", args=[obj.pk])
    assert history in client.get(change).content.decode()
    response = client.get(history)
    assert response.status_code == 200


def test_the_admin_history_shows_who_changed_what_and_when(client, curator, seed):
    variant = Variant.objects.get(slug="llava-13b")
    post_form(client, reverse("admin:catalog_variant_change", args=[variant.pk]), context_window="8192")
    text = visible_text(client.get(reverse("admin:catalog_variant_history", args=[variant.pk])).content.decode())
    assert "ada" in text
    assert "Context window" in text or "context_window" in text
    assert "4096" in text and "8192" in text
    latest = variant.history.latest()
    assert latest.history_user == curator and latest.history_type == "~"
    assert latest.history_date.date() == datetime.date.today()


def test_revert_restores_the_old_values_and_locks_them(client, curator, seed):
    variant = Variant.objects.get(slug="llava-13b")
    post_form(client, reverse("admin:catalog_variant_change", args=[variant.pk]), context_window="8192")
    old = variant.history.filter(context_window=4096).latest()
    revert_url = reverse("admin:catalog_variant_simple_history", args=[variant.pk, old.history_id])
    page = client.get(revert_url)
    assert page.status_code == 200 and "Revert" in page.content.decode()
    post_form(client, revert_url)
    variant.refresh_from_db()
    assert variant.context_window == 4096
    assert variant.history.latest().context_window == 4096
    lock = FieldLock.objects.get(object_id=variant.pk, field="context_window")
    assert lock.value == 4096  # an import will not undo the revert


def test_reverting_a_price_keeps_price_history(client, curator, seed):
    offering = Offering.objects.first()
    change = reverse("admin:catalog_offering_change", args=[offering.pk])
    post_form(client, change, price_input="1.00", price_output="2.00")
    post_form(client, change, price_input="0.50", price_output="1.00")
    before = offering.history.get(price_input=Decimal("1.00"))
    post_form(client, reverse("admin:catalog_offering_simple_history", args=[offering.pk, before.history_id]))
    offering.refresh_from_db()
    assert offering.price_input == Decimal("1.00")
    prices = list(PriceRecord.objects.filter(offering=offering).order_by("valid_from", "id")
                  .values_list("price_input", flat=True))
    assert prices[-3:] == [Decimal("1.00"), Decimal("0.50"), Decimal("1.00")]


def test_the_variant_page_shows_a_changelog_of_specs_and_prices(client, seed):
    variant = Variant.objects.get(slug="llava-13b")
    variant.context_window, variant.status = 8192, "legacy"
    variant.save()
    api = factories.provider("api", "Some API")
    offering = factories.offering(variant, api, "llava-13b-api")
    first = datetime.datetime(2026, 10, 1, tzinfo=datetime.UTC)
    second = datetime.datetime(2026, 11, 1, tzinfo=datetime.UTC)
    PriceRecord.objects.create(offering=offering, price_input=Decimal(3), price_output=Decimal(15),
                               valid_from=first, valid_to=second, source="models.dev")
    PriceRecord.objects.create(offering=offering, price_input=Decimal("2.5"), price_output=Decimal(15),
                               valid_from=second, source="models.dev")
    html = client.get(variant.get_absolute_url()).content.decode()
    section = html[html.index('<details class="fold" id="changelog">'):]
    text = visible_text(section[:section.index("</details>")])
    assert text.startswith("Changelog")
    today = datetime.date.today().isoformat()
    assert f"{today} Specification change: Status current → legacy; Context window 4k → 8k." in text
    assert "2026-11-01 Price change at Some API (llava-13b-api): input $3.00 → $2.50." in text
    assert "2026-10-01 Price listed at Some API (llava-13b-api): input $3.00; output $15.00." in text
    assert text.index("Specification change") < text.index("2026-11-01 Price change") < text.index("2026-10-01")


def test_the_changelog_is_short_and_newest_first(seed):
    variant = Variant.objects.get(slug="llava-13b")
    for size in range(1, 15):
        variant.context_window = 4096 * (size + 1)
        variant.save()
    changes = variant_changelog(variant)
    assert len(changes) == 10
    assert changes[0].details == ["Context window 56k → 60k"]
    assert [c.when for c in changes] == sorted((c.when for c in changes), reverse=True)


def test_the_changelog_costs_two_queries(seed, django_assert_num_queries):
    variant = Variant.objects.get(slug="llava-13b")
    with django_assert_num_queries(2):
        variant_changelog(variant)


def test_an_unchanged_variant_says_so(client, db):
    fam = factories.family()
    variant = factories.variant(fam, "v1")
    Variant.history.filter(id=variant.pk).delete()
    assert "No recorded changes yet." in visible_text(client.get(variant.get_absolute_url()).content.decode())


def test_bulk_import_updates_are_in_the_history_and_the_changelog(seed):
    from django.utils import timezone

    from catalog.services.importers.sources import _bulk_update

    variant = Variant.objects.get(slug="llava-13b")
    variant.context_window = 32768
    _bulk_update(Variant, [variant], {"context_window"}, timezone.now())
    latest = variant.history.latest()
    assert latest.context_window == 32768 and latest.history_user is None
    assert variant_changelog(variant)[0].details == ["Context window 4k → 32k"]
