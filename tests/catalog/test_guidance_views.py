"""The guidance pages, read as a visitor (and a search engine) reads them: FAQ pages with their
JSON-LD, the chooser, and the variant page's comparison, cost calculator and hardware fit."""

import json
import re
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import resolve

from catalog import guidance
from catalog.guidance import chooser
from catalog.models import Family, FAQEntry, ImportRun, Listing, Offering, Variant
from tests import factories
from tests.catalog.test_guidance import SEED_COMPARE, SEED_USED_FOR, SEED_WHICH
from tests.html import tables, visible_text


def get(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, f"{url}: {response.status_code}"
    return response.content.decode()


def faq_pairs(html: str) -> list[tuple[str, str]]:
    """(question, first answer) as a visitor reads them in the page's FAQ list."""
    block = html[html.index('<dl class="faq faq-page">') :]
    block = block[: block.index("</dl>")]
    return [
        (visible_text(q), visible_text(a)) for q, a in re.findall(r"<dt>(.*?)</dt>\s*<dd>(.*?)</dd>", block, re.DOTALL)
    ]


def jsonld(html: str) -> dict:
    (data,) = re.findall(r'<script type="application/ld\+json" nonce="[^"]+">(.*?)</script>', html, re.DOTALL)
    return json.loads(data)


def jsonld_pairs(data: dict) -> list[tuple[str, str]]:
    assert data["@context"] == "https://schema.org" and data["@type"] == "FAQPage"
    return [(q["name"], q["acceptedAnswer"]["text"]) for q in data["mainEntity"]]


# --- /families/<family>/faq/ -------------------------------------------------------------------


def test_faq_url_comes_before_the_variant_url():
    assert resolve("/families/llava/faq/").url_name == "family-faq"
    assert resolve("/families/llava/llava-13b/").url_name == "variant-detail"


def test_family_faq_has_the_seed_answers_word_for_word(client, seed):
    pairs = faq_pairs(get(client, "/families/llava/faq/"))
    assert pairs[:3] == [
        ("What is LLaVA used for?", SEED_USED_FOR),
        ("How does LLaVA compare to LLaVA 1.5?", SEED_COMPARE),
        ("Which LLaVA model should I use?", SEED_WHICH),
    ]
    assert pairs[3:] == [
        (
            "What context window does LLaVA support?",
            (
                "LLaVA 13B supports 4k context (4,096 tokens). 3 of 4 listed LLaVA variants have no context window in "
                "the catalog."
            ),
        ),
        (
            "Which LLaVA models accept images?",
            (
                "LLaVA 13B accepts images. LLaVA Vicuna 13B, LLaVA Llama 2 13B, and LLaVA Llama 2 7B do not, by their "
                "listed inputs."
            ),
        ),
        (
            "Which providers offer LLaVA, and at what price?",
            (
                "1 provider offers LLaVA in the catalog: Ollama. The catalog has no price for that offering, so check "
                "the provider."
            ),
        ),
        ("When was LLaVA released?", "All 4 listed LLaVA variants were released in 2023-04."),
    ]


def test_family_faq_jsonld_parses_and_matches_the_visible_text(client, seed):
    html = get(client, "/families/llava/faq/")
    assert jsonld_pairs(jsonld(html)) == faq_pairs(html)
    assert len(faq_pairs(html)) == 7


def test_jsonld_nonce_matches_the_csp_header(client, seed):
    response = client.get("/families/llava/faq/")
    (nonce,) = re.findall(r'<script type="application/ld\+json" nonce="([^"]+)">', response.content.decode())
    policy = response["Content-Security-Policy"]
    script_src = next(part for part in policy.split(";") if part.strip().startswith("script-src"))
    assert f"'nonce-{nonce}'" in script_src
    assert client.get("/families/llava/faq/")["Content-Security-Policy"] != policy  # a fresh nonce each time


def test_jsonld_cannot_break_out_of_its_script(client, seed):
    llava = Family.objects.get(slug="llava")
    llava.faq_entries.create(question="Is </script><script>alert(1)</script> safe?", answer="Yes & <b>no</b>.")
    html = get(client, "/families/llava/faq/")
    script = re.findall(r'<script type="application/ld\+json"[^>]*>(.*?)</script>', html, re.DOTALL)[0]
    assert "<" not in script and ">" not in script
    assert jsonld_pairs(jsonld(html))[0] == ("Is </script><script>alert(1)</script> safe?", "Yes & no.")
    assert jsonld_pairs(jsonld(html)) == faq_pairs(html)


def test_questions_follow_the_data(client, seed):
    pairs = dict(faq_pairs(get(client, "/families/llava-1-5/faq/")))
    assert pairs["Is LLaVA 1.5 open weights, and under what license?"] == (
        "All 2 listed LLaVA 1.5 variants are open weights. The listed license is Llama 2 Community License."
    )
    assert pairs["How does LLaVA 1.5 compare to LLaVA?"].startswith("LLaVA 1.5 by Haotian Liu is strongest where")
    assert "Which providers offer LLaVA 1.5, and at what price?" not in pairs  # no offering: not asked
    assert "What replaced LLaVA 1.5?" not in pairs

    Variant.objects.filter(slug="llava-13b").update(
        replaced_by=Variant.objects.get(slug="llava-1-5-13b"), status="legacy"
    )
    pairs = dict(faq_pairs(get(client, "/families/llava/faq/")))
    assert pairs["What replaced LLaVA?"] == (
        "LLaVA 13B was replaced by LLaVA 1.5 13B (LLaVA 1.5): use LLaVA 1.5 13B for new work."
    )


def test_every_related_family_gets_a_comparison(client, seed):
    other = factories.family("bakllava", "BakLLaVA", creator=factories.organization("skunkworks", "SkunkworksAI"))
    factories.variant(other, "bakllava-1", "BakLLaVA 1", context_window=32768)
    Family.objects.get(slug="llava").relations.create(related=other, position=5)
    questions = [q for q, _ in faq_pairs(get(client, "/families/llava/faq/"))]
    assert questions[1:4] == [
        "How does LLaVA compare to LLaVA 1.5?",
        "How does LLaVA compare to BakLLaVA?",
        "Which LLaVA model should I use?",
    ]
    # The family page keeps its seed three and points to the rest.
    html = get(client, "/families/llava/")
    assert "How does LLaVA compare to BakLLaVA?" not in visible_text(html)
    assert "with a comparison to each related family" in visible_text(html)


def test_curator_entries_come_first_and_replace_generated_ones(client, seed):
    llava = Family.objects.get(slug="llava")
    llava.faq_entries.create(
        question="Which LLaVA should I pick?",
        answer="Start with **LLaVA 13B** [7].",
        replaces=FAQEntry.Replaces.WHICH_MODEL,
    )
    llava.faq_entries.create(question="when was llava released", answer="April 2023.", position=1)
    html = get(client, "/families/llava/faq/")
    pairs = faq_pairs(html)
    assert pairs[:2] == [
        ("Which LLaVA should I pick?", "Start with LLaVA 13B [7]."),
        ("when was llava released", "April 2023."),
    ]
    questions = [q for q, _ in pairs]
    assert "Which LLaVA model should I use?" not in questions  # replaced by key
    assert "When was LLaVA released?" not in questions  # asked again by the curator
    assert 'href="#source-7"' in html and 'id="source-7"' in html  # citations link to the sources listed here
    assert jsonld_pairs(jsonld(html)) == pairs
    assert "Answer written by a curator." in visible_text(html)


def test_family_page_links_to_its_faq(client, seed):
    html = get(client, "/families/llava/")
    assert 'href="/families/llava/faq/"' in html
    text = visible_text(html)
    assert text.index("Frequently Asked Questions") < text.index("All questions about LLaVA")


def test_unknown_or_unpublished_family_faq_is_404(client, seed):
    get(client, "/families/nope/faq/", status=404)
    Family.objects.filter(slug="llava").update(published=False)
    get(client, "/families/llava/faq/", status=404)


# --- /faq/ -------------------------------------------------------------------------------------


def test_site_faq(client, seed):
    html = get(client, "/faq/")
    text = visible_text(html)
    for question in (
        "Where does the catalog's data come from?",
        "How is the use-when guidance derived?",
        "How are prices shown?",
        "How do I read the tables?",
        "How does the chooser rank models?",
        "How is hardware fit estimated?",
        "How does the cost calculator work?",
    ):
        assert question in text
    assert "It now holds 2 families, 6 variants, 1 provider and 1 offering." in text
    assert chooser.RANKING_RULE in text
    assert jsonld_pairs(jsonld(html)) == faq_pairs(html)


def test_site_faq_names_the_last_imports(client, seed):
    ImportRun.objects.create(
        source="models.dev",
        dataset="x",
        started_at="2026-11-20T10:00Z",
        finished_at="2026-11-20T10:05Z",
        status=ImportRun.Status.SUCCEEDED,
    )
    ImportRun.objects.create(
        source="models.dev",
        dataset="x",
        started_at="2026-11-25T10:00Z",
        finished_at="2026-11-25T10:05Z",
        status=ImportRun.Status.FAILED,
    )
    assert "models.dev on 2026-11-20" in visible_text(get(client, "/faq/"))


def test_navigation_links(client, seed):
    html = get(client, "/")
    assert 'href="/choose/"' in html and 'href="/faq/"' in html


# --- /choose/ ----------------------------------------------------------------------------------


def result_rows(html: str) -> list[list[str]]:
    """The ranked rows, then those listed apart (no pay-per-token offering meets the needs)."""
    return [row for t in tables(html) if t and t[0][:2] == ["Rank", "Model"] for row in t[1:]]


def test_chooser_without_parameters_shows_the_form_and_the_rule(client, seed):
    html = get(client, "/choose/")
    text = visible_text(html)
    assert "Minimum context (tokens)" in text and chooser.RANKING_RULE in text
    assert "Results" not in text


def test_chooser_ranks_llava_13b_with_its_reasons(client, seed):
    html = get(client, "/choose/?modality=image&context_min=4096")
    rows = result_rows(html)
    names = [row[1] for row in rows]
    assert names == ["LLaVA 1.5 13B LLaVA 1.5", "LLaVA 1.5 7B LLaVA 1.5", "LLaVA 13B LLaVA"]
    llava = rows[2]
    assert llava[0] == "3"
    assert "needs image input: takes text and image" in llava[2]
    assert "needs 4k context: has 4k" in llava[2]
    assert "no price in the catalog: check its providers" in llava[2]
    assert "no provider in the catalog" in rows[0][2]
    text = visible_text(html)
    assert "Needs: accepts images; at least 4k context." in text
    assert "3 models meet every need; 0 of them have a pay-per-token offering that does." in text
    assert "Meets every need, without a per-token price" in text
    assert 'href="/compare/?v=llava-1-5/llava-1-5-13b&amp;v=llava-1-5/llava-1-5-7b&amp;v=llava/llava-13b"' in html


def price(slug, provider, model_id, price_input, price_output, **fields):
    provider_slug = provider.lower().replace(" ", "-")
    return factories.offering(
        Variant.objects.get(slug=slug),
        factories.provider(provider_slug, provider),
        model_id,
        price_input,
        price_output,
        **fields,
    )


def test_chooser_ranks_priced_variants_by_estimated_cost(client, seed):
    price("llava-13b", "Cheap", "llava-13b", "0.10", "0.40")
    price("llava-1-5-7b", "Dear", "llava-7b", "0.20", "0.20")
    html = get(client, "/choose/?modality=image&context_min=4096&input_tokens=10000000&output_tokens=1000000")
    rows = result_rows(html)
    # 10M input and 1M output: $1.00 + $0.40 = $1.40 at Cheap, $2.00 + $0.20 = $2.20 at Dear.
    assert [(row[1], row[3]) for row in rows] == [
        ("LLaVA 13B LLaVA", "$1.40 at Cheap"),
        ("LLaVA 1.5 7B LLaVA 1.5", "$2.20 at Dear"),
        ("LLaVA 1.5 13B LLaVA 1.5", "—"),
    ]
    assert "cheapest matching offering: $0.10 per million input tokens at Cheap" in rows[0][2]
    # Without monthly tokens the input plus output price decides: $0.40 at Dear beats $0.50 at Cheap.
    rows = result_rows(get(client, "/choose/?modality=image&context_min=4096"))
    assert [row[1] for row in rows][:2] == ["LLaVA 1.5 7B LLaVA 1.5", "LLaVA 13B LLaVA"]


def test_chooser_price_limits_and_replacements(client, seed):
    price("llava-13b", "Cheap", "llava-13b", "0.10", "0.40")
    price("llava-1-5-7b", "Dear", "llava-7b", "0.90", "0.90")
    rows = result_rows(get(client, "/choose/?price_input_max=0.5"))
    assert [row[1] for row in rows] == ["LLaVA 13B LLaVA"]
    assert "needs at most $0.50 per million input tokens: $0.10 input and $0.40 output at Cheap" in rows[0][2]
    Variant.objects.filter(slug="llava-13b").update(
        replaced_by=Variant.objects.get(slug="llava-1-5-13b"), status="legacy"
    )
    rows = result_rows(get(client, "/choose/?modality=image"))
    assert rows[1][1] == "LLaVA 13B LLaVA"  # replaced variants rank after current ones with a price
    assert "replaced by LLaVA 1.5 13B: consider LLaVA 1.5 13B" in rows[1][2]


def test_chooser_open_weights_and_size(client, seed):
    rows = result_rows(get(client, "/choose/?open_weights=1&params_max=8"))
    assert [row[1] for row in rows] == ["LLaVA 1.5 7B LLaVA 1.5"]
    assert "needs open weights: listed as supported" in rows[0][2]
    assert "needs at most 8B parameters: has 7B" in rows[0][2]


def test_chooser_no_match_says_what_to_relax(client, seed):
    html = get(client, "/choose/?modality=image&context_min=32768&open_weights=1")
    text = visible_text(html)
    assert "No variant meets every need." in text
    assert '"at least 32k context" excluded the most: 6 variants of 6.' in text
    assert 'Dropping "at least 32k context" alone would add 2 variants.' in text
    relax = next(t for t in tables(html) if t and t[0][0] == "Need")
    assert relax[1:] == [
        ["at least 32k context", "6", "2", "Drop it, or lower the minimum to 4k context"],
        ["open weights", "4", "0", "not enough alone"],
        ["accepts images", "3", "0", "not enough alone"],
    ]
    assert 'href="?modality=image&amp;open_weights=1#results"' in html
    assert 'href="?modality=image&amp;context_min=4096&amp;open_weights=1#results"' in html
    # The suggested relaxation does match.
    assert len(result_rows(get(client, "/choose/?modality=image&context_min=4096&open_weights=1"))) == 2


@pytest.mark.parametrize(
    "query",
    [
        "context_min=abc",
        "context_min=-4096",
        "context_min=0",
        "context_min=" + "9" * 5000,
        "context_min=1e5",
        "modality=smell",
        "modality=image&modality=",
        "tool_calling=banana",
        "params_max=-1",
        "params_max=13B",
        "price_input_max=cheap",
        "price_input_max=-0.1",
        "price_output_max=NaN",
        "price_output_max=Infinity",
        "price_input_max=1e999",
        "input_tokens=12abc",
        "input_tokens=-5",
        "output_tokens=99999999999999999999999",
        "page=0",
        "page=x",
    ],
)
def test_chooser_bad_parameters_are_form_errors(client, seed, query):
    name = query.split("=")[0]
    html = get(client, f"/choose/?{query}", status=400)
    text = visible_text(html)
    assert "Some values could not be used, so no ranking was made" in text
    assert f"({name}=" in text
    assert "Results" not in text


def test_chooser_accepts_friendly_numbers(client, seed):
    rows = result_rows(get(client, "/choose/?context_min=4%2C096&tool_calling=0&reasoning=&modality=image"))
    assert len(rows) == 3
    response = client.get("/choose/?input_tokens=1_000_000&output_tokens=1+000&utm_source=x")
    assert response.status_code == 302  # a parameter the chooser does not read: to the URL without it
    rows = result_rows(get(client, response["Location"]))
    assert len(rows) == 6


def test_chooser_pages_beyond_the_last_show_the_last(client, seed):
    html = get(client, "/choose/?modality=image&page=999")
    assert len(result_rows(html)) == 3


# --- The variant page: comparison, calculator, hardware fit --------------------------------------


def test_variant_page_hardware_fit(client, seed):
    html = get(client, "/families/llava/llava-13b/")
    text = visible_text(html)
    assert "LLaVA 13B needs 26 GB for its weights at 16-bit (31.2 GB with overhead)." in text
    fit = next(t for t in tables(html) if t and t[0][:3] == ["Precision", "Weights", "With overhead"])
    assert fit == [
        ["Precision", "Weights", "With overhead", "8 GB", "12 GB", "16 GB", "24 GB", "48 GB", "80 GB"],
        ["16-bit", "26 GB", "31.2 GB", "No", "No", "No", "No", "Fits", "Fits"],
        ["8-bit", "13 GB", "15.6 GB", "No", "No", "Fits", "Fits", "Fits", "Fits"],
        ["4-bit", "6.5 GB", "7.8 GB", "Fits", "Fits", "Fits", "Fits", "Fits", "Fits"],
    ]
    assert "20% overhead" in text


def test_variant_page_without_parameters_says_so(client, seed):
    Variant.objects.filter(slug="llava-13b").update(parameters=None)
    text = visible_text(get(client, "/families/llava/llava-13b/"))
    assert "The catalog lists no parameter count for LLaVA 13B, so it cannot estimate the memory it needs." in text


def test_variant_page_compares_with_the_family_pick(client, seed):
    html = get(client, "/families/llava/llava-llama-2-7b/")
    assert (
        "Compared with LLaVA 13B, the most capable current LLaVA variant: LLaVA 13B has 4k context and multimodal "
        "inputs, which LLaVA Llama 2 7B does not list; LLaVA Llama 2 7B is smaller at 7B parameters against 13B."
    ) in visible_text(html)
    assert 'href="/compare/?v=llava/llava-llama-2-7b&amp;v=llava/llava-13b"' in html
    assert "LLaVA 13B is the most capable current LLaVA variant in the catalog" in visible_text(
        get(client, "/families/llava/llava-13b/")
    )


def cost_rows(html: str) -> list[list[str]]:
    table = next(t for t in tables(html) if t and t[0][:3] == ["Provider", "Model id", "Monthly cost"])
    return table[1:]


def test_cost_calculator_prices_each_provider_cheapest_first(client, seed):
    price("llava-13b", "Some API", "llava-13b", "0.20", "0.60", price_checked=date(2026, 11, 1))
    offering = price("llava-13b", "Cheap", "llava-13b-cheap", "0.10", "0.40")
    Offering.objects.filter(pk=offering.pk).update(price_cache_read=Decimal("0.05"))
    run = ImportRun.objects.create(
        source="models.dev",
        dataset="x",
        started_at="2026-11-20T10:00Z",
        finished_at="2026-11-20T10:05Z",
        status=ImportRun.Status.SUCCEEDED,
    )
    Listing.objects.create(
        source="models.dev",
        key="cheap/llava-13b-cheap",
        offering=offering,
        last_run=run,
        first_seen_at=run.started_at,
        changed_at=run.started_at,
    )
    url = "/families/llava/llava-13b/?input_tokens=10000000&output_tokens=2000000&cached_tokens=4000000"
    html = get(client, url)
    assert cost_rows(html) == [
        # 6M × $0.10 + 4M × $0.05 + 2M × $0.40
        ["Cheap", "llava-13b-cheap", "$1.60", "$0.60", "$0.20", "$0.80", "2026-11-20 (models.dev import)"],
        # 6M × $0.20 + 4M × $0.20 (no cached price) + 2M × $0.60
        ["Some API", "llava-13b", "$3.20", "$1.20", "$0.80 †", "$1.20", "2026-11-01 (curator)"],
        ["Ollama", "llava:13b", "No price in the catalog.", "not checked"],
    ]
    assert "Estimated cost of 10,000,000 input, 2,000,000 output, and 4,000,000 cached input tokens a month" in (
        visible_text(html)
    )
    assert 'value="10000000"' in html  # the form keeps what the URL holds
    assert "† No cached input price is listed there, so cached input tokens are billed at the input price." in (
        visible_text(html)
    )


def test_cost_calculator_defaults_to_a_million_tokens(client, seed):
    price("llava-13b", "Some API", "llava-13b", "0.20", "0.60")
    html = get(client, "/families/llava/llava-13b/")
    assert cost_rows(html)[0][:3] == ["Some API", "llava-13b", "$0.80"]
    assert "Estimated cost of 1,000,000 input and 1,000,000 output tokens a month" in visible_text(html)


@pytest.mark.parametrize(
    "query",
    [
        "input_tokens=12abc",
        "input_tokens=-1",
        "output_tokens=1e5",
        "output_tokens=" + "9" * 30,
        "cached_tokens=-3",
        "input_tokens=10&cached_tokens=11",
        "input_tokens=%EF%BC%91",
    ],
)
def test_cost_calculator_bad_input_is_a_form_error(client, seed, query):
    html = get(client, f"/families/llava/llava-13b/?{query}", status=400)
    text = visible_text(html)
    assert "Some values could not be used, so no cost was computed" in text
    assert "LLaVA 13B needs 26 GB" in text  # the rest of the page still renders


# --- Queries: fixed whatever the size of the data --------------------------------------------


def build(size: int):
    fam = factories.family(f"fam-{size}", f"Fam {size}", license="MIT")
    prov = factories.provider()
    for r in range(3):
        other = factories.family(f"other-{size}-{r}", f"Other {size} {r}")
        fam.relations.create(related=other, position=r)
        for i in range(size):
            factories.variant(other, f"o{i}", f"O {i}", context_window=1024 * (i + 1))
    previous = None
    for i in range(size):
        var = factories.variant(
            fam,
            f"v{i}",
            f"V {i}",
            context_window=4096 * (i + 1),
            parameters=10**9 * (i + 1),
            input_modalities=["text", "image", "audio"],
            open_weights=i % 2 == 0,
            replaced_by=previous,
            tool_calling=True,
        )
        offering = factories.offering(var, prov, f"{size}-v{i}", "1", "2")
        factories.offering(var, factories.provider(f"p{size}-{i}", f"P {size} {i}"), f"{size}-w{i}")
        Listing.objects.create(
            source="models.dev",
            key=f"{size}-{i}",
            offering=offering,
            first_seen_at="2026-01-01T00:00Z",
            changed_at="2026-01-01T00:00Z",
        )
        fam.faq_entries.create(question=f"Q{i}?", answer=f"A{i} [1]")
        fam.sources.create(number=i + 1, title=f"S{i}", url=f"https://example.org/{i}")
        previous = var
    ImportRun.objects.create(
        source="models.dev",
        dataset="x",
        started_at="2026-01-01T00:00Z",
        finished_at="2026-01-01T00:05Z",
        status=ImportRun.Status.SUCCEEDED,
    )
    return fam


PAGES = [
    ("family-faq", lambda fam: f"{fam.get_absolute_url()}faq/"),
    ("faq", lambda fam: "/faq/"),
    ("choose", lambda fam: "/choose/?modality=image&context_min=4096&input_tokens=1000&output_tokens=10"),
    ("choose-no-match", lambda fam: "/choose/?modality=video&context_min=4096&price_input_max=0.5"),
    ("variant-calculator", lambda fam: f"{fam.variants.last().get_absolute_url()}?input_tokens=5&cached_tokens=2"),
]
# Exact where the page's reads are all this module's. The family FAQ reuses the family page's prefetches and
# the variant page extends the variant page: those get the suite's page budget (tests/catalog/test_views.py),
# and what this module adds to the variant page is pinned exactly below.
# The chooser: the provider choices, one aggregate of the counts, the page's ranked rows and their offerings;
# with no match, the relaxation aggregate instead of the rows and offerings (the nearest values add at most
# three when dropping a need would help).
EXACT = {"faq": 5, "choose": 4, "choose-no-match": 3}
BUDGETS = {"family-faq": 12, "variant-calculator": 12}


@pytest.mark.parametrize(("name", "url_of"), PAGES, ids=[name for name, _ in PAGES])
def test_query_count_does_not_grow_with_the_data(client, db, name, url_of):
    counts = []
    for size in (3, 30):
        url = url_of(build(size))
        with CaptureQueriesContext(connection) as captured:
            get(client, url)
        counts.append(len(captured))
    assert counts[0] == counts[1], f"{name}: {counts[0]} queries for 3, {counts[1]} for 30"
    if name in EXACT:
        assert counts[1] == EXACT[name], f"{name}: {counts[1]} queries"
    else:
        assert counts[1] <= BUDGETS[name], f"{name}: {counts[1]} queries"


def test_cost_calculator_without_any_price_says_so(client, seed):
    html = get(client, "/families/llava/llava-13b/")
    assert "No provider the catalog lists for LLaVA 13B has a price yet, so it cannot estimate a cost." in (
        visible_text(html)
    )
    assert cost_rows(html) == [["Ollama", "llava:13b", "No price in the catalog.", "not checked"]]
    Offering.objects.all().delete()
    text = visible_text(get(client, "/families/llava/llava-13b/"))
    assert "The catalog lists no provider for LLaVA 13B, so it cannot estimate a cost." in text


@pytest.mark.parametrize("size", [3, 30])
def test_variant_guidance_adds_one_query(db, size):
    """The listings (with their source's last import) behind the price-checked dates: the family's variants
    come with the variant page (one read for the siblings list and the guidance)."""
    import catalog.selectors.guidance as guidance_selectors
    from catalog import selectors

    fam = build(size)
    page = selectors.variant_page(fam.slug, fam.variants.last().slug)
    with CaptureQueriesContext(connection) as captured:
        result = guidance_selectors.variant_guidance(page, guidance.Usage(5, 1, 2))
    assert len(captured) == 1
    assert len(result.costs) == 2 and result.costs[0].checked.describe() == "2026-01-01 (models.dev import)"


def test_chooser_chooses_among_chat_models_unless_told(client, seed):
    Variant.objects.filter(slug="llava-13b").update(kind="embedding")
    text = visible_text(get(client, "/choose/?modality=image"))
    assert "Results (2 of 5 chat models)" in text
    assert "Results (1 of 1 embedding models)" in visible_text(get(client, "/choose/?kind=embedding"))
    assert "Results (3 of 6 models of every kind)" in visible_text(get(client, "/choose/?modality=image&kind=any"))
    get(client, "/choose/?kind=router", status=400)


def test_chooser_explains_a_zero_price(client, seed):
    assert chooser.ZERO_PRICE_NOTE not in visible_text(get(client, "/choose/?modality=image"))
    price("llava-13b", "Plan", "llava-13b", "0", "0")
    text = visible_text(get(client, "/choose/?modality=image"))
    assert chooser.ZERO_PRICE_NOTE in text
