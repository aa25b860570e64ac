"""Fragments kept per catalog version (catalog.services.fragments): kept until the catalog changes,
fresh at once after every kind of write, and never kept from inside an uncommitted transaction.

The page cache is off here, so what is checked is the fragments alone. Freshness tests commit for
real (transaction=True): the catalog version is bumped when a transaction commits.
"""

import datetime
import re
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from catalog.models import Offering, PriceRecord, Variant
from catalog.services import page_cache
from catalog.services.fragments import rendered_once
from tests.html import form_data, visible_text

committed = pytest.mark.django_db(transaction=True)
VARIANT_URL = "/families/llava/llava-13b/"


@pytest.fixture
def committed_seed(transactional_db, settings):
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if "PageCache" not in m]
    call_command("load_seed", verbosity=0, stdout=StringIO())


def text_of(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return visible_text(response.content.decode())


@pytest.mark.django_db
def test_a_fragment_is_rendered_once_per_catalog_version():
    assert rendered_once("test", (1,), lambda: "first") == "first"
    assert rendered_once("test", (1,), lambda: "second") == "first"  # kept
    assert rendered_once("test", (2,), lambda: "other") == "other"  # its keys tell fragments apart
    page_cache.bump_now()  # what every write does
    assert rendered_once("test", (1,), lambda: "second") == "second"


@pytest.mark.django_db
def test_fragments_are_kept_with_the_page_cache_off(settings):
    """Their lifetime is their own setting: the page cache off (bench/compare.py's "uncached") keeps them."""
    settings.CATALOG_PAGE_CACHE_SECONDS = 0
    settings.CATALOG_FRAGMENT_SECONDS = 60
    assert rendered_once("test", (1,), lambda: "first") == "first"
    assert rendered_once("test", (1,), lambda: "second") == "first"


@pytest.mark.django_db
def test_fragments_can_be_turned_off(settings):
    settings.CATALOG_FRAGMENT_SECONDS = 0  # every section rendered per request (compare.py's "cold")
    assert rendered_once("test", (1,), lambda: "first") == "first"
    assert rendered_once("test", (1,), lambda: "second") == "second"


@committed
def test_a_page_with_the_page_cache_off_keeps_its_fragments_and_is_fresh_after_a_write(committed_seed, settings):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.CATALOG_PAGE_CACHE_SECONDS = 0
    visitor = Client()
    text_of(visitor, VARIANT_URL)
    with CaptureQueriesContext(connection) as kept:
        text_of(visitor, VARIANT_URL)
    assert not any("catalog_pricerecord" in q["sql"] for q in kept.captured_queries)  # its price history kept
    variant = Variant.objects.get(slug="llava-13b")
    variant.context_window = 8192
    variant.save()
    assert "Context window 4k → 8k" in text_of(visitor, VARIANT_URL)


def test_inside_an_uncommitted_transaction_fragments_are_not_kept(seed):
    variant = Variant.objects.get(slug="llava-13b")
    variant.save()  # an uncommitted write: what this transaction sees is not what others see
    assert rendered_once("test", (1,), lambda: "uncommitted") == "uncommitted"
    assert rendered_once("test", (1,), lambda: "again") == "again"


def test_the_pages_are_the_same_with_their_fragments_kept(client, seed, settings):
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if "PageCache" not in m]
    page_cache.forget_uncommitted_changes()  # the seed's own writes: let fragments be kept
    for url in ("/families/llava/", VARIANT_URL):
        first, second = (re.sub(r'nonce="[^"]*"', "", client.get(url).content.decode()) for _ in range(2))
        assert second == first


@committed
def test_an_admin_edit_shows_at_once_in_the_changelogs(committed_seed):
    visitor = Client()
    assert "Context window 4k → 8k" not in text_of(visitor, VARIANT_URL)
    text_of(visitor, "/families/llava/")
    curator = Client()
    curator.force_login(User.objects.create_superuser("cur", "cur@example.org", "x"))
    variant = Variant.objects.get(slug="llava-13b")
    url = reverse("admin:catalog_variant_change", args=[variant.pk])
    data = form_data(curator.get(url).content.decode())
    data["context_window"] = ["8192"]
    response = curator.post(url, {k: v if len(v) > 1 else v[0] for k, v in data.items()})
    assert response.status_code == 302
    assert "Context window 4k → 8k" in text_of(visitor, VARIANT_URL)  # the variant's changelog
    assert "Context window 4k → 8k" in text_of(visitor, "/families/llava/")  # the family's


@committed
def test_a_bulk_import_shows_at_once_in_the_price_history(committed_seed, monkeypatch):
    """The importers write with bulk_create/update (no signals) and bump the version at their end."""
    from catalog.services.importers import runner

    visitor = Client()
    offering = Offering.objects.get(model_id="llava:13b")
    assert "nothing to draw" in text_of(visitor, VARIANT_URL)
    assert "$0.50" not in text_of(visitor, "/families/llava/")

    def apply(source, entries, run, dry_run=False, progress=None, **kwargs):
        if not dry_run:
            now = datetime.datetime.now(datetime.UTC)
            PriceRecord.objects.filter(offering=offering, valid_to__isnull=True).update(valid_to=now)
            earlier = now - datetime.timedelta(days=60)
            PriceRecord.objects.bulk_create(
                [
                    PriceRecord(
                        offering=offering,
                        price_input=Decimal(2),
                        price_output=Decimal(4),
                        valid_from=earlier,
                        valid_to=earlier + datetime.timedelta(days=30),
                    ),
                    PriceRecord(offering=offering, price_input=Decimal("0.5"), price_output=Decimal(1), valid_from=now),
                ]
            )
            Offering.objects.filter(pk=offering.pk).update(price_input=Decimal("0.5"), price_output=Decimal(1))
        return runner.ImportReport(source)

    monkeypatch.setattr(runner, "apply_entries", apply)
    monkeypatch.setattr(runner, "read_bytes", lambda path: b"{}")
    runner.run_import("test", "x.json", lambda raw, path: ([], [], 0))
    after = text_of(visitor, VARIANT_URL)
    assert "nothing to draw" not in after and "Price history" in after
    assert "$0.50" in text_of(visitor, "/families/llava/")  # the family's providers-and-prices section


@committed
def test_shell_saves_bump_the_fragments_too(committed_seed):
    visitor = Client()
    text_of(visitor, VARIANT_URL)
    variant = Variant.objects.get(slug="llava-13b")
    variant.context_window = 8192
    variant.save()
    assert "Context window 4k → 8k" in text_of(visitor, VARIANT_URL)


@committed
def test_a_family_page_with_its_fragments_kept_reads_no_offering(committed_seed):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    visitor = Client()
    with CaptureQueriesContext(connection) as first:
        text_of(visitor, "/families/llava/")
    with CaptureQueriesContext(connection) as kept:
        text_of(visitor, "/families/llava/")
    assert any("catalog_offering" in q["sql"] for q in first.captured_queries)
    assert not any("catalog_offering" in q["sql"] for q in kept.captured_queries)
    assert len(kept) < len(first)


@committed
def test_query_counts_with_sections_kept_and_cold(committed_seed, settings):
    """Pinned: the first request of a catalog version renders every section; later ones read only what is
    rendered per request (variant page: the variant, its offerings as flat rows for the calculator and
    JSON-LD, what it replaces; family page: the family, sources, tags, collaborators, variants)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.CATALOG_PAGE_CACHE_SECONDS = 0
    visitor = Client()
    counts = {}
    for url in (VARIANT_URL, "/families/llava/"):
        for state in ("cold", "kept"):
            with CaptureQueriesContext(connection) as captured:
                text_of(visitor, url)
            counts[url, state] = len(captured)
    assert counts == {
        (VARIANT_URL, "cold"): 8,  # one price history query: no price changed (9 when one did)
        (VARIANT_URL, "kept"): 3,
        ("/families/llava/", "cold"): 14,
        ("/families/llava/", "kept"): 5,
    }
