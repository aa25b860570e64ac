"""The public pages, read as a visitor reads them."""

import datetime
import re

import pytest
from django.urls import reverse

from catalog.models import Variant
from tests import factories
from tests.html import tables, visible_text


def get(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, f"{url}: {response.status_code}"
    return response.content.decode()


def seed_section(seed_text: str, start: str, end: str | None) -> list[str]:
    lines = seed_text.splitlines()
    begin = lines.index(start) + 1
    finish = next(i for i, line in enumerate(lines) if end and line.startswith(end)) if end else len(lines)
    return [line for line in lines[begin:finish] if line.strip()]


# --- The family page says everything the seed page says ------------------------------------


def test_family_page_has_every_sentence_of_current_variants_and_faq(client, seed, seed_page_text):
    text = visible_text(get(client, "/families/llava/"))
    sentences = []
    for line in seed_section(seed_page_text, "Current Variants", "Release Timeline"):
        if line.startswith("|"):
            continue
        sentences.append(line)
    for line in seed_section(seed_page_text, "Frequently Asked Questions", None):
        sentences.append(line.removeprefix("- "))
    assert len(sentences) == 8
    for sentence in sentences:
        assert sentence in text, sentence


def test_family_page_title_about_and_footnotes(client, seed, seed_page_text):
    html = get(client, "/families/llava/")
    text = visible_text(html)
    assert "LLaVA Models by Haotian Liu" in text
    about = seed_page_text.splitlines()[2]
    # The seed runs citation digits together ("126"); we render them as [1][2][6].
    expected = re.sub(r" (\d+)\.", lambda m: " " + "".join(f"[{d}]" for d in m.group(1)) + ".", about)
    assert expected in text
    assert html.count('href="#source-1"') == 4
    assert html.count('href="#source-6"') == 3
    assert 'id="source-6"' in html and "https://llava-vl.github.io/blog/2024-01-30-llava-next/" in html


def test_family_page_tables_match_the_seed(client, seed, seed_page_text):
    html = get(client, "/families/llava/")
    variants_table, specs_table = tables(html)[:2]
    seed_rows = [line for line in seed_page_text.splitlines() if line.startswith("| LLaVA")]
    seed_variant_rows = [[c.strip() for c in row.strip("|").split("|")] for row in seed_rows[:4]]
    seed_spec_rows = [[c.strip() for c in row.strip("|").split("|")] for row in seed_rows[4:]]
    assert variants_table[0] == ["Model", "Use when", "Released", "Signals", "Status"]
    for ours, theirs in zip(variants_table[1:], seed_variant_rows, strict=True):
        assert ours[:3] == theirs[:3] and ours[4] == theirs[4]
        # Signals are separate chips; the seed ran them together.
        assert ours[3].replace(" ", "") == theirs[3].replace(" ", "")
    assert specs_table[0] == ["Model", "Released", "Context", "Parameters", "Vision", "Multimodal"]
    assert specs_table[1:] == seed_spec_rows


def test_signal_chips_are_separate_elements(client, seed):
    html = get(client, "/families/llava/")
    chips = re.findall(r'<li class="chip">([^<]+)</li>', html)
    assert ["4k context", "13B parameters", "multimodal inputs"] == chips[-3:]


def test_headings_in_the_seed_order(client, seed):
    text = visible_text(get(client, "/families/llava/"))
    headings = [
        "About",
        "Current Variants",
        "Release Timeline",
        "1 release group",
        "Specifications (4 models)",
        "Available From (1 provider)",
        "Frequently Asked Questions",
    ]
    positions = [text.index(heading) for heading in headings]
    assert positions == sorted(positions)


def test_available_from_says_there_is_no_price(client, seed):
    text = visible_text(get(client, "/families/llava/"))
    assert "llava:13b serves LLaVA 13B. The catalog has no price for it at Ollama." in text


def test_specifications_sort_by_context_puts_unknown_last(client, seed):
    rows = tables(get(client, "/families/llava/?sort=-context"))[1][1:]
    assert [row[0] for row in rows][0] == "LLaVA 13B"
    rows = tables(get(client, "/families/llava/?sort=parameters"))[1][1:]
    assert [row[3] for row in rows] == ["7B", "13B", "13B", "13B"]


def test_bad_sort_parameter_falls_back_to_default(client, seed):
    rows = tables(get(client, "/families/llava/?sort=drop%20table"))[1][1:]
    assert rows[0][0] == "LLaVA Vicuna 13B"


def test_unknown_family_and_variant_are_404(client, seed):
    get(client, "/families/nope/", status=404)
    get(client, "/families/llava/nope/", status=404)
    get(client, "/families/llava-1-5/llava-13b/", status=404)  # a variant of another family
    get(client, "/providers/nope/", status=404)


def test_unpublished_family_is_hidden(client, seed):
    Variant.objects.get(slug="llava-13b").family.__class__.objects.filter(slug="llava").update(published=False)
    get(client, "/families/llava/", status=404)
    assert "LLaVA 13B" not in visible_text(get(client, "/"))


# --- Other pages ------------------------------------------------------------------------------


def test_variant_page(client, seed):
    text = visible_text(get(client, "/families/llava/llava-13b/"))
    assert "LLaVA 13B" in text
    assert "Use when the workload needs 4k context, 13B parameters, and multimodal inputs." in text
    assert "Context window 4k (4096 tokens)" in text
    assert "Tool calling —" in text  # unknown is not "No"
    assert "Vision Yes" in text
    assert "The catalog has no price for LLaVA 13B at any provider." in text


def test_variant_page_of_replaced_variant_links_the_replacement(client, seed):
    new = Variant.objects.get(slug="llava-1-5-13b")
    Variant.objects.filter(slug="llava-13b").update(replaced_by=new, status="legacy")
    html = get(client, "/families/llava/llava-13b/")
    assert "Replaced by LLaVA 1.5 13B: use LLaVA 1.5 13B for new work." in visible_text(html)
    assert new.get_absolute_url() in html
    assert "Replaces LLaVA 13B." in visible_text(get(client, new.get_absolute_url()))


def test_home_page(client, seed):
    text = visible_text(get(client, "/"))
    assert "2 families, 6 variants, 1 provider, 1 offering." in text
    assert "Haotian Liu LLaVA (4) LLaVA 1.5 (2)" in text
    assert text.index("LLaVA 1.5 7B") < text.index("LLaVA Vicuna 13B")  # newest first


def test_home_lists_creators_alphabetically_whatever_their_case(client, seed):
    for slug, name in [("zeta", "Zeta Labs"), ("abl", "abliteration.ai")]:
        factories.family(f"{slug}-fam", f"{name} Family", creator=factories.organization(slug, name))
    text = visible_text(get(client, "/"))
    assert text.index("abliteration.ai") < text.index("Haotian Liu") < text.index("Zeta Labs")


def test_family_list_and_filters(client, seed):
    assert [row[0] for row in tables(get(client, "/families/"))[0][1:]] == ["LLaVA", "LLaVA 1.5"]
    assert [row[0] for row in tables(get(client, "/families/?q=vicuna"))[0][1:]] == ["LLaVA"]
    assert [row[0] for row in tables(get(client, "/families/?use_case=coding"))[0][1:]] == ["LLaVA"]
    rows = tables(get(client, "/families/?modality=image&modality=text"))[0][1:]
    assert [row[0] for row in rows] == ["LLaVA", "LLaVA 1.5"]
    empty = get(client, "/families/?modality=audio")
    assert tables(empty) == [] and "No family matches these filters." in empty  # no empty table: the state, a way out
    assert 'href="/families/">Without takes input' in empty


def test_family_list_bad_parameter_is_a_form_error(client, seed):
    html = get(client, "/families/?creator=nobody&modality=smell", status=400)
    text = visible_text(html)
    assert "Some parameters could not be used" in text
    assert "creator" in text and "modality" in text


def test_provider_pages(client, seed):
    assert tables(get(client, "/providers/"))[0][1] == ["Ollama", "Local runtime", "1", "0", "—"]
    rows = tables(get(client, "/providers/ollama/"))[0]
    assert rows[1] == ["llava:13b", "LLaVA 13B", "LLaVA", "—", "—", "—", "—", "Active", "—"]


def test_prices_render_with_dates(client, seed):
    api = factories.provider("api", "Some API")
    factories.offering(
        Variant.objects.get(slug="llava-13b"), api, "llava-13b", "0.075", "0.3", price_checked="2026-11-01"
    )
    text = visible_text(get(client, "/families/llava/llava-13b/"))
    assert "Cheapest listed: Some API at $0.075 input and $0.30 output per million tokens." in text
    rows = tables(get(client, "/providers/api/"))[0]
    assert rows[1][3:6] == ["$0.075", "$0.30", "—"] and rows[1][-1] == "2026-11-01"


# --- Queries: fixed whatever the size of the family ---------------------------------------


def build_family(size: int):
    fam = factories.family(f"fam-{size}", f"Fam {size}")
    other = factories.family(f"other-{size}", f"Other {size}")
    fam.relations.create(related=other)
    prov = factories.provider()
    for i in range(size):
        var = factories.variant(
            fam,
            f"v{i}",
            f"V {i}",
            context_window=4096 * (i + 1),
            parameters=10**9 * (i + 1),
            input_modalities=["text", "image"],
        )
        factories.offering(var, prov, f"{size}-v{i}", "1", "2")
        factories.variant(other, f"o{i}", f"O {i}")
        fam.sources.create(number=i + 1, title=f"S{i}", url=f"https://example.org/{i}")
    return fam


PAGES = [
    ("family-detail", lambda fam: fam.get_absolute_url()),
    ("variant-detail", lambda fam: fam.variants.first().get_absolute_url()),
    ("home", lambda fam: "/"),
    ("family-list", lambda fam: "/families/"),
    ("provider-list", lambda fam: "/providers/"),
    ("provider-detail", lambda fam: "/providers/prov/"),
]


@pytest.mark.parametrize(("name", "url_of"), PAGES, ids=[name for name, _ in PAGES])
def test_query_count_does_not_grow_with_the_family(client, db, name, url_of):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for size in (3, 30):
        url = url_of(build_family(size))
        with CaptureQueriesContext(connection) as captured:
            get(client, url)
        counts.append(len(captured))
    assert counts[0] == counts[1], f"{name}: {counts[0]} queries for 3 variants, {counts[1]} for 30"
    assert counts[1] <= 15  # the family and provider pages: 3 of them for their changelog


def build_big_family(size: int, providers: int = 6):
    """`size` variants in series of ten (Series0 …), each at every provider with a price and a price change."""
    from decimal import Decimal

    from catalog.models import Offering, PriceRecord

    fam = factories.family(f"big-{size}", f"Big {size}")
    provs = [factories.provider(f"p{n}", f"P{n}") for n in range(providers)]
    variants = Variant.objects.bulk_create(
        Variant(
            family=fam,
            slug=f"s{i // 10}-{i}",
            name=f"Series{i // 10} {i + 1}B",
            parameters=10**9 * (i + 1),
            context_window=4096 * (i + 1),
            release_date=datetime.date(2024, 1 + i % 12, 1),
            release_precision="month",
        )
        for i in range(size)
    )
    offerings = Offering.objects.bulk_create(
        Offering(
            variant=var,
            provider=prov,
            model_id=f"{fam.slug}/{var.slug}",
            price_input=Decimal(i + 1),
            price_output=Decimal(2 * i + 2),
        )
        for i, var in enumerate(variants)
        for prov in provs
    )
    start = datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC)
    PriceRecord.objects.bulk_create(
        record
        for off in offerings
        for record in (
            PriceRecord(
                offering=off,
                valid_from=start,
                valid_to=start + datetime.timedelta(days=30),
                price_input=off.price_input + 1,
                price_output=off.price_output + 1,
            ),
            PriceRecord(
                offering=off,
                valid_from=start + datetime.timedelta(days=30),
                price_input=off.price_input,
                price_output=off.price_output,
            ),
        )
    )
    return fam


def test_a_big_family_page_is_bounded_in_queries_and_html(client, db):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    sizes, queries = {}, {}
    for size in (90, 270):  # both past every cap of the page (series shown, price grid columns, quarters…)
        url = build_big_family(size).get_absolute_url()
        with CaptureQueriesContext(connection) as captured:
            sizes[size] = len(get(client, url))
        queries[size] = len(captured)
    assert queries[90] == queries[270]
    # Three times the variants, offerings and price changes: the page grows only by the counts it states.
    assert sizes[270] < sizes[90] * 1.05, sizes


def test_family_page_query_budget(client, db, django_assert_max_num_queries):
    fam = build_family(30)
    with django_assert_max_num_queries(14):  # 3 of them for the changelog; exact: test_fragments.py
        get(client, fam.get_absolute_url())
    url = reverse("catalog:family-detail", kwargs={"family": fam.slug})
    assert url == fam.get_absolute_url()


def test_404_is_a_designed_page_in_the_site_layout(client, seed):
    html = get(client, "/families/no-such-family/", status=404)
    assert "<h1>Page not found</h1>" in html and 'class="site-header"' in html
    assert 'action="/models/"' in html and 'href="/families/"' in html  # a search and ways on


def test_500_is_a_static_page_that_reads_nothing(rf):
    from django.views.defaults import server_error

    response = server_error(rf.get("/models/"))  # no database access here: a query would raise
    html = response.content.decode()
    assert response.status_code == 500
    assert "<h1>Something went wrong</h1>" in html and 'href="/models/"' in html and "{%" not in html


@pytest.mark.django_db
def test_every_page_names_its_icon_so_browsers_do_not_ask_for_a_missing_favicon(client):
    from django.contrib.staticfiles import finders

    html = client.get("/").content.decode()
    assert '<link rel="icon" href="/static/img/favicon.svg" type="image/svg+xml">' in html
    assert finders.find("img/favicon.svg")


def build_busy_variant(slug: str, providers: int) -> Variant:
    """One variant offered by `providers` providers, each with a price that changed once."""
    from decimal import Decimal

    from catalog.models import Offering, PriceRecord

    fam = factories.family(f"busy-{slug}", f"Busy {slug}")
    var = factories.variant(fam, slug, f"Busy {slug} 70B", parameters=70 * 10**9, context_window=131072)
    provs = [factories.provider(f"{slug}-p{n}", f"{slug.title()} P{n}") for n in range(providers)]
    offerings = Offering.objects.bulk_create(
        Offering(
            variant=var,
            provider=prov,
            model_id=f"{slug}/model-{n}",
            price_input=Decimal(n + 1),
            price_output=Decimal(2 * n + 2),
        )
        for n, prov in enumerate(provs)
    )
    start = datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC)
    PriceRecord.objects.bulk_create(
        record
        for off in offerings
        for record in (
            PriceRecord(
                offering=off,
                valid_from=start,
                valid_to=start + datetime.timedelta(days=30),
                price_input=off.price_input + 1,
                price_output=off.price_output + 1,
            ),
            PriceRecord(
                offering=off,
                valid_from=start + datetime.timedelta(days=30),
                price_input=off.price_input,
                price_output=off.price_output,
            ),
        )
    )
    return var


def test_a_busy_variant_page_has_fixed_queries_and_html_linear_in_its_offerings(client, db):
    """Queries stay the same however many providers offer a variant. The HTML is bounded but for the
    two tables that list every offering (providers, and the cost calculator; 94 KB at 71 providers on
    the real data): the price history draws at most HISTORY_PANELS panels, so each offering adds only
    its two rows."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    sizes, queries = {}, {}
    for providers in (20, 60):
        url = build_busy_variant(f"v{providers}", providers).get_absolute_url()
        with CaptureQueriesContext(connection) as captured:
            sizes[providers] = len(get(client, url))
        queries[providers] = len(captured)
    # The variant (with family, creator, replacement), its offerings as flat rows, what it replaces, the price
    # checks, the family's variants (comparison, siblings), data notes, changelog, price records (2).
    assert queries[20] == queries[60] == 9, queries
    per_offering = (sizes[60] - sizes[20]) / 40
    assert per_offering < 1_200, (sizes, per_offering)  # a providers row and a calculator row: about 1 KB


def test_a_busy_variant_page_draws_a_bounded_price_history(client, db):
    from catalog.selectors.charts import HISTORY_PANELS

    html = get(client, build_busy_variant("hist", 30).get_absolute_url())
    assert html.count('class="chart chart-panel"') == HISTORY_PANELS
    assert "(30 offerings whose price changed)" in html
    assert f"The first {HISTORY_PANELS} in the providers table are drawn; {30 - HISTORY_PANELS} more offerings" in html
