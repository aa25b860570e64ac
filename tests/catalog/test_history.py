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
    prices = list(
        PriceRecord.objects.filter(offering=offering).order_by("valid_from", "id").values_list("price_input", flat=True)
    )
    assert prices[-3:] == [Decimal("1.00"), Decimal("0.50"), Decimal("1.00")]


def test_the_variant_page_shows_a_changelog_of_specs_and_prices(client, seed):
    variant = Variant.objects.get(slug="llava-13b")
    variant.context_window, variant.status = 8192, "legacy"
    variant.save()
    api = factories.provider("api", "Some API")
    offering = factories.offering(variant, api, "llava-13b-api")
    first = datetime.datetime(2026, 10, 1, tzinfo=datetime.UTC)
    second = datetime.datetime(2026, 11, 1, tzinfo=datetime.UTC)
    PriceRecord.objects.create(
        offering=offering,
        price_input=Decimal(3),
        price_output=Decimal(15),
        valid_from=first,
        valid_to=second,
        source="models.dev",
    )
    PriceRecord.objects.create(
        offering=offering, price_input=Decimal("2.5"), price_output=Decimal(15), valid_from=second, source="models.dev"
    )
    html = client.get(variant.get_absolute_url()).content.decode()
    section = html[html.index('<details class="fold" id="changelog">') :]
    text = visible_text(section[: section.index("</details>")])
    assert text.startswith("Changelog")
    today = datetime.date.today().isoformat()
    assert f"{today} Specification change: Status current → legacy; Context window 4k → 8k." in text
    assert f"{today} Added to the catalog (from the seed data, import run" in text
    assert "2026-11-01 Price change at Some API (llava-13b-api): input $3.00 → $2.50 (from models.dev)." in text
    assert "2026-10-01 Price listed at Some API (llava-13b-api): input $3.00; output $15.00 (from models.dev)." in text
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


# --- History from the first state -----------------------------------------------------------------

SAMPLE = __import__("pathlib").Path(__file__).parent.parent / "fixtures" / "litellm_sample.json"


def _versions_by_record(model) -> dict:
    from collections import Counter

    return Counter(model.history.values_list("id", flat=True))


def test_an_import_writes_a_baseline_version_of_every_record_it_creates(db):
    from django.core.management import call_command

    from catalog.models import Family, ImportRun

    call_command("import_litellm", str(SAMPLE), stdout=open("/dev/null", "w"))
    run = ImportRun.objects.get()
    for model in (Family, Variant, Provider, Offering):
        assert model.objects.exists()
        versions = model.history.filter(history_type="+")
        assert set(versions.values_list("id", flat=True)) == set(model.objects.values_list("pk", flat=True))
        assert set(versions.values_list("history_change_reason", flat=True)) == {f"import run {run.pk} (litellm)"}
        assert set(_versions_by_record(model).values()) == {1}


def test_baseline_versions_are_written_in_bulk_not_one_query_per_record(db, tmp_path):
    """Two imports of different sizes run the same number of history INSERTs (one batch per model)."""
    import json

    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from catalog.models import ImportRun

    document = json.loads(SAMPLE.read_text())
    chat = {k: v for k, v in document.items() if isinstance(v, dict) and v.get("mode") == "chat"}
    assert len(chat) >= 4

    def history_inserts(entries):
        from catalog.models import Family, Organization

        Offering.objects.all().delete()
        Variant.objects.all().delete()
        Family.objects.all().delete()
        Organization.objects.all().delete()
        Provider.objects.all().delete()
        ImportRun.objects.all().delete()
        path = tmp_path / f"litellm-{len(entries)}.json"
        path.write_text(json.dumps(entries))
        with CaptureQueriesContext(connection) as queries:
            call_command("import_litellm", str(path), stdout=open("/dev/null", "w"))
        return sum(1 for q in queries if q["sql"].startswith("INSERT") and "historical" in q["sql"])

    small = history_inserts(dict(list(chat.items())[:1]))
    large = history_inserts(chat)
    assert Offering.history.filter(history_type="+").count() >= 4
    assert small == large


def test_the_seed_load_writes_baselines_and_a_second_load_writes_none(seed):
    from django.core.management import call_command

    before = Variant.history.count()
    assert before == Variant.objects.count()
    assert all(
        reason.startswith("import run ") and reason.endswith("(seed)")
        for reason in Variant.history.values_list("history_change_reason", flat=True)
    )
    call_command("load_seed", verbosity=0, stdout=open("/dev/null", "w"))
    assert Variant.history.count() == before


def test_the_first_edit_of_a_loaded_record_is_in_the_changelog(client, curator, seed):
    variant = Variant.objects.get(slug="llava-13b")
    post_form(client, reverse("admin:catalog_variant_change", args=[variant.pk]), context_window="8192")
    change = variant_changelog(variant)[0]
    assert change.details == ["Context window 4k → 8k"]


# --- One changelog per variant, family and provider, and its feed ----------------------------------


def test_a_curator_spec_edit_reaches_the_page_the_family_page_and_the_feeds(
    client, curator, seed, django_capture_on_commit_callbacks
):
    variant = Variant.objects.get(slug="llava-13b")
    for url in (
        variant.get_absolute_url(),
        reverse("feed-variant-changes", args=[variant.family.slug, variant.slug]),
        reverse("feed-family-changes", args=[variant.family.slug]),
    ):
        client.get(url)  # cached before the edit
    with django_capture_on_commit_callbacks(execute=True):
        post_form(client, reverse("admin:catalog_variant_change", args=[variant.pk]), context_window="262144")
    page = visible_text(client.get(variant.get_absolute_url()).content.decode())
    assert "Specification change: Context window 4k → 256k (by a curator)." in page
    family_page = visible_text(client.get(variant.family.get_absolute_url()).content.decode())
    assert f"{variant.name}: Specification change: Context window 4k → 256k (by a curator)." in family_page
    for url in (
        reverse("feed-variant-changes", args=[variant.family.slug, variant.slug]),
        reverse("feed-family-changes", args=[variant.family.slug]),
    ):
        response = client.get(url)
        assert response["Content-Type"].startswith("application/atom+xml")
        assert "Context window 4k → 256k (by a curator)." in response.content.decode()


def test_a_provider_changelog_lists_its_offerings_and_prices(client, curator, seed):
    offering = Offering.objects.select_related("provider").first()
    post_form(client, reverse("admin:catalog_offering_change", args=[offering.pk]), price_input="1.25")
    text = visible_text(client.get(offering.provider.get_absolute_url()).content.decode())
    section = text[text.index("Changelog") :]
    assert f"Price listed at {offering.provider.name} ({offering.model_id}): input $1.25 (by a curator)." in section
    feed = client.get(reverse("feed-provider-changes", args=[offering.provider.slug])).content.decode()
    assert "$1.25 (by a curator)" in feed


def test_changelog_feeds_of_unknown_records_are_404(client, seed):
    assert client.get(reverse("feed-family-changes", args=["nope"])).status_code == 404
    assert client.get(reverse("feed-variant-changes", args=["llava", "nope"])).status_code == 404
    assert client.get(reverse("feed-provider-changes", args=["nope"])).status_code == 404


def test_family_and_provider_changelogs_cost_three_queries(seed, django_assert_num_queries):
    from catalog.models import Family
    from catalog.selectors.changelog import family_changelog, provider_changelog

    family, provider = Family.objects.get(slug="llava"), Provider.objects.first()
    with django_assert_num_queries(3):
        family_changelog(family)
    with django_assert_num_queries(3):
        provider_changelog(provider)


def test_a_revert_is_in_the_changelog(client, curator, seed):
    variant = Variant.objects.get(slug="llava-13b")
    baseline = variant.history.get()
    post_form(client, reverse("admin:catalog_variant_change", args=[variant.pk]), context_window="777800")
    post_form(client, reverse("admin:catalog_variant_simple_history", args=[variant.pk, baseline.history_id]))
    changes = variant_changelog(variant)
    reverted, edited = changes[0], changes[1]
    edited_value = edited.details[0].removeprefix("Context window 4k → ")
    assert edited.details == [f"Context window 4k → {edited_value}"] and edited.source == "by a curator"
    assert reverted.details == [f"Context window {edited_value} → 4k"]
    assert reverted.source == "by a curator (a revert)"


def test_a_bounded_changelog_is_the_newest_part_of_the_whole_history(django_assert_num_queries):
    """Pages read the latest changes only (a window over the versions): the same changes, in the same order."""
    from catalog.selectors.changelog import family_changelog

    family = factories.family()
    provider = factories.provider()
    start = datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC)
    for n in range(4):
        variant = factories.variant(family, f"v{n}", context_window=4096)
        for step in range(3):
            variant.context_window = 8192 * (step + 1)
            variant.save()
        variant.base_model = "nothing shown changes"  # a version with no visible change
        variant.save()
        offering = factories.offering(variant, provider, f"v{n}")
        for day in range(3):  # three prices, the first at the same moment for every offering (a tie)
            factories.price_record(
                offering,
                start + datetime.timedelta(days=day * (n + 1)),
                price_input=Decimal(day + 1),
                price_output=Decimal(2),
                valid_to=start + datetime.timedelta(days=(day + 1) * (n + 1)) if day < 2 else None,
            )
    everything = family_changelog(family, limit=None)
    assert len(everything) > 20
    for limit in (1, 3, 10, 20, len(everything) + 5):
        with django_assert_num_queries(3):
            latest = family_changelog(family, limit)
        assert [vars(change) for change in latest] == [vars(change) for change in everything[:limit]]
    variant = family.variants.get(slug="v3")
    assert [vars(c) for c in variant_changelog(variant, 4)] == [vars(c) for c in variant_changelog(variant, None)[:4]]
