"""Every main page at a phone's and a desktop's width: no sideways scrolling of the page itself,
a screenshot for people to look at, and no accessibility violation of any impact (axe-core)."""

from __future__ import annotations

import pytest

from tests.browser.conftest import DESKTOP, PHONE, page_overflow, run_axe, screenshot

pytestmark = pytest.mark.browser

PAGES = {
    "home": "/",
    "family": "/families/llava/",
    "family-faq": "/families/llava/faq/",
    "models": "/models/",
    "models-filtered": "/models/?modality=image&context_min=32768&sort=price_in_min",
    "compare": "/compare/?v=llava/llava-13b&v=llava-1-5/llava-1-5-13b",
    "choose": "/choose/?modality=image&context_min=32768&input_tokens=2000000&output_tokens=500000",
    "variant": "/families/aurora/aurora-vision-70b/",
    "family-charts": "/families/aurora/",
}


@pytest.mark.parametrize("width", [PHONE, DESKTOP], ids=["390px", "1280px"])
@pytest.mark.parametrize("name", list(PAGES))
def test_page_fits_the_width_and_passes_axe(open_page, site_data, axe_source, name, width):
    page = open_page(PAGES[name], width=width, bypass_csp=True)
    assert page.locator("main h1").count() == 1
    scroll_width, viewport = page_overflow(page)
    screenshot(page, f"{name}-{width}")
    assert scroll_width <= viewport, f"{PAGES[name]} scrolls sideways at {width}px: {scroll_width} > {viewport}"
    violations = run_axe(page, axe_source)
    assert not violations, "\n".join(
        f"{v['impact']} {v['id']}: {v['help']}\n  " + "\n  ".join(v["nodes"][:5]) for v in violations
    )


def test_pages_keep_their_content_security_policy(open_page, site_data):
    """Without bypass_csp, the pages run under the site's CSP: nothing they need is blocked."""
    page = open_page(None)
    blocked = []
    page.on(
        "console", lambda message: blocked.append(message.text) if "Content Security Policy" in message.text else None
    )
    for path in ("/families/llava/", "/families/aurora/aurora-vision-70b/", "/models/?modality=image"):
        page.goto(path)
    before = page.locator("#results-heading").inner_text()
    with page.expect_response(lambda response: "modality=image" not in response.url and "/models/" in response.url):
        page.locator("#f-modality-image").uncheck()  # htmx (a script of the site's own) still works
    page.wait_for_function("(before) => document.querySelector('#results-heading').innerText !== before", arg=before)
    assert not blocked, blocked
    assert not page.js_errors, page.js_errors
