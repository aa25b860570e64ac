"""A curator, in a real browser: logs in to the admin, changes a variant, sees the public page change."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model

from catalog.models import Variant

pytestmark = pytest.mark.browser

PASSWORD = "a long curator passphrase 7"


def test_curator_changes_a_context_window_and_the_public_page_shows_it(open_page, site_data):
    get_user_model().objects.create_superuser("curator", "curator@example.org", PASSWORD)
    variant = Variant.objects.get(family__slug="llava", slug="llava-13b")

    page = open_page(variant.get_absolute_url())
    assert "Context window 4k (4096 tokens)" in " ".join(page.locator("table.keyvalue").inner_text().split())

    page.goto("/admin/")
    page.wait_for_url(re.compile(r"/admin/login/"))
    page.get_by_label("Username").fill("curator")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/admin/$"))

    page.goto(f"/admin/catalog/variant/{variant.pk}/change/")
    field = page.locator("#id_context_window")
    assert field.input_value() == "4096"
    field.fill("32768")
    page.locator('input[name="_save"]').click()
    page.wait_for_url(re.compile(r"/admin/catalog/variant/$"))
    assert "was changed successfully" in page.locator(".messagelist").inner_text()

    page.goto(variant.get_absolute_url())
    specs = " ".join(page.locator("table.keyvalue").inner_text().split())
    assert "Context window 32k (32768 tokens)" in specs
    page.goto("/families/llava/")
    assert (
        "Use when the workload needs 32k context, 13B parameters, and multimodal inputs."
        in page.locator("main").inner_text()
    )
    assert not page.js_errors, page.js_errors
