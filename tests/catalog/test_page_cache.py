"""The public page cache: pages are cached, fresh at once after a change, validated with 304, and served
uncached when the cache is down. Runs on whichever cache the settings give (Redis when REDIS_URL is set).

Freshness tests commit for real (transaction=True): the cache is bumped when a transaction commits.
"""

import re
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.urls import reverse

from catalog.models import Family, Offering, Variant
from catalog.services import page_cache
from tests import factories
from tests.html import form_data, visible_text

PUBLIC_URLS = [
    "/",
    "/families/",
    "/families/llava/",
    "/families/llava/llava-13b/",
    "/providers/",
    "/providers/ollama/",
    "/models/",
    "/sitemap.xml",
    "/robots.txt",
    "/feeds/variants.atom",
]

committed = pytest.mark.django_db(transaction=True)


def load_seed():
    call_command("load_seed", verbosity=0, stdout=StringIO())


@pytest.fixture
def committed_seed(transactional_db):
    load_seed()


def fetch(client, url, **headers):
    response = client.get(url, headers=headers)
    assert response.status_code in (200, 304), f"{url}: {response.status_code}"
    return response


def nonce_in(html: str) -> str | None:
    match = re.search(r'nonce="([^"]+)"', html)
    return match.group(1) if match else None


@committed
@pytest.mark.parametrize("url", PUBLIC_URLS)
def test_public_pages_are_cached(client, committed_seed, url):
    first = fetch(client, url)
    second = fetch(client, url)
    assert first["X-Page-Cache"] == "miss"
    assert second["X-Page-Cache"] == "hit"
    assert first["ETag"] == second["ETag"]
    assert first["Content-Type"] == second["Content-Type"]
    assert second["Content-Security-Policy"]


@committed
def test_a_cached_page_gets_a_fresh_nonce_that_matches_its_header(client, committed_seed):
    first, second = fetch(client, "/families/llava/"), fetch(client, "/families/llava/")
    assert second["X-Page-Cache"] == "hit"
    nonces = [nonce_in(r.content.decode()) for r in (first, second)]
    assert all(nonces) and nonces[0] != nonces[1]
    for response, nonce in zip((first, second), nonces, strict=True):
        assert f"'nonce-{nonce}'" in response["Content-Security-Policy"]
    assert page_cache.nonce_placeholder() not in second.content.decode()


@committed
def test_conditional_requests_get_304_until_the_page_changes(client, committed_seed):
    first = fetch(client, "/families/llava/")
    assert first["Cache-Control"] == "public, no-cache"
    assert "Last-Modified" in first
    not_modified = fetch(client, "/families/llava/", **{"If-None-Match": first["ETag"]})
    assert not_modified.status_code == 304 and not_modified.content == b""
    # The browser keeps the CSP it stored with the body: a new nonce would not match that body.
    assert "Content-Security-Policy" not in not_modified
    since = fetch(client, "/families/llava/", **{"If-Modified-Since": first["Last-Modified"]})
    assert since.status_code == 304

    Family.objects.filter(slug="llava").update(name="LLaVA Renamed")  # no signal...
    page_cache.bump_catalog_version()  # ...so say so, as the importers do
    changed = fetch(client, "/families/llava/", **{"If-None-Match": first["ETag"]})
    assert changed.status_code == 200 and "LLaVA Renamed" in changed.content.decode()


@committed
def test_etag_is_the_same_cached_or_not(client, committed_seed, settings):
    cached = fetch(client, "/families/llava/")
    settings.CATALOG_PAGE_CACHE_SECONDS = 0  # nothing stays cached: every response is rendered anew
    page_cache.bump_now()
    rendered = fetch(client, "/families/llava/", **{"If-None-Match": cached["ETag"]})
    assert rendered.status_code == 304


FAST_PATH = "catalog.middleware.CachedPageHitMiddleware"


def hit_headers(response) -> dict:
    """A hit's headers, its nonce (new on every response) and Date left out."""
    headers = {name.lower(): value for name, value in response.items() if name.lower() != "date"}
    nonce = nonce_in(response.content.decode())
    if nonce:
        headers["content-security-policy"] = headers["content-security-policy"].replace(nonce, "<nonce>")
    return headers


@committed
@pytest.mark.parametrize("url", ["/models/?modality=image", "/families/llava/", "/robots.txt", "/feeds/variants.atom"])
def test_a_hit_answered_early_has_every_header_of_a_hit_through_the_whole_stack(committed_seed, settings, url):
    from django.test import Client

    early = Client()
    fetch(early, url)
    early_hit = fetch(early, url)
    settings.MIDDLEWARE = [path for path in settings.MIDDLEWARE if path != FAST_PATH]
    late_hit = fetch(Client(), url)  # a new client loads the middleware without the early one
    assert early_hit["X-Page-Cache"] == late_hit["X-Page-Cache"] == "hit"
    assert hit_headers(early_hit) == hit_headers(late_hit)
    for name in (
        "Content-Security-Policy",
        "X-Frame-Options",
        "X-Content-Type-Options",
        "Referrer-Policy",
        "ETag",
        "Vary",
    ):
        assert early_hit.has_header(name), name


@committed
def test_a_hit_skips_sessions_and_csrf_but_a_miss_runs_them(client, committed_seed, monkeypatch):
    from django.contrib.sessions.middleware import SessionMiddleware
    from django.middleware.csrf import CsrfViewMiddleware

    calls = []
    for middleware in (SessionMiddleware, CsrfViewMiddleware):
        original = middleware.process_request
        monkeypatch.setattr(
            middleware, "process_request", lambda self, request, o=original: calls.append(1) or o(self, request)
        )
    assert fetch(client, "/families/llava/")["X-Page-Cache"] == "miss"
    assert calls
    calls.clear()
    hit = fetch(client, "/families/llava/")
    assert hit["X-Page-Cache"] == "hit" and calls == []
    not_modified = fetch(client, "/families/llava/", **{"If-None-Match": hit["ETag"]})
    assert not_modified.status_code == 304 and "Content-Security-Policy" not in not_modified and calls == []


@committed
def test_a_hit_answered_early_is_fresh_after_a_write_and_not_served_for_a_post(client, committed_seed):
    assert fetch(client, "/families/llava/")["X-Page-Cache"] == "miss"
    Family.objects.filter(slug="llava").update(name="LLaVA Renamed")
    page_cache.bump_catalog_version()
    fresh = fetch(client, "/families/llava/")
    assert fresh["X-Page-Cache"] == "miss" and "LLaVA Renamed" in fresh.content.decode()
    assert "X-Page-Cache" not in client.post("/families/llava/")


@committed
def test_a_curator_edit_in_the_admin_shows_at_once_and_is_in_the_history(client, committed_seed):
    anonymous = client
    assert "LLaVA 13B" in visible_text(fetch(anonymous, "/families/llava/llava-13b/").content.decode())
    assert fetch(anonymous, "/families/llava/llava-13b/")["X-Page-Cache"] == "hit"

    from django.test import Client

    curator = Client()
    curator.force_login(User.objects.create_superuser("cur", "cur@example.org", "x"))
    variant = Variant.objects.get(slug="llava-13b")
    url = reverse("admin:catalog_variant_change", args=[variant.pk])
    data = form_data(curator.get(url).content.decode())
    data["context_window"] = ["8192"]
    response = curator.post(url, {k: v if len(v) > 1 else v[0] for k, v in data.items()})
    assert response.status_code == 302, response.content.decode()[:3000]

    page = fetch(anonymous, "/families/llava/llava-13b/")
    assert page["X-Page-Cache"] == "miss"
    text = visible_text(page.content.decode())
    assert "Context window 8k (8192 tokens)" in text
    assert "Context window 4k → 8k" in text  # the public changelog
    family_page = visible_text(fetch(anonymous, "/families/llava/").content.decode())
    assert "8k context" in family_page
    record = variant.history.latest()
    assert record.history_user.username == "cur" and record.context_window == 8192


@committed
def test_an_admin_bulk_action_shows_at_once(client, committed_seed):
    assert "Legacy" not in visible_text(fetch(client, "/families/llava/llava-13b/").content.decode())
    from django.test import Client

    curator = Client()
    curator.force_login(User.objects.create_superuser("cur", "cur@example.org", "x"))
    variant = Variant.objects.get(slug="llava-13b")
    response = curator.post(
        reverse("admin:catalog_variant_changelist"), {"action": "mark_legacy", "_selected_action": [variant.pk]}
    )
    assert response.status_code == 302
    page = fetch(client, "/families/llava/llava-13b/")
    assert page["X-Page-Cache"] == "miss" and "Legacy" in visible_text(page.content.decode())


@committed
def test_an_import_shows_at_once(client, committed_seed, tmp_path):
    before = fetch(client, "/providers/")
    assert "Some API" not in before.content.decode()
    assert fetch(client, "/providers/")["X-Page-Cache"] == "hit"
    document = tmp_path / "catalog.json"
    call_command("export_catalog", str(document), stdout=StringIO())
    import json

    data = json.loads(document.read_text())
    data["providers"].append({"slug": "some-api", "name": "Some API", "kind": "api"})
    document.write_text(json.dumps(data))
    call_command("import_catalog", str(document), stdout=StringIO())
    after = fetch(client, "/providers/")
    assert after["X-Page-Cache"] == "miss" and "Some API" in after.content.decode()


@committed
def test_a_bulk_import_shows_at_once(client, committed_seed, monkeypatch):
    """The source importers write with bulk_create/bulk_update (no signals) and bump at the end."""
    from catalog.services.importers import runner

    offering = Offering.objects.get(model_id="llava:13b")
    fetch(client, "/families/llava/llava-13b/")
    assert fetch(client, "/families/llava/llava-13b/")["X-Page-Cache"] == "hit"

    def parse(raw, path):
        return [], [], 0

    def apply(source, entries, run, dry_run=False, progress=None, **kwargs):
        if not dry_run:  # a real dry run writes and rolls back
            Offering.objects.filter(pk=offering.pk).update(price_input=Decimal("0.5"), price_output=Decimal(1))
        return runner.ImportReport(source)

    monkeypatch.setattr(runner, "apply_entries", apply)
    monkeypatch.setattr(runner, "read_bytes", lambda path: b"{}")
    runner.run_import("test", "x.json", parse, dry_run=True)
    assert fetch(client, "/families/llava/llava-13b/")["X-Page-Cache"] == "hit"  # a dry run changes nothing
    runner.run_import("test", "x.json", parse)
    page = fetch(client, "/families/llava/llava-13b/")
    assert page["X-Page-Cache"] == "miss" and "$0.50" in page.content.decode()


@committed
def test_shell_saves_and_deletes_bump_too(client, committed_seed):
    fetch(client, "/")
    variant = Variant.objects.get(slug="llava-13b")
    variant.name = "LLaVA Thirteen"
    variant.save()
    assert "LLaVA Thirteen" in fetch(client, "/").content.decode()
    variant.delete()
    assert "LLaVA Thirteen" not in fetch(client, "/").content.decode()


def test_inside_an_uncommitted_transaction_pages_are_not_cached(client, seed):
    """Tests (and any code mid-transaction) see their own writes: no stale page, none cached."""
    assert fetch(client, "/families/")["X-Page-Cache"] == "bypass"
    factories.family("another", "Another")
    assert "Another" in fetch(client, "/families/").content.decode()


@committed
def test_pages_that_set_cookies_or_fail_are_not_cached(client, committed_seed):
    assert "X-Page-Cache" not in client.get("/families/nope/")
    bad = client.get("/families/?creator=nobody")
    assert bad.status_code == 400 and "X-Page-Cache" not in bad
    assert "X-Page-Cache" not in client.get("/healthz")


@committed
def test_htmx_requests_are_cached_apart(client, committed_seed):
    full = fetch(client, "/models/")
    partial = fetch(client, "/models/", **{"HX-Request": "true"})
    assert partial["X-Page-Cache"] == "miss"
    assert fetch(client, "/models/", **{"HX-Request": "true"}).content == partial.content
    assert fetch(client, "/models/").content.decode().count("<html") == full.content.decode().count("<html") == 1
    assert "HX-Request" in full["Vary"]


# --- Redis down ---------------------------------------------------------------------------------


@pytest.fixture
def redis_down(settings):
    """REDIS_URL pointing at a closed port, as the settings build it."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    page_cache.reset_breaker()
    yield
    page_cache.reset_breaker()


@committed
def test_pages_are_served_uncached_when_redis_is_down(client, committed_seed, redis_down, caplog):
    for url in PUBLIC_URLS:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["X-Page-Cache"] == "bypass"
        assert response["ETag"]
    assert "Page cache unavailable" in caplog.text
    # A change while Redis is down still shows (nothing is cached), and saving still works.
    Family.objects.filter(slug="llava").update(name="LLaVA While Down")
    variant = Variant.objects.get(slug="llava-13b")
    variant.name = "Renamed while down"
    variant.save()
    assert "Renamed while down" in client.get("/families/llava/llava-13b/").content.decode()
    health = client.get("/healthz")
    assert health.status_code == 503
    assert health.json()["checks"]["cache"]["status"] == "error"
    assert health.json()["checks"]["database"]["status"] == "ok"


def test_a_dead_cache_is_not_retried_on_every_request(settings, redis_down, monkeypatch):
    from django.core.cache.backends.redis import RedisCache

    calls, original = [], RedisCache.get

    def counting_get(self, *args, **kwargs):
        calls.append(args)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(RedisCache, "get", counting_get)
    for _ in range(5):
        assert page_cache.current_version() is None
    assert len(calls) == 1
    assert not page_cache.cache_available()


# --- /models/' unfiltered counts: once per catalog version (page_cache.once_per_version) ----------


def unfiltered_counts(client) -> tuple[str, dict[str, str]]:
    """The unfiltered /models/' heading and its facet counts, with the page cache off."""
    html = fetch(client, "/models/").content.decode()
    heading = re.search(r'<h2 id="results-heading">([^<]+)</h2>', html).group(1)
    counts = re.findall(r'id="f-([\w-]+)"[^>]*> [^<]*? <span class="facet-count">(\d+)</span>', html)
    return heading, dict(counts)


@pytest.fixture
def page_cache_off(settings):
    settings.CATALOG_PAGE_CACHE_SECONDS = 0  # every page rendered: only the precomputed counts are kept


@committed
def test_unfiltered_counts_are_counted_once_per_catalog_version(client, committed_seed, page_cache_off):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as first:
        first_counts = unfiltered_counts(client)
    with CaptureQueriesContext(connection) as second:
        assert unfiltered_counts(client) == first_counts
    assert len(second) < len(first)  # the grouped counts did not run again
    assert fetch(client, "/models/?sort=name&page_size=10").content.count(b'class="facet-count"') == len(
        first_counts[1]
    )


@committed
def test_query_counts_once_the_catalog_versions_values_exist(client, committed_seed, page_cache_off):
    """Pinned: once the catalog version's index exists (catalog.selectors.model_index), a page reads only the
    rows no page of this version read before (the seed's rows are all read by the first page), filtered or not;
    a sort not asked for before reads its order once (test_table_rows pins the first request)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    urls = (
        "/models/",
        "/models/",
        "/models/?sort=name",
        "/models/?sort=name",
        "/models/?modality=image",
        "/models/?modality=image",
    )
    for url in urls:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        counts.append(len(captured))
    assert counts[1:] == [0, 1, 0, 0, 0], counts


@committed
def test_rows_kept_for_the_catalog_version_are_fresh_after_a_save(client, committed_seed, page_cache_off):
    """The rows and cells of /models/ kept per catalog version (catalog.selectors.model_index) go with it."""
    variant = Variant.objects.get(slug="llava-13b")
    url = "/models/?sort=name&page_size=200"
    assert f">{variant.name}</a>" in fetch(client, url).content.decode()
    variant.name = "LLaVA 13B renamed"
    variant.save()
    html = fetch(client, url).content.decode()
    assert ">LLaVA 13B renamed</a>" in html
    names = {row["name"] for row in fetch(client, url + "&format=json").json()["results"]}
    assert "LLaVA 13B renamed" in names and "LLaVA 13B" not in names


@committed
def test_unfiltered_counts_are_fresh_after_a_save_an_admin_edit_an_import_and_a_merge(
    client, committed_seed, page_cache_off, monkeypatch
):
    from django.test import Client

    from catalog.services import summaries
    from catalog.services.importers import runner
    from catalog.services.variant_merge import merge_variants

    heading, counts = unfiltered_counts(client)
    variant = Variant.objects.get(slug="llava-13b")

    variant.status = "legacy"  # a save in a shell: signals
    variant.save()
    after_save = unfiltered_counts(client)
    assert after_save[1]["status-legacy"] == str(int(counts.get("status-legacy", "0")) + 1)

    curator = Client()  # an admin bulk action: update(), no signal; the admin POST bumps
    curator.force_login(User.objects.create_superuser("cur", "cur@example.org", "x"))
    curator.post(
        reverse("admin:catalog_variant_changelist"), {"action": "mark_current", "_selected_action": [variant.pk]}
    )
    assert unfiltered_counts(client) == (heading, counts)

    def apply(source, entries, run, dry_run=False, progress=None, **kwargs):  # an import: bulk writes, no signal
        if not dry_run:
            Variant.objects.filter(pk=variant.pk).update(tool_calling=True)
            summaries.refresh()  # as the importers' apply_entries does
        return runner.ImportReport(source)

    monkeypatch.setattr(runner, "apply_entries", apply)
    monkeypatch.setattr(runner, "read_bytes", lambda path: b"{}")
    runner.run_import("test", "x.json", lambda raw, path: ([], [], 0))
    assert unfiltered_counts(client)[1]["tool_calling-yes"] == str(int(counts["tool_calling-yes"]) + 1)

    others = Variant.objects.filter(family=variant.family).exclude(pk=variant.pk)
    merge_variants(variant, others.first())  # a merge: one variant fewer
    heading_after_merge = unfiltered_counts(client)[0]
    assert int(heading_after_merge.split()[0]) == int(heading.split()[0]) - 1


@committed
def test_provider_counts_of_a_filtered_page_are_fresh_after_an_offering_is_added_or_delisted(
    client, committed_seed, page_cache_off
):
    """The provider facet counts over who lists each variant, kept once per catalog version."""
    url = "/models/?modality=image"
    assert 'id="f-provider-newprov"' not in fetch(client, url).content.decode()
    variant = Variant.objects.get(slug="llava-13b")
    offering = Offering.objects.create(
        variant=variant, provider=factories.provider("newprov", "A New Provider"), model_id="llava-13b-new"
    )
    html = fetch(client, url).content.decode()
    assert re.search(r'id="f-provider-newprov"> A New Provider <span class="facet-count">1</span>', html)
    offering.listed = False
    offering.save()
    assert 'id="f-provider-newprov"' not in fetch(client, url).content.decode()
