"""Curator journeys in a real browser (issue 16): every edit recorded and revertible, the changelog and its
feed follow, bulk actions are in the history, the work queue is filled without pressing anything, and no
admin page breaks the site's Content-Security-Policy (every console error fails the test)."""

from __future__ import annotations

import os
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from catalog.models import Variant

from .conftest import DESKTOP, PHONE, screenshot

pytestmark = pytest.mark.browser

PASSWORD = "a long curator passphrase 7"


def log_in(open_page, width=DESKTOP):
    get_user_model().objects.create_superuser("curator", "curator@example.org", PASSWORD)
    page = open_page("/admin/login/", width=width)
    page.get_by_label("Username").fill("curator")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/admin/$"))
    return page


def text_of(page, selector="main") -> str:
    return " ".join(page.locator(selector).inner_text().split())


def changelog_of(page) -> str:
    """The changelog, a folded section on the public pages: opened as a visitor would, then read."""
    page.eval_on_selector("#changelog", "details => { details.open = true; }")
    return text_of(page, "#changelog")


def test_a_spec_edit_reaches_the_page_its_changelog_and_feed_and_reverts_from_history(open_page, site_data):
    variant = Variant.objects.get(family__slug="llava", slug="llava-13b")
    page = log_in(open_page)
    page.goto(variant.get_absolute_url())  # cached before the edit
    page.goto(f"/feeds/families/llava/{variant.slug}.atom")

    page.goto(f"/admin/catalog/variant/{variant.pk}/change/")
    page.locator("#id_context_window").fill("262144")
    page.locator('input[name="_save"]').click()
    page.wait_for_url(re.compile(r"/admin/catalog/variant/$"))

    page.goto(variant.get_absolute_url())
    assert "Context window 256k" in text_of(page, "table.keyvalue")
    changelog = changelog_of(page)
    assert "Specification change: Context window 4k → 256k (by a curator)." in changelog
    feed = page.request.get(f"/feeds/families/llava/{variant.slug}.atom").text()
    assert "Context window 4k → 256k (by a curator)." in feed

    # History: the loaded record's first version is there, so its first edit can be reverted.
    page.goto(f"/admin/catalog/variant/{variant.pk}/history/")
    screenshot(page, "admin-history-1280")
    rows = page.locator("#change-history tbody tr")
    assert rows.count() == 2
    rows.last.locator("a").first.click()
    page.wait_for_url(re.compile(r"/history/\d+/$"))
    assert page.locator("#id_context_window").input_value() == "4096"
    page.locator('input[name="_save"]').click()
    page.wait_for_url(re.compile(r"/admin/catalog/variant/$"))

    page.goto(variant.get_absolute_url())
    assert "Context window 4k" in text_of(page, "table.keyvalue")
    changelog = changelog_of(page)
    assert "Context window 256k → 4k (by a curator (a revert))." in changelog
    assert not page.js_errors, page.js_errors


def test_a_bulk_status_action_appears_in_history(open_page, site_data):
    rows = site_data
    page = log_in(open_page)
    page.goto("/admin/catalog/variant/?family__id__exact=" + str(rows["8b"].family_id))
    for key in ("8b", "lite"):
        page.locator(f'input[name="_selected_action"][value="{rows[key].pk}"]').check()
    page.locator('select[name="action"]').select_option("mark_legacy")
    page.get_by_role("button", name="Run").click()
    assert "2 variants marked as legacy." in page.locator(".messagelist").inner_text()
    page.goto(f"/admin/catalog/variant/{rows['8b'].pk}/history/")
    history = text_of(page, "#change-history")
    assert "curator" in history and "legacy" in history.lower()
    page.goto(rows["8b"].get_absolute_url())
    assert "Status current → legacy (by a curator)." in changelog_of(page)
    assert not page.js_errors, page.js_errors


@pytest.mark.skipif(not os.environ.get("CATALOG_REAL_DATA_BROWSER", "1"), reason="real data journey turned off")
def test_after_make_run_the_work_queue_lists_its_top_items_and_admin_pages_raise_no_console_error(
    open_page, transactional_db
):
    with open(os.devnull, "w") as quiet:  # what `make run` loads: the seed and the bundled models.dev data
        call_command("load_seed", verbosity=0, stdout=quiet)
        call_command("import_modelsdev", verbosity=0, stdout=quiet)
    variant = Variant.objects.filter(offerings__isnull=False).order_by("pk").first()
    for width in (DESKTOP, PHONE):
        if width == PHONE:
            get_user_model().objects.filter(username="curator").delete()
        page = log_in(open_page, width=width)
        page.goto("/admin/catalog/finding/queue/")
        groups = page.locator("[data-queue] .queue-group")
        assert groups.count() >= 10
        assert "open findings in" in text_of(page, "#content-main")
        screenshot(page, f"admin-work-queue-{width}")
        # Keyboard: j focuses the first group's link.
        page.keyboard.press("j")
        assert page.evaluate("document.activeElement.classList.contains('queue-link')")
        for path in (
            "/admin/",
            "/admin/catalog/finding/",
            "/admin/catalog/variant/",
            f"/admin/catalog/variant/{variant.pk}/change/",
            f"/admin/catalog/variant/{variant.pk}/history/",
            f"/admin/catalog/variant/{variant.pk}/split/",
            "/admin/catalog/importrun/",
        ):
            page.goto(path)
        history = Variant.history.filter(id=variant.pk).first()
        page.goto(f"/admin/catalog/variant/{variant.pk}/history/{history.history_id}/")
        assert not page.js_errors, page.js_errors


def load_make_run_data():
    """What `make run` loads, minus LiteLLM's file (the models.dev data alone fills the queue): the seed and models.dev."""
    with open(os.devnull, "w") as quiet:
        call_command("load_seed", verbosity=0, stdout=quiet)
        call_command("import_modelsdev", verbosity=0, stdout=quiet)


@pytest.mark.skipif(not os.environ.get("CATALOG_REAL_DATA_BROWSER", "1"), reason="real data journey turned off")
def test_on_real_data_one_queue_action_merges_likely_duplicates_and_another_attributes_families(
    open_page, transactional_db
):
    from catalog.models import Family, Finding, Organization
    from catalog.services import quality

    load_make_run_data()
    # An import that could not tell who makes Llama would file it under Unattributed: its real ids
    # (meta-llama/…) are the evidence the queue's suggestion reads.
    llama = Family.objects.get(slug="llama")
    nobody, _ = Organization.objects.get_or_create(slug="unattributed", defaults={"name": "Unattributed"})
    Family.objects.filter(pk=llama.pk).update(creator=nobody)
    quality.run_checks()
    page = log_in(open_page)
    page.goto("/admin/catalog/finding/queue/")
    suggestions = page.locator(".queue-suggestions .queue-suggestion")
    assert suggestions.count() >= 2
    assert "Merge likely duplicates:" in text_of(page, ".queue-actions")
    screenshot(page, "admin-work-queue-suggestions-1280")

    # Merge: the suggestion opens the merge form with its variants; one press merges them.
    merge = page.locator('.queue-suggestion[data-suggestion="merge"] a.queue-link').first
    label = merge.inner_text()
    finding = Finding.objects.get(
        state=Finding.State.OPEN, rule="likely-same-model", fix_url=merge.get_attribute("href")
    )
    keep_id, *absorbed_ids = finding.suggestion["variants"]
    absorbed = Variant.objects.select_related("family").get(pk=absorbed_ids[0])
    absorbed_url = absorbed.get_absolute_url()
    merge.click()
    page.wait_for_url(re.compile(r"/admin/catalog/variant/merge/\?ids="))
    assert page.locator('input[name="keep"]:checked').get_attribute("value") == str(keep_id)
    page.get_by_role("button", name="Merge").click()
    page.wait_for_url(re.compile(rf"/admin/catalog/variant/{keep_id}/change/$"))
    assert "Merged" in page.locator(".messagelist").inner_text()
    assert not Variant.objects.filter(pk__in=absorbed_ids).exists()
    page.goto(f"/admin/catalog/variant/{keep_id}/history/")
    assert "merged variant" in text_of(page, "#change-history")
    page.goto(absorbed_url)  # the absorbed variant's page redirects to the one kept
    kept = Variant.objects.select_related("family").get(pk=keep_id)
    assert page.url.endswith(kept.get_absolute_url())
    page.goto("/admin/catalog/finding/queue/")
    assert label not in text_of(page, "#content-main")  # its finding closed after the merge

    # Attribute: one press sets the creator of every family the evidence points to the same maker.
    attribute = page.locator('.queue-suggestion[data-suggestion="attribute"] button', has_text="to Meta")
    assert attribute.count() == 1
    attribute.click()
    page.wait_for_url(re.compile(r"/admin/catalog/finding/queue/$"))
    assert "attributed to Meta." in page.locator(".messagelist").inner_text()
    llama.refresh_from_db()
    assert llama.creator.slug == "meta"
    page.goto(f"/admin/catalog/family/{llama.pk}/history/")
    assert "curator" in text_of(page, "#change-history")
    page.goto(llama.get_absolute_url())
    assert "by Meta" in page.locator("h1").inner_text()
    assert not page.js_errors, page.js_errors


@pytest.mark.skipif(not os.environ.get("CATALOG_REAL_DATA_BROWSER", "1"), reason="real data journey turned off")
def test_on_real_data_an_imported_variants_edit_reaches_its_pages_reverts_and_a_bulk_action_is_in_history(
    open_page, transactional_db
):
    from catalog.formatting import format_tokens

    load_make_run_data()
    variant = (
        Variant.objects.select_related("family")
        .filter(origin="models.dev", status="current", context_window__isnull=False, offerings__isnull=False)
        .exclude(context_window=777_800)
        .order_by("pk")
        .first()
    )
    old, new = variant.context_window, 777_800
    was, now = format_tokens(old), format_tokens(new)
    page = log_in(open_page)
    page.goto(variant.get_absolute_url())  # cached before the edit
    feed_url = f"/feeds/families/{variant.family.slug}/{variant.slug}.atom"
    page.request.get(feed_url)

    page.goto(f"/admin/catalog/variant/{variant.pk}/change/")
    page.locator("#id_context_window").fill(str(new))
    page.locator('input[name="_save"]').click()
    page.wait_for_url(re.compile(r"/admin/catalog/variant/$"))
    page.goto(variant.get_absolute_url())
    assert f"Context window {now}" in text_of(page, "table.keyvalue")
    assert f"Context window {was} → {now} (by a curator)." in changelog_of(page)
    assert f"Context window {was} → {now} (by a curator)." in page.request.get(feed_url).text()

    # History: the imported record's baseline is there; the version before the edit brings the old value back.
    page.goto(f"/admin/catalog/variant/{variant.pk}/history/")
    rows = page.locator("#change-history tbody tr")
    assert rows.count() >= 2
    rows.nth(1).locator("a").first.click()
    page.wait_for_url(re.compile(r"/history/\d+/$"))
    assert page.locator("#id_context_window").input_value() == str(old)
    page.locator('input[name="_save"]').click()
    page.wait_for_url(re.compile(r"/admin/catalog/variant/$"))
    page.goto(variant.get_absolute_url())
    assert f"Context window {was}" in text_of(page, "table.keyvalue")
    assert f"Context window {now} → {was} (by a curator (a revert))." in changelog_of(page)

    # A bulk status action on imported variants is in their history and the public changelog.
    siblings = list(Variant.objects.filter(family=variant.family, status="current").order_by("pk")[:2])
    page.goto(f"/admin/catalog/variant/?family__id__exact={variant.family_id}")
    for sibling in siblings:
        page.locator(f'input[name="_selected_action"][value="{sibling.pk}"]').check()
    page.locator('select[name="action"]').select_option("mark_legacy")
    page.get_by_role("button", name="Run").click()
    assert "marked as legacy." in page.locator(".messagelist").inner_text()
    page.goto(f"/admin/catalog/variant/{siblings[0].pk}/history/")
    history = text_of(page, "#change-history")
    assert "curator" in history and "legacy" in history.lower()
    page.goto(siblings[0].get_absolute_url())
    assert "Status current → legacy (by a curator)." in changelog_of(page)
    assert not page.js_errors, page.js_errors
