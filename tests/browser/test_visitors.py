"""What visitors do, in a real browser: filter and compare, read a family, choose a model, use the keyboard."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser


def rows_of(page) -> list[list[str]]:
    """The cells of the /models/ results table, as the visitor reads them."""
    return page.eval_on_selector_all(
        "#results table.models tbody tr",
        "rows => rows.map(r => Array.from(r.querySelectorAll('th, td')).map(c => c.innerText.trim()))",
    )


def header_index(page, label: str) -> int:
    labels = page.eval_on_selector_all("#results table.models thead th", "ths => ths.map(t => t.innerText.trim())")
    return next(i for i, text in enumerate(labels) if text.startswith(label))


def settled(page) -> None:
    """Wait until htmx has no request in flight on the filter form (its swap and URL push are done)."""
    page.wait_for_function("() => !document.querySelector('.htmx-request')")


def price(text: str) -> float:
    return float(text.replace("$", "")) if text.startswith("$") else float("inf")


def test_filter_models_sort_by_input_price_tick_two_and_compare(open_page, site_data):
    page = open_page("/models/")
    page.locator("summary", has_text="Takes input").click()  # a closed filter group opens
    with page.expect_response(lambda r: "modality=image" in r.url):
        page.check("#f-modality-image")
    page.locator("summary", has_text="Context and size").click()
    page.fill("#id_context_min", "32768")
    with page.expect_response(lambda r: "context_min=32768" in r.url):
        page.press("#id_context_min", "Enter")
    page.wait_for_url(re.compile(r"modality=image.*context_min=32768|context_min=32768.*modality=image"))
    settled(page)
    names = [row[1] for row in rows_of(page)]
    assert sorted(names) == ["Aurora Vision 70B", "Aurora Vision 8B", "Aurora Vision Lite", "Aurora Vision Max"]

    page.locator("#results thead a", has_text="In $/M").click()
    page.wait_for_url(re.compile(r"sort=price_in_min"))
    column = header_index(page, "In $/M")
    rows = rows_of(page)
    prices = [price(row[column]) for row in rows]
    assert prices == sorted(prices) and [row[1] for row in rows][:2] == ["Aurora Vision Lite", "Aurora Vision 8B"]
    assert page.locator("#f-modality-image").is_checked() and page.input_value("#id_context_min") == "32768"
    # The chart of these rows: one linked point per row with a price and a context.
    assert page.locator("#price-chart svg a").count() == 4

    page.check(f"#cmp-{site_data['8b'].pk}")
    page.check(f"#cmp-{site_data['70b'].pk}")
    page.get_by_role("button", name="Compare ticked models").click()
    page.wait_for_url(re.compile(r"/compare/\?v="))
    assert page.locator("h1").inner_text() == "Compare models"
    header = page.locator("table.compare").first.locator("thead").inner_text()
    assert "Aurora Vision 8B" in header and "Aurora Vision 70B" in header
    assert "differs" in page.locator("table.compare").first.inner_text().lower()
    assert not page.js_errors, page.js_errors


def test_family_page_footnote_to_source_then_faq(open_page, site_data):
    page = open_page("/families/llava/")
    assert page.locator("h1").inner_text() == "LLaVA Models by Haotian Liu"
    assert page.locator("#timeline-chart-summary").is_visible()
    footnote = page.locator('.prose a[href="#source-1"]').first
    footnote.click()
    page.wait_for_url(re.compile(r"#source-1$"))
    source = page.locator("#source-1")
    assert source.evaluate("el => el.matches(':target')")
    assert source.is_visible() and source.bounding_box()["y"] >= 0
    link = source.locator("a").first
    assert link.get_attribute("href") == "https://llava-vl.github.io/"  # the source itself, off site

    page.get_by_role("link", name="All questions about LLaVA").click()
    page.wait_for_url("**/families/llava/faq/")
    assert page.locator("h1").inner_text() == "LLaVA: Frequently Asked Questions"
    question = page.locator(".faq-toc a").first
    target = question.get_attribute("href")
    question.click()
    assert page.locator(target).evaluate("el => el.matches(':target')")
    assert "What is LLaVA used for?" in page.locator("main").inner_text()
    assert not page.js_errors, page.js_errors


def test_chooser_then_cost_calculator(open_page, site_data):
    page = open_page("/choose/")
    page.get_by_label("Image", exact=True).check()
    page.get_by_label("Minimum context (tokens)").fill("100000")
    page.get_by_label("Input tokens a month").fill("2000000")
    page.get_by_label("Output tokens a month").fill("500000")
    page.get_by_role("button", name="Rank models").click()
    page.wait_for_url(re.compile(r"/choose/\?.*context_min=100000"))
    results = page.locator("table.choices tbody tr")
    assert results.count() == 2
    first = results.first.locator("th a")
    assert first.inner_text() == "Aurora Vision 70B"  # the cheaper of the two for this volume
    assert "$" in results.first.locator("td.num").nth(1).inner_text()

    first.click()
    page.wait_for_url("**/families/aurora/aurora-vision-70b/")
    calculator = page.locator("#cost-calculator")
    calculator.locator("summary").first.click()  # a secondary section: folded until asked for
    calculator.get_by_label("Input tokens a month").fill("10000000")
    calculator.get_by_label("Output tokens a month").fill("1000000")
    calculator.get_by_role("button", name="Estimate").click()
    page.wait_for_url(re.compile(r"input_tokens=10000000"))
    costs = page.locator("#cost-calculator table.costs tbody tr")
    assert costs.count() == 2
    # 10M input at $2.50/M and 1M output at $10/M at API Co: $35 a month.
    assert "$35.00" in costs.first.inner_text()
    # The price history chart of the offering whose price changed (Cloud Co's one price is no history).
    assert page.locator("#price-history figure").count() == 1
    assert "then $2.50 from 2025-09-15" in page.locator("#price-history").inner_text()
    assert not page.js_errors, page.js_errors


def focus_ring(page) -> dict:
    return page.evaluate("""() => {
        const el = document.activeElement, style = getComputedStyle(el);
        return {id: el.id, tag: el.tagName.toLowerCase(), text: (el.innerText || '').trim().slice(0, 40),
                outline: style.outlineStyle, width: parseFloat(style.outlineWidth)};
    }""")


def tab_to(page, matches, limit: int = 80, backwards: bool = False) -> list[dict]:
    """Press Tab (Shift+Tab) until the focused element satisfies `matches`; every stop must show a focus ring."""
    stops = []
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        ring = focus_ring(page)
        stops.append(ring)
        assert ring["outline"] != "none" and ring["width"] >= 2, f"no visible focus on {ring}"
        if matches(ring):
            return stops
    raise AssertionError(f"never reached the element after {limit} tabs: {stops[-5:]}")


def results_top(page) -> float:
    return page.evaluate("document.querySelector('#results').getBoundingClientRect().top + window.scrollY")


def test_filter_form_with_the_keyboard_alone(open_page, site_data):
    page = open_page("/models/")
    page.keyboard.press("Tab")
    assert focus_ring(page)["text"] == "Skip to content"
    tab_to(page, lambda el: el["id"] == "id_q")
    page.keyboard.type("aurora")
    top = results_top(page)
    with page.expect_response(lambda r: "q=aurora" in r.url):
        page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"q=aurora"))
    # Enter sends both a change and a submit: wait for the last swap, as the steps below do.
    page.wait_for_function("() => document.querySelector('#results-heading').innerText === '6 models'")
    settled(page)
    assert page.locator("#results-heading").inner_text() == "6 models"  # the replaced Mini is legacy: listed

    tab_to(page, lambda el: el["tag"] == "summary" and el["text"].startswith("Takes input"))
    page.keyboard.press("Enter")  # opens the group
    tab_to(page, lambda el: el["id"] == "f-modality-image")
    with page.expect_response(lambda r: "modality=image" in r.url):
        page.keyboard.press("Space")
    page.wait_for_url(re.compile(r"modality=image"))
    page.wait_for_function("() => document.querySelector('#results-heading').innerText === '5 models'")
    settled(page)
    # htmx swapped the results and the facets: the ticked box keeps the focus, the group stays open,
    # and the table did not move.
    assert focus_ring(page)["id"] == "f-modality-image"
    assert page.locator("#f-modality-image").is_checked()
    assert page.locator("#facet-modality").evaluate("el => el.open")
    assert results_top(page) == top

    tab_to(
        page, lambda el: el["tag"] == "summary" and el["text"].startswith("Context and size"), limit=40, backwards=True
    )
    page.keyboard.press("Enter")
    tab_to(page, lambda el: el["id"] == "id_context_min")
    page.keyboard.type("100000")
    tab_to(page, lambda el: el["tag"] == "button" and el["text"] == "Apply", limit=60)
    with page.expect_response(lambda r: "context_min=100000" in r.url):
        page.keyboard.press("Enter")
    page.wait_for_function("() => document.querySelector('#results-heading').innerText === '2 models'")
    names = [row[1] for row in rows_of(page)]
    assert sorted(names) == ["Aurora Vision 70B", "Aurora Vision Max"]
    assert results_top(page) == top

    # A bad value is explained next to the results, not swallowed.
    page.focus("#id_context_min")
    page.keyboard.press("Control+A")
    page.keyboard.type("lots")
    with page.expect_response(lambda r: "context_min=lots" in r.url):
        page.keyboard.press("Enter")
    page.wait_for_selector("#results .errors")
    assert "context_min" in page.locator("#results .errors").inner_text()
    assert not page.js_errors, page.js_errors


def test_back_after_filtering_restores_the_whole_page(open_page, site_data):
    page = open_page("/models/")
    page.locator("summary", has_text="Takes input").click()
    with page.expect_response(lambda r: "modality=image" in r.url):
        page.check("#f-modality-image")
    settled(page)
    images = page.locator("#results-heading").inner_text()
    page.locator("summary", has_text="Open weights").click()
    with page.expect_response(lambda r: "open_weights=no" in r.url):
        page.check("#f-open_weights-no")
    settled(page)
    assert page.locator("#results-heading").inner_text() != images
    page.go_back()
    page.wait_for_function("(text) => document.querySelector('#results-heading')?.innerText === text", arg=images)
    assert page.locator("main h1").inner_text() == "Models" and page.locator("#filters").count() == 1
    assert page.locator("#f-modality-image").is_checked() and not page.locator("#f-open_weights-no").is_checked()
    assert not page.js_errors, page.js_errors
